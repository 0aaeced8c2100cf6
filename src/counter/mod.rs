//! Counters: increases, rates and resets from raw samples, with Prometheus' reset rule.
//!
//! Three ways to measure how much a counter went up, each for a different question:
//!
//! * **Exact** ([`exact_increase`], [`exact_increase_between`]): the sum of the deltas between
//!   consecutive samples, where a drop is a reset and the new value counts from zero. No
//!   extrapolation: it is what the samples prove happened, and it adds up across adjacent windows.
//! * **PromQL** ([`promql_increase`], [`promql_rate`], [`promql_resets`], and per step of a
//!   [`RangeQuery`] [`eval_range`] and [`sum_range`]): exactly what Prometheus' `increase()`,
//!   `rate()` and `resets()` return, including the extrapolation to the edges of the range, for
//!   the Prometheus version chosen with [`PromqlCompat`]. Use it when numbers must match a
//!   Prometheus panel. [`exact_increase_range`] is the exact counterpart per step, and
//!   [`sum_by_step`] sums any per-step series.
//! * **Robust** ([`robust_increase`], [`meter_health`]): the exact increase with the phantom
//!   increases of several writers on one series removed; [`meter_health`] also says which series
//!   look like that.
//!
//! Every function reads a series' samples through [`Samples`], which checks once that the times
//! increase strictly and that there are as many values as times; after that nothing can fail.
//! A view that evaluates many windows of one series builds a [`CounterIndex`] once: then each
//! window's exact increase is two binary searches and a subtraction of running sums, and its
//! PromQL increase visits only the resets in the window.
//! Sums across series are always taken after the per-series step (`sum(increase(...))`, never the
//! increase of a sum, which turns every reset of one series into a spike of the total).

mod exact;
mod health;
mod index;
mod promql;
mod robust;
mod steps;

pub use exact::{exact_increase, exact_increase_between, ExactIncrease};
pub use health::{
    meter_health, MeterHealth, MeterWarning, SeriesHealth, FREQUENT_RESTART_MIN_PAIRS,
    FREQUENT_RESTART_SHARE, OSCILLATION_MIN_PHANTOM_RESETS,
};
pub use index::CounterIndex;
pub use promql::{
    promql_increase, promql_rate, promql_resets, PromqlCompat, EXTRAPOLATION_THRESHOLD_FACTOR,
};
pub use robust::{
    robust_increase, RobustIncrease, MAX_TRACKS, REBOUND_LOOKAHEAD, REBOUND_PACE_FACTOR,
};
pub use steps::{
    eval_range, exact_increase_range, sum_by_step, sum_increase_range, sum_increase_windows,
    sum_range, CounterFn, RangeQuery, StepSum, MAX_STEPS,
};

use std::ops::Range;

use crate::error::{Error, Result};
use crate::frame::Series;

/// The samples of one series, checked: as many values as times, times strictly increasing.
///
/// Values are not checked: `NaN`, `±Inf` and negative values are kept, and each function says
/// what it does with them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Samples<'a> {
    time_ms: &'a [i64],
    values: &'a [f64],
}

impl<'a> Samples<'a> {
    /// Checks and wraps two columns.
    ///
    /// Fails with [`Error::InvalidInput`] when the lengths differ or a time is not later than the
    /// one before it (Prometheus never returns two samples of one series at the same time). No
    /// samples at all is valid.
    pub fn new(time_ms: &'a [i64], values: &'a [f64]) -> Result<Self> {
        if time_ms.len() != values.len() {
            return Err(Error::InvalidInput(format!(
                "counter samples: {} times but {} values",
                time_ms.len(),
                values.len()
            )));
        }
        if let Some(i) = time_ms.windows(2).position(|w| w.first() >= w.get(1)) {
            let (a, b) = (
                time_ms.get(i).copied().unwrap_or_default(),
                time_ms
                    .get(i.saturating_add(1))
                    .copied()
                    .unwrap_or_default(),
            );
            return Err(Error::InvalidInput(format!(
                "counter samples: times must increase, but sample {} at {b} ms follows {a} ms",
                i.saturating_add(1)
            )));
        }
        Ok(Self { time_ms, values })
    }

    /// Checks and wraps the columns of a [`Series`] (see [`Samples::new`]).
    pub fn of(series: &'a Series) -> Result<Self> {
        Self::new(&series.time_ms, &series.values)
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Sample times, epoch milliseconds, strictly increasing.
    pub fn time_ms(&self) -> &'a [i64] {
        self.time_ms
    }

    /// Sample values, as given.
    pub fn values(&self) -> &'a [f64] {
        self.values
    }

    /// The samples with index in `range` (clamped to the samples there are).
    fn slice(&self, range: Range<usize>) -> Samples<'a> {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        Samples {
            time_ms: self.time_ms.get(start..end).unwrap_or_default(),
            values: self.values.get(start..end).unwrap_or_default(),
        }
    }

    /// Index of the first sample later than `t_ms`.
    fn after(&self, t_ms: i64) -> usize {
        self.time_ms.partition_point(|&t| t <= t_ms)
    }

    /// Index of the first sample at or later than `t_ms`.
    fn at_or_after(&self, t_ms: i64) -> usize {
        self.time_ms.partition_point(|&t| t < t_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_checked_once() {
        type Case = (
            &'static str,
            &'static [i64],
            &'static [f64],
            Option<&'static str>,
        );
        let cases: &[Case] = &[
            ("empty", &[], &[], None),
            ("one", &[5], &[1.0], None),
            ("increasing", &[1, 2, 10], &[1.0, f64::NAN, -3.0], None),
            ("lengths", &[1, 2], &[1.0], Some("2 times but 1 values")),
            (
                "repeated time",
                &[1, 2, 2],
                &[1.0, 2.0, 3.0],
                Some("sample 2 at 2 ms follows 2 ms"),
            ),
            (
                "backwards",
                &[5, 4],
                &[1.0, 2.0],
                Some("sample 1 at 4 ms follows 5 ms"),
            ),
        ];
        for (name, t, v, want) in cases {
            match (Samples::new(t, v), want) {
                (Ok(s), None) => assert_eq!(s.len(), t.len(), "case {name} failed"),
                (Err(e), Some(w)) => assert!(e.to_string().contains(w), "case {name} failed: {e}"),
                (got, _) => panic!("case {name} failed: {got:?}"),
            }
        }
    }

    #[test]
    fn slices_are_clamped() {
        let s = Samples::new(&[1, 2, 3], &[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(s.slice(1..9).values(), &[2.0, 3.0]);
        let (from, to) = (5, 2);
        assert!(s.slice(from..to).is_empty());
        assert_eq!(
            (s.after(2), s.at_or_after(2), s.after(0), s.after(9)),
            (2, 1, 0, 3)
        );
    }
}
