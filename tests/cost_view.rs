//! The cost view proven against a real Prometheus.
//!
//! A deterministic Claude Code fleet (three models, three users of which one has no
//! `user_email`, a counter reset, two writers colliding on one cost series, commits, pull
//! requests and lines of code; samples every 60 s with millisecond jitter) is backfilled into
//! Debian's Prometheus 2.42. Raw samples are read back with an instant query of a range selector
//! and fed to [`evaluate_cost`] in PromQL-compatible mode ([`PromqlCompat::V2`]); the totals,
//! the breakdowns by model and by user, the cost per commit / PR / 1k lines and "today" must
//! equal PromQL's `sum by (…) (increase(…[R]))` and its quotients within 1e-9 relative.
//!
//! A second test shows where FleetLens deliberately differs, on the colliding series: exact vs
//! PromQL increase, and robust vs plain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;

use fleetlens::counter::PromqlCompat;
use fleetlens::views::cost::{evaluate_cost, CostClock, CostConfig, CounterMode, Quantity};
use fleetlens::{Labels, QueryResponse, Series};
use support::{prometheus_available, Prometheus};

/// 2025-02-23T19:20:00Z.
const T0_MS: i64 = 1_740_338_400_000;
const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
/// Samples per series: 6 h at one a minute.
const STEPS: i64 = 360;
/// Same tolerance as the counter tests.
const REL_TOL: f64 = 1e-9;

const COST: &str = "claude_code_cost_usage_USD_total";

/// A small deterministic generator (64-bit LCG, Knuth's constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

fn labels(name: &str, pairs: &[(&str, &str)]) -> Labels {
    let mut l = Labels::from_pairs(pairs.iter().copied());
    l.insert("__name__".into(), name.into());
    l
}

/// A counter climbing by random amounts up to `max_step` (rounded to cents), with a reset to
/// zero at sample `reset_at` when given. Times jitter by up to 3 s.
fn counter(rng: &mut Lcg, l: Labels, max_step: f64, reset_at: Option<i64>) -> Series {
    let (mut time_ms, mut values) = (Vec::new(), Vec::new());
    let mut v = (rng.unit() * 50.0 * max_step).round() / 100.0 * 100.0;
    for k in 0..STEPS {
        if Some(k) == reset_at {
            v = 0.0;
        } else {
            v += (rng.unit() * max_step * 100.0).round() / 100.0;
        }
        time_ms.push(T0_MS + k * MIN + (rng.next() % 3000) as i64);
        values.push(v);
    }
    Series {
        labels: l,
        time_ms,
        values,
    }
}

/// Two writers on one series: A = 300 + 0.5 k, B = 20 + 0.7 k, the series showing A on even
/// samples and B on odd ones (Claude Code issue #56317).
fn colliding() -> Series {
    let l = labels(
        COST,
        &[
            ("model", "claude-opus-4-1-20250805"),
            ("user_email", "carol@example.com"),
        ],
    );
    let (mut time_ms, mut values) = (Vec::new(), Vec::new());
    for k in 0..STEPS {
        time_ms.push(T0_MS + k * MIN + 1500);
        let kf = k as f64;
        values.push(if k % 2 == 0 {
            300.0 + 0.5 * kf
        } else {
            20.0 + 0.7 * kf
        });
    }
    Series {
        labels: l,
        time_ms,
        values,
    }
}

fn fleet() -> Vec<Series> {
    let mut rng = Lcg(20_250_223);
    let sonnet = "claude-sonnet-4-5-20250929";
    let haiku = "claude-haiku-4-5-20251001";
    let mut out = vec![
        counter(
            &mut rng,
            labels(
                COST,
                &[
                    ("model", sonnet),
                    ("user_email", "alice@example.com"),
                    ("team_id", "core"),
                ],
            ),
            0.4,
            None,
        ),
        counter(
            &mut rng,
            labels(
                COST,
                &[
                    ("model", haiku),
                    ("user_email", "alice@example.com"),
                    ("team_id", "core"),
                ],
            ),
            0.05,
            None,
        ),
        // Bob's process restarts at sample 200.
        counter(
            &mut rng,
            labels(
                COST,
                &[
                    ("model", sonnet),
                    ("user_email", "bob@example.com"),
                    ("team_id", "web"),
                ],
            ),
            0.3,
            Some(200),
        ),
        // No user_email (an API-key provider).
        counter(
            &mut rng,
            labels(COST, &[("model", haiku), ("session_id", "s-9")]),
            0.08,
            None,
        ),
        colliding(),
    ];
    for (name, step, extra) in [
        ("claude_code_commit_count_total", 0.05, None),
        ("claude_code_pull_request_count_total", 0.01, None),
        ("claude_code_lines_of_code_count_total", 6.0, Some("added")),
        (
            "claude_code_lines_of_code_count_total",
            2.0,
            Some("removed"),
        ),
    ] {
        for user in ["alice@example.com", "bob@example.com"] {
            let mut pairs = vec![("user_email", user)];
            if let Some(t) = extra {
                pairs.push(("type", t));
            }
            let s = counter(&mut rng, labels(name, &pairs), step, None);
            // Integer-valued counters for commits, PRs and lines.
            let values = s.values.iter().map(|v| v.floor()).collect();
            out.push(Series { values, ..s });
        }
    }
    out
}

fn openmetrics(series: &[Series]) -> String {
    support::series_openmetrics(series)
}

fn instant(prom: &Prometheus, query: &str, at_ms: i64) -> QueryResponse {
    prom.instant_ms(query, at_ms)
}

/// `sum by (label) (...)` as label value → value (`None` for series without the label).
fn by_label(prom: &Prometheus, query: &str, label: &str, at: i64) -> BTreeMap<Option<String>, f64> {
    instant(prom, query, at)
        .series
        .into_iter()
        .map(|s| (s.labels.get(label).map(str::to_owned), s.values[0]))
        .collect()
}

fn scalar(prom: &Prometheus, query: &str, at: i64) -> f64 {
    let r = instant(prom, query, at).series;
    assert_eq!(r.len(), 1, "{query}: {r:?}");
    r[0].values[0]
}

fn rel_diff(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

#[derive(Default)]
struct Tally {
    compared: usize,
    max_rel: f64,
}

impl Tally {
    fn check(&mut self, what: &str, fleetlens: Option<f64>, prometheus: f64) {
        let f = fleetlens.unwrap_or_else(|| panic!("{what}: FleetLens has no value"));
        let d = rel_diff(f, prometheus);
        assert!(
            d <= REL_TOL,
            "{what}: FleetLens {f}, Prometheus {prometheus}"
        );
        self.compared += 1;
        self.max_rel = self.max_rel.max(d);
    }
}

#[test]
fn cost_view_matches_promql() {
    let test = "cost-view";
    let fleet = fleet();
    let om = openmetrics(&fleet);
    if !prometheus_available(test) {
        return;
    }
    let prom = Prometheus::start(test, &om);
    let mut tally = Tally::default();
    let eval_at = T0_MS + 6 * HOUR;
    // Ranges inside the data, reaching its start (extrapolation by half an interval), and
    // off the minute.
    for range in [3 * HOUR, 6 * HOUR + 7 * MIN, 95 * MIN + 1234, 20 * MIN] {
        let r = format!("{range}ms");
        let raw = instant(
            &prom,
            &format!("{{__name__=~\"claude_code_.+\"}}[{r}]"),
            eval_at,
        )
        .series;
        assert_eq!(raw.len(), fleet.len());
        let today = (range / 2).max(MIN);
        let clock = CostClock {
            from_ms: eval_at - range,
            to_ms: eval_at,
            now_ms: eval_at,
            today_start_ms: eval_at - today,
            month_start_ms: eval_at - range,
            month_end_ms: eval_at + 24 * HOUR,
        };
        let config = CostConfig {
            counter_mode: CounterMode::Promql,
            promql_compat: PromqlCompat::V2,
            group_by: vec!["model".into(), "user_email".into(), "team_id".into()],
            ..CostConfig::default()
        };
        let report = evaluate_cost(&raw, &config, &clock).unwrap();
        let inc = |m: &str| format!("increase({m}[{r}])");
        let cost = inc(COST);
        tally.check(
            &format!("total {r}"),
            report.total_usd.value(),
            scalar(&prom, &format!("sum({cost})"), eval_at),
        );
        for b in &report.breakdowns {
            let want = by_label(
                &prom,
                &format!("sum by ({}) ({cost})", b.label),
                &b.label,
                eval_at,
            );
            assert_eq!(b.rows.len(), want.len(), "{} {r}", b.label);
            for row in &b.rows {
                tally.check(
                    &format!("{} = {:?} {r}", b.label, row.value),
                    Some(row.cost_usd),
                    want[&row.value],
                );
            }
        }
        let e = &report.efficiency;
        let lines = "claude_code_lines_of_code_count_total{type=~\"added|removed\"}";
        for (what, got, query) in [
            (
                "per commit",
                &e.cost_per_commit,
                format!(
                    "sum({cost}) / sum({})",
                    inc("claude_code_commit_count_total")
                ),
            ),
            (
                "per PR",
                &e.cost_per_pull_request,
                format!(
                    "sum({cost}) / sum({})",
                    inc("claude_code_pull_request_count_total")
                ),
            ),
            (
                "per 1k lines",
                &e.cost_per_1k_lines,
                format!("sum({cost}) / (sum({}) / 1000)", inc(lines)),
            ),
        ] {
            match got {
                Quantity::Value { value } => tally.check(
                    &format!("{what} {r}"),
                    Some(*value),
                    scalar(&prom, &query, eval_at),
                ),
                Quantity::Unavailable { unavailable } => {
                    // Only when PromQL's denominator is zero too.
                    let p = scalar(&prom, &query, eval_at);
                    assert!(
                        !p.is_finite(),
                        "{what} {r}: FleetLens says {unavailable}, Prometheus {p}"
                    );
                }
            }
        }
        tally.check(
            &format!("today {r}"),
            report.today_usd.value(),
            scalar(&prom, &format!("sum(increase({COST}[{today}ms]))"), eval_at),
        );
        assert!(report
            .health
            .flagged
            .iter()
            .any(|f| f.labels.get("user_email") == Some("carol@example.com")));
    }
    eprintln!(
        "cost view vs Prometheus 2.42: {} values compared, max relative difference {:e}",
        tally.compared, tally.max_rel
    );
    assert!(tally.compared >= 40, "{}", tally.compared);
}

#[test]
fn exact_promql_and_robust_on_colliding_writers() {
    let s = colliding();
    let clock = CostClock {
        from_ms: T0_MS,
        to_ms: T0_MS + 6 * HOUR,
        now_ms: T0_MS + 6 * HOUR,
        today_start_ms: T0_MS,
        month_start_ms: T0_MS,
        month_end_ms: T0_MS + 24 * HOUR,
    };
    let run = |mode: CounterMode, robust: bool| {
        let config = CostConfig {
            counter_mode: mode,
            promql_compat: PromqlCompat::V2,
            robust,
            ..CostConfig::default()
        };
        evaluate_cost(std::slice::from_ref(&s), &config, &clock).unwrap()
    };
    let exact = run(CounterMode::Exact, false);
    let promql = run(CounterMode::Promql, false);
    let robust = run(CounterMode::Exact, true);
    let (e, p, r) = (
        exact.total_usd.value().unwrap(),
        promql.total_usd.value().unwrap(),
        robust.total_usd.value().unwrap(),
    );
    // Writers A (even samples k = 0, 2, …, 358: 300 → 479) and B (odd k = 1, …, 359:
    // 20.7 → 271.3). Their own rises: 179 + 250.6 = 429.6. Each of the 179 drops from A to B
    // counts B's whole value as a reset: that is the exact (and PromQL) increase's inflation.
    assert!((r - 429.6).abs() < 1e-9, "robust {r}");
    assert!(e > 100.0 * r / 2.0, "exact {e} is inflated");
    // The samples start 1.5 s after the range start and the range ends 1.5 s after the last: PromQL
    // extrapolates the exact increase by the uncovered edges.
    assert!(p > e);
    assert_eq!(
        exact
            .health
            .robust_removed_usd
            .map(|x| (x * 1e6).round() / 1e6),
        Some(((e - r) * 1e6).round() / 1e6)
    );
    eprintln!(
        "colliding writers over 6 h: exact {e:.4} USD, PromQL (v2) {p:.4} USD, robust {r:.4} USD; \
         robust removes {:.4} USD ({:.1}× inflation)",
        e - r,
        e / r
    );
}
