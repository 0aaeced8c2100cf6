//! Checks of the input series that do not change the numbers but that the user must hear about:
//! negative counters, series without a finite sample, gaps in an availability gauge, alert
//! windows shorter than the backtest step.

use std::collections::BTreeSet;

use super::config::{ResolvedCondition, Sli, SloConfig};
use super::events::SliData;
use super::{PeriodBounds, SloWarning};
use crate::frame::Series;
use crate::time::parse_duration_ms;

/// Missing samples in a row from which an availability gauge's gap is reported.
///
/// Four scrapes (a minute at the default 15 s interval): a single missed scrape happens under
/// load and says nothing about the target, while a minute without samples means the target was
/// gone, and that time counts neither as up nor as down.
pub const GAP_MIN_MISSING_SAMPLES: i64 = 4;

/// Epoch milliseconds as RFC 3339 UTC, for messages.
fn time_text(ms: i64) -> String {
    crate::time::fmt::rfc3339_seconds(ms).unwrap_or_else(|| format!("{ms} ms"))
}

/// The distinct series of the data (a bad selector's series are often also the total's).
fn distinct<'a>(lists: &[&'a [Series]]) -> Vec<&'a Series> {
    let mut seen = BTreeSet::new();
    lists
        .iter()
        .flat_map(|l| l.iter())
        .filter(|s| seen.insert(s.labels.clone()))
        .collect()
}

/// Negative counter values and series without any finite sample.
pub(crate) fn sample_warnings(data: &SliData<'_>) -> Vec<SloWarning> {
    let (series, counters) = match data {
        SliData::Ratio { selected, total } => (distinct(&[selected, total]), true),
        SliData::Latency { buckets } => (distinct(&[buckets]), true),
        SliData::Availability { gauge } => (distinct(&[gauge]), false),
    };
    let mut out = Vec::new();
    for s in series {
        let name = s.labels.to_string();
        if !s.values.is_empty() && s.values.iter().all(|v| !v.is_finite()) {
            out.push(SloWarning::NoFiniteSamples {
                series: name.clone(),
                samples: s.values.len(),
                message: format!(
                    "series {name} has {} samples and none is a finite number (all NaN or ±Inf): \
                     it contributes no events; check the exporter or the recording rule that \
                     writes it",
                    s.values.len()
                ),
            });
            continue;
        }
        let negative = s.values.iter().filter(|v| **v < 0.0).count();
        if counters && negative > 0 {
            out.push(SloWarning::NegativeCounter {
                series: name.clone(),
                count: negative,
                message: format!(
                    "counter {name} has {negative} negative values; counters never go below zero. \
                     A drop is read as a reset (the new value counts from zero, as in Prometheus), \
                     so its increase may be wrong: check that the exporter does not write a gauge \
                     or a delta under a counter's name"
                ),
            });
        }
    }
    out
}

/// Stretches of the period where an availability gauge has no samples (see
/// [`GAP_MIN_MISSING_SAMPLES`]), one warning per series. The engine counts samples, so these
/// stretches count neither as up nor as down.
pub(crate) fn gap_warnings(
    config: &SloConfig,
    data: &SliData<'_>,
    bounds: PeriodBounds,
) -> Vec<SloWarning> {
    let (
        Sli::Availability {
            sample_interval, ..
        },
        SliData::Availability { gauge },
    ) = (&config.sli, data)
    else {
        return Vec::new();
    };
    let Ok(interval) = parse_duration_ms(sample_interval) else {
        return Vec::new();
    };
    if interval <= 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for s in *gauge {
        let lo = s.time_ms.partition_point(|&t| t <= bounds.start_ms);
        let hi = s.time_ms.partition_point(|&t| t <= bounds.end_ms);
        let inside = s.time_ms.get(lo..hi).unwrap_or_default();
        if inside.is_empty() {
            continue; // no samples at all in the period: the burn rates say "no data"
        }
        // The edges count as samples at the period's start and end.
        let points: Vec<i64> = std::iter::once(bounds.start_ms)
            .chain(inside.iter().copied())
            .chain(std::iter::once(bounds.end_ms))
            .collect();
        let (mut missing, mut longest, mut longest_at) = (0i64, 0i64, 0i64);
        for w in points.windows(2) {
            let &[a, b] = w else { continue };
            // Scrapes that should have happened between two samples, rounded to absorb jitter.
            let n =
                ((b.saturating_sub(a) as f64 / interval as f64).round() as i64).saturating_sub(1);
            if n >= GAP_MIN_MISSING_SAMPLES {
                missing = missing.saturating_add(n);
                if n.saturating_mul(interval) > longest {
                    longest = n.saturating_mul(interval);
                    longest_at = a;
                }
            }
        }
        if missing == 0 {
            continue;
        }
        let name = s.labels.to_string();
        let missing_seconds = missing.saturating_mul(interval) as f64 / 1000.0;
        out.push(SloWarning::SamplesMissing {
            series: name.clone(),
            missing_seconds,
            longest_gap_seconds: longest as f64 / 1000.0,
            longest_gap_start_ms: longest_at,
            message: format!(
                "{name} has no samples for {missing_seconds} s of the period (the longest gap, {} s, \
                 starts {}); that time counts neither as up nor as down. If the target was gone \
                 then, the SLI overstates availability: alert on absent() or count the gap as \
                 down with a recording rule",
                longest as f64 / 1000.0,
                time_text(longest_at)
            ),
        });
    }
    out
}

/// Alert windows shorter than the backtest step.
///
/// At each step `t` a window `w` covers `(t − w, t]`. With `w` shorter than the step, the time
/// `(t − step, t − w]` before each step is in no `w` window: a burst that starts and ends there
/// never raises that window's burn rate, so a condition on it cannot fire for it in the backtest
/// (a rule evaluated at that interval would miss it as well). Longer windows still count it.
pub(crate) fn step_warnings(conditions: &[ResolvedCondition], step_ms: i64) -> Vec<SloWarning> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in conditions {
        for (window, window_ms) in [(&c.short_window, c.short_ms), (&c.long_window, c.long_ms)] {
            if window_ms >= step_ms || !seen.insert(window_ms) {
                continue;
            }
            out.push(SloWarning::WindowShorterThanStep {
                window: window.clone(),
                window_ms,
                step_ms,
                message: format!(
                    "alert window {window} is shorter than the backtest step ({} s): at each step \
                     it covers only the last {window}, so events in the rest of each step are in \
                     no {window} window and cannot make a condition on it fire in the backtest \
                     (longer windows still count them); use a step of at most {window} to \
                     backtest it",
                    step_ms as f64 / 1000.0
                ),
            });
        }
    }
    out
}
