//! A counter series prepared once for increases over many windows.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "index arithmetic stays within the samples' length (or one past it) and counts within the number of samples, so no sum or difference here can overflow"
)]

use super::exact::{exact_increase_between, step_delta};
use super::promql::{extrapolated, PromqlCompat};
use super::Samples;
use crate::error::Result;
use crate::frame::Series;

/// One series' samples, checked once, with running sums that answer the exact increase over any
/// window with two binary searches, and PromQL's increase with two binary searches plus the
/// resets in the window.
///
/// Build it once per series when a view evaluates many windows (hourly and daily costs, burn
/// rates at every step of a backtest); a single window is as cheap with
/// [`exact_increase_between`](super::exact_increase_between). Building is one pass over the
/// samples.
///
/// Results:
/// * [`CounterIndex::exact_increase_between`] equals
///   [`exact_increase_between`](super::exact_increase_between)`(..).increase` with the deltas
///   added in another order: both add the same deltas (all ≥ 0), the running sums in double
///   length (an unevaluated sum of two `f64`), so the two differ by at most the rounding of the
///   direct sum (about `n · 1.1e-16` relative for `n` samples in the window); equal to the bit
///   when the deltas are whole numbers below 2^53;
/// * [`CounterIndex::promql_increase`] and [`CounterIndex::promql_rate`] equal
///   [`promql_increase`](super::promql_increase) and [`promql_rate`](super::promql_rate) to the
///   bit (the same operations in the same order; only the samples that are not drops are skipped
///   without being looked at).
#[derive(Debug, Clone)]
pub struct CounterIndex<'a> {
    samples: Samples<'a>,
    /// `sums[k]`: the exact increase of the pairs whose later sample has an index below `k`, as
    /// `hi + lo` (the rounding error of `hi` kept in `lo`). `n + 1` entries.
    sums: Vec<[f64; 2]>,
    /// `finite[k]`: finite samples with an index below `k`; empty when every sample is finite
    /// (then it is `k`).
    finite: Vec<usize>,
    /// Indices `i ≥ 1` where `values[i] < values[i − 1]` (PromQL's resets, `NaN` never one).
    drops: Vec<usize>,
    /// False when a running sum overflowed (values near `f64::MAX`): windows are then summed
    /// directly.
    sums_finite: bool,
}

/// `a + b` as the rounded sum and its exact rounding error (Knuth's two-sum).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

impl<'a> CounterIndex<'a> {
    /// Builds the index of checked samples (one pass).
    pub fn new(samples: Samples<'a>) -> Self {
        let values = samples.values();
        let all_finite = values.iter().all(|v| v.is_finite());
        let mut sums = Vec::with_capacity(values.len() + 1);
        let mut finite = Vec::with_capacity(if all_finite { 0 } else { values.len() + 1 });
        let (mut hi, mut lo) = (0.0f64, 0.0f64);
        let mut previous: Option<f64> = None;
        let mut count = 0usize;
        sums.push([hi, lo]);
        if !all_finite {
            finite.push(0);
        }
        if all_finite {
            // The common case: no sample to skip, every sample after the first adds its delta.
            let mut previous = values.first().copied().unwrap_or_default();
            sums.extend(values.iter().enumerate().map(|(i, &v)| {
                if i > 0 {
                    let (s, e) = two_sum(hi, step_delta(previous, v));
                    hi = s;
                    lo += e;
                }
                previous = v;
                [hi, lo]
            }));
        }
        for &v in values
            .iter()
            .take(if all_finite { 0 } else { values.len() })
        {
            if v.is_finite() {
                if let Some(p) = previous {
                    let (s, e) = two_sum(hi, step_delta(p, v));
                    hi = s;
                    lo += e;
                }
                previous = Some(v);
                count += 1;
            }
            sums.push([hi, lo]);
            if !all_finite {
                finite.push(count);
            }
        }
        let drops = values
            .windows(2)
            .enumerate()
            .filter(|(_, w)| matches!(w, [previous, current] if current < previous))
            .map(|(i, _)| i + 1)
            .collect();
        Self {
            samples,
            sums,
            finite,
            drops,
            sums_finite: hi.is_finite() && lo.is_finite(),
        }
    }

    /// Checks a series' columns (see [`Samples::new`]) and builds its index.
    pub fn of(series: &'a Series) -> Result<Self> {
        Ok(Self::new(Samples::of(series)?))
    }

    /// The samples indexed.
    pub fn samples(&self) -> Samples<'a> {
        self.samples
    }

    /// Finite samples with an index below `k`.
    fn finite_below(&self, k: usize) -> usize {
        if self.finite.is_empty() {
            k
        } else {
            self.finite.get(k).copied().unwrap_or_default()
        }
    }

    /// The exact increase over `(start_ms, end_ms]`: the value of
    /// [`exact_increase_between`](super::exact_increase_between)`(samples, start_ms,
    /// end_ms).increase` (same special cases; see the type for the rounding).
    pub fn exact_increase_between(&self, start_ms: i64, end_ms: i64) -> Option<f64> {
        if end_ms <= start_ms {
            return None;
        }
        let lo = self.samples.after(start_ms);
        let hi = self.samples.after(end_ms);
        self.exact_increase_of(lo, hi, start_ms, end_ms)
    }

    /// Index of the first sample later than `t_ms`, looked for from `hint` onwards when the
    /// sample before `hint` is not later (an exponential search, so a short move costs a few
    /// steps), else by a binary search of all samples. For windows that move forward, as the
    /// steps of a range query do.
    fn after_from(&self, hint: usize, t_ms: i64) -> usize {
        let times = self.samples.time_ms();
        let valid = hint == 0 || times.get(hint - 1).is_some_and(|&t| t <= t_ms);
        if !valid {
            return self.samples.after(t_ms);
        }
        // Every sample before `lo` is not later than `t_ms`; look at lo, lo + 1, lo + 3, …
        let (mut lo, mut width) = (hint, 1);
        loop {
            let probe = lo.saturating_add(width - 1);
            match times.get(probe) {
                Some(&t) if t <= t_ms => {
                    lo = probe + 1;
                    width = width.saturating_mul(2);
                }
                _ => {
                    let end = probe.min(times.len());
                    let part = times.get(lo..end).unwrap_or_default();
                    return lo + part.partition_point(|&t| t <= t_ms);
                }
            }
        }
    }

    /// [`CounterIndex::exact_increase_between`] of each of `windows` (`(start_ms, end_ms)`), the
    /// same values; windows that move forward (as hours or the steps of a range query do) cost
    /// a few steps each instead of two binary searches.
    pub fn exact_increases(&self, windows: &[(i64, i64)]) -> Vec<Option<f64>> {
        let (mut lo, mut hi) = (0, 0);
        windows
            .iter()
            .map(|&(start, end)| {
                lo = self.after_from(lo, start);
                hi = self.after_from(hi.max(lo), end);
                self.exact_increase_of(lo, hi, start, end)
            })
            .collect()
    }

    /// [`CounterIndex::exact_increase_between`] with `lo` and `hi` the indices of the first
    /// samples later than `start_ms` and `end_ms`.
    fn exact_increase_of(&self, lo: usize, hi: usize, start_ms: i64, end_ms: i64) -> Option<f64> {
        if end_ms <= start_ms {
            return None;
        }
        let (f_lo, f_hi) = (self.finite_below(lo), self.finite_below(hi));
        // A finite sample before the window is the baseline; the window's own finite samples
        // follow it.
        if f_lo.min(1) + (f_hi - f_lo) < 2 {
            return None;
        }
        if !self.sums_finite {
            return exact_increase_between(self.samples, start_ms, end_ms).increase;
        }
        let ([h1, l1], [h0, l0]) = (self.sums.get(hi)?, self.sums.get(lo)?);
        let (s, e) = two_sum(*h1, -*h0);
        Some((s + (e + (l1 - l0))).max(0.0))
    }

    /// PromQL's `increase(m[range_ms])` at `at_ms`: the value of
    /// [`promql_increase`](super::promql_increase), to the bit.
    pub fn promql_increase(&self, at_ms: i64, range_ms: i64, compat: PromqlCompat) -> Option<f64> {
        extrapolated(
            self.samples,
            at_ms,
            range_ms,
            false,
            compat,
            Some(&self.drops),
        )
    }

    /// PromQL's `rate(m[range_ms])` at `at_ms`: the value of
    /// [`promql_rate`](super::promql_rate), to the bit.
    pub fn promql_rate(&self, at_ms: i64, range_ms: i64, compat: PromqlCompat) -> Option<f64> {
        extrapolated(
            self.samples,
            at_ms,
            range_ms,
            true,
            compat,
            Some(&self.drops),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{exact_increase_between, promql_increase, promql_rate};
    use super::*;

    const NAN: f64 = f64::NAN;

    #[test]
    fn windows_by_hand() {
        // Samples at 0 s … 5 s: 10, 12, NaN, 3, 5, 5. Deltas: +2 (at 1 s), the reset 12 → 3 across
        // the NaN +3 (at 3 s), +2 (at 4 s), +0 (at 5 s).
        let t = [0, 1000, 2000, 3000, 4000, 5000];
        let v = [10.0, 12.0, NAN, 3.0, 5.0, 5.0];
        let index = CounterIndex::new(Samples::new(&t, &v).unwrap());
        type Case = (&'static str, i64, i64, Option<f64>);
        let cases: &[Case] = &[
            ("whole series", -1, 5000, Some(7.0)),
            ("first pair", 0, 1000, Some(2.0)),
            ("baseline skips the nan", 2000, 3000, Some(3.0)),
            ("only the nan", 1000, 2000, None),
            ("no change is zero", 4000, 5000, Some(0.0)),
            ("series starts inside", -1000, 0, None),
            ("after the end", 5000, 9000, None),
            ("empty window", 3000, 3000, None),
            // (2.5 s, 5 s]: baseline 12 at 1 s; 12 → 3 reset +3, 3 → 5 +2, 5 → 5 +0.
            (
                "baseline before the nan, three pairs",
                2500,
                5000,
                Some(5.0),
            ),
        ];
        for (name, a, b, want) in cases {
            assert_eq!(
                index.exact_increase_between(*a, *b),
                *want,
                "case {name} failed"
            );
        }
    }

    #[test]
    fn running_sums_keep_small_windows_exact_after_large_totals() {
        // A counter at 1e12 rising by 0.001 per sample: a plain running sum would lose the
        // small window to rounding; the double-length sum gives 0.001 to about 1e-16 relative
        // of the directly summed delta.
        let t: Vec<i64> = (0..1000).collect();
        let mut v: Vec<f64> = (0..1000).map(|k| 1e9 * f64::from(k)).collect();
        v.extend((0..1000).map(|k| 1e12 + 0.001 * f64::from(k)));
        let t: Vec<i64> = t.iter().copied().chain(1000..2000).collect();
        let s = Samples::new(&t, &v).unwrap();
        let index = CounterIndex::new(s);
        let direct = exact_increase_between(s, 1500, 1501).increase.unwrap();
        let fast = index.exact_increase_between(1500, 1501).unwrap();
        assert!(
            (fast - direct).abs() <= 1e-15 * direct,
            "{fast} vs {direct}"
        );
    }

    #[test]
    fn overflowing_sums_fall_back_to_the_direct_sum() {
        let t = [0, 1, 2, 3];
        let v = [0.0, f64::MAX, 0.0, f64::MAX];
        let s = Samples::new(&t, &v).unwrap();
        let index = CounterIndex::new(s);
        assert_eq!(index.exact_increase_between(1, 3), Some(f64::MAX));
        assert_eq!(
            index.exact_increase_between(-1, 3),
            exact_increase_between(s, -1, 3).increase
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use crate::counter::PromqlCompat;
        use proptest::prelude::*;

        /// Random series with resets, `NaN`, `±Inf`, negative and fractional values.
        fn series() -> impl Strategy<Value = (Vec<i64>, Vec<f64>)> {
            proptest::collection::vec((1i64..5000, -50i32..20_000, 0u8..30), 0..80).prop_map(
                |raw| {
                    let mut t = 0;
                    let (mut times, mut values) = (Vec::new(), Vec::new());
                    let mut level = 0.0;
                    for (dt, v, kind) in raw {
                        t += dt;
                        times.push(t);
                        values.push(match kind {
                            0 => f64::NAN,
                            1 => f64::INFINITY,
                            2 => f64::NEG_INFINITY,
                            3 => {
                                level = f64::from(v) / 7.0;
                                level
                            }
                            _ => {
                                level += f64::from(v.abs()) / 1000.0;
                                level
                            }
                        });
                    }
                    (times, values)
                },
            )
        }

        fn close(a: Option<f64>, b: Option<f64>) -> bool {
            match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()),
                _ => false,
            }
        }

        fn same_bits(a: Option<f64>, b: Option<f64>) -> bool {
            a.map(f64::to_bits) == b.map(f64::to_bits)
        }

        proptest! {
            #[test]
            fn exact_windows_equal_the_direct_increase(
                (t, v) in series(),
                cuts in proptest::collection::vec(-1000i64..450_000, 1..12),
            ) {
                let s = Samples::new(&t, &v).unwrap();
                let index = CounterIndex::new(s);
                for &a in &cuts {
                    for &b in &cuts {
                        let direct = exact_increase_between(s, a, b).increase;
                        let fast = index.exact_increase_between(a, b);
                        prop_assert!(close(direct, fast), "({}, {}]: {:?} vs {:?}", a, b, direct, fast);
                    }
                }
            }

            #[test]
            fn windows_in_any_order_equal_one_at_a_time(
                (t, v) in series(),
                bounds in proptest::collection::vec((-1000i64..450_000, 0i64..100_000), 0..40),
                sorted in any::<bool>(),
            ) {
                let s = Samples::new(&t, &v).unwrap();
                let index = CounterIndex::new(s);
                let mut windows: Vec<(i64, i64)> = bounds.iter().map(|&(a, len)| (a, a + len)).collect();
                if sorted {
                    windows.sort_unstable();
                }
                let each = index.exact_increases(&windows);
                for (&(a, b), got) in windows.iter().zip(&each) {
                    prop_assert!(same_bits(*got, index.exact_increase_between(a, b)));
                }
            }

            #[test]
            fn whole_number_windows_are_equal_to_the_bit(
                (t, v) in series(),
                cuts in proptest::collection::vec(-1000i64..450_000, 1..12),
            ) {
                let v: Vec<f64> = v.iter().map(|x| if x.is_finite() { x.round() } else { *x }).collect();
                let s = Samples::new(&t, &v).unwrap();
                let index = CounterIndex::new(s);
                for &a in &cuts {
                    for &b in &cuts {
                        prop_assert!(same_bits(exact_increase_between(s, a, b).increase, index.exact_increase_between(a, b)));
                    }
                }
            }

            #[test]
            fn promql_windows_are_equal_to_the_bit(
                (t, v) in series(),
                ats in proptest::collection::vec(-1000i64..450_000, 1..8),
                ranges in proptest::collection::vec(1i64..200_000, 1..4),
            ) {
                let s = Samples::new(&t, &v).unwrap();
                let index = CounterIndex::new(s);
                for compat in [PromqlCompat::V2, PromqlCompat::V2_51, PromqlCompat::V3] {
                    for &at in &ats {
                        for &r in &ranges {
                            prop_assert!(same_bits(promql_increase(s, at, r, compat), index.promql_increase(at, r, compat)));
                            prop_assert!(same_bits(promql_rate(s, at, r, compat), index.promql_rate(at, r, compat)));
                        }
                    }
                }
            }
        }
    }
}
