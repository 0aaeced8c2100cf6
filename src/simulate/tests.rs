use std::collections::BTreeMap;

use super::*;
use crate::views::cost::{default_prices, detect_names, NamingVariant, PriceTable, Role};

/// 2025-12-01T00:00:00Z, a Monday: every model of the fleet is priced.
const T0: i64 = 1_764_547_200_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;

/// Every series of a run: (family name, labels) → samples.
type Run = BTreeMap<(String, LabelPairs), Vec<(i64, Value)>>;

fn run(config: &SimConfig, from: i64, to: i64) -> Run {
    let chunks = Chunks::new(config, from, to, 60).unwrap();
    let families = chunks.families().to_vec();
    let mut out = Run::new();
    for chunk in chunks {
        for s in chunk {
            let name = families[s.family].name.clone();
            out.entry((name, s.labels)).or_default().extend(s.samples);
        }
    }
    out
}

fn text(config: &SimConfig, from: i64, to: i64) -> String {
    let chunks = Chunks::new(config, from, to, 60).unwrap();
    let families = chunks.families().to_vec();
    let mut out: String = chunks
        .map(|c| openmetrics::chunk_text(&families, &c))
        .collect();
    out.push_str(openmetrics::EOF);
    out
}

fn label<'a>(labels: &'a LabelPairs, key: &str) -> Option<&'a str> {
    labels
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(x) => *x,
        Value::Histogram(h) => h.count,
    }
}

fn fault(text: &str) -> Fault {
    Fault::parse(text, T0).unwrap()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let c = SimConfig::default();
    let a = text(&c, T0, T0 + 3 * HOUR);
    let b = text(&c, T0, T0 + 3 * HOUR);
    assert_eq!(a, b);
    let other = text(&SimConfig { seed: 2, ..c }, T0, T0 + 3 * HOUR);
    assert_ne!(a, other);
    assert!(a.ends_with("\n# EOF\n"));
}

#[test]
fn counters_never_decrease_without_faults() {
    let c = SimConfig::default();
    let families: BTreeMap<String, MetricKind> = Simulator::new(&c, T0)
        .unwrap()
        .families()
        .iter()
        .map(|f| (f.name.clone(), f.kind))
        .collect();
    let r = run(&c, T0, T0 + DAY);
    let mut checked = 0;
    for ((name, labels), samples) in &r {
        if families.get(name) == Some(&MetricKind::Gauge) {
            continue;
        }
        for w in samples.windows(2) {
            assert!(
                num(&w[1].1) >= num(&w[0].1),
                "{name}{labels:?} decreased at {}",
                w[1].0
            );
        }
        checked += 1;
    }
    assert!(checked > 300, "only {checked} counters");
}

#[test]
fn counter_resets_fall_only_at_the_injected_restarts() {
    // A restart at 06:00 and at 12:00 (window 06:00..13:00, period 6 h).
    let c = SimConfig {
        faults: vec![fault(
            "counter-reset@2025-12-01T06:00:00Z..2025-12-01T13:00:00Z",
        )],
        ..SimConfig::default()
    };
    let r = run(&c, T0, T0 + DAY);
    let mut at: BTreeMap<i64, usize> = BTreeMap::new();
    for ((name, _), samples) in &r {
        if !name.ends_with("_total") {
            continue;
        }
        for w in samples.windows(2) {
            if num(&w[1].1) < num(&w[0].1) {
                *at.entry(w[1].0).or_default() += 1;
            }
        }
    }
    let times: Vec<i64> = at.keys().copied().collect();
    assert_eq!(times, vec![T0 + 6 * HOUR, T0 + 12 * HOUR], "{at:?}");
    // The agents' completed-task counters are among those reset.
    assert!(r
        .iter()
        .any(|((n, _), s)| n == "claude_agent_tasks_completed_total"
            && s.windows(2).any(|w| num(&w[1].1) < num(&w[0].1))));
}

#[test]
fn cost_is_tokens_times_prices() {
    let c = SimConfig::default();
    let r = run(&c, T0, T0 + DAY);
    let prices = PriceTable::new(&default_prices().unwrap()).unwrap();
    let mut checked = 0;
    for ((name, labels), samples) in &r {
        if name != "claude_code_cost_usage_USD_total" {
            continue;
        }
        let model = label(labels, "model").unwrap();
        let p = prices.at(model, T0).unwrap();
        let mut want = 0.0;
        for ty in fleet::TOKEN_TYPES {
            let mut l = labels.clone();
            l.push(("type".into(), ty.into()));
            let tokens = r
                .get(&("claude_code_token_usage_tokens_total".to_owned(), l))
                .and_then(|s| s.last())
                .map(|(_, v)| num(v))
                .unwrap();
            want += tokens * p.of_type(ty).unwrap() / 1e6;
        }
        let got = num(&samples.last().unwrap().1);
        assert!(
            (got - want).abs() <= 1e-9 * want.max(1.0),
            "{labels:?}: {got} vs {want}"
        );
        if got > 0.0 {
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} cost series with spend");
}

#[test]
fn histograms_are_cumulative_and_inf_is_count() {
    let r = run(&SimConfig::default(), T0, T0 + 6 * HOUR);
    let mut checked = 0;
    for ((name, _), samples) in &r {
        for (t, v) in samples {
            if let Value::Histogram(h) = v {
                assert!(
                    h.cumulative.windows(2).all(|w| w[0] <= w[1]),
                    "{name} at {t}"
                );
                assert!(
                    h.cumulative.last().is_some_and(|l| *l <= h.count),
                    "{name} at {t}"
                );
                assert!(h.sum >= 0.0);
                checked += 1;
            }
        }
    }
    assert!(checked > 1000);
    // In the text the +Inf bucket equals _count.
    let t = text(&SimConfig::default(), T0, T0 + 2 * 60_000);
    let inf = t
        .lines()
        .find(|l| {
            l.starts_with("http_request_duration_seconds_bucket{") && l.contains("le=\"+Inf\"")
        })
        .unwrap();
    let labels = &inf[inf.find('{').unwrap()..inf.find(",le=").unwrap()];
    let count = t
        .lines()
        .find(|l| l.starts_with(&format!("http_request_duration_seconds_count{labels}}}")))
        .unwrap();
    assert_eq!(inf.split(' ').nth(1), count.split(' ').nth(1));
}

#[test]
fn every_naming_variant_is_found_by_the_cost_view() {
    for (naming, spelling) in Naming::ALL {
        let c = SimConfig {
            naming,
            ..SimConfig::default()
        };
        let names: Vec<String> = run(&c, T0, T0 + DAY)
            .keys()
            .map(|(n, _)| n.clone())
            .collect();
        let d = detect_names(&names);
        for role in Role::ALL {
            assert!(
                d.name(role).is_some(),
                "{spelling}: {}",
                d.get(role).map(|r| r.message.clone()).unwrap_or_default()
            );
        }
        let want = match naming {
            Naming::Collector => NamingVariant::Collector,
            Naming::DoubledPrefix => NamingVariant::DoubledPrefix,
            Naming::NoUnitSuffix => NamingVariant::NoUnitSuffix,
            Naming::Legacy => NamingVariant::Legacy,
        };
        let role = if naming == Naming::Legacy {
            Role::Commits
        } else {
            Role::Cost
        };
        assert_eq!(
            d.get(role).and_then(|r| r.variant),
            Some(want),
            "{spelling}"
        );
    }
}

/// Every metric a seed panel or alert rule reads (`shared/seeds/PANELS.md`).
const SEED_METRICS: &[&str] = &[
    "claude_agents_total",
    "claude_tasks_active",
    "claude_tasks_total",
    "claude_development_velocity",
    "claude_api_cost_usd_total",
    "claude_infrastructure_cost_usd_daily",
    "claude_agent_load",
    "claude_tasks_queue_size",
    "node_cpu_seconds_total",
    "claude_agent_tasks_completed_total",
    "claude_api_request_duration_seconds",
    "claude_workspace_disk_usage_bytes",
    "claude_code_token_usage_tokens_total",
    "claude_code_active_time_seconds_total",
    "hexabase_vcluster_status",
    "hexabase_http_requests_total",
    "hexabase_resource_usage_ratio",
    "http_requests_total",
    "http_request_duration_seconds",
    "user_activity_total",
    "ai_model_requests_total",
    "ai_processing_duration_seconds",
    "ai_tokens_total",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
    "node_filesystem_size_bytes",
    "node_filesystem_free_bytes",
    "node_filesystem_avail_bytes",
    "claude_code_cost_usage_USD_total",
    "claude_code_lines_of_code_count_total",
    "claude_code_commit_count_total",
    "claude_code_session_count_total",
    "up",
    "claude_agents_available",
    "claude_task_duration_seconds",
    "claude_github_rate_limit_remaining",
    "hexabase_http_request_duration_seconds",
    "hexabase_workspace_deployments_total",
    "claude_agent_last_heartbeat",
];

#[test]
fn every_seed_metric_is_emitted() {
    let r = run(&SimConfig::default(), T0 + 9 * HOUR, T0 + 12 * HOUR);
    for m in SEED_METRICS {
        assert!(r.keys().any(|(n, _)| n == m), "{m} missing");
    }
    let jobs: Vec<&str> = r
        .keys()
        .filter(|(n, _)| n == "up")
        .filter_map(|(_, l)| label(l, "job"))
        .collect();
    for job in ["claude-coordinator", "postgresql", "conea-api", "node"] {
        assert!(jobs.contains(&job), "up{{job={job}}} missing");
    }
}

#[test]
fn faults_change_what_they_name() {
    let c = SimConfig {
        faults: vec![
            fault("outage@2025-12-01T10:00:00Z..2025-12-01T11:00:00Z"),
            fault("missing-email"),
            fault("colliding-writers"),
            fault("vcluster-down@2025-12-01T10:00:00Z.."),
        ],
        ..SimConfig::default()
    };
    let r = run(&c, T0 + 9 * HOUR, T0 + 12 * HOUR);
    let in_outage = |t: i64| (T0 + 10 * HOUR..T0 + 11 * HOUR).contains(&t);
    for ((name, labels), samples) in &r {
        if name == "http_requests_total" {
            assert!(
                samples.iter().all(|(t, _)| !in_outage(*t)),
                "samples during the outage"
            );
        }
        if name == "up" && label(labels, "job") == Some("conea-api") {
            for (t, v) in samples {
                assert_eq!(num(v), if in_outage(*t) { 0.0 } else { 1.0 }, "up at {t}");
            }
        }
        if name.starts_with("claude_code_") {
            assert!(label(labels, "user_email").is_none());
        }
        if name == "hexabase_vcluster_status"
            && label(labels, "workspace_id") == Some("ws-01")
            && label(labels, "vcluster_name") == Some("vc-main")
        {
            assert!(samples
                .iter()
                .all(|(t, v)| num(v) == if *t >= T0 + 10 * HOUR { 0.0 } else { 1.0 }));
        }
    }
    // Colliding writers: some series of the first user goes down and up again.
    let oscillating = r.iter().any(|((n, _), s)| {
        n == "claude_code_token_usage_tokens_total"
            && s.windows(3)
                .any(|w| num(&w[1].1) < num(&w[0].1) && num(&w[2].1) > num(&w[1].1))
    });
    assert!(oscillating);
}

#[test]
fn the_exposition_lists_each_family_once() {
    let mut sim = Simulator::new(&SimConfig::default(), T0 + 10 * HOUR).unwrap();
    sim.step();
    let all = openmetrics::exposition_text(&sim, &|_| false);
    let types: Vec<&str> = all.lines().filter(|l| l.starts_with("# TYPE ")).collect();
    let mut unique = types.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(types.len(), unique.len());
    assert!(all.contains("# TYPE claude_code_cost_usage_USD_total counter"));
    let without = openmetrics::exposition_text(&sim, &|f| f.otel.is_some());
    assert!(!without.contains("claude_code_cost") && without.contains("http_requests_total{"));
}

#[test]
fn otlp_json_has_the_shape_claude_code_sends() {
    let mut sim = Simulator::new(&SimConfig::default(), T0 + 8 * HOUR).unwrap();
    sim.advance_to(T0 + 12 * HOUR);
    let doc = otlp::metrics_request(&sim);
    let rms = doc["resourceMetrics"].as_array().unwrap();
    assert!(!rms.is_empty());
    let res = &rms[0]["resource"]["attributes"];
    assert!(res
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["key"] == "service.name" && a["value"]["stringValue"] == "claude-code"));
    let metrics = rms[0]["scopeMetrics"][0]["metrics"].as_array().unwrap();
    let cost = metrics
        .iter()
        .find(|m| m["name"] == "claude_code.cost.usage")
        .unwrap();
    assert_eq!(cost["unit"], "USD");
    assert_eq!(cost["sum"]["aggregationTemporality"], 2);
    assert_eq!(cost["sum"]["isMonotonic"], true);
    let point = &cost["sum"]["dataPoints"][0];
    assert!(point["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["key"] == "session.id"));
    assert_eq!(point["timeUnixNano"], format!("{}000000", T0 + 12 * HOUR));
}

#[test]
fn ranges_out_of_bounds_are_refused() {
    let c = SimConfig::default();
    let e = Chunks::new(&c, T0, T0 - 1, 60)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(e.contains("--to must be after --from"), "{e}");
    let c1 = SimConfig {
        interval_ms: 1000,
        ..c
    };
    let e = Chunks::new(&c1, 0, 400 * DAY, 60)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    // 400 days at 1 s: 34 560 001 steps; 10⁷ steps need 400·86400/(10⁷−1) ≈ 3.46 s → 4 s.
    assert!(
        e.contains("34560001 steps") && e.contains("--interval 4s"),
        "{e}"
    );
}

#[test]
fn a_busy_fleet_is_available_and_only_stopped_agents_are_not() {
    // Monday 08:00–18:00: at the afternoon peak every agent is busy at some step.
    let gauge = |r: &Run, name: &str| -> Vec<f64> {
        r.iter()
            .find(|((n, _), _)| n == name)
            .map(|(_, s)| s.iter().map(|(_, v)| num(v)).collect())
            .unwrap()
    };
    let healthy = run(&SimConfig::default(), T0 + 8 * HOUR, T0 + 18 * HOUR);
    let total = gauge(&healthy, "claude_agents_total");
    let available = gauge(&healthy, "claude_agents_available");
    let active = gauge(&healthy, "claude_tasks_active");
    assert!(total.iter().all(|t| *t == 6.0));
    assert!(active.contains(&6.0), "the fleet never saturates");
    assert_eq!(available, total);
    let down = SimConfig {
        faults: vec![fault(
            "agents-down@2025-12-01T10:00:00Z..2025-12-01T11:00:00Z",
        )],
        ..SimConfig::default()
    };
    let r = run(&down, T0 + 8 * HOUR, T0 + 12 * HOUR);
    let available = gauge(&r, "claude_agents_available");
    // One sample a minute from 08:00: 10:00 is index 120, 11:00 index 180.
    assert!(available[120..180].iter().all(|a| *a == 0.0));
    assert_eq!(available[119], 6.0);
    assert_eq!(available[180], 6.0);
}

#[test]
fn user_activity_is_counted_per_user() {
    // One hour at the 14:00 peak: about 150 users act, each about once every five minutes.
    let r = run(&SimConfig::default(), T0 + 13 * HOUR, T0 + 14 * HOUR);
    let mut users = 0;
    let mut active = 0;
    for ((name, labels), samples) in &r {
        if name != "user_activity_total" {
            continue;
        }
        assert!(label(labels, "user_id").is_some_and(|u| u.starts_with("u-")));
        users += 1;
        let first = num(&samples[0].1);
        let last = num(&samples[samples.len() - 1].1);
        if last > first {
            active += 1;
        }
    }
    assert_eq!(users, 200);
    assert!((100..=170).contains(&active), "{active} users acted");
}
