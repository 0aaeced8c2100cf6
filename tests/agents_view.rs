//! The agent performance view against a real Prometheus.
//!
//! A deterministic agent cluster (six agents, the seed's metric names) is backfilled into
//! Debian's Prometheus 2.42. For several evaluation ranges, the engine is fed the raw samples
//! Prometheus returns for an instant query of `metric[R]` (raw samples, because PromQL's
//! extrapolation depends on the sample timestamps) and must agree within 1e-9 relative with
//! `increase(claude_agent_tasks_completed_total[R])` per agent and with
//! `histogram_quantile(q, sum by (agent_id, le) (increase(claude_agent_task_duration_seconds_bucket[R])))`
//! for q = 0.5, 0.95, 0.99, in PromQL-compatible mode (`PromqlCompat::V2`, from
//! `tests/agents/promql_v2.json`). The scenario's stories (a slow agent, a failing agent, a lost
//! heartbeat, a counter reset) must show in the leaderboard.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;

use fleetlens::views::agents::{agents_view, AgentsConfig, AgentsView, Direction, HeartbeatStatus};
use fleetlens::{QueryResponse, Series};
use support::{prometheus_available, Prometheus};

/// 2025-02-23T19:20:00Z, seconds.
const T0: i64 = 1_740_338_400;
/// Scrape interval, seconds.
const SCRAPE_S: i64 = 30;
/// Two hours of scrapes.
const SCRAPES: i64 = 240;
const TOLERANCE: f64 = 1e-9;
const CONFIG_FILE: &str = "tests/agents/promql_v2.json";

const AGENTS: [&str; 6] = ["a1", "a2", "a3", "a4", "a5", "a6"];
const LE: [&str; 8] = ["1", "5", "10", "30", "60", "120", "300", "+Inf"];
/// Task durations per completed task by bucket (not cumulative), normal agents.
const NORMAL: [u64; 8] = [0, 1, 3, 4, 1, 1, 0, 0];
/// The slow agent after its regression.
const SLOW: [u64; 8] = [0, 0, 0, 1, 1, 3, 4, 1];
/// `a2` regresses at this scrape.
const REGRESSION_AT: i64 = 120;
/// `a3` restarts (its counters go back to 0) at this scrape.
const RESET_AT: i64 = 150;
/// `a4`'s heartbeat stops after this scrape.
const HEARTBEAT_STOPS_AT: i64 = 180;

/// The cluster as OpenMetrics text. Each agent is scraped `k` seconds after the round (so ranges
/// see different edge gaps and PromQL extrapolates differently per agent); `a6` misses scrapes
/// 60–70.
fn openmetrics() -> String {
    let mut om = String::new();
    let mut lines: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, agent) in AGENTS.iter().enumerate() {
        let (mut done, mut failed) = (0u64, 0u64);
        let mut buckets = [0u64; 8];
        for i in 0..=SCRAPES {
            if *agent == "a6" && (60..=70).contains(&i) {
                continue;
            }
            if *agent == "a3" && i == RESET_AT {
                done = 0;
                failed = 0;
                buckets = [0; 8];
            }
            let t = T0 + SCRAPE_S * i + k as i64;
            // Completions per scrape: 1 or 2 (1 + every third scrape), a5 fails 2 in 3 scrapes.
            let n = 1 + u64::from((i as usize + k) % 3 == 0);
            if i > 0 {
                done += n;
                failed += match *agent {
                    "a5" => u64::from(i % 3 != 0) * 2,
                    _ => u64::from(i % 17 == 0),
                };
                let shape = if *agent == "a2" && i >= REGRESSION_AT {
                    SLOW
                } else {
                    NORMAL
                };
                // Each scrape's tasks take durations spread as `shape`, weighted by n.
                for (b, s) in buckets.iter_mut().zip(shape) {
                    *b += s * n;
                }
            }
            let mut push = |name: &str, extra: &str, value: String| {
                lines
                    .entry(name.to_owned())
                    .or_default()
                    .push(format!("{name}{{agent_id=\"{agent}\"{extra}}} {value} {t}"));
            };
            push("claude_agent_tasks_completed_total", "", done.to_string());
            push("claude_agent_tasks_failed_total", "", failed.to_string());
            let mut cumulative = 0;
            for (le, b) in LE.iter().zip(buckets) {
                cumulative += b;
                push(
                    "claude_agent_task_duration_seconds_bucket",
                    &format!(",le=\"{le}\""),
                    cumulative.to_string(),
                );
            }
            let load = 20 + 10 * k as i64 + (i % 7) * 5;
            push("claude_agent_load", ",specialty=\"code\"", load.to_string());
            if !(*agent == "a4" && i > HEARTBEAT_STOPS_AT) {
                push("claude_agent_last_heartbeat", "", (t - 2).to_string());
            }
        }
    }
    for body in lines.values() {
        for l in body {
            om.push_str(l);
            om.push('\n');
        }
    }
    for i in 0..=SCRAPES {
        let t = T0 + SCRAPE_S * i;
        om.push_str(&format!("claude_agents_total 6 {t}\n"));
        om.push_str(&format!("claude_tasks_queue_size {} {t}\n", i % 9));
    }
    om.push_str("# EOF\n");
    om
}

fn instant(prom: &Prometheus, query: &str, at_s: i64) -> QueryResponse {
    prom.instant_ms(query, at_s * 1000)
}

fn relative_error(a: f64, b: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    if !a.is_finite() || !b.is_finite() {
        return f64::INFINITY;
    }
    (a - b).abs() / a.abs().max(b.abs())
}

/// Evaluation ranges `(end, range)` in seconds: whole scenario, the regression window, one
/// across the reset, one not aligned with the scrapes.
const RANGES: [(i64, i64); 4] = [
    (T0 + 7200, 7200),
    (T0 + 7200, 3600),
    (T0 + 5400, 1800),
    (T0 + 4477, 2333),
];

const METRICS: [&str; 6] = [
    "claude_agent_tasks_completed_total",
    "claude_agent_tasks_failed_total",
    "claude_agent_task_duration_seconds_bucket",
    "claude_agent_load",
    "claude_agent_last_heartbeat",
    "claude_agents_total",
];

fn view(prom: &Prometheus, end: i64, range: i64) -> AgentsView {
    let mut raw: Vec<Series> = Vec::new();
    for m in METRICS {
        raw.extend(instant(prom, &format!("{m}[{range}s]"), end).series);
    }
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(CONFIG_FILE).unwrap()).unwrap();
    json["startMs"] = ((end - range) * 1000).into();
    json["endMs"] = (end * 1000).into();
    json["nowMs"] = (end * 1000).into();
    let config = AgentsConfig::from_json(&json.to_string()).unwrap();
    agents_view(&raw, &config).unwrap()
}

fn by_agent(resp: &QueryResponse) -> BTreeMap<String, f64> {
    resp.series
        .iter()
        .map(|s| {
            (
                s.labels.get("agent_id").unwrap().to_owned(),
                *s.values.first().unwrap(),
            )
        })
        .collect()
}

#[test]
fn agents_view_agrees_with_prometheus() {
    if !prometheus_available("agents_view_agrees_with_prometheus") {
        return;
    }
    let prom = Prometheus::start("agents-view", &openmetrics());
    let (mut compared, mut max_err) = (0usize, 0.0f64);
    let mut check = |what: &str, ours: Option<f64>, theirs: f64| {
        let ours = ours.unwrap_or_else(|| panic!("{what}: no engine value, prometheus {theirs}"));
        let err = relative_error(ours, theirs);
        assert!(
            err <= TOLERANCE,
            "{what}: engine {ours}, prometheus {theirs}"
        );
        max_err = max_err.max(err);
        compared += 1;
    };
    for (end, range) in RANGES {
        let v = view(&prom, end, range);
        let rows: BTreeMap<&str, _> = v.agents.iter().map(|r| (r.agent.as_str(), r)).collect();
        let inc = by_agent(&instant(
            &prom,
            &format!("increase(claude_agent_tasks_completed_total[{range}s])"),
            end,
        ));
        assert_eq!(inc.len(), AGENTS.len());
        for (agent, want) in &inc {
            check(
                &format!("increase {agent} [{range}s] at {end}"),
                rows[agent.as_str()].tasks_completed.value(),
                *want,
            );
        }
        for (q, get) in [
            (
                "0.5",
                (|r: &fleetlens::views::agents::AgentRow| r.duration_p50.value()) as fn(&_) -> _,
            ),
            ("0.95", |r| r.duration_p95.value()),
            ("0.99", |r| r.duration_p99.value()),
        ] {
            let theirs = by_agent(&instant(
                &prom,
                &format!(
                    "histogram_quantile({q}, sum by (agent_id, le) \
                     (increase(claude_agent_task_duration_seconds_bucket[{range}s])))"
                ),
                end,
            ));
            assert_eq!(theirs.len(), AGENTS.len());
            for (agent, want) in &theirs {
                check(
                    &format!("p{q} {agent} [{range}s] at {end}"),
                    get(rows[agent.as_str()]),
                    *want,
                );
            }
        }
    }
    eprintln!(
        "agents view: {compared} values (increase and p50/p95/p99 per agent over {} ranges) agree \
         with Prometheus 2.42; max relative error {max_err:e}",
        RANGES.len()
    );
    assert_eq!(compared, RANGES.len() * AGENTS.len() * 4);
    scenario_stories(&prom);
}

/// The last hour: a2 is slow, a5 fails, a4's heartbeat is gone, a3's reset does not inflate.
fn scenario_stories(prom: &Prometheus) {
    let v = view(prom, T0 + 7200, 3600);
    let row = |a: &str| v.agents.iter().find(|r| r.agent == a).unwrap();
    let p95_outlier = row("a2")
        .outliers
        .iter()
        .find(|o| o.measure == "p95")
        .unwrap();
    assert_eq!(p95_outlier.direction, Direction::High);
    let fail = row("a5")
        .outliers
        .iter()
        .find(|o| o.measure == "failureRate")
        .unwrap();
    assert_eq!(fail.direction, Direction::High);
    assert!(row("a5").success_rate.value().unwrap() < 0.5);
    assert_eq!(row("a4").heartbeat.status, HeartbeatStatus::Down);
    // Stopped after scrape 180 at T0 + 5403 (value t − 2): age 7200 − 5401 = 1799 s.
    assert_eq!(row("a4").heartbeat.age_s.value(), Some(1799.0));
    assert_eq!(row("a1").heartbeat.status, HeartbeatStatus::Healthy);
    // a3: 120 scrapes in the hour, 1 task each plus 1 every third scrape: 160 tasks, counted
    // across the reset (PromQL extrapolates slightly past them), not 160 minus the value lost.
    let a3 = row("a3").tasks_completed.value().unwrap();
    assert!((159.0..162.0).contains(&a3), "{a3}");
    assert_eq!(v.agents.first().map(|r| r.rank), Some(Some(1)));
    assert!(row("a5").rank > row("a1").rank && row("a2").rank > row("a1").rank);
    assert_eq!(v.fleet.agents_total.value.value(), Some(6.0));
    eprintln!(
        "leaderboard (last hour): {:?}",
        v.agents
            .iter()
            .map(|r| (r.agent.as_str(), r.rank, r.score.value()))
            .collect::<Vec<_>>()
    );
}
