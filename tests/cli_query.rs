//! `fleetlens query` against a real Prometheus holding known data.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use support::{fleetlens, prometheus_available, stderr, stdout, Prometheus};

/// 2025-02-23T19:20:00Z
const T0: i64 = 1_740_338_400;
const MINUTES: i64 = 60;

/// Two counters sampled every minute for an hour (`code="200"`: 10 per minute, `code="500"`: 1 per
/// minute), and a gauge sampled 615 ms after each minute whose sample at minute 30 is NaN.
fn openmetrics() -> String {
    let mut om = String::from("# TYPE fl_test_requests counter\n");
    for i in 0..=MINUTES {
        let t = T0 + 60 * i;
        om.push_str(&format!(
            "fl_test_requests_total{{job=\"api\",code=\"200\"}} {} {t}\n",
            10 * i
        ));
        om.push_str(&format!(
            "fl_test_requests_total{{job=\"api\",code=\"500\"}} {i} {t}\n"
        ));
    }
    om.push_str("# TYPE fl_test_load gauge\n");
    for i in 0..=MINUTES {
        let t = T0 + 60 * i;
        let v = if i == 30 {
            "NaN".to_owned()
        } else {
            format!("{}", i as f64 * 0.25)
        };
        om.push_str(&format!("fl_test_load{{agent=\"a1\"}} {v} {t}.615\n"));
    }
    om.push_str("# EOF\n");
    om
}

#[test]
fn query_against_a_real_prometheus() {
    if !prometheus_available("query_against_a_real_prometheus") {
        return;
    }
    let prom = Prometheus::start("cli-query", &openmetrics());
    let from = T0.to_string();
    let to = (T0 + 3600).to_string();
    let url = prom.url.as_str();

    // A table: labels, point count, first and last values.
    let out = stdout(&fleetlens(&[
        "query",
        "--prom-url",
        url,
        "--query",
        "fl_test_requests_total",
        "--from",
        &from,
        "--to",
        &to,
        "--step",
        "60",
    ]));
    assert!(out.starts_with("matrix: 2 series, 122 points\n"), "{out}");
    let row_200 = out.lines().find(|l| l.contains("code=\"200\"")).unwrap();
    assert!(
        row_200.starts_with("fl_test_requests_total{code=\"200\", job=\"api\"}"),
        "{row_200}"
    );
    let cells: Vec<&str> = row_200
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cells[1..],
        [
            "61",
            "0 @ 2025-02-23T19:20:00.000Z",
            "600 @ 2025-02-23T20:20:00.000Z"
        ],
        "{row_200}"
    );

    // JSON frames: exact millisecond times and NaN kept as an entity.
    let from_ms = format!("{T0}.615");
    let to_ms = format!("{}.615", T0 + 3600);
    let out = stdout(&fleetlens(&[
        "query",
        "--prom-url",
        url,
        "--query",
        "fl_test_load",
        "--from",
        &from_ms,
        "--to",
        &to_ms,
        "--step",
        "1m",
        "--json",
    ]));
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["resultType"], "matrix");
    let frame = &doc["frames"][0];
    assert_eq!(
        frame["schema"]["fields"][1]["labels"],
        serde_json::json!({"__name__": "fl_test_load", "agent": "a1"})
    );
    let times = frame["data"]["values"][0].as_array().unwrap();
    assert_eq!(times.len(), 61);
    for (k, t) in times.iter().enumerate() {
        assert_eq!(
            t.as_i64(),
            Some(T0 * 1000 + 615 + 60_000 * k as i64),
            "time {k}"
        );
    }
    let values = frame["data"]["values"][1].as_array().unwrap();
    assert_eq!(values[1].as_f64(), Some(0.25));
    assert_eq!(values[60].as_f64(), Some(15.0));
    assert!(values[30].is_null());
    assert_eq!(
        frame["data"]["entities"][1],
        serde_json::json!({"NaN": [30]})
    );

    // A PromQL error reaches the user with Prometheus' own words.
    let err = stderr(&fleetlens(&[
        "query",
        "--prom-url",
        url,
        "--query",
        "sum(",
        "--from",
        &from,
        "--to",
        &to,
    ]));
    assert!(
        err.contains("HTTP 400: prometheus error (bad_data):"),
        "{err}"
    );
    assert!(err.contains("parse error"), "{err}");

    // No match is an explicit answer, not an error.
    let out = stdout(&fleetlens(&[
        "query",
        "--prom-url",
        url,
        "--query",
        "fl_does_not_exist",
        "--from",
        &from,
        "--to",
        &to,
    ]));
    assert!(
        out.contains("matrix: 0 series, 0 points") && out.contains("no series matched"),
        "{out}"
    );

    // A URL that is not the API root: Prometheus' web UI answers with a page, not JSON.
    let err = stderr(&fleetlens(&[
        "query",
        "--prom-url",
        &format!("{url}/graph"),
        "--query",
        "up",
        "--from",
        &from,
        "--to",
        &to,
    ]));
    assert!(err.contains("fleetlens: HTTP"), "{err}");
}

#[test]
fn bad_arguments_are_refused_before_any_request() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--from", "0", "--to", "86400", "--step", "1s"],
            "Prometheus allows 11000: use --step 8s or more",
        ),
        (&["--from", "yesterday"], "--from: time: \"yesterday\""),
        (&["--step", "5x"], "--step: duration: \"5x\""),
        (&["--from", "100", "--to", "10"], "--to is before --from"),
        (
            &["--header", "no-colon"],
            "--header \"no-colon\" is not \"Name: value\"",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["query", "--prom-url", "http://127.0.0.1:9", "--query", "up"];
        args.extend_from_slice(extra);
        let err = stderr(&fleetlens(&args));
        assert!(err.contains(want), "case {extra:?}: {err}");
    }
}

#[test]
fn unreachable_prometheus_is_a_readable_error() {
    // Port 9 (discard) on loopback: nothing listens there in a test environment.
    let err = stderr(&fleetlens(&[
        "query",
        "--prom-url",
        "http://127.0.0.1:9",
        "--query",
        "up",
        "--timeout",
        "5",
    ]));
    assert!(
        err.starts_with("fleetlens: request failed: http://127.0.0.1:9/api/v1/query_range:"),
        "{err}"
    );
}

#[test]
fn version_is_the_crate_version() {
    let out = stdout(&fleetlens(&["--version"]));
    assert_eq!(
        out.trim(),
        format!("fleetlens {}", env!("CARGO_PKG_VERSION"))
    );
}
