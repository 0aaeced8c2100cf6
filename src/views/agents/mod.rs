//! Agent performance: a leaderboard per agent (throughput, success, task duration quantiles, load,
//! heartbeat, tokens and cost per task, rank, outliers) and a fleet summary.
//!
//! [`agents_view`] takes the **raw samples** of the metrics over the evaluation range (what an
//! instant query of `metric[range]` returns, one query per metric, decoded with
//! [`decode`](crate::decode)) and a [`AgentsConfig`]. Raw samples, not `query_range` steps:
//! increases, PromQL's extrapolation and time-weighted means all depend on the sample
//! timestamps. Include the last sample before the range for exact increases (query
//! `metric[range + scrape interval]`) and a heartbeat lookback of at least `downAfterS`.
//!
//! Counters (tasks, tokens, cost, histogram buckets) are increased per series with the
//! configured [`CounterMode`] and then summed per agent, never the increase of a sum. Task
//! duration quantiles are `histogram_quantile(q, sum by (group, le) (increase(bucket[range])))`
//! at the end of the range, computed by [`crate::histogram`].
//!
//! Every number is a [`Quantity`]: a finite value, "no events" (a zero denominator, with what was
//! zero) or "unavailable" (with the reason: a metric missing, a label missing, no samples).

mod config;
mod stats;

pub use config::{
    AgentsConfig, CounterMode, HeartbeatThresholds, MetricNames, DEFAULT_DOWN_AFTER_S,
    DEFAULT_STALE_AFTER_S,
};
pub use stats::{
    median, rank_score, robust_centre, robust_z, RankWeights, TimeWeighted, GAUGE_HOLD_MS,
    MAD_SCALE, MEAN_AD_SCALE, MIN_FLEET_FOR_OUTLIERS, OUTLIER_K, RANK_WEIGHTS,
};

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::counter::{exact_increase_between, promql_increase, Samples};
use crate::error::{Error, Result};
use crate::frame::{Field, Frame, Labels, Series};
use crate::histogram::{group_buckets, quantile_series, NoteKind, LE_LABEL};

/// Most agents (groups) the view reports; more are dropped (by name order) with a warning, so a
/// `session_id` grouping over months cannot build a table of millions of rows in a browser.
pub const MAX_AGENTS: usize = 2_000;

/// Milliseconds per hour, for rates per hour.
const HOUR_MS: f64 = 3_600_000.0;

/// One number of the view, never `NaN` or infinite.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "status",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Quantity {
    /// A finite value.
    Value {
        /// The value.
        value: f64,
    },
    /// Defined, but a denominator was zero (e.g. a success rate without tasks).
    NoEvents {
        /// What was zero.
        reason: String,
    },
    /// Not computable from the input (a metric or label missing, too few samples).
    Unavailable {
        /// Why.
        reason: String,
    },
}

impl Quantity {
    /// The value, if there is one.
    pub fn value(&self) -> Option<f64> {
        match self {
            Quantity::Value { value } => Some(*value),
            _ => None,
        }
    }

    fn unavailable(reason: impl Into<String>) -> Self {
        Quantity::Unavailable {
            reason: reason.into(),
        }
    }

    fn no_events(reason: impl Into<String>) -> Self {
        Quantity::NoEvents {
            reason: reason.into(),
        }
    }

    /// `Value` when finite, else unavailable with `reason`.
    fn finite(value: f64, reason: &str) -> Self {
        if value.is_finite() {
            Quantity::Value { value }
        } else {
            Quantity::unavailable(format!("{reason} (got {value})"))
        }
    }

    /// `num / den`: unavailable when either is, "no events" when `den` is 0.
    fn ratio(num: &Quantity, den: &Quantity, zero: &str) -> Self {
        match (num, den) {
            (Quantity::Value { value: n }, Quantity::Value { value: d }) => {
                if *d == 0.0 {
                    Quantity::no_events(zero)
                } else {
                    Quantity::finite(n / d, "the ratio is not finite")
                }
            }
            (Quantity::Value { .. }, other) | (other, _) => other.clone(),
        }
    }

    fn as_frame_value(&self) -> f64 {
        self.value().unwrap_or(f64::NAN)
    }
}

/// An agent's heartbeat status at `nowMs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum HeartbeatStatus {
    /// Younger than `staleAfterS`.
    Healthy,
    /// At least `staleAfterS`, younger than `downAfterS`.
    Stale,
    /// At least `downAfterS`.
    Down,
    /// No heartbeat sample at or before `nowMs`.
    Unknown,
}

/// The status for a heartbeat `age_s` seconds old: healthy below `stale_after_s`, stale from it,
/// down from `down_after_s`; `None` (no heartbeat) or a `NaN` age is unknown. A negative age (the
/// agent's clock ahead of the caller's) is healthy.
pub fn heartbeat_status(age_s: Option<f64>, thresholds: &HeartbeatThresholds) -> HeartbeatStatus {
    match age_s {
        Some(a) if a.is_nan() => HeartbeatStatus::Unknown,
        Some(a) if a >= thresholds.down_after_s => HeartbeatStatus::Down,
        Some(a) if a >= thresholds.stale_after_s => HeartbeatStatus::Stale,
        Some(_) => HeartbeatStatus::Healthy,
        None => HeartbeatStatus::Unknown,
    }
}

/// An agent's last heartbeat.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Heartbeat {
    /// `nowMs / 1000 − last heartbeat value` (the gauge holds a Unix time in seconds).
    pub age_s: Quantity,
    /// Status from the age and the thresholds.
    pub status: HeartbeatStatus,
}

/// Which way an outlier lies from the fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// Above the fleet's median.
    High,
    /// Below the fleet's median.
    Low,
}

/// An agent far from the fleet on one measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outlier {
    /// `p95` or `failureRate`.
    pub measure: &'static str,
    /// The agent's value.
    pub value: f64,
    /// The fleet's median.
    pub fleet_median: f64,
    /// `(value − median) / spread`, see [`robust_centre`]; `|z| > OUTLIER_K`.
    pub robust_z: f64,
    /// Above or below the median.
    pub direction: Direction,
}

/// One row of the leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentRow {
    /// The value of the group label.
    pub agent: String,
    /// Rank, 1 = best score; `None` when not ranked (no task in the range).
    pub rank: Option<usize>,
    /// [`rank_score`], in [0, 1].
    pub score: Quantity,
    /// Completed tasks in the range (counter increase, see the view's counter mode).
    pub tasks_completed: Quantity,
    /// Failed tasks in the range.
    pub tasks_failed: Quantity,
    /// Completed tasks per hour of the range.
    pub tasks_per_hour: Quantity,
    /// `completed / (completed + failed)`; "no events" without tasks.
    pub success_rate: Quantity,
    /// `failed / (completed + failed)`.
    pub failure_rate: Quantity,
    /// Median task duration, seconds.
    pub duration_p50: Quantity,
    /// 95th percentile task duration, seconds.
    pub duration_p95: Quantity,
    /// 99th percentile task duration, seconds.
    pub duration_p99: Quantity,
    /// Time-weighted mean load over the range (percent, as the gauge). Time-weighted, not the
    /// mean of the samples: an agent scraped twice as often while busy would otherwise look
    /// busier; each sample counts for as long as it held (see [`TimeWeighted`]).
    pub load_mean: Quantity,
    /// Largest load sample in the range.
    pub load_max: Quantity,
    /// The last heartbeat.
    pub heartbeat: Heartbeat,
    /// Tokens (all types) per completed task.
    pub tokens_per_task: Quantity,
    /// Cost in USD per completed task.
    pub cost_per_task: Quantity,
    /// Measures on which the agent is far from the fleet.
    pub outliers: Vec<Outlier>,
}

/// Where an agent count comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CountSource {
    /// The gauge's latest value at or before the end of the range (summed over its series).
    Gauge,
    /// Counted from the groups in the input (total: every group seen; available: groups with a
    /// healthy heartbeat), because the gauge is missing.
    CountedFromGroups,
}

/// An agent count and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentCount {
    /// The count.
    pub value: Quantity,
    /// Gauge or counted.
    pub source: CountSource,
}

/// The fleet as a whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetSummary {
    /// Registered agents.
    pub agents_total: AgentCount,
    /// Available agents.
    pub agents_available: AgentCount,
    /// Queued tasks, latest value at or before the end.
    pub queue_size: Quantity,
    /// Running tasks, latest value at or before the end.
    pub tasks_active: Quantity,
    /// Completed tasks in the range, every series (with or without the group label).
    pub tasks_completed: Quantity,
    /// Completed tasks per hour.
    pub tasks_per_hour: Quantity,
    /// Median API request duration over the range, seconds.
    pub api_p50: Quantity,
    /// 95th percentile API request duration over the range, seconds.
    pub api_p95: Quantity,
}

/// A metric role with no series in the input, and what that leaves unavailable.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingMetric {
    /// The role (`tasksCompleted`, …).
    pub role: &'static str,
    /// The name looked for.
    pub metric: String,
    /// The outputs it leaves unavailable.
    pub outputs: &'static [&'static str],
}

/// The view's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentsView {
    /// The group label used.
    pub group_label: String,
    /// The counter mode used for every increase.
    pub counter_mode: CounterMode,
    /// Start of the range, epoch ms.
    pub start_ms: i64,
    /// End of the range, epoch ms.
    pub end_ms: i64,
    /// When heartbeat ages were measured, epoch ms.
    pub now_ms: i64,
    /// The rank formula's weights.
    pub rank_weights: RankWeights,
    /// One row per agent: ranked ones by rank, then the unranked by name.
    pub agents: Vec<AgentRow>,
    /// The fleet summary.
    pub fleet: FleetSummary,
    /// Roles whose metric is absent, and what is unavailable because of it.
    pub missing_metrics: Vec<MissingMetric>,
    /// Things worth knowing (series without the group label, histogram corrections, resets …).
    pub warnings: Vec<String>,
}

/// The series of one role, split by group.
#[derive(Default)]
struct Role<'a> {
    present: bool,
    by_group: BTreeMap<&'a str, Vec<&'a Series>>,
    ungrouped: Vec<&'a Series>,
    all: Vec<&'a Series>,
}

/// The agent performance view of `series` (raw samples, each with its `__name__`) under
/// `config`.
///
/// Special cases:
/// * an invalid config: [`Error::InvalidConfig`]; no series of any configured metric:
///   [`Error::InvalidInput`] naming the metrics looked for and those present;
/// * a series whose times do not increase: [`Error::InvalidInput`];
/// * a metric absent: its outputs are [`Quantity::Unavailable`] and listed in `missingMetrics`
///   (Claude Code data has no task metrics: throughput, success, durations, load, heartbeat and
///   per-task ratios are unavailable; tokens and cost per group remain);
/// * series without the group label: in the fleet totals only, with a warning;
/// * a counter with fewer than two samples in the range: no increase (unavailable);
///   counter resets follow Prometheus' rule in both modes;
/// * no task in the range: success rate "no events", not ranked; no finished task: duration
///   quantiles "no events";
/// * more than [`MAX_AGENTS`] groups: the first by name are kept, with a warning.
pub fn agents_view(series: &[Series], config: &AgentsConfig) -> Result<AgentsView> {
    config.validate()?;
    let m = &config.metrics;
    let bucket = |base: &str| format!("{base}_bucket");
    let task_bucket = bucket(&m.task_duration);
    let api_bucket = bucket(&m.api_duration);
    let roles: [(&'static str, &str, &'static [&'static str]); 12] = [
        (
            "tasksCompleted",
            &m.tasks_completed,
            &[
                "tasksCompleted",
                "tasksPerHour",
                "successRate",
                "tokensPerTask",
                "costPerTask",
                "rank",
            ],
        ),
        (
            "tasksFailed",
            &m.tasks_failed,
            &["tasksFailed", "successRate", "failureRate", "rank"],
        ),
        (
            "taskDuration",
            &task_bucket,
            &["durationP50", "durationP95", "durationP99"],
        ),
        ("load", &m.load, &["loadMean", "loadMax"]),
        (
            "heartbeat",
            &m.heartbeat,
            &["heartbeat", "agentsAvailable (counted)"],
        ),
        ("tokens", &m.tokens, &["tokensPerTask"]),
        ("cost", &m.cost, &["costPerTask"]),
        ("queueSize", &m.queue_size, &["queueSize"]),
        ("tasksActive", &m.tasks_active, &["tasksActive"]),
        ("agentsTotal", &m.agents_total, &["agentsTotal (gauge)"]),
        (
            "agentsAvailable",
            &m.agents_available,
            &["agentsAvailable (gauge)"],
        ),
        ("apiDuration", &api_bucket, &["apiP50", "apiP95"]),
    ];
    let label = config.group_label.as_str();
    let mut split: Vec<Role<'_>> = roles.iter().map(|_| Role::default()).collect();
    let mut present_names: BTreeSet<&str> = BTreeSet::new();
    for s in series {
        Samples::of(s).map_err(|e| Error::InvalidInput(format!("series {}: {e}", s.labels)))?;
        let name = s.labels.metric_name().unwrap_or_default();
        present_names.insert(name);
        for ((_, metric, _), role) in roles.iter().zip(split.iter_mut()) {
            if name == *metric {
                role.present = true;
                role.all.push(s);
                match s.labels.get(label) {
                    Some(g) => role.by_group.entry(g).or_default().push(s),
                    None => role.ungrouped.push(s),
                }
            }
        }
    }
    if split.iter().all(|r| !r.present) {
        let looked: Vec<&str> = roles.iter().map(|(_, m, _)| *m).collect();
        let found: Vec<&str> = present_names.into_iter().collect();
        return Err(Error::InvalidInput(format!(
            "agents view: none of the metrics looked for ({}) is in the input; it has: {}",
            looked.join(", "),
            if found.is_empty() {
                "no series".to_owned()
            } else {
                found.join(", ")
            }
        )));
    }

    let mut warnings = Vec::new();
    let mut missing_metrics = Vec::new();
    for ((role_name, metric, outputs), role) in roles.iter().zip(&split) {
        if !role.present {
            missing_metrics.push(MissingMetric {
                role: role_name,
                metric: (*metric).to_owned(),
                outputs,
            });
        } else if !role.ungrouped.is_empty()
            && !matches!(
                *role_name,
                "queueSize" | "tasksActive" | "agentsTotal" | "agentsAvailable" | "apiDuration"
            )
        {
            warnings.push(format!(
                "{} of {} series of {metric} have no {label} label: counted in the fleet totals only",
                role.ungrouped.len(),
                role.all.len()
            ));
        }
    }
    let [completed, failed, duration, load, heartbeat, tokens, cost, queue, active, total_gauge, available_gauge, api] =
        &split[..]
    else {
        return Err(Error::InvalidInput(
            "agents view: internal role table".to_owned(),
        ));
    };

    let mut groups: BTreeSet<&str> = BTreeSet::new();
    for role in [completed, failed, duration, load, heartbeat, tokens, cost] {
        groups.extend(role.by_group.keys().copied());
    }
    if groups.len() > MAX_AGENTS {
        warnings.push(format!(
            "{} values of {label}: only the first {MAX_AGENTS} by name are shown",
            groups.len()
        ));
        groups = groups.into_iter().take(MAX_AGENTS).collect();
    }

    let ctx = Ctx { config, label };
    let range_h = config.end_ms.saturating_sub(config.start_ms) as f64 / HOUR_MS;
    let mut rows = Vec::with_capacity(groups.len());
    for g in &groups {
        let tasks_completed = ctx.increase(completed, &m.tasks_completed, g, &mut warnings);
        let tasks_failed = ctx.increase(failed, &m.tasks_failed, g, &mut warnings);
        let all_tasks = match (tasks_completed.value(), tasks_failed.value()) {
            (Some(c), Some(f)) => Quantity::Value { value: c + f },
            (None, _) => tasks_completed.clone(),
            (_, None) => tasks_failed.clone(),
        };
        let no_tasks = "no task completed or failed in the range";
        let [duration_p50, duration_p95, duration_p99] = ctx.quantiles(
            duration.by_group.get(g),
            &format!("{label}={g}"),
            &mut warnings,
        );
        let mut tw = TimeWeighted::default();
        for s in load.by_group.get(g).into_iter().flatten() {
            tw.add(&s.time_ms, &s.values, config.start_ms, config.end_ms);
        }
        let (load_mean, load_max) = if !load.present {
            let q = Quantity::unavailable(format!("no series named {}", m.load));
            (q.clone(), q)
        } else {
            let why = format!("no {} sample for {label}={g} in the range", m.load);
            (
                tw.mean().map_or_else(
                    || Quantity::unavailable(&why),
                    |v| Quantity::finite(v, "mean load"),
                ),
                tw.max().map_or_else(
                    || Quantity::unavailable(&why),
                    |v| Quantity::finite(v, "max load"),
                ),
            )
        };
        rows.push(AgentRow {
            agent: (*g).to_owned(),
            rank: None,
            score: Quantity::unavailable("not ranked: no task in the range"),
            tasks_per_hour: match tasks_completed.value() {
                Some(c) => Quantity::finite(c / range_h, "tasks per hour"),
                None => tasks_completed.clone(),
            },
            success_rate: Quantity::ratio(&tasks_completed, &all_tasks, no_tasks),
            failure_rate: Quantity::ratio(&tasks_failed, &all_tasks, no_tasks),
            tokens_per_task: Quantity::ratio(
                &ctx.increase(tokens, &m.tokens, g, &mut warnings),
                &tasks_completed,
                "no task completed in the range",
            ),
            cost_per_task: Quantity::ratio(
                &ctx.increase(cost, &m.cost, g, &mut warnings),
                &tasks_completed,
                "no task completed in the range",
            ),
            tasks_completed,
            tasks_failed,
            duration_p50,
            duration_p95,
            duration_p99,
            load_mean,
            load_max,
            heartbeat: ctx.heartbeat(heartbeat, g, &mut warnings),
            outliers: Vec::new(),
        });
    }
    rank(&mut rows);
    flag_outliers(&mut rows);

    let fleet_completed = ctx.sum_increase(
        &completed.all,
        completed.present,
        &m.tasks_completed,
        &mut warnings,
    );
    let healthy = rows
        .iter()
        .filter(|r| r.heartbeat.status == HeartbeatStatus::Healthy)
        .count();
    let [api_p50, api_p95, _] = ctx.quantiles(
        api.present.then_some(&api.all),
        &m.api_duration,
        &mut warnings,
    );
    let fleet = FleetSummary {
        agents_total: ctx.count(total_gauge, &m.agents_total, groups.len()),
        agents_available: if available_gauge.present || heartbeat.present {
            ctx.count(available_gauge, &m.agents_available, healthy)
        } else {
            AgentCount {
                value: Quantity::unavailable(format!(
                    "neither {} nor {} is in the input",
                    m.agents_available, m.heartbeat
                )),
                source: CountSource::CountedFromGroups,
            }
        },
        queue_size: ctx.latest(queue, &m.queue_size),
        tasks_active: ctx.latest(active, &m.tasks_active),
        tasks_per_hour: match fleet_completed.value() {
            Some(c) => Quantity::finite(c / range_h, "tasks per hour"),
            None => fleet_completed.clone(),
        },
        tasks_completed: fleet_completed,
        api_p50,
        api_p95,
    };
    Ok(AgentsView {
        group_label: config.group_label.clone(),
        counter_mode: config.counter_mode,
        start_ms: config.start_ms,
        end_ms: config.end_ms,
        now_ms: config.now_ms,
        rank_weights: RANK_WEIGHTS,
        agents: rows,
        fleet,
        missing_metrics,
        warnings,
    })
}

struct Ctx<'a> {
    config: &'a AgentsConfig,
    label: &'a str,
}

impl Ctx<'_> {
    /// The increase of one series over the range in the configured mode, with its resets.
    fn series_increase(&self, s: &Series) -> Option<f64> {
        let samples = Samples::of(s).ok()?;
        let c = self.config;
        match c.counter_mode {
            CounterMode::Exact => exact_increase_between(samples, c.start_ms, c.end_ms).increase,
            CounterMode::Promql { compat } => promql_increase(
                samples,
                c.end_ms,
                c.end_ms.saturating_sub(c.start_ms),
                compat,
            ),
        }
    }

    /// Sum of the per-series increases; unavailable when the metric is absent or no series has
    /// an increase.
    fn sum_increase(
        &self,
        series: &[&Series],
        present: bool,
        metric: &str,
        warnings: &mut Vec<String>,
    ) -> Quantity {
        if !present {
            return Quantity::unavailable(format!("no series named {metric}"));
        }
        let mut sum = None;
        for s in series {
            if let Some(inc) = self.series_increase(s) {
                sum = Some(sum.unwrap_or(0.0) + inc);
            }
        }
        match sum {
            Some(v) if v.is_finite() => Quantity::Value { value: v },
            Some(v) => {
                warnings.push(format!(
                    "{metric}: the increase is {v}: a sample is NaN or infinite"
                ));
                Quantity::unavailable(format!("{metric}: the increase is not finite"))
            }
            None => Quantity::unavailable(format!("{metric}: fewer than two samples in the range")),
        }
    }

    fn increase(
        &self,
        role: &Role<'_>,
        metric: &str,
        g: &str,
        warnings: &mut Vec<String>,
    ) -> Quantity {
        match role.by_group.get(g) {
            Some(series) => self.sum_increase(series, true, metric, warnings),
            None if role.present && !role.ungrouped.is_empty() && role.by_group.is_empty() => {
                Quantity::unavailable(format!("{metric} has no {} label", self.label))
            }
            None if role.present => {
                Quantity::unavailable(format!("no {metric} series for {}={g}", self.label))
            }
            None => Quantity::unavailable(format!("no series named {metric}")),
        }
    }

    /// p50, p95, p99 of `histogram_quantile(q, sum by (le) (increase(bucket[range])))` over
    /// `series`.
    fn quantiles(
        &self,
        series: Option<&Vec<&Series>>,
        what: &str,
        warnings: &mut Vec<String>,
    ) -> [Quantity; 3] {
        let Some(series) = series else {
            let q = Quantity::unavailable(format!("no duration histogram for {what}"));
            return [q.clone(), q.clone(), q];
        };
        let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
        for s in series {
            let Some(le) = s.labels.get(LE_LABEL) else {
                warnings.push(format!(
                    "{what}: bucket series {} has no le label: skipped",
                    s.labels
                ));
                continue;
            };
            if let Some(inc) = self.series_increase(s) {
                *sums.entry(le).or_insert(0.0) += inc;
            }
        }
        let buckets: Vec<Series> = sums
            .into_iter()
            .map(|(le, v)| Series {
                labels: Labels::from_pairs([(LE_LABEL, le)]),
                time_ms: vec![self.config.end_ms],
                values: vec![v],
            })
            .collect();
        let hist = match group_buckets(&buckets) {
            Ok(h) => h,
            Err(e) => {
                let q = Quantity::unavailable(format!("{what}: {e}"));
                return [q.clone(), q.clone(), q];
            }
        };
        [0.5, 0.95, 0.99].map(|q| {
            let Some(qs) = quantile_series(q, &hist).into_iter().next() else {
                return Quantity::unavailable(format!(
                    "{what}: fewer than two samples of any bucket in the range"
                ));
            };
            if q == 0.5 {
                // Reported once for the three quantiles: the fix is the same for each.
                warnings.extend(
                    qs.notes
                        .iter()
                        .filter(|n| matches!(n.kind, NoteKind::ForcedMonotonicity { .. }))
                        .map(|n| {
                            format!(
                                "{what}: {n}; check that all bucket series come from one \
                                 histogram and that no bucket series was reset alone"
                            )
                        }),
                );
            }
            if let Some(v) = qs.values.first().filter(|v| v.is_finite()) {
                return Quantity::Value { value: *v };
            }
            if qs
                .notes
                .iter()
                .any(|n| matches!(n.kind, NoteKind::NoObservations { .. }))
            {
                return Quantity::no_events(format!("{what}: no observation in the range"));
            }
            let why: Vec<String> = qs.notes.iter().map(|n| format!("{what}: {n}")).collect();
            if q == 0.5 {
                warnings.extend(why.iter().cloned());
            }
            Quantity::unavailable(why.join("; "))
        })
    }

    /// Latest finite value at or before `at_ms` of a series.
    fn latest_at(s: &Series, at_ms: i64) -> Option<(i64, f64)> {
        s.time_ms
            .iter()
            .zip(&s.values)
            .rev()
            .find(|(t, v)| **t <= at_ms && v.is_finite())
            .map(|(t, v)| (*t, *v))
    }

    fn latest(&self, role: &Role<'_>, metric: &str) -> Quantity {
        if !role.present {
            return Quantity::unavailable(format!("no series named {metric}"));
        }
        let mut sum = None;
        for s in &role.all {
            if let Some((_, v)) = Self::latest_at(s, self.config.end_ms) {
                sum = Some(sum.unwrap_or(0.0) + v);
            }
        }
        sum.map_or_else(
            || Quantity::unavailable(format!("{metric}: no finite sample at or before the end")),
            |v| Quantity::finite(v, metric),
        )
    }

    fn count(&self, gauge: &Role<'_>, metric: &str, counted: usize) -> AgentCount {
        if gauge.present {
            AgentCount {
                value: self.latest(gauge, metric),
                source: CountSource::Gauge,
            }
        } else {
            AgentCount {
                value: Quantity::Value {
                    value: counted as f64,
                },
                source: CountSource::CountedFromGroups,
            }
        }
    }

    fn heartbeat(&self, role: &Role<'_>, g: &str, warnings: &mut Vec<String>) -> Heartbeat {
        let now = self.config.now_ms;
        let last = role
            .by_group
            .get(g)
            .into_iter()
            .flatten()
            .filter_map(|s| Self::latest_at(s, now))
            .map(|(_, v)| v)
            .reduce(f64::max);
        let Some(last) = last else {
            let reason = if role.present {
                format!(
                    "no heartbeat sample for {}={g} at or before nowMs",
                    self.label
                )
            } else {
                "no heartbeat metric in the input".to_owned()
            };
            return Heartbeat {
                age_s: Quantity::unavailable(reason),
                status: HeartbeatStatus::Unknown,
            };
        };
        let mut age = now as f64 / 1000.0 - last;
        if age < 0.0 {
            warnings.push(format!(
                "{}={g}: the last heartbeat ({last} s) is {:.3} s after nowMs: clocks differ; age taken as 0",
                self.label, -age
            ));
            age = 0.0;
        }
        Heartbeat {
            age_s: Quantity::finite(age, "heartbeat age"),
            status: heartbeat_status(Some(age), &self.config.heartbeat),
        }
    }
}

/// Scores and ranks the agents that have a success rate (see [`rank_score`]); ties by name.
fn rank(rows: &mut [AgentRow]) {
    let ranked = |r: &AgentRow| r.success_rate.value().is_some();
    let max_tph = rows
        .iter()
        .filter(|r| ranked(r))
        .filter_map(|r| r.tasks_per_hour.value())
        .fold(0.0, f64::max);
    let min_p95 = rows
        .iter()
        .filter(|r| ranked(r))
        .filter_map(|r| r.duration_p95.value())
        .reduce(f64::min);
    for r in rows.iter_mut() {
        if let Some(s) = r.success_rate.value() {
            let tph = r.tasks_per_hour.value().unwrap_or(0.0);
            let score = rank_score(s, tph, max_tph, r.duration_p95.value(), min_p95);
            r.score = Quantity::finite(score, "rank score");
        }
    }
    rows.sort_by(|a, b| match (a.score.value(), b.score.value()) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.agent.cmp(&b.agent)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.agent.cmp(&b.agent),
    });
    let mut next = 1;
    for r in rows.iter_mut() {
        if r.score.value().is_some() {
            r.rank = Some(next);
            next = next.saturating_add(1);
        }
    }
}

/// Flags agents whose p95 or failure rate is more than [`OUTLIER_K`] robust deviations from the
/// fleet's median (needs [`MIN_FLEET_FOR_OUTLIERS`] agents with the value).
fn flag_outliers(rows: &mut [AgentRow]) {
    type Get = fn(&AgentRow) -> Option<f64>;
    let measures: [(&'static str, Get); 2] = [
        ("p95", |r| r.duration_p95.value()),
        ("failureRate", |r| r.failure_rate.value()),
    ];
    for (measure, get) in measures {
        let values: Vec<f64> = rows.iter().filter_map(get).collect();
        let Some(centre) = robust_centre(&values) else {
            continue;
        };
        for r in rows.iter_mut() {
            let Some(v) = get(r) else { continue };
            let z = robust_z(v, centre);
            if z.abs() > OUTLIER_K {
                r.outliers.push(Outlier {
                    measure,
                    value: v,
                    fleet_median: centre.0,
                    robust_z: z,
                    direction: if z > 0.0 {
                        Direction::High
                    } else {
                        Direction::Low
                    },
                });
            }
        }
    }
}

impl AgentsView {
    /// The leaderboard as frames, one per measure, each with one row at `endMs` and one field per
    /// agent labelled with the group label (Grafana's "wide" shape; a table panel with the
    /// "Reduce" or "Labels to fields" transformation shows it as a leaderboard), then the fleet
    /// summary as one frame. Values without a number are `NaN` (null in JSON, listed under
    /// `entities`).
    pub fn to_frames(&self) -> Vec<Frame> {
        type Get = fn(&AgentRow) -> &Quantity;
        let measures: [(&str, &str, Get); 10] = [
            ("score", "short", |r| &r.score),
            ("success rate", "percentunit", |r| &r.success_rate),
            ("tasks per hour", "short", |r| &r.tasks_per_hour),
            ("task duration p50", "s", |r| &r.duration_p50),
            ("task duration p95", "s", |r| &r.duration_p95),
            ("task duration p99", "s", |r| &r.duration_p99),
            ("load mean", "percent", |r| &r.load_mean),
            ("heartbeat age", "s", |r| &r.heartbeat.age_s),
            ("tokens per task", "short", |r| &r.tokens_per_task),
            ("cost per task", "currencyUSD", |r| &r.cost_per_task),
        ];
        let mut frames: Vec<Frame> = measures
            .iter()
            .map(|(name, unit, get)| Frame {
                name: Some((*name).to_owned()),
                time_ms: vec![self.end_ms],
                text: Vec::new(),
                fields: self
                    .agents
                    .iter()
                    .map(|r| Field {
                        name: (*name).to_owned(),
                        labels: Labels::from_pairs([(self.group_label.as_str(), r.agent.as_str())]),
                        unit: Some((*unit).to_owned()),
                        values: vec![get(r).as_frame_value()],
                    })
                    .collect(),
            })
            .collect();
        let f = &self.fleet;
        let fleet: [(&str, &str, &Quantity); 7] = [
            ("agents total", "short", &f.agents_total.value),
            ("agents available", "short", &f.agents_available.value),
            ("queue size", "short", &f.queue_size),
            ("active tasks", "short", &f.tasks_active),
            ("tasks per hour", "short", &f.tasks_per_hour),
            ("api p50", "s", &f.api_p50),
            ("api p95", "s", &f.api_p95),
        ];
        frames.push(Frame {
            name: Some("fleet".to_owned()),
            time_ms: vec![self.end_ms],
            text: Vec::new(),
            fields: fleet
                .iter()
                .map(|(name, unit, q)| Field {
                    name: (*name).to_owned(),
                    labels: Labels::new(),
                    unit: Some((*unit).to_owned()),
                    values: vec![q.as_frame_value()],
                })
                .collect(),
        });
        frames
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::arithmetic_side_effects, reason = "test data")]

    use super::*;

    const MIN: i64 = 60_000;

    fn s(pairs: &[(&str, &str)], points: &[(i64, f64)]) -> Series {
        Series {
            labels: Labels::from_pairs(pairs.iter().copied()),
            time_ms: points.iter().map(|p| p.0).collect(),
            values: points.iter().map(|p| p.1).collect(),
        }
    }

    fn counter(name: &str, agent: &str, values: &[f64]) -> Series {
        let points: Vec<(i64, f64)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as i64 * 10 * MIN, *v))
            .collect();
        s(&[("__name__", name), ("agent_id", agent)], &points)
    }

    fn val(q: &Quantity) -> f64 {
        q.value().unwrap_or_else(|| panic!("no value: {q:?}"))
    }

    fn row<'a>(v: &'a AgentsView, agent: &str) -> &'a AgentRow {
        v.agents.iter().find(|r| r.agent == agent).unwrap()
    }

    /// Range 0 … 60 min, samples every 10 min.
    fn config() -> AgentsConfig {
        AgentsConfig::new(0, 60 * MIN)
    }

    #[test]
    fn success_rates_and_throughput() {
        let c = "claude_agent_tasks_completed_total";
        let f = "claude_agent_tasks_failed_total";
        let input = vec![
            // 0 → 30: 30 completed; 0 → 10: 10 failed → 30 / 40 = 0.75, 30 tasks/h.
            counter(c, "a", &[0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]),
            counter(f, "a", &[0.0, 2.0, 4.0, 6.0, 8.0, 9.0, 10.0]),
            // A reset at 30 min: 0 → 9, then 4 → 7 counts 4 + 3 → 16 completed, 0 failed → 1.
            counter(c, "b", &[0.0, 3.0, 6.0, 9.0, 4.0, 7.0, 7.0]),
            counter(f, "b", &[2.0; 7]),
            // Flat counters: no task → "no events", not ranked.
            counter(c, "idle", &[5.0; 7]),
            counter(f, "idle", &[1.0; 7]),
        ];
        let v = agents_view(&input, &config()).unwrap();
        let a = row(&v, "a");
        assert_eq!(val(&a.tasks_completed), 30.0);
        assert_eq!(val(&a.tasks_per_hour), 30.0);
        assert_eq!(val(&a.success_rate), 0.75);
        assert_eq!(val(&a.failure_rate), 0.25);
        let b = row(&v, "b");
        assert_eq!(val(&b.tasks_completed), 16.0);
        assert_eq!(val(&b.success_rate), 1.0);
        let idle = row(&v, "idle");
        assert!(matches!(idle.success_rate, Quantity::NoEvents { .. }));
        assert_eq!(idle.rank, None);
        // Scores (no durations: latency terms 0): a = 0.5·0.75 + 0.3·1 = 0.675,
        // b = 0.5·1 + 0.3·16/30 = 0.66 → a first.
        assert!((val(&a.score) - 0.675).abs() < 1e-12);
        assert!((val(&b.score) - 0.66).abs() < 1e-12);
        assert_eq!((a.rank, b.rank), (Some(1), Some(2)));
        assert_eq!(
            v.agents
                .iter()
                .map(|r| r.agent.as_str())
                .collect::<Vec<_>>(),
            ["a", "b", "idle"]
        );
        assert!((val(&v.fleet.tasks_completed) - 46.0).abs() < 1e-12);
        assert_eq!(v.fleet.agents_total.source, CountSource::CountedFromGroups);
        assert_eq!(val(&v.fleet.agents_total.value), 3.0);
        // No heartbeat metric: available is unavailable, not 0.
        assert!(matches!(
            v.fleet.agents_available.value,
            Quantity::Unavailable { .. }
        ));
        let roles: Vec<_> = v.missing_metrics.iter().map(|m| m.role).collect();
        assert!(roles.contains(&"heartbeat") && roles.contains(&"taskDuration"));
    }

    #[test]
    fn heartbeat_statuses() {
        let t = HeartbeatThresholds::default();
        let cases: &[(&str, Option<f64>, HeartbeatStatus)] = &[
            ("fresh", Some(5.0), HeartbeatStatus::Healthy),
            ("clock ahead", Some(-3.0), HeartbeatStatus::Healthy),
            ("at stale", Some(60.0), HeartbeatStatus::Stale),
            ("just below down", Some(299.9), HeartbeatStatus::Stale),
            ("at down", Some(300.0), HeartbeatStatus::Down),
            ("none", None, HeartbeatStatus::Unknown),
            ("nan", Some(f64::NAN), HeartbeatStatus::Unknown),
        ];
        for (name, age, want) in cases {
            assert_eq!(heartbeat_status(*age, &t), *want, "case {name} failed");
        }
    }

    #[test]
    fn heartbeat_age_is_now_minus_the_gauge_value() {
        let hb = |agent: &str, last_s: f64| {
            s(
                &[
                    ("__name__", "claude_agent_last_heartbeat"),
                    ("agent_id", agent),
                ],
                &[(50 * MIN, last_s - 600.0), (60 * MIN, last_s)],
            )
        };
        // now = 3600 s: ages 10 s, 100 s, 3000 s, and −5 s (clamped, with a warning).
        let input = vec![
            hb("a", 3590.0),
            hb("b", 3500.0),
            hb("c", 600.0),
            hb("d", 3605.0),
        ];
        let v = agents_view(&input, &config()).unwrap();
        let cases = [
            ("a", 10.0, HeartbeatStatus::Healthy),
            ("b", 100.0, HeartbeatStatus::Stale),
            ("c", 3000.0, HeartbeatStatus::Down),
            ("d", 0.0, HeartbeatStatus::Healthy),
        ];
        for (agent, age, status) in cases {
            let r = row(&v, agent);
            assert_eq!(val(&r.heartbeat.age_s), age, "case {agent} failed");
            assert_eq!(r.heartbeat.status, status, "case {agent} failed");
        }
        assert!(v.warnings.iter().any(|w| w.contains("clocks differ")));
        // Counted from heartbeats: a and d are healthy.
        assert_eq!(val(&v.fleet.agents_available.value), 2.0);
    }

    #[test]
    fn load_mean_is_time_weighted() {
        // 20 % sampled every 4 min up to 48 min (holding until 50 min), then 80 % at 50 min.
        let load = s(
            &[
                ("__name__", "claude_agent_load"),
                ("agent_id", "a"),
                ("specialty", "x"),
            ],
            &[
                (0, 20.0),
                (4 * MIN, 20.0),
                (8 * MIN, 20.0),
                (12 * MIN, 20.0),
                (16 * MIN, 20.0),
                (20 * MIN, 20.0),
                (24 * MIN, 20.0),
                (28 * MIN, 20.0),
                (32 * MIN, 20.0),
                (36 * MIN, 20.0),
                (40 * MIN, 20.0),
                (44 * MIN, 20.0),
                (48 * MIN, 20.0),
                (50 * MIN, 80.0),
            ],
        );
        let v = agents_view(&[load], &config()).unwrap();
        let a = row(&v, "a");
        // 80 holds from 50 min for 5 min only (GAUGE_HOLD_MS), then the gauge is gone:
        // (20·50 + 80·5) / 55.
        assert!((val(&a.load_mean) - 1400.0 / 55.0).abs() < 1e-12);
        assert_eq!(val(&a.load_max), 80.0);
    }

    #[test]
    fn outliers_need_a_fleet_and_a_distance() {
        let c = "claude_agent_tasks_completed_total";
        let f = "claude_agent_tasks_failed_total";
        let mut input = Vec::new();
        // Five agents complete 10 tasks; "bad" also fails 10, the others none. Failure rates
        // 0, 0, 0, 0, 0.5: MAD 0 → mean AD 0.1 → spread 0.12533; z(0.5) = 3.99 > 3.5.
        for a in ["a", "b", "c", "d", "bad"] {
            input.push(counter(c, a, &[0.0, 10.0]));
            input.push(counter(f, a, &[0.0, if a == "bad" { 10.0 } else { 0.0 }]));
        }
        let v = agents_view(&input, &config()).unwrap();
        let bad = row(&v, "bad");
        assert_eq!(bad.outliers.len(), 1);
        let o = &bad.outliers[0];
        assert_eq!(
            (o.measure, o.direction, o.fleet_median),
            ("failureRate", Direction::High, 0.0)
        );
        assert!((o.robust_z - 0.5 / 0.12533).abs() < 1e-9);
        assert!(v
            .agents
            .iter()
            .filter(|r| r.agent != "bad")
            .all(|r| r.outliers.is_empty()));
        // Four agents: below MIN_FLEET_FOR_OUTLIERS, nobody is flagged.
        let small: Vec<Series> = input
            .into_iter()
            .filter(|s| s.labels.get("agent_id") != Some("a"))
            .collect();
        let v = agents_view(&small, &config()).unwrap();
        assert!(v.agents.iter().all(|r| r.outliers.is_empty()));
    }

    #[test]
    fn duration_quantiles_come_from_bucket_increases() {
        let bucket = |le: &str, values: &[f64]| {
            let mut x = counter("claude_agent_task_duration_seconds_bucket", "a", values);
            x.labels.insert("le".to_owned(), le.to_owned());
            x
        };
        // Increases: le=10 → 6, le=60 → 10, +Inf → 10. p50: rank 5 in (0, 10]: 10·5/6 = 8.33…;
        // p95: rank 9.5 in (10, 60]: 10 + 50·3.5/4 = 53.75.
        let input = vec![
            bucket("10", &[4.0, 10.0]),
            bucket("60", &[5.0, 15.0]),
            bucket("+Inf", &[5.0, 15.0]),
        ];
        let v = agents_view(&input, &config()).unwrap();
        let a = row(&v, "a");
        assert!((val(&a.duration_p50) - 50.0 / 6.0).abs() < 1e-12);
        assert!((val(&a.duration_p95) - 53.75).abs() < 1e-12);
        // No observation in the range: "no events".
        let flat = vec![bucket("10", &[4.0, 4.0]), bucket("+Inf", &[5.0, 5.0])];
        let v = agents_view(&flat, &config()).unwrap();
        assert!(matches!(
            row(&v, "a").duration_p95,
            Quantity::NoEvents { .. }
        ));
        // No +Inf bucket: unavailable, with the histogram's message.
        let v = agents_view(&[bucket("10", &[4.0, 9.0])], &config()).unwrap();
        match &row(&v, "a").duration_p95 {
            Quantity::Unavailable { reason } => {
                assert!(reason.contains("no +Inf bucket"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn claude_code_data_by_session() {
        let cost = |sid: &str, values: &[f64]| {
            let points: Vec<(i64, f64)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as i64 * 30 * MIN, *v))
                .collect();
            s(
                &[
                    ("__name__", "claude_code_cost_usage_USD_total"),
                    ("session_id", sid),
                    ("model", "m"),
                ],
                &points,
            )
        };
        let config = AgentsConfig {
            group_label: "session_id".to_owned(),
            metrics: MetricNames::claude_code(),
            ..config()
        };
        let v = agents_view(&[cost("s1", &[0.0, 1.0, 2.5])], &config).unwrap();
        let r = row(&v, "s1");
        match &r.cost_per_task {
            Quantity::Unavailable { reason } => {
                assert!(
                    reason.contains("claude_agent_tasks_completed_total"),
                    "{reason}"
                )
            }
            other => panic!("{other:?}"),
        }
        let roles: Vec<_> = v.missing_metrics.iter().map(|m| m.role).collect();
        assert!(roles.contains(&"tasksCompleted") && !roles.contains(&"cost"));
        assert!(matches!(r.success_rate, Quantity::Unavailable { .. }));
        assert_eq!(r.heartbeat.status, HeartbeatStatus::Unknown);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["agents"][0]["successRate"]["status"], "unavailable");
        assert_eq!(json["counterMode"]["mode"], "exact");
    }

    #[test]
    fn bad_input_is_named() {
        let other = s(&[("__name__", "up")], &[(0, 1.0)]);
        let err = agents_view(&[other], &config()).unwrap_err().to_string();
        assert!(
            err.contains("claude_agent_tasks_completed_total") && err.contains("it has: up"),
            "{err}"
        );
        let err = agents_view(&[], &config()).unwrap_err().to_string();
        assert!(err.contains("no series"), "{err}");
        let backwards = s(&[("__name__", "claude_agent_load")], &[(5, 1.0), (5, 2.0)]);
        let err = agents_view(&[backwards], &config())
            .unwrap_err()
            .to_string();
        assert!(err.contains("times must increase"), "{err}");
        let mut bad = config();
        bad.heartbeat.down_after_s = 10.0;
        assert!(agents_view(&[], &bad)
            .unwrap_err()
            .to_string()
            .starts_with("config:"));
    }

    #[test]
    fn frames_carry_units_and_nan_for_missing_values() {
        let v = agents_view(
            &[counter(
                "claude_agent_tasks_completed_total",
                "a",
                &[0.0, 6.0],
            )],
            &config(),
        )
        .unwrap();
        let frames = v.to_frames();
        let rate = frames
            .iter()
            .find(|f| f.name.as_deref() == Some("tasks per hour"))
            .unwrap();
        assert_eq!(rate.time_ms, [60 * MIN]);
        assert_eq!(rate.fields[0].values, [6.0]);
        assert_eq!(rate.fields[0].labels.get("agent_id"), Some("a"));
        let success = frames
            .iter()
            .find(|f| f.name.as_deref() == Some("success rate"))
            .unwrap();
        assert_eq!(success.fields[0].unit.as_deref(), Some("percentunit"));
        assert!(success.fields[0].values[0].is_nan());
        let cost = frames
            .iter()
            .find(|f| f.name.as_deref() == Some("cost per task"))
            .unwrap();
        assert_eq!(cost.fields[0].unit.as_deref(), Some("currencyUSD"));
        assert_eq!(frames.last().unwrap().name.as_deref(), Some("fleet"));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    #![allow(clippy::arithmetic_side_effects, reason = "test data")]

    use proptest::prelude::*;

    use super::*;

    fn series(name: &str, le: Option<&str>, values: &[f64]) -> Series {
        let mut labels = Labels::from_pairs([("__name__", name), ("agent_id", "a")]);
        if let Some(le) = le {
            labels.insert("le".to_owned(), le.to_owned());
        }
        Series {
            labels,
            time_ms: (0..values.len() as i64).map(|i| i * 60_000).collect(),
            values: values.to_vec(),
        }
    }

    proptest! {
        #[test]
        fn success_rate_is_a_share(c in proptest::collection::vec(0.0..1e6f64, 2..8),
                                   f in proptest::collection::vec(0.0..1e6f64, 2..8)) {
            let input = [series("claude_agent_tasks_completed_total", None, &c),
                         series("claude_agent_tasks_failed_total", None, &f)];
            let v = agents_view(&input, &AgentsConfig::new(0, 600_000)).unwrap();
            let r = &v.agents[0];
            match &r.success_rate {
                Quantity::Value { value } => prop_assert!((0.0..=1.0).contains(value), "{value}"),
                Quantity::NoEvents { .. } => {}
                other => prop_assert!(false, "{other:?}"),
            }
        }

        #[test]
        fn quantiles_are_monotone(inc in proptest::collection::vec(0u32..50, 4), ends in 1u32..50) {
            // Cumulative bucket counts at the end; zeros at the start.
            let les = ["1", "5", "30", "+Inf"];
            let mut cum = 0.0;
            let mut input = Vec::new();
            for (le, n) in les.iter().zip(&inc) {
                cum += f64::from(*n) + if *le == "+Inf" { f64::from(ends) } else { 0.0 };
                input.push(series("claude_agent_task_duration_seconds_bucket", Some(le), &[0.0, cum]));
            }
            let v = agents_view(&input, &AgentsConfig::new(0, 60_000)).unwrap();
            let r = &v.agents[0];
            let (p50, p95, p99) = (r.duration_p50.value().unwrap(), r.duration_p95.value().unwrap(),
                                   r.duration_p99.value().unwrap());
            prop_assert!(p50 <= p95 && p95 <= p99, "{p50} {p95} {p99}");
        }
    }
}
