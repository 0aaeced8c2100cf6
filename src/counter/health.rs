//! Meter health: per series the exact increase, resets, share of the total and robust increase,
//! and warnings for series that reset far more often than a process restarts or that oscillate.

use serde::Serialize;

use super::{exact_increase, robust_increase, ExactIncrease, RobustIncrease, Samples};
use crate::error::Result;
use crate::frame::{Labels, Series};

/// How many drops read as another writer (see [`robust_increase`]) make a series
/// [`MeterWarning::Oscillating`].
///
/// One or two can be a counter that stepped back once or a single short-lived second process;
/// three in one series are a pattern. Each one can add a whole writer's level to the exact
/// increase, so even a few matter.
pub const OSCILLATION_MIN_PHANTOM_RESETS: usize = 3;

/// The fewest consecutive sample pairs on which [`FREQUENT_RESTART_SHARE`] is judged.
///
/// With fewer pairs one ordinary restart is already a large share (one in five pairs for six
/// samples), so short series are not judged.
pub const FREQUENT_RESTART_MIN_PAIRS: usize = 10;

/// The share of consecutive sample pairs that may be restarts before a series is
/// [`MeterWarning::FrequentRestarts`].
///
/// A process restarts a few times a day (deployments, machine restarts): well under 1 % of pairs
/// at a 15 s to 1 min scrape interval. One restart in ten pairs means the process lives about ten
/// scrape intervals: a crash loop, or a series that is not one process' counter.
pub const FREQUENT_RESTART_SHARE: f64 = 0.1;

/// Something wrong with how a counter series was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum MeterWarning {
    /// At least [`OSCILLATION_MIN_PHANTOM_RESETS`] drops were read as another writer: several
    /// processes write this series (or the counter goes backwards), and `increase()` overstates
    /// it. Give each writer its own series (a `session_id` or instance label).
    Oscillating {
        /// Drops read as another writer.
        phantom_resets: usize,
        /// Tracks started (apparent writers and restarts).
        tracks: usize,
    },
    /// More than [`FREQUENT_RESTART_SHARE`] of at least [`FREQUENT_RESTART_MIN_PAIRS`]
    /// consecutive sample pairs are restarts: far more than a process restarts (a crash loop, or
    /// not a counter).
    FrequentRestarts {
        /// Drops read as restarts.
        restarts: usize,
        /// Consecutive pairs of finite samples.
        pairs: usize,
    },
    /// Some values are negative, which a counter never is.
    NegativeValues {
        /// How many.
        count: usize,
    },
}

/// The health of one counter series.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesHealth {
    /// The series' labels.
    pub labels: Labels,
    /// Its exact increase, reset count and skipped samples.
    pub exact: ExactIncrease,
    /// Its share of the total exact increase of all series; `None` when it has no increase or
    /// the total is not positive.
    pub share: Option<f64>,
    /// Its robust increase.
    pub robust: RobustIncrease,
    /// What looks wrong, in the order of [`MeterWarning`]'s variants; empty when nothing does.
    pub warnings: Vec<MeterWarning>,
}

/// The health of a set of counter series (one metric, or one panel's series).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeterHealth {
    /// One entry per series given, in the same order.
    pub series: Vec<SeriesHealth>,
    /// The sum of the exact increases; `None` when no series has one.
    pub total: Option<f64>,
    /// The sum of the robust increases; `None` when no series has one.
    pub robust_total: Option<f64>,
    /// `total − robust_total`: how much the robust method took away.
    pub robust_removed: Option<f64>,
}

/// Meter health of each series: its exact increase and resets, its share of the total, its
/// robust increase, and warnings (see [`MeterWarning`]).
///
/// Pass the samples of the time span to judge (a range selector's raw samples).
///
/// Special cases:
/// * no series: no entries and every total `None`;
/// * a series with fewer than two finite samples: no increase, no share, not in the totals,
///   no warning except [`MeterWarning::NegativeValues`];
/// * all increases zero: totals `Some(0.0)`, shares `None`;
/// * `NaN`, `±Inf`, negative values: as in [`exact_increase`] and [`robust_increase`];
/// * fails with [`Error::InvalidInput`](crate::Error::InvalidInput) when a series' times do not
///   increase strictly or its columns differ in length.
pub fn meter_health(series: &[Series]) -> Result<MeterHealth> {
    let mut entries = Vec::with_capacity(series.len());
    for s in series {
        let samples = Samples::of(s)?;
        let exact = exact_increase(samples);
        let robust = robust_increase(samples);
        let pairs = exact.samples.saturating_sub(1);
        let mut warnings = Vec::new();
        if robust.phantom_resets >= OSCILLATION_MIN_PHANTOM_RESETS {
            warnings.push(MeterWarning::Oscillating {
                phantom_resets: robust.phantom_resets,
                tracks: robust.tracks,
            });
        }
        if pairs >= FREQUENT_RESTART_MIN_PAIRS
            && robust.restarts as f64 > FREQUENT_RESTART_SHARE * pairs as f64
        {
            warnings.push(MeterWarning::FrequentRestarts {
                restarts: robust.restarts,
                pairs,
            });
        }
        if exact.negative_values > 0 {
            warnings.push(MeterWarning::NegativeValues {
                count: exact.negative_values,
            });
        }
        entries.push(SeriesHealth {
            labels: s.labels.clone(),
            exact,
            share: None,
            robust,
            warnings,
        });
    }
    let total = sum_present(entries.iter().map(|e| e.exact.increase));
    let robust_total = sum_present(entries.iter().map(|e| e.robust.increase));
    if let Some(total) = total.filter(|&t| t > 0.0) {
        for e in &mut entries {
            e.share = e.exact.increase.map(|inc| inc / total);
        }
    }
    Ok(MeterHealth {
        series: entries,
        total,
        robust_total,
        robust_removed: total.zip(robust_total).map(|(a, b)| a - b),
    })
}

fn sum_present(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    values
        .flatten()
        .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::arithmetic_side_effects, reason = "test data")]

    use super::*;

    /// Samples every 15 s.
    fn every_15s(values: &[f64]) -> Vec<i64> {
        (0..values.len() as i64).map(|i| i * 15_000).collect()
    }

    fn labeled(name: &str, values: &[f64]) -> Series {
        Series {
            labels: Labels::from_pairs([("case", name)]),
            time_ms: every_15s(values),
            values: values.to_vec(),
        }
    }

    #[test]
    fn meter_health_cases() {
        let collided: Vec<f64> = (0..12)
            .map(|i| {
                if i % 2 == 0 {
                    100.0 + f64::from(i)
                } else {
                    5.0 + f64::from(i)
                }
            })
            .collect();
        // A crash loop of 3-sample lives over 15 samples: 4 restarts in 14 pairs (> 10 %).
        let crash_loop: Vec<f64> = (0..15).map(|i| f64::from(i % 3) * 5.0).collect();
        let series = [
            labeled("clean", &[0.0, 10.0, 20.0, 30.0]),
            labeled("collided", &collided),
            labeled("crash", &crash_loop),
            labeled("negative", &[-1.0, 0.0, 1.0]),
            labeled("single", &[5.0]),
        ];
        let health = meter_health(&series).unwrap();
        let by_case = |c: &str| {
            health
                .series
                .iter()
                .find(|s| s.labels.get("case") == Some(c))
                .unwrap()
        };

        // clean: 30, no warning.
        let clean = by_case("clean");
        assert_eq!(
            (clean.exact.increase, clean.warnings.as_slice()),
            (Some(30.0), &[][..])
        );

        // collided: A = 100, 102, …, 110 (+10), B = 6, 8, …, 16 (+10): robust 20. Plain: the
        // first drop adds 6, then each rise from B to A adds 95 - 1 = 96 → 5 × 96, each drop adds
        // B's value: 6 + 8 + … + 16 = 66. 480 + 66 = 546.
        let collided = by_case("collided");
        assert_eq!(collided.exact.increase, Some(546.0));
        assert_eq!(collided.robust.increase, Some(20.0));
        assert_eq!(
            collided.warnings,
            [MeterWarning::Oscillating {
                phantom_resets: 6,
                tracks: 2
            }]
        );

        // crash: 4 restarts in 14 pairs; each life adds 10 (the first one from its 0): 50.
        let crash = by_case("crash");
        assert_eq!(
            (crash.exact.increase, crash.robust.increase),
            (Some(50.0), Some(50.0))
        );
        assert_eq!(
            crash.warnings,
            [MeterWarning::FrequentRestarts {
                restarts: 4,
                pairs: 14
            }]
        );

        let negative = by_case("negative");
        assert_eq!(
            negative.warnings,
            [MeterWarning::NegativeValues { count: 1 }]
        );

        // single: one sample, no increase, no share.
        let single = by_case("single");
        assert_eq!((single.exact.increase, single.share), (None, None));

        // Totals: 30 + 546 + 50 + 2 = 628; robust 30 + 20 + 50 + 2 = 102.
        assert_eq!(health.total, Some(628.0));
        assert_eq!(health.robust_total, Some(102.0));
        assert_eq!(health.robust_removed, Some(526.0));
        assert_eq!(collided.share, Some(546.0 / 628.0));
        let shares: f64 = health.series.iter().filter_map(|s| s.share).sum();
        assert!((shares - 1.0).abs() < 1e-12);
    }

    #[test]
    fn warnings_serialize_in_camel_case() {
        let w = MeterWarning::Oscillating {
            phantom_resets: 6,
            tracks: 2,
        };
        assert_eq!(
            serde_json::to_value(w).unwrap(),
            serde_json::json!({"kind": "oscillating", "phantomResets": 6, "tracks": 2})
        );
    }

    #[test]
    fn meter_health_without_data() {
        let empty = meter_health(&[]).unwrap();
        assert_eq!(
            (empty.total, empty.robust_total, empty.robust_removed),
            (None, None, None)
        );
        let idle = meter_health(&[labeled("idle", &[3.0, 3.0])]).unwrap();
        assert_eq!(idle.total, Some(0.0));
        assert_eq!(idle.series.first().and_then(|s| s.share), None);
    }
}
