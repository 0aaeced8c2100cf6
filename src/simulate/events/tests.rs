use std::collections::BTreeMap;

use super::*;
use crate::simulate::{otlp, Chunks, EventChunks, Fault, SimConfig, Simulator, Value};

/// 2025-12-01T00:00:00Z, a Monday.
const T0: i64 = 1_764_547_200_000;
const HOUR: i64 = 3_600_000;
/// 10:00 to 11:00 UTC on a Monday: every user's working hours.
const FROM: i64 = T0 + 10 * HOUR;
const TO: i64 = T0 + 11 * HOUR;

/// Groups series by their labels.
type SeriesKey = dyn Fn(&[(String, String)]) -> String;

fn busy() -> SimConfig {
    SimConfig {
        users: 40,
        ..SimConfig::default()
    }
}

fn events(config: &SimConfig, from: i64, to: i64) -> Vec<Event> {
    EventChunks::new(config, from, to, 7)
        .unwrap()
        .flatten()
        .collect()
}

fn label<'a>(labels: &'a [(String, String)], key: &str) -> &'a str {
    labels
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// Increase of every series of `family` over the run, keyed by `key` of its labels: the last
/// value minus the value at the first sample (0 for a series born later: its first sample
/// already holds its first step's increment).
fn increase(config: &SimConfig, family: &str, key: &SeriesKey) -> BTreeMap<String, f64> {
    let chunks = Chunks::new(config, FROM, TO, 60).unwrap();
    let families = chunks.families().to_vec();
    let mut series: BTreeMap<u64, (String, i64, f64, f64)> = BTreeMap::new();
    for chunk in chunks {
        for s in chunk {
            if families[s.family].name != family {
                continue;
            }
            for (t, v) in &s.samples {
                let Value::Number(x) = v else { panic!() };
                let e = series
                    .entry(s.series)
                    .or_insert_with(|| (key(&s.labels), *t, *x, *x));
                e.3 = *x;
            }
        }
    }
    let mut out = BTreeMap::new();
    for (k, first_t, first, last) in series.into_values() {
        let base = if first_t == FROM { first } else { 0.0 };
        *out.entry(k).or_insert(0.0) += last - base;
    }
    out
}

fn sum_of(
    evs: &[Event],
    kind: EventKind,
    attr: &str,
    key: &dyn Fn(&Event) -> String,
) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for e in evs.iter().filter(|e| e.kind == kind) {
        let x: f64 = e.attribute(attr).unwrap().parse().unwrap();
        *out.entry(key(e)).or_insert(0.0) += x;
    }
    out
}

#[test]
fn api_requests_add_up_to_the_cost_and_token_counters() {
    let c = busy();
    let evs = events(&c, FROM, TO);
    let requests = evs
        .iter()
        .filter(|e| e.kind == EventKind::ApiRequest)
        .count();
    assert!(requests > 200, "only {requests} requests");

    let cost = increase(&c, "claude_code_cost_usage_USD_total", &|_| String::new());
    let want = cost[""];
    let got: f64 = sum_of(&evs, EventKind::ApiRequest, "cost_usd", &|_| String::new())[""];
    assert!(want > 1.0, "cost increase {want}");
    assert!(
        (got - want).abs() <= 1e-9,
        "events {got} vs counters {want}"
    );

    // Per model: the same model on the events as on the counters.
    let by_model = |l: &[(String, String)]| label(l, "model").to_owned();
    let cost_by_model = increase(&c, "claude_code_cost_usage_USD_total", &by_model);
    let ev_by_model = sum_of(&evs, EventKind::ApiRequest, "cost_usd", &|e| {
        e.attribute("model").unwrap().to_owned()
    });
    assert_eq!(
        cost_by_model.keys().collect::<Vec<_>>(),
        ev_by_model.keys().collect::<Vec<_>>()
    );
    for (m, want) in &cost_by_model {
        assert!((ev_by_model[m] - want).abs() <= 1e-9, "{m}");
    }

    // Tokens per model and type: integers, so exactly equal.
    let tokens = increase(&c, "claude_code_token_usage_tokens_total", &|l| {
        format!("{}/{}", label(l, "model"), label(l, "type"))
    });
    for (ty, attr) in [
        ("input", "input_tokens"),
        ("output", "output_tokens"),
        ("cacheRead", "cache_read_tokens"),
        ("cacheCreation", "cache_creation_tokens"),
    ] {
        let ev = sum_of(&evs, EventKind::ApiRequest, attr, &|e| {
            format!("{}/{ty}", e.attribute("model").unwrap())
        });
        for (k, got) in ev {
            assert_eq!(got, tokens[&k], "{k}");
        }
    }
}

#[test]
fn edit_tool_events_match_the_decision_counter() {
    let c = busy();
    let evs = events(&c, FROM, TO);
    let decisions = increase(&c, "claude_code_code_edit_tool_decision_total", &|l| {
        format!(
            "{}/{}/{}",
            label(l, "tool_name"),
            label(l, "decision"),
            label(l, "source")
        )
    });
    let mut counted: BTreeMap<String, f64> = BTreeMap::new();
    for e in evs.iter().filter(|e| e.kind == EventKind::ToolDecision) {
        let tool = e.attribute("tool_name").unwrap();
        if tool == "Edit" || tool == "Write" {
            let k = format!(
                "{tool}/{}/{}",
                e.attribute("decision").unwrap(),
                e.attribute("source").unwrap()
            );
            *counted.entry(k).or_insert(0.0) += 1.0;
        }
    }
    assert!(decisions["Edit/accept/user_temporary"] > 50.0);
    for (k, want) in &decisions {
        assert_eq!(counted.get(k).copied().unwrap_or(0.0), *want, "{k}");
    }
    // One tool_result per tool_decision; a rejected call is not a success.
    let results: Vec<&Event> = evs
        .iter()
        .filter(|e| e.kind == EventKind::ToolResult)
        .collect();
    let decided = evs
        .iter()
        .filter(|e| e.kind == EventKind::ToolDecision)
        .count();
    assert_eq!(results.len(), decided);
    for r in &results {
        let ms: f64 = r.attribute("duration_ms").unwrap().parse().unwrap();
        assert!(ms >= 0.0);
        if r.attribute("decision") == Some("reject") {
            assert_eq!(r.attribute("success"), Some("false"));
            assert!(r.attribute("error").is_some());
        }
    }
    let tools: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r.attribute("tool_name").unwrap())
        .collect();
    for t in ["Read", "Bash", "Edit", "Write", "Grep"] {
        assert!(tools.contains(t), "no {t} in {tools:?}");
    }
}

#[test]
fn the_error_burst_raises_api_errors_to_eight_percent() {
    let share = |c: &SimConfig| {
        let evs = events(c, FROM, TO);
        let n = |k| evs.iter().filter(|e| e.kind == k).count() as f64;
        n(EventKind::ApiError) / n(EventKind::ApiRequest)
    };
    let calm = share(&busy());
    let burst = share(&SimConfig {
        faults: vec![Fault::parse("error-burst", T0).unwrap()],
        ..busy()
    });
    // Poisson draws over more than 200 requests: 8 % ± a few points, 0.3 % well below 2 %.
    assert!(calm < 0.02, "calm {calm}");
    assert!(burst > 0.05 && burst < 0.11, "burst {burst}");
}

#[test]
fn events_are_ordered_unique_inside_the_range_and_carry_the_session() {
    let evs = events(&busy(), FROM, TO);
    // The first sample is at FROM: its step's events are not part of the range.
    assert!(evs.first().unwrap().time_ns > FROM * 1_000_000);
    assert!(evs.last().unwrap().time_ns <= TO * 1_000_000 + 999_999);
    assert!(evs.windows(2).all(|w| w[0].time_ns < w[1].time_ns));
    for kind in EventKind::ALL {
        assert!(evs.iter().any(|e| e.kind == kind), "no {}", kind.name());
    }
    let e = &evs[0];
    assert_eq!(
        e.attributes[0],
        ("event.name".to_owned(), e.kind.name().to_owned())
    );
    assert_eq!(e.attributes[1].0, "event.timestamp");
    let ms = e.time_ns / 1_000_000;
    let stamp = chrono::DateTime::parse_from_rfc3339(&e.attributes[1].1).unwrap();
    assert_eq!(stamp.timestamp_millis(), ms);
    for key in [
        "session.id",
        "organization.id",
        "user.account_uuid",
        "user.id",
        "terminal.type",
    ] {
        assert!(e.attribute(key).is_some(), "{key}");
    }
    let res: Vec<&str> = e.resource.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        res,
        ["cost_center", "service.name", "service.version", "team_id"]
    );
    assert_eq!(label(&e.resource, "service.name"), "claude-code");
    // Prompts are redacted, as Claude Code sends them by default.
    let p = evs
        .iter()
        .find(|e| e.kind == EventKind::UserPrompt)
        .unwrap();
    assert_eq!(p.attribute("prompt"), Some(REDACTED_PROMPT));
}

#[test]
fn same_seed_same_bytes_and_the_metrics_do_not_change() {
    let lines = |c: &SimConfig| -> String {
        events(c, FROM, TO)
            .iter()
            .map(|e| format!("{}\n", e.to_json()))
            .collect()
    };
    let a = lines(&busy());
    assert!(a.lines().count() > 100);
    assert_eq!(a, lines(&busy()));
    assert_ne!(a, lines(&SimConfig { seed: 9, ..busy() }));

    // Recording events leaves every metric as it was.
    let mut plain = Simulator::new(&busy(), FROM).unwrap();
    let mut rec = Simulator::new(&busy(), FROM).unwrap();
    rec.record_events();
    plain.advance_to(FROM + HOUR);
    rec.advance_to(FROM + HOUR);
    assert!(!rec.take_events().is_empty());
    let snapshot = |s: &Simulator| {
        let mut v = Vec::new();
        s.visit(&mut |p| v.push((p.series, format!("{:?}", p.value))));
        v
    };
    assert_eq!(snapshot(&plain), snapshot(&rec));
    assert!(plain.take_events().is_empty());
}

#[test]
fn the_otlp_logs_request_groups_records_by_resource() {
    let evs = events(&busy(), FROM, TO);
    let doc = otlp::logs_request(&evs);
    let rls = doc["resourceLogs"].as_array().unwrap();
    // 40 users in four teams: four resources.
    assert_eq!(rls.len(), 4);
    let mut records = 0;
    for rl in rls {
        let res = rl["resource"]["attributes"].as_array().unwrap();
        assert!(res
            .iter()
            .any(|a| a["key"] == "service.name" && a["value"]["stringValue"] == "claude-code"));
        let scope = &rl["scopeLogs"][0];
        assert_eq!(scope["scope"]["name"], otlp::SCOPE_NAME);
        for r in scope["logRecords"].as_array().unwrap() {
            records += 1;
            let body = r["body"]["stringValue"].as_str().unwrap();
            let name = r["attributes"][0]["value"]["stringValue"].as_str().unwrap();
            assert_eq!(r["attributes"][0]["key"], "event.name");
            assert_eq!(body, format!("claude_code.{name}"));
            assert_eq!(r["timeUnixNano"], r["observedTimeUnixNano"]);
            let level = r["severityText"].as_str().unwrap();
            assert_eq!(level, if name == "api_error" { "ERROR" } else { "INFO" });
        }
    }
    assert_eq!(records, evs.len());
    assert_eq!(
        otlp::logs_request(&[]),
        serde_json::json!({ "resourceLogs": [] })
    );
}
