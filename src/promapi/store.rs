//! The embedded fleet: every series the simulator writes, held in memory, advanced to the clock.
#![allow(
    clippy::arithmetic_side_effects,
    reason = "step indexes and value offsets are bounded by MAX_STEPS and u32 steps; times by the simulator's limits (Simulator::new refuses times beyond MAX_INSTANT_MS) and saturating where they come from a query"
)]

use std::collections::{BTreeMap, HashMap};

use crate::error::{Error, Result};
use crate::simulate::openmetrics::number_text;
use crate::simulate::{Family, MetricKind, Point, SimConfig, Simulator, Value, MAX_STEPS};

/// Label pairs sorted by name, `__name__` among them.
pub type SeriesLabels = Vec<(String, String)>;

/// One stored series: its labels and its samples, kept as runs of consecutive steps (times are
/// implicit, so a sample costs one f64).
#[derive(Debug, Clone)]
pub struct StoredSeries {
    labels: SeriesLabels,
    /// `(first step, index of its value in values)` of each run of consecutive steps.
    runs: Vec<(u32, u32)>,
    values: Vec<f64>,
}

impl StoredSeries {
    /// The series' labels, sorted by name, `__name__` included.
    pub fn labels(&self) -> &[(String, String)] {
        &self.labels
    }

    /// The value of label `name`, or `""` when the series does not have it (as PromQL's
    /// matchers see a missing label).
    pub fn label(&self, name: &str) -> &str {
        self.labels
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .and_then(|i| self.labels.get(i))
            .map_or("", |(_, v)| v.as_str())
    }

    /// Number of samples held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the series holds no sample.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Each run as `(first step, last step, index of its first value)`.
    fn run_spans(&self) -> impl Iterator<Item = (u32, u32, usize)> + '_ {
        let n = self.values.len();
        self.runs.iter().enumerate().map(move |(i, &(step, off))| {
            let end = self.runs.get(i + 1).map_or(n, |&(_, o)| o as usize);
            let len = end.saturating_sub(off as usize) as u32;
            (step, step + len.saturating_sub(1), off as usize)
        })
    }

    /// The last step held, if any.
    fn last_step(&self) -> Option<u32> {
        let &(start, off) = self.runs.last()?;
        let len = self.values.len().saturating_sub(off as usize) as u32;
        Some(start + len.saturating_sub(1))
    }

    fn push(&mut self, step: u32, v: f64) {
        match self.last_step() {
            Some(last) if last >= step => {} // a second writer of the same labels: the first wins
            Some(last) if last + 1 == step => self.values.push(v),
            _ => {
                self.runs.push((step, self.values.len() as u32));
                self.values.push(v);
            }
        }
    }

    /// The samples with steps in `[lo, hi]`, as `(step, value)`, in time order.
    fn steps_in(&self, lo: u32, hi: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        let first = self
            .run_spans()
            .take_while(|&(_, last, _)| last < lo)
            .count();
        self.run_spans()
            .skip(first)
            .take_while(move |&(start, _, _)| start <= hi)
            .flat_map(move |(start, last, off)| {
                let a = start.max(lo);
                let b = last.min(hi);
                (a..=b).filter_map(move |s| {
                    let i = off + (s - start) as usize;
                    self.values.get(i).map(|v| (s, *v))
                })
            })
    }

    /// The latest sample at a step in `[lo, hi]`.
    fn latest_in(&self, lo: u32, hi: u32) -> Option<(u32, f64)> {
        let idx = self.runs.partition_point(|&(start, _)| start <= hi);
        let (start, last, off) = self.run_spans().nth(idx.checked_sub(1)?)?;
        let s = last.min(hi);
        if s < lo {
            return None;
        }
        let v = self.values.get(off + (s - start) as usize)?;
        Some((s, *v))
    }
}

/// Room kept, after the history is built, for the live series to grow without reallocating:
/// one hour of samples.
const HEADROOM_MS: i64 = 3_600_000;

/// The embedded fleet: the simulator's history from a start time, extended to the clock on
/// demand, with exactly the series `fleetlens simulate --openmetrics` writes (counters with
/// `_total`, histograms as `_bucket{le}`, `_count` and `_sum`).
///
/// Every sample sits on a multiple of the interval, so times are kept as step numbers. Memory
/// is about 8 bytes per sample plus the labels of each series; the history only grows (about
/// 1.1 million samples a day for the default fleet at 60 s).
#[derive(Debug)]
pub struct Store {
    sim: Simulator,
    families: Vec<Family>,
    first_ms: i64,
    interval_ms: i64,
    series: Vec<StoredSeries>,
    /// Store indexes of each simulator series id (a histogram has several).
    by_id: HashMap<u64, Vec<usize>>,
    /// Store index of each label set, so that two writers of the same labels share one series.
    by_key: HashMap<String, usize>,
    /// Store indexes of each metric name.
    by_name: BTreeMap<String, Vec<usize>>,
    samples: usize,
}

impl Store {
    /// The simulator's series from `from_ms` (rounded up to a multiple of the interval, as
    /// `fleetlens simulate` does) to `to_ms`.
    ///
    /// Fails with [`Error::InvalidConfig`] for a config the simulator refuses, `to_ms` before
    /// `from_ms`, or more than [`MAX_STEPS`] steps.
    pub fn new(config: &SimConfig, from_ms: i64, to_ms: i64) -> Result<Self> {
        config.validate()?;
        if to_ms < from_ms {
            return Err(Error::InvalidConfig(
                "the history ends before it starts".to_owned(),
            ));
        }
        if (to_ms - from_ms) / config.interval_ms >= MAX_STEPS {
            return Err(Error::InvalidConfig(format!(
                "the history is longer than {MAX_STEPS} steps: use a shorter history or a longer interval"
            )));
        }
        let first_ms = from_ms.div_euclid(config.interval_ms) * config.interval_ms;
        let first_ms = if first_ms < from_ms {
            first_ms + config.interval_ms
        } else {
            first_ms
        };
        let sim = Simulator::new(config, first_ms)?;
        let mut store = Self {
            families: sim.families().to_vec(),
            sim,
            first_ms,
            interval_ms: config.interval_ms,
            series: Vec::new(),
            by_id: HashMap::new(),
            by_key: HashMap::new(),
            by_name: BTreeMap::new(),
            samples: 0,
        };
        store.record();
        store.extend_to(to_ms);
        store.compact();
        Ok(store)
    }

    /// Gives back the spare capacity the history's growth left (up to half of it), keeping
    /// [`HEADROOM_MS`] of room for the series still live.
    fn compact(&mut self) {
        let current = ((self.sim.time_ms() - self.first_ms) / self.interval_ms) as u32;
        let headroom = (HEADROOM_MS / self.interval_ms).max(1) as usize;
        for s in &mut self.series {
            s.values.shrink_to_fit();
            s.runs.shrink_to_fit();
            if s.last_step() == Some(current) {
                s.values.reserve_exact(headroom);
            }
        }
    }

    /// Advances the simulation to the last step at or before `now_ms` and stores every step
    /// on the way (nothing when `now_ms` is before the next step).
    pub fn extend_to(&mut self, now_ms: i64) {
        while self.sim.time_ms() + self.interval_ms <= now_ms {
            self.sim.step();
            self.record();
        }
    }

    /// Stores the simulator's current step.
    fn record(&mut self) {
        let t = self.sim.time_ms();
        let step = (t.saturating_sub(self.first_ms) / self.interval_ms)
            .clamp(0, i64::from(u32::MAX)) as u32;
        let mut points: Vec<(u64, usize, SeriesLabels, Value)> = Vec::new();
        let mut seen: Vec<(u64, Value)> = Vec::new();
        let by_id = &self.by_id;
        self.sim.visit(&mut |p: Point<'_>| {
            if by_id.contains_key(&p.series) {
                seen.push((p.series, p.value.clone()));
            } else {
                points.push((p.series, p.family, p.labels.to_vec(), p.value.clone()));
            }
        });
        for (id, family, labels, value) in points {
            let indexes = self.add_series(family, &labels);
            self.by_id.insert(id, indexes);
            seen.push((id, value));
        }
        for (id, value) in seen {
            let Some(indexes) = self.by_id.get(&id) else {
                continue;
            };
            let mut put = |k: usize, v: f64| {
                if let Some(s) = indexes.get(k).and_then(|&i| self.series.get_mut(i)) {
                    let before = s.values.len();
                    s.push(step, v);
                    self.samples += s.values.len() - before;
                }
            };
            match value {
                Value::Number(v) => put(0, v),
                Value::Histogram(h) => {
                    let n = h.cumulative.len();
                    for (k, c) in h.cumulative.iter().enumerate() {
                        put(k, *c);
                    }
                    put(n, h.count);
                    put(n + 1, h.count);
                    put(n + 2, h.sum);
                }
            }
        }
    }

    /// The store indexes of the series one simulator series writes (one, or a histogram's
    /// buckets, `+Inf`, count and sum, in that order), created as needed.
    fn add_series(&mut self, family: usize, labels: &[(String, String)]) -> Vec<usize> {
        let Some(f) = self.families.get(family) else {
            return Vec::new();
        };
        let mut wanted: Vec<(String, Option<String>)> = Vec::new();
        match f.kind {
            MetricKind::Histogram => {
                for b in &f.buckets {
                    wanted.push((format!("{}_bucket", f.name), Some(number_text(*b))));
                }
                wanted.push((format!("{}_bucket", f.name), Some("+Inf".to_owned())));
                wanted.push((format!("{}_count", f.name), None));
                wanted.push((format!("{}_sum", f.name), None));
            }
            MetricKind::Counter | MetricKind::Gauge => wanted.push((f.name.clone(), None)),
        }
        wanted
            .into_iter()
            .map(|(name, le)| {
                let mut all: SeriesLabels = labels.to_vec();
                all.push(("__name__".to_owned(), name.clone()));
                if let Some(le) = le {
                    all.push(("le".to_owned(), le));
                }
                all.sort();
                let key = all
                    .iter()
                    .map(|(k, v)| format!("{k}\u{1}{v}"))
                    .collect::<Vec<_>>()
                    .join("\u{2}");
                if let Some(&i) = self.by_key.get(&key) {
                    return i;
                }
                let i = self.series.len();
                self.series.push(StoredSeries {
                    labels: all,
                    runs: Vec::new(),
                    values: Vec::new(),
                });
                self.by_key.insert(key, i);
                self.by_name.entry(name).or_default().push(i);
                i
            })
            .collect()
    }

    /// Every series, in the order they first appeared.
    pub fn series(&self) -> &[StoredSeries] {
        &self.series
    }

    /// The indexes (into [`Store::series`]) of the series named `name`.
    pub fn named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Every metric name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// The simulator's families (type, help and unit for `/api/v1/metadata`).
    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// Time of the first stored step, epoch ms.
    pub fn first_ms(&self) -> i64 {
        self.first_ms
    }

    /// Time of the last stored step, epoch ms.
    pub fn last_ms(&self) -> i64 {
        self.sim.time_ms()
    }

    /// The interval between samples, ms.
    pub fn interval_ms(&self) -> i64 {
        self.interval_ms
    }

    /// Number of samples held over all series.
    pub fn sample_count(&self) -> usize {
        self.samples
    }

    /// The steps whose times fall in `(from_excl_ms, to_ms]`, or `None` when there are none.
    fn step_bounds(&self, from_excl_ms: i64, to_ms: i64) -> Option<(u32, u32)> {
        let lo = from_excl_ms
            .saturating_sub(self.first_ms)
            .div_euclid(self.interval_ms)
            .saturating_add(1);
        let hi = to_ms
            .saturating_sub(self.first_ms)
            .div_euclid(self.interval_ms);
        let lo = lo.max(0);
        let hi = hi.min(i64::from(u32::MAX));
        (lo <= hi).then_some((lo as u32, hi as u32))
    }

    /// The samples of `s` with times in `(from_excl_ms, to_ms]` (Prometheus' left-open range),
    /// as `(time ms, value)` in time order.
    pub fn samples_in(&self, s: &StoredSeries, from_excl_ms: i64, to_ms: i64) -> Vec<(i64, f64)> {
        match self.step_bounds(from_excl_ms, to_ms) {
            Some((lo, hi)) => s
                .steps_in(lo, hi)
                .map(|(step, v)| (self.first_ms + i64::from(step) * self.interval_ms, v))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The latest sample of `s` with a time in `(from_excl_ms, to_ms]`, as `(time ms, value)`.
    pub fn latest_in(&self, s: &StoredSeries, from_excl_ms: i64, to_ms: i64) -> Option<(i64, f64)> {
        let (lo, hi) = self.step_bounds(from_excl_ms, to_ms)?;
        s.latest_in(lo, hi)
            .map(|(step, v)| (self.first_ms + i64::from(step) * self.interval_ms, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(steps: &[u32]) -> StoredSeries {
        let mut s = StoredSeries {
            labels: vec![("__name__".to_owned(), "x".to_owned())],
            runs: Vec::new(),
            values: Vec::new(),
        };
        for &st in steps {
            s.push(st, f64::from(st) * 10.0);
        }
        s
    }

    #[test]
    fn runs_hold_gaps() {
        // Steps 0-2, then 5-6 (a series absent at steps 3 and 4), then a duplicate of 6.
        let mut s = series(&[0, 1, 2, 5, 6]);
        s.push(6, 99.0);
        assert_eq!(s.runs, vec![(0, 0), (5, 3)]);
        assert_eq!(s.len(), 5);
        type Case<'a> = (u32, u32, &'a [(u32, f64)], Option<(u32, f64)>);
        let cases: &[Case<'_>] = &[
            (
                0,
                6,
                &[(0, 0.0), (1, 10.0), (2, 20.0), (5, 50.0), (6, 60.0)],
                Some((6, 60.0)),
            ),
            (3, 4, &[], None),
            (2, 5, &[(2, 20.0), (5, 50.0)], Some((5, 50.0))),
            (1, 3, &[(1, 10.0), (2, 20.0)], Some((2, 20.0))),
            (7, 9, &[], None),
            (6, 6, &[(6, 60.0)], Some((6, 60.0))),
        ];
        for (lo, hi, want, latest) in cases {
            let got: Vec<(u32, f64)> = s.steps_in(*lo, *hi).collect();
            assert_eq!(&got, want, "case [{lo}, {hi}] failed");
            assert_eq!(s.latest_in(*lo, *hi), *latest, "case [{lo}, {hi}] failed");
        }
    }
}
