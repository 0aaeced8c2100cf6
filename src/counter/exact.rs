//! The exact increase: the sum of the deltas between consecutive samples, no extrapolation.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "counts of samples held in memory cannot overflow"
)]

use serde::Serialize;

use super::Samples;

/// The exact increase of a counter over some samples, and what was done with odd values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExactIncrease {
    /// The increase; `None` when fewer than two finite samples were left ("no data"), so that
    /// `Some(0.0)` always means "observed, and no events".
    pub increase: Option<f64>,
    /// Finite samples the increase was computed from.
    pub samples: usize,
    /// Drops between consecutive finite samples (counter resets).
    pub resets: usize,
    /// `NaN` samples skipped.
    pub nan_skipped: usize,
    /// `+Inf` and `-Inf` samples skipped.
    pub inf_skipped: usize,
    /// Finite samples below zero, which a counter never has (used, see [`exact_increase`]).
    pub negative_values: usize,
}

/// The exact increase of a counter over all of `samples`: the sum, over consecutive finite
/// samples, of `current − previous` when the value rose or stayed, and of `current` when it
/// dropped (a reset: the new process counts from zero, Prometheus' rule).
///
/// Special cases:
/// * no samples, or a single finite one: `increase: None` (no interval was observed); two equal
///   samples: `Some(0.0)`;
/// * the first sample is the baseline: what the counter held before it is not counted (the
///   counter may have started long before);
/// * `NaN` and `±Inf` samples are skipped and counted (`nan_skipped`, `inf_skipped`): the delta is
///   taken between the finite samples on either side, so a reset next to a `NaN` is still seen
///   (PromQL does not see it, see [`promql_increase`](super::promql_increase));
/// * negative values are counted in `negative_values` and used as values: a rise from `-3` to `2`
///   counts 5; a drop to a negative value is a reset that counts nothing (not a negative amount),
///   so the result is never negative;
/// * the sum can only overflow to `+Inf` for values near `f64::MAX`.
pub fn exact_increase(samples: Samples<'_>) -> ExactIncrease {
    exact_over(samples.values().iter().copied())
}

/// The exact increase from the last finite sample at or before `start_ms` to the last sample at or
/// before `end_ms`: the deltas (as in [`exact_increase`]) of the consecutive pairs whose later
/// sample lies in `(start_ms, end_ms]`.
///
/// So increases of adjacent windows add up: `between(a, b) + between(b, c) = between(a, c)`,
/// which no extrapolating function gives. This is FleetLens' answer to "how many events in this
/// window", where PromQL's `increase()` estimates it.
///
/// Special cases:
/// * `end_ms <= start_ms`, or no finite sample in `(start_ms, end_ms]`: `increase: None`;
/// * no finite sample at or before `start_ms` (the series starts inside the window): the first
///   sample in the window is the baseline, as in [`exact_increase`];
/// * `NaN`, `±Inf` and negative values as in [`exact_increase`] (counted in the window only).
pub fn exact_increase_between(samples: Samples<'_>, start_ms: i64, end_ms: i64) -> ExactIncrease {
    if end_ms <= start_ms {
        return exact_over(std::iter::empty());
    }
    let lo = samples.after(start_ms);
    let hi = samples.after(end_ms);
    let baseline = samples
        .values()
        .get(..lo)
        .unwrap_or_default()
        .iter()
        .rev()
        .copied()
        .find(|v| v.is_finite());
    let window = samples.slice(lo..hi);
    // With a baseline, one finite sample in the window makes two; without, the window's own
    // samples must make two. Either way "no finite sample in the window" gives `None`.
    exact_over(baseline.into_iter().chain(window.values().iter().copied()))
}

/// The delta one sample adds: a rise counts fully, a drop is a reset and counts the new value
/// from zero (nothing when it is negative).
pub(super) fn step_delta(previous: f64, current: f64) -> f64 {
    if current >= previous {
        current - previous
    } else {
        current.max(0.0)
    }
}

fn exact_over(values: impl Iterator<Item = f64>) -> ExactIncrease {
    let mut out = ExactIncrease {
        increase: None,
        samples: 0,
        resets: 0,
        nan_skipped: 0,
        inf_skipped: 0,
        negative_values: 0,
    };
    let mut previous: Option<f64> = None;
    let mut total = 0.0;
    for v in values {
        if v.is_nan() {
            out.nan_skipped += 1;
            continue;
        }
        if v.is_infinite() {
            out.inf_skipped += 1;
            continue;
        }
        out.samples += 1;
        if v < 0.0 {
            out.negative_values += 1;
        }
        if let Some(p) = previous {
            total += step_delta(p, v);
            if v < p {
                out.resets += 1;
            }
        }
        previous = Some(v);
    }
    if out.samples >= 2 {
        out.increase = Some(total);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAN: f64 = f64::NAN;
    const INF: f64 = f64::INFINITY;

    fn times(n: usize) -> Vec<i64> {
        (0..n as i64).map(|i| i * 1000).collect()
    }

    #[test]
    fn exact_increase_cases() {
        // (name, values, increase, resets, nan, inf, negative)
        type Case = (
            &'static str,
            &'static [f64],
            Option<f64>,
            usize,
            usize,
            usize,
            usize,
        );
        let cases: &[Case] = &[
            ("no samples", &[], None, 0, 0, 0, 0),
            ("one sample", &[5.0], None, 0, 0, 0, 0),
            (
                "two equal samples are zero events",
                &[5.0, 5.0],
                Some(0.0),
                0,
                0,
                0,
                0,
            ),
            (
                "monotone: last - first",
                &[3.0, 4.0, 10.0],
                Some(7.0),
                0,
                0,
                0,
                0,
            ),
            // 10 -> 12: +2; 12 -> 3 reset: +3 (counted from zero); 3 -> 5: +2. Total 7.
            ("one reset", &[10.0, 12.0, 3.0, 5.0], Some(7.0), 1, 0, 0, 0),
            // 8 -> 0 reset: +0; 0 -> 0: +0.
            (
                "reset to zero then idle",
                &[8.0, 0.0, 0.0],
                Some(0.0),
                1,
                0,
                0,
                0,
            ),
            // NaN skipped: the pair is 10 -> 4, a reset: +4; then 4 -> 6: +2.
            (
                "nan hides nothing",
                &[10.0, NAN, 4.0, 6.0],
                Some(6.0),
                1,
                1,
                0,
                0,
            ),
            ("only nan", &[NAN, NAN], None, 0, 2, 0, 0),
            ("nan leaves one sample", &[NAN, 1.0], None, 0, 1, 0, 0),
            ("inf skipped", &[1.0, INF, 2.0, -INF], Some(1.0), 0, 0, 2, 0),
            // -3 -> 2: +5; 2 -> -1: reset to a negative value counts 0; -1 -> 0: +1.
            (
                "negative values",
                &[-3.0, 2.0, -1.0, 0.0],
                Some(6.0),
                1,
                0,
                0,
                2,
            ),
            // Two writers on one series: 100 -> 5: +5, 5 -> 101: +96, 101 -> 6: +6, 6 -> 102: +96.
            (
                "colliding writers",
                &[100.0, 5.0, 101.0, 6.0, 102.0],
                Some(203.0),
                2,
                0,
                0,
                0,
            ),
        ];
        for (name, values, inc, resets, nan, inf, neg) in cases {
            let t = times(values.len());
            let got = exact_increase(Samples::new(&t, values).unwrap());
            assert_eq!(got.increase, *inc, "case {name} failed");
            assert_eq!(
                (
                    got.resets,
                    got.nan_skipped,
                    got.inf_skipped,
                    got.negative_values
                ),
                (*resets, *nan, *inf, *neg),
                "case {name} failed"
            );
        }
    }

    #[test]
    fn exact_increase_between_cases() {
        // Samples at 0 s, 1 s, ..., 5 s.
        let values = [10.0, 12.0, NAN, 3.0, 5.0, 5.0];
        let t = times(values.len());
        let s = Samples::new(&t, &values).unwrap();
        // (name, start_ms, end_ms, increase, samples used)
        type Case = (&'static str, i64, i64, Option<f64>, usize);
        let cases: &[Case] = &[
            ("empty window", 1000, 1000, None, 0),
            ("reversed window", 3000, 1000, None, 0),
            // (0, 1000]: baseline 10 at 0 s, then 12: +2.
            ("one pair", 0, 1000, Some(2.0), 2),
            // (-1000, 0]: no baseline, one sample: nothing measured.
            ("series starts in the window", -1000, 0, None, 1),
            // (1000, 2000]: only the NaN at 2 s is in the window.
            ("only nan in window", 1000, 2000, None, 1),
            // (2000, 3000]: baseline is 12 at 1 s (the NaN at 2 s is passed over): reset to 3, +3.
            ("baseline skips nan", 2000, 3000, Some(3.0), 2),
            // (0, 5000]: 10 -> 12 +2, 12 -> 3 reset +3, 3 -> 5 +2, 5 -> 5 +0.
            ("whole series", -1, 5000, Some(7.0), 5),
            // (4000, 5000]: 5 -> 5, observed with no events.
            ("zero events", 4000, 5000, Some(0.0), 2),
            ("after the last sample", 5000, 9000, None, 1),
        ];
        for (name, a, b, inc, used) in cases {
            let got = exact_increase_between(s, *a, *b);
            assert_eq!(
                (got.increase, got.samples),
                (*inc, *used),
                "case {name} failed"
            );
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn series() -> impl Strategy<Value = (Vec<i64>, Vec<f64>)> {
            proptest::collection::vec((1i64..5000, -5i32..200, 0u8..20), 0..60).prop_map(|raw| {
                let mut t = 0;
                let mut times = Vec::new();
                let mut values = Vec::new();
                for (dt, v, kind) in raw {
                    t += dt;
                    times.push(t);
                    values.push(match kind {
                        0 => f64::NAN,
                        1 => f64::INFINITY,
                        _ => f64::from(v),
                    });
                }
                (times, values)
            })
        }

        proptest! {
            #[test]
            fn never_negative((t, v) in series()) {
                let s = Samples::new(&t, &v).unwrap();
                prop_assert!(exact_increase(s).increase.unwrap_or(0.0) >= 0.0);
            }

            #[test]
            fn monotone_series_gives_last_minus_first(mut v in proptest::collection::vec(0u32..1000, 2..50)) {
                v.sort_unstable();
                let t: Vec<i64> = (0..v.len() as i64).collect();
                let values: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
                let got = exact_increase(Samples::new(&t, &values).unwrap());
                prop_assert_eq!(got.increase, Some(values[values.len() - 1] - values[0]));
                prop_assert_eq!(got.resets, 0);
            }

            #[test]
            fn cumulative_increase_never_decreases((t, v) in series()) {
                let s = Samples::new(&t, &v).unwrap();
                let start = t.first().copied().unwrap_or(0) - 1;
                let mut last = 0.0;
                for &end in &t {
                    let now = exact_increase_between(s, start, end).increase.unwrap_or(0.0);
                    prop_assert!(now >= last, "{} then {}", last, now);
                    last = now;
                }
            }

            #[test]
            fn adjacent_windows_add_up((t, v) in series(), a in 0i64..100_000, b in 0i64..100_000, c in 0i64..100_000) {
                let mut cut = [a, b, c];
                cut.sort_unstable();
                let [a, b, c] = cut;
                let s = Samples::new(&t, &v).unwrap();
                let part = |x, y| exact_increase_between(s, x, y).increase.unwrap_or(0.0);
                // Values are small integers: the sums are exact.
                prop_assert_eq!(part(a, b) + part(b, c), part(a, c));
            }
        }
    }
}
