//! Reductions across series.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "counts of series held in memory"
)]

use serde::Serialize;

use crate::error::{Error, Result};

/// The sum of each series' latest value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestSum {
    /// The sum, or `None` when no series has a finite value ("no data", not zero).
    pub sum: Option<f64>,
    /// Number of series given.
    pub series_total: usize,
    /// Number of series that had a finite value and so contributed to the sum.
    pub series_with_data: usize,
}

/// Sums the latest value of each series.
///
/// Special cases:
/// * a series' latest value is its last **finite** value: trailing `NaN` (Grafana's null, a
///   Prometheus `NaN`) and `±Inf` samples are passed over;
/// * a series with no finite value does not contribute and is not counted in `series_with_data`;
/// * no series, or none with a finite value, gives `sum: None`, never `0`.
pub fn sum_latest<'a, I>(series: I) -> LatestSum
where
    I: IntoIterator<Item = &'a [f64]>,
{
    let mut out = LatestSum {
        sum: None,
        series_total: 0,
        series_with_data: 0,
    };
    for values in series {
        out.series_total += 1;
        if let Some(v) = values.iter().rev().copied().find(|v| v.is_finite()) {
            out.series_with_data += 1;
            out.sum = Some(out.sum.unwrap_or(0.0) + v);
        }
    }
    out
}

/// [`sum_latest`] over series laid end to end in one buffer, as they cross the wasm boundary:
/// series `k` is the next `lengths[k]` values of `values`.
///
/// Fails when the lengths do not add up to `values.len()`.
pub fn sum_latest_flat(values: &[f64], lengths: &[u32]) -> Result<LatestSum> {
    let total = lengths
        .iter()
        .try_fold(0usize, |acc, &n| acc.checked_add(n as usize));
    if total != Some(values.len()) {
        return Err(Error::InvalidInput(format!(
            "series lengths add up to {}, but {} values were given",
            total.map_or_else(|| "more than fits in memory".to_owned(), |t| t.to_string()),
            values.len()
        )));
    }
    let mut rest = values;
    let mut parts = Vec::with_capacity(lengths.len());
    for &n in lengths {
        let (head, tail) = rest.split_at(n as usize);
        parts.push(head);
        rest = tail;
    }
    Ok(sum_latest(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_finite_value_of_each_series() {
        const NAN: f64 = f64::NAN;
        const INF: f64 = f64::INFINITY;
        type Case = (&'static str, &'static [&'static [f64]], Option<f64>, usize);
        let cases: &[Case] = &[
            ("no series", &[], None, 0),
            ("one empty series", &[&[]], None, 0),
            ("all NaN", &[&[NAN, NAN]], None, 0),
            ("plain", &[&[1.0, 2.0], &[10.0, 20.0]], Some(22.0), 2),
            (
                "trailing NaN and Inf skipped",
                &[&[1.0, 2.0, NAN, INF]],
                Some(2.0),
                1,
            ),
            (
                "one series without data",
                &[&[5.0], &[NAN], &[]],
                Some(5.0),
                1,
            ),
            ("zero is data", &[&[0.0]], Some(0.0), 1),
        ];
        for (name, series, sum, with_data) in cases {
            let got = sum_latest(series.iter().copied());
            assert_eq!(got.sum, *sum, "case {name} failed");
            assert_eq!(got.series_with_data, *with_data, "case {name} failed");
            assert_eq!(got.series_total, series.len(), "case {name} failed");
        }
    }

    #[test]
    fn flat_layout_splits_by_lengths() {
        let got = sum_latest_flat(&[1.0, 2.0, 3.0, f64::NAN, 4.0], &[2, 0, 3]).unwrap();
        assert_eq!(got.sum, Some(6.0));
        assert_eq!((got.series_total, got.series_with_data), (3, 2));
        let e = sum_latest_flat(&[1.0], &[2]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "input: series lengths add up to 2, but 1 values were given"
        );
    }
}
