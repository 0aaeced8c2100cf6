//! Cost efficiency: totals, breakdowns, cost per outcome, cache savings, budgets and forecasts.
//!
//! [`evaluate_cost`] takes the raw samples of Claude Code's counters (and the agent cluster's),
//! a [`CostConfig`] and a [`CostClock`], and returns a [`CostReport`].
//!
//! * **Names** are detected, not assumed ([`detect_names`]): every role says which name it used
//!   or which it looked for.
//! * **The exported cost counter is the truth** for every dollar figure; the price table
//!   ([`PriceTable`]) only drives cache savings and what-if views.
//! * **Counters** go through [`crate::counter`]: per-series increase with Prometheus' reset rule,
//!   then a sum across series. [`CounterMode::Exact`] (the default) counts what the samples prove
//!   over `(start, end]`, so adjacent windows add up; [`CounterMode::Promql`] reproduces
//!   `sum(increase(m[end − start]))` evaluated at `end` for a chosen Prometheus version, to match
//!   a Prometheus panel. `robust: true` (exact mode only) removes the phantom increases of several
//!   writers on one series; the meter health of the cost series and how much robust mode changes
//!   the total are reported in every mode.
//! * **Time** comes from the caller: [`CostClock`] holds "now", local midnight and the month's
//!   bounds resolved in the dashboard's time zone, so this module needs no time zone database.
//! * **Data path**: the caller fetches raw samples with a range selector (`metric[R]` at `now`,
//!   `R` reaching back to the earliest of `from`, the month start and `now − forecastDays`), one
//!   request per detected name. The view needs per-series values at several window bounds (day,
//!   24 h, month, forecast days, every hour for anomalies), which one set of raw samples answers;
//!   per-step `increase()` pushed into PromQL would take one query per window.
//!
//! Every ratio is a [`Quantity`]: a value, or the reason it is unavailable ("no commits in
//! range", "commit metric missing"); never `NaN` or `±Inf`.

mod naming;
mod prices;

pub use naming::{
    detect_names, detect_names_with, NameDetection, NamingVariant, Role, RoleName,
    MAX_RELATED_NAMES,
};
pub use prices::{default_prices, utc_day_start, ModelPrice, PriceTable, TokenPrices};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::counter::{
    meter_health, robust_increase, CounterIndex, MeterWarning, PromqlCompat, Samples, MAX_STEPS,
};
use crate::error::{Error, Result};
use crate::frame::{Field, Frame, Labels, Series};

/// One hour, milliseconds: the step of the hourly cost series and of anomaly detection.
pub const HOUR_MS: i64 = 3_600_000;
/// One day, milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// How many hours before an hour form its baseline for anomaly detection.
///
/// A day covers the daily rhythm (working hours and nights) without letting last week's
/// different load decide what is normal today.
pub const ANOMALY_BASELINE_HOURS: usize = 24;

/// The fewest earlier hours with data needed before an hour can be judged: with fewer, the
/// median and MAD of the baseline are too unstable to call anything unusual.
pub const ANOMALY_MIN_BASELINE_HOURS: usize = 6;

/// The modified z-score above which an hour is an anomaly: `0.6745 · (x − median) / MAD > 3.5`,
/// Iglewicz and Hoaglin's recommended cut-off for robust outlier detection (about 3.5 standard
/// deviations for normal data, unaffected by the outliers themselves).
pub const ANOMALY_MODIFIED_Z: f64 = 3.5;

/// `0.6745`: the normal distribution's 75th percentile, which makes MAD comparable with a
/// standard deviation in the modified z-score.
const MAD_TO_Z: f64 = 0.6745;

/// The least an hour must exceed its baseline's median by, in USD, to be an anomaly.
///
/// Idle baselines have a MAD of zero, which would flag any hour with a few cents of cost; a
/// dollar above normal in an hour is the smallest excess worth someone's attention.
pub const ANOMALY_MIN_EXCESS_USD: f64 = 1.0;

/// `1.4826`: MAD times this estimates the standard deviation of normal data; the forecast band
/// is the median daily cost plus or minus one such spread per remaining day.
pub const MAD_TO_SIGMA: f64 = 1.4826;

/// The fewest days with data needed for a month-end forecast: one day gives no spread.
pub const FORECAST_MIN_DAYS: usize = 2;

/// The default `maxGroups`: rows per breakdown before the rest are summed into `other`.
///
/// A table panel shows about 50 rows before scrolling, and a breakdown by a high-cardinality
/// label (`session_id`, `user_email` in a large organisation) is summed rather than sent to the
/// browser row by row; raise `maxGroups` to see more.
pub const DEFAULT_MAX_GROUPS: usize = 50;

/// How counters are turned into amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CounterMode {
    /// The exact increase over `(start, end]` (see
    /// [`exact_increase_between`](crate::counter::exact_increase_between)): no extrapolation,
    /// windows add up. The default.
    #[default]
    Exact,
    /// PromQL's `increase(m[end − start])` at `end`, per series, for `promqlCompat`'s version.
    Promql,
}

/// The cost view's configuration (JSON, camelCase; unknown fields are refused).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CostConfig {
    /// Exact (default) or PromQL-compatible increases.
    #[serde(default)]
    pub counter_mode: CounterMode,
    /// Which Prometheus to reproduce in PromQL mode; default `v3`.
    #[serde(default)]
    pub promql_compat: PromqlCompat,
    /// Remove phantom increases of colliding writers (exact mode only); default `false`.
    #[serde(default)]
    pub robust: bool,
    /// The price table; default [`default_prices`] (Anthropic's list prices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prices: Option<Vec<ModelPrice>>,
    /// Monthly budget in USD; absent: no budget figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_budget_usd: Option<f64>,
    /// Labels to break the cost down by, each separately; default `model`, `user_email`,
    /// `query_source`. Any label works (`team_id` from `OTEL_RESOURCE_ATTRIBUTES`,
    /// `agent_name`).
    #[serde(default = "default_group_by")]
    pub group_by: Vec<String>,
    /// The label that names a person, for coverage; default `user_email`.
    #[serde(default = "default_user_label")]
    pub user_label: String,
    /// Days of daily cost the forecast's run rate is taken from; default 7.
    #[serde(default = "default_forecast_days")]
    pub forecast_days: u32,
    /// Most rows per breakdown; the rest are summed into one `other` row with a warning;
    /// default [`DEFAULT_MAX_GROUPS`].
    #[serde(default = "default_max_groups")]
    pub max_groups: usize,
    /// Metric names chosen for some roles instead of detecting them, e.g.
    /// `{"cost": "team_ai_cost_usd_total", "commits": "git_commits_total"}` (keys: `cost`,
    /// `tokens`, `commits`, `pullRequests`, `linesOfCode`, `sessions`, `activeTime`,
    /// `editDecisions`, `clusterCost`, `clusterTasks`). Default: none, every name detected.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<Role, String>,
}

fn default_group_by() -> Vec<String> {
    vec!["model".into(), "user_email".into(), "query_source".into()]
}
fn default_user_label() -> String {
    "user_email".into()
}
fn default_forecast_days() -> u32 {
    7
}
fn default_max_groups() -> usize {
    DEFAULT_MAX_GROUPS
}

impl Default for CostConfig {
    fn default() -> Self {
        Self {
            counter_mode: CounterMode::default(),
            promql_compat: PromqlCompat::default(),
            robust: false,
            prices: None,
            monthly_budget_usd: None,
            group_by: default_group_by(),
            user_label: default_user_label(),
            forecast_days: default_forecast_days(),
            max_groups: default_max_groups(),
            metrics: BTreeMap::new(),
        }
    }
}

/// The instants the view needs, resolved by the caller in the dashboard's time zone (epoch ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CostClock {
    /// Start of the dashboard range (exclusive).
    pub from_ms: i64,
    /// End of the dashboard range (inclusive).
    pub to_ms: i64,
    /// Now: the end of "today", the rolling 24 h and month to date.
    pub now_ms: i64,
    /// Local midnight of today.
    pub today_start_ms: i64,
    /// Local midnight of the first day of this month.
    pub month_start_ms: i64,
    /// Local midnight of the first day of next month.
    pub month_end_ms: i64,
}

impl CostClock {
    fn check(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::InvalidConfig(format!("cost clock: {m}")));
        if self.to_ms <= self.from_ms {
            return bad("toMs must be after fromMs");
        }
        if !(self.month_start_ms <= self.today_start_ms && self.today_start_ms <= self.now_ms) {
            return bad("expected monthStartMs ≤ todayStartMs ≤ nowMs");
        }
        if self.now_ms >= self.month_end_ms {
            return bad("nowMs must be before monthEndMs");
        }
        Ok(())
    }
}

/// A number or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Quantity {
    /// A finite value.
    Value {
        /// The value.
        value: f64,
    },
    /// No value, and why ("no commits in range", "commit metric missing").
    Unavailable {
        /// The reason, for the user.
        unavailable: String,
    },
}

impl Quantity {
    fn from(r: std::result::Result<f64, String>) -> Self {
        match r {
            Ok(v) if v.is_finite() => Quantity::Value { value: v },
            Ok(v) => Quantity::Unavailable {
                unavailable: format!("not a finite number ({v})"),
            },
            Err(unavailable) => Quantity::Unavailable { unavailable },
        }
    }

    /// The value, if there is one.
    pub fn value(&self) -> Option<f64> {
        match self {
            Quantity::Value { value } => Some(*value),
            Quantity::Unavailable { .. } => None,
        }
    }
}

type Amount = std::result::Result<f64, String>;

/// `numerator / denominator` as a [`Quantity`]; `zero` names the denominator for "no … in
/// range".
fn ratio(numerator: &Amount, denominator: &Amount, zero: &str) -> Quantity {
    Quantity::from(match (numerator, denominator) {
        (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        (Ok(_), Ok(d)) if *d <= 0.0 => Err(format!("no {zero} in range")),
        (Ok(n), Ok(d)) => Ok(n / d),
    })
}

/// One row of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownRow {
    /// The label's value; `None` for series without the label (or with it empty), and for the
    /// `other` row (see `other`).
    pub value: Option<String>,
    /// True for the row that sums the groups beyond `maxGroups`.
    pub other: bool,
    /// Cost in USD.
    pub cost_usd: f64,
    /// Share of the total cost; `None` when the total is zero.
    pub share: Option<f64>,
}

/// The cost broken down by one label, largest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    /// The label.
    pub label: String,
    /// Rows, largest cost first (`other` last).
    pub rows: Vec<BreakdownRow>,
}

/// Cost per outcome and token efficiency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Efficiency {
    /// USD per commit.
    pub cost_per_commit: Quantity,
    /// USD per pull request.
    pub cost_per_pull_request: Quantity,
    /// USD per 1,000 lines changed (added + removed).
    pub cost_per_1k_lines: Quantity,
    /// USD per hour of active time (user + cli).
    pub cost_per_active_hour: Quantity,
    /// USD per session started.
    pub cost_per_session: Quantity,
    /// USD per completed agent-cluster task (the cluster's cost when exported, else Claude
    /// Code's).
    pub cost_per_completed_task: Quantity,
    /// USD per accepted edit.
    pub cost_per_accepted_edit: Quantity,
    /// Tokens (all types) per USD.
    pub tokens_per_dollar: Quantity,
    /// `cacheRead / (cacheRead + cacheCreation + input)` tokens.
    pub cache_hit_ratio: Quantity,
    /// USD saved by cache reads: cacheRead tokens × (input − cacheRead price), at the price in
    /// force.
    pub cache_savings_usd: Quantity,
}

/// When the monthly budget runs out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum BudgetRunout {
    /// Month to date already exceeds the budget.
    AlreadyExceeded,
    /// At the forecast run rate, the budget is used up at this time.
    At {
        /// Epoch milliseconds.
        time_ms: i64,
    },
    /// At the forecast run rate, the budget lasts the month.
    NotWithinMonth,
    /// No budget, or no run rate.
    Unavailable {
        /// Why.
        reason: String,
    },
}

/// The month-end forecast.
///
/// Method: the daily costs of the last `forecastDays` days before now (24 h windows ending at
/// now); run rate = their median; spread = [`MAD_TO_SIGMA`] × their median absolute deviation.
/// Forecast = month to date + run rate × days left; the band uses run rate ∓ spread (never
/// below zero).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Forecast {
    /// Median daily cost, USD per day.
    pub daily_run_rate_usd: Quantity,
    /// Days with data the run rate was taken from.
    pub days_used: usize,
    /// Expected month-end cost.
    pub month_end_usd: Quantity,
    /// Lower end of the band.
    pub month_end_low_usd: Quantity,
    /// Upper end of the band.
    pub month_end_high_usd: Quantity,
    /// The monthly budget, if configured.
    pub budget_usd: Option<f64>,
    /// When the budget runs out.
    pub budget_runout: BudgetRunout,
}

/// An hour whose cost is far above its recent median.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Anomaly {
    /// End of the hour, epoch ms.
    pub time_ms: i64,
    /// Its cost.
    pub cost_usd: f64,
    /// Median of the baseline hours.
    pub baseline_median_usd: f64,
    /// The threshold it exceeded: median + ([`ANOMALY_MODIFIED_Z`] / 0.6745) × MAD.
    pub threshold_usd: f64,
}

/// How much of the cost can be attributed, and which outcome metrics exist.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// The label that names a person.
    pub user_label: String,
    /// Share of the cost from series with that label set and not empty.
    pub user_known_share: Quantity,
    /// Outcome roles whose metric exists.
    pub outcomes_present: Vec<Role>,
    /// Outcome roles whose metric is missing.
    pub outcomes_missing: Vec<Role>,
}

/// This month's tokens priced as another model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIf {
    /// The price table's model (prefix).
    pub model: String,
    /// What month to date's tokens would have cost on it.
    pub cost_usd: Quantity,
}

/// One cost series the meter-health check flagged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlaggedSeries {
    /// The series.
    pub labels: Labels,
    /// Drops in the range (counter resets by Prometheus' rule).
    pub resets: usize,
    /// Share of the exact total.
    pub share: Option<f64>,
    /// What looks wrong.
    pub warnings: Vec<MeterWarning>,
}

/// Meter health of the cost series over the range, in every counter mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostHealth {
    /// Exact total over the range.
    pub exact_total_usd: Option<f64>,
    /// Robust total over the range.
    pub robust_total_usd: Option<f64>,
    /// How much robust mode takes away from the exact total.
    pub robust_removed_usd: Option<f64>,
    /// Series with warnings.
    pub flagged: Vec<FlaggedSeries>,
}

/// Everything the cost view computes. Amounts are in USD over the range `(fromMs, toMs]` unless
/// named otherwise.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostReport {
    /// The counter mode used for every amount.
    pub counter_mode: CounterMode,
    /// The Prometheus version reproduced (PromQL mode only).
    pub promql_compat: Option<PromqlCompat>,
    /// Whether robust mode was on.
    pub robust: bool,
    /// The names found per role.
    pub names: NameDetection,
    /// Total cost from the exported cost counter.
    pub total_usd: Quantity,
    /// The agent cluster's own cost counter.
    pub cluster_cost_usd: Quantity,
    /// Total tokens, all types.
    pub total_tokens: Quantity,
    /// Cost by each `groupBy` label.
    pub breakdowns: Vec<Breakdown>,
    /// Cost per outcome and token efficiency.
    pub efficiency: Efficiency,
    /// Since local midnight.
    pub today_usd: Quantity,
    /// The last 24 h.
    pub rolling_24h_usd: Quantity,
    /// Since the month started.
    pub month_to_date_usd: Quantity,
    /// Month-end forecast and budget.
    pub forecast: Forecast,
    /// Hours far above their recent median.
    pub anomalies: Vec<Anomaly>,
    /// Attribution and outcome coverage.
    pub coverage: Coverage,
    /// Month to date's tokens on each model of the price table.
    pub what_if: Vec<WhatIf>,
    /// Meter health of the cost series.
    pub health: CostHealth,
    /// Hourly cost: ends of hours (`fromMs + k·1h ≤ toMs`) with data.
    pub hourly_time_ms: Vec<i64>,
    /// Cost per hour at `hourlyTimeMs`.
    pub hourly_cost_usd: Vec<f64>,
    /// Running sum of `hourlyCostUsd` (never decreases, also across counter resets).
    pub cumulative_cost_usd: Vec<f64>,
    /// Everything the user should know (missing metrics, flagged series, capped breakdowns).
    pub warnings: Vec<String>,
}

impl CostReport {
    /// The time-series outputs as frames: hourly cost and cumulative cost (`currencyUSD`), and
    /// the share of hours that are anomalies as a 0/1 field (`short`). A report without hourly
    /// data gives frames with no rows.
    pub fn to_frames(&self) -> Vec<Frame> {
        let flags: Vec<f64> = self
            .hourly_time_ms
            .iter()
            .map(|t| f64::from(u8::from(self.anomalies.iter().any(|a| a.time_ms == *t))))
            .collect();
        let field = |name: &str, unit: &str, values: &[f64]| Field {
            name: name.into(),
            labels: Labels::new(),
            unit: Some(unit.into()),
            values: values.to_vec(),
        };
        vec![
            Frame {
                name: Some("cost per hour".into()),
                time_ms: self.hourly_time_ms.clone(),
                text: Vec::new(),
                fields: vec![
                    field("cost", "currencyUSD", &self.hourly_cost_usd),
                    field("anomaly", "short", &flags),
                ],
            },
            Frame {
                name: Some("cumulative cost".into()),
                time_ms: self.hourly_time_ms.clone(),
                text: Vec::new(),
                fields: vec![field("cost", "currencyUSD", &self.cumulative_cost_usd)],
            },
        ]
    }
}

/// A series of a detected metric, checked and indexed once for the view's many windows.
struct Counter<'a> {
    series: &'a Series,
    index: CounterIndex<'a>,
}

/// How one window's increase of one series is computed.
#[derive(Debug, Clone, Copy)]
struct Mode {
    counter: CounterMode,
    compat: PromqlCompat,
    robust: bool,
}

impl Mode {
    /// The increase of one series over `(start, end]`; `None` without enough samples.
    fn increase(&self, c: &Counter<'_>, start: i64, end: i64) -> Result<Option<f64>> {
        Ok(match (self.counter, self.robust) {
            (CounterMode::Promql, _) => {
                c.index
                    .promql_increase(end, end.saturating_sub(start), self.compat)
            }
            (CounterMode::Exact, false) => c.index.exact_increase_between(start, end),
            (CounterMode::Exact, true) => {
                let w = with_baseline(c.series, start, end);
                robust_increase(Samples::of(&w)?).increase
            }
        })
    }

    /// The increases of one series over each of `windows` (`(start, end)`), as
    /// [`Mode::increase`] gives them; forward-moving windows cost a few steps each.
    fn increases(&self, c: &Counter<'_>, windows: &[(i64, i64)]) -> Result<Vec<Option<f64>>> {
        match (self.counter, self.robust) {
            (CounterMode::Exact, false) => Ok(c.index.exact_increases(windows)),
            _ => windows
                .iter()
                .map(|&(start, end)| self.increase(c, start, end))
                .collect(),
        }
    }

    /// Sum over series of their increases; `Err` when none has one.
    fn total<'a, 'b: 'a>(
        &self,
        series: impl IntoIterator<Item = &'a Counter<'b>>,
        start: i64,
        end: i64,
        what: &str,
    ) -> Result<Amount> {
        let mut sum: Option<f64> = None;
        for s in series {
            if let Some(v) = self.increase(s, start, end)? {
                sum = Some(sum.unwrap_or(0.0) + v);
            }
        }
        Ok(sum
            .ok_or_else(|| format!("no {what} data in range (fewer than two samples per series)")))
    }
}

/// The samples from the last finite one at or before `start` to the last one at or before `end`.
fn with_baseline(s: &Series, start: i64, end: i64) -> Series {
    let lo = s.time_ms.partition_point(|&t| t <= start);
    let hi = s.time_ms.partition_point(|&t| t <= end);
    let from = s
        .values
        .get(..lo)
        .and_then(|v| v.iter().rposition(|x| x.is_finite()))
        .unwrap_or(lo);
    Series {
        labels: s.labels.clone(),
        time_ms: s.time_ms.get(from..hi).unwrap_or_default().to_vec(),
        values: s.values.get(from..hi).unwrap_or_default().to_vec(),
    }
}

/// Median of a non-empty slice (sorted copy); `None` when empty.
fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let hi = *v.get(n / 2)?;
    Some(if n % 2 == 1 {
        hi
    } else {
        (*v.get((n / 2).checked_sub(1)?)? + hi) / 2.0
    })
}

/// Median absolute deviation from the median.
fn mad(values: &[f64], med: f64) -> Option<f64> {
    median(&values.iter().map(|x| (x - med).abs()).collect::<Vec<_>>())
}

/// Hours in `values` (hourly costs, in order) above their baseline: the previous
/// [`ANOMALY_BASELINE_HOURS`] values, judged once there are [`ANOMALY_MIN_BASELINE_HOURS`].
fn anomalies(time_ms: &[i64], values: &[f64]) -> Vec<Anomaly> {
    let mut out = Vec::new();
    for (i, (&t, &x)) in time_ms.iter().zip(values).enumerate() {
        let base = values
            .get(i.saturating_sub(ANOMALY_BASELINE_HOURS)..i)
            .unwrap_or_default();
        if base.len() < ANOMALY_MIN_BASELINE_HOURS {
            continue;
        }
        let (Some(med), Some(m)) = (median(base), median(base).and_then(|md| mad(base, md))) else {
            continue;
        };
        let threshold = med + ANOMALY_MODIFIED_Z / MAD_TO_Z * m;
        if x > threshold && x - med >= ANOMALY_MIN_EXCESS_USD {
            out.push(Anomaly {
                time_ms: t,
                cost_usd: x,
                baseline_median_usd: med,
                threshold_usd: threshold,
            });
        }
    }
    out
}

/// The cost view (see the module documentation).
///
/// `series`: raw samples of every metric the view may use (each with `__name__`), covering the
/// earliest of `clock.fromMs`, `clock.monthStartMs` and `nowMs − forecastDays` up to the later of
/// `toMs` and `nowMs`. Names are detected from these series' names.
///
/// Special cases:
/// * no cost series: every dollar figure unavailable with "cost metric missing — looked for …";
/// * a series with fewer than two samples in a window contributes nothing there; no series with
///   two: "no cost data in range", never a zero;
/// * zero denominators: "no commits in range" etc.; missing metrics: "commit metric missing";
/// * counter resets: counted from zero (Prometheus' rule); colliding writers: flagged in
///   `health`, removed with `robust: true`;
/// * `NaN`/`±Inf` samples: skipped in exact mode, used as Prometheus does in PromQL mode (a
///   non-finite result becomes unavailable);
/// * fails with [`Error::InvalidConfig`] for a bad clock, a bad price table, a negative budget,
///   `robust` in PromQL mode, `maxGroups` 0 or a range longer than [`MAX_STEPS`] hours; with
///   [`Error::InvalidInput`] when a series' times do not increase.
pub fn evaluate_cost(
    series: &[Series],
    config: &CostConfig,
    clock: &CostClock,
) -> Result<CostReport> {
    clock.check()?;
    if config.robust && config.counter_mode == CounterMode::Promql {
        return Err(Error::InvalidConfig(
            "cost: robust mode removes phantom increases from exact increases; set counterMode to \"exact\" or robust to false".into(),
        ));
    }
    if config.max_groups == 0 {
        return Err(Error::InvalidConfig(
            "cost: maxGroups must be at least 1".into(),
        ));
    }
    if let Some(b) = config.monthly_budget_usd {
        if !b.is_finite() || b < 0.0 {
            return Err(Error::InvalidConfig(format!(
                "cost: monthlyBudgetUsd {b} must be a number ≥ 0"
            )));
        }
    }
    let hours = clock.to_ms.saturating_sub(clock.from_ms) / HOUR_MS;
    if hours > MAX_STEPS as i64 {
        return Err(Error::InvalidConfig(format!(
            "cost: the range is {hours} hours; at most {MAX_STEPS} hourly steps are computed"
        )));
    }
    let prices = match &config.prices {
        Some(p) => PriceTable::new(p)?,
        None => PriceTable::new(&default_prices()?)?,
    };
    let mode = Mode {
        counter: config.counter_mode,
        compat: config.promql_compat,
        robust: config.robust,
    };
    let exact = Mode {
        counter: CounterMode::Exact,
        compat: config.promql_compat,
        robust: config.robust,
    };

    let mut names_seen: Vec<&str> = series
        .iter()
        .filter_map(|s| s.labels.metric_name())
        .collect();
    names_seen.sort_unstable();
    names_seen.dedup();
    let names = detect_names_with(&names_seen, &config.metrics);
    let mut warnings: Vec<String> = names
        .roles
        .iter()
        .filter(|r| {
            r.found.is_none()
                || r.variant == Some(NamingVariant::Legacy)
                || !r.also_present.is_empty()
        })
        .map(|r| r.message.clone())
        .collect();

    warnings.extend(sample_warnings(series, &names));

    // Every series of a detected metric, checked and indexed once: each window is then a few
    // binary searches per series, whatever its length.
    let detected: Vec<&str> = names
        .roles
        .iter()
        .filter_map(|r| r.found.as_deref())
        .collect();
    let counters: Vec<Counter<'_>> = series
        .iter()
        .filter(|s| {
            s.labels
                .metric_name()
                .is_some_and(|n| detected.contains(&n))
        })
        .map(|s| {
            Ok(Counter {
                series: s,
                index: CounterIndex::of(s)?,
            })
        })
        .collect::<Result<_>>()?;
    let of = |role: Role| -> Vec<&Counter<'_>> {
        match names.name(role) {
            Some(n) => counters
                .iter()
                .filter(|c| c.series.labels.metric_name() == Some(n))
                .collect(),
            None => Vec::new(),
        }
    };
    let missing = |role: Role| format!("{} metric missing", role.title());
    let (from, to, now) = (clock.from_ms, clock.to_ms, clock.now_ms);
    let role_total = |role: Role, keep: &dyn Fn(&Labels) -> bool| -> Result<Amount> {
        if names.name(role).is_none() {
            return Ok(Err(missing(role)));
        }
        mode.total(
            of(role).into_iter().filter(|c| keep(&c.series.labels)),
            from,
            to,
            role.title(),
        )
    };
    let any = |_: &Labels| true;

    let cost_series = of(Role::Cost);
    let total = role_total(Role::Cost, &any)?;
    let cluster_cost = role_total(Role::ClusterCost, &any)?;
    let tokens = role_total(Role::Tokens, &any)?;

    // Breakdowns.
    let mut per_series_cost: Vec<(&Series, f64)> = Vec::new();
    for c in &cost_series {
        if let Some(v) = mode.increase(c, from, to)? {
            per_series_cost.push((c.series, v));
        }
    }
    let total_value = total.as_ref().ok().copied();
    let share = |v: f64| total_value.filter(|t| *t > 0.0).map(|t| v / t);
    let mut breakdowns = Vec::new();
    for label in &config.group_by {
        if !cost_series.is_empty()
            && cost_series
                .iter()
                .all(|c| c.series.labels.get(label).is_none())
        {
            let mut present: Vec<&str> = cost_series
                .iter()
                .flat_map(|c| c.series.labels.iter().map(|(k, _)| k))
                .filter(|k| *k != "__name__")
                .collect();
            present.sort_unstable();
            present.dedup();
            warnings.push(format!(
                "group by {label}: no cost series has this label; labels there: {}",
                present.join(", ")
            ));
        }
        let mut groups: BTreeMap<Option<String>, f64> = BTreeMap::new();
        for (s, v) in &per_series_cost {
            let key = s
                .labels
                .get(label)
                .filter(|x| !x.is_empty())
                .map(str::to_owned);
            *groups.entry(key).or_default() += v;
        }
        let mut rows: Vec<BreakdownRow> = groups
            .into_iter()
            .map(|(value, cost)| BreakdownRow {
                value,
                other: false,
                cost_usd: cost,
                share: share(cost),
            })
            .collect();
        rows.sort_by(|a, b| {
            b.cost_usd
                .total_cmp(&a.cost_usd)
                .then_with(|| a.value.cmp(&b.value))
        });
        if rows.len() > config.max_groups {
            let rest = rows.split_off(config.max_groups.saturating_sub(1));
            let cost: f64 = rest.iter().map(|r| r.cost_usd).sum();
            warnings.push(format!(
                "group by {label}: {} values; the smallest {} are summed into \"other\" (raise maxGroups to see them)",
                rows.len().saturating_add(rest.len()),
                rest.len()
            ));
            rows.push(BreakdownRow {
                value: None,
                other: true,
                cost_usd: cost,
                share: share(cost),
            });
        }
        breakdowns.push(Breakdown {
            label: label.clone(),
            rows,
        });
    }

    // Outcomes.
    let type_is = |wanted: &'static [&'static str]| {
        move |l: &Labels| l.get("type").map_or(true, |t| wanted.contains(&t))
    };
    let commits = role_total(Role::Commits, &any)?;
    let prs = role_total(Role::PullRequests, &any)?;
    let lines = role_total(Role::LinesOfCode, &type_is(&["added", "removed"]))?;
    let active_h = role_total(Role::ActiveTime, &any)?.map(|s| s / 3600.0);
    let sessions = role_total(Role::Sessions, &any)?;
    let tasks_are_status = names.name(Role::ClusterTasks) == Some("claude_tasks_total");
    let tasks = role_total(Role::ClusterTasks, &|l: &Labels| {
        !tasks_are_status || l.get("status") == Some("completed")
    })?;
    let accepted = role_total(Role::EditDecisions, &|l: &Labels| {
        l.get("decision") == Some("accept")
    })?;
    let task_cost = if cluster_cost.is_ok() {
        &cluster_cost
    } else {
        &total
    };
    let kilo_lines = lines.clone().map(|l| l / 1000.0);

    // Tokens by type.
    let token_of =
        |t: &'static str| role_total(Role::Tokens, &move |l: &Labels| l.get("type") == Some(t));
    let (input, cache_read, cache_creation) = (
        token_of("input")?,
        token_of("cacheRead")?,
        token_of("cacheCreation")?,
    );
    let cache_den: Amount = match (&input, &cache_read, &cache_creation) {
        (Err(e), Err(_), Err(_)) => Err(e.clone()),
        _ => Ok([&input, &cache_read, &cache_creation]
            .iter()
            .filter_map(|a| a.as_ref().ok())
            .sum()),
    };
    let cache_num: Amount = match (&cache_read, &cache_den) {
        (_, Err(e)) => Err(e.clone()),
        (r, Ok(_)) => Ok(r.as_ref().map_or(0.0, |v| *v)),
    };

    // Cache savings and what-if: exact token increases split where a price changes.
    let token_series = of(Role::Tokens);
    let priced = |model_of: &dyn Fn(&Series) -> Option<String>,
                  start: i64,
                  end: i64,
                  saving: bool,
                  warn: &mut Vec<String>|
     -> Result<Amount> {
        if token_series.is_empty() {
            return Ok(Err(missing(Role::Tokens)));
        }
        let mut bounds = vec![start];
        bounds.extend(prices.change_points(start, end));
        bounds.push(end);
        let mut sum = 0.0;
        for c in &token_series {
            let Some(kind) = c.series.labels.get("type") else {
                continue;
            };
            if saving && kind != "cacheRead" {
                continue;
            }
            let Some(model) = model_of(c.series) else {
                continue;
            };
            for w in bounds.windows(2) {
                let &[a, b] = w else { continue };
                let Some(n) = exact.increase(c, a, b)? else {
                    continue;
                };
                if n == 0.0 {
                    continue;
                }
                match prices.at(&model, b.saturating_sub(1)) {
                    Some(p) if saving => sum += n * (p.input - p.cache_read) / 1e6,
                    Some(p) => match p.of_type(kind) {
                        Some(price) => sum += n * price / 1e6,
                        None => warn.push(format!("tokens of type {kind} have no price; left out")),
                    },
                    None => warn.push(format!(
                        "no price for model {model}; its tokens are left out of the estimate"
                    )),
                }
            }
        }
        Ok(Ok(sum))
    };
    let mut price_warnings = Vec::new();
    let savings = priced(
        &|s: &Series| s.labels.get("model").map(str::to_owned),
        from,
        to,
        true,
        &mut price_warnings,
    )?;
    let mut what_if = Vec::new();
    for model in prices.models() {
        let m = model.clone();
        let cost = priced(
            &move |_: &Series| Some(m.clone()),
            clock.month_start_ms,
            now,
            false,
            &mut price_warnings,
        )?;
        what_if.push(WhatIf {
            model,
            cost_usd: Quantity::from(cost),
        });
    }
    price_warnings.sort();
    price_warnings.dedup();
    warnings.extend(price_warnings);

    let efficiency = Efficiency {
        cost_per_commit: ratio(&total, &commits, "commits"),
        cost_per_pull_request: ratio(&total, &prs, "pull requests"),
        cost_per_1k_lines: ratio(&total, &kilo_lines, "lines changed"),
        cost_per_active_hour: ratio(&total, &active_h, "active time"),
        cost_per_session: ratio(&total, &sessions, "sessions"),
        cost_per_completed_task: ratio(task_cost, &tasks, "completed tasks"),
        cost_per_accepted_edit: ratio(&total, &accepted, "accepted edits"),
        tokens_per_dollar: ratio(&tokens, &total, "cost"),
        cache_hit_ratio: ratio(&cache_num, &cache_den, "input or cache tokens"),
        cache_savings_usd: Quantity::from(savings),
    };

    // Calendar windows.
    let cost_window = |start: i64, end: i64| -> Result<Amount> {
        if cost_series.is_empty() {
            return Ok(Err(missing(Role::Cost)));
        }
        mode.total(cost_series.iter().copied(), start, end, "cost")
    };
    let today = cost_window(clock.today_start_ms, now)?;
    let rolling = cost_window(now.saturating_sub(DAY_MS), now)?;
    let mtd = cost_window(clock.month_start_ms, now)?;

    // Forecast.
    let mut daily = Vec::new();
    for k in 0..i64::from(config.forecast_days) {
        let day_end = now.saturating_sub(k.saturating_mul(DAY_MS));
        if let Ok(v) = cost_window(day_end.saturating_sub(DAY_MS), day_end)? {
            daily.push(v);
        }
    }
    let forecast = forecast(
        &daily,
        &mtd,
        config.monthly_budget_usd,
        now,
        clock.month_end_ms,
    );

    // Hourly cost, anomalies.
    // Series by series over all hours, each hour's sum added in series order (as a sum per hour
    // would); an hour where no series has an increase is left out. At most MAX_STEPS hours
    // (checked above).
    let hours: Vec<(i64, i64)> = (1..=MAX_STEPS as i64)
        .map(|k| from.saturating_add(k.saturating_mul(HOUR_MS)))
        .take_while(|&t| t <= to)
        .map(|t| (t.saturating_sub(HOUR_MS), t))
        .collect();
    let mut per_hour: Vec<Option<f64>> = vec![None; hours.len()];
    for c in &cost_series {
        for (sum, v) in per_hour.iter_mut().zip(mode.increases(c, &hours)?) {
            if let Some(v) = v {
                *sum = Some(sum.unwrap_or(0.0) + v);
            }
        }
    }
    let (hourly_time_ms, hourly_cost_usd): (Vec<i64>, Vec<f64>) = hours
        .iter()
        .zip(per_hour)
        .filter_map(|(&(_, t), sum)| sum.map(|v| (t, v)))
        .unzip();
    let cumulative_cost_usd = hourly_cost_usd
        .iter()
        .scan(0.0, |acc, v| {
            *acc += v.max(0.0);
            Some(*acc)
        })
        .collect();
    let anomalies = anomalies(&hourly_time_ms, &hourly_cost_usd);

    // Coverage.
    let known: f64 = per_series_cost
        .iter()
        .filter(|(s, _)| {
            s.labels
                .get(&config.user_label)
                .is_some_and(|u| !u.is_empty())
        })
        .map(|(_, v)| v)
        .sum();
    let outcome_roles = [
        Role::Commits,
        Role::PullRequests,
        Role::LinesOfCode,
        Role::Sessions,
        Role::ActiveTime,
        Role::EditDecisions,
        Role::ClusterTasks,
    ];
    let coverage = Coverage {
        user_label: config.user_label.clone(),
        user_known_share: ratio(&Ok(known), &total, "cost"),
        outcomes_present: outcome_roles
            .iter()
            .copied()
            .filter(|r| names.name(*r).is_some())
            .collect(),
        outcomes_missing: outcome_roles
            .iter()
            .copied()
            .filter(|r| names.name(*r).is_none())
            .collect(),
    };

    // Meter health of the cost series over the range.
    let windows: Vec<Series> = cost_series
        .iter()
        .map(|c| with_baseline(c.series, from, to))
        .collect();
    let h = meter_health(&windows)?;
    let mut flagged = Vec::new();
    for s in &h.series {
        let described: Vec<&MeterWarning> = s
            .warnings
            .iter()
            .filter(|w| !matches!(w, MeterWarning::NegativeValues { .. }))
            .collect();
        if !described.is_empty() {
            warnings.push(format!(
                "cost series {}: {} resets, {:.1} % of the exact total; {}",
                s.labels,
                s.exact.resets,
                s.share.unwrap_or(0.0) * 100.0,
                described
                    .iter()
                    .map(|w| match w {
                        MeterWarning::Oscillating { .. } => "several writers on one series (increase() overstates it; robust mode removes the phantom increases)",
                        MeterWarning::FrequentRestarts { .. } => "restarts far more often than a process does",
                        _ => "negative values",
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        if !s.warnings.is_empty() {
            flagged.push(FlaggedSeries {
                labels: s.labels.clone(),
                resets: s.exact.resets,
                share: s.share,
                warnings: s.warnings.clone(),
            });
        }
    }
    let health = CostHealth {
        exact_total_usd: h.total,
        robust_total_usd: h.robust_total,
        robust_removed_usd: h.robust_removed,
        flagged,
    };

    Ok(CostReport {
        counter_mode: config.counter_mode,
        promql_compat: (config.counter_mode == CounterMode::Promql).then_some(config.promql_compat),
        robust: config.robust,
        names,
        total_usd: Quantity::from(total),
        cluster_cost_usd: Quantity::from(cluster_cost),
        total_tokens: Quantity::from(tokens),
        breakdowns,
        efficiency,
        today_usd: Quantity::from(today),
        rolling_24h_usd: Quantity::from(rolling),
        month_to_date_usd: Quantity::from(mtd),
        forecast,
        anomalies,
        coverage,
        what_if,
        health,
        hourly_time_ms,
        hourly_cost_usd,
        cumulative_cost_usd,
        warnings,
    })
}

/// Warnings about the samples of the series whose names were detected: a series with no finite
/// sample (all `NaN` or `±Inf`, so it contributes nothing), and a counter with negative values
/// (counters never go below zero; a drop is read as a reset, as in Prometheus). Warnings, not
/// errors: the rest of the view stays usable.
fn sample_warnings(series: &[Series], names: &NameDetection) -> Vec<String> {
    let mut out = Vec::new();
    for s in series {
        let Some(name) = s.labels.metric_name() else {
            continue;
        };
        if !names.roles.iter().any(|r| r.found.as_deref() == Some(name)) {
            continue;
        }
        if !s.values.is_empty() && s.values.iter().all(|v| !v.is_finite()) {
            out.push(format!(
                "series {} has {} samples and none is a finite number (all NaN or ±Inf): it \
                 contributes nothing; check the exporter or the recording rule that writes it",
                s.labels,
                s.values.len()
            ));
            continue;
        }
        let negative = s.values.iter().filter(|v| **v < 0.0).count();
        if negative > 0 {
            out.push(format!(
                "counter {} has {negative} negative values; counters never go below zero. A drop \
                 is read as a reset (the new value counts from zero, as in Prometheus), so its \
                 increase may be wrong: check that the exporter does not write a gauge or a delta \
                 under a counter's name",
                s.labels
            ));
        }
    }
    out
}

/// The month-end forecast from daily costs (see [`Forecast`]).
fn forecast(
    daily: &[f64],
    mtd: &Amount,
    budget: Option<f64>,
    now: i64,
    month_end: i64,
) -> Forecast {
    let days_left = month_end.saturating_sub(now) as f64 / DAY_MS as f64;
    let rate: Amount = if daily.len() < FORECAST_MIN_DAYS {
        Err(format!(
            "fewer than {FORECAST_MIN_DAYS} days of cost data before now"
        ))
    } else {
        median(daily).ok_or_else(|| "no daily cost".to_owned())
    };
    let spread = rate
        .as_ref()
        .ok()
        .and_then(|r| mad(daily, *r))
        .map_or(0.0, |m| MAD_TO_SIGMA * m);
    let project = |daily_rate: f64| -> Amount {
        let m = mtd.clone()?;
        Ok(m + daily_rate.max(0.0) * days_left)
    };
    let (mid, low, high) = match &rate {
        Ok(r) => (project(*r), project(r - spread), project(r + spread)),
        Err(e) => (Err(e.clone()), Err(e.clone()), Err(e.clone())),
    };
    let budget_runout = match (budget, mtd, &rate) {
        (None, _, _) => BudgetRunout::Unavailable {
            reason: "no monthlyBudgetUsd configured".into(),
        },
        (Some(_), Err(e), _) => BudgetRunout::Unavailable { reason: e.clone() },
        (Some(b), Ok(m), _) if *m >= b => BudgetRunout::AlreadyExceeded,
        (Some(_), Ok(_), Err(e)) => BudgetRunout::Unavailable { reason: e.clone() },
        (Some(_), Ok(_), Ok(r)) if *r <= 0.0 => BudgetRunout::NotWithinMonth,
        (Some(b), Ok(m), Ok(r)) => {
            let t = now.saturating_add(((b - m) / r * DAY_MS as f64).ceil() as i64);
            if t < month_end {
                BudgetRunout::At { time_ms: t }
            } else {
                BudgetRunout::NotWithinMonth
            }
        }
    };
    Forecast {
        daily_run_rate_usd: Quantity::from(rate),
        days_used: daily.len(),
        month_end_usd: Quantity::from(mid),
        month_end_low_usd: Quantity::from(low),
        month_end_high_usd: Quantity::from(high),
        budget_usd: budget,
        budget_runout,
    }
}

#[cfg(test)]
mod tests;
