//! The statistics behind the agent view: time-weighted gauge means, robust fleet statistics for
//! outliers, and the rank score.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "counts of samples held in memory and the median index of a non-empty list; time differences saturate"
)]

use serde::Serialize;

/// How long a gauge sample holds its value when no later sample follows: 5 minutes, Prometheus'
/// lookback delta (an instant query stops returning a gauge 5 minutes after its last sample, so
/// the mean stops counting it at the same point).
pub const GAUGE_HOLD_MS: i64 = 300_000;

/// Scales the median absolute deviation to the standard deviation of a normal distribution
/// (1 / Φ⁻¹(3/4)), so a robust z of 3.5 means what a z-score of 3.5 means for normal data.
pub const MAD_SCALE: f64 = 1.4826;

/// Scales the mean absolute deviation around the median to a standard deviation (√(π/2)); used
/// when the MAD is 0 (more than half of the fleet has the same value, e.g. no failures at all),
/// where the MAD would make any difference infinitely far.
pub const MEAN_AD_SCALE: f64 = 1.2533;

/// An agent is an outlier when its robust z, `|x − median| / scale`, exceeds this: Iglewicz and
/// Hoaglin's recommended cut-off for the modified z-score.
pub const OUTLIER_K: f64 = 3.5;

/// Fewest agents with a value for the outlier test: with 4 or fewer, the median and the MAD are
/// each set by one or two agents and a single slow agent moves them itself.
pub const MIN_FLEET_FOR_OUTLIERS: usize = 5;

/// Rank score weights: success rate, throughput (tasks per hour against the fleet's best) and
/// latency (the fleet's best p95 against the agent's). They add up to 1, so the score is in
/// [0, 1].
pub const RANK_WEIGHTS: RankWeights = RankWeights {
    success: 0.5,
    throughput: 0.3,
    latency: 0.2,
};

/// Weights of the rank score (see [`rank_score`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RankWeights {
    /// Weight of the success rate.
    pub success: f64,
    /// Weight of the throughput term.
    pub throughput: f64,
    /// Weight of the latency term.
    pub latency: f64,
}

/// The rank score of one agent, in [0, 1], higher is better:
///
/// `score = 0.5 · successRate + 0.3 · (tasksPerHour / max tasksPerHour) + 0.2 · (min p95 / p95)`
///
/// where max and min are taken over the ranked agents. Special cases: a fleet best throughput
/// of 0 makes every throughput term 0; an agent without a p95 (no duration histogram, or no
/// finished task) gets a latency term of 0, the worst; a p95 of 0 (every task in the lowest
/// bucket at 0) gets 1. Agents without a success rate (no task at all) are not ranked.
pub fn rank_score(
    success_rate: f64,
    tasks_per_hour: f64,
    fleet_max_tasks_per_hour: f64,
    p95: Option<f64>,
    fleet_min_p95: Option<f64>,
) -> f64 {
    let w = RANK_WEIGHTS;
    let throughput = if fleet_max_tasks_per_hour > 0.0 {
        tasks_per_hour / fleet_max_tasks_per_hour
    } else {
        0.0
    };
    let latency = match (p95, fleet_min_p95) {
        (Some(p), _) if p <= 0.0 => 1.0,
        (Some(p), Some(best)) => (best / p).clamp(0.0, 1.0),
        _ => 0.0,
    };
    w.success * success_rate + w.throughput * throughput + w.latency * latency
}

/// The median of `values` (finite values only; the mean of the two middle ones for an even
/// count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return None;
    }
    let hi = *v.get(n / 2)?;
    if n % 2 == 1 {
        Some(hi)
    } else {
        Some((*v.get(n / 2 - 1)? + hi) / 2.0)
    }
}

/// The fleet's centre and spread for the outlier test: the median and
/// [`MAD_SCALE`] × the median absolute deviation, or [`MEAN_AD_SCALE`] × the mean absolute
/// deviation from the median when the MAD is 0.
///
/// `None` with fewer than [`MIN_FLEET_FOR_OUTLIERS`] finite values; a spread of 0 (every value
/// the same) is returned as 0 and means "no outliers".
pub fn robust_centre(values: &[f64]) -> Option<(f64, f64)> {
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.len() < MIN_FLEET_FOR_OUTLIERS {
        return None;
    }
    let m = median(&finite)?;
    let deviations: Vec<f64> = finite.iter().map(|x| (x - m).abs()).collect();
    let mad = median(&deviations)?;
    if mad > 0.0 {
        return Some((m, MAD_SCALE * mad));
    }
    let mean_ad = deviations.iter().sum::<f64>() / deviations.len() as f64;
    Some((m, MEAN_AD_SCALE * mean_ad))
}

/// The robust z of `x` against a fleet's `(median, spread)` from [`robust_centre`]; 0 when the
/// spread is 0.
pub fn robust_z(x: f64, (median, spread): (f64, f64)) -> f64 {
    if spread > 0.0 {
        (x - median) / spread
    } else {
        0.0
    }
}

/// A running time-weighted mean of gauges: each sample holds its value until the next sample of
/// its series, for at most [`GAUGE_HOLD_MS`], clipped to `[start_ms, end_ms]`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimeWeighted {
    weighted_sum: f64,
    covered_ms: i64,
    max: Option<f64>,
    samples: usize,
}

impl TimeWeighted {
    /// Adds one gauge series (times strictly increasing, checked by the caller).
    ///
    /// Special cases: a sample before `start_ms` counts from `start_ms` for what is left of its
    /// hold (the value the gauge had when the range began); a `NaN` or infinite sample holds
    /// nothing and ends the hold of the one before; the maximum is over the finite samples in
    /// `[start_ms, end_ms]`.
    pub fn add(&mut self, time_ms: &[i64], values: &[f64], start_ms: i64, end_ms: i64) {
        for (i, (&t, &v)) in time_ms.iter().zip(values).enumerate() {
            if t > end_ms {
                break;
            }
            if !v.is_finite() {
                continue;
            }
            if t >= start_ms {
                self.samples += 1;
                self.max = Some(self.max.map_or(v, |m| m.max(v)));
            }
            let next = time_ms.get(i + 1).copied().unwrap_or(i64::MAX);
            let until = next.min(t.saturating_add(GAUGE_HOLD_MS)).min(end_ms);
            let from = t.max(start_ms);
            if until > from {
                let dt = until.saturating_sub(from);
                self.weighted_sum += v * dt as f64;
                self.covered_ms = self.covered_ms.saturating_add(dt);
            }
        }
    }

    /// The time-weighted mean, `None` when no sample covered any of the range.
    pub fn mean(&self) -> Option<f64> {
        (self.covered_ms > 0).then(|| self.weighted_sum / self.covered_ms as f64)
    }

    /// The largest sample in the range.
    pub fn max(&self) -> Option<f64> {
        self.max
    }

    /// Samples in the range.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// How much of the range had a value, ms.
    pub fn covered_ms(&self) -> i64 {
        self.covered_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        let cases: &[(&str, &[f64], Option<f64>)] = &[
            ("empty", &[], None),
            ("one", &[3.0], Some(3.0)),
            ("odd", &[5.0, 1.0, 3.0], Some(3.0)),
            ("even", &[4.0, 1.0, 3.0, 2.0], Some(2.5)),
            ("nan skipped", &[f64::NAN, 1.0, 2.0, 9.0], Some(2.0)),
        ];
        for (name, v, want) in cases {
            assert_eq!(median(v), *want, "case {name} failed");
        }
    }

    #[test]
    fn robust_centres() {
        type Case = (&'static str, &'static [f64], Option<(f64, f64)>);
        let cases: &[Case] = &[
            ("too few", &[1.0, 2.0, 3.0, 4.0], None),
            // median 3; deviations 2 1 0 1 2 → MAD 1 → spread 1.4826.
            ("mad", &[1.0, 2.0, 3.0, 4.0, 5.0], Some((3.0, 1.4826))),
            // median 0; deviations 0 0 0 0 0.5 → MAD 0 → mean AD 0.1 → spread 0.12533.
            (
                "mean ad fallback",
                &[0.0, 0.0, 0.0, 0.0, 0.5],
                Some((0.0, 0.12533)),
            ),
            ("all equal", &[2.0; 6], Some((2.0, 0.0))),
        ];
        for (name, v, want) in cases {
            let got = robust_centre(v);
            match (got, want) {
                (None, None) => {}
                (Some((m, s)), Some((wm, ws))) => {
                    assert!(
                        (m - wm).abs() < 1e-12 && (s - ws).abs() < 1e-12,
                        "case {name} failed: {got:?}"
                    )
                }
                _ => panic!("case {name} failed: {got:?}"),
            }
        }
        // 0.5 against (0, 0.12533): z = 3.99 > 3.5, an outlier; 3 against (3, 0): 0.
        assert!((robust_z(0.5, (0.0, 0.12533)) - 0.5 / 0.12533).abs() < 1e-12);
        assert!(robust_z(0.5, (0.0, 0.12533)) > OUTLIER_K);
        assert_eq!(robust_z(7.0, (3.0, 0.0)), 0.0);
    }

    #[test]
    fn rank_scores() {
        type Case = (&'static str, f64, f64, f64, Option<f64>, Option<f64>, f64);
        let cases: &[Case] = &[
            // 0.5·1 + 0.3·1 + 0.2·1.
            (
                "best everywhere",
                1.0,
                60.0,
                60.0,
                Some(2.0),
                Some(2.0),
                1.0,
            ),
            // 0.5·0.8 + 0.3·(30/60) + 0.2·(2/8) = 0.4 + 0.15 + 0.05.
            ("mixed", 0.8, 30.0, 60.0, Some(8.0), Some(2.0), 0.6),
            // no p95: latency term 0 → 0.5·1 + 0.3·1.
            ("no p95", 1.0, 60.0, 60.0, None, Some(2.0), 0.8),
            // no throughput in the fleet: 0.5·0.5 + 0 + 0.2·1.
            ("zero fleet", 0.5, 0.0, 0.0, Some(1.0), Some(1.0), 0.45),
            ("zero p95", 1.0, 0.0, 10.0, Some(0.0), Some(0.0), 0.7),
        ];
        for (name, s, t, tmax, p, pmin, want) in cases {
            let got = rank_score(*s, *t, *tmax, *p, *pmin);
            assert!((got - want).abs() < 1e-12, "case {name} failed: {got}");
        }
    }

    #[test]
    fn time_weighted_means() {
        type Case = (
            &'static str,
            &'static [i64],
            &'static [f64],
            i64,
            i64,
            Option<f64>,
            Option<f64>,
        );
        let cases: &[Case] = &[
            ("empty", &[], &[], 0, 100_000, None, None),
            // 10 for 30 s, 50 for 150 s: (300 + 7500) / 180 = 43.33…; the sample mean would be 30.
            (
                "irregular",
                &[0, 30_000],
                &[10.0, 50.0],
                0,
                180_000,
                Some(7800.0 / 180.0),
                Some(50.0),
            ),
            // The sample at -60 s holds 10 into the range for 60 s, then 20 for 60 s: mean 15;
            // the max is over samples in the range only.
            (
                "carry in",
                &[-60_000, 60_000],
                &[10.0, 20.0],
                0,
                120_000,
                Some(15.0),
                Some(20.0),
            ),
            // 40 holds 300 s only, then the gauge is gone: 40 over 300 s of a 600 s range.
            (
                "hold limit",
                &[0],
                &[40.0],
                0,
                600_000,
                Some(40.0),
                Some(40.0),
            ),
            // NaN at 60 s ends the hold of 10; 30 from 120 s to 180 s: (600 + 1800) / 120 = 20.
            (
                "nan gap",
                &[0, 60_000, 120_000],
                &[10.0, f64::NAN, 30.0],
                0,
                180_000,
                Some(20.0),
                Some(30.0),
            ),
        ];
        for (name, t, v, start, end, mean, max) in cases {
            let mut tw = TimeWeighted::default();
            tw.add(t, v, *start, *end);
            match (tw.mean(), mean) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "case {name} failed: {a}"),
                (a, b) => assert_eq!(a, *b, "case {name} failed"),
            }
            assert_eq!(tw.max(), *max, "case {name} failed");
        }
    }
}
