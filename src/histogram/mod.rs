//! Classic histograms: quantiles and threshold fractions from `_bucket` series, computed exactly
//! as PromQL computes `histogram_quantile`.
//!
//! * [`le`](parse_le): the `le` label, parsed with Go's `ParseFloat` rules as Prometheus does.
//! * [`Histogram`]: the buckets of one instant, sorted, merged and corrected as Prometheus'
//!   `BucketQuantile` does, with every correction reported in [`Fixes`];
//!   [`Histogram::quantile`] and [`Histogram::fraction_at_or_below`] (the share at or below any
//!   threshold, with its [`ThresholdPosition`] among the bounds).
//! * [`group_buckets`]: bucket series (a decoded query result such as
//!   `sum by (endpoint, le) (rate(x_bucket[5m]))`) grouped into one [`HistogramSeries`] per
//!   label set, aligned by timestamp.
//! * [`quantile_series`] and [`fraction_series`]: one value per timestamp, with [`Note`]s about
//!   `NaN`s and corrections.
//!
//! The inputs are bucket counts, rates or increases: anything cumulative over `le`. The
//! interpolation assumes observations are spread evenly within each bucket and that the lowest
//! bucket starts at 0 when its bound is positive, as `histogram_quantile` does.

mod fraction;
mod group;
mod le;
mod quantile;
mod steps;

pub use fraction::{bucket_fraction, locate_threshold, Fraction, Interpolation, ThresholdPosition};
pub use group::{group_buckets, BucketMember, HistogramSeries};
pub use le::{bucket_bound, parse_le, LE_LABEL};
pub use quantile::{
    bucket_quantile, Bucket, Fixes, Histogram, MonotonicityFix, Unusable, SMALL_DELTA_TOLERANCE,
};
pub use steps::{fraction_series, quantile_series, FractionSeries, Note, NoteKind, QuantileSeries};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    #![allow(clippy::arithmetic_side_effects, reason = "test data")]

    use proptest::prelude::*;

    use super::*;

    /// Relative slack for comparisons that go through interpolation.
    const SLACK: f64 = 1e-9;

    /// Bounds from the seed's ladder (0.005 … 10), a random subset, then +Inf; cumulative,
    /// non-negative counts with at least one observation.
    fn histograms() -> impl Strategy<Value = Vec<Bucket>> {
        const LADDER: [f64; 11] = [
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        (
            proptest::sample::subsequence(LADDER.to_vec(), 1..=LADDER.len()),
            proptest::collection::vec(0u32..1000, LADDER.len() + 1),
        )
            .prop_filter_map("needs an observation", |(bounds, increments)| {
                let mut total = 0.0;
                let mut out: Vec<Bucket> = bounds
                    .iter()
                    .chain(std::iter::once(&f64::INFINITY))
                    .zip(&increments)
                    .map(|(&le, &inc)| {
                        total += f64::from(inc) / 7.0;
                        Bucket::new(le, total)
                    })
                    .collect();
                out.reverse();
                (total > 0.0).then_some(out)
            })
    }

    fn highest_finite(h: &Histogram) -> f64 {
        let b = h.buckets();
        b.get(b.len().wrapping_sub(2))
            .map_or(f64::NAN, |x| x.upper_bound)
    }

    proptest! {
        #[test]
        fn quantiles_are_monotone_in_q(b in histograms(), q1 in 0.0..=1.0f64, q2 in 0.0..=1.0f64) {
            let h = Histogram::new(&b);
            let (lo, hi) = if q1 <= q2 { (q1, q2) } else { (q2, q1) };
            let (a, z) = (h.quantile(lo), h.quantile(hi));
            // q = 0 with an empty lowest bucket is NaN (0 · 0/0), as in Prometheus.
            if !a.is_nan() {
                prop_assert!(a <= z + SLACK * z.abs(), "q {lo} → {a}, q {hi} → {z}");
            }
            prop_assert!(!z.is_nan() || hi == 0.0);
        }

        #[test]
        fn quantiles_stay_within_the_bounds(b in histograms(), q in 0.0..=1.0f64) {
            let h = Histogram::new(&b);
            let v = h.quantile(q);
            let lowest = h.buckets().first().map_or(f64::NAN, |x| x.upper_bound).min(0.0);
            prop_assert!(v.is_nan() || (lowest <= v && v <= highest_finite(&h)), "{v}");
        }

        #[test]
        fn fractions_are_shares_and_monotone(b in histograms(), t1 in -1.0..12.0f64, t2 in -1.0..12.0f64) {
            let h = Histogram::new(&b);
            let (lo, hi) = if t1 <= t2 { (t1, t2) } else { (t2, t1) };
            let (a, z) = (h.fraction_at_or_below(lo), h.fraction_at_or_below(hi));
            prop_assert!((0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&z), "{a} {z}");
            prop_assert!(a <= z + SLACK, "t {lo} → {a}, t {hi} → {z}");
            prop_assert_eq!(h.fraction_at_or_below(f64::INFINITY), 1.0);
        }

        #[test]
        fn fraction_inverts_quantile_where_interpolated(b in histograms(), q in 0.0..=1.0f64) {
            let h = Histogram::new(&b);
            let v = h.quantile(q);
            // Defined where the quantile was interpolated: not NaN, and below the highest finite
            // bound (in the +Inf bucket the quantile is that bound whatever q is).
            prop_assume!(!v.is_nan() && v < highest_finite(&h));
            let f = h.fraction_at_or_below(v);
            prop_assert!((f - q).abs() <= SLACK, "q {q} → {v} → {f}");
        }

        #[test]
        fn parse_le_reads_what_rust_writes(x in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            let text = x.to_string();
            prop_assert_eq!(parse_le(&text).map(f64::to_bits), Some(x.to_bits()));
            let exp = format!("{x:e}");
            prop_assert_eq!(parse_le(&exp).map(f64::to_bits), Some(x.to_bits()));
        }
    }
}
