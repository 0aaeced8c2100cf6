//! From `_bucket` series (a decoded query result) to histograms over time: grouped by their labels
//! without `le`, aligned by timestamp.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "offsets and cursors into columns held in memory"
)]

use std::collections::BTreeMap;

use super::le::{bucket_bound, LE_LABEL};
use super::quantile::{Bucket, Histogram};
use crate::error::{Error, Result};
use crate::frame::{Labels, Series};

/// One bucket series of a histogram: its `le` text and the bound it means.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketMember {
    /// The `le` label as written (`0.1`, `1e-1`, `+Inf`).
    pub le: String,
    /// Its value.
    pub upper_bound: f64,
}

/// One classic histogram over time: the bucket series sharing every label but `le`, with the
/// buckets present at each timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSeries {
    /// The shared labels (everything but `le`; the metric name is kept when present).
    pub labels: Labels,
    /// Its bucket series, by bound (then `le` text).
    pub members: Vec<BucketMember>,
    /// Every timestamp at which at least one bucket series has a sample, ascending (epoch ms).
    pub time_ms: Vec<i64>,
    /// The buckets of all steps, laid end to end; step `k` is `buckets[offsets[k]..offsets[k + 1]]`.
    buckets: Vec<Bucket>,
    offsets: Vec<usize>,
}

impl HistogramSeries {
    /// The labels of a result computed from this histogram: [`HistogramSeries::labels`] without
    /// the metric name, as PromQL's `histogram_quantile` drops it.
    pub fn output_labels(&self) -> Labels {
        Labels::from_pairs(
            self.labels
                .iter()
                .filter(|(k, _)| *k != "__name__")
                .map(|(k, v)| (k.to_owned(), v.to_owned())),
        )
    }

    /// Number of timestamps.
    pub fn len(&self) -> usize {
        self.time_ms.len()
    }

    /// True when no bucket series has a sample.
    pub fn is_empty(&self) -> bool {
        self.time_ms.is_empty()
    }

    /// The buckets present at step `step` (a bucket series without a sample there is absent, as
    /// in PromQL); empty when `step` is out of range.
    pub fn buckets_at(&self, step: usize) -> &[Bucket] {
        let next = step.checked_add(1).and_then(|k| self.offsets.get(k));
        match (self.offsets.get(step), next) {
            (Some(&from), Some(&to)) => self.buckets.get(from..to).unwrap_or_default(),
            _ => &[],
        }
    }

    /// The histogram at step `step`, prepared for quantiles and fractions.
    pub fn histogram_at(&self, step: usize) -> Histogram {
        Histogram::new(self.buckets_at(step))
    }

    /// The distinct bounds of all bucket series, ascending.
    pub fn bounds(&self) -> Vec<f64> {
        let mut bounds: Vec<f64> = self.members.iter().map(|m| m.upper_bound).collect();
        bounds.dedup();
        bounds
    }
}

/// Groups bucket series into histograms: series that share every label except `le` form one
/// histogram (so `sum by (endpoint, le) (rate(x_bucket[5m]))` gives one per endpoint), and at
/// each timestamp its buckets are the series that have a sample there, matched by time, not by
/// position, since series can start, stop and have gaps independently.
///
/// Histograms come out sorted by labels. Special cases:
/// * a series without `le`, or whose `le` Go's `ParseFloat` refuses or reads as `NaN`: an error
///   naming the series (Prometheus skips it, silently before 2.48);
/// * `le` texts that mean the same bound (`0.1`, `1e-1`) stay separate members, and are added
///   together at evaluation (as Prometheus does);
/// * the metric name is part of the grouping, as in Prometheus: two histograms that differ only
///   by name would give results with the same labels, so this is an error (Prometheus fails such
///   a query with "vector cannot contain metrics with the same labelset");
/// * the same series twice, a series whose `time_ms` and `values` differ in length, or whose
///   timestamps do not strictly increase: an error;
/// * a histogram whose series have no samples has no timestamps; one without a `+Inf` series is
///   kept (its quantiles are `NaN`, with a note);
/// * no series: no histograms.
pub fn group_buckets(series: &[Series]) -> Result<Vec<HistogramSeries>> {
    let mut groups: BTreeMap<Labels, Vec<(BucketMember, &Series)>> = BTreeMap::new();
    for s in series {
        if s.time_ms.len() != s.values.len() {
            return Err(Error::InvalidInput(format!(
                "series {} has {} timestamps but {} values",
                s.labels,
                s.time_ms.len(),
                s.values.len()
            )));
        }
        if let Some(pair) = s.time_ms.windows(2).find(|w| w.first() >= w.get(1)) {
            return Err(Error::InvalidInput(format!(
                "series {}: timestamps must increase, but {} is followed by {}",
                s.labels,
                pair.first().copied().unwrap_or_default(),
                pair.get(1).copied().unwrap_or_default()
            )));
        }
        let upper_bound = bucket_bound(&s.labels)?;
        let le = s.labels.get(LE_LABEL).unwrap_or_default().to_owned();
        let key = Labels::from_pairs(
            s.labels
                .iter()
                .filter(|(k, _)| *k != LE_LABEL)
                .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        groups
            .entry(key)
            .or_default()
            .push((BucketMember { le, upper_bound }, s));
    }

    let mut out = Vec::with_capacity(groups.len());
    let mut seen: BTreeMap<Labels, Labels> = BTreeMap::new();
    for (labels, mut members) in groups {
        members.sort_by(|(a, _), (b, _)| {
            a.upper_bound
                .total_cmp(&b.upper_bound)
                .then_with(|| a.le.cmp(&b.le))
        });
        if let Some(pair) = members.windows(2).find(|w| match (w.first(), w.get(1)) {
            (Some((a, _)), Some((b, _))) => a.le == b.le,
            _ => false,
        }) {
            let s = pair.first().map(|(_, s)| s.labels.to_string());
            return Err(Error::InvalidInput(format!(
                "series {} appears twice",
                s.unwrap_or_default()
            )));
        }
        let histogram = align(labels, members);
        let output = histogram.output_labels();
        if let Some(other) = seen.insert(output.clone(), histogram.labels.clone()) {
            return Err(Error::InvalidHistogram(format!(
                "{other} and {} differ only in their metric name, so their results would have \
                 the same labels {output} (aggregate them, or select one)",
                histogram.labels
            )));
        }
        out.push(histogram);
    }
    Ok(out)
}

/// Lays the members' samples out per timestamp.
fn align(labels: Labels, members: Vec<(BucketMember, &Series)>) -> HistogramSeries {
    let mut time_ms: Vec<i64> = members
        .iter()
        .flat_map(|(_, s)| s.time_ms.iter().copied())
        .collect();
    time_ms.sort_unstable();
    time_ms.dedup();

    let mut cursors = vec![0usize; members.len()];
    let mut buckets = Vec::with_capacity(members.iter().map(|(_, s)| s.len()).sum());
    let mut offsets = Vec::with_capacity(time_ms.len() + 1);
    offsets.push(0);
    for &t in &time_ms {
        for ((member, s), cursor) in members.iter().zip(cursors.iter_mut()) {
            if s.time_ms.get(*cursor) == Some(&t) {
                if let Some(&v) = s.values.get(*cursor) {
                    buckets.push(Bucket::new(member.upper_bound, v));
                }
                *cursor += 1;
            }
        }
        offsets.push(buckets.len());
    }
    HistogramSeries {
        labels,
        members: members.into_iter().map(|(m, _)| m).collect(),
        time_ms,
        buckets,
        offsets,
    }
}

#[cfg(test)]
mod test {
    use super::*;

    const INF: f64 = f64::INFINITY;

    fn series(pairs: &[(&str, &str)], points: &[(i64, f64)]) -> Series {
        Series {
            labels: Labels::from_pairs(pairs.iter().copied()),
            time_ms: points.iter().map(|p| p.0).collect(),
            values: points.iter().map(|p| p.1).collect(),
        }
    }

    #[test]
    fn groups_by_labels_without_le_and_aligns_by_time() {
        let input = vec![
            series(
                &[("endpoint", "/b"), ("le", "+Inf")],
                &[(1000, 4.0), (2000, 6.0)],
            ),
            series(
                &[("endpoint", "/a"), ("le", "+Inf")],
                &[(1000, 2.0), (2000, 3.0), (3000, 5.0)],
            ),
            // Missing its sample at 2000: step 2000 has only the +Inf bucket.
            series(
                &[("endpoint", "/a"), ("le", "0.5")],
                &[(1000, 1.0), (3000, 4.0)],
            ),
            series(&[("endpoint", "/b"), ("le", "0.5")], &[(2000, 5.0)]),
        ];
        let groups = group_buckets(&input).unwrap();
        assert_eq!(groups.len(), 2);
        let [a, b] = groups.as_slice() else { panic!() };
        assert_eq!(a.labels, Labels::from_pairs([("endpoint", "/a")]));
        assert_eq!(a.time_ms, [1000, 2000, 3000]);
        assert_eq!(
            a.buckets_at(0),
            [Bucket::new(0.5, 1.0), Bucket::new(INF, 2.0)]
        );
        assert_eq!(a.buckets_at(1), [Bucket::new(INF, 3.0)]);
        assert_eq!(
            a.buckets_at(2),
            [Bucket::new(0.5, 4.0), Bucket::new(INF, 5.0)]
        );
        assert!(a.buckets_at(3).is_empty() && a.buckets_at(usize::MAX).is_empty());
        assert_eq!(a.bounds(), [0.5, INF]);
        assert_eq!(b.time_ms, [1000, 2000]);
        assert_eq!(b.buckets_at(0), [Bucket::new(INF, 4.0)]);
        assert_eq!(
            b.buckets_at(1),
            [Bucket::new(0.5, 5.0), Bucket::new(INF, 6.0)]
        );
    }

    #[test]
    fn spellings_of_one_bound_stay_members_and_merge_at_evaluation() {
        let input = vec![
            series(&[("le", "0.1")], &[(0, 1.0)]),
            series(&[("le", "1e-1")], &[(0, 2.0)]),
            series(&[("le", "+Inf")], &[(0, 4.0)]),
        ];
        let groups = group_buckets(&input).unwrap();
        let g = groups.first().unwrap();
        let les: Vec<&str> = g.members.iter().map(|m| m.le.as_str()).collect();
        assert_eq!(les, ["0.1", "1e-1", "+Inf"]);
        assert_eq!(g.bounds(), [0.1, INF]);
        assert_eq!(
            g.histogram_at(0).buckets(),
            [Bucket::new(0.1, 3.0), Bucket::new(INF, 4.0)]
        );
    }

    #[test]
    fn the_metric_name_is_kept_for_grouping_and_dropped_from_output() {
        let input = vec![series(
            &[("__name__", "x_bucket"), ("job", "a"), ("le", "+Inf")],
            &[(0, 1.0)],
        )];
        let groups = group_buckets(&input).unwrap();
        let g = groups.first().unwrap();
        assert_eq!(g.labels.metric_name(), Some("x_bucket"));
        assert_eq!(g.output_labels(), Labels::from_pairs([("job", "a")]));
    }

    #[test]
    fn bad_input_is_an_error_naming_the_series() {
        let ok = |pairs: &[(&str, &str)]| series(pairs, &[(0, 1.0)]);
        let cases: Vec<(&str, Vec<Series>, &str)> = vec![
            (
                "bad le",
                vec![ok(&[("__name__", "x_bucket"), ("le", "0.5s")])],
                "histogram: series x_bucket{le=\"0.5s\"}: le=\"0.5s\" is not a number",
            ),
            (
                "no le",
                vec![ok(&[("job", "a")])],
                "histogram: series {job=\"a\"} has no \"le\" label",
            ),
            (
                "same labels but the name",
                vec![
                    ok(&[("__name__", "a_bucket"), ("le", "+Inf")]),
                    ok(&[("__name__", "b_bucket"), ("le", "+Inf")]),
                ],
                "histogram: a_bucket and b_bucket differ only in their metric name",
            ),
            (
                "twice",
                vec![ok(&[("le", "1")]), ok(&[("le", "1")])],
                "input: series {le=\"1\"} appears twice",
            ),
            (
                "lengths",
                vec![Series {
                    labels: Labels::from_pairs([("le", "1")]),
                    time_ms: vec![0, 1],
                    values: vec![1.0],
                }],
                "input: series {le=\"1\"} has 2 timestamps but 1 values",
            ),
            (
                "order",
                vec![series(&[("le", "1")], &[(5, 1.0), (5, 2.0)])],
                "input: series {le=\"1\"}: timestamps must increase, but 5 is followed by 5",
            ),
        ];
        for (name, input, want) in cases {
            let err = group_buckets(&input).map(|_| ()).unwrap_err().to_string();
            assert!(err.starts_with(want), "case {name} failed: {err}");
        }
    }

    #[test]
    fn no_series_no_histograms() {
        assert!(group_buckets(&[]).unwrap().is_empty());
    }
}
