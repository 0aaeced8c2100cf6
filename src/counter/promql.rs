//! PromQL's `increase()`, `rate()` and `resets()` over one range, computed as Prometheus does.
//!
//! `increase()` and `rate()` are one computation (Prometheus' `extrapolatedRate` for counters):
//!
//! 1. select the samples in the range (closed `[t − range, t]` before 3.0, left-open after);
//!    fewer than two: no value;
//! 2. `last − first`, plus the value before every drop (each drop is a reset; the new process
//!    counted from zero);
//! 3. extrapolate from the first and last samples towards the edges of the range: all the way
//!    when the gap to the edge is below [`EXTRAPOLATION_THRESHOLD_FACTOR`] × the average interval
//!    between samples, else by half an average interval (the series starts or ends inside the
//!    range); never to before the time the counter would have been zero;
//! 4. `rate()` divides by the range in seconds.
//!
//! The float operations are done in Prometheus' order, so results are equal to the bit.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "differences of times are taken in i128; the sub-second part of a range is below 1000 ms, so its nanoseconds fit"
)]

use serde::{Deserialize, Serialize};

use super::Samples;

/// How far from an edge of the range the first or last sample may be, in average intervals
/// between samples, for PromQL to extrapolate all the way to that edge.
///
/// Prometheus' constant. A gap of up to one interval is what regular sampling gives; the 10 %
/// allows for scrape jitter. A longer gap means the series started or stopped inside the range,
/// and PromQL then extrapolates by half an interval only.
pub const EXTRAPOLATION_THRESHOLD_FACTOR: f64 = 1.1;

/// Which Prometheus version's `increase()`, `rate()` and `resets()` to reproduce.
///
/// Two changes matter for counters:
/// * Prometheus 2.51 moved the zero-point clamp after the extrapolation threshold test. Before,
///   a series that starts inside the range but whose zero point is close to its first sample was
///   extrapolated to that zero point; since, it is extrapolated by half an interval when that is
///   shorter;
/// * Prometheus 3.0 made ranges left-open: a sample exactly at `t − range` is no longer in the
///   range.
///
/// Not modelled: the experimental `anchored`/`smoothed` modifiers and start (created) timestamps
/// of Prometheus 3, which only apply when enabled by a feature flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PromqlCompat {
    /// Prometheus 2.0 to 2.50 (Debian 12 ships 2.42): ranges are closed, `[t − range, t]`; the
    /// zero-point clamp is applied first, and the extrapolation threshold is tested on the
    /// clamped gap.
    #[serde(rename = "v2")]
    V2,
    /// Prometheus 2.51 to 2.55: ranges are closed; the threshold is tested first (a long gap
    /// becomes half an interval), then the zero-point clamp may shorten it further.
    #[serde(rename = "v2.51")]
    V2_51,
    /// Prometheus 3.0 and later (the default): ranges are left-open, `(t − range, t]`; threshold
    /// first, then the zero-point clamp.
    #[default]
    #[serde(rename = "v3")]
    V3,
}

impl PromqlCompat {
    /// True when a sample at exactly `t − range` belongs to the range.
    fn closed_range(self) -> bool {
        !matches!(self, PromqlCompat::V3)
    }

    /// True when the zero-point clamp comes before the extrapolation threshold test.
    fn clamp_before_threshold(self) -> bool {
        matches!(self, PromqlCompat::V2)
    }
}

/// PromQL's `increase(m[range])` evaluated at `at_ms`, for one series.
///
/// `samples` may hold the whole series: the ones in the range are selected here.
///
/// Special cases:
/// * `range_ms <= 0`, or fewer than two samples in the range: `None` (Prometheus returns no
///   value for the series);
/// * a reset (a sample lower than the one before) adds the value before it;
/// * extrapolation: to the edge of the range when the gap is below
///   [`EXTRAPOLATION_THRESHOLD_FACTOR`] × the average interval, else by half an interval; when
///   the result is positive and the first value is not negative, never further back than the
///   point where the counter would have been zero (so a young counter is not extrapolated below
///   zero); the order of these two steps depends on `compat`;
/// * `NaN`: compared like Prometheus compares (every comparison is false), so a `NaN` first or
///   last sample gives `NaN`, and a `NaN` between two samples hides a reset there (the result can
///   then be negative); [`exact_increase`](super::exact_increase) skips `NaN` instead;
/// * `±Inf` and negative values: used as they are, as Prometheus does (`Inf − Inf` is `NaN`);
/// * the result can be non-integer for an integer counter: it is an estimate of the increase over
///   exactly `range_ms`, not a count of the samples' deltas.
pub fn promql_increase(
    samples: Samples<'_>,
    at_ms: i64,
    range_ms: i64,
    compat: PromqlCompat,
) -> Option<f64> {
    extrapolated(samples, at_ms, range_ms, false, compat, None)
}

/// PromQL's `rate(m[range])` evaluated at `at_ms`, for one series: [`promql_increase`] per second
/// of `range_ms`, with the same special cases (computed as Prometheus computes it: the
/// extrapolation factor is divided by the range before it multiplies the increase).
pub fn promql_rate(
    samples: Samples<'_>,
    at_ms: i64,
    range_ms: i64,
    compat: PromqlCompat,
) -> Option<f64> {
    extrapolated(samples, at_ms, range_ms, true, compat, None)
}

/// PromQL's `resets(m[range])` evaluated at `at_ms`, for one series: how many samples in the
/// range are lower than the one before.
///
/// Special cases:
/// * `range_ms <= 0`, or no sample in the range: `None` (no value);
/// * one sample: `Some(0)`;
/// * `NaN`: every comparison with it is false, so a drop across a `NaN` is not counted.
pub fn promql_resets(
    samples: Samples<'_>,
    at_ms: i64,
    range_ms: i64,
    compat: PromqlCompat,
) -> Option<usize> {
    let (window, _) = select(samples, at_ms, range_ms, compat)?;
    if window.is_empty() {
        return None;
    }
    Some(
        window
            .values()
            .windows(2)
            .filter(|w| matches!(w, [previous, current] if current < previous))
            .count(),
    )
}

/// The samples in the range that ends at `at_ms`, and the index of the first of them in
/// `samples`; `None` when `range_ms <= 0`.
fn select<'a>(
    samples: Samples<'a>,
    at_ms: i64,
    range_ms: i64,
    compat: PromqlCompat,
) -> Option<(Samples<'a>, usize)> {
    if range_ms <= 0 {
        return None;
    }
    let range_start = at_ms.saturating_sub(range_ms);
    let lo = if compat.closed_range() {
        samples.at_or_after(range_start)
    } else {
        samples.after(range_start)
    };
    Some((samples.slice(lo..samples.after(at_ms)), lo))
}

/// Prometheus' `extrapolatedRate` for a counter, step by step in its order of operations.
///
/// `drops`, when given, lists every index `i` of `samples` with `values[i] < values[i − 1]`
/// (ascending): only those are visited to add the value before each reset, in the same order as
/// the scan of every pair, so the result is the same to the bit.
pub(super) fn extrapolated(
    samples: Samples<'_>,
    at_ms: i64,
    range_ms: i64,
    is_rate: bool,
    compat: PromqlCompat,
    drops: Option<&[usize]>,
) -> Option<f64> {
    let (window, offset) = select(samples, at_ms, range_ms, compat)?;
    let (times, values) = (window.time_ms(), window.values());
    let (&first_t, &last_t) = (times.first()?, times.last()?);
    let (&first_v, &last_v) = (values.first()?, values.last()?);
    let intervals = values.len().checked_sub(1).filter(|&n| n > 0)?;

    let mut result = last_v - first_v;
    match drops {
        Some(drops) => {
            // Drops whose later sample is in the window and whose earlier one is too.
            let from = drops.partition_point(|&i| i <= offset);
            let to = drops.partition_point(|&i| i < offset + values.len());
            for &i in drops.get(from..to).unwrap_or_default() {
                result += samples.values().get(i - 1).copied().unwrap_or_default();
            }
        }
        None => {
            for pair in values.windows(2) {
                if let [previous, current] = *pair {
                    if current < previous {
                        result += previous;
                    }
                }
            }
        }
    }

    let range_start = at_ms.saturating_sub(range_ms);
    let mut duration_to_start = seconds_between(range_start, first_t);
    let mut duration_to_end = seconds_between(last_t, at_ms);
    let sampled_interval = seconds_between(first_t, last_t);
    let average_interval = sampled_interval / intervals as f64;
    let threshold = average_interval * EXTRAPOLATION_THRESHOLD_FACTOR;
    // The time before the first sample at which the counter, going at its average pace, was 0.
    let duration_to_zero =
        (result > 0.0 && first_v >= 0.0).then(|| sampled_interval * (first_v / result));

    if compat.clamp_before_threshold() {
        if let Some(to_zero) = duration_to_zero {
            if to_zero < duration_to_start {
                duration_to_start = to_zero;
            }
        }
        if duration_to_start >= threshold {
            duration_to_start = average_interval / 2.0;
        }
    } else {
        if duration_to_start >= threshold {
            duration_to_start = average_interval / 2.0;
        }
        if let Some(to_zero) = duration_to_zero {
            if to_zero < duration_to_start {
                duration_to_start = to_zero;
            }
        }
    }
    if duration_to_end >= threshold {
        duration_to_end = average_interval / 2.0;
    }

    let mut factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
    if is_rate {
        factor /= range_seconds(range_ms);
    }
    Some(result * factor)
}

/// Seconds from `from_ms` to `to_ms`, as Prometheus computes them (`float64(Δms) / 1000`).
fn seconds_between(from_ms: i64, to_ms: i64) -> f64 {
    (i128::from(to_ms) - i128::from(from_ms)) as f64 / 1000.0
}

/// A range in seconds as Go's `time.Duration.Seconds()` computes it: whole seconds plus the
/// fraction, so that the result is the same to the bit.
fn range_seconds(range_ms: i64) -> f64 {
    let whole = range_ms / 1000;
    let nanos = (range_ms % 1000) * 1_000_000;
    whole as f64 + nanos as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use PromqlCompat::{V2, V2_51, V3};

    const NAN: f64 = f64::NAN;

    /// Equal, both NaN, or within 1e-12 relative.
    fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                (a.is_nan() && b.is_nan())
                    || a == b
                    || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
            }
            _ => false,
        }
    }

    // Every case evaluates at 60 s with a 60 s range, so the range starts at 0 s.
    const AT: i64 = 60_000;
    const RANGE: i64 = 60_000;

    /// (name, sample times in seconds, values, increase in V2, in V2_51, in V3)
    type Case = (
        &'static str,
        &'static [i64],
        &'static [f64],
        Option<f64>,
        Option<f64>,
        Option<f64>,
    );

    const CASES: &[Case] = &[
        ("no samples", &[], &[], None, None, None),
        ("one sample", &[30], &[5.0], None, None, None),
        // Two samples, only one of them in a left-open range: V3 has no value.
        (
            "second sample on the range start",
            &[0, 30],
            &[1.0, 2.0],
            Some(2.0),
            Some(2.0),
            None,
        ),
        // 0,15,…,60 s: 0..4. V2: five samples cover the range, 4. V3 drops the one at 0 s: 1..4
        // over 45 s, start gap 15 s < 16.5 s, zero point 45·1/3 = 15 s away, so extrapolated to
        // 60 s: 3·60/45 = 4 again.
        (
            "regular, full coverage",
            &[0, 15, 30, 45, 60],
            &[0.0, 1.0, 2.0, 3.0, 4.0],
            Some(4.0),
            Some(4.0),
            Some(4.0),
        ),
        // Samples 10, 14, 30 at 0, 30, 60 s. V2: 20 over the whole range, factor 1. V3: 14 and
        // 30 only: 16 over 30 s; start gap 30 s < 33 s; zero point 30·14/16 = 26.25 s; factor
        // (30 + 26.25)/30 = 1.875; 16·1.875 = 30.
        (
            "sample on the range start",
            &[0, 30, 60],
            &[10.0, 14.0, 30.0],
            Some(20.0),
            Some(20.0),
            Some(30.0),
        ),
        // Samples 5, 10, 15, 20 at 30…60 s: result 15, sampled 30 s, average 10 s, threshold
        // 11 s, start gap 30 s, zero point 30·5/15 = 10 s.
        // V2 clamps first: gap 10 s < 11 s, so it extrapolates 10 s: 15·40/30 = 20.
        // 2.51+: gap 30 s ≥ 11 s becomes 5 s (half an interval); zero point 10 s is not shorter:
        // 15·35/30 = 17.5.
        (
            "starts inside the range (clamp order)",
            &[30, 40, 50, 60],
            &[5.0, 10.0, 15.0, 20.0],
            Some(20.0),
            Some(17.5),
            Some(17.5),
        ),
        // Samples 0..3 at 0…30 s: the end gap 30 s ≥ 11 s becomes 5 s: 3·35/30 = 3.5. The
        // start gap is 0 in V2; in V3 (0 s excluded) 1..3 over 20 s, start gap 10 s < 11 s, zero
        // point 20·1/2 = 10 s: 2·(20 + 10 + 5)/20 = 3.5.
        (
            "ends inside the range",
            &[0, 10, 20, 30],
            &[0.0, 1.0, 2.0, 3.0],
            Some(3.5),
            Some(3.5),
            Some(3.5),
        ),
        // 10, 15, 3, 8 at 0, 20, 40, 60 s. V2: 8 − 10 + 15 (reset) = 13 over the whole range.
        // V3: 15, 3, 8 at 20…60 s: 8 − 15 + 15 = 8 over 40 s, start gap 20 s < 22 s, zero point
        // 40·15/8 = 75 s is further: 8·60/40 = 12.
        (
            "reset",
            &[0, 20, 40, 60],
            &[10.0, 15.0, 3.0, 8.0],
            Some(13.0),
            Some(13.0),
            Some(12.0),
        ),
        // 10, 20, 20 at 20, 40, 60 s then idle: zero-traffic stretch still extrapolates the
        // 10: 10 over 40 s, start gap 20 s < 22 s, zero point 40·10/10 = 40 s: 10·60/40 = 15.
        (
            "idle after a rise",
            &[20, 40, 60],
            &[10.0, 20.0, 20.0],
            Some(15.0),
            Some(15.0),
            Some(15.0),
        ),
        (
            "no events",
            &[20, 40, 60],
            &[7.0, 7.0, 7.0],
            Some(0.0),
            Some(0.0),
            Some(0.0),
        ),
        // A NaN between samples: 10 → NaN → 4 has no reset (comparisons with NaN are false), so
        // 4 − 10 = −6 over 40 s of 60: −6·60/40 = −9 (no zero clamp: the result is not positive).
        (
            "nan hides a reset",
            &[20, 40, 60],
            &[10.0, NAN, 4.0],
            Some(-9.0),
            Some(-9.0),
            Some(-9.0),
        ),
        (
            "nan last",
            &[20, 40, 60],
            &[1.0, 2.0, NAN],
            Some(NAN),
            Some(NAN),
            Some(NAN),
        ),
        // A negative first value: no zero clamp. 20 over 40 s, start gap 20 s < 22 s: 30.
        (
            "negative first value",
            &[20, 40, 60],
            &[-10.0, 0.0, 10.0],
            Some(30.0),
            Some(30.0),
            Some(30.0),
        ),
    ];

    #[test]
    fn increase_and_rate_per_version() {
        for (name, secs, values, v2, v2_51, v3) in CASES {
            let t: Vec<i64> = secs.iter().map(|s| s * 1000).collect();
            let s = Samples::new(&t, values).unwrap();
            for (compat, want) in [(V2, v2), (V2_51, v2_51), (V3, v3)] {
                let inc = promql_increase(s, AT, RANGE, compat);
                assert!(
                    close(inc, *want),
                    "case {name} ({compat:?}) failed: {inc:?}"
                );
                let rate = promql_rate(s, AT, RANGE, compat);
                assert!(
                    close(rate, want.map(|w| w / 60.0)),
                    "case {name} ({compat:?}) rate failed: {rate:?}"
                );
            }
        }
    }

    #[test]
    fn resets_per_version() {
        // (name, times in s, values, V2, V3)
        type ResetCase = (
            &'static str,
            &'static [i64],
            &'static [f64],
            Option<usize>,
            Option<usize>,
        );
        let cases: &[ResetCase] = &[
            ("no samples", &[], &[], None, None),
            ("one sample", &[30], &[5.0], Some(0), Some(0)),
            ("only on the range start", &[0], &[5.0], Some(0), None),
            // The drop from 10 at 0 s is in V2's closed range only.
            (
                "drop after the range start",
                &[0, 30, 60],
                &[10.0, 5.0, 6.0],
                Some(1),
                Some(0),
            ),
            (
                "two writers",
                &[10, 20, 30, 40, 50],
                &[100.0, 5.0, 101.0, 6.0, 102.0],
                Some(2),
                Some(2),
            ),
            (
                "nan between",
                &[10, 20, 30],
                &[10.0, NAN, 4.0],
                Some(0),
                Some(0),
            ),
        ];
        for (name, secs, values, v2, v3) in cases {
            let t: Vec<i64> = secs.iter().map(|s| s * 1000).collect();
            let s = Samples::new(&t, values).unwrap();
            assert_eq!(
                promql_resets(s, AT, RANGE, V2),
                *v2,
                "case {name} (V2) failed"
            );
            assert_eq!(
                promql_resets(s, AT, RANGE, V3),
                *v3,
                "case {name} (V3) failed"
            );
        }
    }

    #[test]
    fn empty_or_negative_range_has_no_value() {
        let t = [0, 30_000, 60_000];
        let v = [1.0, 2.0, 3.0];
        let s = Samples::new(&t, &v).unwrap();
        for range in [0, -60_000] {
            assert_eq!(promql_increase(s, AT, range, V3), None);
            assert_eq!(promql_resets(s, AT, range, V2), None);
        }
        // An evaluation time near i64::MIN does not overflow.
        assert_eq!(promql_increase(s, i64::MIN + 5, RANGE, V3), None);
    }

    #[test]
    fn compat_names() {
        assert_eq!(PromqlCompat::default(), V3);
        for (compat, name) in [(V2, "v2"), (V2_51, "v2.51"), (V3, "v3")] {
            let json = serde_json::to_value(compat).unwrap();
            assert_eq!(json, name, "case {name} failed");
            assert_eq!(
                serde_json::from_value::<PromqlCompat>(json).unwrap(),
                compat
            );
        }
    }

    #[test]
    fn range_seconds_like_go() {
        let cases: &[(i64, f64)] = &[
            (60_000, 60.0),
            (90_500, 90.5),
            (1, 0.001),
            (3_600_123, 3600.123),
        ];
        for (ms, want) in cases {
            assert_eq!(range_seconds(*ms), *want, "case {ms} failed");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn rate_is_increase_per_second(
                gaps in proptest::collection::vec(1i64..90_000, 0..40),
                steps in proptest::collection::vec(0u32..50, 40),
                at in 0i64..3_000_000,
                range in 1i64..1_000_000,
            ) {
                let mut t = Vec::new();
                let mut now = 0;
                for g in gaps { now += g; t.push(now); }
                let v: Vec<f64> = steps.iter().take(t.len()).scan(0.0, |acc, &d| { *acc += f64::from(d); Some(*acc) }).collect();
                let s = Samples::new(&t, &v).unwrap();
                for compat in [V2, V2_51, V3] {
                    let inc = promql_increase(s, at, range, compat);
                    let rate = promql_rate(s, at, range, compat);
                    prop_assert_eq!(inc.is_some(), rate.is_some());
                    if let (Some(i), Some(r)) = (inc, rate) {
                        let per_second = i / (range as f64 / 1000.0);
                        prop_assert!((r - per_second).abs() <= 1e-9 * per_second.abs().max(1e-300), "{} vs {}", r, per_second);
                        // A monotone counter never gets a negative estimate.
                        prop_assert!(i >= 0.0);
                    }
                }
            }
        }
    }
}
