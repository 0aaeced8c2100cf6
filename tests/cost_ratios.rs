//! The cost view's ratios proven against a real Prometheus: cost per commit, per 1k lines
//! changed, tokens per dollar and the cache hit ratio, in PromQL-compatible mode, equal the
//! quotients of PromQL's `sum(increase(…[r]))` expressions.
//!
//! A deterministic Claude Code fleet (two models, two users; cost, tokens of the four types,
//! commits and lines of code; one process restart that resets all of its counters; samples every
//! 30 s with millisecond jitter) is backfilled into Debian's Prometheus. Raw samples are read
//! back with an instant query of a range selector and fed to `evaluate_cost` with
//! `PromqlCompat::V2`.
//!
//! The PromQL definitions:
//! * cost per commit: `sum(increase(cost[r])) / sum(increase(commits[r]))`;
//! * cost per 1k lines: `sum(increase(cost[r])) / (sum(increase(lines{type=~"added|removed"}[r])) / 1000)`;
//! * tokens per dollar: `sum(increase(tokens[r])) / sum(increase(cost[r]))` (every type);
//! * cache hit ratio: `sum(increase(tokens{type="cacheRead"}[r])) /
//!   sum(increase(tokens{type=~"cacheRead|cacheCreation|input"}[r]))`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fleetlens::counter::PromqlCompat;
use fleetlens::views::cost::{evaluate_cost, CostClock, CostConfig, CounterMode, Quantity};
use fleetlens::{Labels, Series};
use support::{prometheus_available, Prometheus};

/// 2025-02-23T19:20:00Z.
const T0_MS: i64 = 1_740_338_400_000;
const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
/// Scrape interval.
const EVERY_MS: i64 = 30_000;
/// Samples per series: 4 h at one every 30 s.
const SAMPLES: i64 = 480;
const REL_TOL: f64 = 1e-9;

const COST: &str = "claude_code_cost_usage_USD_total";
const TOKENS: &str = "claude_code_token_usage_tokens_total";
const COMMITS: &str = "claude_code_commit_count_total";
const LINES: &str = "claude_code_lines_of_code_count_total";

/// A counter for `(name, labels)`: per-sample increments `inc(k)`, starting at `start`, reset to
/// the increment at sample `reset_at`. Times are 1 to 2 999 ms after the grid.
fn counter(
    name: &str,
    pairs: &[(&str, &str)],
    start: f64,
    reset_at: Option<i64>,
    inc: impl Fn(i64) -> f64,
) -> Series {
    let mut labels = Labels::from_pairs(pairs.iter().copied());
    labels.insert("__name__".into(), name.into());
    let (mut time_ms, mut values) = (Vec::new(), Vec::new());
    let mut v = start;
    for k in 0..SAMPLES {
        v = if Some(k) == reset_at {
            inc(k)
        } else {
            v + inc(k)
        };
        time_ms.push(T0_MS + k * EVERY_MS + 1 + (k * 7919 + name.len() as i64 * 31) % 2999);
        values.push(v);
    }
    Series {
        labels,
        time_ms,
        values,
    }
}

/// Deterministic "noise" in [0, 1).
fn wobble(k: i64, salt: i64) -> f64 {
    ((k * 2_654_435_761 + salt * 40_503) % 1_000) as f64 / 1_000.0
}

fn fleet() -> Vec<Series> {
    let mut out = Vec::new();
    for (u, (user, model)) in [
        ("alice@example.com", "claude-sonnet-4-5-20250929"),
        ("bob@example.com", "claude-haiku-4-5-20251001"),
    ]
    .iter()
    .enumerate()
    {
        let salt = u as i64 + 1;
        // Bob's process restarts at sample 300: every counter of his starts again.
        let reset = (u == 1).then_some(300);
        let who = [("model", *model), ("user_email", *user)];
        out.push(counter(COST, &who, 12.5 * salt as f64, reset, move |k| {
            (wobble(k, salt) * 4.0).round() / 100.0
        }));
        for (t, (kind, scale)) in [
            ("input", 2_000.0),
            ("output", 800.0),
            ("cacheRead", 30_000.0),
            ("cacheCreation", 5_000.0),
        ]
        .iter()
        .enumerate()
        {
            let pairs = [who[0], who[1], ("type", *kind)];
            let s = salt * 10 + t as i64;
            out.push(counter(TOKENS, &pairs, 1e5, reset, move |k| {
                (wobble(k, s) * scale).round()
            }));
        }
        out.push(counter(
            COMMITS,
            &[("user_email", user)],
            3.0,
            reset,
            move |k| f64::from(u8::from(wobble(k, salt + 5) < 0.05)),
        ));
        for (kind, scale) in [("added", 20.0), ("removed", 6.0)] {
            let pairs = [("user_email", *user), ("type", kind)];
            out.push(counter(LINES, &pairs, 100.0, reset, move |k| {
                (wobble(k, salt + 7) * scale).floor()
            }));
        }
    }
    out
}

fn openmetrics(series: &[Series]) -> String {
    support::series_openmetrics(series)
}

fn scalar(prom: &Prometheus, query: &str, at: i64) -> f64 {
    let r = prom.instant_ms(query, at).series;
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

#[test]
fn cost_ratios_match_promql_quotients() {
    let test = "cost-ratios";
    let fleet = fleet();
    let om = openmetrics(&fleet);
    if !prometheus_available(test) {
        return;
    }
    let prom = Prometheus::start(test, &om);
    let eval_at = T0_MS + 4 * HOUR;
    let (mut compared, mut max_rel) = (0usize, 0.0f64);
    // Ranges inside the data, across the restart, reaching before the data, and off the minute.
    for range in [
        HOUR,
        2 * HOUR + 7 * MIN,
        4 * HOUR + 13 * MIN,
        17 * MIN + 4321,
    ] {
        let r = format!("{range}ms");
        let raw = prom
            .instant_ms(&format!("{{__name__=~\"claude_code_.+\"}}[{r}]"), eval_at)
            .series;
        assert_eq!(raw.len(), fleet.len(), "{r}");
        let clock = CostClock {
            from_ms: eval_at - range,
            to_ms: eval_at,
            now_ms: eval_at,
            today_start_ms: eval_at - range,
            month_start_ms: eval_at - range,
            month_end_ms: eval_at + 24 * HOUR,
        };
        let config = CostConfig {
            counter_mode: CounterMode::Promql,
            promql_compat: PromqlCompat::V2,
            ..CostConfig::default()
        };
        let report = evaluate_cost(&raw, &config, &clock).unwrap();
        let inc = |sel: &str| format!("sum(increase({sel}[{r}]))");
        let cost = inc(COST);
        let e = &report.efficiency;
        for (what, got, query) in [
            (
                "cost per commit",
                &e.cost_per_commit,
                format!("{cost} / {}", inc(COMMITS)),
            ),
            (
                "cost per 1k lines",
                &e.cost_per_1k_lines,
                format!(
                    "{cost} / ({} / 1000)",
                    inc(&format!("{LINES}{{type=~\"added|removed\"}}"))
                ),
            ),
            (
                "tokens per dollar",
                &e.tokens_per_dollar,
                format!("{} / {cost}", inc(TOKENS)),
            ),
            (
                "cache hit ratio",
                &e.cache_hit_ratio,
                format!(
                    "{} / {}",
                    inc(&format!("{TOKENS}{{type=\"cacheRead\"}}")),
                    inc(&format!(
                        "{TOKENS}{{type=~\"cacheRead|cacheCreation|input\"}}"
                    ))
                ),
            ),
        ] {
            let theirs = scalar(&prom, &query, eval_at);
            let ours = match got {
                Quantity::Value { value } => *value,
                Quantity::Unavailable { unavailable } => {
                    panic!("{what} {r}: FleetLens says {unavailable}, PromQL {theirs}")
                }
            };
            let d = rel_diff(ours, theirs);
            assert!(
                d <= REL_TOL,
                "{what} {r}: FleetLens {ours}, PromQL {theirs}"
            );
            compared += 1;
            max_rel = max_rel.max(d);
        }
        // The numerator the ratios share is PromQL's total.
        let total = report.total_usd.value().unwrap();
        let theirs = scalar(&prom, &cost, eval_at);
        let d = rel_diff(total, theirs);
        assert!(
            d <= REL_TOL,
            "total {r}: FleetLens {total}, PromQL {theirs}"
        );
        compared += 1;
        max_rel = max_rel.max(d);
    }
    eprintln!(
        "cost ratios vs Prometheus: {compared} values compared (cost per commit, per 1k lines, \
         tokens per dollar, cache hit ratio, total; 4 ranges), max relative difference {max_rel:e}"
    );
    assert_eq!(compared, 20);
}
