//! Reproducers of what fuzzing found (see fuzz/README.md), and the committed fuzz corpora
//! replayed as plain tests: every input must give a value or an error, never a panic (these
//! tests build with overflow checks, as the fuzzers do).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use fleetlens::engine::{plan, Request, ViewConfig, ViewKind, MAX_INSTANT_MS};
use fleetlens::simulate::{Chunks, Fault, SimConfig, Simulator};
use fleetlens::time::{parse_duration_ms, parse_time_ms};
use fleetlens::window::Utc;
use fleetlens::{decode, Error, Labels, Series};

/// 2026-03-10T00:00:00Z.
const T0: i64 = 1_773_100_800_000;
const MIN: i64 = 60_000;

/// The files of fuzz/<dir>/, sorted; empty when the directory is absent.
fn inputs(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

fn slo_ratio_good_total() -> ViewConfig {
    // The config of fuzz/regressions/views/slo-request-from-far-past.bin.
    ViewConfig::from_json(
        ViewKind::Slo,
        r#"{"name":"a","objective":0.9,"period":{"rolling":"30d"},"sli":{"ratio":{"good":{"metric":"x"},"total":{"metric":"y"}}}}"#,
    )
    .unwrap()
}

fn names() -> Vec<String> {
    vec!["x".to_owned(), "y".to_owned()]
}

/// Found by the `views` target: a request starting near `i64::MIN` overflowed `to - from` while
/// the SLO's automatic step was computed. Such a range is now refused.
#[test]
fn a_request_beyond_the_representable_years_is_refused_not_overflowed() {
    for (from_ms, to_ms) in [
        (i64::MIN, T0),
        (-MAX_INSTANT_MS - 1, T0),
        (T0, i64::MAX),
        (T0, MAX_INSTANT_MS + 1),
    ] {
        let request = Request {
            from_ms,
            to_ms,
            step_ms: None,
            group_by: None,
        };
        match plan(slo_ratio_good_total(), request, &Utc, &names()) {
            Err(Error::InvalidConfig(m)) => assert!(m.contains("out of range"), "{m}"),
            other => panic!("{from_ms}..{to_ms}: {other:?}"),
        }
    }
    // The limits themselves are fine (the plan then refuses the 100-day fetch range, not the
    // times).
    let edge = Request {
        from_ms: MAX_INSTANT_MS - 3_600_000,
        to_ms: MAX_INSTANT_MS,
        step_ms: None,
        group_by: None,
    };
    assert!(matches!(
        plan(slo_ratio_good_total(), edge, &Utc, &names()),
        Ok(_) | Err(Error::RangeTooLong(_))
    ));
}

/// Samples far outside any real range (a body's timestamp of 9e15 s decodes to near
/// `i64::MAX` ms) are refused by `Plan::evaluate` before any view subtracts times.
#[test]
fn a_sample_time_beyond_the_representable_years_is_refused() {
    let request = Request {
        from_ms: T0 - 60 * MIN,
        to_ms: T0,
        step_ms: None,
        group_by: None,
    };
    let plan = plan(slo_ratio_good_total(), request, &Utc, &names()).unwrap();
    let series = |name: &str, times: Vec<i64>| {
        let mut labels = Labels::new();
        labels.insert("__name__".to_owned(), name.to_owned());
        Series {
            labels,
            values: vec![1.0; times.len()],
            time_ms: times,
        }
    };
    let far = vec![
        vec![series("x", vec![T0 - MIN, i64::MAX])],
        vec![series("y", vec![T0 - MIN, T0])],
    ];
    match plan.evaluate(&far) {
        Err(Error::InvalidInput(m)) => {
            assert!(m.contains("x") && m.contains(&i64::MAX.to_string()), "{m}")
        }
        other => panic!("{other:?}"),
    }
    // The same series within range evaluate.
    let near = vec![
        vec![series("x", vec![T0 - MIN, T0])],
        vec![series("y", vec![T0 - MIN, T0])],
    ];
    assert!(plan.evaluate(&near).is_ok());
}

/// `now` followed by a multi-byte character used to panic (`split_at(1)` inside a character);
/// it is a parse error now, in `--from`/`--to` and in a `--fault` window alike.
#[test]
fn now_followed_by_a_multibyte_character_is_an_error() {
    for text in ["now€", "nowé1h", "now—1h"] {
        assert!(
            matches!(parse_time_ms(text, T0), Err(Error::InvalidTime(_))),
            "{text}"
        );
        assert!(Fault::parse(&format!("outage@{text}..now"), T0).is_err());
    }
    assert_eq!(parse_time_ms("now-1h", T0).unwrap(), T0 - 60 * MIN);
    assert_eq!(parse_time_ms("now+5m", T0).unwrap(), T0 + 5 * MIN);
    assert!(matches!(
        parse_time_ms("now-1y", i64::MIN + 1),
        Err(Error::InvalidTime(_))
    ));
}

/// A simulator start or history range near the ends of `i64` overflowed the clock's rounding;
/// it is refused with the flag to fix.
#[test]
fn the_simulator_refuses_times_beyond_the_representable_years() {
    let config = SimConfig::default();
    for start in [i64::MIN, -MAX_INSTANT_MS - 1, MAX_INSTANT_MS + 1, i64::MAX] {
        assert!(matches!(
            Simulator::new(&config, start),
            Err(Error::InvalidConfig(_))
        ));
    }
    match Chunks::new(&config, i64::MIN, T0, 60) {
        Err(Error::InvalidConfig(m)) => assert!(m.contains("--from"), "{m}"),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("accepted i64::MIN"),
    }
    assert!(Simulator::new(&config, T0).is_ok());
}

/// Every committed `decode` corpus input and reproducer decodes or fails cleanly, and what
/// decodes is consistent.
#[test]
fn the_decode_corpus_replays_without_a_panic() {
    let files = [inputs("corpus/decode"), inputs("regressions/decode")].concat();
    assert!(files.len() > 100, "only {} decode inputs", files.len());
    let mut decoded = 0;
    for path in &files {
        let body = std::fs::read(path).unwrap();
        if let Ok(r) = decode(&body) {
            decoded += 1;
            for s in &r.series {
                assert_eq!(s.time_ms.len(), s.values.len(), "{}", path.display());
            }
        }
    }
    // The real Prometheus bodies among the seeds decode.
    assert!(decoded >= 10, "{decoded} decoded");
}

/// Every committed `config` corpus input goes through every config parser without a panic.
#[test]
fn the_config_corpus_replays_without_a_panic() {
    let files = inputs("corpus/config");
    assert!(files.len() > 20, "only {} config inputs", files.len());
    let mut parsed = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for kind in [ViewKind::Cost, ViewKind::Slo, ViewKind::Agents] {
            parsed += usize::from(ViewConfig::from_json(kind, &text).is_ok());
        }
        if let Ok(sim) = serde_json::from_str::<SimConfig>(&text) {
            let _ = sim.validate();
        }
        let _ = serde_json::from_str::<Request>(&text);
    }
    assert!(parsed > 0);
}

/// Every committed `simulate_flags` input's flag values parse or fail cleanly.
#[test]
fn the_simulate_flags_corpus_replays_without_a_panic() {
    let files = [
        inputs("corpus/simulate_flags"),
        inputs("regressions/simulate_flags"),
    ]
    .concat();
    assert!(!files.is_empty());
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for line in text.lines() {
            let _ = parse_duration_ms(line);
            let _ = parse_time_ms(line, T0);
            let _ = Fault::parse(line, T0);
        }
    }
}
