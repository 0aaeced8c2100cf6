//! The latency and availability SLIs proven against a real Prometheus.
//!
//! A deterministic scenario (2 days: a latency histogram scraped every minute, with a degraded
//! stretch, an hour of zero traffic and a restart that resets every bucket; `up` of two instances
//! scraped every 15 s, with a down stretch, a 2-hour stretch where one target is absent and half
//! an hour where both are) is backfilled into Debian's Prometheus. Raw samples are read back with
//! instant queries of range selectors and fed to the engine; burn rates are compared step by
//! step with the PromQL expressions that define the same quantities.
//!
//! * Latency, threshold on a bucket bound, PromQL-compatible counters (`PromqlCompat::V2`): the
//!   good share over `w` is `sum(increase(h_bucket{le="0.5"}[w])) /
//!   sum(increase(h_bucket{le="+Inf"}[w]))` and the burn rate `(1 − share) / (1 − o)`.
//! * Latency, threshold between bounds: the report names the interpolation and the distance to
//!   the nearest bound, and the share equals the linear interpolation written in PromQL.
//! * Availability: the engine counts raw samples, each standing for the sample interval, as up
//!   (exactly 1) or down. On a 0/1 gauge that is `sum(sum_over_time(up[w])) /
//!   sum(count_over_time(up[w]))` (the interval cancels out of the ratio; `sum_over_time` adds
//!   the 1s, `count_over_time` counts every sample). Not `avg_over_time((up == bool 1)[w:s])`: a
//!   subquery resamples at its own step and would count a sample once per subquery step it
//!   covers, holding it across gaps up to the lookback delta.
//!
//! Samples are jittered by 1 to 900 ms off the minute and the steps fall on whole minutes, so no
//! sample sits on a window boundary, where Prometheus 2.x (closed on the left) and 3.x and
//! FleetLens (open on the left) would disagree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fleetlens::counter::PromqlCompat;
use fleetlens::histogram::Interpolation;
use fleetlens::time::ms_to_seconds_text;
use fleetlens::views::slo::{
    evaluate_slo, slo_timeline, CounterMode, PeriodBounds, SliData, SloConfig, SloWarning, Steps,
};
use fleetlens::{Labels, Series};
use support::{prometheus_available, Prometheus};

/// Time 0 of the scenario: 2025-02-23T19:20:00Z.
const T0_MS: i64 = 1_740_338_400_000;
const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;
/// Largest relative difference accepted between FleetLens and Prometheus.
const REL_TOL: f64 = 1e-9;
const HIST: &str = "api_latency_seconds_bucket";
const LES: [&str; 5] = ["0.1", "0.25", "0.5", "1", "+Inf"];

/// Minutes from time 0, as `(day, hour, minute)`.
fn at(d: i64, h: i64, m: i64) -> i64 {
    d * 1440 + h * 60 + m
}

/// Cumulative bucket increments for minute `m` (one per `LES` entry), integers.
fn latency_increments(m: i64) -> [f64; 5] {
    if (at(1, 2, 0)..at(1, 3, 0)).contains(&m) {
        return [0.0; 5]; // zero traffic
    }
    let n = 80 + (m * 7919) % 41;
    let shares: [i64; 4] = if (at(0, 15, 0)..at(0, 17, 0)).contains(&m) {
        [5, 10, 20, 40] // degraded: 80 % above 0.5 s
    } else {
        [35, 65, 93 - m % 3, 98] // normal: 7 to 9 % above 0.5 s
    };
    let mut out = [n as f64; 5];
    for (o, s) in out.iter_mut().zip(shares) {
        *o = (n * s / 100) as f64;
    }
    out
}

/// Timestamp of scrape `k` (of `every_ms`) of series `i`: 1 to 900 ms after the grid.
fn jittered(k: i64, every_ms: i64, i: i64) -> i64 {
    T0_MS + k * every_ms + 1 + (k * 37 + i * 101) % 900
}

/// The histogram's bucket series: every minute for 2 days, starting from non-zero counts, every
/// bucket reset at day 1 12:00 (a restart).
fn histogram() -> Vec<Series> {
    let restart = at(1, 12, 0);
    let mut series: Vec<Series> = LES
        .iter()
        .map(|le| Series {
            labels: Labels::from_pairs([("__name__", HIST), ("le", le)]),
            ..Series::default()
        })
        .collect();
    let mut values = [350.0, 650.0, 930.0, 980.0, 1000.0];
    for m in 0..=2 * 1440 {
        let inc = if m == 0 {
            [0.0; 5]
        } else {
            latency_increments(m)
        };
        let t = jittered(m, MIN, 0);
        for (i, s) in series.iter_mut().enumerate() {
            values[i] = if m == restart {
                inc[i]
            } else {
                values[i] + inc[i]
            };
            s.time_ms.push(t);
            s.values.push(values[i]);
        }
    }
    series
}

/// `up` of instances `a` and `b` every 15 s for 2 days.
///
/// * `a` is down (0) from day 0 08:00 to 08:20 and from day 1 20:00 to 20:05;
/// * `b` is down every 97th scrape, and **absent** (no samples: its target was gone) from day 0
///   10:00 to 12:00;
/// * neither has samples from day 1 06:00 to 06:30.
fn up() -> Vec<Series> {
    let mut out = Vec::new();
    for (i, instance) in ["a", "b"].iter().enumerate() {
        let mut s = Series {
            labels: Labels::from_pairs([
                ("__name__", "up"),
                ("instance", instance),
                ("job", "api"),
            ]),
            ..Series::default()
        };
        for k in 0..=2 * 1440 * 4 {
            let m = k / 4;
            let inside = |a: i64, b: i64| (a..b).contains(&m);
            if inside(at(1, 6, 0), at(1, 6, 30)) || (i == 1 && inside(at(0, 10, 0), at(0, 12, 0))) {
                continue;
            }
            let down = if i == 0 {
                inside(at(0, 8, 0), at(0, 8, 20)) || inside(at(1, 20, 0), at(1, 20, 5))
            } else {
                k % 97 == 0
            };
            s.time_ms.push(jittered(k, 15_000, i as i64 + 1));
            s.values.push(if down { 0.0 } else { 1.0 });
        }
        out.push(s);
    }
    out
}

fn openmetrics(series: &[Series]) -> String {
    support::series_openmetrics(series)
}

fn instant(prom: &Prometheus, query: &str, at_ms: i64) -> Vec<Series> {
    prom.instant_ms(query, at_ms).series
}

fn range(prom: &Prometheus, query: &str, s: Steps) -> Option<Series> {
    let form = [
        ("query", query.to_owned()),
        ("start", ms_to_seconds_text(s.start_ms)),
        ("end", ms_to_seconds_text(s.end_ms)),
        ("step", ms_to_seconds_text(s.step_ms)),
    ];
    let mut out = prom.api("/api/v1/query_range", &form).series;
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

/// Compares every burn rate of a timeline with `expr(window)` over `query_range`. Returns
/// (values compared, steps with no data on both sides, max relative difference).
fn compare_burn_rates(
    prom: &Prometheus,
    timeline: &fleetlens::views::slo::SloTimeline,
    steps: Steps,
    expr: impl Fn(&str) -> String,
) -> (usize, usize, f64) {
    let (mut compared, mut no_data, mut max_diff) = (0, 0, 0.0f64);
    for br in &timeline.burn_rates {
        let theirs = range(prom, &expr(&br.window), steps).unwrap_or_default();
        for (t, ours) in timeline.time_ms.iter().zip(&br.values) {
            let theirs = theirs
                .time_ms
                .iter()
                .position(|x| x == t)
                .map(|i| theirs.values[i]);
            match (ours, theirs) {
                (Some(a), Some(b)) => {
                    let d = rel_diff(*a, b);
                    assert!(
                        d <= REL_TOL,
                        "{} at +{} min: FleetLens {a}, Prometheus {b}",
                        br.window,
                        (t - T0_MS) / MIN
                    );
                    max_diff = max_diff.max(d);
                    compared += 1;
                }
                // Zero traffic (0/0 in PromQL) or no samples at all (no result in PromQL):
                // "no data" here.
                (None, Some(b)) if b.is_nan() => no_data += 1,
                (None, None) => no_data += 1,
                (a, b) => panic!(
                    "{} at +{} min: FleetLens {a:?}, Prometheus {b:?}",
                    br.window,
                    (t - T0_MS) / MIN
                ),
            }
        }
    }
    (compared, no_data, max_diff)
}

fn latency_config(threshold: f64) -> SloConfig {
    let mut c = SloConfig::from_json(&format!(
        r#"{{"name":"latency","objective":0.95,"period":{{"rolling":"30d"}},
            "sli":{{"latency":{{"histogram":{{"metric":"{HIST}"}},"thresholdSeconds":{threshold}}}}}}}"#
    ))
    .unwrap();
    c.counter_mode = CounterMode::Promql(PromqlCompat::V2);
    c
}

const BOUNDS: PeriodBounds = PeriodBounds {
    start_ms: T0_MS,
    end_ms: T0_MS + 2 * DAY,
    period_ms: 30 * DAY,
};

const STEPS: Steps = Steps {
    start_ms: T0_MS + 10 * MIN,
    end_ms: T0_MS + 2 * DAY,
    step_ms: 10 * MIN,
};

#[test]
fn latency_and_availability_burn_rates_match_prometheus() {
    let test = "slo-sli-kinds";
    let (hist, up) = (histogram(), up());
    let mut all = hist.clone();
    all.extend(up.iter().cloned());
    if !prometheus_available(test) {
        return;
    }
    let prom = Prometheus::start(test, &openmetrics(&all));
    let read_at = BOUNDS.end_ms + DAY;
    let buckets = instant(&prom, &format!("{HIST}[4d]"), read_at);
    let gauge = instant(&prom, "up[4d]", read_at);
    assert_eq!((buckets.len(), gauge.len()), (5, 2));
    for l in hist.iter().chain(&up) {
        let r = buckets
            .iter()
            .chain(&gauge)
            .find(|r| r.labels == l.labels)
            .unwrap();
        assert_eq!(
            (&r.time_ms, &r.values),
            (&l.time_ms, &l.values),
            "{}",
            l.labels
        );
    }

    // Latency on a bucket bound.
    let config = latency_config(0.5);
    let data = SliData::Latency { buckets: &buckets };
    let timeline = slo_timeline(&config, &data, BOUNDS, STEPS).unwrap();
    let expr = |w: &str| {
        format!(
            "(1 - sum(increase({HIST}{{le=\"0.5\"}}[{w}])) / sum(increase({HIST}{{le=\"+Inf\"}}[{w}]))) / (1 - 0.95)"
        )
    };
    let (compared, no_data, max_diff) = compare_burn_rates(&prom, &timeline, STEPS, expr);
    eprintln!(
        "latency SLI (le=0.5): {} windows × {} steps: {compared} burn rates equal to PromQL (max \
         relative difference {max_diff:e}); {no_data} zero-traffic steps are no data here, NaN there",
        timeline.burn_rates.len(),
        timeline.time_ms.len()
    );
    assert!(compared > 2_000 && no_data > 0, "{compared} {no_data}");
    let report = evaluate_slo(&config, &data, BOUNDS).unwrap();
    assert!(report.threshold.is_some_and(|p| p.is_exact()));
    assert!(!report
        .warnings
        .iter()
        .any(|w| matches!(w, SloWarning::ThresholdInterpolated { .. })));
    // The degraded stretch (80 % slow: burn rate 16 against the 1h/5m factor 14.4) pages.
    assert!(timeline
        .alerts
        .iter()
        .any(|a| a.severity == fleetlens::views::slo::Severity::Page
            && a.start_ms <= T0_MS + at(0, 16, 0) * MIN
            && a.end_ms >= T0_MS + at(0, 16, 0) * MIN));

    // Latency between bounds: 0.4 s lies in (0.25, 0.5], 0.1 from the nearest bound 0.5.
    let config = latency_config(0.4);
    let report = evaluate_slo(&config, &data, BOUNDS).unwrap();
    let pos = report.threshold.unwrap();
    assert_eq!(pos.interpolation, Interpolation::Linear);
    assert_eq!((pos.bucket_lower, pos.bucket_upper), (0.25, 0.5));
    assert_eq!(pos.nearest_bound, 0.5);
    assert!((pos.distance - 0.1).abs() < 1e-15, "{}", pos.distance);
    let message = report
        .warnings
        .iter()
        .find_map(|w| match w {
            SloWarning::ThresholdInterpolated { message, .. } => Some(message.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        message,
        "0.4 is not a bucket bound: the share is interpolated linearly in (0.25, 0.5]; the \
         nearest bound, 0.5, is 0.1 away (25.0 %)"
    );
    let inc = |le: &str| format!("sum(increase({HIST}{{le=\"{le}\"}}[2d]))");
    let interpolated = format!(
        "({lo} + ({hi} - {lo}) * (0.4 - 0.25) / (0.5 - 0.25)) / {inf}",
        lo = inc("0.25"),
        hi = inc("0.5"),
        inf = inc("+Inf")
    );
    let theirs = instant(&prom, &interpolated, BOUNDS.end_ms)[0].values[0];
    let ours = report.overall.sli.unwrap();
    assert!(rel_diff(ours, theirs) <= REL_TOL, "{ours} vs {theirs}");
    eprintln!(
        "latency SLI at 0.4 s over 2 days: {ours} (FleetLens) = {theirs} (PromQL); {message}"
    );

    // Availability.
    let config = SloConfig::from_json(
        r#"{"name":"up","objective":0.99,"period":{"rolling":"30d"},
            "sli":{"availability":{"gauge":{"metric":"up","matchers":[{"label":"job","op":"=","value":"api"}]}}}}"#,
    )
    .unwrap();
    let data = SliData::Availability { gauge: &gauge };
    let timeline = slo_timeline(&config, &data, BOUNDS, STEPS).unwrap();
    let expr = |w: &str| {
        format!("(1 - sum(sum_over_time(up[{w}])) / sum(count_over_time(up[{w}]))) / (1 - 0.99)")
    };
    let (compared, no_data, max_diff) = compare_burn_rates(&prom, &timeline, STEPS, expr);
    eprintln!(
        "availability SLI: {compared} burn rates equal to PromQL (max relative difference \
         {max_diff:e}); {no_data} windows without any sample are no data here and have no result \
         in PromQL"
    );
    assert!(compared > 2_000 && no_data > 0, "{compared} {no_data}");
    // Inside the stretch where neither target exists, the short windows have no data at all.
    let gap = T0_MS + at(1, 6, 20) * MIN;
    let k = timeline.time_ms.iter().position(|t| *t == gap).unwrap();
    let five = timeline
        .burn_rates
        .iter()
        .find(|b| b.window == "5m")
        .unwrap();
    assert_eq!(five.values[k], None);
    let r = evaluate_slo(
        &config,
        &data,
        PeriodBounds {
            end_ms: gap,
            ..BOUNDS
        },
    )
    .unwrap();
    assert_eq!(r.overall.burn_rates[0].events, None);
    // Over the 2 days, the gaps are reported, with how long each series had no samples.
    let r = evaluate_slo(&config, &data, BOUNDS).unwrap();
    let gaps: Vec<(String, f64)> = r
        .warnings
        .iter()
        .filter_map(|w| match w {
            SloWarning::SamplesMissing {
                series,
                missing_seconds,
                ..
            } => Some((series.clone(), *missing_seconds)),
            _ => None,
        })
        .collect();
    // a: 30 min without samples; b: 2 h 30 min. (A gap of g seconds between scrapes every 15 s
    // misses g − 15 s of samples: 30 min of missing scrapes leave a 30 min 15 s gap.)
    assert_eq!(
        gaps,
        [
            ("up{instance=\"a\", job=\"api\"}".to_owned(), 1800.0),
            ("up{instance=\"b\", job=\"api\"}".to_owned(), 9000.0)
        ]
    );
    // The period SLI counts the samples that exist: PromQL's ratio over 2 days.
    let theirs = instant(
        &prom,
        "sum(sum_over_time(up[2d])) / sum(count_over_time(up[2d]))",
        BOUNDS.end_ms,
    )[0]
    .values[0];
    let ours = r.overall.sli.unwrap();
    assert!(rel_diff(ours, theirs) <= REL_TOL, "{ours} vs {theirs}");
}
