//! One classic histogram at one instant, prepared the way PromQL prepares it, and its quantiles.
//!
//! Preparation follows Prometheus' `BucketQuantile` (`promql/quantile.go`) step by step: sort by
//! upper bound, require a `+Inf` bucket, merge buckets with the same bound, ignore numerically
//! insignificant differences between neighbours, then force the counts to be monotonic. Unlike
//! Prometheus, every correction is returned in [`Fixes`] so that callers can report it.
//!
//! Prometheus versions differ here (see [`SMALL_DELTA_TOLERANCE`]): 2.42 (Debian 12) only forces
//! monotonicity, silently; 2.48 added an info annotation when it does; 2.49 started ignoring
//! relative differences below 1e-12; 3.10 put the affected bounds and the largest decrease in the
//! annotation. This module follows the current behaviour.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "bucket indices of a list checked to hold at least two buckets, and a binary search's midpoint taken as lo + (hi - lo) / 2"
)]

use serde::Serialize;

/// Relative difference between neighbouring cumulative bucket counts below which the two counts
/// are treated as equal before monotonicity is checked.
///
/// Such differences are floating point noise, not observations: summing rates over shards or
/// series in a different order gives counts like `15` and `15.00000000001` for two buckets that
/// hold the same observations. Prometheus (since 2.49, `smallDeltaTolerance`) uses 1e-12, chosen
/// on real data where noise stayed above 1e-15 and genuine differences below 1e-6: one
/// observation out of 10^12 is the smallest change that gets ignored, far more than any service
/// records within a query range. Using the same value keeps results identical to Prometheus.
///
/// Prometheus 2.48 and older do not ignore them. The results differ only when the rank of the
/// quantile falls inside such a tiny difference; the best-known case is `q = 1` with a bucket
/// count a hair above the ones below it (see the `small_delta` unit tests).
pub const SMALL_DELTA_TOLERANCE: f64 = 1e-12;

/// A classic histogram bucket: an upper bound (`le`) and the cumulative count (or rate, or
/// increase) of observations at or below it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    /// The bucket's upper bound, `+Inf` for the last bucket.
    pub upper_bound: f64,
    /// Observations at or below `upper_bound`.
    pub count: f64,
}

impl Bucket {
    /// A bucket with bound `upper_bound` and cumulative count `count`.
    pub fn new(upper_bound: f64, count: f64) -> Self {
        Self { upper_bound, count }
    }
}

/// Why a histogram cannot give a quantile or a fraction: its value is then `NaN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Unusable {
    /// No buckets at all.
    NoBuckets,
    /// A bucket bound is `NaN`, so the buckets cannot be ordered.
    NanBound,
    /// The highest bucket is not `+Inf` (Prometheus returns `NaN` as well).
    NoInfBucket,
    /// Only the `+Inf` bucket (after merging equal bounds): nothing to interpolate in.
    TooFewBuckets,
}

/// Where monotonicity had to be forced: the same facts Prometheus 3.10 puts in its annotation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MonotonicityFix {
    /// The lowest upper bound whose count was raised.
    pub min_bound: f64,
    /// The highest upper bound whose count was raised.
    pub max_bound: f64,
    /// The largest amount a count was raised by.
    pub max_diff: f64,
}

/// Corrections made to the buckets before evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fixes {
    /// Number of buckets merged into another with the same bound (`le="0.1"` and `le="1e-1"`).
    pub merged_buckets: usize,
    /// True when differences below [`SMALL_DELTA_TOLERANCE`] were ignored (Prometheus does this
    /// silently).
    pub small_deltas_ignored: bool,
    /// Set when a count was lower than a count below it and was raised to it (Prometheus reports
    /// this as an info annotation: "input to histogram_quantile needed to be fixed for
    /// monotonicity").
    pub forced_monotonic: Option<MonotonicityFix>,
}

/// A classic histogram at one instant: buckets sorted, merged and corrected as PromQL does before
/// it computes `histogram_quantile`.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    buckets: Vec<Bucket>,
    unusable: Option<Unusable>,
    fixes: Fixes,
}

impl Histogram {
    /// Prepares `buckets`, given in any order.
    ///
    /// Steps and special cases, in Prometheus' order:
    /// * no buckets, or a `NaN` bound: unusable ([`Unusable::NoBuckets`], [`Unusable::NanBound`]);
    /// * sort by upper bound; the highest must be `+Inf`, or the histogram is unusable
    ///   ([`Unusable::NoInfBucket`]) and nothing is corrected;
    /// * buckets with the same bound are merged by adding their counts
    ///   ([`Fixes::merged_buckets`]);
    /// * going up from the lowest bucket, a count that differs from the last kept count by less
    ///   than [`SMALL_DELTA_TOLERANCE`] (relative) is set to it ([`Fixes::small_deltas_ignored`]);
    ///   a count lower than it is raised to it ([`Fixes::forced_monotonic`]). `NaN` counts are
    ///   neither, and pass through as Prometheus lets them;
    /// * fewer than two buckets left: unusable ([`Unusable::TooFewBuckets`]).
    pub fn new(buckets: &[Bucket]) -> Self {
        let mut h = Self {
            buckets: buckets.to_vec(),
            unusable: None,
            fixes: Fixes::default(),
        };
        if h.buckets.is_empty() {
            h.unusable = Some(Unusable::NoBuckets);
            return h;
        }
        if h.buckets.iter().any(|b| b.upper_bound.is_nan()) {
            h.unusable = Some(Unusable::NanBound);
            return h;
        }
        h.buckets
            .sort_by(|a, b| a.upper_bound.total_cmp(&b.upper_bound));
        if h.buckets.last().map(|b| b.upper_bound) != Some(f64::INFINITY) {
            h.unusable = Some(Unusable::NoInfBucket);
            return h;
        }
        h.fixes.merged_buckets = merge_equal_bounds(&mut h.buckets);
        let (small, forced) = ignore_small_deltas_and_force_monotonic(&mut h.buckets);
        h.fixes.small_deltas_ignored = small;
        h.fixes.forced_monotonic = forced;
        if h.buckets.len() < 2 {
            h.unusable = Some(Unusable::TooFewBuckets);
        }
        h
    }

    /// The prepared buckets: sorted, merged and corrected (as given when unusable).
    pub fn buckets(&self) -> &[Bucket] {
        &self.buckets
    }

    /// Why the histogram cannot be evaluated, if it cannot.
    pub fn unusable(&self) -> Option<Unusable> {
        self.unusable
    }

    /// The corrections made while preparing it.
    pub fn fixes(&self) -> Fixes {
        self.fixes
    }

    /// The number of observations: the `+Inf` bucket's count after correction; `NaN` when the
    /// histogram is unusable.
    pub fn observations(&self) -> f64 {
        match (self.unusable, self.buckets.last()) {
            (None, Some(last)) => last.count,
            _ => f64::NAN,
        }
    }

    /// The `q`-quantile, exactly as PromQL's `histogram_quantile` computes it for classic buckets.
    ///
    /// The value is interpolated linearly within the bucket where the rank `q · observations`
    /// falls (the first bucket whose cumulative count reaches the rank), assuming observations
    /// are spread evenly in it. The lowest bucket starts at 0 when its upper bound is positive.
    ///
    /// Special cases, in this order:
    /// * `q` is `NaN`: `NaN`; `q < 0`: `-Inf`; `q > 1`: `+Inf` (whatever the buckets);
    /// * unusable histogram (no buckets, `NaN` bound, no `+Inf` bucket, only a `+Inf` bucket):
    ///   `NaN`;
    /// * zero observations: `NaN`;
    /// * the rank falls in the `+Inf` bucket: the upper bound of the second-highest bucket;
    /// * the rank falls in the lowest bucket and its upper bound is `<= 0`: that upper bound (the
    ///   bucket has no lower end to interpolate from);
    /// * `q = 0` with an empty lowest bucket: `NaN` (the interpolation is `0 · 0/0`, and
    ///   Prometheus returns that `NaN` as well);
    /// * `NaN` counts: the search for the rank treats them as "not reached", with Prometheus'
    ///   binary search, so results match Prometheus' even then.
    pub fn quantile(&self, q: f64) -> f64 {
        if q.is_nan() {
            return f64::NAN;
        }
        if q < 0.0 {
            return f64::NEG_INFINITY;
        }
        if q > 1.0 {
            return f64::INFINITY;
        }
        if self.unusable.is_some() {
            return f64::NAN;
        }
        let b = &self.buckets;
        let n = b.len();
        let observations = self.observations();
        if observations == 0.0 {
            return f64::NAN;
        }
        let mut rank = q * observations;
        let i = search(n - 1, |i| b.get(i).is_some_and(|x| x.count >= rank));
        let (Some(bucket), Some(first)) = (b.get(i), b.first()) else {
            return f64::NAN;
        };
        if i == n - 1 {
            return b.get(n - 2).map_or(f64::NAN, |x| x.upper_bound);
        }
        if i == 0 && first.upper_bound <= 0.0 {
            return first.upper_bound;
        }
        let mut start = 0.0;
        let end = bucket.upper_bound;
        let mut count = bucket.count;
        if let Some(below) = i.checked_sub(1).and_then(|j| b.get(j)) {
            start = below.upper_bound;
            count -= below.count;
            rank -= below.count;
        }
        start + (end - start) * (rank / count)
    }
}

/// The `q`-quantile of `buckets` (any order), as PromQL's `histogram_quantile`, and the
/// corrections made. See [`Histogram::new`] and [`Histogram::quantile`] for every special case.
pub fn bucket_quantile(q: f64, buckets: &[Bucket]) -> (f64, Fixes) {
    let h = Histogram::new(buckets);
    (h.quantile(q), h.fixes())
}

/// Go's `sort.Search(n, f)`: the smallest index in `0..n` for which `f` is true, assuming `f` is
/// false then true; `n` when it is never true. The same bisection as Go, so that inputs that
/// break the assumption (`NaN` counts) give the same index as in Prometheus.
fn search(n: usize, f: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if f(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Merges neighbours with the same bound (the input is sorted), adding their counts. Returns how
/// many buckets were merged away.
fn merge_equal_bounds(buckets: &mut Vec<Bucket>) -> usize {
    let before = buckets.len();
    buckets.dedup_by(|later, kept| {
        let same = later.upper_bound == kept.upper_bound;
        if same {
            kept.count += later.count;
        }
        same
    });
    before - buckets.len()
}

/// Prometheus' `ensureMonotonicAndIgnoreSmallDeltas`: returns whether small deltas were ignored
/// and where monotonicity was forced.
fn ignore_small_deltas_and_force_monotonic(
    buckets: &mut [Bucket],
) -> (bool, Option<MonotonicityFix>) {
    let mut small = false;
    let mut forced: Option<MonotonicityFix> = None;
    let Some(first) = buckets.first() else {
        return (small, forced);
    };
    let mut prev = first.count;
    for bucket in buckets.iter_mut().skip(1) {
        let curr = bucket.count;
        if curr == prev {
            continue;
        }
        if almost_equal(prev, curr, SMALL_DELTA_TOLERANCE) {
            bucket.count = prev;
            small = true;
            continue;
        }
        if curr < prev {
            bucket.count = prev;
            let bound = bucket.upper_bound;
            let diff = prev - curr;
            forced = Some(match forced {
                None => MonotonicityFix {
                    min_bound: bound,
                    max_bound: bound,
                    max_diff: diff,
                },
                Some(f) => MonotonicityFix {
                    min_bound: f.min_bound.min(bound),
                    max_bound: f.max_bound.max(bound),
                    max_diff: f.max_diff.max(diff),
                },
            });
            continue;
        }
        prev = curr;
    }
    (small, forced)
}

/// The smallest positive normal `f64`.
const MIN_NORMAL: f64 = f64::MIN_POSITIVE;

/// Prometheus' `almost.Equal`: `a` and `b` differ by less than `epsilon` times their magnitude
/// sum (or, near zero, than `epsilon` times the smallest normal number). Both `NaN`: equal.
/// (Prometheus also special-cases its staleness marker, which never reaches query results.)
fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < MIN_NORMAL {
        return diff < epsilon * MIN_NORMAL;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

#[cfg(test)]
mod test {
    use super::*;

    const INF: f64 = f64::INFINITY;

    fn buckets(pairs: &[(f64, f64)]) -> Vec<Bucket> {
        pairs.iter().map(|&(le, c)| Bucket::new(le, c)).collect()
    }

    /// Equal, both NaN, or within 1e-12 relative.
    fn same(a: f64, b: f64) -> bool {
        a == b || (a.is_nan() && b.is_nan()) || ((a - b).abs() <= 1e-12 * a.abs().max(b.abs()))
    }

    /// The buckets most tests use: 10 observations ≤ 0.25, 30 ≤ 1, 40 in all.
    const BASIC: &[(f64, f64)] = &[(0.25, 10.0), (1.0, 30.0), (INF, 40.0)];

    #[test]
    fn quantiles_match_hand_computed_values() {
        // (name, buckets, q, expected)
        type Case = (&'static str, &'static [(f64, f64)], f64, f64);
        let cases: &[Case] = &[
            // rank 0.5·40 = 20 is in (0.25, 1] (counts 10 → 30): 0.25 + 0.75 · (20−10)/20.
            ("median interpolated", BASIC, 0.5, 0.625),
            // rank 0.2·40 = 8 is in the lowest bucket, which starts at 0: 0.25 · 8/10.
            ("lowest bucket from zero", BASIC, 0.2, 0.2),
            // rank 10 reaches the lowest bucket's count exactly: its upper bound.
            ("rank on a bound", BASIC, 0.25, 0.25),
            // rank 0.9·40 = 36 > 30: in the +Inf bucket, so the second-highest bound.
            ("in the +Inf bucket", BASIC, 0.9, 1.0),
            ("q = 1", BASIC, 1.0, 1.0),
            // rank 0 is reached by the lowest bucket: 0 + 0.25 · 0/10.
            ("q = 0", BASIC, 0.0, 0.0),
            // rank 0 again, but the lowest bucket holds 0 observations: 0.25 · 0/0 is NaN.
            (
                "q = 0, empty lowest bucket",
                &[(0.25, 0.0), (1.0, 5.0), (INF, 5.0)],
                0.0,
                f64::NAN,
            ),
            ("q < 0", BASIC, -0.1, f64::NEG_INFINITY),
            ("q > 1", BASIC, 1.01, INF),
            ("q NaN", BASIC, f64::NAN, f64::NAN),
            ("q < 0 without +Inf", &[(1.0, 5.0)], -1.0, f64::NEG_INFINITY),
            (
                "no +Inf bucket",
                &[(0.25, 10.0), (1.0, 30.0)],
                0.5,
                f64::NAN,
            ),
            ("only +Inf", &[(INF, 40.0)], 0.5, f64::NAN),
            ("no buckets", &[], 0.5, f64::NAN),
            (
                "no observations",
                &[(0.25, 0.0), (1.0, 0.0), (INF, 0.0)],
                0.5,
                f64::NAN,
            ),
            ("NaN bound", &[(f64::NAN, 1.0), (INF, 2.0)], 0.5, f64::NAN),
            // Unsorted input is sorted first.
            (
                "unsorted",
                &[(INF, 40.0), (1.0, 30.0), (0.25, 10.0)],
                0.5,
                0.625,
            ),
            // Two buckets with bound 0.25 (le="0.25" and le="2.5e-1") are added: 4 + 6 = 10.
            (
                "merged bounds",
                &[(0.25, 4.0), (1.0, 30.0), (INF, 40.0), (0.25, 6.0)],
                0.5,
                0.625,
            ),
            // Lowest bound ≤ 0 and the rank falls in it: its bound, no interpolation.
            (
                "negative lowest bound",
                &[(-1.0, 10.0), (1.0, 30.0), (INF, 40.0)],
                0.1,
                -1.0,
            ),
            // rank 20 in (-1, 1] (10 → 30): -1 + 2 · 10/20 = 0.
            (
                "interpolated across zero",
                &[(-1.0, 10.0), (1.0, 30.0), (INF, 40.0)],
                0.5,
                0.0,
            ),
            (
                "zero lowest bound",
                &[(0.0, 10.0), (1.0, 30.0), (INF, 40.0)],
                0.2,
                0.0,
            ),
            // The 0.1 bucket (1) is below the 0.05 bucket (3) and is raised to 3.
            // rank 0.5·3 = 1.5 is in the lowest bucket: 0.05 · 1.5/3 = 0.025.
            (
                "forced monotonic",
                &[(0.05, 3.0), (0.1, 1.0), (INF, 3.0)],
                0.5,
                0.025,
            ),
            // Prometheus' own case "simple - monotonic": rank 0.99·15 = 14.85 in (10, 15]:
            // 10 + 5 · 4.85/5 = 14.85.
            (
                "prometheus simple",
                &[
                    (10.0, 10.0),
                    (15.0, 15.0),
                    (20.0, 15.0),
                    (30.0, 15.0),
                    (INF, 15.0),
                ],
                0.99,
                14.85,
            ),
            (
                "prometheus real example 2",
                &[
                    (0.005, 9.6),
                    (0.01, 9.688888889),
                    (0.025, 9.755555556),
                    (0.05, 9.844444444),
                    (0.1, 9.888888889),
                    (0.25, 9.888888889),
                    (0.5, 9.888888889),
                    (INF, 9.888888889),
                ],
                0.99,
                0.034_687_500_002_812_61,
            ),
        ];
        for (name, pairs, q, want) in cases {
            let got = Histogram::new(&buckets(pairs)).quantile(*q);
            assert!(
                same(got, *want),
                "case {name} failed: got {got}, want {want}"
            );
        }
    }

    #[test]
    fn preparation_reports_every_fix() {
        // (name, buckets, unusable, merged, small deltas, forced (min, max, diff))
        type Case = (
            &'static str,
            &'static [(f64, f64)],
            Option<Unusable>,
            usize,
            bool,
            Option<(f64, f64, f64)>,
        );
        let cases: &[Case] = &[
            ("clean", BASIC, None, 0, false, None),
            (
                "merged",
                &[(0.1, 1.0), (0.1, 2.0), (INF, 3.0)],
                None,
                1,
                false,
                None,
            ),
            // 15.00000000001 vs 15: relative difference 1e-11 / 30 ≈ 3e-13 < 1e-12.
            (
                "small delta up",
                &[
                    (10.0, 10.0),
                    (15.0, 15.0),
                    (20.0, 15.000_000_000_01),
                    (INF, 15.0),
                ],
                None,
                0,
                true,
                None,
            ),
            // The 1 bucket (0) and the +Inf bucket (7) are both below the 0.25 bucket's 10:
            // raised by 10 − 0 = 10 and 10 − 7 = 3; the largest raise is 10.
            (
                "forced twice",
                &[(0.25, 10.0), (1.0, 0.0), (INF, 7.0)],
                None,
                0,
                false,
                Some((1.0, INF, 10.0)),
            ),
            (
                "no +Inf: nothing fixed",
                &[(1.0, 5.0), (2.0, 1.0)],
                Some(Unusable::NoInfBucket),
                0,
                false,
                None,
            ),
            (
                "only +Inf after merging",
                &[(INF, 1.0), (INF, 2.0)],
                Some(Unusable::TooFewBuckets),
                1,
                false,
                None,
            ),
        ];
        for (name, pairs, unusable, merged, small, forced) in cases {
            let h = Histogram::new(&buckets(pairs));
            assert_eq!(h.unusable(), *unusable, "case {name} failed: unusable");
            let f = h.fixes();
            assert_eq!(f.merged_buckets, *merged, "case {name} failed: merged");
            assert_eq!(
                f.small_deltas_ignored, *small,
                "case {name} failed: small deltas"
            );
            let got = f
                .forced_monotonic
                .map(|m| (m.min_bound, m.max_bound, m.max_diff));
            assert_eq!(got, *forced, "case {name} failed: forced");
        }
    }

    #[test]
    fn small_delta_changes_q1_between_prometheus_versions() {
        // Prometheus' "simple - non-monotonic middle": the 20 bucket is 1e-11 above 15.
        // Current Prometheus (and this module) flattens it: rank 1·15 = 15 is reached at the 15
        // bucket, so the result is 15. Prometheus 2.48 and older kept 15.00000000001, made it the
        // +Inf count via the envelope, and found rank 15.00000000001 only in (15, 20]:
        // 15 + 5 · (1e-11 / 1e-11) = 20.
        let b = buckets(&[
            (10.0, 10.0),
            (15.0, 15.0),
            (20.0, 15.000_000_000_01),
            (30.0, 15.0),
            (INF, 15.0),
        ]);
        let (q1, fixes) = bucket_quantile(1.0, &b);
        assert_eq!(q1, 15.0);
        assert!(fixes.small_deltas_ignored && fixes.forced_monotonic.is_none());
        let (q99, _) = bucket_quantile(0.99, &b);
        assert!(same(q99, 14.85), "{q99}");
    }

    #[test]
    fn nan_counts_follow_prometheus() {
        // A NaN +Inf count: rank NaN is never reached, so the search ends on the +Inf bucket and
        // the result is the second-highest bound, as in Prometheus.
        let h = Histogram::new(&buckets(&[(0.5, 1.0), (1.0, 2.0), (INF, f64::NAN)]));
        assert_eq!(h.quantile(0.5), 1.0);
        assert!(h.fixes().forced_monotonic.is_none());
    }

    #[test]
    fn search_is_go_sort_search() {
        let counts = [1.0, 3.0, 3.0, 7.0];
        let cases: &[(f64, usize)] = &[(0.0, 0), (1.0, 0), (2.0, 1), (3.0, 1), (5.0, 3), (8.0, 4)];
        for (rank, want) in cases {
            let got = search(counts.len(), |i| counts.get(i).is_some_and(|c| c >= rank));
            assert_eq!(got, *want, "case rank {rank} failed");
        }
    }

    #[test]
    fn almost_equal_is_prometheus_almost_equal() {
        let cases: &[(f64, f64, bool)] = &[
            (15.0, 15.000_000_000_01, true),
            (15.0, 15.000_000_001, false),
            (0.0, 1e-320, true),
            (0.0, 1e-300, false),
            (f64::NAN, f64::NAN, true),
            (f64::NAN, 1.0, false),
            (INF, INF, true),
        ];
        for (a, b, want) in cases {
            assert_eq!(
                almost_equal(*a, *b, SMALL_DELTA_TOLERANCE),
                *want,
                "case {a} {b} failed"
            );
        }
    }
}
