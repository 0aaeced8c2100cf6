//! Counter functions proven against a real Prometheus.
//!
//! The data and the hand-worked cases are files under `tests/promql/counters/` in a small
//! promqltest-like language (described at the top of `cases.test`):
//! * `cases.test` and `differences.test`: `eval` cases with the expected numbers worked out in a
//!   comment above each. Every case is checked against FleetLens; the `v2` ones also against
//!   Prometheus 2.42 (Debian's), so the hand-worked PromQL numbers are Prometheus' own.
//!   `differences.test` shows where FleetLens deliberately differs from PromQL.
//! * `scenario.test`: counters with resets, colliding writers, gaps, jittered millisecond
//!   timestamps, a zero-traffic stretch, series that start and end inside the range, NaN, a
//!   negative value and `+Inf`. Raw samples are read back from Prometheus with a range selector,
//!   fed to [`eval_range`] and [`sum_range`] in [`PromqlCompat::V2`] mode, and compared with
//!   Prometheus' own `query_range` of `increase`, `rate`, `resets`, `sum(increase)` and
//!   `sum(rate)` over several grids and ranges: the same steps, values within 1e-9 relative.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use fleetlens::counter::{
    eval_range, exact_increase_between, meter_health, promql_increase, promql_rate, promql_resets,
    robust_increase, sum_by_step, sum_range, CounterFn, MeterWarning, PromqlCompat, RangeQuery,
    Samples,
};
use fleetlens::time::{ms_to_seconds_text, parse_duration_ms};
use fleetlens::{Labels, QueryResponse, Series};
use support::{prometheus_available, Prometheus};

/// Time 0 of the scripts: 2025-02-23T19:20:00Z.
const T0_MS: i64 = 1_740_338_400_000;

/// Largest relative difference accepted between FleetLens and Prometheus (the values are
/// computed in the same order and agree to the bit except for sums, which FleetLens compensates).
const REL_TOL: f64 = 1e-9;

// ---------------------------------------------------------------------------------------------
// The script language.

#[derive(Debug, Clone, Copy)]
enum Mode {
    Promql(PromqlCompat),
    Exact,
    Robust,
}

#[derive(Debug)]
struct Expr {
    text: String,
    sum: bool,
    func: CounterFn,
    metric: String,
    matchers: Labels,
    range_ms: i64,
}

#[derive(Debug)]
struct Eval {
    line: usize,
    mode: Mode,
    at_ms: i64,
    expr: Expr,
    want: Vec<(Labels, f64)>,
}

#[derive(Debug, Default)]
struct Script {
    file: String,
    /// Samples per series (labels with `__name__`), times relative to time 0, sorted.
    series: BTreeMap<Labels, Vec<(i64, f64)>>,
    evals: Vec<Eval>,
}

impl Script {
    fn load(name: &str) -> Self {
        let path: PathBuf = [
            env!("CARGO_MANIFEST_DIR"),
            "tests",
            "promql",
            "counters",
            name,
        ]
        .iter()
        .collect();
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut script = Script {
            file: name.to_owned(),
            ..Script::default()
        };
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while let Some(&line) = lines.get(i) {
            let at = i + 1;
            i += 1;
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            assert!(
                !line.starts_with(char::is_whitespace),
                "{name}:{at}: indented line outside a load or eval"
            );
            let mut body = Vec::new();
            while let Some(&next) = lines.get(i) {
                if next.trim().is_empty() || !next.starts_with(char::is_whitespace) {
                    break;
                }
                body.push((i + 1, next.trim()));
                i += 1;
            }
            match words.first().copied() {
                Some("load") => script.parse_load(at, &words, &body),
                Some("eval") => script.parse_eval(at, &words, &body),
                other => panic!("{name}:{at}: unknown command {other:?}"),
            }
        }
        for samples in script.series.values_mut() {
            samples.sort_by_key(|&(t, _)| t);
            for pair in samples.windows(2) {
                assert!(
                    pair[0].0 < pair[1].0,
                    "{name}: two samples at {} ms",
                    pair[0].0
                );
            }
        }
        script
    }

    fn parse_load(&mut self, at: usize, words: &[&str], body: &[(usize, &str)]) {
        let file = &self.file;
        let interval = parse_duration_ms(words[1]).unwrap();
        let mut from = 0;
        let mut jitter = vec![0i64];
        let mut rest = &words[2..];
        while let Some((&key, tail)) = rest.split_first() {
            match key {
                "from" => {
                    from = offset(tail[0]);
                    rest = &tail[1..];
                }
                "jitter" => {
                    jitter = tail.iter().map(|w| w.parse().unwrap()).collect();
                    rest = &[];
                }
                other => panic!("{file}:{at}: unknown load option {other:?}"),
            }
        }
        for &(line, text) in body {
            let (series, values) = split_series(text);
            let labels = parse_labels(series, true);
            let samples = self.series.entry(labels).or_default();
            let expanded = values
                .split_whitespace()
                .flat_map(|token| expand(token, file, line));
            for (k, value) in expanded.enumerate() {
                if let Some(v) = value {
                    let k = k as i64;
                    samples.push((from + k * interval + jitter[k as usize % jitter.len()], v));
                }
            }
        }
    }

    fn parse_eval(&mut self, at: usize, words: &[&str], body: &[(usize, &str)]) {
        let file = &self.file;
        let mode = match words[1] {
            "v2" => Mode::Promql(PromqlCompat::V2),
            "v2.51" => Mode::Promql(PromqlCompat::V2_51),
            "v3" => Mode::Promql(PromqlCompat::V3),
            "exact" => Mode::Exact,
            "robust" => Mode::Robust,
            other => panic!("{file}:{at}: unknown mode {other:?}"),
        };
        assert_eq!(words[2], "at", "{file}:{at}: expected `at`");
        let want = body
            .iter()
            .map(|&(line, text)| {
                let (labels, value) = split_series(text);
                let value = value_of(value.trim())
                    .unwrap_or_else(|| panic!("{file}:{line}: bad value {value:?}"));
                (parse_labels(labels, false), value)
            })
            .collect();
        self.evals.push(Eval {
            line: at,
            mode,
            at_ms: offset(words[3]),
            expr: parse_expr(&words[4..].join(" ")),
            want,
        });
    }

    /// The loaded series as [`Series`] with absolute times.
    fn all_series(&self) -> Vec<Series> {
        self.series
            .iter()
            .map(|(labels, samples)| Series {
                labels: labels.clone(),
                time_ms: samples.iter().map(|&(t, _)| T0_MS + t).collect(),
                values: samples.iter().map(|&(_, v)| v).collect(),
            })
            .collect()
    }

    /// The OpenMetrics text promtool backfills: one block of lines per metric name.
    fn openmetrics(&self) -> String {
        type SeriesRef<'a> = (&'a Labels, &'a Vec<(i64, f64)>);
        let mut by_metric: BTreeMap<&str, Vec<SeriesRef<'_>>> = BTreeMap::new();
        for (labels, samples) in &self.series {
            by_metric
                .entry(labels.metric_name().unwrap())
                .or_default()
                .push((labels, samples));
        }
        let mut om = String::new();
        for (name, series) in by_metric {
            for (labels, samples) in series {
                let pairs: Vec<String> = labels
                    .iter()
                    .filter(|(k, _)| *k != "__name__")
                    .map(|(k, v)| format!("{k}=\"{v}\""))
                    .collect();
                let selector = if pairs.is_empty() {
                    name.to_owned()
                } else {
                    format!("{name}{{{}}}", pairs.join(","))
                };
                for &(t, v) in samples {
                    let value = match v {
                        v if v.is_nan() => "NaN".to_owned(),
                        f64::INFINITY => "+Inf".to_owned(),
                        f64::NEG_INFINITY => "-Inf".to_owned(),
                        v => v.to_string(),
                    };
                    om.push_str(&format!(
                        "{selector} {value} {}\n",
                        ms_to_seconds_text(T0_MS + t)
                    ));
                }
            }
        }
        om.push_str("# EOF\n");
        om
    }
}

/// `0`, or a duration from time 0.
fn offset(text: &str) -> i64 {
    if text == "0" {
        0
    } else {
        parse_duration_ms(text).unwrap()
    }
}

/// Splits `name{a="b"} rest` (or `name rest`, `{} rest`) after the series.
fn split_series(text: &str) -> (&str, &str) {
    match text.find('}') {
        Some(end) => text.split_at(end + 1),
        None => text.split_once(' ').unwrap_or((text, "")),
    }
}

/// `name{a="b", c="d"}` or `{a="b"}` as labels (`__name__` included when `named`).
fn parse_labels(text: &str, named: bool) -> Labels {
    let text = text.trim();
    let (name, inner) = match text.split_once('{') {
        Some((name, rest)) => (name, rest.strip_suffix('}').unwrap()),
        None => (text, ""),
    };
    let mut labels = Labels::new();
    if named {
        labels.insert("__name__".to_owned(), name.to_owned());
    } else {
        assert!(name.is_empty(), "expected labels, got {text:?}");
    }
    for pair in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap();
        labels.insert(k.trim().to_owned(), v.trim().trim_matches('"').to_owned());
    }
    labels
}

fn value_of(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

/// One value token: a number, `_`, `_xN`, `AxN`, `A+BxN`, `A-BxN`.
fn expand(token: &str, file: &str, line: usize) -> Vec<Option<f64>> {
    if token == "_" {
        return vec![None];
    }
    if let Some(n) = token.strip_prefix("_x") {
        return vec![None; n.parse().unwrap()];
    }
    if let Some((head, n)) = token.rsplit_once('x') {
        let n: i32 = n
            .parse()
            .unwrap_or_else(|_| panic!("{file}:{line}: bad {token:?}"));
        let split = head
            .get(1..)
            .and_then(|tail| tail.find(['+', '-']))
            .map(|i| i + 1);
        let (start, step) = match split {
            Some(i) => (&head[..i], head[i..].parse::<f64>().unwrap()),
            None => (head, 0.0),
        };
        let start: f64 = start.parse().unwrap();
        return (0..=n).map(|k| Some(start + f64::from(k) * step)).collect();
    }
    vec![Some(value_of(token).unwrap_or_else(|| {
        panic!("{file}:{line}: bad value {token:?}")
    }))]
}

/// `[sum(]func(metric{a="b"}[range])[)]`.
fn parse_expr(text: &str) -> Expr {
    let (sum, inner) = match text.strip_prefix("sum(").and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (false, text),
    };
    let (func, arg) = inner.split_once('(').unwrap();
    let func = match func {
        "increase" => CounterFn::Increase,
        "rate" => CounterFn::Rate,
        "resets" => CounterFn::Resets,
        other => panic!("unsupported function {other:?}"),
    };
    let (selector, range) = arg
        .strip_suffix("])")
        .and_then(|a| a.rsplit_once('['))
        .unwrap();
    let mut matchers = parse_labels(selector, true);
    let metric = matchers.metric_name().unwrap().to_owned();
    matchers = Labels::from_pairs(matchers.iter().filter(|(k, _)| *k != "__name__"));
    Expr {
        text: text.to_owned(),
        sum,
        func,
        metric,
        matchers,
        range_ms: parse_duration_ms(range).unwrap(),
    }
}

fn without_name(labels: &Labels) -> Labels {
    Labels::from_pairs(labels.iter().filter(|(k, _)| *k != "__name__"))
}

// ---------------------------------------------------------------------------------------------
// Evaluating a case with FleetLens and with Prometheus.

/// The samples from the last finite one at or before `start_ms` to the last one at or before
/// `end_ms`: the window [`exact_increase_between`] uses, for [`robust_increase`].
fn window_with_baseline(s: &Series, start_ms: i64, end_ms: i64) -> Series {
    let lo = s.time_ms.partition_point(|&t| t <= start_ms);
    let hi = s.time_ms.partition_point(|&t| t <= end_ms);
    let from = s.values[..lo]
        .iter()
        .rposition(|v| v.is_finite())
        .unwrap_or(lo);
    Series {
        labels: s.labels.clone(),
        time_ms: s.time_ms[from..hi].to_vec(),
        values: s.values[from..hi].to_vec(),
    }
}

fn fleetlens_eval(script: &Script, e: &Eval) -> Vec<(Labels, f64)> {
    let at = T0_MS + e.at_ms;
    let range = e.expr.range_ms;
    let mut per_series = Vec::new();
    for s in script.all_series() {
        let selected = s.labels.metric_name() == Some(e.expr.metric.as_str())
            && e.expr
                .matchers
                .iter()
                .all(|(k, v)| s.labels.get(k) == Some(v));
        if !selected {
            continue;
        }
        let samples = Samples::of(&s).unwrap();
        let value = match (e.mode, e.expr.func) {
            (Mode::Promql(c), CounterFn::Increase) => promql_increase(samples, at, range, c),
            (Mode::Promql(c), CounterFn::Rate) => promql_rate(samples, at, range, c),
            (Mode::Promql(c), CounterFn::Resets) => {
                promql_resets(samples, at, range, c).map(|n| n as f64)
            }
            (Mode::Exact, CounterFn::Increase) => {
                exact_increase_between(samples, at - range, at).increase
            }
            (Mode::Robust, CounterFn::Increase) => {
                let window = window_with_baseline(&s, at - range, at);
                robust_increase(Samples::of(&window).unwrap()).increase
            }
            (mode, func) => panic!("line {}: {func:?} has no {mode:?} mode", e.line),
        };
        if let Some(v) = value {
            per_series.push(Series {
                labels: without_name(&s.labels),
                time_ms: vec![at],
                values: vec![v],
            });
        }
    }
    if e.expr.sum {
        let sum = sum_by_step(&per_series).unwrap();
        sum.values.iter().map(|&v| (Labels::new(), v)).collect()
    } else {
        per_series
            .into_iter()
            .map(|s| (s.labels, s.values[0]))
            .collect()
    }
}

/// A POST to the Prometheus API, decoded by FleetLens.
fn api(prom: &Prometheus, path: &str, form: &[(&str, String)]) -> QueryResponse {
    prom.api(path, form)
}

fn instant_query(prom: &Prometheus, query: &str, at_ms: i64) -> QueryResponse {
    api(
        prom,
        "/api/v1/query",
        &[
            ("query", query.to_owned()),
            ("time", ms_to_seconds_text(at_ms)),
        ],
    )
}

fn range_query(prom: &Prometheus, query: &str, q: &RangeQuery) -> QueryResponse {
    api(
        prom,
        "/api/v1/query_range",
        &[
            ("query", query.to_owned()),
            ("start", ms_to_seconds_text(q.start_ms())),
            ("end", ms_to_seconds_text(q.end_ms())),
            ("step", ms_to_seconds_text(q.step_ms())),
        ],
    )
}

fn prometheus_eval(prom: &Prometheus, e: &Eval) -> Vec<(Labels, f64)> {
    instant_query(prom, &e.expr.text, T0_MS + e.at_ms)
        .series
        .into_iter()
        .map(|s| (s.labels, s.values[0]))
        .collect()
}

/// Relative difference, 0 for equal values (infinities included) and for two NaNs, infinite when
/// only one is NaN.
fn rel_diff(a: f64, b: f64) -> f64 {
    if a == b || (a.is_nan() && b.is_nan()) {
        0.0
    } else if a.is_nan() || b.is_nan() || a.is_infinite() || b.is_infinite() {
        f64::INFINITY
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

fn assert_same_result(mut got: Vec<(Labels, f64)>, mut want: Vec<(Labels, f64)>, what: &str) {
    got.sort_by(|a, b| a.0.cmp(&b.0));
    want.sort_by(|a, b| a.0.cmp(&b.0));
    let labels = |r: &[(Labels, f64)]| r.iter().map(|(l, _)| l.to_string()).collect::<Vec<_>>();
    assert_eq!(labels(&got), labels(&want), "{what}: series differ");
    for ((l, g), (_, w)) in got.iter().zip(&want) {
        assert!(
            rel_diff(*g, *w) <= REL_TOL,
            "{what}: {l} is {g}, expected {w}"
        );
    }
}

/// Checks every `eval` of a script against FleetLens, then the `v2` ones against Prometheus.
fn run_script(test: &str, file: &str) {
    let script = Script::load(file);
    assert!(!script.evals.is_empty(), "{file}: no eval");
    for e in &script.evals {
        let what = format!("{file}:{} FleetLens {:?} {}", e.line, e.mode, e.expr.text);
        assert_same_result(fleetlens_eval(&script, e), e.want.clone(), &what);
    }
    if !prometheus_available(test) {
        return;
    }
    let prom = Prometheus::start(test, &script.openmetrics());
    let mut checked = 0;
    for e in &script.evals {
        if let Mode::Promql(PromqlCompat::V2) = e.mode {
            let what = format!("{file}:{} Prometheus {}", e.line, e.expr.text);
            assert_same_result(prometheus_eval(&prom, e), e.want.clone(), &what);
            checked += 1;
        }
    }
    eprintln!(
        "{file}: {} cases checked against FleetLens, {checked} of them against Prometheus",
        script.evals.len()
    );
}

#[test]
fn hand_worked_cases() {
    run_script("promql-counters-cases", "cases.test");
}

#[test]
fn deliberate_differences_from_promql() {
    run_script("promql-counters-differences", "differences.test");
}

// ---------------------------------------------------------------------------------------------
// Per-step comparison over the scenario.

#[derive(Debug, Default)]
struct Tally {
    queries: usize,
    series_compared: usize,
    values_compared: usize,
    max_rel_diff: f64,
}

impl Tally {
    /// Asserts that two matrices have the same series, the same steps and values within
    /// [`REL_TOL`].
    fn compare(&mut self, prometheus: &[Series], fleetlens: &[Series], what: &str) {
        self.queries += 1;
        let index = |set: &[Series]| -> BTreeMap<Labels, Series> {
            set.iter()
                .filter(|s| !s.is_empty())
                .map(|s| (without_name(&s.labels), s.clone()))
                .collect()
        };
        let (p, f) = (index(prometheus), index(fleetlens));
        assert_eq!(
            p.keys().map(Labels::to_string).collect::<Vec<_>>(),
            f.keys().map(Labels::to_string).collect::<Vec<_>>(),
            "{what}: series differ"
        );
        for (labels, ps) in &p {
            let fs = &f[labels];
            assert_eq!(ps.time_ms, fs.time_ms, "{what}: steps of {labels} differ");
            for ((t, a), b) in ps.time_ms.iter().zip(&ps.values).zip(&fs.values) {
                let d = rel_diff(*a, *b);
                assert!(
                    d <= REL_TOL,
                    "{what}: {labels} at {t}: Prometheus {a}, FleetLens {b}"
                );
                self.max_rel_diff = self.max_rel_diff.max(d);
                self.values_compared += 1;
            }
            self.series_compared += 1;
        }
    }
}

#[test]
fn per_step_values_match_prometheus_query_range() {
    let test = "promql-counters-scenario";
    let script = Script::load("scenario.test");
    if !prometheus_available(test) {
        return;
    }
    let prom = Prometheus::start(test, &script.openmetrics());

    // Raw samples back from Prometheus, exactly as loaded.
    let raw = instant_query(&prom, "fl_scenario_total[1d]", T0_MS + 5 * 3_600_000).series;
    let loaded = script.all_series();
    assert_eq!(raw.len(), loaded.len());
    for (r, l) in raw.iter().zip(&loaded) {
        assert_eq!((&r.labels, &r.time_ms), (&l.labels, &l.time_ms));
        let same = r
            .values
            .iter()
            .zip(&l.values)
            .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
        assert!(same, "{}: values differ", r.labels);
    }

    let minutes = |m: i64| m * 60_000;
    let grids = [
        // (start, end, step): on the minute; off-grid with milliseconds; coarse and beyond the
        // data on both sides; fine steps around the aligned series' samples.
        (T0_MS, T0_MS + minutes(250), 60_000),
        (T0_MS + 433_457, T0_MS + minutes(230), 97_300),
        (T0_MS - minutes(10), T0_MS + minutes(270), minutes(15)),
        (T0_MS + minutes(118), T0_MS + minutes(125), 15_000),
    ];
    let ranges = [
        60_000,
        150_500,
        minutes(5),
        minutes(17),
        minutes(60),
        minutes(120),
    ];
    let funcs = [
        ("increase", CounterFn::Increase),
        ("rate", CounterFn::Rate),
        ("resets", CounterFn::Resets),
    ];

    let (mut per_series, mut sums) = (Tally::default(), Tally::default());
    let mut v3_differs = 0;
    for &(start, end, step) in &grids {
        for &range in &ranges {
            let q = RangeQuery::new(start, end, step, range).unwrap();
            for &(name, func) in &funcs {
                let expr = format!("{name}(fl_scenario_total[{range}ms])");
                let what = format!("{expr} from {start} to {end} step {step}");
                let prometheus = range_query(&prom, &expr, &q).series;
                let fleetlens: Vec<Series> = raw
                    .iter()
                    .map(|s| eval_range(s, &q, func, PromqlCompat::V2).unwrap())
                    .collect();
                per_series.compare(&prometheus, &fleetlens, &what);
                for (s, v2) in raw.iter().zip(&fleetlens) {
                    let v3 = eval_range(s, &q, func, PromqlCompat::V3).unwrap();
                    v3_differs += usize::from(v3 != *v2);
                }

                if func != CounterFn::Resets {
                    let expr = format!("sum({expr})");
                    let what = format!("{expr} from {start} to {end} step {step}");
                    let prometheus = range_query(&prom, &expr, &q).series;
                    let sum = sum_range(&raw, &q, func, PromqlCompat::V2).unwrap();
                    assert!(sum.series_count.iter().all(|&n| n >= 1 && n <= raw.len()));
                    let fleetlens = Series {
                        labels: Labels::new(),
                        time_ms: sum.time_ms,
                        values: sum.values,
                    };
                    sums.compare(&prometheus, &[fleetlens], &what);
                }
            }
        }
    }
    for (kind, t) in [("per series", &per_series), ("sums", &sums)] {
        eprintln!(
            "scenario, {kind}: {} queries, {} series, {} step values, max relative difference {:e}",
            t.queries, t.series_compared, t.values_compared, t.max_rel_diff
        );
    }
    eprintln!("scenario: {v3_differs} per-series results would differ in Prometheus 3 mode");
    assert!(per_series.values_compared > 10_000, "{per_series:?}");
    assert!(sums.values_compared > 1_000, "{sums:?}");
    // The clamp order and the left-open range do change results on this data.
    assert!(v3_differs > 0);
}

#[test]
fn meter_health_flags_the_scenario_series() {
    let script = Script::load("scenario.test");
    let health = meter_health(&script.all_series()).unwrap();
    let mut flagged = Vec::new();
    for s in &health.series {
        let case = s.labels.get("case").unwrap();
        let kinds: Vec<&str> = s
            .warnings
            .iter()
            .map(|w| match w {
                MeterWarning::Oscillating { .. } => "oscillating",
                MeterWarning::FrequentRestarts { .. } => "frequentRestarts",
                MeterWarning::NegativeValues { .. } => "negativeValues",
                _ => "other",
            })
            .collect();
        if !kinds.is_empty() {
            flagged.push(format!("{case}: {}", kinds.join(", ")));
        }
        // Genuine resets and gaps are left alone: robust = exact for every single writer.
        if !matches!(case, "collide" | "weird") {
            assert_eq!(s.robust.increase, s.exact.increase, "{case}");
        }
    }
    assert_eq!(
        flagged,
        [
            "collide: oscillating",
            "crashloop: frequentRestarts",
            "weird: negativeValues"
        ]
    );
    // Two writers, A = 1000 + 2k and B = 40 + 3k for k = 0..239, on one series: their own rises
    // are 478 and 717. The exact increase adds every jump between them.
    let collide = health
        .series
        .iter()
        .find(|s| s.labels.get("case") == Some("collide"))
        .unwrap();
    assert_eq!(collide.robust.increase, Some(1195.0));
    assert_eq!(collide.exact.increase, Some(297_117.0));
    assert_eq!(collide.robust.removed(), Some(295_922.0));
    eprintln!(
        "scenario health: total {:?}, robust {:?}, removed {:?}; collide's share of the exact \
         total {:.3}",
        health.total,
        health.robust_total,
        health.robust_removed,
        collide.share.unwrap()
    );
}
