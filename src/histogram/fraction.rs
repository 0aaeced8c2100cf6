//! The share of observations at or below any threshold, and where the threshold sits among the
//! bucket bounds.
//!
//! The share is interpolated linearly within the bucket that contains the threshold: the same
//! assumption `histogram_quantile` makes (observations spread evenly within a bucket, the lowest
//! bucket starting at 0 when its bound is positive), so that `fraction(quantile(q)) = q` wherever
//! the quantile was interpolated. It is exact when the threshold is a bucket bound. An SLO such as
//! "95 % of requests in ≤ 0.5 s" on buckets 0.25 and 1 is therefore an estimate, and
//! [`ThresholdPosition`] says how far the threshold is from a bound.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "above is at least 1 here (the bucket above a bound that has one below it)"
)]

use std::fmt;

use serde::Serialize;

use super::quantile::{Bucket, Fixes, Histogram};

/// How the share at a threshold was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Interpolation {
    /// The threshold is a bucket bound: the share is read off the buckets, no assumption made.
    Exact,
    /// The threshold is inside a bucket with finite ends (the lowest bucket starting at 0):
    /// linear interpolation.
    Linear,
    /// The threshold is below 0 and every bucket bound is positive: 0, from the assumption that
    /// no observation is negative (the one `histogram_quantile` makes).
    BelowZero,
    /// The threshold is inside a bucket with an infinite end: above the highest finite bound (in
    /// the `+Inf` bucket), or below a lowest bound that is `<= 0`. Nothing can be interpolated
    /// there, so none of that bucket's observations are counted: the share is a lower bound of
    /// the true one (the pessimistic reading for an SLO on "at or below").
    Unbounded,
}

/// Where a threshold sits among a histogram's bucket bounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdPosition {
    /// The threshold.
    pub threshold: f64,
    /// The lower end of the bucket that contains it: the previous bound, 0 for the lowest bucket
    /// when its bound is positive, `-Inf` when unknown.
    pub bucket_lower: f64,
    /// The upper end of that bucket: the smallest bound at or above the threshold (0 when the
    /// threshold is below the natural lower bound 0).
    pub bucket_upper: f64,
    /// The bucket bound nearest to the threshold (the lower one on a tie).
    pub nearest_bound: f64,
    /// `|threshold − nearest_bound|`; 0 when the threshold is a bound.
    pub distance: f64,
    /// `distance / |threshold|`: 0 when the threshold is a bound, `+Inf` for a threshold of 0
    /// that is not one.
    pub relative_distance: f64,
    /// How the share was obtained.
    pub interpolation: Interpolation,
}

impl ThresholdPosition {
    /// True when the share at this threshold is exact (the threshold is a bucket bound).
    pub fn is_exact(&self) -> bool {
        self.interpolation == Interpolation::Exact
    }
}

impl fmt::Display for ThresholdPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.threshold;
        match self.interpolation {
            Interpolation::Exact => write!(f, "{t} is a bucket bound: the share is exact"),
            Interpolation::Linear => write!(
                f,
                "{t} is not a bucket bound: the share is interpolated linearly in ({}, {}]; the \
                 nearest bound, {}, is {} away ({:.1} %)",
                self.bucket_lower,
                self.bucket_upper,
                self.nearest_bound,
                readable(self.distance),
                self.relative_distance * 100.0
            ),
            Interpolation::BelowZero => write!(
                f,
                "{t} is below 0: the share is 0, assuming no observation is negative"
            ),
            Interpolation::Unbounded if self.bucket_upper == f64::INFINITY => write!(
                f,
                "{t} is above the highest finite bound {}: observations between {} and {t} \
                 cannot be told apart from larger ones, so only those at or below {} are \
                 counted (a lower bound)",
                self.bucket_lower, self.bucket_lower, self.bucket_lower
            ),
            Interpolation::Unbounded => write!(
                f,
                "{t} is below the lowest bound {}, which has no lower end: none of its \
                 observations are counted (a lower bound)",
                self.bucket_upper
            ),
        }
    }
}

/// `x` rounded to 12 significant digits, so that `0.3 − 0.25` reads `0.05`, not
/// `0.04999999999999999`.
fn readable(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// Locates `threshold` among `bounds`, which must be sorted ascending without duplicates (as
/// [`Histogram::buckets`] are).
///
/// Special cases: `NaN` threshold, or no bounds: `None`. A threshold of `±Inf` equal to a bound
/// is exact; `+Inf` without a `+Inf` bound is [`Interpolation::Unbounded`].
pub fn locate_threshold(threshold: f64, bounds: &[f64]) -> Option<ThresholdPosition> {
    if threshold.is_nan() || bounds.is_empty() {
        return None;
    }
    let above = bounds.partition_point(|&b| b < threshold);
    let exact = bounds.get(above) == Some(&threshold);
    let nearest = nearest_bound(threshold, bounds, above)?;
    let distance = if nearest == threshold {
        0.0
    } else {
        (threshold - nearest).abs()
    };
    let relative_distance = if distance == 0.0 {
        0.0
    } else {
        distance / threshold.abs()
    };
    let first = *bounds.first()?;
    let natural_lower = if first > 0.0 { 0.0 } else { f64::NEG_INFINITY };
    let (bucket_lower, bucket_upper, interpolation) = if exact {
        let lower = above
            .checked_sub(1)
            .and_then(|i| bounds.get(i).copied())
            .unwrap_or(natural_lower);
        (lower, threshold, Interpolation::Exact)
    } else if above == 0 {
        if threshold >= natural_lower && natural_lower == 0.0 {
            (0.0, first, Interpolation::Linear)
        } else if natural_lower == 0.0 {
            (f64::NEG_INFINITY, 0.0, Interpolation::BelowZero)
        } else {
            (f64::NEG_INFINITY, first, Interpolation::Unbounded)
        }
    } else {
        let lower = bounds.get(above - 1).copied().unwrap_or(natural_lower);
        let upper = bounds.get(above).copied().unwrap_or(f64::INFINITY);
        let kind = if lower.is_finite() && upper.is_finite() {
            Interpolation::Linear
        } else {
            Interpolation::Unbounded
        };
        (lower, upper, kind)
    };
    Some(ThresholdPosition {
        threshold,
        bucket_lower,
        bucket_upper,
        nearest_bound: nearest,
        distance,
        relative_distance,
        interpolation,
    })
}

/// The bound nearest to `threshold`, given the index of the first bound `>= threshold`.
fn nearest_bound(threshold: f64, bounds: &[f64], above: usize) -> Option<f64> {
    let lower = above.checked_sub(1).and_then(|i| bounds.get(i).copied());
    let upper = bounds.get(above).copied();
    match (lower, upper) {
        (_, Some(u)) if u == threshold => Some(u),
        (Some(l), Some(u)) => Some(if u - threshold < threshold - l { u } else { l }),
        (l, u) => l.or(u),
    }
}

/// The share of observations at or below a threshold, where the threshold sits, and the
/// corrections made to the buckets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fraction {
    /// The share, in `[0, 1]` for non-negative counts; `NaN` when undefined.
    pub value: f64,
    /// Where the threshold sits; `None` when the histogram is unusable or the threshold is `NaN`.
    pub position: Option<ThresholdPosition>,
    /// Corrections made to the buckets (the same as for quantiles).
    pub fixes: Fixes,
}

impl Histogram {
    /// The share of observations at or below `threshold`.
    ///
    /// With bounds `b₀ < … < bₙ₋₁ = +Inf` and corrected cumulative counts `c₀ … cₙ₋₁` (see
    /// [`Histogram::new`]; the monotonicity fix applies here too, so the share never decreases
    /// with the threshold):
    /// * `threshold = bᵢ`: `cᵢ / cₙ₋₁`, exact (so `+Inf` gives 1);
    /// * `bᵢ₋₁ < threshold < bᵢ`, both finite: `(cᵢ₋₁ + (cᵢ − cᵢ₋₁)·(threshold − bᵢ₋₁)/(bᵢ −
    ///   bᵢ₋₁)) / cₙ₋₁`;
    /// * `0 <= threshold < b₀` with `b₀ > 0`: interpolated from 0, `c₀·threshold/b₀ / cₙ₋₁`;
    ///   `threshold < 0` then: 0 (no observation is assumed negative);
    /// * above the highest finite bound: `cₙ₋₂ / cₙ₋₁`, the share known to be at or below it (a
    ///   lower bound: the `+Inf` bucket's observations cannot be placed). Likewise below a lowest
    ///   bound `<= 0`: 0;
    /// * `NaN` threshold, unusable histogram (no `+Inf` bucket, …) or zero observations: `NaN`.
    ///
    /// Prometheus' `histogram_fraction` on classic buckets (3.4 and later) differs in two ways:
    /// it does not force monotonicity (a decreasing count gives a decreasing share), and below a
    /// lowest bound `<= 0` it counts that whole bucket. Prometheus 2.42 has no classic-bucket
    /// equivalent; at a bucket bound the share equals the PromQL ratio
    /// `rate(x_bucket{le="b"}[w]) / rate(x_bucket{le="+Inf"}[w])` on monotonic buckets.
    pub fn fraction_at_or_below(&self, threshold: f64) -> f64 {
        if threshold.is_nan() || self.unusable().is_some() {
            return f64::NAN;
        }
        let b = self.buckets();
        let total = self.observations();
        if total == 0.0 {
            return f64::NAN;
        }
        let above = b.partition_point(|x| x.upper_bound < threshold);
        let Some(bucket) = b.get(above) else {
            return f64::NAN;
        };
        if bucket.upper_bound == threshold {
            return bucket.count / total;
        }
        let below = above.checked_sub(1).and_then(|i| b.get(i));
        let (lower, count_below) = match below {
            Some(x) => (x.upper_bound, x.count),
            None if bucket.upper_bound > 0.0 => (0.0, 0.0),
            None => (f64::NEG_INFINITY, 0.0),
        };
        if threshold < lower {
            // Below the natural lower bound 0.
            return 0.0;
        }
        if !lower.is_finite() || !bucket.upper_bound.is_finite() {
            return count_below / total;
        }
        let within = (threshold - lower) / (bucket.upper_bound - lower);
        (count_below + (bucket.count - count_below) * within) / total
    }

    /// Where `threshold` sits among this histogram's bounds; `None` when it is unusable or the
    /// threshold is `NaN`. See [`locate_threshold`].
    pub fn locate(&self, threshold: f64) -> Option<ThresholdPosition> {
        if self.unusable().is_some() {
            return None;
        }
        let bounds: Vec<f64> = self.buckets().iter().map(|b| b.upper_bound).collect();
        locate_threshold(threshold, &bounds)
    }
}

/// The share of observations in `buckets` (any order) at or below `threshold`, where the
/// threshold sits and the corrections made. See [`Histogram::fraction_at_or_below`] for every
/// special case.
pub fn bucket_fraction(threshold: f64, buckets: &[Bucket]) -> Fraction {
    let h = Histogram::new(buckets);
    Fraction {
        value: h.fraction_at_or_below(threshold),
        position: h.locate(threshold),
        fixes: h.fixes(),
    }
}

#[cfg(test)]
mod test {
    use super::*;

    const INF: f64 = f64::INFINITY;

    fn hist(pairs: &[(f64, f64)]) -> Histogram {
        let b: Vec<Bucket> = pairs.iter().map(|&(le, c)| Bucket::new(le, c)).collect();
        Histogram::new(&b)
    }

    fn same(a: f64, b: f64) -> bool {
        a == b || (a.is_nan() && b.is_nan()) || ((a - b).abs() <= 1e-12 * a.abs().max(b.abs()))
    }

    /// 10 observations ≤ 0.25, 30 ≤ 1, 36 ≤ 2.5, 40 in all.
    const SLO: &[(f64, f64)] = &[(0.25, 10.0), (1.0, 30.0), (2.5, 36.0), (INF, 40.0)];

    #[test]
    fn fractions_match_hand_computed_values() {
        // (name, buckets, threshold, expected)
        type Case = (&'static str, &'static [(f64, f64)], f64, f64);
        let cases: &[Case] = &[
            ("on a bound", SLO, 1.0, 0.75),
            // 0.5 is in (0.25, 1]: (10 + 20 · (0.5 − 0.25)/0.75) / 40 = (10 + 6.667) / 40.
            ("between bounds", SLO, 0.5, (10.0 + 20.0 / 3.0) / 40.0),
            // In the lowest bucket, from 0: 10 · 0.1/0.25 / 40 = 0.1.
            ("lowest bucket", SLO, 0.1, 0.1),
            ("at zero", SLO, 0.0, 0.0),
            ("below zero", SLO, -1.0, 0.0),
            // Above 2.5, in the +Inf bucket: only the 36 known to be ≤ 2.5 count.
            ("above the highest finite bound", SLO, 5.0, 0.9),
            ("+Inf", SLO, INF, 1.0),
            ("-Inf", SLO, f64::NEG_INFINITY, 0.0),
            ("NaN threshold", SLO, f64::NAN, f64::NAN),
            (
                "no +Inf bucket",
                &[(0.25, 10.0), (1.0, 30.0)],
                0.5,
                f64::NAN,
            ),
            ("no observations", &[(0.25, 0.0), (INF, 0.0)], 0.5, f64::NAN),
            // The 1 bucket (5) is raised to the 0.25 bucket's 10, as for quantiles: 10/40.
            (
                "forced monotonic",
                &[(0.25, 10.0), (1.0, 5.0), (INF, 40.0)],
                1.0,
                0.25,
            ),
            // Lowest bound ≤ 0 has no lower end: below it nothing is counted.
            (
                "below a non-positive lowest bound",
                &[(-1.0, 10.0), (1.0, 30.0), (INF, 40.0)],
                -2.0,
                0.0,
            ),
            // (−1, 1] is finite: (10 + 20 · 1/2) / 40 = 0.5.
            (
                "across zero",
                &[(-1.0, 10.0), (1.0, 30.0), (INF, 40.0)],
                0.0,
                0.5,
            ),
        ];
        for (name, pairs, t, want) in cases {
            let got = hist(pairs).fraction_at_or_below(*t);
            assert!(
                same(got, *want),
                "case {name} failed: got {got}, want {want}"
            );
        }
    }

    #[test]
    fn positions_report_the_nearest_bound() {
        // (name, threshold, lower, upper, nearest, distance, relative, kind)
        type Case = (&'static str, f64, f64, f64, f64, f64, f64, Interpolation);
        let bounds = [0.25, 1.0, 2.5, INF];
        let cases: &[Case] = &[
            // The SLO example: ≤ 0.5 s on buckets 0.25/1 is 0.25 from the nearest bound, 50 %.
            (
                "0.5 s",
                0.5,
                0.25,
                1.0,
                0.25,
                0.25,
                0.5,
                Interpolation::Linear,
            ),
            (
                "0.8 s",
                0.8,
                0.25,
                1.0,
                1.0,
                0.2,
                0.25,
                Interpolation::Linear,
            ),
            ("bound", 1.0, 0.25, 1.0, 1.0, 0.0, 0.0, Interpolation::Exact),
            (
                "lowest",
                0.1,
                0.0,
                0.25,
                0.25,
                0.15,
                1.5,
                Interpolation::Linear,
            ),
            (
                "zero",
                0.0,
                0.0,
                0.25,
                0.25,
                0.25,
                INF,
                Interpolation::Linear,
            ),
            (
                "negative",
                -1.0,
                f64::NEG_INFINITY,
                0.0,
                0.25,
                1.25,
                1.25,
                Interpolation::BelowZero,
            ),
            (
                "above",
                4.0,
                2.5,
                INF,
                2.5,
                1.5,
                0.375,
                Interpolation::Unbounded,
            ),
            ("+Inf", INF, 2.5, INF, INF, 0.0, 0.0, Interpolation::Exact),
        ];
        for (name, t, lower, upper, nearest, distance, relative, kind) in cases {
            let p = locate_threshold(*t, &bounds).unwrap_or_else(|| panic!("case {name}: None"));
            let got = (
                p.bucket_lower,
                p.bucket_upper,
                p.nearest_bound,
                p.interpolation,
            );
            assert_eq!(got, (*lower, *upper, *nearest, *kind), "case {name} failed");
            assert!(same(p.distance, *distance), "case {name} failed: {p:?}");
            assert!(
                same(p.relative_distance, *relative),
                "case {name} failed: {p:?}"
            );
        }
        assert!(locate_threshold(f64::NAN, &bounds).is_none());
        assert!(locate_threshold(1.0, &[]).is_none());
        let below = locate_threshold(-2.0, &[-1.0, INF]).map(|p| p.interpolation);
        assert_eq!(below, Some(Interpolation::Unbounded));
    }

    #[test]
    fn positions_explain_themselves() {
        let bounds = [0.25, 1.0, INF];
        let cases: &[(f64, &str)] = &[
            (
                0.5,
                "0.5 is not a bucket bound: the share is interpolated linearly in (0.25, 1]; \
                 the nearest bound, 0.25, is 0.25 away (50.0 %)",
            ),
            // 0.3 − 0.25 is 0.04999999999999999 in binary; shown rounded.
            (
                0.3,
                "0.3 is not a bucket bound: the share is interpolated linearly in (0.25, 1]; \
                   the nearest bound, 0.25, is 0.05 away (16.7 %)",
            ),
            (1.0, "1 is a bucket bound: the share is exact"),
            (
                2.0,
                "2 is above the highest finite bound 1: observations between 1 and 2",
            ),
            (-1.0, "-1 is below 0: the share is 0"),
        ];
        for (t, want) in cases {
            let text = locate_threshold(*t, &bounds)
                .map(|p| p.to_string())
                .unwrap_or_default();
            assert!(text.starts_with(want), "case {t} failed: {text}");
        }
    }

    #[test]
    fn bucket_fraction_bundles_value_position_and_fixes() {
        let b = [
            Bucket::new(1.0, 5.0),
            Bucket::new(0.25, 10.0),
            Bucket::new(INF, 40.0),
        ];
        let f = bucket_fraction(0.5, &b);
        assert_eq!(f.value, 0.25);
        assert!(f.fixes.forced_monotonic.is_some());
        assert_eq!(
            f.position.map(|p| p.interpolation),
            Some(Interpolation::Linear)
        );
        assert!(bucket_fraction(0.5, &[]).position.is_none());
    }
}
