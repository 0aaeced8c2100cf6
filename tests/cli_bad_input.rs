//! The CLI column of docs/bad-input.md: `fleetlens query` and `fleetlens report` against a fake
//! Prometheus on 127.0.0.1 that answers with what real upstreams send when things go wrong (HTML
//! pages, 401/403/429/503, slow answers, truncated or malformed JSON, NaN/±Inf, empty results,
//! 10^5 series), and report configs that are not valid. Each run must end with one readable
//! line on standard error (or the data on standard output), never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use support::{fleetlens, stderr, stdout};

/// 2025-02-23T19:20:00Z, seconds.
const T0: i64 = 1_740_338_400;

/// One canned answer of the fake Prometheus.
#[derive(Clone)]
struct Answer {
    status: u16,
    reason: &'static str,
    content_type: &'static str,
    body: String,
    /// Wait this long before answering.
    delay: Duration,
}

fn answer(status: u16, reason: &'static str, content_type: &'static str, body: &str) -> Answer {
    Answer {
        status,
        reason,
        content_type,
        body: body.to_owned(),
        delay: Duration::ZERO,
    }
}

fn json(body: &str) -> Answer {
    answer(200, "OK", "application/json", body)
}

/// Starts a server on 127.0.0.1 that lists `metric_names` on `/api/v1/label/__name__/values`
/// and gives `query` to every other request. Returns its base URL; the thread lives as long as
/// the test process.
fn fake_prometheus(metric_names: &[&str], query: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let names = serde_json::json!({"status": "success", "data": metric_names}).to_string();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let names = names.clone();
            let query = query.clone();
            thread::spawn(move || handle(stream, &names, &query));
        }
    });
    url
}

fn handle(stream: TcpStream, names: &str, query: &Answer) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let a = if request_line.contains("/api/v1/label/__name__/values") {
        json(names)
    } else {
        thread::sleep(query.delay);
        query.clone()
    };
    let mut stream = reader.into_inner();
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        a.status,
        a.reason,
        a.content_type,
        a.body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(a.body.as_bytes());
}

/// `fleetlens query` of the ten minutes after T0 at a one-minute step against `url`.
fn query(url: &str, extra: &[&str]) -> std::process::Output {
    let (from, to) = (T0.to_string(), (T0 + 600).to_string());
    let mut args = vec![
        "query",
        "--prom-url",
        url,
        "--query",
        "up",
        "--from",
        &from,
        "--to",
        &to,
        "--step",
        "60",
    ];
    args.extend_from_slice(extra);
    fleetlens(&args)
}

#[test]
fn responses_that_are_not_the_prometheus_api() {
    // (name, answer, the whole standard error)
    let cases: Vec<(&str, Answer, &str)> = vec![
        (
            "a login page with 200",
            answer(200, "OK", "text/html", "<!DOCTYPE html><html><head><title>Sign in</title></head><body></body></html>"),
            "fleetlens: prometheus response: got an HTML page instead of JSON (is the URL a Prometheus API endpoint?): Sign in\n",
        ),
        (
            "a proxy's HTML error page",
            answer(502, "Bad Gateway", "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"),
            "fleetlens: HTTP 502: prometheus response: got an HTML page instead of JSON (is the URL a Prometheus API endpoint?): 502 Bad Gateway\n",
        ),
        (
            "malformed JSON",
            // The `}` after `[` is byte 60: 20 + 8 + 22 + 10 characters before it.
            json(r#"{"status":"success","data":{"resultType":"matrix","result":[}]}}"#),
            "fleetlens: prometheus response: malformed JSON at byte 60: expected '{' in a series, found '}'\n",
        ),
        (
            "truncated JSON",
            // 94 bytes: 60 + 13 + 10 + 8 + 3 (see the data source's table of the same case).
            json(r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[2,"#),
            "fleetlens: prometheus response: the body ends at byte 94 in the middle of a sample (truncated response?)\n",
        ),
        (
            "an empty body",
            json(""),
            "fleetlens: prometheus response: the body is empty\n",
        ),
        (
            "an unknown resultType",
            json(r#"{"status":"success","data":{"resultType":"table","result":[]}}"#),
            "fleetlens: prometheus response: unsupported resultType \"table\" (expected matrix, vector, scalar or string)\n",
        ),
    ];
    for (name, a, want) in cases {
        let url = fake_prometheus(&[], a);
        let err = stderr(&query(&url, &[]));
        assert_eq!(err, want, "case {name} failed");
    }
}

#[test]
fn http_statuses_and_timeouts() {
    let cases: Vec<(&str, Answer, &str)> = vec![
        (
            "401",
            answer(401, "Unauthorized", "text/plain", "Unauthorized"),
            "fleetlens: HTTP 401: prometheus response: expected a JSON object, the body starts with \"Unauthorized\" (check the credentials: --bearer-token or --header)\n",
        ),
        (
            "403",
            answer(403, "Forbidden", "application/json", r#"{"status":"error","errorType":"forbidden","error":"tenant acme may not read"}"#),
            "fleetlens: HTTP 403: prometheus error (forbidden): tenant acme may not read (check the credentials: --bearer-token or --header)\n",
        ),
        (
            "429",
            answer(429, "Too Many Requests", "text/plain", "rate limit exceeded"),
            "fleetlens: HTTP 429: prometheus response: expected a JSON object, the body starts with \"rate limit exceeded\"\n",
        ),
        (
            "503 with Prometheus' timeout envelope",
            answer(503, "Service Unavailable", "application/json", r#"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#),
            "fleetlens: HTTP 503: prometheus error (timeout): query timed out in expression evaluation\n",
        ),
    ];
    for (name, a, want) in cases {
        let url = fake_prometheus(&[], a);
        let err = stderr(&query(&url, &[]));
        assert_eq!(err, want, "case {name} failed");
    }

    // An upstream slower than --timeout: the request is abandoned after a second, not hung.
    let mut slow = json(r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#);
    slow.delay = Duration::from_secs(5);
    let url = fake_prometheus(&[], slow);
    let started = std::time::Instant::now();
    let err = stderr(&query(&url, &["--timeout", "1"]));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.starts_with(&format!(
            "fleetlens: request failed: {url}/api/v1/query_range: "
        )),
        "{err}"
    );
    assert!(err.to_lowercase().contains("timeout"), "{err}");
}

#[test]
fn values_and_series() {
    // NaN and ±Inf are printed as Prometheus writes them.
    let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"__name__":"ratio","job":"a"},"values":[[1740338400,"NaN"],[1740338460,"+Inf"]]},
        {"metric":{"__name__":"ratio","job":"b"},"values":[[1740338400,"-Inf"]]}]}}"#;
    let out = stdout(&query(&fake_prometheus(&[], json(body)), &[]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "matrix: 2 series, 3 points");
    assert!(lines[2].starts_with("ratio{job=\"a\"}"), "{out}");
    let cells = |line: &str| -> Vec<String> {
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        cells(lines[2]),
        [
            "ratio{job=\"a\"}",
            "2",
            "NaN @ 2025-02-23T19:20:00.000Z",
            "+Inf @ 2025-02-23T19:21:00.000Z"
        ],
        "{out}"
    );
    assert_eq!(
        cells(lines[3]),
        [
            "ratio{job=\"b\"}",
            "1",
            "-Inf @ 2025-02-23T19:20:00.000Z",
            "-Inf @ 2025-02-23T19:20:00.000Z"
        ],
        "{out}"
    );
    // In JSON, as Grafana's data frame JSON: null in the values, the kind in `entities`.
    let out = stdout(&query(&fake_prometheus(&[], json(body)), &["--json"]));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["frames"][0]["data"]["values"][1],
        serde_json::json!([null, null])
    );
    assert_eq!(
        doc["frames"][0]["data"]["entities"][1],
        serde_json::json!({"NaN": [0], "Inf": [1]})
    );
    assert_eq!(
        doc["frames"][1]["data"]["entities"][1],
        serde_json::json!({"NegInf": [0]})
    );

    // An empty result says so.
    let empty = json(r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#);
    let out = stdout(&query(&fake_prometheus(&[], empty), &[]));
    assert_eq!(out, "matrix: 0 series, 0 points\nno series matched\n");

    // Series on different time grids keep their own first and last timestamps.
    let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"g":"15s"},"values":[[1740338400,"1"],[1740338415,"2"],[1740338430,"3"]]},
        {"metric":{"g":"20s"},"values":[[1740338407,"4"],[1740338427,"5"]]}]}}"#;
    let out = stdout(&query(&fake_prometheus(&[], json(body)), &[]));
    assert!(out.starts_with("matrix: 2 series, 5 points\n"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        cells(lines[2])[2..],
        [
            "1 @ 2025-02-23T19:20:00.000Z",
            "3 @ 2025-02-23T19:20:30.000Z"
        ],
        "{out}"
    );
    assert_eq!(
        cells(lines[3])[2..],
        [
            "4 @ 2025-02-23T19:20:07.000Z",
            "5 @ 2025-02-23T19:20:27.000Z"
        ],
        "{out}"
    );
}

#[test]
fn a_label_explosion_of_100000_series_is_printed_in_full() {
    let mut body = String::from(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    for i in 0..100_000 {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            r#"{{"metric":{{"__name__":"x","id":"{i}"}},"values":[[1740338400,"{i}"]]}}"#
        ));
    }
    body.push_str("]}}");
    let started = std::time::Instant::now();
    let out = stdout(&query(&fake_prometheus(&[], json(&body)), &[]));
    let elapsed = started.elapsed();
    // The header, the column names and one row per series.
    assert_eq!(out.lines().count(), 100_002);
    assert_eq!(
        out.lines().next(),
        Some("matrix: 100000 series, 100000 points")
    );
    assert!(out.contains("x{id=\"99999\"}"));
    // About a second in a debug build; a quadratic step would take minutes.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

/// Writes `config` to a temporary file and runs `fleetlens report --view VIEW` against `url`.
fn report(url: &str, view: &str, config: &str, extra: &[&str]) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("fleetlens-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{view}-{}.json", config.len()));
    std::fs::write(&path, config).unwrap();
    let (from, to) = (T0.to_string(), (T0 + 3600).to_string());
    let mut args = vec![
        "report",
        "--prom-url",
        url,
        "--view",
        view,
        "--config",
        path.to_str().unwrap(),
        "--from",
        &from,
        "--to",
        &to,
    ];
    args.extend_from_slice(extra);
    fleetlens(&args)
}

const EMPTY_MATRIX: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;

#[test]
fn report_on_unknown_metrics_and_bad_configs() {
    let url = fake_prometheus(&["up", "node_cpu_seconds_total"], json(EMPTY_MATRIX));
    let err = stderr(&report(&url, "cost", "{}", &[]));
    assert!(
        err.starts_with(
            "fleetlens: cost view: metric not found: looked for claude_code_cost_usage_USD_total"
        ),
        "{err}"
    );
    assert!(err.contains("node_cpu_seconds_total"), "{err}");

    let url = fake_prometheus(&["claude_code_cost_usage_USD_total"], json(EMPTY_MATRIX));
    let prices = r#"{"prices":[{"model":"opus","effectiveFrom":"2025-01-01","input":-15,"output":75,"cacheWrite":18.75,"cacheRead":1.5}]}"#;
    let err = stderr(&report(&url, "cost", prices, &[]));
    assert!(
        err.contains("prices: input price -15 of opus (from 2025-01-01) must be a number ≥ 0"),
        "{err}"
    );

    let slo = |objective: &str, rolling: &str| {
        format!(
            r#"{{"name":"api","objective":{objective},"period":{{"rolling":"{rolling}"}},"sli":{{"ratio":{{"bad":{{"metric":"http_requests_total"}},"total":{{"metric":"http_requests_total"}}}}}}}}"#
        )
    };
    let url = fake_prometheus(&["http_requests_total"], json(EMPTY_MATRIX));
    let err = stderr(&report(&url, "slo", &slo("0", "1d"), &[]));
    assert!(err.contains("objective 0 is outside (0, 1)"), "{err}");
    let err = stderr(&report(&url, "slo", &slo("0.99", "30 days"), &[]));
    assert!(
        err.contains("duration: \"30 days\" has an unknown unit (examples: 15s, 5m, 1h30m, 30d)"),
        "{err}"
    );
    let err = stderr(&report(
        &url,
        "slo",
        &slo("0.99", "1d"),
        &["--tz", "Europe/Atlantis"],
    ));
    assert!(
        err.contains("--tz") && err.contains("Europe/Atlantis"),
        "{err}"
    );
}

#[test]
fn report_on_bad_samples_gives_values_and_warnings() {
    // A cost counter with a reset (5 → 2) and a negative sample; exact mode counts
    // 0 → 5 (+5), 5 → 2 (a reset: +2), 2 → −1 (a drop to a negative value counts 0),
    // −1 → 3 (+4) = 11.
    let at = |m: i64| (T0 + 3600 - 3000 + m * 60).to_string();
    let body = format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"__name__":"claude_code_cost_usage_USD_total","model":"opus"}},"values":[[{},"0"],[{},"5"],[{},"2"],[{},"-1"],[{},"3"]]}}]}}}}"#,
        at(0),
        at(1),
        at(2),
        at(3),
        at(4)
    );
    let url = fake_prometheus(&["claude_code_cost_usage_USD_total"], json(&body));
    let out = stdout(&report(&url, "cost", "{}", &["--json"]));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["report"]["totalUsd"]["value"], 11.0);
    let warnings: Vec<&str> = doc["report"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .collect();
    assert!(
        warnings.contains(
            &"counter claude_code_cost_usage_USD_total{model=\"opus\"} has 1 negative values; counters never go below zero. \
              A drop is read as a reset (the new value counts from zero, as in Prometheus), so its increase may be wrong: \
              check that the exporter does not write a gauge or a delta under a counter's name"
        ),
        "{warnings:?}"
    );
}

/// A matrix body of one series with `labels` (JSON) and `(seconds, value)` samples.
fn matrix(series: &[(&str, Vec<(i64, &str)>)]) -> String {
    let result: Vec<String> = series
        .iter()
        .map(|(labels, samples)| {
            let values: Vec<String> = samples
                .iter()
                .map(|(t, v)| format!(r#"[{t},"{v}"]"#))
                .collect();
            format!(r#"{{"metric":{labels},"values":[{}]}}"#, values.join(","))
        })
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{}]}}}}"#,
        result.join(",")
    )
}

#[test]
fn report_names_colliding_writers_and_bad_histograms() {
    // Two writers of one cost series: 100, 6, 102, 8, …, 110, 16 after a baseline of 0 a
    // minute before --from.
    let mut samples = vec![(T0 - 60, "0")];
    let values = [
        "100", "6", "102", "8", "104", "10", "106", "12", "108", "14", "110", "16",
    ];
    for (i, v) in values.iter().enumerate() {
        samples.push((T0 + 660 + 60 * i as i64, v));
    }
    let body = matrix(&[(
        r#"{"__name__":"claude_code_cost_usage_USD_total","model":"opus"}"#,
        samples,
    )]);
    let url = fake_prometheus(&["claude_code_cost_usage_USD_total"], json(&body));
    let out = stdout(&report(&url, "cost", "{}", &["--json"]));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    // 100 + 6 + 5 × 96 + (8 + 10 + … + 16) = 646, as increase() counts it.
    assert_eq!(doc["report"]["totalUsd"]["value"], 646.0);
    assert!(
        out.contains("several writers on one series (increase() overstates it; robust mode removes the phantom increases)"),
        "{out}"
    );

    let slo = r#"{"name":"latency","objective":0.9,"period":{"rolling":"1h"},"sli":{"latency":{"histogram":{"metric":"rpc_seconds"},"thresholdSeconds":0.3}}}"#;
    let bucket = |le: &'static str, v: &'static str| -> (String, Vec<(i64, &'static str)>) {
        (
            format!(r#"{{"__name__":"rpc_seconds_bucket","le":"{le}"}}"#),
            vec![(T0 - 120, "0"), (T0 + 3600, v)],
        )
    };
    let no_inf = [bucket("0.1", "50"), bucket("0.3", "40"), bucket("1", "90")];
    let refs: Vec<(&str, Vec<(i64, &str)>)> = no_inf
        .iter()
        .map(|(l, s)| (l.as_str(), s.clone()))
        .collect();
    let url = fake_prometheus(&["rpc_seconds_bucket"], json(&matrix(&refs)));
    let err = stderr(&report(&url, "slo", slo, &[]));
    assert_eq!(
        err,
        "fleetlens: histogram: histogram rpc_seconds has no +Inf bucket\n"
    );

    let with_inf = [
        bucket("0.1", "50"),
        bucket("0.3", "40"),
        bucket("1", "90"),
        bucket("+Inf", "100"),
    ];
    let refs: Vec<(&str, Vec<(i64, &str)>)> = with_inf
        .iter()
        .map(|(l, s)| (l.as_str(), s.clone()))
        .collect();
    let url = fake_prometheus(&["rpc_seconds_bucket"], json(&matrix(&refs)));
    let out = stdout(&report(&url, "slo", slo, &[]));
    assert!(
        out.contains("histogram rpc_seconds: bucket counts decrease as le grows in"),
        "{out}"
    );
    assert!(out.contains("(le 0.3 to 0.3, by up to 10)"), "{out}");
}
