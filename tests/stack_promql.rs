//! The provisioned dashboards and alert rules against a real Prometheus backfilled by the
//! simulator:
//! * every PromQL target of every dashboard, its Grafana macros expanded as Grafana would, returns
//!   a finite value as an instant query at the end of a 30-day history and as a range query over
//!   the dashboard's default time range: no panel is empty;
//! * each of the 22 alert rules of `deploy/prometheus/rules/` holds for at least its `for:` in a
//!   scenario whose fault docs/simulator.md maps to it, and stays quiet on a fault-free history.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use fleetlens::simulate::openmetrics::{chunk_text, EOF};
use fleetlens::simulate::{Chunks, Fault, FaultKind, SimConfig};
use fleetlens::time::{ms_to_seconds_text, parse_duration_ms, parse_time_ms};
use fleetlens::QueryResponse;
use support::prometheus_available;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// One backfill at a time: each holds an OpenMetrics file and a Prometheus in memory.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

// ---------------------------------------------------------------------------------------------
// A Prometheus backfilled from a file the simulator writes chunk by chunk.

/// The test's Prometheus (see `support::Prometheus::start_with`).
struct Backfilled(support::Prometheus);

/// Appends the run of `config` over `[from_ms, to_ms]` to `out` as OpenMetrics text (without
/// `# EOF`). Returns the bytes written.
fn write_run(out: &mut impl Write, config: &SimConfig, from_ms: i64, to_ms: i64) -> u64 {
    let chunks = Chunks::new(config, from_ms, to_ms, 60).unwrap();
    let families = chunks.families().to_vec();
    let mut bytes = 0;
    for chunk in chunks {
        let text = chunk_text(&families, &chunk);
        bytes += text.len() as u64;
        out.write_all(text.as_bytes()).unwrap();
    }
    bytes
}

impl Backfilled {
    /// Writes the simulator runs `runs` (config, from, to), in order, into one OpenMetrics file,
    /// backfills it in blocks of up to 30 days and starts Prometheus on a free loopback port.
    fn start(name: &str, runs: &[(SimConfig, i64, i64)]) -> Self {
        let t = Instant::now();
        let prom = support::Prometheus::start_with(name, &["--max-block-duration=720h"], |input| {
            let mut out = BufWriter::new(std::fs::File::create(input).unwrap());
            let mut bytes = 0;
            for (config, from, to) in runs {
                bytes += write_run(&mut out, config, *from, *to);
            }
            out.write_all(EOF.as_bytes()).unwrap();
            out.flush().unwrap();
            eprintln!(
                "{name}: {} MB of OpenMetrics in {:.1} s",
                bytes / 1_000_000,
                t.elapsed().as_secs_f64()
            );
        });
        eprintln!(
            "{name}: written, backfilled and ready in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        Self(prom)
    }

    fn api(&self, path: &str, form: &[(&str, String)]) -> Result<QueryResponse, String> {
        self.0.try_api(path, form)
    }

    fn instant(&self, query: &str, at_ms: i64) -> Result<QueryResponse, String> {
        self.api(
            "/api/v1/query",
            &[
                ("query", query.to_owned()),
                ("time", ms_to_seconds_text(at_ms)),
            ],
        )
    }

    fn range(
        &self,
        query: &str,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<QueryResponse, String> {
        self.api(
            "/api/v1/query_range",
            &[
                ("query", query.to_owned()),
                ("start", ms_to_seconds_text(start_ms)),
                ("end", ms_to_seconds_text(end_ms)),
                ("step", ms_to_seconds_text(step_ms)),
            ],
        )
    }

    /// Peak resident memory of the Prometheus process so far, MB (Linux; 0 elsewhere).
    fn peak_rss_mb(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.0.pid()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .map_or(0, |kb| kb / 1024)
    }
}

// ---------------------------------------------------------------------------------------------
// Grafana's macros.

/// Grafana's rounding of an automatic interval (`rangeutil.roundInterval`), from 1 s up: below
/// each bound (ms), the interval it rounds to.
const ROUND_INTERVAL: [(i64, i64); 22] = [
    (1_500, 1_000),
    (3_500, 2_000),
    (7_500, 5_000),
    (12_500, 10_000),
    (17_500, 15_000),
    (25_000, 20_000),
    (45_000, 30_000),
    (90_000, 60_000),
    (210_000, 120_000),
    (450_000, 300_000),
    (750_000, 600_000),
    (1_050_000, 900_000),
    (1_500_000, 1_200_000),
    (2_700_000, 1_800_000),
    (5_400_000, 3_600_000),
    (9_000_000, 7_200_000),
    (16_200_000, 10_800_000),
    (32_400_000, 21_600_000),
    (86_400_000, 43_200_000),
    (604_800_000, 86_400_000),
    (1_814_400_000, 604_800_000),
    (3_628_800_000, 2_592_000_000),
];

fn round_interval(ms: i64) -> i64 {
    ROUND_INTERVAL
        .iter()
        .find(|(bound, _)| ms < *bound)
        .map_or(31_536_000_000, |(_, v)| *v)
}

/// What Grafana knows when it expands a target's macros.
#[derive(Debug, Clone, Copy)]
struct Window {
    from_ms: i64,
    to_ms: i64,
    /// The panel's width in data points (`maxDataPoints`, by default its width in pixels).
    max_data_points: i64,
    /// The data source's scrape interval.
    scrape_ms: i64,
    /// The target's "Min step" or the panel's "Min interval", if set.
    min_step_ms: Option<i64>,
}

impl Window {
    /// `$__interval`: the range over the data points, rounded, at least the minimum step (or the
    /// scrape interval).
    fn interval_ms(&self) -> i64 {
        let raw = (self.to_ms - self.from_ms) / self.max_data_points.max(1);
        round_interval(raw).max(self.min_step_ms.unwrap_or(self.scrape_ms))
    }

    /// `$__rate_interval`: max(`$__interval` + scrape, 4 × scrape), where the scrape interval is
    /// the minimum step when one is set.
    fn rate_interval_ms(&self) -> i64 {
        let scrape = self.min_step_ms.unwrap_or(self.scrape_ms);
        (self.interval_ms() + scrape).max(4 * scrape)
    }

    /// The step of the range query: `$__interval`, but at most 11 000 points.
    fn step_ms(&self) -> i64 {
        self.interval_ms()
            .max((self.to_ms - self.from_ms + 10_999) / 11_000)
    }
}

fn duration_text(ms: i64) -> String {
    if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// `expr` with Grafana's global macros and the dashboard's variables expanded.
fn expand(expr: &str, w: &Window, vars: &BTreeMap<String, String>) -> String {
    let range_ms = w.to_ms - w.from_ms;
    let range_s = (range_ms + 500) / 1000;
    let mut out = expr.to_owned();
    for (name, value) in [
        ("__rate_interval_ms", w.rate_interval_ms().to_string()),
        ("__rate_interval", duration_text(w.rate_interval_ms())),
        ("__interval_ms", w.interval_ms().to_string()),
        ("__interval", duration_text(w.interval_ms())),
        ("__range_ms", range_ms.to_string()),
        ("__range_s", range_s.to_string()),
        ("__range", format!("{range_s}s")),
    ] {
        out = out
            .replace(&format!("${{{name}}}"), &value)
            .replace(&format!("${name}"), &value);
    }
    // Longest names first, so that `$env` does not eat the start of `$environment`.
    let mut names: Vec<&String> = vars.keys().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for name in names {
        let value = &vars[name];
        out = out
            .replace(&format!("${{{name}}}"), value)
            .replace(&format!("[[{name}]]"), value)
            .replace(&format!("${name}"), value);
    }
    out
}

/// A dashboard variable's value: its current value, else its first option, else `.*` (All).
fn variable_value(v: &serde_json::Value) -> String {
    let text = |x: &serde_json::Value| match x {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => a.first().and_then(|f| f.as_str()).map(str::to_owned),
        _ => None,
    };
    let value = v
        .pointer("/current/value")
        .and_then(text)
        .or_else(|| v.pointer("/options/0/value").and_then(text))
        .unwrap_or_else(|| ".*".to_owned());
    if value == "$__all" {
        ".*".to_owned()
    } else {
        value
    }
}

#[test]
fn grafana_macros_expand_as_grafana_computes_them() {
    // 24 h over a 960-pixel panel: 90 s per point rounds up to 2 m; scraped every minute, the
    // rate interval is max(2 m + 1 m, 4 m) = 4 m.
    let day = Window {
        from_ms: 0,
        to_ms: DAY,
        max_data_points: 960,
        scrape_ms: MINUTE,
        min_step_ms: None,
    };
    assert_eq!(day.interval_ms(), 2 * MINUTE);
    assert_eq!(day.rate_interval_ms(), 4 * MINUTE);
    // 7 days over 960 pixels: 630 s rounds to 10 m; scraped every 10 m: max(20 m, 40 m).
    let week = Window {
        to_ms: 7 * DAY,
        scrape_ms: 10 * MINUTE,
        ..day
    };
    assert_eq!(week.interval_ms(), 10 * MINUTE);
    assert_eq!(week.rate_interval_ms(), 40 * MINUTE);
    // A 1 d minimum step wins over the 10 m interval and is the rate's scrape interval: 4 d.
    let daily = Window {
        min_step_ms: Some(DAY),
        ..week
    };
    assert_eq!(daily.interval_ms(), DAY);
    assert_eq!(daily.rate_interval_ms(), 4 * DAY);
    // A 6 h range over 1920 points: 11.25 s rounds to 10 s, below the 15 s scrape interval.
    let short = Window {
        to_ms: 6 * HOUR,
        max_data_points: 1920,
        scrape_ms: 15_000,
        min_step_ms: None,
        ..day
    };
    assert_eq!(short.interval_ms(), 15_000);
    assert_eq!(short.rate_interval_ms(), 60_000);
    let vars = BTreeMap::from([
        ("env".to_owned(), "prod".to_owned()),
        ("environment".to_owned(), "staging".to_owned()),
    ]);
    assert_eq!(
        expand(
            "rate(x{a=\"$environment\",b=\"${env}\"}[$__rate_interval]) / $__range_s + increase(y[$__range]) + $__interval_ms",
            &day,
            &vars
        ),
        "rate(x{a=\"staging\",b=\"prod\"}[240s]) / 86400 + increase(y[86400s]) + 120000"
    );
    let var: serde_json::Value =
        serde_json::from_str(r#"{"name":"ws","options":[{"value":"ws-02"}]}"#).unwrap();
    assert_eq!(variable_value(&var), "ws-02");
    let all: serde_json::Value =
        serde_json::from_str(r#"{"name":"ws","current":{"value":["$__all"]}}"#).unwrap();
    assert_eq!(variable_value(&all), ".*");
}

// ---------------------------------------------------------------------------------------------
// Dashboard targets.

/// A target of a dashboard panel.
#[derive(Debug)]
struct Target {
    time_from: String,
    time_to: String,
    vars: BTreeMap<String, String>,
    panel: String,
    datasource: String,
    expr: String,
    max_data_points: i64,
    min_step_ms: Option<i64>,
}

/// Panels, with those nested in collapsed rows.
fn panels(list: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut out = Vec::new();
    for p in list.as_array().into_iter().flatten() {
        out.push(p);
        if let Some(nested) = p.get("panels") {
            out.extend(panels(nested));
        }
    }
    out
}

fn uid_of(ds: Option<&serde_json::Value>) -> Option<String> {
    match ds? {
        serde_json::Value::String(s) => Some(s.clone()),
        v => v.get("uid").and_then(|u| u.as_str()).map(str::to_owned),
    }
}

/// Every target of every provisioned dashboard. A target without a data source uses its
/// panel's; a panel without one, the default data source (Prometheus).
fn targets() -> Vec<Target> {
    let dir = repo("provisioning/dashboards/fleetlens");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let d: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let time = |k: &str| {
            d.pointer(&format!("/time/{k}"))
                .and_then(|v| v.as_str())
                .unwrap_or(if k == "from" { "now-6h" } else { "now" })
                .to_owned()
        };
        let vars: BTreeMap<String, String> = d
            .pointer("/templating/list")
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| Some((v.get("name")?.as_str()?.to_owned(), variable_value(v))))
            .collect();
        for p in panels(&d["panels"]) {
            let panel_ds = uid_of(p.get("datasource"));
            // The panel's width in pixels on a 1920-pixel screen (24 grid columns).
            let width = p
                .pointer("/gridPos/w")
                .and_then(|w| w.as_i64())
                .unwrap_or(24)
                * 80;
            let max_data_points = p
                .get("maxDataPoints")
                .and_then(|m| m.as_i64())
                .unwrap_or(width);
            let interval = |v: &serde_json::Value| {
                v.get("interval")
                    .and_then(|i| i.as_str())
                    .filter(|i| !i.is_empty())
                    .map(|i| parse_duration_ms(i).unwrap())
            };
            for t in p
                .get("targets")
                .and_then(|t| t.as_array())
                .into_iter()
                .flatten()
            {
                if t.get("hide").and_then(|h| h.as_bool()) == Some(true) {
                    continue;
                }
                let datasource = uid_of(t.get("datasource"))
                    .or_else(|| panel_ds.clone())
                    .unwrap_or_else(|| "prometheus".to_owned());
                out.push(Target {
                    time_from: time("from"),
                    time_to: time("to"),
                    vars: vars.clone(),
                    panel: format!(
                        "{} #{} \"{}\" {}",
                        name,
                        p["id"],
                        p["title"].as_str().unwrap_or(""),
                        t["refId"].as_str().unwrap_or("")
                    ),
                    datasource,
                    expr: t
                        .get("expr")
                        .and_then(|e| e.as_str())
                        .unwrap_or("")
                        .to_owned(),
                    max_data_points,
                    min_step_ms: interval(t).max(interval(p)),
                });
            }
        }
    }
    out
}

/// The Prometheus data source's scrape interval (`jsonData.timeInterval`) as provisioned.
fn provisioned_scrape_ms() -> i64 {
    let text = std::fs::read_to_string(repo("provisioning/datasources/datasources.yaml")).unwrap();
    let value = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("timeInterval:"))
        .expect("the Prometheus data source sets timeInterval");
    parse_duration_ms(value.trim()).unwrap()
}

/// True when some series of `r` has a finite sample.
fn has_finite(r: &QueryResponse) -> bool {
    r.series
        .iter()
        .any(|s| s.values.iter().any(|v| v.is_finite()))
}

/// Every metric name the simulator can emit (histograms with their `_bucket`, `_count` and
/// `_sum` series).
fn simulated_names() -> Vec<String> {
    let sim = fleetlens::simulate::Simulator::new(&SimConfig::default(), END).unwrap();
    let mut names = Vec::new();
    for f in sim.families() {
        if f.kind == fleetlens::simulate::MetricKind::Histogram {
            for suffix in ["_bucket", "_count", "_sum"] {
                names.push(format!("{}{suffix}", f.name));
            }
        } else {
            names.push(f.name.clone());
        }
    }
    names
}

/// The metrics `expr` selects, as one regular expression for `__name__`: the simulated names it
/// spells out, and the regular expressions of its `{__name__=~"…"}` selectors.
fn name_regex(expr: &str, known: &[String]) -> Option<String> {
    let mut parts: Vec<String> = expr
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| known.iter().any(|k| k == w))
        .map(str::to_owned)
        .collect();
    parts.extend(
        expr.split("__name__=~\"")
            .skip(1)
            .filter_map(|r| r.split('"').next())
            .map(|r| format!("({r})")),
    );
    parts.sort();
    parts.dedup();
    (!parts.is_empty()).then(|| parts.join("|"))
}

/// The labels of every `by (…)` clause of `expr`, but `le`.
fn grouping_labels(expr: &str) -> Vec<String> {
    let mut labels: Vec<String> = expr
        .split("by")
        .skip(1)
        .filter_map(|r| r.trim_start().strip_prefix('('))
        .filter_map(|r| r.split(')').next())
        .flat_map(|r| r.split(','))
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty() && l != "le")
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

#[test]
fn a_target_names_its_metrics_and_grouping_labels() {
    let known = vec!["http_requests_total".to_owned(), "up".to_owned()];
    let expr = "sum by (endpoint, le) (rate(http_requests_total{status=~\"5..\"}[5m])) / sum by(job) (rate({__name__=~\"a_(b_)?total\"}[5m]))";
    assert_eq!(
        name_regex(expr, &known).as_deref(),
        Some("(a_(b_)?total)|http_requests_total")
    );
    assert_eq!(grouping_labels(expr), ["endpoint", "job"]);
    assert_eq!(name_regex("vector(0)", &known), None);
}

/// 2025-12-03T16:00:00Z, a Wednesday afternoon: the end of the 30-day history.
const END: i64 = 1_764_777_600_000;
/// The history's last 25 hours are simulated every minute, the 29 days before every 10 minutes.
const DENSE_FROM: i64 = END - 25 * HOUR;
const DENSE_INTERVAL: i64 = MINUTE;
const COARSE_INTERVAL: i64 = 10 * MINUTE;

#[test]
fn every_prometheus_target_returns_data_over_a_30_day_history() {
    if !prometheus_available("every_prometheus_target_returns_data_over_a_30_day_history") {
        return;
    }
    let all = targets();
    let (prom_targets, others): (Vec<&Target>, Vec<&Target>) =
        all.iter().partition(|t| t.datasource == "prometheus");
    for t in &others {
        eprintln!("not PromQL ({}): {}", t.datasource, t.panel);
    }
    // Every dashboard but the home page has PromQL targets or FleetLens ones; the seed's 51
    // panels hold well over 30 PromQL targets.
    assert!(prom_targets.len() >= 30, "{} targets", prom_targets.len());
    assert!(prom_targets.iter().all(|t| !t.expr.trim().is_empty()));

    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let coarse = SimConfig {
        interval_ms: COARSE_INTERVAL,
        ..SimConfig::default()
    };
    let dense = SimConfig {
        interval_ms: DENSE_INTERVAL,
        ..SimConfig::default()
    };
    let prom = Backfilled::start(
        "stack-promql-30d",
        &[
            (coarse, END - 30 * DAY, DENSE_FROM - 1),
            (dense, DENSE_FROM, END),
        ],
    );
    let provisioned = provisioned_scrape_ms();
    let mut failures = Vec::new();
    let mut queries = 0;
    for t in &prom_targets {
        let from_ms = parse_time_ms(&t.time_from, END).unwrap();
        let to_ms = parse_time_ms(&t.time_to, END).unwrap();
        // The data source's scrape interval matches the data the range reads.
        let data_ms = if from_ms < DENSE_FROM {
            COARSE_INTERVAL
        } else {
            DENSE_INTERVAL
        };
        let w = Window {
            from_ms,
            to_ms,
            max_data_points: t.max_data_points,
            scrape_ms: provisioned.max(data_ms),
            min_step_ms: t.min_step_ms,
        };
        assert!(w.rate_interval_ms() >= 4 * data_ms, "{}", t.panel);
        let q = expand(&t.expr, &w, &t.vars);
        if q.contains('$') {
            failures.push(format!("{}: unexpanded variable in {q}", t.panel));
            continue;
        }
        let step = w.step_ms();
        let start = from_ms.div_euclid(step) * step;
        let end = to_ms.div_euclid(step) * step;
        for (kind, answer) in [
            ("instant", prom.instant(&q, to_ms)),
            ("range", prom.range(&q, start, end, step)),
        ] {
            queries += 1;
            match answer {
                Err(e) => failures.push(format!("{} ({kind}): {e}\n    {q}", t.panel)),
                Ok(r) if !has_finite(&r) => failures.push(format!(
                    "{} ({kind}): empty ({} series)\n    {q}",
                    t.panel,
                    r.series.len()
                )),
                Ok(_) => {}
            }
        }
    }
    // Every label a target groups by exists on the metrics it reads: a grouping by a label the
    // data lacks draws one series for everything, which is never empty but always wrong.
    let known = simulated_names();
    for t in &prom_targets {
        let Some(names) = name_regex(&t.expr, &known) else {
            failures.push(format!(
                "{}: reads no simulated metric: {}",
                t.panel, t.expr
            ));
            continue;
        };
        for label in grouping_labels(&t.expr) {
            let q = format!("count({{__name__=~\"{names}\", {label}!=\"\"}})");
            match prom.instant(&q, END) {
                Ok(r) if has_finite(&r) => {}
                other => failures.push(format!(
                    "{}: no series of {names} has a `{label}` label ({other:?})",
                    t.panel
                )),
            }
        }
    }
    // The check itself reports a metric nobody emits as empty.
    let control = prom.instant("sum(rate(fleetlens_never_emitted_total[5m]))", END);
    assert!(control.is_ok_and(|r| !has_finite(&r)));
    eprintln!(
        "{} PromQL targets, {queries} queries, {} other targets; {:.1} s in all; prometheus peak {} MB",
        prom_targets.len(),
        others.len(),
        started.elapsed().as_secs_f64(),
        prom.peak_rss_mb()
    );
    assert!(
        failures.is_empty(),
        "{} of {queries} queries failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Alert rules.

/// One alert rule as `deploy/prometheus/rules/*.yml` spells it.
#[derive(Debug, Clone)]
struct Rule {
    name: String,
    expr: String,
    for_ms: i64,
}

/// The rules of one rule file, read line by line: `- alert:` starts a rule; `expr:` is inline or
/// a block scalar (`|`, its lines indented deeper than the key); `for:` is a duration.
fn parse_rules(text: &str) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(name) = trimmed.strip_prefix("- alert:") {
            rules.push(Rule {
                name: name.trim().to_owned(),
                expr: String::new(),
                for_ms: 0,
            });
        } else if let (Some(value), Some(rule)) = (trimmed.strip_prefix("expr:"), rules.last_mut())
        {
            let value = value.trim();
            if value == "|" || value == ">" {
                let mut body = Vec::new();
                while let Some(next) = lines.peek() {
                    let t = next.trim_start();
                    if !t.is_empty() && next.len() - t.len() <= indent {
                        break;
                    }
                    body.push(t.trim_end());
                    lines.next();
                }
                rule.expr = body.join("\n").trim().to_owned();
            } else {
                rule.expr = value.to_owned();
            }
        } else if let (Some(value), Some(rule)) = (trimmed.strip_prefix("for:"), rules.last_mut()) {
            rule.for_ms = parse_duration_ms(value.trim()).unwrap();
        }
    }
    rules
}

fn all_rules() -> Vec<Rule> {
    let dir = repo("deploy/prometheus/rules");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| parse_rules(&std::fs::read_to_string(f).unwrap()))
        .collect()
}

#[test]
fn the_rule_reader_reads_inline_and_block_expressions() {
    let text = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 2m\n        labels:\n          severity: critical\n      - alert: B\n        expr: |\n          sum(x)\n            > 1\n        labels: {}\n      - alert: C\n        expr: >\n          y\n\n          < 2\n        for: 1h\n";
    let rules = parse_rules(text);
    let got: Vec<(&str, &str, i64)> = rules
        .iter()
        .map(|r| (r.name.as_str(), r.expr.as_str(), r.for_ms))
        .collect();
    assert_eq!(
        got,
        [
            ("A", "up == 0", 2 * MINUTE),
            ("B", "sum(x)\n> 1", 0),
            ("C", "y\n\n< 2", HOUR)
        ]
    );
}

/// 2025-12-01T08:00:00Z, a Monday morning: the start of the alert scenarios.
const T0: i64 = 1_764_576_000_000;
/// The scenarios' length.
const SCENARIO: i64 = 10 * HOUR;

/// A rule, the fault built to trigger it, the fault's window and a label the alert must carry.
struct Scenario {
    rule: &'static str,
    fault: FaultKind,
    /// Minutes after [`T0`]: the fault's start (inclusive) and end (exclusive).
    window: (i64, i64),
    /// A label naming what broke, when the alert carries one.
    label: Option<(&'static str, &'static str)>,
}

const fn scenario(
    rule: &'static str,
    fault: FaultKind,
    from_min: i64,
    to_min: i64,
    label: Option<(&'static str, &'static str)>,
) -> Scenario {
    Scenario {
        rule,
        fault,
        window: (from_min, to_min),
        label,
    }
}

/// Every rule's scenario. The windows are laid out so that faults that would mask each other
/// never overlap: the Conea outage hides the Conea latency and errors, a down coordinator hides
/// the agent gauges, stopped agents stop the task histogram. Slow tasks take about 3 h and are
/// only observed when they finish: their window is 6 h.
const SCENARIOS: [Scenario; 22] = [
    scenario(
        "CoordinatorDown",
        FaultKind::CoordinatorDown,
        450,
        570,
        Some(("job", "claude-coordinator")),
    ),
    scenario("AllAgentsDown", FaultKind::AgentsDown, 240, 360, None),
    scenario(
        "DatabaseDown",
        FaultKind::DatabaseDown,
        60,
        180,
        Some(("job", "postgresql")),
    ),
    scenario("TaskQueueOverflow", FaultKind::QueueOverflow, 60, 180, None),
    scenario(
        "HighAgentLoad",
        FaultKind::AgentLatency,
        60,
        180,
        Some(("agent_id", "agent-01")),
    ),
    scenario("SlowTaskExecution", FaultKind::SlowTasks, 60, 420, None),
    scenario("HighClaudeAPILatency", FaultKind::ApiLatency, 60, 180, None),
    scenario("NewAgentRegistered", FaultKind::NewAgent, 60, 180, None),
    scenario(
        "HighDevelopmentVelocity",
        FaultKind::HighVelocity,
        60,
        180,
        None,
    ),
    scenario(
        "ClaudeAPIRateLimitApproaching",
        FaultKind::RateLimit,
        60,
        180,
        None,
    ),
    scenario("ClaudeCodeCostHigh", FaultKind::CostSpike, 60, 180, None),
    scenario(
        "LowDiskSpace",
        FaultKind::DiskFull,
        60,
        180,
        Some(("instance", "node-1:9100")),
    ),
    scenario(
        "HighCPUUsage",
        FaultKind::CpuHigh,
        60,
        180,
        Some(("instance", "node-1:9100")),
    ),
    scenario(
        "HighMemoryUsage",
        FaultKind::MemoryHigh,
        60,
        180,
        Some(("instance", "node-1:9100")),
    ),
    scenario(
        "HighDiskUsage",
        FaultKind::DiskFull,
        60,
        180,
        Some(("instance", "node-1:9100")),
    ),
    scenario(
        "vClusterDown",
        FaultKind::VclusterDown,
        60,
        180,
        Some(("workspace_id", "ws-01")),
    ),
    scenario("HighErrorRate", FaultKind::ErrorBurst, 60, 180, None),
    scenario("SlowResponseTime", FaultKind::SlowResponses, 60, 180, None),
    scenario(
        "DeploymentFailureSpike",
        FaultKind::DeployFailures,
        60,
        180,
        Some(("workspace_id", "ws-01")),
    ),
    scenario(
        "ResourceQuotaExceeded",
        FaultKind::QuotaExceeded,
        60,
        180,
        Some(("workspace_id", "ws-01")),
    ),
    scenario(
        "ServiceDown",
        FaultKind::Outage,
        240,
        360,
        Some(("job", "conea-api")),
    ),
    scenario("HighLatency", FaultKind::SlowResponses, 60, 180, None),
];

/// Rules are evaluated every 30 s (`evaluation_interval` in deploy/prometheus/prometheus.yml).
const EVAL_STEP: i64 = 30_000;

/// The evaluation times at which `r` holds a series (with `label`, if given), ascending.
fn active_steps(r: &QueryResponse, label: Option<(&str, &str)>) -> Vec<i64> {
    let mut times: Vec<i64> = r
        .series
        .iter()
        .filter(|s| match label {
            Some((k, v)) => s.labels.get(k) == Some(v),
            None => true,
        })
        .flat_map(|s| s.time_ms.iter().copied())
        .collect();
    times.sort_unstable();
    times.dedup();
    times
}

/// The first time at which `times` (evaluation steps [`EVAL_STEP`] apart) have held without a
/// gap for `for_ms`: when the alert would turn from pending to firing.
fn first_firing(times: &[i64], for_ms: i64) -> Option<i64> {
    let mut run_start = *times.first()?;
    let mut prev = run_start;
    for &t in times {
        if t - prev > EVAL_STEP {
            run_start = t;
        }
        prev = t;
        if t - run_start >= for_ms {
            return Some(t);
        }
    }
    None
}

#[test]
fn firing_needs_an_unbroken_run_as_long_as_for() {
    let s = EVAL_STEP;
    // Active at 0..=2 steps, a gap, then 4..=8: `for` of 3 steps fires at step 7.
    let times = [0, s, 2 * s, 4 * s, 5 * s, 6 * s, 7 * s, 8 * s];
    assert_eq!(first_firing(&times, 3 * s), Some(7 * s));
    assert_eq!(first_firing(&times, 0), Some(0));
    assert_eq!(first_firing(&times, 5 * s), None);
    assert_eq!(first_firing(&[], 0), None);
}

/// How far back `expr` reads: its longest range (`[5m]`, a subquery's `[1h:1m]`) plus its
/// longest `offset`. Before that much history exists, `rate()` sees a partial window (the
/// first minutes after a target appears) and a `for`-less comparison with `offset` sees nothing.
fn lookback_ms(expr: &str) -> i64 {
    let ranges = expr
        .split('[')
        .skip(1)
        .filter_map(|r| r.split(']').next())
        .filter_map(|r| parse_duration_ms(r.split(':').next().unwrap_or(r)).ok())
        .max()
        .unwrap_or(0);
    let offsets = expr
        .split("offset")
        .skip(1)
        .filter_map(|r| r.split_whitespace().next())
        .filter_map(|d| parse_duration_ms(d.trim_end_matches(')')).ok())
        .max()
        .unwrap_or(0);
    ranges + offsets
}

#[test]
fn the_lookback_of_an_expression_is_its_longest_range_plus_offset() {
    assert_eq!(lookback_ms("up == 0"), 0);
    assert_eq!(
        lookback_ms("rate(a[5m]) / rate(b[10m]) > max_over_time(c[1h:1m])"),
        HOUR
    );
    assert_eq!(lookback_ms("sum(x) - sum(x offset 5m) > 0"), 5 * MINUTE);
    assert_eq!(lookback_ms("rate(x[2m] offset 1h)"), HOUR + 2 * MINUTE);
}

fn minutes(t: i64) -> String {
    format!("{:+} min", (t - T0) / MINUTE)
}

#[test]
fn each_alert_rule_fires_in_its_scenario_and_not_without_faults() {
    if !prometheus_available("each_alert_rule_fires_in_its_scenario_and_not_without_faults") {
        return;
    }
    let rules = all_rules();
    let mut names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    let mut expected: Vec<&str> = SCENARIOS.iter().map(|s| s.rule).collect();
    expected.sort_unstable();
    assert_eq!(names, expected, "the rules and the scenarios differ");
    assert!(rules.iter().all(|r| !r.expr.is_empty()));

    // docs/simulator.md names, for each fault, the alerts it makes fire.
    let docs = std::fs::read_to_string(repo("docs/simulator.md")).unwrap();
    for Scenario { rule, fault, .. } in SCENARIOS {
        let row = docs
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", fault.name())))
            .unwrap_or_else(|| panic!("docs/simulator.md has no row for {}", fault.name()));
        let fires = row.trim_end_matches('|').rsplit('|').next().unwrap();
        assert!(
            fires.split([',', ' ', '(', ')']).any(|w| w == rule),
            "docs/simulator.md: `{}` does not name {rule}: {row}",
            fault.name()
        );
    }

    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let mut faults: Vec<Fault> = Vec::new();
    for Scenario {
        fault: kind,
        window: (a, b),
        ..
    } in SCENARIOS
    {
        let fault = Fault {
            kind,
            start_ms: Some(T0 + a * MINUTE),
            end_ms: Some(T0 + b * MINUTE),
        };
        if !faults.contains(&fault) {
            faults.push(fault);
        }
    }
    let faulty = SimConfig {
        faults,
        ..SimConfig::default()
    };
    let mut report = Vec::new();
    let mut failures = Vec::new();
    {
        let prom = Backfilled::start("stack-promql-faults", &[(faulty, T0, T0 + SCENARIO)]);
        for Scenario {
            rule: name,
            fault,
            window: (a, b),
            label,
        } in SCENARIOS
        {
            let rule = rules.iter().find(|r| r.name == name).unwrap();
            let (from, to) = (T0 + a * MINUTE, T0 + b * MINUTE);
            let r = prom
                .range(&rule.expr, from, to, EVAL_STEP)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let times = active_steps(&r, label);
            match (times.first(), first_firing(&times, rule.for_ms)) {
                (Some(&pending), Some(firing)) => report.push(format!(
                    "{name:<30} {:<17} fault {}..{}: active {}, firing {} (for {} min)",
                    fault.name(),
                    minutes(from),
                    minutes(to),
                    minutes(pending),
                    minutes(firing),
                    rule.for_ms / MINUTE
                )),
                _ => failures.push(format!(
                    "{name}: {} active steps in {}'s window {}..{}, none {} min long{}",
                    times.len(),
                    fault.name(),
                    minutes(from),
                    minutes(to),
                    rule.for_ms / MINUTE,
                    label.map_or(String::new(), |(k, v)| format!(" with {k}=\"{v}\""))
                )),
            }
        }
        eprintln!("faults: prometheus peak {} MB", prom.peak_rss_mb());
    }
    {
        let prom = Backfilled::start(
            "stack-promql-healthy",
            &[(SimConfig::default(), T0, T0 + SCENARIO)],
        );
        for rule in &rules {
            // From the time the rule's windows lie wholly inside the history.
            let r = prom
                .range(
                    &rule.expr,
                    T0 + lookback_ms(&rule.expr),
                    T0 + SCENARIO,
                    EVAL_STEP,
                )
                .unwrap_or_else(|e| panic!("{}: {e}", rule.name));
            let times = active_steps(&r, None);
            if let Some(t) = times.first() {
                failures.push(format!(
                    "{}: active without faults at {} ({} steps)",
                    rule.name,
                    minutes(*t),
                    times.len()
                ));
            }
        }
    }
    eprintln!(
        "{}\n{} rules in {:.1} s",
        report.join("\n"),
        rules.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
