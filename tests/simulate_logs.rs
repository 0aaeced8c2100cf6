//! Claude Code's events from `fleetlens simulate`: pushed as OTLP/HTTP JSON logs next to the
//! metrics (received by a collector stand-in on 127.0.0.1), and written as JSON lines with
//! `--events`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use support::{fleetlens, stderr, stdout};

/// One request received: path, content type, JSON body.
type Received = (String, String, Json);

/// Reads one HTTP request with a Content-Length body and answers 200.
fn read_request(mut stream: TcpStream) -> Option<Received> {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    let (head, head_len, length) = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(p) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..p]).to_string();
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .expect("content-length");
            break (head, p + 4, length);
        }
    };
    while data.len() < head_len + length {
        let n = stream.read(&mut buf).ok()?;
        assert!(n > 0, "body cut short");
        data.extend_from_slice(&buf[..n]);
    }
    stream
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        .unwrap();
    let mut first = head.lines().next().unwrap().split_whitespace();
    assert_eq!(first.next(), Some("POST"), "{head}");
    let path = first.next().unwrap().to_owned();
    let content_type = head
        .lines()
        .find_map(|l| {
            let lower = l.to_ascii_lowercase();
            lower
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default();
    let body = serde_json::from_slice(&data[head_len..head_len + length]).unwrap();
    Some((path, content_type, body))
}

fn attr<'a>(attrs: &'a Json, key: &str) -> Option<&'a str> {
    attrs
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key)
        .map(|a| a["value"]["stringValue"].as_str().unwrap())
}

#[test]
fn otlp_pushes_events_as_logs_next_to_the_metrics() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel::<Received>();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            if let Some(r) = read_request(stream) {
                if tx.send(r).is_err() {
                    return;
                }
            }
        }
    });
    // A day of catch-up with 40 users holds working hours: the first push carries its events.
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetlens"))
        .args([
            "simulate",
            "--otlp",
            &url,
            "--push-interval",
            "2s",
            "--from",
            "now-1d",
            "--duration",
            "30s",
            "--users",
            "40",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started_ns = (chrono::Utc::now().timestamp_millis() as i128) * 1_000_000;
    let day_ns: i128 = 86_400_000 * 1_000_000;

    let mut metrics = 0;
    let mut logs: Vec<Json> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(25);
    // The first push: one metrics request, then the catch-up's events in requests of at most
    // 1000 records; stop at the second metrics request.
    while metrics < 2 && Instant::now() < deadline {
        let Ok((path, content_type, body)) = rx.recv_timeout(Duration::from_secs(5)) else {
            continue;
        };
        assert_eq!(content_type, "application/json", "{path}");
        match path.as_str() {
            "/v1/metrics" => {
                assert!(body["resourceMetrics"].is_array());
                metrics += 1;
            }
            "/v1/logs" => logs.push(body),
            other => panic!("unexpected path {other}"),
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        metrics, 2,
        "two metrics pushes in 25 s at a 2 s push interval"
    );
    assert!(!logs.is_empty(), "no /v1/logs request");

    let mut names = std::collections::BTreeSet::new();
    let mut last_ns = 0i128;
    let mut records = 0;
    for body in &logs {
        let mut in_request = 0;
        for rl in body["resourceLogs"].as_array().unwrap() {
            let res = &rl["resource"]["attributes"];
            assert_eq!(attr(res, "service.name"), Some("claude-code"));
            assert!(attr(res, "service.version").is_some());
            assert!(attr(res, "team_id").is_some() && attr(res, "cost_center").is_some());
            let scope = &rl["scopeLogs"][0];
            assert_eq!(scope["scope"]["name"], "com.anthropic.claude_code");
            for r in scope["logRecords"].as_array().unwrap() {
                in_request += 1;
                let t: i128 = r["timeUnixNano"].as_str().unwrap().parse().unwrap();
                assert_eq!(r["observedTimeUnixNano"], r["timeUnixNano"]);
                // Within the day of catch-up (one minute's step of slack) and not after now.
                assert!(
                    t > started_ns - day_ns - 60_000_000_000 && t <= started_ns + 30_000_000_000
                );
                let attrs = &r["attributes"];
                let name = attr(attrs, "event.name").unwrap();
                assert_eq!(r["body"]["stringValue"], format!("claude_code.{name}"));
                assert!(attr(attrs, "event.timestamp").unwrap().ends_with('Z'));
                assert!(attr(attrs, "session.id").is_some());
                assert!(attr(attrs, "user.id").is_some());
                assert!(["INFO", "ERROR"].contains(&r["severityText"].as_str().unwrap()));
                if name == "api_request" {
                    let cost: f64 = attr(attrs, "cost_usd").unwrap().parse().unwrap();
                    assert!(cost >= 0.0);
                    assert!(attr(attrs, "model").unwrap().starts_with("claude-"));
                    for k in [
                        "duration_ms",
                        "input_tokens",
                        "output_tokens",
                        "cache_read_tokens",
                    ] {
                        let _: u64 = attr(attrs, k).unwrap().parse().unwrap();
                    }
                }
                if name == "tool_result" {
                    assert!(attr(attrs, "tool_name").is_some());
                    assert!(["true", "false"].contains(&attr(attrs, "success").unwrap()));
                }
                names.insert(name.to_owned());
            }
        }
        assert!(in_request <= 1000, "{in_request} records in one request");
        // Requests follow each other in time: each request's records are later than the last.
        let first = body["resourceLogs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|rl| rl["scopeLogs"][0]["logRecords"].as_array().unwrap().iter())
            .map(|r| r["timeUnixNano"].as_str().unwrap().parse::<i128>().unwrap())
            .min()
            .unwrap();
        assert!(first > last_ns);
        last_ns = body["resourceLogs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|rl| rl["scopeLogs"][0]["logRecords"].as_array().unwrap().iter())
            .map(|r| r["timeUnixNano"].as_str().unwrap().parse::<i128>().unwrap())
            .max()
            .unwrap();
        records += in_request;
    }
    assert!(records > 1000, "{records} records from a day of 40 users");
    for n in ["api_request", "tool_result", "tool_decision", "user_prompt"] {
        assert!(names.contains(n), "no {n} in {names:?}");
    }
}

#[test]
fn events_file_is_json_lines_and_the_same_for_a_seed() {
    let args = [
        "simulate",
        "--events",
        "-",
        "--from",
        "2025-12-01T09:00:00Z",
        "--to",
        "2025-12-01T10:00:00Z",
        "--users",
        "20",
    ];
    let a = stdout(&fleetlens(&args));
    assert_eq!(a, stdout(&fleetlens(&args)));
    let from_ns: i128 = 1_764_579_600_000 * 1_000_000;
    let mut prev = 0i128;
    let mut n = 0;
    for line in a.lines() {
        let e: Json = serde_json::from_str(line).unwrap();
        let t: i128 = e["timeUnixNano"].as_str().unwrap().parse().unwrap();
        assert!(t > from_ns && t < from_ns + 3_600_000_000_000 + 1_000_000);
        assert!(t > prev, "time order");
        prev = t;
        assert_eq!(e["resource"]["service.name"], "claude-code");
        let name = e["attributes"]["event.name"].as_str().unwrap();
        assert_eq!(e["body"], format!("claude_code.{name}"));
        n += 1;
    }
    assert!(n > 100, "{n} events");

    // With --openmetrics to a file, both come from the same run.
    let dir = std::env::temp_dir().join(format!("fleetlens-events-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let om = dir.join("h.om");
    let ev = dir.join("e.jsonl");
    let mut both = args.to_vec();
    both[2] = ev.to_str().unwrap();
    both.extend(["--openmetrics", om.to_str().unwrap()]);
    let out = fleetlens(&both);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&ev).unwrap(), a);
    assert!(std::fs::read_to_string(&om).unwrap().ends_with("# EOF\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn events_flags_that_cannot_work_are_refused() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--events", "-", "--openmetrics", "-"],
            "would both write to standard output",
        ),
        (
            &["--events", "-", "--otlp", "http://127.0.0.1:9"],
            "use one or the other",
        ),
        (
            &["--events", "-", "--from", "now", "--to", "now-1h"],
            "--to must be after --from",
        ),
        (
            &["--events", "/nonexistent-dir/e.jsonl"],
            "--events /nonexistent-dir/e.jsonl",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["simulate"];
        all.extend_from_slice(args);
        let err = stderr(&fleetlens(&all));
        assert!(err.contains(want), "{args:?}: {err}");
    }
}
