//! Per-step evaluation, like a `query_range` of `increase(m[R])`, `rate(m[R])` or `resets(m[R])`,
//! and sums across series after the per-series step.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "the step count is computed in i128 and checked against MAX_STEPS before the steps are built, so start + k * step stays within the range"
)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{promql, CounterIndex, PromqlCompat, Samples};
use crate::error::{Error, Result};
use crate::frame::{Labels, Series};

/// The most steps a [`RangeQuery`] may have.
///
/// Prometheus refuses a `query_range` with more than 11,000 points per series, so no panel that
/// mirrors one needs more; the limit also bounds the memory a single call can take in a browser.
pub const MAX_STEPS: usize = 11_000;

/// Which PromQL counter function to evaluate per step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CounterFn {
    /// `increase(m[R])`, see [`promql_increase`](super::promql_increase).
    Increase,
    /// `rate(m[R])`, see [`promql_rate`](super::promql_rate).
    Rate,
    /// `resets(m[R])`, see [`promql_resets`](super::promql_resets).
    Resets,
}

/// The steps of a range query and the range each step looks back over: steps at `start_ms`,
/// `start_ms + step_ms`, … up to and including `end_ms` when it falls on a step, as Prometheus'
/// `query_range` evaluates them (no alignment of `start_ms` to the step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RangeQuery {
    start_ms: i64,
    end_ms: i64,
    step_ms: i64,
    range_ms: i64,
}

impl RangeQuery {
    /// Checks a range query.
    ///
    /// Fails with [`Error::InvalidConfig`] when `step_ms` or `range_ms` is not positive, `end_ms`
    /// is before `start_ms`, or there would be more than [`MAX_STEPS`] steps. `start_ms ==
    /// end_ms` is one step.
    pub fn new(start_ms: i64, end_ms: i64, step_ms: i64, range_ms: i64) -> Result<Self> {
        if step_ms <= 0 {
            return Err(Error::InvalidConfig(format!(
                "range query: the step must be positive, got {step_ms} ms"
            )));
        }
        if range_ms <= 0 {
            return Err(Error::InvalidConfig(format!(
                "range query: the range must be positive, got {range_ms} ms"
            )));
        }
        if end_ms < start_ms {
            return Err(Error::InvalidConfig(format!(
                "range query: the end ({end_ms} ms) is before the start ({start_ms} ms)"
            )));
        }
        let steps = (i128::from(end_ms) - i128::from(start_ms)) / i128::from(step_ms) + 1;
        if steps > MAX_STEPS as i128 {
            return Err(Error::InvalidConfig(format!(
                "range query: {steps} steps, more than the {MAX_STEPS} allowed (use a longer step)"
            )));
        }
        Ok(Self {
            start_ms,
            end_ms,
            step_ms,
            range_ms,
        })
    }

    /// The first step, epoch milliseconds.
    pub fn start_ms(&self) -> i64 {
        self.start_ms
    }

    /// The last time a step may fall on, epoch milliseconds.
    pub fn end_ms(&self) -> i64 {
        self.end_ms
    }

    /// Time between steps, milliseconds.
    pub fn step_ms(&self) -> i64 {
        self.step_ms
    }

    /// How far each step looks back, milliseconds (the `R` of `m[R]`).
    pub fn range_ms(&self) -> i64 {
        self.range_ms
    }

    /// Number of steps (at least 1, at most [`MAX_STEPS`]).
    pub fn step_count(&self) -> usize {
        // Checked in `new`: the count fits and is at most MAX_STEPS.
        ((self.end_ms - self.start_ms) / self.step_ms) as usize + 1
    }

    /// The step times, ascending.
    pub fn steps(&self) -> impl Iterator<Item = i64> {
        let (start, step) = (self.start_ms, self.step_ms);
        (0..self.step_count() as i64).map(move |k| start + k * step)
    }
}

/// Evaluates `func(m[R])` at every step of `query` for one series, as a Prometheus
/// `query_range` does.
///
/// Returns a series with the input's labels minus `__name__` (PromQL functions drop the metric
/// name) and one sample per step that has a value.
///
/// Special cases:
/// * steps without a value (fewer than two samples in the range for `increase`/`rate`, none for
///   `resets`) are **absent** from the result, as Prometheus omits them; a value that is `NaN`
///   (from `NaN` samples) is present;
/// * no step with a value: a series with no samples (the caller decides whether to show it);
/// * resets, `NaN`, `±Inf`: as in [`promql_increase`](super::promql_increase) and
///   [`promql_resets`](super::promql_resets);
/// * fails with [`Error::InvalidInput`] when the series' times do not increase strictly or its
///   columns differ in length (see [`Samples::new`]).
pub fn eval_range(
    series: &Series,
    query: &RangeQuery,
    func: CounterFn,
    compat: PromqlCompat,
) -> Result<Series> {
    let index = CounterIndex::of(series)?;
    let range = query.range_ms;
    Ok(collect_steps(series, query, |t| match func {
        CounterFn::Increase => index.promql_increase(t, range, compat),
        CounterFn::Rate => index.promql_rate(t, range, compat),
        CounterFn::Resets => {
            promql::promql_resets(index.samples(), t, range, compat).map(|n| n as f64)
        }
    }))
}

/// The exact increase (see [`exact_increase_between`](super::exact_increase_between)) over `(t − R, t]` at every step `t` of
/// `query`, for one series: FleetLens' unextrapolated counterpart of [`eval_range`] with
/// [`CounterFn::Increase`].
///
/// With `R` equal to the step, the values of consecutive steps add up to the exact increase over
/// the whole query. The series is indexed once ([`CounterIndex`]), so each step costs two binary
/// searches whatever `R`.
///
/// Special cases: a step whose window holds no finite sample is absent; a step whose window holds
/// finite samples that did not change is present with `0`; labels, errors as in [`eval_range`].
pub fn exact_increase_range(series: &Series, query: &RangeQuery) -> Result<Series> {
    let index = CounterIndex::of(series)?;
    let range = query.range_ms;
    Ok(collect_steps(series, query, |t| {
        index.exact_increase_between(t.saturating_sub(range), t)
    }))
}

fn collect_steps(
    series: &Series,
    query: &RangeQuery,
    mut value_at: impl FnMut(i64) -> Option<f64>,
) -> Series {
    let mut out = Series {
        labels: without_name(&series.labels),
        time_ms: Vec::new(),
        values: Vec::new(),
    };
    for t in query.steps() {
        if let Some(v) = value_at(t) {
            out.time_ms.push(t);
            out.values.push(v);
        }
    }
    out
}

fn without_name(labels: &Labels) -> Labels {
    Labels::from_pairs(labels.iter().filter(|(name, _)| *name != "__name__"))
}

/// A per-step sum across series, with how many series contributed to each step.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepSum {
    /// The steps at which at least one series had a value, ascending. A step where no series had
    /// a value is absent ("no data"), as in Prometheus; a step where the series that had values
    /// add up to zero is present with `0` ("no events").
    pub time_ms: Vec<i64>,
    /// The sum at each step of `time_ms`.
    pub values: Vec<f64>,
    /// How many series had a value at each step of `time_ms` (at least 1).
    pub series_count: Vec<usize>,
    /// How many series were given, with or without values.
    pub series_total: usize,
}

/// Sums per-step series (the output of [`eval_range`] or [`exact_increase_range`] for several
/// series) step by step: the `sum(...)` of PromQL applied after the per-series function, never
/// the function of a sum.
///
/// Special cases:
/// * no series, or none with a sample: an empty [`StepSum`] (every step absent), never zeros;
/// * a series without a sample at a step does not contribute there and is not counted;
/// * a `NaN` value contributes and makes that step's sum `NaN` (as in PromQL); `+Inf` and `-Inf`
///   together give `NaN`;
/// * the addition is compensated (Kahan–Neumaier), as Prometheus 2.55 and later sum; earlier
///   versions add plainly, which can differ in the last bits;
/// * fails with [`Error::InvalidInput`] when a series' times do not increase strictly or its
///   columns differ in length.
pub fn sum_by_step(per_step: &[Series]) -> Result<StepSum> {
    let mut acc: BTreeMap<i64, CompensatedSum> = BTreeMap::new();
    for series in per_step {
        let samples = Samples::of(series)?;
        for (&t, &v) in samples.time_ms().iter().zip(samples.values()) {
            acc.entry(t).or_default().add(v);
        }
    }
    let mut out = StepSum {
        series_total: per_step.len(),
        ..StepSum::default()
    };
    for (t, sum) in acc {
        out.time_ms.push(t);
        out.values.push(sum.value());
        out.series_count.push(sum.count);
    }
    Ok(out)
}

/// `sum(func(m[R]))` over a range query: [`eval_range`] for each series, then [`sum_by_step`].
///
/// Special cases as in those two functions; `series_total` counts every series given, also those
/// that had no value at any step.
pub fn sum_range(
    series: &[Series],
    query: &RangeQuery,
    func: CounterFn,
    compat: PromqlCompat,
) -> Result<StepSum> {
    let per_step = series
        .iter()
        .map(|s| eval_range(s, query, func, compat))
        .collect::<Result<Vec<_>>>()?;
    sum_by_step(&per_step)
}

/// `sum(increase(m[R]))` at every step of `query` over indexed series: with `compat` `None` the
/// exact increase, equal to [`sum_by_step`] of [`exact_increase_range`] per series (to the
/// rounding described at [`CounterIndex`]); with `Some(compat)` PromQL's, equal to
/// [`sum_range`] with [`CounterFn::Increase`] to the bit.
///
/// Each step costs two binary searches per series (plus, in PromQL mode, the resets in its
/// range), whatever the range, so a backtest of many steps over long windows stays linear in the
/// number of samples. Special cases as in [`sum_by_step`]; nothing can fail (the series were
/// checked when indexed).
pub fn sum_increase_range(
    series: &[CounterIndex<'_>],
    query: &RangeQuery,
    compat: Option<PromqlCompat>,
) -> StepSum {
    let windows: Vec<(i64, i64)> = query.steps().map(|t| (t, query.range_ms)).collect();
    sum_increase_windows(series, &windows, compat)
}

/// [`sum_increase_range`] over any windows: `windows[k] = (at_ms, range_ms)` is the range
/// `(at − range, at]` (closed on the left for PromQL before 3.0). The result's `time_ms` are the
/// `at_ms` of the windows with a value, in the order given. Windows that move forward (as the
/// steps of a range query, or a window growing from a fixed start) cost the fewest searches.
pub fn sum_increase_windows(
    series: &[CounterIndex<'_>],
    windows: &[(i64, i64)],
    compat: Option<PromqlCompat>,
) -> StepSum {
    let mut acc = vec![CompensatedSum::default(); windows.len()];
    let bounds: Vec<(i64, i64)> = windows
        .iter()
        .map(|&(t, range)| (t.saturating_sub(range), t))
        .collect();
    for s in series {
        let values = match compat {
            None => s.exact_increases(&bounds),
            Some(c) => windows
                .iter()
                .map(|&(t, range)| s.promql_increase(t, range, c))
                .collect(),
        };
        for (v, sum) in values.into_iter().zip(acc.iter_mut()) {
            if let Some(v) = v {
                sum.add(v);
            }
        }
    }
    let mut out = StepSum {
        series_total: series.len(),
        ..StepSum::default()
    };
    for (&(t, _), sum) in windows.iter().zip(acc) {
        if sum.count > 0 {
            out.time_ms.push(t);
            out.values.push(sum.value());
            out.series_count.push(sum.count);
        }
    }
    out
}

/// Kahan–Neumaier summation, with the special cases of Prometheus' `kahanSumInc`: once the sum
/// is infinite the compensation is dropped.
#[derive(Debug, Clone, Copy, Default)]
struct CompensatedSum {
    sum: f64,
    compensation: f64,
    count: usize,
}

impl CompensatedSum {
    fn add(&mut self, v: f64) {
        if self.count == 0 {
            self.sum = v;
        } else {
            let t = self.sum + v;
            if t.is_infinite() {
                self.compensation = 0.0;
            } else if self.sum.abs() >= v.abs() {
                self.compensation += (self.sum - t) + v;
            } else {
                self.compensation += (v - t) + self.sum;
            }
            self.sum = t;
        }
        self.count += 1;
    }

    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(labels: &[(&str, &str)], t: &[i64], v: &[f64]) -> Series {
        Series {
            labels: Labels::from_pairs(labels.iter().copied()),
            time_ms: t.to_vec(),
            values: v.to_vec(),
        }
    }

    #[test]
    fn range_queries_are_checked() {
        type Case = (
            &'static str,
            (i64, i64, i64, i64),
            Result<usize, &'static str>,
        );
        let cases: &[Case] = &[
            ("one step", (100, 100, 10, 60), Ok(1)),
            ("end not on a step", (0, 25, 10, 60), Ok(3)),
            ("end on a step", (0, 30, 10, 60), Ok(4)),
            (
                "zero step",
                (0, 30, 0, 60),
                Err("the step must be positive"),
            ),
            (
                "negative range",
                (0, 30, 10, -1),
                Err("the range must be positive"),
            ),
            ("reversed", (30, 0, 10, 60), Err("is before the start")),
            (
                "too many steps",
                (0, 11_000, 1, 60),
                Err("11001 steps, more than the 11000"),
            ),
            (
                "far apart",
                (i64::MIN, i64::MAX, 1, 60),
                Err("more than the 11000"),
            ),
            ("exactly the limit", (0, 10_999, 1, 60), Ok(MAX_STEPS)),
        ];
        for (name, (a, b, s, r), want) in cases {
            match (RangeQuery::new(*a, *b, *s, *r), want) {
                (Ok(q), Ok(n)) => {
                    assert_eq!(q.step_count(), *n, "case {name} failed");
                    assert_eq!(q.steps().count(), *n, "case {name} failed");
                    assert!(q.steps().all(|t| t <= *b), "case {name} failed");
                }
                (Err(e), Err(w)) => assert!(e.to_string().contains(w), "case {name} failed: {e}"),
                (got, _) => panic!("case {name} failed: {got:?}"),
            }
        }
    }

    #[test]
    fn steps_without_a_value_are_absent() {
        // Samples every 10 s from 0 to 50 s: 0, 1, 2, 3, 4, 5. Steps every 20 s from 0 to 100 s,
        // range 20 s, closed ranges (V2):
        // * at 0: only the sample at 0 → increase absent, resets 0;
        // * at 20: 0, 10, 20 s → 2 over the whole range → 2;
        // * at 40: 20, 30, 40 s → 2;
        // * at 60: 40, 50 s → 1 over 10 s, end gap 10 s < 11 s, extrapolated to 20 s → 2;
        // * at 80, 100: no sample → absent everywhere.
        let s = series(
            &[("__name__", "m_total"), ("job", "a")],
            &[0, 10_000, 20_000, 30_000, 40_000, 50_000],
            &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        );
        let q = RangeQuery::new(0, 100_000, 20_000, 20_000).unwrap();
        let inc = eval_range(&s, &q, CounterFn::Increase, PromqlCompat::V2).unwrap();
        assert_eq!(inc.labels, Labels::from_pairs([("job", "a")]));
        assert_eq!(inc.time_ms, [20_000, 40_000, 60_000]);
        assert_eq!(inc.values, [2.0, 2.0, 2.0]);
        let resets = eval_range(&s, &q, CounterFn::Resets, PromqlCompat::V2).unwrap();
        assert_eq!(resets.time_ms, [0, 20_000, 40_000, 60_000]);
        assert_eq!(resets.values, [0.0; 4]);
        let rate = eval_range(&s, &q, CounterFn::Rate, PromqlCompat::V2).unwrap();
        assert_eq!(rate.values, [0.1, 0.1, 0.1]);
        // Exact, window (t − 20 s, t]: at 0 only one sample (absent); at 20: 0 → 2; at 40: 2 → 4;
        // at 60: 4 → 5 (the sample at 50 s); at 80: no sample in (60, 80] → absent.
        let exact = exact_increase_range(&s, &q).unwrap();
        assert_eq!(exact.time_ms, [20_000, 40_000, 60_000]);
        assert_eq!(exact.values, [2.0, 2.0, 1.0]);
    }

    #[test]
    fn bad_samples_are_an_error() {
        let s = series(&[], &[10, 5], &[1.0, 2.0]);
        let q = RangeQuery::new(0, 100, 10, 60).unwrap();
        assert!(eval_range(&s, &q, CounterFn::Rate, PromqlCompat::V3).is_err());
        assert!(exact_increase_range(&s, &q).is_err());
        assert!(sum_by_step(&[s]).is_err());
    }

    #[test]
    fn sums_tell_no_series_from_zero() {
        const NAN: f64 = f64::NAN;
        // (name, series as (times, values), want times, sums, counts)
        type Case = (
            &'static str,
            &'static [(&'static [i64], &'static [f64])],
            &'static [i64],
            &'static [f64],
            &'static [usize],
        );
        let cases: &[Case] = &[
            ("no series", &[], &[], &[], &[]),
            (
                "series without samples",
                &[(&[], &[]), (&[], &[])],
                &[],
                &[],
                &[],
            ),
            // Step 1: 0 + 0 = 0 from two series (no events); step 2: absent (no data);
            // step 3: only the second series.
            (
                "zero is not absent",
                &[(&[1], &[0.0]), (&[1, 3], &[0.0, 4.0])],
                &[1, 3],
                &[0.0, 4.0],
                &[2, 1],
            ),
            (
                "nan propagates",
                &[(&[1], &[NAN]), (&[1], &[2.0])],
                &[1],
                &[NAN],
                &[2],
            ),
            // 1e100 + 1 − 1e100 is 0 in plain addition; the compensated sum keeps the 1.
            (
                "compensated",
                &[(&[1], &[1e100]), (&[1], &[1.0]), (&[1], &[-1e100])],
                &[1],
                &[1.0],
                &[3],
            ),
            (
                "opposite infinities",
                &[(&[1], &[f64::INFINITY]), (&[1], &[f64::NEG_INFINITY])],
                &[1],
                &[NAN],
                &[2],
            ),
        ];
        for (name, input, times, sums, counts) in cases {
            let per_step: Vec<Series> = input.iter().map(|(t, v)| series(&[], t, v)).collect();
            let got = sum_by_step(&per_step).unwrap();
            assert_eq!(got.series_total, input.len(), "case {name} failed");
            assert_eq!(got.time_ms, *times, "case {name} failed");
            assert_eq!(got.series_count, *counts, "case {name} failed");
            let same = got
                .values
                .iter()
                .zip(*sums)
                .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
            assert!(
                same && got.values.len() == sums.len(),
                "case {name} failed: {:?}",
                got.values
            );
        }
    }

    #[test]
    fn sum_of_increases_is_not_the_increase_of_the_sum() {
        // Two series sampled at 0, 10, 20, 30 s. `a` resets at 20 s; `b` rises steadily.
        //   a: 50, 60, 5, 15   increase (V2, range 30 s at 30 s): 15 − 50 + 60 = 25
        //   b: 10, 20, 30, 40  increase 30
        // sum(increase) = 55. The increase of the summed series (60, 80, 35, 55) would see a
        // reset of the total and give 55 − 60 + 80 = 75.
        let a = series(
            &[("s", "a")],
            &[0, 10_000, 20_000, 30_000],
            &[50.0, 60.0, 5.0, 15.0],
        );
        let b = series(
            &[("s", "b")],
            &[0, 10_000, 20_000, 30_000],
            &[10.0, 20.0, 30.0, 40.0],
        );
        let q = RangeQuery::new(30_000, 30_000, 1_000, 30_000).unwrap();
        let sum = sum_range(&[a, b], &q, CounterFn::Increase, PromqlCompat::V2).unwrap();
        assert_eq!(
            (sum.time_ms, sum.values, sum.series_count),
            (vec![30_000], vec![55.0], vec![2])
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use crate::counter::exact_increase_between;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn exact_steps_add_up_to_the_whole(
                gaps in proptest::collection::vec(1i64..30_000, 1..80),
                deltas in proptest::collection::vec(0u32..20, 80),
                step in 1_000i64..60_000,
            ) {
                let mut t = Vec::new();
                let mut now = 0;
                for g in gaps { now += g; t.push(now); }
                // A counter with a reset every 17th sample.
                let mut v = Vec::new();
                let mut c = 0.0;
                for (i, d) in deltas.iter().take(t.len()).enumerate() {
                    c = if i % 17 == 16 { f64::from(*d) } else { c + f64::from(*d) };
                    v.push(c);
                }
                let s = series(&[], &t, &v);
                let end = now + step;
                let q = RangeQuery::new(0, end, step, step).unwrap();
                let per_step: f64 = exact_increase_range(&s, &q).unwrap().values.iter().sum();
                let whole = exact_increase_between(Samples::of(&s).unwrap(), -1, end).increase.unwrap_or(0.0);
                prop_assert_eq!(per_step, whole);
            }

            #[test]
            fn indexed_sums_equal_the_per_series_sums(
                raw in proptest::collection::vec(
                    proptest::collection::vec((1i64..20_000, 0u32..500, 0u8..25), 0..40), 0..5),
                step in 1_000i64..60_000,
                range in 1_000i64..200_000,
            ) {
                // Fractional counters with resets and NaN.
                let list: Vec<Series> = raw.iter().map(|points| {
                    let (mut t, mut c) = (0, 0.0);
                    let (mut times, mut values) = (Vec::new(), Vec::new());
                    for &(g, d, kind) in points {
                        t += g;
                        times.push(t);
                        c = if kind == 0 { f64::from(d) / 3.0 } else { c + f64::from(d) / 7.0 };
                        values.push(if kind == 1 { f64::NAN } else { c });
                    }
                    series(&[], &times, &values)
                }).collect();
                let indexes: Vec<CounterIndex<'_>> = list.iter().map(|s| CounterIndex::of(s).unwrap()).collect();
                let q = RangeQuery::new(-range, 800_000, step, range).unwrap();
                for compat in [PromqlCompat::V2, PromqlCompat::V3] {
                    let fast = sum_increase_range(&indexes, &q, Some(compat));
                    let slow = sum_range(&list, &q, CounterFn::Increase, compat).unwrap();
                    prop_assert_eq!(&fast.time_ms, &slow.time_ms);
                    prop_assert_eq!(&fast.series_count, &slow.series_count);
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    prop_assert_eq!(bits(&fast.values), bits(&slow.values));
                }
                // Windows in any order (backwards, overlapping): the same as one at a time.
                let mut windows: Vec<(i64, i64)> = q.steps().map(|t| (t, range + t.rem_euclid(7_000))).collect();
                windows.reverse();
                for s in &indexes {
                    let got = sum_increase_windows(std::slice::from_ref(s), &windows, None);
                    let want: Vec<(i64, f64)> = windows.iter().filter_map(|&(t, r)| {
                        exact_increase_between(s.samples(), t - r, t).increase.map(|v| (t, v))
                    }).collect();
                    prop_assert_eq!(got.time_ms.len(), want.len());
                    for ((t, a), (u, b)) in got.time_ms.iter().zip(&got.values).zip(want) {
                        prop_assert_eq!(*t, u);
                        prop_assert!((a - b).abs() <= 1e-12 * a.abs().max(b.abs()), "{} vs {}", a, b);
                    }
                }
                let fast = sum_increase_range(&indexes, &q, None);
                let per: Vec<Series> = list.iter().map(|s| exact_increase_range(s, &q).unwrap()).collect();
                let slow = sum_by_step(&per).unwrap();
                prop_assert_eq!(&fast.time_ms, &slow.time_ms);
                prop_assert_eq!(&fast.series_count, &slow.series_count);
                for (a, b) in fast.values.iter().zip(&slow.values) {
                    prop_assert!((a - b).abs() <= 1e-12 * a.abs().max(b.abs()), "{} vs {}", a, b);
                }
            }
        }
    }
}
