//! Quantile and fraction series over a range: one value per timestamp of each histogram, with
//! notes about everything that was corrected or could not be computed.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "counts of steps and histograms held in memory"
)]

use std::fmt;

use serde::Serialize;

use super::fraction::{locate_threshold, ThresholdPosition};
use super::group::HistogramSeries;
use super::quantile::{Histogram, MonotonicityFix, Unusable, SMALL_DELTA_TOLERANCE};
use crate::frame::Labels;

/// Something worth telling the user about one histogram's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// The histogram's labels (the metric name included when the input had one).
    pub histogram: Labels,
    /// What happened.
    pub kind: NoteKind,
}

/// What a [`Note`] is about. Step counts say at how many timestamps it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum NoteKind {
    /// `q` is `NaN` or outside `[0, 1]`: every value is `NaN`, `-Inf` or `+Inf` (a warning in
    /// Prometheus too).
    InvalidQuantile {
        /// The quantile asked for.
        q: f64,
    },
    /// No `+Inf` bucket: `NaN` at those steps, as in Prometheus.
    NoInfBucket {
        /// Steps affected.
        steps: usize,
    },
    /// Only a `+Inf` bucket: `NaN` at those steps.
    TooFewBuckets {
        /// Steps affected.
        steps: usize,
    },
    /// Zero observations (no traffic in the window): `NaN` at those steps, not 0.
    NoObservations {
        /// Steps affected.
        steps: usize,
    },
    /// Counts lower than a count below them were raised to it (Prometheus' info annotation
    /// "input to histogram_quantile needed to be fixed for monotonicity").
    ForcedMonotonicity {
        /// Steps affected.
        steps: usize,
        /// The first of them (epoch ms).
        first_ms: i64,
        /// The last of them (epoch ms).
        last_ms: i64,
        /// The lowest bound raised.
        min_bound: f64,
        /// The highest bound raised.
        max_bound: f64,
        /// The largest raise.
        max_diff: f64,
    },
    /// Differences below [`SMALL_DELTA_TOLERANCE`] were treated as equal counts (Prometheus does
    /// this silently since 2.49).
    SmallDeltasIgnored {
        /// Steps affected.
        steps: usize,
    },
    /// Several `le` texts mean the same bound; their counts were added together.
    MergedBounds {
        /// The bound.
        upper_bound: f64,
        /// The texts (`0.1`, `1e-1`).
        le: Vec<String>,
    },
    /// Some bucket series have no sample at some steps: those steps use the buckets present, as
    /// PromQL does, which can move a quantile.
    MissingBuckets {
        /// Steps affected.
        steps: usize,
        /// The first of them (epoch ms).
        first_ms: i64,
        /// The bounds missing at one step or more.
        upper_bounds: Vec<f64>,
    },
}

impl Note {
    /// True for problems with the result (values that are `NaN` or may mislead); false for
    /// corrections that were made and are only worth knowing about.
    pub fn is_warning(&self) -> bool {
        matches!(
            self.kind,
            NoteKind::InvalidQuantile { .. }
                | NoteKind::NoInfBucket { .. }
                | NoteKind::TooFewBuckets { .. }
                | NoteKind::MissingBuckets { .. }
        )
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = &self.histogram;
        match &self.kind {
            NoteKind::InvalidQuantile { q } => write!(
                f,
                "quantile {q} is not between 0 and 1: histogram {h} gives {} at every step",
                if q.is_nan() {
                    "NaN"
                } else if *q < 0.0 {
                    "-Inf"
                } else {
                    "+Inf"
                }
            ),
            NoteKind::NoInfBucket { steps } => write!(
                f,
                "histogram {h} has no +Inf bucket: NaN at {}",
                plural(*steps, "step")
            ),
            NoteKind::TooFewBuckets { steps } => write!(
                f,
                "histogram {h} has only a +Inf bucket at {}: NaN there",
                plural(*steps, "step")
            ),
            NoteKind::NoObservations { steps } => write!(
                f,
                "histogram {h} has no observations at {}: NaN there, not 0",
                plural(*steps, "step")
            ),
            NoteKind::ForcedMonotonicity {
                steps,
                first_ms,
                last_ms,
                min_bound,
                max_bound,
                max_diff,
            } => write!(
                f,
                "histogram {h}: bucket counts needed to be fixed for monotonicity at {} from {} \
                 to {} (bounds {} to {} raised, by up to {max_diff})",
                plural(*steps, "step"),
                rfc3339(*first_ms),
                rfc3339(*last_ms),
                bound(*min_bound),
                bound(*max_bound)
            ),
            NoteKind::SmallDeltasIgnored { steps } => write!(
                f,
                "histogram {h}: bucket count differences below {SMALL_DELTA_TOLERANCE} \
                 (relative) ignored at {}, as Prometheus does",
                plural(*steps, "step")
            ),
            NoteKind::MergedBounds { upper_bound, le } => write!(
                f,
                "histogram {h}: le=\"{}\" are the same bound {}; their counts were added \
                 together",
                le.join("\", le=\""),
                bound(*upper_bound)
            ),
            NoteKind::MissingBuckets {
                steps,
                first_ms,
                upper_bounds,
            } => write!(
                f,
                "histogram {h}: bucket(s) le={} missing at {} (first at {}): those steps use \
                 the buckets present",
                upper_bounds
                    .iter()
                    .map(|b| bound(*b))
                    .collect::<Vec<_>>()
                    .join(", "),
                plural(*steps, "step"),
                rfc3339(*first_ms)
            ),
        }
    }
}

/// A bound as an `le` label writes it: `+Inf`, not `inf`.
fn bound(x: f64) -> String {
    if x == f64::INFINITY {
        "+Inf".to_owned()
    } else if x == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        x.to_string()
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn rfc3339(ms: i64) -> String {
    crate::time::fmt::rfc3339_millis(ms).unwrap_or_else(|| format!("{ms} ms"))
}

/// One quantile over time for one histogram.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuantileSeries {
    /// The histogram's labels without the metric name (as PromQL returns them).
    pub labels: Labels,
    /// The quantile.
    pub q: f64,
    /// Timestamps (epoch ms): those at which the histogram has at least one bucket.
    pub time_ms: Vec<i64>,
    /// One value per timestamp; `NaN` where undefined (see the notes).
    pub values: Vec<f64>,
    /// What was corrected, and why values are `NaN`.
    pub notes: Vec<Note>,
}

/// The share at or below a threshold over time for one histogram.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FractionSeries {
    /// The histogram's labels without the metric name.
    pub labels: Labels,
    /// The threshold.
    pub threshold: f64,
    /// Where the threshold sits among all the histogram's bounds (exact, interpolated, the
    /// nearest bound); `None` without a `+Inf` bucket. A step missing a bucket is interpolated
    /// between the buckets it has (see the notes).
    pub position: Option<ThresholdPosition>,
    /// Timestamps (epoch ms).
    pub time_ms: Vec<i64>,
    /// One share per timestamp, in `[0, 1]`; `NaN` where undefined.
    pub values: Vec<f64>,
    /// What was corrected, and why values are `NaN`.
    pub notes: Vec<Note>,
}

/// `histogram_quantile(q, …)` at every timestamp of every histogram, e.g. of
/// `group_buckets(sum by (endpoint, le) (rate(x_bucket[5m])))`.
///
/// Each value is [`Histogram::quantile`] of the buckets present at that timestamp, so the result
/// has the same series and timestamps as Prometheus' range query of `histogram_quantile(q, …)` of
/// the same expression, and the same values. Special cases (each also a [`Note`]):
/// * `q` outside `[0, 1]` or `NaN`: `-Inf`/`+Inf`/`NaN` everywhere, as in Prometheus;
/// * no `+Inf` bucket, only a `+Inf` bucket, or no observations at a step: `NaN` there;
/// * corrected buckets (merged spellings, small deltas, forced monotonicity) and steps where a
///   bucket is missing are reported, never silent;
/// * a histogram with no timestamps gives a series with no values.
pub fn quantile_series(q: f64, histograms: &[HistogramSeries]) -> Vec<QuantileSeries> {
    histograms
        .iter()
        .map(|h| {
            let mut tally = Tally::new(h);
            let values = (0..h.len())
                .map(|step| {
                    let hist = h.histogram_at(step);
                    tally.add(h, step, &hist);
                    hist.quantile(q)
                })
                .collect();
            let mut notes = Vec::new();
            if q.is_nan() || !(0.0..=1.0).contains(&q) {
                notes.push(Note {
                    histogram: h.labels.clone(),
                    kind: NoteKind::InvalidQuantile { q },
                });
            }
            notes.extend(tally.into_notes(h));
            QuantileSeries {
                labels: h.output_labels(),
                q,
                time_ms: h.time_ms.clone(),
                values,
                notes,
            }
        })
        .collect()
}

/// The share of observations at or below `threshold` at every timestamp of every histogram
/// ([`Histogram::fraction_at_or_below`]), with the threshold's position among the bounds.
///
/// At a bucket bound this equals the PromQL ratio `x_bucket{le="b"} / x_bucket{le="+Inf"}` of
/// the same input, after the monotonicity fix (a bucket lower than one below it counts as that
/// one). Special cases: `NaN` at steps without a `+Inf` bucket, without observations, or for a
/// `NaN` threshold; the rest as [`quantile_series`].
pub fn fraction_series(threshold: f64, histograms: &[HistogramSeries]) -> Vec<FractionSeries> {
    histograms
        .iter()
        .map(|h| {
            let mut tally = Tally::new(h);
            let values = (0..h.len())
                .map(|step| {
                    let hist = h.histogram_at(step);
                    tally.add(h, step, &hist);
                    hist.fraction_at_or_below(threshold)
                })
                .collect();
            let bounds = h.bounds();
            let position = if bounds.last() == Some(&f64::INFINITY) && bounds.len() >= 2 {
                locate_threshold(threshold, &bounds)
            } else {
                None
            };
            FractionSeries {
                labels: h.output_labels(),
                threshold,
                position,
                time_ms: h.time_ms.clone(),
                values,
                notes: tally.into_notes(h),
            }
        })
        .collect()
}

/// Counts what happened over the steps of one histogram.
struct Tally {
    no_inf: usize,
    too_few: usize,
    no_observations: usize,
    small_deltas: usize,
    forced: Option<(usize, i64, i64, MonotonicityFix)>,
    missing: Option<(usize, i64)>,
    missing_bounds: Vec<f64>,
    all_bounds: usize,
}

impl Tally {
    fn new(h: &HistogramSeries) -> Self {
        Self {
            no_inf: 0,
            too_few: 0,
            no_observations: 0,
            small_deltas: 0,
            forced: None,
            missing: None,
            missing_bounds: Vec::new(),
            all_bounds: h.members.len(),
        }
    }

    fn add(&mut self, h: &HistogramSeries, step: usize, hist: &Histogram) {
        let t = h.time_ms.get(step).copied().unwrap_or_default();
        let present = h.buckets_at(step);
        if present.len() < self.all_bounds {
            let (steps, first) = self.missing.unwrap_or((0, t));
            self.missing = Some((steps + 1, first));
            for m in &h.members {
                let here = present.iter().any(|b| b.upper_bound == m.upper_bound);
                if !here && !self.missing_bounds.contains(&m.upper_bound) {
                    self.missing_bounds.push(m.upper_bound);
                }
            }
        }
        match hist.unusable() {
            Some(Unusable::NoInfBucket) => self.no_inf += 1,
            Some(Unusable::TooFewBuckets) => self.too_few += 1,
            Some(_) => {}
            None if hist.observations() == 0.0 => self.no_observations += 1,
            None => {}
        }
        let fixes = hist.fixes();
        if fixes.small_deltas_ignored {
            self.small_deltas += 1;
        }
        if let Some(fix) = fixes.forced_monotonic {
            self.forced = Some(match self.forced {
                None => (1, t, t, fix),
                Some((n, first, _, f)) => (
                    n + 1,
                    first,
                    t,
                    MonotonicityFix {
                        min_bound: f.min_bound.min(fix.min_bound),
                        max_bound: f.max_bound.max(fix.max_bound),
                        max_diff: f.max_diff.max(fix.max_diff),
                    },
                ),
            });
        }
    }

    fn into_notes(self, h: &HistogramSeries) -> Vec<Note> {
        let mut kinds = Vec::new();
        if self.no_inf > 0 {
            kinds.push(NoteKind::NoInfBucket { steps: self.no_inf });
        }
        if self.too_few > 0 {
            kinds.push(NoteKind::TooFewBuckets {
                steps: self.too_few,
            });
        }
        if self.no_observations > 0 {
            kinds.push(NoteKind::NoObservations {
                steps: self.no_observations,
            });
        }
        if let Some((steps, first_ms)) = self.missing {
            let mut upper_bounds = self.missing_bounds;
            upper_bounds.sort_by(f64::total_cmp);
            kinds.push(NoteKind::MissingBuckets {
                steps,
                first_ms,
                upper_bounds,
            });
        }
        if let Some((steps, first_ms, last_ms, fix)) = self.forced {
            kinds.push(NoteKind::ForcedMonotonicity {
                steps,
                first_ms,
                last_ms,
                min_bound: fix.min_bound,
                max_bound: fix.max_bound,
                max_diff: fix.max_diff,
            });
        }
        if self.small_deltas > 0 {
            kinds.push(NoteKind::SmallDeltasIgnored {
                steps: self.small_deltas,
            });
        }
        for group in h.members.chunk_by(|a, b| a.upper_bound == b.upper_bound) {
            if let (Some(first), true) = (group.first(), group.len() > 1) {
                kinds.push(NoteKind::MergedBounds {
                    upper_bound: first.upper_bound,
                    le: group.iter().map(|m| m.le.clone()).collect(),
                });
            }
        }
        kinds
            .into_iter()
            .map(|kind| Note {
                histogram: h.labels.clone(),
                kind,
            })
            .collect()
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::frame::Series;
    use crate::histogram::group_buckets;

    const INF: f64 = f64::INFINITY;
    /// 2025-02-23T19:20:00Z
    const T0: i64 = 1_740_338_400_000;

    fn series(pairs: &[(&str, &str)], points: &[(i64, f64)]) -> Series {
        Series {
            labels: Labels::from_pairs(pairs.iter().copied()),
            time_ms: points.iter().map(|p| T0 + p.0).collect(),
            values: points.iter().map(|p| p.1).collect(),
        }
    }

    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| {
                x == y
                    || (x.is_nan() && y.is_nan())
                    || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
            })
    }

    /// Per-second rates of one endpoint at 4 steps: 10/30/40 at step 0; at step 1 the 1 bucket
    /// lags (25 < 0.25's 30, forced); step 2 has no traffic; at step 3 the 0.25 series is
    /// missing.
    fn input() -> Vec<Series> {
        vec![
            series(
                &[("endpoint", "/a"), ("le", "0.25")],
                &[(0, 10.0), (60_000, 30.0), (120_000, 0.0)],
            ),
            series(
                &[("endpoint", "/a"), ("le", "1")],
                &[(0, 30.0), (60_000, 25.0), (120_000, 0.0), (180_000, 30.0)],
            ),
            series(
                &[("endpoint", "/a"), ("le", "+Inf")],
                &[(0, 40.0), (60_000, 40.0), (120_000, 0.0), (180_000, 40.0)],
            ),
            series(&[("endpoint", "/old"), ("le", "1")], &[(0, 3.0)]),
        ]
    }

    #[test]
    fn quantiles_per_step_with_notes() {
        let groups = group_buckets(&input()).unwrap();
        let out = quantile_series(0.5, &groups);
        let [a, old] = out.as_slice() else {
            panic!("{out:?}")
        };
        assert_eq!(a.labels, Labels::from_pairs([("endpoint", "/a")]));
        assert_eq!(a.time_ms, [T0, T0 + 60_000, T0 + 120_000, T0 + 180_000]);
        // step 0: rank 20 in (0.25, 1] (10 → 30): 0.25 + 0.75 · 10/20 = 0.625.
        // step 1: 1 raised to 30; rank 20 in the lowest bucket: 0.25 · 20/30 = 0.1667.
        // step 2: no observations. step 3: buckets 1 and +Inf only, rank 20 in [0, 1]: 1 · 20/30.
        assert!(
            same(
                &a.values,
                &[0.625, 0.25 * 20.0 / 30.0, f64::NAN, 20.0 / 30.0]
            ),
            "{:?}",
            a.values
        );
        let notes: Vec<String> = a.notes.iter().map(Note::to_string).collect();
        assert_eq!(
            notes,
            [
                "histogram {endpoint=\"/a\"} has no observations at 1 step: NaN there, not 0",
                "histogram {endpoint=\"/a\"}: bucket(s) le=0.25 missing at 1 step (first at \
                 2025-02-23T19:23:00.000Z): those steps use the buckets present",
                "histogram {endpoint=\"/a\"}: bucket counts needed to be fixed for monotonicity \
                 at 1 step from 2025-02-23T19:21:00.000Z to 2025-02-23T19:21:00.000Z (bounds 1 \
                 to 1 raised, by up to 5)",
            ]
        );
        assert!(same(&old.values, &[f64::NAN]));
        let notes: Vec<String> = old.notes.iter().map(Note::to_string).collect();
        assert_eq!(
            notes,
            ["histogram {endpoint=\"/old\"} has no +Inf bucket: NaN at 1 step"]
        );
        assert!(old.notes.iter().all(Note::is_warning));
    }

    #[test]
    fn invalid_quantiles_give_infinities_and_a_warning() {
        let groups = group_buckets(&input()).unwrap();
        let cases: &[(f64, f64, &str)] = &[
            (-0.5, f64::NEG_INFINITY, "-Inf"),
            (1.5, INF, "+Inf"),
            (f64::NAN, f64::NAN, "NaN"),
        ];
        for (q, want, word) in cases {
            let out = quantile_series(*q, &groups);
            for s in &out {
                assert!(
                    same(&s.values, &vec![*want; s.values.len()]),
                    "case {q} failed"
                );
                let first = s.notes.first().map(Note::to_string).unwrap_or_default();
                assert!(
                    first.ends_with(&format!("gives {word} at every step")),
                    "case {q}: {first}"
                );
            }
        }
    }

    #[test]
    fn fractions_per_step_with_position() {
        let groups = group_buckets(&input()).unwrap();
        let out = fraction_series(0.5, &groups);
        let [a, old] = out.as_slice() else {
            panic!("{out:?}")
        };
        // step 0: (10 + 20 · (0.5 − 0.25)/0.75) / 40 = 16.667/40.
        // step 1: 1 raised to 30: (30 + 0) / 40 = 0.75.
        // step 3: no 0.25 bucket: 0.5 is in [0, 1]: 30 · 0.5 / 40 = 0.375.
        assert!(
            same(
                &a.values,
                &[(10.0 + 20.0 / 3.0) / 40.0, 0.75, f64::NAN, 0.375]
            ),
            "{:?}",
            a.values
        );
        let p = a.position.unwrap();
        assert_eq!(
            (p.bucket_lower, p.bucket_upper, p.nearest_bound),
            (0.25, 1.0, 0.25)
        );
        assert!(old.position.is_none());
        assert!(same(&old.values, &[f64::NAN]));
    }

    #[test]
    fn merged_spellings_are_noted() {
        let input = vec![
            series(&[("le", "0.1")], &[(0, 1.0)]),
            series(&[("le", "1e-1")], &[(0, 2.0)]),
            series(&[("le", "+Inf")], &[(0, 4.0)]),
        ];
        let groups = group_buckets(&input).unwrap();
        let out = quantile_series(0.5, &groups);
        let s = out.first().unwrap();
        // 0.1 holds 1 + 2 = 3 of 4; rank 2 in [0, 0.1]: 0.1 · 2/3.
        assert!(same(&s.values, &[0.1 * 2.0 / 3.0]));
        let notes: Vec<String> = s.notes.iter().map(Note::to_string).collect();
        assert_eq!(
            notes,
            ["histogram {}: le=\"0.1\", le=\"1e-1\" are the same bound 0.1; their counts were added together"]
        );
    }
}
