//! `fleetlens simulate` end to end: its OpenMetrics history backfilled by promtool into a real
//! Prometheus and queried, its live `/metrics` scraped over HTTP, its OTLP pushes received by a
//! listener on 127.0.0.1, and its bad flags.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use fleetlens::views::cost::{default_prices, PriceTable};
use support::{fleetlens, prometheus_available, stderr, stdout, Prometheus};

/// 2025-12-01T00:00:00Z, a Monday.
const T0: i64 = 1_764_547_200_000;
const HOUR: i64 = 3_600_000;

fn value(prom: &Prometheus, query: &str, at: i64) -> f64 {
    let r = prom.instant_ms(query, at);
    assert_eq!(r.series.len(), 1, "{query}: {} series", r.series.len());
    r.series[0].last().unwrap().1
}

#[test]
fn the_history_backfills_and_answers_promql() {
    if !prometheus_available("the_history_backfills_and_answers_promql") {
        return;
    }
    // Restarts at 12:00 and 18:00 (window 12:00..19:00, one every 6 h); the Conea API is down
    // 20:00..21:00.
    let out = fleetlens(&[
        "simulate",
        "--openmetrics",
        "-",
        "--from",
        "2025-12-01T00:00:00Z",
        "--to",
        "2025-12-01T23:59:00Z",
        "--fault",
        "counter-reset@2025-12-01T12:00:00Z..2025-12-01T19:00:00Z",
        "--fault",
        "outage@2025-12-01T20:00:00Z..2025-12-01T21:00:00Z",
    ]);
    let text = stdout(&out);
    assert!(text.ends_with("# EOF\n"));
    let prom = Prometheus::start("simulate-history", &text);

    // Cost equals tokens × list prices for the series alive at 15:00.
    let at = T0 + 15 * HOUR;
    let cost = value(&prom, "sum(claude_code_cost_usage_USD_total)", at);
    let table = PriceTable::new(&default_prices().unwrap()).unwrap();
    let tokens = prom.instant_ms(
        "sum by (model, type) (claude_code_token_usage_tokens_total)",
        at,
    );
    let mut want = 0.0;
    for s in &tokens.series {
        let model = s.labels.get("model").unwrap();
        let ty = s.labels.get("type").unwrap();
        let price = table.at(model, at).unwrap().of_type(ty).unwrap();
        want += s.last().unwrap().1 * price / 1e6;
    }
    assert!(
        cost > 0.0 && (cost - want).abs() <= 1e-9 * cost,
        "{cost} vs {want}"
    );

    // Each of the six agents restarted twice with tasks done before each restart.
    let resets = prom.instant_ms(
        "resets(claude_agent_tasks_completed_total[1d])",
        T0 + 23 * HOUR,
    );
    assert_eq!(resets.series.len(), 6);
    for s in &resets.series {
        assert_eq!(s.last().unwrap().1, 2.0, "{}", s.labels);
    }
    // No reset before the window.
    assert_eq!(
        value(
            &prom,
            "sum(resets(claude_agent_tasks_completed_total[11h]))",
            T0 + 11 * HOUR + 59 * 60_000
        ),
        0.0
    );

    // The median latency is drawn at 60 ms ± 10 %: within the (0.05, 0.1] bucket.
    let p50 = value(
        &prom,
        "histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[1h])))",
        T0 + 14 * HOUR,
    );
    assert!(p50 > 0.05 && p50 <= 0.1, "p50 {p50}");
    // Tasks take a median 15 min: the median task duration lies in the (600, 1200] s bucket.
    let task = value(&prom, "histogram_quantile(0.5, sum by (le) (increase(claude_agent_task_duration_seconds_bucket[1d])))", T0 + 23 * HOUR);
    assert!(task > 600.0 && task <= 1200.0, "task p50 {task}");

    // The outage: up is 0 and no requests are counted.
    assert_eq!(
        value(&prom, "up{job=\"conea-api\"}", T0 + 20 * HOUR + 30 * 60_000),
        0.0
    );
    assert_eq!(value(&prom, "up{job=\"conea-api\"}", T0 + 19 * HOUR), 1.0);
    let during = prom.instant_ms("http_requests_total", T0 + 20 * HOUR + 30 * 60_000);
    assert!(
        during.series.is_empty(),
        "{} series during the outage",
        during.series.len()
    );

    // The 5xx share stays inside the 0.1 % budget without an error burst.
    let share = value(&prom, "sum(increase(http_requests_total{status=~\"5..\"}[6h])) / sum(increase(http_requests_total[6h]))", T0 + 18 * HOUR);
    assert!(share < 0.001, "5xx share {share}");
}

/// Starts `fleetlens simulate` with `args`, returns the child and the address it serves on.
fn spawn(args: &[&str]) -> (std::process::Child, Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetlens"))
        .arg("simulate")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut addr = None;
    if args.contains(&"--listen") {
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        err.read_line(&mut line).unwrap();
        addr = line
            .split("http://")
            .nth(1)
            .map(|a| a.trim().trim_end_matches("/metrics").to_owned());
        assert!(addr.is_some(), "no address in {line:?}");
    }
    (child, addr)
}

fn get(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent.get(url).call().unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
}

fn sample(body: &str, prefix: &str) -> f64 {
    let line = body
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("{prefix} missing"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn listen_serves_live_values_that_advance() {
    let (mut child, addr) = spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--interval",
        "1s",
        "--from",
        "now-10m",
        "--duration",
        "30s",
    ]);
    let base = format!("http://{}", addr.unwrap());
    let (status, first) = get(&format!("{base}/metrics"));
    assert_eq!(status, 200);
    assert!(first.contains("# TYPE http_requests_total counter"));
    assert!(first.contains("# TYPE claude_agent_task_duration_seconds histogram"));
    let idle =
        "node_cpu_seconds_total{instance=\"node-1:9100\",job=\"node\",cpu=\"0\",mode=\"idle\"}";
    let a = sample(&first, idle);
    std::thread::sleep(Duration::from_millis(2100));
    let (_, second) = get(&format!("{base}/metrics"));
    let b = sample(&second, idle);
    // At least two 1 s steps passed; an idle CPU second counter grows by at most 1 s per second.
    assert!(b > a && b - a <= 4.0, "{a} → {b}");
    assert_eq!(get(&format!("{base}/other")).0, 404);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn otlp_pushes_cumulative_sums_as_json() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // The test runs at any wall-clock time, also on a weekend night when few sessions run: the
    // cost-spike fault keeps user 0 in a session up to now, so the push always has Claude Code
    // series.
    let (mut child, _) = spawn(&[
        "--otlp",
        &url,
        "--push-interval",
        "1s",
        "--fault",
        "cost-spike@now-2h..",
        "--from",
        "now-1d",
        "--duration",
        "20s",
        "--users",
        "40",
    ]);
    let (mut stream, _) = listener.accept().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    let (head_len, content_length) = loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed early");
        data.extend_from_slice(&buf[..n]);
        if let Some(p) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..p]).to_string();
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .expect("content-length");
            assert!(head.starts_with("POST /v1/metrics HTTP/1.1"), "{head}");
            assert!(
                head.to_ascii_lowercase()
                    .contains("content-type: application/json"),
                "{head}"
            );
            break (p + 4, len);
        }
    };
    while data.len() < head_len + content_length {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0);
        data.extend_from_slice(&buf[..n]);
    }
    stream
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let doc: serde_json::Value =
        serde_json::from_slice(&data[head_len..head_len + content_length]).unwrap();
    let rms = doc["resourceMetrics"].as_array().unwrap();
    assert!(
        !rms.is_empty(),
        "no resourceMetrics although the cost-spike fault keeps a session running"
    );
    for rm in rms {
        let attrs = rm["resource"]["attributes"].as_array().unwrap();
        assert!(attrs
            .iter()
            .any(|a| a["key"] == "service.name" && a["value"]["stringValue"] == "claude-code"));
        for m in rm["scopeMetrics"][0]["metrics"].as_array().unwrap() {
            assert!(m["name"].as_str().unwrap().starts_with("claude_code."));
            let sum = &m["sum"];
            assert_eq!(sum["aggregationTemporality"], 2, "cumulative");
            assert_eq!(sum["isMonotonic"], true);
            for p in sum["dataPoints"].as_array().unwrap() {
                assert!(p["asDouble"].as_f64().unwrap() >= 0.0);
                let start: u128 = p["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
                let time: u128 = p["timeUnixNano"].as_str().unwrap().parse().unwrap();
                assert!(start <= time);
            }
        }
    }
}

#[test]
fn bad_flags_say_what_to_do() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "no users",
            &["--openmetrics", "-", "--users", "0"],
            "users (--users) is 0; it must be between 1 and 500",
        ),
        (
            "agents",
            &["--openmetrics", "-", "--agents", "100"],
            "agents (--agents) is 100; it must be between 1 and 64",
        ),
        (
            "interval",
            &["--openmetrics", "-", "--interval", "2h"],
            "intervalMs (--interval) is 7200000 ms; it must be between 1s and 1h",
        ),
        (
            "unknown fault",
            &["--openmetrics", "-", "--fault", "meltdown"],
            "unknown fault \"meltdown\" (known: counter-reset",
        ),
        (
            "naming",
            &["--openmetrics", "-", "--naming", "otel"],
            "naming (--naming) \"otel\" is not one of",
        ),
        ("no mode", &[], "nothing to do"),
        (
            "two modes",
            &["--openmetrics", "-", "--listen", "9"],
            "use one or the other",
        ),
        (
            "backwards",
            &["--openmetrics", "-", "--from", "now", "--to", "now-1h"],
            "--to must be after --from",
        ),
    ];
    for (name, args, want) in cases {
        let mut all = vec!["simulate"];
        all.extend_from_slice(args);
        let err = stderr(&fleetlens(&all));
        assert!(err.contains(want), "case {name} failed: {err}");
    }
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = stderr(&fleetlens(&[
        "simulate",
        "--listen",
        &addr,
        "--duration",
        "1s",
    ]));
    assert!(err.contains("the port is in use"), "{err}");
}
