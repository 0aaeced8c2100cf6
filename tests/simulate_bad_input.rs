//! The simulator column of docs/bad-input.md: flags `fleetlens simulate` refuses, each with one
//! line that names the flag and what it accepts (tests/simulate.rs has the first few: users,
//! agents, interval range, unknown fault, naming, modes, a backwards range).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{fleetlens, stderr};

#[test]
fn bad_flags_are_refused_with_the_flag_and_what_it_accepts() {
    // (name, arguments after `simulate`, the start of standard error)
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "duration with an unknown unit",
            &["--listen", "0", "--duration", "5x"],
            "fleetlens: --duration: duration: \"5x\" has an unknown unit (examples: 15s, 5m, 1h30m, 30d)",
        ),
        (
            "interval that is a word",
            &["--openmetrics", "-", "--interval", "fast"],
            "fleetlens: --interval: duration: \"fast\" is not a duration (examples: 15s, 5m, 1h30m, 30d)",
        ),
        (
            "interval of zero",
            &["--openmetrics", "-", "--interval", "0s"],
            "fleetlens: --interval: duration: \"0s\" must be longer than zero",
        ),
        (
            "from that is not a time",
            &["--openmetrics", "-", "--from", "yesterday"],
            "fleetlens: --from: time: \"yesterday\" is not RFC 3339 (2025-02-23T19:20:24Z), Unix seconds or now-<duration>",
        ),
        (
            "fault window without an end",
            &["--openmetrics", "-", "--fault", "error-burst@now-3h"],
            "fleetlens: config: --fault \"error-burst@now-3h\": the window must be START..END (e.g. error-burst@now-2h..now-1h)",
        ),
        (
            "fault window backwards",
            &["--openmetrics", "-", "--fault", "error-burst@1740342000..1740338400"],
            "fleetlens: config: --fault error-burst: the window must end after it starts (it starts at 1740342000000 ms and ends at 1740338400000 ms)",
        ),
        (
            "fault window empty",
            &["--openmetrics", "-", "--fault", "counter-reset@1740338400..1740338400"],
            "fleetlens: config: --fault counter-reset: the window must end after it starts (it starts at 1740338400000 ms and ends at 1740338400000 ms)",
        ),
        (
            "no workspaces",
            &["--openmetrics", "-", "--workspaces", "0"],
            "fleetlens: config: workspaces (--workspaces) is 0; it must be between 1 and 50",
        ),
        (
            "naming in capitals",
            &["--openmetrics", "-", "--naming", "LEGACY"],
            "fleetlens: config: naming (--naming) \"LEGACY\" is not one of collector, doubled-prefix, no-unit-suffix, legacy",
        ),
        (
            "output in a folder that does not exist",
            &["--openmetrics", "/nonexistent-fleetlens-dir/history.om"],
            "fleetlens: --openmetrics /nonexistent-fleetlens-dir/history.om: No such file or directory",
        ),
        (
            "listen address that is not one",
            &["--listen", "999999"],
            "fleetlens: --listen 999999: invalid socket address",
        ),
    ];
    for (name, args, want) in cases {
        let mut all = vec!["simulate"];
        all.extend_from_slice(args);
        let err = stderr(&fleetlens(&all));
        assert!(err.starts_with(want), "case {name} failed: {err}");
        assert_eq!(err.lines().count(), 1, "case {name}: one line: {err}");
    }
}

#[test]
fn a_negative_seed_is_refused_by_the_argument_parser() {
    // The seed is unsigned: clap names the argument and prints the usage.
    let err = stderr(&fleetlens(&[
        "simulate",
        "--openmetrics",
        "-",
        "--seed",
        "-1",
    ]));
    assert!(
        err.starts_with("error: unexpected argument '-1' found"),
        "{err}"
    );
    assert!(err.contains("Usage: fleetlens simulate"), "{err}");
}
