//! `fleetlens report` against a real Prometheus holding a small deterministic scenario per view:
//! the numbers in the JSON output must equal the PromQL equivalents queried from the same
//! Prometheus (Debian's 2.42, so the configs use the PromQL-compatible `v2` counter mode), within
//! 1e-9 relative. Plus the errors a user meets: a missing metric, a bad config field, a bad
//! objective, a bad `--view`, a range beyond the limit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::process::Output;

use fleetlens::time::ms_to_seconds_text;
use fleetlens::{decode, Series};
use serde_json::Value;
use support::{fleetlens, prometheus_available, stderr, stdout, Prometheus};

/// 2025-02-23T19:20:00Z, seconds.
const T0: i64 = 1_740_338_400;
/// Minutes of data: 6 hours.
const MINUTES: i64 = 360;
/// `--from` and `--to`: the last 4 hours of the data.
const FROM: i64 = T0 + 2 * 3600;
const TO: i64 = T0 + MINUTES * 60;
const RANGE: &str = "4h";
const REL_TOL: f64 = 1e-9;
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report");

/// Appends one family of counters: `series` label sets, value after minute `m` from `inc(i, m)`,
/// reset to zero at minute `reset(i)` when given; samples jittered by a few milliseconds.
fn family(
    om: &mut String,
    name: &str,
    series: &[&str],
    inc: impl Fn(usize, i64) -> f64,
    reset: impl Fn(usize) -> Option<i64>,
) {
    let family = name.strip_suffix("_total").unwrap_or(name);
    om.push_str(&format!("# TYPE {family} counter\n"));
    for (i, labels) in series.iter().enumerate() {
        let mut v = 0.0;
        for m in 0..=MINUTES {
            if reset(i) == Some(m) {
                v = 0.0;
            } else if m > 0 {
                v += inc(i, m);
            }
            let t_ms = (T0 + 60 * m) * 1000 + (m * 37 + i as i64 * 101) % 700;
            om.push_str(&format!(
                "{name}{{{labels}}} {v} {}\n",
                ms_to_seconds_text(t_ms)
            ));
        }
    }
}

fn openmetrics() -> String {
    let mut om = String::new();
    // SLO: two jobs; errors every 7th minute, a burst in the 5th hour, a restart at minute 200.
    family(
        &mut om,
        "http_requests_total",
        &[
            "job=\"api\",status=\"200\"",
            "job=\"api\",status=\"500\"",
            "job=\"web\",status=\"200\"",
            "job=\"web\",status=\"503\"",
        ],
        |i, m| match i {
            0 => 100.0,
            1 => {
                if (240..270).contains(&m) {
                    12.0
                } else if m % 7 == 0 {
                    1.0
                } else {
                    0.0
                }
            }
            2 => 40.0 + (m % 3) as f64,
            _ => f64::from(u8::from(m % 11 == 0)),
        },
        |i| (i < 2).then_some(200),
    );
    // Cost: two models, one reset; commits.
    family(
        &mut om,
        "claude_code_cost_usage_USD_total",
        &[
            "model=\"claude-opus-4\",user_email=\"a@example.com\"",
            "model=\"claude-sonnet-4\",user_email=\"b@example.com\"",
            "model=\"claude-sonnet-4\"",
        ],
        |i, m| 0.01 * ((m * (i as i64 + 3)) % 17) as f64 + 0.005,
        |i| (i == 1).then_some(150),
    );
    family(
        &mut om,
        "claude_code_commit_count_total",
        &["user_email=\"a@example.com\""],
        |_, m| f64::from(u8::from(m % 13 == 0)),
        |_| None,
    );
    // Agents: three agents' completed tasks, one reset.
    family(
        &mut om,
        "claude_agent_tasks_completed_total",
        &["agent_id=\"a1\"", "agent_id=\"a2\"", "agent_id=\"a3\""],
        |i, m| ((m + i as i64) % 3) as f64,
        |i| (i == 1).then_some(250),
    );
    om.push_str("# EOF\n");
    om
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

/// `fleetlens report` over `--from FROM --to TO`, with extra arguments.
fn report(url: &str, view: &str, config: &str, extra: &[&str]) -> Output {
    let (from, to, config) = (FROM.to_string(), TO.to_string(), fixture(config));
    let mut args = vec![
        "report",
        "--prom-url",
        url,
        "--view",
        view,
        "--config",
        &config,
        "--from",
        &from,
        "--to",
        &to,
    ];
    args.extend(extra);
    fleetlens(&args)
}

fn report_json(url: &str, view: &str, config: &str) -> Value {
    let out = stdout(&report(url, view, config, &["--json"]));
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["view"], view);
    assert!(doc["frames"].is_array(), "{view}: no frames");
    doc
}

/// An instant query at `--to`: value per series.
fn promql(prom: &Prometheus, query: &str) -> Vec<Series> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let form = [("query", query), ("time", &TO.to_string())];
    let mut resp = agent
        .post(&format!("{}/api/v1/query", prom.url))
        .send_form(form)
        .unwrap();
    let body = resp.body_mut().read_to_vec().unwrap();
    decode(&body)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .series
}

fn scalar(prom: &Prometheus, query: &str) -> f64 {
    let r = promql(prom, query);
    assert_eq!(r.len(), 1, "{query}: {} series", r.len());
    r[0].values[0]
}

fn by_label(prom: &Prometheus, query: &str, label: &str) -> BTreeMap<String, f64> {
    promql(prom, query)
        .iter()
        .map(|s| (s.labels.get(label).unwrap_or("").to_owned(), s.values[0]))
        .collect()
}

#[derive(Default)]
struct Tally {
    compared: usize,
    max_rel: f64,
}

impl Tally {
    fn check(&mut self, what: &str, ours: &Value, prometheus: f64) {
        let ours = ours
            .as_f64()
            .unwrap_or_else(|| panic!("{what}: FleetLens has no number: {ours}"));
        let d = if ours == prometheus {
            0.0
        } else {
            (ours - prometheus).abs() / ours.abs().max(prometheus.abs())
        };
        assert!(
            d <= REL_TOL,
            "{what}: FleetLens {ours}, Prometheus {prometheus}"
        );
        self.compared += 1;
        self.max_rel = self.max_rel.max(d);
    }
}

const BAD: &str = r#"http_requests_total{status=~"5.."}"#;
const TOTAL: &str = "http_requests_total";
const COST: &str = "claude_code_cost_usage_USD_total";

fn check_slo(prom: &Prometheus, tally: &mut Tally) {
    let doc = report_json(&prom.url, "slo", "slo.json");
    let r = &doc["report"];
    assert_eq!(r["counterMode"], serde_json::json!({"promql": "v2"}));
    let burn = |w: &str, by: &str| {
        format!("sum{by}(increase({BAD}[{w}])) / sum{by}(increase({TOTAL}[{w}])) / (1 - 0.99)")
    };
    let overall = &r["overall"];
    let mut windows = 0;
    for b in overall["burnRates"].as_array().unwrap() {
        let w = b["window"].as_str().unwrap();
        let theirs = scalar(prom, &burn(w, ""));
        if theirs.is_nan() {
            assert!(b["burnRate"].is_null(), "{w}: PromQL has no traffic");
            continue;
        }
        tally.check(&format!("slo burn rate {w}"), &b["burnRate"], theirs);
        windows += 1;
    }
    assert!(windows >= 6, "only {windows} burn windows compared");
    // The period (rolling 1d, more than the data) SLI: event-weighted over the whole period.
    let sli = 1.0 - scalar(prom, &burn("1d", "")) * (1.0 - 0.99);
    tally.check("slo sli", &overall["sli"], sli);
    // Per job.
    let groups = r["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    let per_job = by_label(prom, &burn("1h", " by (job) "), "job");
    for g in groups {
        let job = g["labels"]["job"].as_str().unwrap();
        let b = g["burnRates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["window"] == "1h")
            .unwrap();
        tally.check(
            &format!("slo burn rate 1h {job}"),
            &b["burnRate"],
            per_job[job],
        );
    }
    let table = stdout(&report(&prom.url, "slo", "slo.json", &[]));
    for want in [
        "SLO api availability",
        "BURN 1h",
        "alert backtest",
        "job=\"api\"",
    ] {
        assert!(table.contains(want), "table lacks {want}:\n{table}");
    }
}

fn check_cost(prom: &Prometheus, tally: &mut Tally) {
    let doc = report_json(&prom.url, "cost", "cost.json");
    let r = &doc["report"];
    let inc = |m: &str| format!("increase({m}[{RANGE}])");
    let total = scalar(prom, &format!("sum({})", inc(COST)));
    tally.check("cost total", &r["totalUsd"]["value"], total);
    let breakdowns = r["breakdowns"].as_array().unwrap();
    assert_eq!(breakdowns.len(), 2);
    for b in breakdowns {
        let label = b["label"].as_str().unwrap();
        let theirs = by_label(prom, &format!("sum by ({label}) ({})", inc(COST)), label);
        let rows = b["rows"].as_array().unwrap();
        assert_eq!(rows.len(), theirs.len(), "cost by {label}");
        for row in rows {
            // Series without the label: `null` here, `""` in PromQL.
            let v = row["value"].as_str().unwrap_or("");
            tally.check(&format!("cost {label}={v}"), &row["costUsd"], theirs[v]);
        }
    }
    let commits = scalar(
        prom,
        &format!("sum({})", inc("claude_code_commit_count_total")),
    );
    tally.check(
        "cost per commit",
        &r["efficiency"]["costPerCommit"]["value"],
        total / commits,
    );
    let tasks = scalar(
        prom,
        &format!("sum({})", inc("claude_agent_tasks_completed_total")),
    );
    tally.check(
        "cost per completed task",
        &r["efficiency"]["costPerCompletedTask"]["value"],
        total / tasks,
    );
    let table = stdout(&report(&prom.url, "cost", "cost.json", &[]));
    for want in [
        "total: $",
        "cost by model:",
        "claude-opus-4",
        "unavailable: pull requests metric missing",
    ] {
        assert!(table.contains(want), "table lacks {want}:\n{table}");
    }
}

fn check_agents(prom: &Prometheus, tally: &mut Tally) {
    let doc = report_json(&prom.url, "agents", "agents.json");
    let r = &doc["report"];
    let theirs = by_label(
        prom,
        &format!("increase(claude_agent_tasks_completed_total[{RANGE}])"),
        "agent_id",
    );
    let agents = r["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 3);
    for a in agents {
        let id = a["agent"].as_str().unwrap();
        tally.check(
            &format!("agent {id} tasks completed"),
            &a["tasksCompleted"]["value"],
            theirs[id],
        );
    }
    tally.check(
        "fleet tasks completed",
        &r["fleet"]["tasksCompleted"]["value"],
        theirs.values().sum(),
    );
    let table = stdout(&report(&prom.url, "agents", "agents.json", &[]));
    for want in ["RANK", "AGENT", "a1", "missing: claude_agent_load"] {
        assert!(table.contains(want), "table lacks {want}:\n{table}");
    }
}

#[test]
fn report_numbers_match_promql() {
    let test = "cli-report";
    if !prometheus_available(test) {
        return;
    }
    let prom = Prometheus::start(test, &openmetrics());
    let mut tally = Tally::default();
    check_slo(&prom, &mut tally);
    check_cost(&prom, &mut tally);
    check_agents(&prom, &mut tally);
    eprintln!(
        "{test}: {} numbers compared, max relative difference {:e}",
        tally.compared, tally.max_rel
    );
    assert!(tally.compared >= 20, "{} compared", tally.compared);

    // A metric that does not exist: what was looked for and what exists.
    let err = stderr(&report(&prom.url, "slo", "slo-missing-metric.json", &[]));
    assert!(err.contains("looked for fl_no_such_errors_total"), "{err}");
    assert!(err.contains("http_requests_total"), "{err}");
}

#[test]
fn config_and_argument_errors() {
    // None of these reach Prometheus: nothing listens on port 9.
    let url = "http://127.0.0.1:9";
    let err = stderr(&report(url, "slo", "slo-bad-field.json", &[]));
    assert!(err.contains("slo-bad-field.json"), "{err}");
    assert!(err.contains("objectve"), "{err}");

    let err = stderr(&report(url, "slo", "slo-bad-objective.json", &[]));
    assert!(err.contains("slo-bad-objective.json"), "{err}");
    assert!(err.contains("objective 99.9 is outside (0, 1)"), "{err}");

    let err = stderr(&report(url, "agents", "slo.json", &[]));
    assert!(
        err.contains("slo.json") && err.contains("agents view: missing field `mode`"),
        "{err}"
    );

    let err = stderr(&report(url, "cost", "no-such-file.json", &[]));
    assert!(err.contains("no-such-file.json"), "{err}");

    let err = stderr(&report(url, "latency", "slo.json", &[]));
    assert!(err.contains("invalid value 'latency'"), "{err}");

    let err = stderr(&report(url, "slo", "slo.json", &["--tz", "Mars/Olympus"]));
    assert!(
        err.contains("--tz") && err.contains("Mars/Olympus"),
        "{err}"
    );

    // A year of raw samples is refused before any request.
    let err = stderr(&fleetlens(&[
        "report",
        "--prom-url",
        url,
        "--view",
        "agents",
        "--config",
        &fixture("agents.json"),
        "--from",
        &(TO - 365 * 86_400).to_string(),
        "--to",
        &TO.to_string(),
    ]));
    assert!(err.contains("more than the 100d fetched at once"), "{err}");
}
