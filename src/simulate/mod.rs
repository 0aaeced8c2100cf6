//! A deterministic telemetry simulator: the metrics FleetLens reads, for a whole fleet, with
//! faults injected on demand.
//!
//! Four parts, each drawing from its own random stream of one seed:
//! * a Claude Code fleet ([`fleet`]): users, sessions, models, teams and `query_source`s, every
//!   metric family and attribute of `shared/TELEMETRY.md`, cost equal to tokens × the price
//!   table ([`crate::views::cost::default_prices`]), in any of the naming variants;
//! * an agent cluster ([`cluster`]): `seeds/claude-code-cluster-monitoring.md`;
//! * services ([`services`]): the Conea API and Hexabase workspaces (HTTP and AI-model
//!   metrics), plus node-exporter gauges of three nodes;
//! * faults ([`faults`]).
//!
//! The state advances in steps of the scrape interval; [`Simulator::visit`] reports the value of
//! every live series at the current step. [`Chunks`] walks a time range in chunks so that 30
//! days never sit in memory at once; [`openmetrics`] and [`otlp`] encode the results. The
//! module is pure: it never reads the clock or does I/O (the CLI does).

pub mod cluster;
pub mod config;
pub mod events;
pub mod faults;
pub mod fleet;
pub mod openmetrics;
pub mod otlp;
mod rng;
pub mod services;

use std::collections::BTreeMap;

pub use config::{Naming, SimConfig};
pub use events::{Event, EventKind};
pub use faults::{Fault, FaultKind};

use crate::engine::MAX_INSTANT_MS;
use crate::error::{Error, Result};
use faults::Faults;

/// Largest number of steps one run may take (10 million: 30 days at 1 s would be 2.6 million).
pub const MAX_STEPS: i64 = 10_000_000;

/// What kind of metric a family is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// A monotonic counter (its name ends in `_total`).
    Counter,
    /// A gauge.
    Gauge,
    /// A classic histogram with explicit bucket bounds.
    Histogram,
}

/// The OpenTelemetry name of a family that Claude Code exports through OTLP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtelName {
    /// The instrument name, e.g. `claude_code.cost.usage`.
    pub name: &'static str,
    /// Its unit, e.g. `USD`, `tokens`, `s`, or empty.
    pub unit: &'static str,
}

/// One metric family.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The Prometheus name as queried: with `_total` for counters, without `_bucket` for
    /// histograms.
    pub name: String,
    /// Counter, gauge or histogram.
    pub kind: MetricKind,
    /// A one-line description.
    pub help: &'static str,
    /// The unit as OpenMetrics spells it (`seconds`, `bytes`, `USD`), or empty.
    pub unit: &'static str,
    /// Histogram bucket upper bounds, ascending, without `+Inf` (empty for other kinds).
    pub buckets: Vec<f64>,
    /// The OpenTelemetry name, for the families Claude Code pushes through OTLP.
    pub otel: Option<OtelName>,
}

/// A histogram's state: cumulative bucket counts (one per bound of [`Family::buckets`]), the
/// count (the `+Inf` bucket) and the sum.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramValue {
    /// Cumulative counts, one per finite bound.
    pub cumulative: Vec<f64>,
    /// Number of observations (the `+Inf` bucket).
    pub count: f64,
    /// Sum of the observations.
    pub sum: f64,
}

/// The value of one series at one step.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A counter's or a gauge's value.
    Number(f64),
    /// A histogram's buckets, count and sum.
    Histogram(HistogramValue),
}

/// Label pairs of a series, in a fixed order (the metric name is not among them).
pub type LabelPairs = Vec<(String, String)>;

/// One series at the current step, as [`Simulator::visit`] reports it.
#[derive(Debug, Clone, Copy)]
pub struct Point<'a> {
    /// Index into [`Simulator::families`].
    pub family: usize,
    /// A number that identifies the series for the whole run (a series that restarts keeps it).
    pub series: u64,
    /// Its labels.
    pub labels: &'a [(String, String)],
    /// Its value.
    pub value: &'a Value,
    /// When its counting started (a counter's or histogram's start time; the series' first step
    /// for gauges), epoch ms.
    pub start_ms: i64,
}

/// One series of one family, owned by a part of the simulation.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub(crate) id: u64,
    pub(crate) family: usize,
    pub(crate) labels: LabelPairs,
    pub(crate) value: Value,
    pub(crate) start_ms: i64,
}

impl Slot {
    pub(crate) fn point(&self) -> Point<'_> {
        Point {
            family: self.family,
            series: self.id,
            labels: &self.labels,
            value: &self.value,
            start_ms: self.start_ms,
        }
    }

    /// Adds `x` to a counter (or a gauge).
    pub(crate) fn add(&mut self, x: f64) {
        if let Value::Number(v) = &mut self.value {
            *v += x;
        }
    }

    /// Sets a gauge.
    pub(crate) fn set(&mut self, x: f64) {
        self.value = Value::Number(x);
    }

    /// The number held (0 for a histogram).
    pub(crate) fn number(&self) -> f64 {
        match self.value {
            Value::Number(v) => v,
            Value::Histogram(_) => 0.0,
        }
    }

    /// Records `n` observations drawn from a log-normal with `median` and `sigma` into a
    /// histogram with `bounds`: each bucket gets `n` × the CDF at its bound, rounded, so the
    /// buckets stay cumulative and the `+Inf` bucket is exactly `n`.
    pub(crate) fn observe_lognormal(&mut self, bounds: &[f64], n: u64, median: f64, sigma: f64) {
        if n == 0 {
            return;
        }
        if let Value::Histogram(h) = &mut self.value {
            let nf = n as f64;
            for (c, b) in h.cumulative.iter_mut().zip(bounds) {
                *c += (nf * rng::lognormal_cdf(*b, median, sigma)).round();
            }
            h.count += nf;
            h.sum += nf * median * (sigma * sigma / 2.0).exp();
        }
    }

    /// Zeroes a counter or a histogram (a process restart) and restarts its start time.
    pub(crate) fn reset(&mut self, t_ms: i64) {
        self.value = match &self.value {
            Value::Number(_) => Value::Number(0.0),
            Value::Histogram(h) => Value::Histogram(HistogramValue {
                cumulative: vec![0.0; h.cumulative.len()],
                count: 0.0,
                sum: 0.0,
            }),
        };
        self.start_ms = t_ms;
    }
}

/// Builds the families and hands out series ids while the parts are set up.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub(crate) families: Vec<Family>,
    next_id: u64,
}

#[allow(
    clippy::arithmetic_side_effects,
    reason = "family indices and series ids count what the registry holds"
)]
impl Registry {
    /// Registers a family, returns its index.
    pub(crate) fn family(
        &mut self,
        name: impl Into<String>,
        kind: MetricKind,
        help: &'static str,
        unit: &'static str,
        buckets: &[f64],
    ) -> usize {
        // A name registered twice (`up`, written by several parts) is one family.
        let name = name.into();
        if let Some(i) = self.families.iter().position(|f| f.name == name) {
            return i;
        }
        self.families.push(Family {
            name,
            kind,
            help,
            unit,
            buckets: buckets.to_vec(),
            otel: None,
        });
        self.families.len() - 1
    }

    /// A new series of `family` with `labels`, zero-valued, starting at `t_ms`.
    pub(crate) fn slot(&mut self, family: usize, labels: &[(&str, &str)], t_ms: i64) -> Slot {
        let owned = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.slot_owned(family, owned, t_ms)
    }

    /// As [`Registry::slot`], with owned labels.
    pub(crate) fn slot_owned(&mut self, family: usize, labels: LabelPairs, t_ms: i64) -> Slot {
        let value = match self.families.get(family) {
            Some(f) if f.kind == MetricKind::Histogram => Value::Histogram(HistogramValue {
                cumulative: vec![0.0; f.buckets.len()],
                count: 0.0,
                sum: 0.0,
            }),
            _ => Value::Number(0.0),
        };
        self.next_id += 1;
        Slot {
            id: self.next_id,
            family,
            labels,
            value,
            start_ms: t_ms,
        }
    }
}

/// What every part gets at each step.
pub(crate) struct StepCtx<'a> {
    /// The step's time, epoch ms; the step covers `(t_ms − interval, t_ms]`.
    pub(crate) t_ms: i64,
    /// The interval in seconds.
    pub(crate) dt_s: f64,
    pub(crate) faults: &'a Faults,
    /// A `counter-reset` restart falls in this step.
    pub(crate) restart: bool,
    pub(crate) registry: &'a mut Registry,
}

impl StepCtx<'_> {
    pub(crate) fn active(&self, kind: FaultKind) -> bool {
        self.faults.active(kind, self.t_ms)
    }
}

/// Milliseconds per hour.
const HOUR_MS: i64 = 3_600_000;
/// Milliseconds per day.
const DAY_MS: i64 = 86_400_000;

/// Activity between 0 and 1 over the day: a working-hours bump centred on `peak_hour` UTC,
/// lower on weekends (1970-01-01 was a Thursday).
pub(crate) fn diurnal(t_ms: i64, peak_hour: f64) -> f64 {
    let hour = t_ms.rem_euclid(DAY_MS) as f64 / HOUR_MS as f64;
    let mut d = (hour - peak_hour).abs();
    if d > 12.0 {
        d = 24.0 - d;
    }
    let day = t_ms.div_euclid(DAY_MS).rem_euclid(7);
    let weekend = matches!(day, 2 | 3);
    let bump = (-(d * d) / (2.0 * 3.5 * 3.5)).exp();
    let level = 0.08 + 0.92 * bump;
    if weekend {
        level * 0.3
    } else {
        level
    }
}

/// The whole simulation: its families, its state at the current step, and the step function.
#[derive(Debug)]
pub struct Simulator {
    registry: Registry,
    faults: Faults,
    interval_ms: i64,
    t_ms: i64,
    fleet: fleet::Fleet,
    cluster: cluster::Cluster,
    services: services::Services,
}

#[allow(
    clippy::arithmetic_side_effects,
    reason = "the clock starts within ±MAX_INSTANT_MS (checked in new) and moves by the validated interval; callers step it at most MAX_STEPS times"
)]
impl Simulator {
    /// A simulator whose first step is `start_ms` rounded down to a multiple of the interval
    /// (so two runs with the same start, seed and interval agree sample for sample).
    ///
    /// Fails with [`Error::InvalidConfig`] when the config is out of range
    /// ([`SimConfig::validate`]), `start_ms` is beyond [`MAX_INSTANT_MS`] or the price table
    /// cannot be read.
    pub fn new(config: &SimConfig, start_ms: i64) -> Result<Self> {
        config.validate()?;
        check_time("the start", start_ms)?;
        // The parts are set up one interval early and take one step, so that every gauge has a
        // value at the first step reported.
        let t0 = start_ms.div_euclid(config.interval_ms) * config.interval_ms - config.interval_ms;
        let mut registry = Registry::default();
        let fleet = fleet::Fleet::new(config, &mut registry, t0)?;
        let cluster = cluster::Cluster::new(config, &mut registry, t0);
        let services = services::Services::new(config, &mut registry, t0);
        let mut sim = Self {
            registry,
            faults: Faults::new(&config.faults, t0 + config.interval_ms),
            interval_ms: config.interval_ms,
            t_ms: t0,
            fleet,
            cluster,
            services,
        };
        sim.step();
        Ok(sim)
    }

    /// Records Claude Code's events ([`events`]) from the next step on. The events of a step
    /// are the ones behind that step's counter increments, so the events after the current
    /// step add up to the counters' increase from the current step's values. Turning this on
    /// does not change any metric.
    pub fn record_events(&mut self) {
        self.fleet.record_events();
    }

    /// The events recorded since the last call, in time order (none unless
    /// [`Simulator::record_events`] was called).
    pub fn take_events(&mut self) -> Vec<Event> {
        self.fleet.take_events()
    }

    /// Every family the simulation can emit (some may have no live series at a given step).
    pub fn families(&self) -> &[Family] {
        &self.registry.families
    }

    /// The time of the current step, epoch ms.
    pub fn time_ms(&self) -> i64 {
        self.t_ms
    }

    /// The interval between steps, ms.
    pub fn interval_ms(&self) -> i64 {
        self.interval_ms
    }

    /// Advances the state by one interval.
    pub fn step(&mut self) {
        let prev = self.t_ms;
        self.t_ms += self.interval_ms;
        let mut ctx = StepCtx {
            t_ms: self.t_ms,
            dt_s: self.interval_ms as f64 / 1000.0,
            faults: &self.faults,
            restart: self.faults.restart_between(prev, self.t_ms),
            registry: &mut self.registry,
        };
        self.fleet.step(&mut ctx);
        self.cluster.step(&mut ctx);
        self.services.step(&mut ctx);
    }

    /// Steps until the current step is the last one at or before `t_ms` (nothing when `t_ms`
    /// is before the next step).
    pub fn advance_to(&mut self, t_ms: i64) {
        while self.t_ms + self.interval_ms <= t_ms {
            self.step();
        }
    }

    /// Calls `f` for every live series at the current step, in a fixed order: a series absent
    /// at this step (an ended session, a service that is down) is not reported.
    pub fn visit(&self, f: &mut dyn FnMut(Point<'_>)) {
        self.fleet.visit(self.t_ms, f);
        self.cluster.visit(self.t_ms, f);
        self.services.visit(self.t_ms, f);
    }

    /// The names of every family with a live series at the current step, sorted.
    pub fn live_names(&self) -> Vec<String> {
        let mut seen = vec![false; self.registry.families.len()];
        self.visit(&mut |p| {
            if let Some(s) = seen.get_mut(p.family) {
                *s = true;
            }
        });
        let mut names: Vec<String> = self
            .registry
            .families
            .iter()
            .zip(&seen)
            .filter(|(_, s)| **s)
            .map(|(f, _)| f.name.clone())
            .collect();
        names.sort();
        names
    }
}

/// The samples of one series within one chunk, in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesChunk {
    /// Index into [`Simulator::families`].
    pub family: usize,
    /// The series' id ([`Point::series`]).
    pub series: u64,
    /// Its labels.
    pub labels: LabelPairs,
    /// `(t_ms, value)` pairs, ascending in time.
    pub samples: Vec<(i64, Value)>,
}

/// A run over a time range, yielded chunk by chunk (see [`Chunks::new`]).
#[derive(Debug)]
pub struct Chunks {
    sim: Simulator,
    to_ms: i64,
    steps_per_chunk: usize,
    started: bool,
    done: bool,
}

/// Refuses a time beyond [`MAX_INSTANT_MS`] either way, so the clock's arithmetic fits.
fn check_time(what: &str, t_ms: i64) -> Result<()> {
    if (-MAX_INSTANT_MS..=MAX_INSTANT_MS).contains(&t_ms) {
        return Ok(());
    }
    Err(Error::InvalidConfig(format!(
        "{what} ({t_ms} ms) is out of range: times must lie within ±{MAX_INSTANT_MS} ms of 1970 \
         (up to the year 9999)"
    )))
}

/// Steps per chunk by default: one hour at the default interval.
pub const DEFAULT_CHUNK_STEPS: usize = 60;

#[allow(
    clippy::arithmetic_side_effects,
    reason = "from and to are checked to lie within ±MAX_INSTANT_MS first, so their difference fits; the interval is validated positive"
)]
impl Chunks {
    /// Every step in `[from_ms, to_ms]`, `steps_per_chunk` steps per chunk. The first sample is
    /// at the first multiple of the interval at or after `from_ms`.
    ///
    /// Fails with [`Error::InvalidConfig`] for a bad config, a time beyond [`MAX_INSTANT_MS`],
    /// `to_ms` before `from_ms`, or more than [`MAX_STEPS`] steps (the message says which
    /// interval would fit).
    pub fn new(
        config: &SimConfig,
        from_ms: i64,
        to_ms: i64,
        steps_per_chunk: usize,
    ) -> Result<Self> {
        config.validate()?;
        check_time("the start (--from)", from_ms)?;
        check_time("the end (--to)", to_ms)?;
        if to_ms < from_ms {
            return Err(Error::InvalidConfig(format!(
                "the range ends ({to_ms} ms) before it starts ({from_ms} ms): --to must be after --from"
            )));
        }
        let steps = (to_ms - from_ms) / config.interval_ms + 1;
        if steps > MAX_STEPS {
            let min_s = (to_ms - from_ms) / (MAX_STEPS - 1) / 1000 + 1;
            return Err(Error::InvalidConfig(format!(
                "{steps} steps of {} ms exceed {MAX_STEPS}: use --interval {min_s}s or more, or a shorter range",
                config.interval_ms
            )));
        }
        let first = from_ms.div_euclid(config.interval_ms) * config.interval_ms;
        let first = if first < from_ms {
            first + config.interval_ms
        } else {
            first
        };
        Ok(Self {
            sim: Simulator::new(config, first)?,
            to_ms,
            steps_per_chunk: steps_per_chunk.max(1),
            started: false,
            done: first > to_ms,
        })
    }

    /// The families of the run.
    pub fn families(&self) -> &[Family] {
        self.sim.families()
    }
}

#[allow(
    clippy::arithmetic_side_effects,
    reason = "the clock stays within the checked range of Chunks::new plus one interval"
)]
impl Iterator for Chunks {
    type Item = Vec<SeriesChunk>;

    /// The next chunk: its series sorted by family, then series id.
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut map: BTreeMap<(usize, u64), SeriesChunk> = BTreeMap::new();
        for _ in 0..self.steps_per_chunk {
            if self.started {
                if self.sim.time_ms() + self.sim.interval_ms() > self.to_ms {
                    self.done = true;
                    break;
                }
                self.sim.step();
            }
            self.started = true;
            let t = self.sim.time_ms();
            self.sim.visit(&mut |p| {
                map.entry((p.family, p.series))
                    .or_insert_with(|| SeriesChunk {
                        family: p.family,
                        series: p.series,
                        labels: p.labels.to_vec(),
                        samples: Vec::new(),
                    })
                    .samples
                    .push((t, p.value.clone()));
            });
        }
        if map.is_empty() && self.done {
            return None;
        }
        Some(map.into_values().collect())
    }
}

/// The events of a run over a time range, chunk by chunk (see [`EventChunks::new`]).
#[derive(Debug)]
pub struct EventChunks {
    inner: Chunks,
}

impl EventChunks {
    /// The events of every step after the first sample of [`Chunks::new`] with the same
    /// arguments, through `to_ms`: the events behind the counters' increase over the range.
    /// `steps_per_chunk` steps per chunk. Fails as [`Chunks::new`] does.
    pub fn new(
        config: &SimConfig,
        from_ms: i64,
        to_ms: i64,
        steps_per_chunk: usize,
    ) -> Result<Self> {
        let mut inner = Chunks::new(config, from_ms, to_ms, steps_per_chunk)?;
        inner.sim.record_events();
        // The first sample is the state already reached: no step to take for it.
        inner.started = true;
        Ok(Self { inner })
    }
}

#[allow(
    clippy::arithmetic_side_effects,
    reason = "the clock stays within the checked range of Chunks::new plus one interval"
)]
impl Iterator for EventChunks {
    type Item = Vec<Event>;

    /// The events of the next chunk of steps, in time order (possibly none).
    fn next(&mut self) -> Option<Self::Item> {
        let c = &mut self.inner;
        if c.done {
            return None;
        }
        for _ in 0..c.steps_per_chunk {
            if c.sim.time_ms() + c.sim.interval_ms() > c.to_ms {
                c.done = true;
                break;
            }
            c.sim.step();
        }
        Some(c.sim.take_events())
    }
}

#[cfg(test)]
mod tests;
