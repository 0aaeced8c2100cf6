//! The robust increase: the exact increase without the phantom increases of several writers on
//! one counter (see [`robust_increase`]).

#![allow(
    clippy::arithmetic_side_effects,
    reason = "counts of tracks and resets and indices of samples held in memory; differences of sample times saturate"
)]

use serde::Serialize;

use super::exact::step_delta;
use super::{exact_increase, Samples};

/// How many finite samples after a drop may show that the writer above it is still there.
///
/// Interleaved writers are rarely strictly alternate: an exporter that keeps the last write of
/// any process shows whichever wrote last, so one writer can hold the series for a few scrapes.
/// Five samples covers that for two or three writers. A longer look-ahead makes a genuine restart
/// more likely to be read as another writer; that only costs the restarted process' first
/// value, while reading another writer as a restart would end its track and add its whole
/// level again when it reappears, so erring long is the cheaper mistake.
pub const REBOUND_LOOKAHEAD: usize = 5;

/// How much faster than a track's own average pace the series must climb back from a drop for
/// the drop to be read as another writer rather than a restart.
///
/// A restarted process counts from zero at about the pace its predecessor kept; a crash loop
/// climbs back to the old level at that pace, and so is still read as restarts. Another writer
/// (or a counter that stepped back a little) is back at the old level within a scrape or two,
/// which is many times the pace of any counter that had been running for a while. Four times
/// leaves room for bursty counters (a session that starts with a large request).
pub const REBOUND_PACE_FACTOR: f64 = 4.0;

/// The most monotone tracks kept for one series.
///
/// More writers than this on one series cannot be told apart by their values anyway, and the
/// bound keeps the work per sample small (a long oscillating series could otherwise start a track
/// at every other sample).
pub const MAX_TRACKS: usize = 32;

/// The robust increase of one series (see [`robust_increase`]) next to the exact one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RobustIncrease {
    /// The sum of the tracks' own rises plus restarted values; `None` with fewer than two finite
    /// samples.
    pub increase: Option<f64>,
    /// The exact increase of the same samples (see [`exact_increase`]).
    pub plain: Option<f64>,
    /// Tracks started (1 for a clean counter, one more per apparent writer or restart).
    pub tracks: usize,
    /// Drops (samples below the one before) read as another writer: those that joined an
    /// existing lower track or started a new one.
    pub phantom_resets: usize,
    /// Drops read as a restart of the counter.
    pub restarts: usize,
}

impl RobustIncrease {
    /// How much the robust method took away from the exact increase (`plain − increase`);
    /// `None` when there is no increase.
    pub fn removed(&self) -> Option<f64> {
        Some(self.plain? - self.increase?)
    }
}

/// The robust increase of a counter: the exact increase without the phantom increases of
/// several writers on one series.
///
/// When several processes write one series (the same labels from parallel sessions, a missing
/// `session_id`), the stored samples jump between the writers' own running totals:
/// `100, 5, 101, 6, 102, …`. Every jump down looks like a reset, and every reset adds the value
/// after it, so the increase grows with the gap between the writers instead of with the events
/// (Claude Code issue #56317: 100× too much). A counter that goes slightly backwards inside a
/// session does the same on a smaller scale.
///
/// The method splits the samples into **monotone tracks**, one per apparent writer, and
/// sums each track's own rises:
///
/// 1. `NaN` and `±Inf` samples are skipped; the first finite sample starts the first track.
/// 2. A sample at or above the last value of some track continues the track whose last value is
///    the highest of those (the closest writer below it; on a tie the most recently started). It
///    adds `value − that last value`.
/// 3. A sample below every track is a drop. It is **another writer** when the series climbs back
///    soon, faster than a restarted process could: some sample among the next
///    [`REBOUND_LOOKAHEAD`] finite ones reaches the last value of a track, at a pace from zero
///    (its value over the time since the sample before the drop) more than
///    [`REBOUND_PACE_FACTOR`] times that track's own average pace (any pace, when the track has
///    one sample). Then the drop starts a new track and adds nothing: the new writer's value is
///    its baseline, as the first sample of a series is. Otherwise it is a **restart**, as
///    Prometheus' reset rule assumes: every track ends, the sample starts a new one and adds its
///    own value (counted from zero).
/// 4. At most [`MAX_TRACKS`] tracks are kept; a new one replaces the one continued least
///    recently.
///
/// For counters without negative values the robust increase is never above the exact increase
/// (each sample adds at most what it adds there), equals it for a single writer whose resets are
/// restarts, and equals `last − first` for a monotone series.
///
/// Special cases:
/// * no samples, or a single finite one: `increase: None`;
/// * `NaN` and `±Inf` samples are skipped, as in [`exact_increase`];
/// * a monotone series gives `last − first`; a single writer whose drops are restarts gives the
///   exact increase;
/// * a counter that steps back a little and climbs straight on is read as a second writer, so
///   the step back is not counted as a reset;
/// * negative values are used as values; with them the result can exceed the exact increase.
pub fn robust_increase(samples: Samples<'_>) -> RobustIncrease {
    let finite: Vec<(i64, f64)> = samples
        .time_ms()
        .iter()
        .zip(samples.values())
        .filter(|(_, v)| v.is_finite())
        .map(|(&t, &v)| (t, v))
        .collect();
    let plain = exact_increase(samples).increase;
    let mut out = RobustIncrease {
        increase: None,
        plain,
        tracks: 0,
        phantom_resets: 0,
        restarts: 0,
    };
    let Some(&(t0, v0)) = finite.first() else {
        return out;
    };
    let mut tracks = vec![Track::start(t0, v0, 0)];
    out.tracks = 1;
    let mut total = 0.0;
    let mut previous = (t0, v0);
    for (i, &(t, v)) in finite.iter().enumerate().skip(1) {
        let dropped = v < previous.1;
        let closest_below = tracks
            .iter_mut()
            .filter(|track| track.last_v <= v)
            .max_by(|a, b| a.last_v.total_cmp(&b.last_v));
        if let Some(track) = closest_below {
            total += v - track.last_v;
            track.extend(t, v, i);
            if dropped {
                out.phantom_resets += 1;
            }
        } else if writer_reappears(&tracks, previous.0, finite.get(i + 1..).unwrap_or_default()) {
            if tracks.len() >= MAX_TRACKS {
                if let Some(stalest) = tracks
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, track)| track.last_index)
                    .map(|(k, _)| k)
                {
                    tracks.swap_remove(stalest);
                }
            }
            tracks.push(Track::start(t, v, i));
            out.tracks += 1;
            out.phantom_resets += 1;
        } else {
            tracks.clear();
            tracks.push(Track::start(t, v, i));
            total += step_delta(previous.1, v);
            out.tracks += 1;
            out.restarts += 1;
        }
        previous = (t, v);
    }
    if finite.len() >= 2 {
        out.increase = Some(total);
    }
    out
}

/// One apparent writer: where its monotone run started and where it is now.
#[derive(Debug, Clone, Copy)]
struct Track {
    first_t: i64,
    first_v: f64,
    last_t: i64,
    last_v: f64,
    last_index: usize,
}

impl Track {
    fn start(t: i64, v: f64, index: usize) -> Self {
        Self {
            first_t: t,
            first_v: v,
            last_t: t,
            last_v: v,
            last_index: index,
        }
    }

    fn extend(&mut self, t: i64, v: f64, index: usize) {
        self.last_t = t;
        self.last_v = v;
        self.last_index = index;
    }

    /// Average rise per millisecond since the track started; `None` with a single sample.
    fn pace(&self) -> Option<f64> {
        (self.last_t > self.first_t)
            .then(|| (self.last_v - self.first_v) / self.last_t.saturating_sub(self.first_t) as f64)
    }
}

/// True when one of the next [`REBOUND_LOOKAHEAD`] samples after a drop continues a track faster
/// than a process restarted after `before_drop_t` could have got there.
fn writer_reappears(tracks: &[Track], before_drop_t: i64, next: &[(i64, f64)]) -> bool {
    next.iter().take(REBOUND_LOOKAHEAD).any(|&(t, x)| {
        let pace_from_zero = x / t.saturating_sub(before_drop_t) as f64;
        tracks.iter().any(|track| {
            x >= track.last_v
                && track
                    .pace()
                    .map_or(true, |pace| pace_from_zero > REBOUND_PACE_FACTOR * pace)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAN: f64 = f64::NAN;

    /// Samples every 15 s.
    fn every_15s(values: &[f64]) -> Vec<i64> {
        (0..values.len() as i64).map(|i| i * 15_000).collect()
    }

    #[test]
    fn robust_increase_cases() {
        // (name, values every 15 s, robust, plain, tracks, phantom resets, restarts)
        type Case = (
            &'static str,
            &'static [f64],
            Option<f64>,
            Option<f64>,
            usize,
            usize,
            usize,
        );
        let cases: &[Case] = &[
            ("no samples", &[], None, None, 0, 0, 0),
            ("one sample", &[4.0], None, None, 1, 0, 0),
            (
                "monotone",
                &[3.0, 4.0, 4.0, 9.0],
                Some(6.0),
                Some(6.0),
                1,
                0,
                0,
            ),
            // 100 → 102 (+2), then 3, 4, 5 never climb back to 102: a restart, +3 from zero, +2.
            (
                "one restart",
                &[100.0, 101.0, 102.0, 3.0, 4.0, 5.0],
                Some(7.0),
                Some(7.0),
                2,
                0,
                1,
            ),
            // Writers A (100, 101, 102) and B (5, 6, 7) alternate. The first drop to 5 is followed
            // by 101 ≥ 100 while A has one sample (any pace): another writer. Then each sample
            // continues its own track: A +1 +1, B +1 +1. Plain: 5 + 96 + 6 + 96 + 7 = 210.
            (
                "two writers",
                &[100.0, 5.0, 101.0, 6.0, 102.0, 7.0],
                Some(4.0),
                Some(210.0),
                2,
                3,
                0,
            ),
            // A: 100, 101, 102, 103; B: 50, 51, then B restarts: 0, 1. The drop to 0 is followed
            // by 103 ≥ 102 at 103/30 s, far above 4 × A's pace (2 per 60 s): another writer.
            // A +3, B +1, the restarted B +1 (its 0 is a baseline). Plain:
            // 50 + 51 + 51 + 51 + 0 + 103 + 1 = 307.
            (
                "a writer restarts while the other goes on",
                &[100.0, 50.0, 101.0, 51.0, 102.0, 0.0, 103.0, 1.0],
                Some(5.0),
                Some(307.0),
                3,
                4,
                0,
            ),
            // Three writers at 100, 50 and 10, in turn: three tracks, each +2.
            (
                "three writers",
                &[100.0, 50.0, 10.0, 101.0, 51.0, 11.0, 102.0, 52.0, 12.0],
                Some(6.0),
                Some(50.0 + 10.0 + 91.0 + 51.0 + 11.0 + 91.0 + 52.0 + 12.0),
                3,
                6,
                0,
            ),
            // 90, 95, 100 (pace 10 per 30 s), steps back to 99.5, then 101: from zero 101 in
            // 30 s is 30 × A's pace, so a restart is impossible: a step back. A: 90 → 101 = 11.
            // Plain: 10 + 99.5 + 1.5 = 111.
            (
                "counter steps back",
                &[90.0, 95.0, 100.0, 99.5, 101.0],
                Some(11.0),
                Some(111.0),
                2,
                1,
                0,
            ),
            // A crash loop: 0, 5, 10 then restart. Climbing back to 10 takes 45 s after the last
            // 10 (0.22/s), below 4 × the pace of 10 per 30 s: restarts, as plain counts them.
            (
                "crash loop",
                &[0.0, 5.0, 10.0, 0.0, 5.0, 10.0, 0.0, 5.0, 10.0],
                Some(30.0),
                Some(30.0),
                3,
                0,
                2,
            ),
            // NaN skipped: 100, 5, 101, 6 as two writers, +1 each. Plain: 5 + 96 + 6 = 107.
            (
                "nan skipped",
                &[100.0, NAN, 5.0, 101.0, 6.0],
                Some(2.0),
                Some(107.0),
                2,
                2,
                0,
            ),
        ];
        for (name, values, robust, plain, tracks, phantom, restarts) in cases {
            let t = every_15s(values);
            let got = robust_increase(Samples::new(&t, values).unwrap());
            assert_eq!(got.increase, *robust, "case {name} failed");
            assert_eq!(got.plain, *plain, "case {name} failed");
            assert_eq!(
                (got.tracks, got.phantom_resets, got.restarts),
                (*tracks, *phantom, *restarts),
                "case {name} failed"
            );
            assert_eq!(
                got.removed(),
                plain.zip(*robust).map(|(p, r)| p - r),
                "case {name} failed"
            );
        }
    }

    #[test]
    fn tracks_are_bounded() {
        // 100, 99, 101, 98, 102, 97, …: every drop is below all tracks and climbs straight back.
        let values: Vec<f64> = (0..400)
            .map(|i| {
                if i % 2 == 0 {
                    100.0 + f64::from(i / 2)
                } else {
                    99.0 - f64::from(i / 2)
                }
            })
            .collect();
        let t = every_15s(&values);
        let got = robust_increase(Samples::new(&t, &values).unwrap());
        assert!(got.tracks > MAX_TRACKS);
        // The even samples rise by 1 each on the first track: 199 in all; the odd ones never rise.
        assert_eq!(got.increase, Some(199.0));
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Interleaves the writers' monotone counters (each with occasional restarts) at random.
        fn collided() -> impl Strategy<Value = (Vec<i64>, Vec<f64>)> {
            (
                1usize..4,
                proptest::collection::vec((0usize..4, 0u32..30, 0u8..40, 1i64..60_000), 1..80),
                proptest::collection::vec(0u32..10_000, 4),
            )
                .prop_map(|(writers, steps, starts)| {
                    let mut level: Vec<f64> = starts.iter().map(|&s| f64::from(s)).collect();
                    let mut t = 0;
                    let mut times = Vec::new();
                    let mut values = Vec::new();
                    for (w, rise, kind, dt) in steps {
                        let w = w % writers;
                        if let Some(l) = level.get_mut(w) {
                            *l = if kind == 0 {
                                f64::from(rise)
                            } else {
                                *l + f64::from(rise)
                            };
                            t += dt;
                            times.push(t);
                            values.push(if kind == 1 { f64::NAN } else { *l });
                        }
                    }
                    (times, values)
                })
        }

        proptest! {
            #[test]
            fn robust_is_between_zero_and_plain((t, v) in collided()) {
                let got = robust_increase(Samples::new(&t, &v).unwrap());
                prop_assert_eq!(got.increase.is_some(), got.plain.is_some());
                if let (Some(r), Some(p)) = (got.increase, got.plain) {
                    prop_assert!(r >= 0.0 && r <= p, "robust {} plain {}", r, p);
                }
            }

            #[test]
            fn a_single_monotone_writer_is_untouched(mut v in proptest::collection::vec(0u32..1000, 2..60)) {
                v.sort_unstable();
                let values: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
                let t = every_15s(&values);
                let got = robust_increase(Samples::new(&t, &values).unwrap());
                prop_assert_eq!(got.increase, got.plain);
                prop_assert_eq!(got.tracks, 1);
            }
        }
    }
}
