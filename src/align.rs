//! Aligning series by time: numerator and denominator samples matched on their timestamps, not their positions.
//!
//! [`align`] puts N series on one time grid and says, per series, which rows had no sample, so a
//! ratio can tell "0 events" (a sample whose value is 0) from "no data" (no sample at all).

#![allow(
    clippy::arithmetic_side_effects,
    reason = "the rest counts rows and matches of series held in memory; differences of sample times saturate"
)]

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Series;
use crate::time::parse_duration_ms;

/// How to match samples. JSON: `{}` (exact, union grid), `{"tolerance": "2s"}` (nearest sample
/// within ±2 s of the first series' timestamps), `{"tolerance": "2s", "reference": 1}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlignConfig {
    /// Largest distance between a grid time and a sample matched to it, as a duration (`"2s"`).
    /// Default: none, timestamps must be equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<String>,
    /// Index of the input whose timestamps form the grid. Default: with a tolerance, input 0;
    /// without one, the union of all inputs' timestamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<usize>,
}

/// One input on the common grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlignedColumn {
    /// One entry per grid row: the matched sample's value (`NaN`/`±Inf` kept as they are), or
    /// `None` when the input has no sample there ("no data", not 0).
    pub values: Vec<Option<f64>>,
    /// The rows where `values` is `None`, ascending.
    pub missing_rows: Vec<usize>,
    /// Samples of this input matched to no row (off the reference grid or beyond the tolerance):
    /// nothing is dropped silently.
    pub unmatched_samples: usize,
}

/// Series aligned on one grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Aligned {
    /// The grid, ascending epoch milliseconds.
    pub time_ms: Vec<i64>,
    /// One column per input, in input order.
    pub columns: Vec<AlignedColumn>,
}

impl Aligned {
    /// The rows where every input has a sample.
    pub fn complete_rows(&self) -> Vec<usize> {
        (0..self.time_ms.len())
            .filter(|r| {
                self.columns
                    .iter()
                    .all(|c| c.values.get(*r).is_some_and(Option::is_some))
            })
            .collect()
    }
}

fn check_series(index: usize, s: &Series) -> Result<()> {
    if s.time_ms.len() != s.values.len() {
        return Err(Error::InvalidInput(format!(
            "align: series {index} {} has {} timestamps but {} values",
            s.labels,
            s.time_ms.len(),
            s.values.len()
        )));
    }
    for (row, pair) in s.time_ms.windows(2).enumerate() {
        if let [a, b] = pair {
            if b == a {
                return Err(Error::InvalidInput(format!(
                    "align: series {index} {} has timestamp {a} ms twice (rows {row} and {}); deduplicate it first",
                    s.labels,
                    row + 1
                )));
            }
            if b < a {
                return Err(Error::InvalidInput(format!(
                    "align: series {index} {} is not sorted by time (row {} at {b} ms comes after {a} ms)",
                    s.labels,
                    row + 1
                )));
            }
        }
    }
    Ok(())
}

/// Aligns `inputs` on a common time grid.
///
/// * Exact (no `tolerance`): a sample lands on the row with its exact timestamp. The grid is the
///   union of all inputs' timestamps, or the `reference` input's timestamps when one is named
///   (then samples at other times count as `unmatchedSamples`).
/// * With `tolerance` = d: the grid is the reference input's timestamps (input 0 by default); each
///   other input contributes, per row, its sample nearest to the row's time within ±d (the
///   earlier one on a tie). d must be less than half the smallest gap between reference
///   timestamps, so a sample can never be near two rows.
///
/// Special cases: no inputs → an empty grid; an empty input → every row missing; `NaN` and `±Inf`
/// values are kept as samples (present, not missing). Errors: timestamps and values of different
/// lengths, a duplicate timestamp within one input, unsorted timestamps, a `reference` beyond the
/// inputs, a tolerance that does not parse or is too wide for the reference grid.
pub fn align(inputs: &[&Series], config: &AlignConfig) -> Result<Aligned> {
    for (i, s) in inputs.iter().enumerate() {
        check_series(i, s)?;
    }
    let tolerance_ms = match &config.tolerance {
        Some(text) => parse_duration_ms(text)
            .map_err(|e| Error::InvalidConfig(format!("align: tolerance: {e}")))?,
        None => 0,
    };
    let reference = match (config.reference, tolerance_ms > 0) {
        (Some(r), _) => {
            if r >= inputs.len() {
                return Err(Error::InvalidConfig(format!(
                    "align: reference {r} is not an input (there are {} inputs, counted from 0)",
                    inputs.len()
                )));
            }
            Some(r)
        }
        (None, true) if !inputs.is_empty() => Some(0),
        (None, _) => None,
    };
    let grid: Vec<i64> = match reference.and_then(|r| inputs.get(r)) {
        Some(s) => s.time_ms.clone(),
        None => {
            let mut all: Vec<i64> = inputs
                .iter()
                .flat_map(|s| s.time_ms.iter().copied())
                .collect();
            all.sort_unstable();
            all.dedup();
            all
        }
    };
    if tolerance_ms > 0 {
        let min_gap = grid
            .windows(2)
            .filter_map(|w| match w {
                [a, b] => Some(b.saturating_sub(*a)),
                _ => None,
            })
            .min();
        if let Some(gap) = min_gap {
            if tolerance_ms.saturating_mul(2) >= gap {
                return Err(Error::InvalidConfig(format!(
                    "align: tolerance {tolerance_ms} ms must be less than half the smallest gap between the reference's timestamps ({gap} ms)"
                )));
            }
        }
    }
    let columns = inputs
        .iter()
        .map(|s| match_column(&grid, s, tolerance_ms))
        .collect();
    Ok(Aligned {
        time_ms: grid,
        columns,
    })
}

fn match_column(grid: &[i64], s: &Series, tolerance_ms: i64) -> AlignedColumn {
    let mut values = Vec::with_capacity(grid.len());
    let mut missing_rows = Vec::new();
    let mut matched = 0;
    for (row, &g) in grid.iter().enumerate() {
        // First sample at or after g − tolerance; the nearest candidate is it or its successor.
        let lo = s
            .time_ms
            .partition_point(|&t| t < g.saturating_sub(tolerance_ms));
        let best = [lo, lo + 1]
            .into_iter()
            .filter_map(|i| Some((i, *s.time_ms.get(i)?)))
            .filter(|(_, t)| t.saturating_sub(g).saturating_abs() <= tolerance_ms)
            .min_by_key(|(_, t)| (t.saturating_sub(g).saturating_abs(), *t));
        match best.and_then(|(i, _)| s.values.get(i)) {
            Some(v) => {
                matched += 1;
                values.push(Some(*v));
            }
            None => {
                missing_rows.push(row);
                values.push(None);
            }
        }
    }
    AlignedColumn {
        values,
        missing_rows,
        unmatched_samples: s.len().saturating_sub(matched),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Labels;

    fn series(points: &[(i64, f64)]) -> Series {
        Series {
            labels: Labels::new(),
            time_ms: points.iter().map(|p| p.0).collect(),
            values: points.iter().map(|p| p.1).collect(),
        }
    }

    fn config(tolerance: Option<&str>, reference: Option<usize>) -> AlignConfig {
        AlignConfig {
            tolerance: tolerance.map(str::to_owned),
            reference,
        }
    }

    /// (name, inputs, config, grid, per-input values with None = missing, per-input unmatched)
    type Case = (
        &'static str,
        Vec<Series>,
        AlignConfig,
        Vec<i64>,
        Vec<Vec<Option<f64>>>,
        Vec<usize>,
    );

    #[test]
    fn alignment_cases() {
        let cases: Vec<Case> = vec![
            (
                // The numerator has a 0 at 2000 and nothing at 3000: "0 events" vs "no data".
                "union keeps zero and missing apart",
                vec![
                    series(&[(1000, 5.0), (2000, 0.0)]),
                    series(&[(1000, 10.0), (2000, 8.0), (3000, 9.0)]),
                ],
                config(None, None),
                vec![1000, 2000, 3000],
                vec![
                    vec![Some(5.0), Some(0.0), None],
                    vec![Some(10.0), Some(8.0), Some(9.0)],
                ],
                vec![0, 0],
            ),
            (
                "reference grid counts samples off the grid",
                vec![
                    series(&[(1000, 1.0), (2000, 2.0)]),
                    series(&[(1000, 3.0), (1500, 4.0)]),
                ],
                config(None, Some(0)),
                vec![1000, 2000],
                vec![vec![Some(1.0), Some(2.0)], vec![Some(3.0), None]],
                vec![0, 1],
            ),
            (
                // Input 1 scraped 120 ms and 900 ms late; 900 > 500 ms tolerance → missing.
                "tolerance matches the nearest sample",
                vec![
                    series(&[(0, 1.0), (15_000, 2.0), (30_000, 3.0)]),
                    series(&[(120, 7.0), (15_900, 8.0), (29_950, 9.0)]),
                ],
                config(Some("500ms"), None),
                vec![0, 15_000, 30_000],
                vec![
                    vec![Some(1.0), Some(2.0), Some(3.0)],
                    vec![Some(7.0), None, Some(9.0)],
                ],
                vec![0, 1],
            ),
            (
                // 9_800 and 10_200 are both 200 ms away from 10_000: the earlier wins.
                "tie goes to the earlier sample",
                vec![
                    series(&[(10_000, 0.0)]),
                    series(&[(9_800, 1.0), (10_200, 2.0)]),
                ],
                config(Some("1s"), None),
                vec![10_000],
                vec![vec![Some(0.0)], vec![Some(1.0)]],
                vec![0, 1],
            ),
            (
                "NaN is a sample, an empty input is all missing",
                vec![series(&[(1, f64::NAN), (2, 1.0)]), series(&[])],
                config(None, None),
                vec![1, 2],
                vec![vec![Some(f64::NAN), Some(1.0)], vec![None, None]],
                vec![0, 0],
            ),
            (
                "no inputs",
                vec![],
                config(None, None),
                vec![],
                vec![],
                vec![],
            ),
        ];
        for (name, inputs, cfg, grid, want, unmatched) in cases {
            let refs: Vec<&Series> = inputs.iter().collect();
            let got = align(&refs, &cfg).unwrap();
            assert_eq!(got.time_ms, grid, "case {name} failed: grid");
            assert_eq!(got.columns.len(), want.len(), "case {name} failed");
            for (c, (col, w)) in got.columns.iter().zip(&want).enumerate() {
                let same = col.values.len() == w.len()
                    && col.values.iter().zip(w).all(|(a, b)| match (a, b) {
                        (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
                        (None, None) => true,
                        _ => false,
                    });
                assert!(same, "case {name} failed: column {c} {:?}", col.values);
                let missing: Vec<usize> = (0..w.len()).filter(|r| w[*r].is_none()).collect();
                assert_eq!(col.missing_rows, missing, "case {name} failed: missing {c}");
                assert_eq!(
                    col.unmatched_samples, unmatched[c],
                    "case {name} failed: unmatched {c}"
                );
            }
        }
    }

    #[test]
    fn complete_rows_need_every_input() {
        let a = series(&[(1, 1.0), (2, 2.0)]);
        let b = series(&[(2, 0.0)]);
        let got = align(&[&a, &b], &AlignConfig::default()).unwrap();
        assert_eq!(got.complete_rows(), vec![1]);
    }

    #[test]
    fn bad_input() {
        let ok = series(&[(0, 1.0), (10_000, 1.0)]);
        let cases: Vec<(&str, Series, AlignConfig, &str)> = vec![
            (
                "duplicate",
                series(&[(5, 1.0), (5, 2.0)]),
                config(None, None),
                "timestamp 5 ms twice",
            ),
            (
                "unsorted",
                series(&[(5, 1.0), (4, 2.0)]),
                config(None, None),
                "not sorted",
            ),
            (
                "lengths",
                Series {
                    labels: Labels::new(),
                    time_ms: vec![1, 2],
                    values: vec![1.0],
                },
                config(None, None),
                "2 timestamps but 1 values",
            ),
            (
                "reference",
                series(&[]),
                config(None, Some(2)),
                "reference 2 is not an input",
            ),
            (
                "tolerance text",
                series(&[]),
                config(Some("soon"), None),
                "tolerance",
            ),
            (
                "tolerance too wide",
                series(&[]),
                config(Some("5s"), None),
                "less than half",
            ),
        ];
        for (name, s, cfg, want) in cases {
            let err = align(&[&ok, &s], &cfg).unwrap_err().to_string();
            assert!(err.contains(want), "case {name} failed: {err}");
        }
        let err = serde_json::from_str::<AlignConfig>(r#"{"tolerence": "1s"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("tolerence"), "{err}");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn sorted_unique(max: usize) -> impl Strategy<Value = Vec<i64>> {
            proptest::collection::btree_set(0i64..10_000, 0..max)
                .prop_map(|s| s.into_iter().collect())
        }

        proptest! {
            #[test]
            fn union_keeps_every_sample(a in sorted_unique(30), b in sorted_unique(30)) {
                let sa = Series { labels: Labels::new(), values: a.iter().map(|t| *t as f64).collect(), time_ms: a };
                let sb = Series { labels: Labels::new(), values: b.iter().map(|t| -(*t as f64)).collect(), time_ms: b };
                let got = align(&[&sa, &sb], &AlignConfig::default()).unwrap();
                prop_assert!(got.time_ms.windows(2).all(|w| w[0] < w[1]));
                for (col, s) in got.columns.iter().zip([&sa, &sb]) {
                    prop_assert_eq!(col.unmatched_samples, 0);
                    prop_assert_eq!(col.values.len() - col.missing_rows.len(), s.len());
                    let present: Vec<f64> = col.values.iter().flatten().copied().collect();
                    prop_assert_eq!(&present, &s.values);
                }
            }
        }
    }
}
