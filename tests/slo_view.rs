//! The SLO view proven against a real Prometheus.
//!
//! A deterministic service scenario (4 days of `http_requests_total` by status, scraped every
//! minute with millisecond jitter: an outage, an error burst, a slow burn, two hours of zero
//! traffic and a restart that resets every counter) is backfilled into Debian's Prometheus 2.42.
//! Raw samples are read back with instant queries of range selectors and fed to the engine in
//! PromQL-compatible mode (`PromqlCompat::V2`); the engine's burn rates, period SLI and alert
//! backtest are compared step by step with the SRE workbook's PromQL expressions over
//! `query_range`. A second test shows, with the numbers, where FleetLens deliberately differs:
//! the period SLI is event-weighted (not an average of 5-minute ratios) and zero traffic is "no
//! data" (not a `NaN` that poisons the period).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use fleetlens::counter::PromqlCompat;
use fleetlens::time::ms_to_seconds_text;
use fleetlens::views::slo::{
    evaluate_slo, preset, slo_timeline, CounterMode, PeriodBounds, Severity, SliData, SloConfig,
    Steps,
};
use fleetlens::{QueryResponse, Series};
use support::{prometheus_available, Prometheus};

/// Time 0 of the scenario: 2025-02-23T19:20:00Z.
const T0_MS: i64 = 1_740_338_400_000;
const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;
/// Largest relative difference accepted between FleetLens and Prometheus.
const REL_TOL: f64 = 1e-9;
const BAD: &str = r#"http_requests_total{status=~"5.."}"#;
const TOTAL: &str = "http_requests_total";

/// Increments per minute `m` (from time 0) for statuses 200, 500, 503.
fn increments(m: i64) -> [f64; 3] {
    let day_min = |d: i64, h: i64, min: i64| d * 1440 + h * 60 + min;
    let in_range = |a: i64, b: i64| (a..b).contains(&m);
    if in_range(day_min(2, 2, 0), day_min(2, 4, 0)) {
        return [0.0; 3]; // zero traffic
    }
    if in_range(day_min(1, 10, 0), day_min(1, 10, 40)) {
        return [5.0, 45.0, 0.0]; // outage: 90 % errors at half the traffic
    }
    let mut inc = [100.0, if m % 17 == 0 { 1.0 } else { 0.0 }, 0.0];
    if in_range(day_min(2, 14, 0), day_min(2, 18, 0)) {
        inc[2] = 3.0; // error burst: 3 %
    }
    if m >= day_min(3, 0, 0) && m % 5 == 0 {
        inc[1] += 2.0; // slow burn: 0.4 %
    }
    inc
}

/// The scenario's series (every minute for 4 days, jittered by a few ms), and its OpenMetrics.
fn scenario() -> (Vec<Series>, String) {
    let restart = 2 * 1440 + 20 * 60;
    let statuses = ["200", "500", "503"];
    let mut series: Vec<Series> = statuses
        .iter()
        .map(|s| Series {
            labels: fleetlens::Labels::from_pairs([("__name__", TOTAL), ("status", s)]),
            ..Series::default()
        })
        .collect();
    let mut values = [0.0; 3];
    for m in 0..=4 * 1440 {
        let inc = if m == 0 { [0.0; 3] } else { increments(m) };
        for (i, s) in series.iter_mut().enumerate() {
            values[i] = if m == restart {
                inc[i]
            } else {
                values[i] + inc[i]
            };
            s.time_ms
                .push(T0_MS + m * MIN + (m * 37 + i as i64 * 101) % 700);
            s.values.push(values[i]);
        }
    }
    let mut om = String::new();
    for s in &series {
        let status = s.labels.get("status").unwrap();
        for (t, v) in s.time_ms.iter().zip(&s.values) {
            om.push_str(&format!(
                "{TOTAL}{{status=\"{status}\"}} {v} {}\n",
                ms_to_seconds_text(*t)
            ));
        }
    }
    om.push_str("# EOF\n");
    (series, om)
}

fn api(prom: &Prometheus, path: &str, form: &[(&str, String)]) -> QueryResponse {
    prom.api(path, form)
}

fn instant(prom: &Prometheus, query: &str, at_ms: i64) -> Vec<Series> {
    let form = [
        ("query", query.to_owned()),
        ("time", ms_to_seconds_text(at_ms)),
    ];
    api(prom, "/api/v1/query", &form).series
}

fn range(prom: &Prometheus, query: &str, s: Steps) -> Option<Series> {
    let form = [
        ("query", query.to_owned()),
        ("start", ms_to_seconds_text(s.start_ms)),
        ("end", ms_to_seconds_text(s.end_ms)),
        ("step", ms_to_seconds_text(s.step_ms)),
    ];
    let mut out = api(prom, "/api/v1/query_range", &form).series;
    assert!(out.len() <= 1, "{query}: {} series", out.len());
    out.pop()
}

fn rel_diff(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

fn config(mode: CounterMode) -> SloConfig {
    let mut c = preset("http-availability").unwrap();
    c.group_by.clear();
    c.counter_mode = mode;
    c
}

/// The SRE burn-rate expression over window `w`.
fn burn_expr(w: &str) -> String {
    format!("(sum(increase({BAD}[{w}])) / sum(increase({TOTAL}[{w}])) / (1 - 0.999))")
}

#[test]
fn burn_rates_and_alerts_match_prometheus_step_by_step() {
    let test = "slo-view-burn-rates";
    let (loaded, om) = scenario();
    if !prometheus_available(test) {
        return;
    }
    let prom = Prometheus::start(test, &om);
    let end = T0_MS + 4 * DAY;
    let bad = instant(&prom, &format!("{BAD}[5d]"), end + DAY);
    let total = instant(&prom, &format!("{TOTAL}[5d]"), end + DAY);
    assert_eq!((bad.len(), total.len()), (2, 3));
    for l in &loaded {
        let r = total.iter().find(|r| r.labels == l.labels).unwrap();
        let first = (0..l.len().max(r.len()))
            .find(|&i| r.time_ms.get(i) != l.time_ms.get(i) || r.values.get(i) != l.values.get(i));
        assert!(
            first.is_none(),
            "{}: samples differ at {first:?}: {:?} vs {:?}",
            l.labels,
            first.map(|i| (r.time_ms.get(i), r.values.get(i))),
            first.map(|i| (l.time_ms.get(i), l.values.get(i)))
        );
    }

    let config = config(CounterMode::Promql(PromqlCompat::V2));
    let bounds = PeriodBounds {
        start_ms: T0_MS,
        end_ms: end,
        period_ms: 30 * DAY,
    };
    let steps = Steps {
        start_ms: T0_MS + 10 * MIN,
        end_ms: end,
        step_ms: 10 * MIN,
    };
    let data = SliData::Ratio {
        selected: &bad,
        total: &total,
    };
    let timeline = slo_timeline(&config, &data, bounds, steps).unwrap();

    // Burn rates, window by window, step by step.
    let (mut compared, mut no_data, mut max_diff) = (0, 0, 0.0f64);
    for br in &timeline.burn_rates {
        let prometheus = range(&prom, &burn_expr(&br.window), steps).unwrap();
        for (t, ours) in timeline.time_ms.iter().zip(&br.values) {
            let theirs = prometheus
                .time_ms
                .iter()
                .position(|x| x == t)
                .map(|i| prometheus.values[i]);
            match (ours, theirs) {
                (Some(a), Some(b)) => {
                    let d = rel_diff(*a, b);
                    assert!(
                        d <= REL_TOL,
                        "{} at {t}: FleetLens {a}, Prometheus {b}",
                        br.window
                    );
                    max_diff = max_diff.max(d);
                    compared += 1;
                }
                // Zero traffic: 0/0 in PromQL, "no data" here.
                (None, Some(b)) if b.is_nan() => no_data += 1,
                (None, None) => no_data += 1,
                (a, b) => panic!("{} at {t}: FleetLens {a:?}, Prometheus {b:?}", br.window),
            }
        }
    }
    eprintln!(
        "slo burn rates: {} windows × {} steps: {compared} values equal (max relative difference \
         {max_diff:e}), {no_data} zero-traffic steps are no data here and NaN in PromQL",
        timeline.burn_rates.len(),
        timeline.time_ms.len()
    );
    assert!(compared > 3_500 && no_data > 0, "{compared} {no_data}");

    // The alert backtest against the SRE workbook's alert expressions.
    let report = evaluate_slo(&config, &data, bounds).unwrap();
    for severity in [Severity::Page, Severity::Ticket] {
        let conds: Vec<_> = report
            .conditions
            .iter()
            .filter(|c| c.severity == severity)
            .map(|c| {
                format!(
                    "({} > {f} and {} > {f})",
                    burn_expr(&c.long_window),
                    burn_expr(&c.short_window),
                    f = c.factor
                )
            })
            .collect();
        let expr = conds.join(" or ");
        let theirs: BTreeSet<i64> = range(&prom, &expr, steps)
            .map(|s| s.time_ms.into_iter().collect())
            .unwrap_or_default();
        let ours: BTreeSet<i64> = timeline
            .alerts
            .iter()
            .filter(|a| a.severity == severity)
            .flat_map(|a| (0..a.steps as i64).map(move |k| a.start_ms + k * steps.step_ms))
            .collect();
        assert_eq!(ours, theirs, "{severity:?} steps differ");
        assert!(!ours.is_empty(), "{severity:?} never fired");
        let intervals: Vec<String> = timeline
            .alerts
            .iter()
            .filter(|a| a.severity == severity)
            .map(|a| {
                format!(
                    "{}..{} min ({})",
                    (a.start_ms - T0_MS) / MIN,
                    (a.end_ms - T0_MS) / MIN,
                    a.conditions.join(", ")
                )
            })
            .collect();
        eprintln!(
            "slo backtest {severity:?}: {} steps equal to PromQL: {}",
            ours.len(),
            intervals.join("; ")
        );
    }

    // The period SLI and budget over day 1 equal PromQL's event-weighted expression.
    let day1 = PeriodBounds {
        start_ms: T0_MS + DAY,
        end_ms: T0_MS + 2 * DAY,
        period_ms: DAY,
    };
    let r = evaluate_slo(&config, &data, day1).unwrap();
    let q = format!("1 - sum(increase({BAD}[1d])) / sum(increase({TOTAL}[1d]))");
    let theirs = instant(&prom, &q, day1.end_ms)[0].values[0];
    let ours = r.overall.sli.unwrap();
    assert!(rel_diff(ours, theirs) <= REL_TOL, "{ours} vs {theirs}");
}

#[test]
fn deliberate_differences_from_promql_averages() {
    let test = "slo-view-differences";
    let (loaded, om) = scenario();
    let (bad, total): (Vec<Series>, Vec<Series>) = (
        loaded
            .iter()
            .filter(|s| s.labels.get("status").unwrap().starts_with('5'))
            .cloned()
            .collect(),
        loaded.clone(),
    );
    let data = SliData::Ratio {
        selected: &bad,
        total: &total,
    };
    let exact = config(CounterMode::Exact);
    let whole = PeriodBounds {
        start_ms: T0_MS,
        end_ms: T0_MS + 4 * DAY,
        period_ms: 30 * DAY,
    };
    let day1 = PeriodBounds {
        start_ms: T0_MS + DAY,
        end_ms: T0_MS + 2 * DAY,
        period_ms: DAY,
    };
    // Day 1 by hand (exact counts): the window (1 d, 2 d] holds the samples of minutes 1440 to
    // 2879 (each sample is a few ms after its minute), so the increments of those 1 440 minutes:
    // 40 of them the outage (50 requests, 45 bad), the others 100 good requests plus 1 bad every
    // 17th minute.
    let outage_min = 40.0;
    let normal_min = 1440.0 - outage_min;
    let bad_normal = ((1440..2880).filter(|m| m % 17 == 0).count()
        - (1440 + 600..1440 + 640).filter(|m| m % 17 == 0).count()) as f64;
    let want_bad = bad_normal + 45.0 * outage_min;
    let want_total = 100.0 * normal_min + bad_normal + 50.0 * outage_min;
    let r = evaluate_slo(&exact, &data, day1).unwrap();
    let e = r.overall.period_events.unwrap();
    assert_eq!((e.bad, e.total), (want_bad, want_total));
    let event_weighted = r.overall.sli.unwrap();
    // Over the 4 days, zero traffic did not make the period NaN.
    let four = evaluate_slo(&exact, &data, whole).unwrap();
    assert!(four.overall.sli.is_some_and(f64::is_finite));

    if !prometheus_available(test) {
        return;
    }
    let prom = Prometheus::start(test, &om);
    let avg = |range: &str, at: i64| {
        let q = format!(
            "1 - avg_over_time((sum(increase({BAD}[5m])) / sum(increase({TOTAL}[5m])))[{range}:5m])"
        );
        instant(&prom, &q, at)[0].values[0]
    };
    let averaged = avg("1d", day1.end_ms);
    let poisoned = avg("4d", whole.end_ms);
    eprintln!(
        "day 1 SLI: event-weighted {event_weighted:.6} (FleetLens), average of 5m ratios \
         {averaged:.6} (PromQL); 4-day SLI: {:.6} (FleetLens), {poisoned} (PromQL average, poisoned \
         by the zero-traffic stretch)",
        four.overall.sli.unwrap()
    );
    // The outage ran at half the traffic: averaging ratios weighs it twice as much as its
    // events, so the average understates the SLI.
    assert!(
        event_weighted - averaged > 1e-3,
        "{event_weighted} vs {averaged}"
    );
    assert!(poisoned.is_nan());
}
