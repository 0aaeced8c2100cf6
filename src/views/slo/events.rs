//! Bad and total events per window, from raw samples: counters through [`crate::counter`],
//! histograms through [`crate::histogram`], gauges by counting samples.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "counts of samples in memory and a window never longer than its list; times saturate"
)]

use std::cell::RefCell;

use serde::Serialize;

use super::config::{CounterMode, Sli, SloConfig};
use crate::counter::{sum_increase_windows, CounterIndex, RangeQuery, Samples};
use crate::error::{Error, Result};
use crate::frame::{Labels, Series};
use crate::histogram::{
    bucket_bound, locate_threshold, Bucket, Histogram, MonotonicityFix, ThresholdPosition,
};
use crate::time::parse_duration_ms;

/// The series an SLO is evaluated on, selected by the caller with the config's selectors.
#[derive(Debug, Clone, Copy)]
pub enum SliData<'a> {
    /// For [`Sli::Ratio`]: the series of the `good` or `bad` selector (whichever is configured)
    /// and of the `total` selector. Raw counter samples.
    Ratio {
        /// Series of the good or bad selector.
        selected: &'a [Series],
        /// Series of the total selector.
        total: &'a [Series],
    },
    /// For [`Sli::Latency`]: the histogram's `_bucket` series (with `le`), raw samples.
    Latency {
        /// Bucket series.
        buckets: &'a [Series],
    },
    /// For [`Sli::Availability`]: the gauge's series, raw samples.
    Availability {
        /// Gauge series.
        gauge: &'a [Series],
    },
}

/// Bad and total events in one window. For availability the events are seconds (of samples).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Events {
    /// Bad events `E(w)`.
    pub bad: f64,
    /// All events `T(w)`.
    pub total: f64,
}

impl Events {
    /// `E / T`; `None` ("no data") when `T` is 0 (zero traffic) or either count is not finite.
    pub fn error_ratio(&self) -> Option<f64> {
        (self.total > 0.0 && self.total.is_finite() && self.bad.is_finite())
            .then(|| self.bad / self.total)
    }
}

/// The events of one group, ready to be counted over any window: every series checked and
/// indexed once, so each window at each step costs a few binary searches per series.
#[derive(Debug, Clone)]
pub(crate) enum Source<'a> {
    Ratio {
        selected: Vec<CounterIndex<'a>>,
        selected_is_bad: bool,
        total: Vec<CounterIndex<'a>>,
        mode: CounterMode,
    },
    Latency {
        /// Bucket series by bound.
        buckets: Vec<(f64, Vec<CounterIndex<'a>>)>,
        threshold: f64,
        mode: CounterMode,
        /// Histograms (one per window and step) whose counts had to be forced monotonic.
        fixes: RefCell<FixTally>,
    },
    Availability {
        gauge: Vec<Gauge<'a>>,
        interval_s: f64,
    },
}

/// A gauge series' times and how many of its first `k` samples equal 1 (`ones[k]`).
#[derive(Debug, Clone)]
pub(crate) struct Gauge<'a> {
    time_ms: &'a [i64],
    ones: Vec<usize>,
}

impl<'a> Gauge<'a> {
    fn of(series: &'a Series) -> Result<Self> {
        let samples = Samples::of(series)?;
        let mut ones = Vec::with_capacity(samples.len() + 1);
        let mut count = 0;
        ones.push(count);
        for &v in samples.values() {
            count += usize::from(v == 1.0);
            ones.push(count);
        }
        Ok(Self {
            time_ms: samples.time_ms(),
            ones,
        })
    }
}

/// How often a latency SLI's histograms needed Prometheus' monotonicity fix, and its extent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct FixTally {
    /// Histograms fixed.
    pub(crate) count: usize,
    /// The union of the fixes' bound ranges, and the largest count raised.
    pub(crate) extent: Option<MonotonicityFix>,
}

impl FixTally {
    fn add(&mut self, fix: MonotonicityFix) {
        self.count += 1;
        self.extent = Some(match self.extent {
            None => fix,
            Some(e) => MonotonicityFix {
                min_bound: e.min_bound.min(fix.min_bound),
                max_bound: e.max_bound.max(fix.max_bound),
                max_diff: e.max_diff.max(fix.max_diff),
            },
        });
    }
}

/// The labels of `labels` named in `group_by` (`""` when missing).
pub(crate) fn group_key(labels: &Labels, group_by: &[String]) -> Labels {
    Labels::from_pairs(
        group_by
            .iter()
            .map(|k| (k.clone(), labels.get(k).unwrap_or_default().to_owned())),
    )
}

/// The series of one group (`Some(key)`), or all of them (`None`: the overall result, which must
/// not be mistaken for the group of series that lack the group-by labels, whose key is also empty).
fn split<'a>(
    series: &'a [Series],
    key: Option<&Labels>,
    group_by: &[String],
) -> impl Iterator<Item = &'a Series> {
    let key = key.cloned();
    let group_by = group_by.to_vec();
    series.iter().filter(move |s| match &key {
        None => true,
        Some(key) => group_by.is_empty() || group_key(&s.labels, &group_by) == *key,
    })
}

/// The series of one group, checked and indexed.
fn indexed<'a>(
    series: &'a [Series],
    key: Option<&Labels>,
    group_by: &[String],
) -> Result<Vec<CounterIndex<'a>>> {
    split(series, key, group_by).map(CounterIndex::of).collect()
}

impl<'a> Source<'a> {
    /// The source of the series whose group-by labels equal `key`, or of all series when `key`
    /// is `None` (or `group_by` is empty). Fails when the data's kind does not match the config's
    /// SLI kind, a latency SLI has no `+Inf` bucket, or a series' times do not increase.
    pub(crate) fn new(
        config: &SloConfig,
        data: &SliData<'a>,
        key: Option<&Labels>,
    ) -> Result<Self> {
        let g = &config.group_by;
        let mode = config.counter_mode;
        match (&config.sli, data) {
            (Sli::Ratio { bad, .. }, SliData::Ratio { selected, total }) => Ok(Source::Ratio {
                selected: indexed(selected, key, g)?,
                selected_is_bad: bad.is_some(),
                total: indexed(total, key, g)?,
                mode,
            }),
            (
                Sli::Latency {
                    histogram,
                    threshold_seconds,
                },
                SliData::Latency { buckets },
            ) => {
                let mut by_bound: Vec<(f64, Vec<CounterIndex<'a>>)> = Vec::new();
                for s in split(buckets, key, g) {
                    let bound = bucket_bound(&s.labels)?;
                    let s = CounterIndex::of(s)?;
                    match by_bound.iter_mut().find(|(b, _)| *b == bound) {
                        Some((_, list)) => list.push(s),
                        None => by_bound.push((bound, vec![s])),
                    }
                }
                by_bound.sort_by(|a, b| a.0.total_cmp(&b.0));
                if !by_bound.is_empty() && !by_bound.iter().any(|(b, _)| *b == f64::INFINITY) {
                    return Err(Error::InvalidHistogram(format!(
                        "histogram {} has no +Inf bucket",
                        histogram.to_promql()
                    )));
                }
                Ok(Source::Latency {
                    buckets: by_bound,
                    threshold: *threshold_seconds,
                    mode,
                    fixes: RefCell::new(FixTally::default()),
                })
            }
            (
                Sli::Availability {
                    sample_interval, ..
                },
                SliData::Availability { gauge },
            ) => Ok(Source::Availability {
                gauge: split(gauge, key, g).map(Gauge::of).collect::<Result<_>>()?,
                interval_s: parse_duration_ms(sample_interval)? as f64 / 1000.0,
            }),
            _ => Err(Error::InvalidInput(
                "slo: the data given does not match the SLI kind of the config".to_owned(),
            )),
        }
    }

    /// True when the source has no series at all (nothing was selected).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Source::Ratio { total, .. } => total.is_empty(),
            Source::Latency { buckets, .. } => buckets.is_empty(),
            Source::Availability { gauge, .. } => gauge.is_empty(),
        }
    }

    /// The monotonicity fixes made so far by [`Source::events`] (latency SLIs only).
    pub(crate) fn fixes(&self) -> FixTally {
        match self {
            Source::Latency { fixes, .. } => *fixes.borrow(),
            _ => FixTally::default(),
        }
    }

    /// Where a latency threshold sits among the bucket bounds; `None` for other SLIs.
    pub(crate) fn threshold_position(&self) -> Option<ThresholdPosition> {
        match self {
            Source::Latency {
                buckets, threshold, ..
            } => {
                let bounds: Vec<f64> = buckets.iter().map(|(b, _)| *b).collect();
                locate_threshold(*threshold, &bounds)
            }
            _ => None,
        }
    }

    /// Events over `(t − R, t]` at every step `t` of `q` (`R` = `q.range_ms()`). A step with no
    /// data (no series with samples there) is absent; a step where the series show zero traffic
    /// is present with `total: 0`.
    ///
    /// * Ratio with `bad`: `E = Σ increase(bad)`, `T = Σ increase(total)`, each summed across
    ///   series after the per-series increase. A step where the total has a value but no bad
    ///   series does counts `E = 0` (a `5xx` series usually appears with the first error).
    /// * Ratio with `good`: `E = T − Σ increase(good)`, clamped at 0 (PromQL's extrapolation can
    ///   make the good increase exceed the total); a step without good values is absent.
    /// * Latency: per bound, `Σ increase(bucket)`; `T` the `+Inf` bucket's, `E = T·(1 − share at
    ///   or below the threshold)` with [`Histogram::fraction_at_or_below`] (exact on a bound,
    ///   linearly interpolated otherwise). A step whose histogram is unusable is absent. Counts
    ///   that decrease with `le` are raised to the count below, as Prometheus does, and tallied
    ///   ([`Source::fixes`]).
    /// * Availability: per series, the samples in the window, each standing for the sample
    ///   interval: `T = n · interval`, `E = (n − number equal to 1) · interval`, in seconds.
    ///   `NaN` samples count as not 1.
    pub(crate) fn events(&self, q: &RangeQuery) -> Result<Vec<Option<Events>>> {
        let windows: Vec<(i64, i64)> = q.steps().map(|t| (t, q.range_ms())).collect();
        self.events_over(&windows)
    }

    /// Events over any windows, `windows[k] = (t, R)` for `(t − R, t]`, one entry per window in
    /// the order given (`None`: no data), with the special cases of [`Source::events`]. Windows
    /// that move forward cost the least.
    pub(crate) fn events_over(&self, windows: &[(i64, i64)]) -> Result<Vec<Option<Events>>> {
        match self {
            Source::Ratio {
                selected,
                selected_is_bad,
                total,
                mode,
            } => {
                let t = window_sums(total, windows, *mode);
                let s = window_sums(selected, windows, *mode);
                Ok(t.into_iter()
                    .zip(s)
                    .map(|(total, selected)| {
                        let total = total?;
                        let bad = match (selected_is_bad, selected) {
                            (true, Some(bad)) => bad,
                            (true, None) => 0.0,
                            (false, Some(good)) => (total - good).max(0.0),
                            (false, None) => return None,
                        };
                        Some(Events { bad, total })
                    })
                    .collect())
            }
            Source::Latency {
                buckets,
                threshold,
                mode,
                fixes,
            } => {
                let per_bound: Vec<(f64, Vec<Option<f64>>)> = buckets
                    .iter()
                    .map(|(bound, series)| (*bound, window_sums(series, windows, *mode)))
                    .collect();
                let has_inf = per_bound.iter().any(|(b, _)| *b == f64::INFINITY);
                let mut out = vec![None; windows.len()];
                for (k, slot) in out.iter_mut().enumerate() {
                    let at = |m: &Vec<Option<f64>>| m.get(k).copied().flatten();
                    let inf = per_bound
                        .iter()
                        .any(|(b, m)| *b == f64::INFINITY && at(m).is_some());
                    if !has_inf || !inf {
                        continue;
                    }
                    let present: Vec<Bucket> = per_bound
                        .iter()
                        .filter_map(|(b, m)| at(m).map(|c| Bucket::new(*b, c)))
                        .collect();
                    let h = Histogram::new(&present);
                    if h.unusable().is_some() {
                        continue;
                    }
                    if let Some(fix) = h.fixes().forced_monotonic {
                        fixes.borrow_mut().add(fix);
                    }
                    let total = h.observations();
                    let bad = if total > 0.0 {
                        total * (1.0 - h.fraction_at_or_below(*threshold))
                    } else {
                        0.0
                    };
                    *slot = Some(Events { bad, total });
                }
                Ok(out)
            }
            Source::Availability { gauge, interval_s } => {
                let mut out: Vec<Option<Events>> = vec![None; windows.len()];
                for s in gauge {
                    for (&(at, range), slot) in windows.iter().zip(out.iter_mut()) {
                        let lo = s
                            .time_ms
                            .partition_point(|&t| t <= at.saturating_sub(range));
                        let hi = s.time_ms.partition_point(|&t| t <= at);
                        if hi <= lo {
                            continue;
                        }
                        let count = |k: usize| s.ones.get(k).copied().unwrap_or_default();
                        let (n, up) = (hi - lo, count(hi) - count(lo));
                        let e = slot.get_or_insert(Events {
                            bad: 0.0,
                            total: 0.0,
                        });
                        e.total += n as f64 * interval_s;
                        e.bad += (n - up) as f64 * interval_s;
                    }
                }
                Ok(out)
            }
        }
    }
}

/// `Σ increase(m[R])` over each window, in the counter mode, in the order of `windows`; `None`:
/// no data.
fn window_sums(
    series: &[CounterIndex<'_>],
    windows: &[(i64, i64)],
    mode: CounterMode,
) -> Vec<Option<f64>> {
    let compat = match mode {
        CounterMode::Promql(compat) => Some(compat),
        CounterMode::Exact => None,
    };
    let sum = sum_increase_windows(series, windows, compat);
    // The sums are the windows with a value, in order: spread them back over every window.
    let mut values = sum.time_ms.iter().zip(&sum.values).peekable();
    windows
        .iter()
        .map(|&(at, _)| values.next_if(|(t, _)| **t == at).map(|(_, v)| *v))
        .collect()
}
