//! SLO error budgets: SLI, budget, burn rates, multi-window multi-burn-rate alerts, backtests.
//!
//! The arithmetic is the Google SRE workbook's, as Sloth and Pyrra implement it. With `E(w)` and
//! `T(w)` the bad and total events in a window `w`, objective `o` and period `P`:
//!
//! * error ratio `r(w) = E(w) / T(w)`; budget `B = 1 − o`; burn rate `b(w) = r(w) / B`;
//! * SLI over the period `1 − E(P) / T(P)`: **event-weighted** (the sum of events, not the
//!   average of per-interval ratios, which weighs a quiet night like a busy day);
//! * budget consumed `r(P) / B`, remaining `1 − consumed` (negative once overspent); in events:
//!   allowed `B · T(P)`, consumed `E(P)`, remaining `B · T(P) − E(P)`;
//! * time to exhaust the remaining budget at burn rate `b`: `remaining · P / b`;
//! * alert conditions fire when both windows burn faster than the factor; factors scale with `P`
//!   ([`default_conditions`]).
//!
//! Counters are read from raw samples through [`crate::counter`]: per-series increase (a drop is
//! a reset), then the sum across series; never the rate of a sum. [`CounterMode`] chooses the
//! exact increase (the default; windows add up) or PromQL's `sum(increase(m[w]))` for a given
//! Prometheus version (then every burn rate equals the PromQL expression
//! `sum(increase(bad[w])) / sum(increase(total[w])) / (1 − o)` step by step, see
//! `tests/slo_view.rs`). Every result says which mode it used.
//!
//! Where FleetLens deliberately differs from that PromQL: a window with zero traffic is "no data"
//! (`None`), where PromQL gives `NaN` (0/0) and an average over the period turns `NaN` with it;
//! and a bad-events selector without series where the total has traffic counts 0 bad events,
//! where PromQL's division has no result.
//!
//! The evaluation period comes from the caller as [`PeriodBounds`] (this module does not resolve
//! calendar periods or time zones).

mod checks;
mod config;
mod events;

pub use checks::GAP_MIN_MISSING_SAMPLES;
pub use config::{
    default_conditions, preset, BurnCondition, CalendarUnit, CounterMode, MatchOp, Matcher, Period,
    PeriodBounds, ResolvedCondition, Selector, Severity, Sli, SloConfig, PRESETS,
};
pub use events::{Events, SliData};

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::counter::RangeQuery;
use crate::error::Result;
use crate::frame::{Field, Frame, Labels, Series};
use crate::histogram::{Interpolation, ThresholdPosition};
use events::{group_key, Source};

/// The burn-rate windows every result reports, with their names.
pub const BURN_WINDOWS: &[(&str, i64)] = &[
    ("5m", 300_000),
    ("30m", 1_800_000),
    ("1h", 3_600_000),
    ("2h", 7_200_000),
    ("6h", 21_600_000),
    ("1d", 86_400_000),
    ("3d", 259_200_000),
];

/// The most groups a result lists; beyond it the first groups in label order are kept, with a
/// [`SloWarning::GroupsCapped`].
///
/// Each group costs one evaluation of every window; 200 rows are more than a table panel shows,
/// and a `group_by` on a high-cardinality label (`session_id`) is a mistake to report, not to
/// compute.
pub const MAX_GROUPS: usize = 200;

/// Something the user should know about a result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum SloWarning {
    /// No series were given for a selector.
    #[serde(rename_all = "camelCase")]
    NoSeries {
        /// The selector looked for, in PromQL notation.
        selector: String,
        /// What it means for the result.
        consequence: String,
    },
    /// A group had no traffic over the whole period: its SLI and budget are "no data".
    #[serde(rename_all = "camelCase")]
    NoData {
        /// The group.
        group: Labels,
    },
    /// The latency threshold is not a bucket bound: the share at or below it is interpolated.
    #[serde(rename_all = "camelCase")]
    ThresholdInterpolated {
        /// Where it sits (nearest bound, distance).
        position: ThresholdPosition,
        /// A readable explanation.
        message: String,
    },
    /// More groups than [`MAX_GROUPS`].
    #[serde(rename_all = "camelCase")]
    GroupsCapped {
        /// Groups found.
        found: usize,
        /// Groups kept.
        kept: usize,
    },
    /// A counter series (ratio or latency SLI) has negative values. Used as they are: a drop is
    /// a reset, as in Prometheus.
    #[serde(rename_all = "camelCase")]
    NegativeCounter {
        /// The series, in PromQL notation.
        series: String,
        /// How many samples are negative.
        count: usize,
        /// What it means and what to check.
        message: String,
    },
    /// A series has samples, but none is finite (all `NaN` or `±Inf`): it contributes nothing.
    #[serde(rename_all = "camelCase")]
    NoFiniteSamples {
        /// The series, in PromQL notation.
        series: String,
        /// How many samples it has.
        samples: usize,
        /// What it means and what to check.
        message: String,
    },
    /// Bucket counts of a latency SLI decreased with `le` and were raised to the count below,
    /// as Prometheus' `histogram_quantile` does.
    #[serde(rename_all = "camelCase")]
    BucketsNotMonotone {
        /// Histograms (one per window evaluated) that needed the fix.
        histograms: usize,
        /// The lowest bound raised.
        min_bound: f64,
        /// The highest bound raised.
        max_bound: f64,
        /// The largest amount a count was raised by.
        max_diff: f64,
        /// What it means and what to check.
        message: String,
    },
    /// An availability gauge has stretches without samples in the period (see
    /// [`GAP_MIN_MISSING_SAMPLES`]); they count neither as up nor as down.
    #[serde(rename_all = "camelCase")]
    SamplesMissing {
        /// The series, in PromQL notation.
        series: String,
        /// Seconds of missing samples (missing samples × the sample interval).
        missing_seconds: f64,
        /// The longest gap, seconds of missing samples.
        longest_gap_seconds: f64,
        /// The sample (or period start) after which the longest gap begins, epoch ms.
        longest_gap_start_ms: i64,
        /// What it means and what to do.
        message: String,
    },
    /// An alert window of the backtest is shorter than its step ([`slo_timeline`]).
    #[serde(rename_all = "camelCase")]
    WindowShorterThanStep {
        /// The window as written.
        window: String,
        /// The window, milliseconds.
        window_ms: i64,
        /// The step, milliseconds.
        step_ms: i64,
        /// What is and is not seen, and what to do.
        message: String,
    },
}

impl SloWarning {
    /// The warning as one sentence for a table or a log.
    pub fn message(&self) -> String {
        match self {
            SloWarning::NoSeries {
                selector,
                consequence,
            } => format!("no series for {selector}: {consequence}"),
            SloWarning::NoData { group } => format!("no traffic over the period for {group}"),
            SloWarning::GroupsCapped { found, kept } => {
                format!("{found} groups, only the first {kept} are listed")
            }
            SloWarning::ThresholdInterpolated { message, .. }
            | SloWarning::NegativeCounter { message, .. }
            | SloWarning::NoFiniteSamples { message, .. }
            | SloWarning::BucketsNotMonotone { message, .. }
            | SloWarning::SamplesMissing { message, .. }
            | SloWarning::WindowShorterThanStep { message, .. } => message.clone(),
        }
    }
}

/// The warning for latency histograms that needed the monotonicity fix, if any did.
fn monotonicity_warning(config: &SloConfig, source: &Source) -> Option<SloWarning> {
    let tally = source.fixes();
    let fix = tally.extent?;
    let histogram = match &config.sli {
        Sli::Latency { histogram, .. } => histogram.to_promql(),
        _ => String::new(),
    };
    Some(SloWarning::BucketsNotMonotone {
        histograms: tally.count,
        min_bound: fix.min_bound,
        max_bound: fix.max_bound,
        max_diff: fix.max_diff,
        message: format!(
            "histogram {histogram}: bucket counts decrease as le grows in {} of the windows evaluated (le {} to {}, by up to {}); they were raised to the count below, as Prometheus' histogram_quantile does. Check that all bucket series come from one histogram (a missing or extra label can mix two) and that no bucket series was reset alone",
            tally.count, fix.min_bound, fix.max_bound, fix.max_diff
        ),
    })
}

/// The budget over the period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// Bad events the objective allows over the traffic seen: `B · T(P)`.
    pub allowed_events: f64,
    /// Bad events so far: `E(P)`.
    pub consumed_events: f64,
    /// `allowed − consumed` (negative once overspent).
    pub remaining_events: f64,
    /// Share of the budget consumed: `r(P) / B` (above 1 once overspent).
    pub consumed: f64,
    /// `1 − consumed`.
    pub remaining: f64,
}

impl Budget {
    /// The budget for period events `e` and budget `b = 1 − o`; `None` when `e` has no error
    /// ratio (zero traffic).
    pub fn of(e: Events, b: f64) -> Option<Self> {
        let r = e.error_ratio()?;
        let consumed = r / b;
        let allowed = b * e.total;
        Some(Self {
            allowed_events: allowed,
            consumed_events: e.bad,
            remaining_events: allowed - e.bad,
            consumed,
            remaining: 1.0 - consumed,
        })
    }
}

/// The burn rate over one window ending at the evaluation time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BurnRate {
    /// The window as written (`1h`).
    pub window: String,
    /// The window, milliseconds.
    pub window_ms: i64,
    /// `E(w)` and `T(w)`; `None` when no series had samples in the window.
    pub events: Option<Events>,
    /// `E / T`; `None` ("no data") when there was no traffic.
    pub error_ratio: Option<f64>,
    /// `r / B`; `None` with the error ratio.
    pub burn_rate: Option<f64>,
}

/// The alert level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AlertLevel {
    /// No condition could be evaluated (every condition lacks a burn rate).
    NoData,
    /// No condition fires.
    Ok,
    /// A ticket condition fires, no page condition.
    Ticket,
    /// A page condition fires.
    Page,
}

/// A condition that fired, with the burn rates that made it fire.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FiredCondition {
    /// Page or ticket.
    pub severity: Severity,
    /// `"1h/5m"`.
    pub windows: String,
    /// The factor both burn rates exceeded.
    pub factor: f64,
    /// The burn rate over the long window.
    pub long_burn_rate: f64,
    /// The burn rate over the short window.
    pub short_burn_rate: f64,
}

/// The multi-window multi-burn-rate state and which conditions fired.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertState {
    /// The level: page when a page condition fires, else ticket when a ticket condition fires.
    pub level: AlertLevel,
    /// Every condition that fires.
    pub fired: Vec<FiredCondition>,
}

/// When the remaining budget runs out at a burn rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum Exhaustion {
    /// No burn rate or no budget (no traffic).
    NoData,
    /// The remaining budget is 0 or less already.
    Exhausted,
    /// The burn rate is 0: never.
    Never,
    /// In `remaining · P / b`.
    #[serde(rename_all = "camelCase")]
    In {
        /// Seconds from the evaluation time.
        seconds: f64,
    },
}

impl Exhaustion {
    /// Time to exhaust `remaining` (a share of the budget) at burn rate `b` over a period of
    /// `period_ms`: `remaining · P / b`. `None` inputs give [`Exhaustion::NoData`]; `remaining
    /// <= 0` gives [`Exhaustion::Exhausted`] (checked first); `b <= 0` gives
    /// [`Exhaustion::Never`].
    pub fn at(remaining: Option<f64>, burn_rate: Option<f64>, period_ms: i64) -> Self {
        match (remaining, burn_rate) {
            (Some(r), _) if r <= 0.0 => Exhaustion::Exhausted,
            (Some(_), Some(b)) if b <= 0.0 => Exhaustion::Never,
            (Some(r), Some(b)) => Exhaustion::In {
                seconds: r * (period_ms as f64 / 1000.0) / b,
            },
            _ => Exhaustion::NoData,
        }
    }
}

/// The SLO for one group (or for all series) at the evaluation time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupResult {
    /// The group-by labels (empty for the overall result).
    pub labels: Labels,
    /// `E(P)` and `T(P)` over the period bounds; `None` when no series had samples.
    pub period_events: Option<Events>,
    /// `1 − E(P)/T(P)`; `None` ("no data") with zero traffic.
    pub sli: Option<f64>,
    /// The budget; `None` with zero traffic.
    pub budget: Option<Budget>,
    /// Burn rates over [`BURN_WINDOWS`] and the alert windows.
    pub burn_rates: Vec<BurnRate>,
    /// The alert state.
    pub alert: AlertState,
    /// Time to exhaustion at the 1 h burn rate.
    pub exhaustion_1h: Exhaustion,
    /// Time to exhaustion at the 6 h burn rate.
    pub exhaustion_6h: Exhaustion,
}

impl GroupResult {
    /// The burn rate over the window `window_ms`, if evaluated and defined.
    pub fn burn_rate(&self, window_ms: i64) -> Option<f64> {
        self.burn_rates
            .iter()
            .find(|b| b.window_ms == window_ms)
            .and_then(|b| b.burn_rate)
    }
}

/// An SLO evaluated at the end of its period bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SloReport {
    /// The SLO's name.
    pub name: String,
    /// The objective `o`.
    pub objective: f64,
    /// The budget `B = 1 − o`.
    pub budget_share: f64,
    /// How counter increases were computed.
    pub counter_mode: CounterMode,
    /// The period evaluated.
    pub bounds: PeriodBounds,
    /// The alert conditions with their factors for this period.
    pub conditions: Vec<ResolvedCondition>,
    /// For a latency SLI: where the threshold sits among the bucket bounds.
    pub threshold: Option<ThresholdPosition>,
    /// All series together.
    pub overall: GroupResult,
    /// Per group (when `groupBy` is set), sorted by remaining budget, least first; groups with
    /// no data last.
    pub groups: Vec<GroupResult>,
    /// Warnings.
    pub warnings: Vec<SloWarning>,
}

/// Evaluates an SLO at `bounds.end_ms` over `(bounds.start_ms, bounds.end_ms]`.
///
/// Special cases:
/// * zero traffic in a window: that burn rate is `None` ("no data"), never `NaN`; zero traffic
///   over the whole period: SLI and budget `None`, with a [`SloWarning::NoData`];
/// * no series for a selector: a [`SloWarning::NoSeries`] naming it; no bad series with traffic
///   in the total counts 0 bad events;
/// * counter resets: handled per series by [`crate::counter`] (a drop counts from zero);
/// * `NaN` samples: skipped in exact mode; in PromQL mode they give `NaN` sums, reported as no
///   data;
/// * fails with [`crate::Error::InvalidConfig`] for a bad config or bounds (objective outside (0, 1),
///   end before start, …), [`crate::Error::InvalidInput`] for series whose times do not increase or data
///   of another SLI kind, [`crate::Error::InvalidHistogram`] for a histogram without `+Inf` bucket.
pub fn evaluate_slo(
    config: &SloConfig,
    data: &SliData<'_>,
    bounds: PeriodBounds,
) -> Result<SloReport> {
    config.check()?;
    bounds.check()?;
    let conditions = config.conditions(bounds.period_ms)?;
    let budget_share = config.budget();
    let mut warnings = selector_warnings(config, data);
    warnings.extend(checks::sample_warnings(data));
    warnings.extend(checks::gap_warnings(config, data, bounds));

    let overall_source = Source::new(config, data, None)?;
    let threshold = overall_source.threshold_position();
    if let Some(p) = threshold.filter(|p| p.interpolation != Interpolation::Exact) {
        warnings.push(SloWarning::ThresholdInterpolated {
            position: p,
            message: p.to_string(),
        });
    }
    let overall = evaluate_group(&overall_source, Labels::new(), config, &conditions, bounds)?;

    let mut groups = Vec::new();
    if !config.group_by.is_empty() {
        let keys = group_keys(config, data);
        if keys.len() > MAX_GROUPS {
            warnings.push(SloWarning::GroupsCapped {
                found: keys.len(),
                kept: MAX_GROUPS,
            });
        }
        for key in keys.into_iter().take(MAX_GROUPS) {
            let source = Source::new(config, data, Some(&key))?;
            groups.push(evaluate_group(&source, key, config, &conditions, bounds)?);
        }
        groups.sort_by(|a, b| {
            let rem = |g: &GroupResult| g.budget.map(|x| x.remaining);
            match (rem(a), rem(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.labels.cmp(&b.labels),
            }
        });
    }
    warnings.extend(monotonicity_warning(config, &overall_source));
    for g in std::iter::once(&overall).chain(&groups) {
        if g.sli.is_none() && !overall_source.is_empty() {
            warnings.push(SloWarning::NoData {
                group: g.labels.clone(),
            });
        }
    }
    Ok(SloReport {
        name: config.name.clone(),
        objective: config.objective,
        budget_share,
        counter_mode: config.counter_mode,
        bounds,
        conditions,
        threshold,
        overall,
        groups,
        warnings,
    })
}

fn selector_warnings(config: &SloConfig, data: &SliData<'_>) -> Vec<SloWarning> {
    let mut out = Vec::new();
    let mut check = |series: &[Series], selector: &Selector, consequence: &str| {
        if series.is_empty() {
            out.push(SloWarning::NoSeries {
                selector: selector.to_promql(),
                consequence: consequence.to_owned(),
            });
        }
    };
    match (&config.sli, data) {
        (Sli::Ratio { good, bad, total }, SliData::Ratio { selected, total: t }) => {
            if let Some(b) = bad {
                check(
                    selected,
                    b,
                    "counted as 0 bad events where the total has traffic",
                );
            }
            if let Some(g) = good {
                check(
                    selected,
                    g,
                    "no data: good events are needed to count bad ones",
                );
            }
            check(t, total, "no data");
        }
        (Sli::Latency { histogram, .. }, SliData::Latency { buckets }) => {
            check(buckets, histogram, "no data");
        }
        (Sli::Availability { gauge, .. }, SliData::Availability { gauge: g }) => {
            check(g, gauge, "no data");
        }
        _ => {}
    }
    out
}

fn group_keys(config: &SloConfig, data: &SliData<'_>) -> BTreeSet<Labels> {
    let series: &[Series] = match data {
        SliData::Ratio { total, .. } => total,
        SliData::Latency { buckets } => buckets,
        SliData::Availability { gauge } => gauge,
    };
    series
        .iter()
        .map(|s| group_key(&s.labels, &config.group_by))
        .collect()
}

/// Events over `(at − range, at]`, or `None` without data.
fn events_at(source: &Source, at_ms: i64, range_ms: i64) -> Result<Option<Events>> {
    let q = RangeQuery::new(at_ms, at_ms, 1, range_ms)?;
    Ok(source.events(&q)?.into_iter().next().flatten())
}

/// The windows to evaluate: [`BURN_WINDOWS`] plus the conditions' windows, by length.
fn windows(conditions: &[ResolvedCondition]) -> Vec<(String, i64)> {
    let mut all: BTreeMap<i64, String> = BURN_WINDOWS
        .iter()
        .map(|&(n, ms)| (ms, n.to_owned()))
        .collect();
    for c in conditions {
        all.entry(c.long_ms)
            .or_insert_with(|| c.long_window.clone());
        all.entry(c.short_ms)
            .or_insert_with(|| c.short_window.clone());
    }
    all.into_iter().map(|(ms, n)| (n, ms)).collect()
}

/// The alert state from burn rates looked up by window length.
fn alert_state(conditions: &[ResolvedCondition], rate: impl Fn(i64) -> Option<f64>) -> AlertState {
    let mut fired = Vec::new();
    let mut evaluated = false;
    for c in conditions {
        let (Some(long), Some(short)) = (rate(c.long_ms), rate(c.short_ms)) else {
            continue;
        };
        evaluated = true;
        if long > c.factor && short > c.factor {
            fired.push(FiredCondition {
                severity: c.severity,
                windows: format!("{}/{}", c.long_window, c.short_window),
                factor: c.factor,
                long_burn_rate: long,
                short_burn_rate: short,
            });
        }
    }
    let level = if fired.iter().any(|f| f.severity == Severity::Page) {
        AlertLevel::Page
    } else if !fired.is_empty() {
        AlertLevel::Ticket
    } else if evaluated {
        AlertLevel::Ok
    } else {
        AlertLevel::NoData
    };
    AlertState { level, fired }
}

fn evaluate_group(
    source: &Source,
    labels: Labels,
    config: &SloConfig,
    conditions: &[ResolvedCondition],
    bounds: PeriodBounds,
) -> Result<GroupResult> {
    let b = config.budget();
    let period_events = events_at(
        source,
        bounds.end_ms,
        bounds.end_ms.saturating_sub(bounds.start_ms),
    )?;
    let budget = period_events.and_then(|e| Budget::of(e, b));
    let sli = period_events.and_then(|e| e.error_ratio()).map(|r| 1.0 - r);
    let mut burn_rates = Vec::new();
    for (window, window_ms) in windows(conditions) {
        let events = events_at(source, bounds.end_ms, window_ms)?;
        let error_ratio = events.and_then(|e| e.error_ratio());
        burn_rates.push(BurnRate {
            window,
            window_ms,
            events,
            error_ratio,
            burn_rate: error_ratio.map(|r| r / b),
        });
    }
    let rate = |ms: i64| {
        burn_rates
            .iter()
            .find(|x| x.window_ms == ms)
            .and_then(|x| x.burn_rate)
    };
    let alert = alert_state(conditions, rate);
    let remaining = budget.map(|x| x.remaining);
    Ok(GroupResult {
        labels,
        period_events,
        sli,
        budget,
        exhaustion_1h: Exhaustion::at(remaining, rate(3_600_000), bounds.period_ms),
        exhaustion_6h: Exhaustion::at(remaining, rate(21_600_000), bounds.period_ms),
        burn_rates,
        alert,
    })
}

/// The steps of a timeline: `start_ms`, `start_ms + step_ms`, … up to `end_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Steps {
    /// First step, epoch milliseconds.
    pub start_ms: i64,
    /// Last possible step, epoch milliseconds.
    pub end_ms: i64,
    /// Time between steps, milliseconds.
    pub step_ms: i64,
}

/// One burn-rate window over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BurnRateSeries {
    /// The window as written.
    pub window: String,
    /// The window, milliseconds.
    pub window_ms: i64,
    /// The burn rate at each step; `None` for no data.
    pub values: Vec<Option<f64>>,
}

/// An interval of the backtest during which a severity would have fired.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertInterval {
    /// Page or ticket.
    pub severity: Severity,
    /// The first step at which it fired.
    pub start_ms: i64,
    /// The last consecutive step at which it fired.
    pub end_ms: i64,
    /// Number of steps.
    pub steps: usize,
    /// The conditions that fired during the interval (`"1h/5m"`).
    pub conditions: Vec<String>,
}

/// Remaining budget over the period with the ideal line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BurnDown {
    /// Steps from the period start to its end bound.
    pub time_ms: Vec<i64>,
    /// `1 − r(start, t]/B · (t − start)/P`: the budget left if the error ratio so far is what the
    /// period had consumed by `t` (burning at `b` for time `w` consumes `b·w/P`). It follows the
    /// ideal line when the burn rate is 1, and at the end of a full period it equals the report's
    /// `remaining`. For a period in progress the report's `remaining` (`1 − r/B` over the traffic
    /// so far) is the value the period ends with if the error ratio stays; this line is the part
    /// already spent. `None` with no traffic yet.
    pub remaining: Vec<Option<f64>>,
    /// The ideal line, `1 − (t − start)/P`: burning exactly the budget (burn rate 1).
    pub ideal: Vec<f64>,
}

/// An SLO over time: burn rates, the alert backtest and the burn-down.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SloTimeline {
    /// How counter increases were computed.
    pub counter_mode: CounterMode,
    /// The steps.
    pub time_ms: Vec<i64>,
    /// Burn rate per window at each step.
    pub burn_rates: Vec<BurnRateSeries>,
    /// The alert level at each step.
    pub levels: Vec<AlertLevel>,
    /// Intervals of consecutive steps at which page (or ticket) conditions fired; page and
    /// ticket are tracked separately, so a ticket interval may overlap a page one.
    pub alerts: Vec<AlertInterval>,
    /// Remaining budget over the period bounds, at the same step length.
    pub burn_down: BurnDown,
    /// Warnings: as in [`SloReport::warnings`] (no groups here), plus
    /// [`SloWarning::WindowShorterThanStep`].
    pub warnings: Vec<SloWarning>,
}

/// Evaluates an SLO's burn rates and alert conditions at every step of `steps` (the alert
/// backtest), and the burn-down over `bounds` at `steps.step_ms`, for all series together.
///
/// Special cases: a window without traffic at a step is `None`, and conditions that need it do
/// not fire; a step where no condition can be evaluated has level [`AlertLevel::NoData`]; an
/// alert window shorter than the step: a [`SloWarning::WindowShorterThanStep`] (the burn rate at
/// each step covers only the last window, so events earlier in the step are in no window of that
/// length; longer windows still count them);
/// errors as in [`evaluate_slo`], plus [`crate::Error::InvalidConfig`] for a step that is not positive
/// or more than [`crate::counter::MAX_STEPS`] steps.
pub fn slo_timeline(
    config: &SloConfig,
    data: &SliData<'_>,
    bounds: PeriodBounds,
    steps: Steps,
) -> Result<SloTimeline> {
    config.check()?;
    bounds.check()?;
    let conditions = config.conditions(bounds.period_ms)?;
    let b = config.budget();
    let source = Source::new(config, data, None)?;
    let mut warnings = selector_warnings(config, data);
    warnings.extend(checks::sample_warnings(data));
    warnings.extend(checks::gap_warnings(config, data, bounds));
    warnings.extend(checks::step_warnings(&conditions, steps.step_ms));
    if let Some(p) = source
        .threshold_position()
        .filter(|p| p.interpolation != Interpolation::Exact)
    {
        warnings.push(SloWarning::ThresholdInterpolated {
            position: p,
            message: p.to_string(),
        });
    }
    let grid = RangeQuery::new(steps.start_ms, steps.end_ms, steps.step_ms, 1)?;
    let time_ms: Vec<i64> = grid.steps().collect();

    let mut burn_rates = Vec::new();
    for (window, window_ms) in windows(&conditions) {
        let q = RangeQuery::new(steps.start_ms, steps.end_ms, steps.step_ms, window_ms)?;
        // The same steps as `grid`: one entry per step, in order.
        let values = source
            .events(&q)?
            .into_iter()
            .map(|e| e.as_ref().and_then(Events::error_ratio).map(|r| r / b))
            .collect();
        burn_rates.push(BurnRateSeries {
            window,
            window_ms,
            values,
        });
    }

    let mut levels = Vec::with_capacity(time_ms.len());
    let mut alerts: Vec<AlertInterval> = Vec::new();
    let mut open: BTreeMap<Severity, AlertInterval> = BTreeMap::new();
    for (k, &t) in time_ms.iter().enumerate() {
        let rate = |ms: i64| {
            burn_rates
                .iter()
                .find(|s| s.window_ms == ms)
                .and_then(|s| s.values.get(k).copied().flatten())
        };
        let state = alert_state(&conditions, rate);
        levels.push(state.level);
        for severity in [Severity::Page, Severity::Ticket] {
            let fired: Vec<String> = state
                .fired
                .iter()
                .filter(|f| f.severity == severity)
                .map(|f| f.windows.clone())
                .collect();
            if fired.is_empty() {
                if let Some(done) = open.remove(&severity) {
                    alerts.push(done);
                }
                continue;
            }
            let interval = open.entry(severity).or_insert(AlertInterval {
                severity,
                start_ms: t,
                end_ms: t,
                steps: 0,
                conditions: Vec::new(),
            });
            interval.end_ms = t;
            interval.steps = interval.steps.saturating_add(1);
            for c in fired {
                if !interval.conditions.contains(&c) {
                    interval.conditions.push(c);
                }
            }
        }
    }
    alerts.extend(open.into_values());
    alerts.sort_by_key(|a| (a.start_ms, a.severity));

    let burn_down = burn_down(&source, bounds, steps.step_ms, b)?;
    warnings.extend(monotonicity_warning(config, &source));
    Ok(SloTimeline {
        counter_mode: config.counter_mode,
        time_ms,
        burn_rates,
        levels,
        alerts,
        burn_down,
        warnings,
    })
}

fn burn_down(source: &Source, bounds: PeriodBounds, step_ms: i64, b: f64) -> Result<BurnDown> {
    let grid = RangeQuery::new(bounds.start_ms, bounds.end_ms, step_ms, 1)?;
    let mut times: Vec<i64> = grid.steps().collect();
    if times.last() != Some(&bounds.end_ms) {
        times.push(bounds.end_ms);
    }
    let p = bounds.period_ms as f64;
    // Every window starts at the period start: one pass over the steps.
    let windows: Vec<(i64, i64)> = times
        .iter()
        .filter(|&&t| t > bounds.start_ms)
        .map(|&t| (t, t.saturating_sub(bounds.start_ms)))
        .collect();
    let mut events = source.events_over(&windows)?.into_iter();
    let mut out = BurnDown::default();
    for t in times {
        let elapsed = t.saturating_sub(bounds.start_ms) as f64 / p;
        let remaining = if t <= bounds.start_ms {
            Some(1.0)
        } else {
            events
                .next()
                .flatten()
                .as_ref()
                .and_then(Events::error_ratio)
                .map(|r| 1.0 - r / b * elapsed)
        };
        out.time_ms.push(t);
        out.remaining.push(remaining);
        out.ideal.push(1.0 - elapsed);
    }
    Ok(out)
}

impl SloTimeline {
    /// The time series as Grafana frames: `burn rates` (one field per window, unit `short`) and
    /// `error budget` (`remaining` and `ideal`, unit `percentunit`). "No data" is `NaN`, which
    /// frames serialize as `null` (a gap).
    pub fn to_frames(&self) -> Vec<Frame> {
        let field = |name: String, unit: &str, values: Vec<f64>| Field {
            name,
            labels: Labels::new(),
            unit: Some(unit.to_owned()),
            values,
        };
        let or_nan = |v: &[Option<f64>]| v.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
        let rates = Frame {
            name: Some("burn rates".to_owned()),
            time_ms: self.time_ms.clone(),
            text: Vec::new(),
            fields: self
                .burn_rates
                .iter()
                .map(|s| {
                    field(
                        format!("burn rate {}", s.window),
                        "short",
                        or_nan(&s.values),
                    )
                })
                .collect(),
        };
        let budget = Frame {
            name: Some("error budget".to_owned()),
            time_ms: self.burn_down.time_ms.clone(),
            text: Vec::new(),
            fields: vec![
                field(
                    "remaining".to_owned(),
                    "percentunit",
                    or_nan(&self.burn_down.remaining),
                ),
                field(
                    "ideal".to_owned(),
                    "percentunit",
                    self.burn_down.ideal.clone(),
                ),
            ],
        };
        vec![rates, budget]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::arithmetic_side_effects, reason = "test data")]

    use super::*;

    const MIN: i64 = 60_000;
    const DAY: i64 = 86_400_000;

    fn counter(labels: &[(&str, &str)], step_ms: i64, values: &[f64]) -> Series {
        Series {
            labels: Labels::from_pairs(labels.iter().copied()),
            time_ms: (0..values.len() as i64).map(|k| k * step_ms).collect(),
            values: values.to_vec(),
        }
    }

    fn ratio_config(objective: f64) -> SloConfig {
        SloConfig::from_json(&format!(
            r#"{{"name":"t","objective":{objective},"period":{{"rolling":"30d"}},
                "sli":{{"ratio":{{"bad":{{"metric":"req","matchers":[{{"label":"status","op":"=~","value":"5.."}}]}},
                                  "total":{{"metric":"req"}}}}}}}}"#
        ))
        .unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12)
    }

    #[test]
    fn factors_scale_with_the_period() {
        // factor = share · P / long: 0.02 · 720 h / 1 h = 14.4, 0.05 · 720/6 = 6,
        // 0.1 · 720/24 = 3, 0.1 · 720/72 = 1; for 28 d (672 h): 13.44, 5.6, 2.8, 0.9333….
        let cases: &[(&str, i64, [f64; 4])] = &[
            ("30d", 30 * DAY, [14.4, 6.0, 3.0, 1.0]),
            ("28d", 28 * DAY, [13.44, 5.6, 2.8, 0.1 * 672.0 / 72.0]),
            ("7d", 7 * DAY, [3.36, 1.4, 0.7, 0.1 * 168.0 / 72.0]),
        ];
        for (name, p, want) in cases {
            let got: Vec<f64> = ratio_config(0.999)
                .conditions(*p)
                .unwrap()
                .iter()
                .map(|c| c.factor)
                .collect();
            for (g, w) in got.iter().zip(want) {
                assert!(close(*g, *w), "case {name} failed: {got:?}");
            }
        }
    }

    #[test]
    fn bad_configs_say_what_is_wrong() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "objective above 1",
                r#"{"name":"a","objective":1.5,"period":{"rolling":"30d"},"sli":{"ratio":{"bad":{"metric":"x"},"total":{"metric":"y"}}}}"#,
                "objective 1.5 is outside (0, 1)",
            ),
            (
                "objective 1",
                r#"{"name":"a","objective":1,"period":{"rolling":"30d"},"sli":{"ratio":{"bad":{"metric":"x"},"total":{"metric":"y"}}}}"#,
                "objective 1 is outside (0, 1)",
            ),
            (
                "good and bad",
                r#"{"name":"a","objective":0.9,"period":{"rolling":"30d"},"sli":{"ratio":{"good":{"metric":"x"},"bad":{"metric":"x"},"total":{"metric":"y"}}}}"#,
                "exactly one of good and bad",
            ),
            (
                "unknown field",
                r#"{"name":"a","objective":0.9,"period":{"rolling":"30d"},"window":"30d","sli":{"ratio":{"bad":{"metric":"x"},"total":{"metric":"y"}}}}"#,
                "unknown field `window`",
            ),
            (
                "bad period",
                r#"{"name":"a","objective":0.9,"period":{"rolling":"30 days"},"sli":{"ratio":{"bad":{"metric":"x"},"total":{"metric":"y"}}}}"#,
                "duration",
            ),
            (
                "latency threshold",
                r#"{"name":"a","objective":0.9,"period":{"calendar":"month"},"sli":{"latency":{"histogram":{"metric":"h"},"thresholdSeconds":0}}}"#,
                "positive number of seconds",
            ),
        ];
        for (name, json, want) in cases {
            let err = SloConfig::from_json(json).unwrap_err().to_string();
            assert!(err.contains(want), "case {name} failed: {err}");
        }
        let c = BurnCondition {
            severity: Severity::Page,
            long_window: "5m".to_owned(),
            short_window: "1h".to_owned(),
            factor: Some(2.0),
            budget_consumed: None,
        };
        assert!(c.resolve(DAY).unwrap_err().to_string().contains("shorter"));
    }

    #[test]
    fn presets_parse_back_from_their_json() {
        for name in PRESETS {
            let c = preset(name).unwrap();
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(
                SloConfig::from_json(&json).unwrap(),
                c,
                "case {name} failed"
            );
        }
        let c = preset("http-availability").unwrap();
        let Sli::Ratio { bad: Some(bad), .. } = &c.sli else {
            panic!("ratio expected")
        };
        assert_eq!(bad.to_promql(), "http_requests_total{status=~\"5..\"}");
        assert!(preset("nope")
            .unwrap_err()
            .to_string()
            .contains("http-availability"));
        let json = serde_json::to_value(CounterMode::Promql(crate::counter::PromqlCompat::V2));
        assert_eq!(json.unwrap(), serde_json::json!({"promql": "v2"}));
    }

    #[test]
    fn budget_and_exhaustion_by_hand() {
        // 30 bad of 10 000 with o = 0.999: r = 0.003, consumed = 0.003/0.001 = 3 (overspent),
        // allowed = 10 events. 4 bad of 10 000: consumed 0.4, remaining 0.6, allowed 10,
        // remaining 6 events.
        let b = 1.0 - 0.999;
        let over = Budget::of(
            Events {
                bad: 30.0,
                total: 10_000.0,
            },
            b,
        )
        .unwrap();
        assert!(close(over.consumed, 3.0) && close(over.remaining, -2.0));
        let ok = Budget::of(
            Events {
                bad: 4.0,
                total: 10_000.0,
            },
            b,
        )
        .unwrap();
        assert!(close(ok.consumed, 0.4) && close(ok.remaining, 0.6));
        assert!(close(ok.allowed_events, 10.0) && close(ok.remaining_events, 6.0));
        assert_eq!(
            Budget::of(
                Events {
                    bad: 0.0,
                    total: 0.0
                },
                b
            ),
            None
        );
        // remaining 0.6 at burn rate 14.4 over 30 d: 0.6 · 720 h / 14.4 = 30 h = 108 000 s.
        let cases: &[(&str, Option<f64>, Option<f64>, Exhaustion)] = &[
            (
                "burning",
                Some(0.6),
                Some(14.4),
                Exhaustion::In { seconds: 108_000.0 },
            ),
            ("idle", Some(0.6), Some(0.0), Exhaustion::Never),
            ("spent", Some(0.0), Some(3.0), Exhaustion::Exhausted),
            (
                "overspent, idle",
                Some(-1.0),
                Some(0.0),
                Exhaustion::Exhausted,
            ),
            ("no rate", Some(0.5), None, Exhaustion::NoData),
            ("no budget", None, Some(1.0), Exhaustion::NoData),
        ];
        for (name, r, rate, want) in cases {
            let got = Exhaustion::at(*r, *rate, 30 * DAY);
            match (got, want) {
                (Exhaustion::In { seconds: g }, Exhaustion::In { seconds: w }) => {
                    assert!(close(g, *w), "case {name} failed: {g}")
                }
                _ => assert_eq!(got, *want, "case {name} failed"),
            }
        }
    }

    #[test]
    fn alert_levels_by_hand() {
        let conditions = ratio_config(0.999).conditions(30 * DAY).unwrap();
        // (name, burn rates for 5m, 30m, 1h, 2h, 6h, 1d, 3d, level, fired)
        type Case = (
            &'static str,
            [Option<f64>; 7],
            AlertLevel,
            &'static [&'static str],
        );
        let s = Some;
        let cases: &[Case] = &[
            (
                "fast burn",
                [s(20.), s(9.), s(15.), s(9.), s(3.), s(2.), s(0.5)],
                AlertLevel::Page,
                &["1h/5m"],
            ),
            (
                "short window recovered",
                [s(1.), s(9.), s(15.), s(9.), s(3.), s(2.), s(0.5)],
                AlertLevel::Ok,
                &[],
            ),
            (
                "slow burn",
                [s(2.), s(2.), s(2.), s(4.), s(2.), s(3.5), s(2.)],
                AlertLevel::Ticket,
                &["1d/2h", "3d/6h"],
            ),
            (
                "both",
                [s(20.), s(7.), s(15.), s(9.), s(7.), s(4.), s(2.)],
                AlertLevel::Page,
                &["1h/5m", "6h/30m", "1d/2h", "3d/6h"],
            ),
            (
                "at the factor is not above",
                [s(14.4), s(6.), s(14.4), s(3.), s(6.), s(3.), s(1.)],
                AlertLevel::Ok,
                &[],
            ),
            ("no traffic", [None; 7], AlertLevel::NoData, &[]),
        ];
        for (name, rates, level, fired) in cases {
            let lookup = |ms: i64| {
                BURN_WINDOWS
                    .iter()
                    .position(|&(_, w)| w == ms)
                    .and_then(|i| rates[i])
            };
            let state = alert_state(&conditions, lookup);
            let got: Vec<&str> = state.fired.iter().map(|f| f.windows.as_str()).collect();
            assert_eq!(
                (state.level, got.as_slice()),
                (*level, *fired),
                "case {name} failed"
            );
        }
    }

    /// Traffic every minute for 3 h: 100 requests/min, 1 of them 5xx every 10 min; a reset of the
    /// total series at 90 min; nothing at all from 150 min on (zero traffic).
    fn scenario() -> (Vec<Series>, Vec<Series>) {
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        let (mut o, mut b) = (0.0, 0.0);
        for k in 0..=180 {
            if k > 0 && k < 150 {
                o += 99.0;
                if k % 10 == 0 {
                    b += 1.0;
                    o += 0.0;
                } else {
                    o += 1.0;
                }
            }
            if k == 90 {
                o = 99.0; // the process restarted; its counter counted this minute's 99 since.
            }
            ok.push(o);
            bad.push(b);
        }
        let ok = counter(&[("status", "200")], MIN, &ok);
        let bad = counter(&[("status", "500")], MIN, &bad);
        (vec![bad.clone()], vec![ok, bad])
    }

    #[test]
    fn overall_result_with_group_by_counts_every_series() {
        // Two jobs, each 10 requests a minute for 10 minutes: job a has 1 bad a minute, job b
        // none. Overall: 10 bad of 200; per group: a 10 of 100, b 0 of 100. With `groupBy` set,
        // the overall result must still see both jobs (not only series lacking the `job` label).
        let ramp = |per_min: f64| (0..=10).map(|k| k as f64 * per_min).collect::<Vec<_>>();
        let total = vec![
            counter(&[("job", "a")], MIN, &ramp(10.0)),
            counter(&[("job", "b")], MIN, &ramp(10.0)),
        ];
        let selected = vec![
            counter(&[("job", "a")], MIN, &ramp(1.0)),
            counter(&[("job", "b")], MIN, &ramp(0.0)),
        ];
        let data = SliData::Ratio {
            selected: &selected,
            total: &total,
        };
        let mut config = ratio_config(0.99);
        config.group_by = vec!["job".to_owned()];
        let bounds = PeriodBounds {
            start_ms: 0,
            end_ms: 10 * MIN,
            period_ms: DAY,
        };
        let r = evaluate_slo(&config, &data, bounds).unwrap();
        let e = r.overall.period_events.unwrap();
        assert_eq!((e.bad, e.total), (10.0, 200.0));
        assert_eq!(r.groups.len(), 2);
        let a = r
            .groups
            .iter()
            .find(|g| g.labels.get("job") == Some("a"))
            .unwrap();
        let e = a.period_events.unwrap();
        assert_eq!((e.bad, e.total), (10.0, 100.0));
    }

    #[test]
    fn ratio_sli_by_hand() {
        let (selected, total) = scenario();
        let data = SliData::Ratio {
            selected: &selected,
            total: &total,
        };
        let config = ratio_config(0.99);
        let bounds = PeriodBounds {
            start_ms: 0,
            end_ms: 180 * MIN,
            period_ms: DAY,
        };
        let r = evaluate_slo(&config, &data, bounds).unwrap();
        // 149 minutes of traffic (k = 1..149): 100 each = 14 900 events; the reset at 90 loses
        // nothing in exact mode (the drop counts from zero: 99, the minute's good traffic);
        // bad: k = 10, 20, …, 140 = 14 events. r = 14/14 900.
        let e = r.overall.period_events.unwrap();
        assert_eq!((e.bad, e.total), (14.0, 14_900.0));
        assert!(close(r.overall.sli.unwrap(), 1.0 - 14.0 / 14_900.0));
        let budget = r.overall.budget.unwrap();
        assert!(close(budget.consumed, 14.0 / 14_900.0 / (1.0 - 0.99)));
        assert!(close(budget.remaining, 1.0 - budget.consumed));
        // At 180 min the last 30 min had no traffic: 5m, 30m are no data; 1h holds
        // k = 121..149: 2 900 events, 2 bad (130, 140): b = 2/2900/0.01.
        assert_eq!(r.overall.burn_rate(300_000), None);
        assert_eq!(r.overall.burn_rate(1_800_000), None);
        assert!(close(
            r.overall.burn_rate(3_600_000).unwrap(),
            2.0 / 2900.0 / 0.01
        ));
        let five = &r.overall.burn_rates[0];
        assert_eq!(
            five.events,
            Some(Events {
                bad: 0.0,
                total: 0.0
            })
        );
        // P = 1 d: the 3d/6h ticket factor is 0.1 · 1 d/3 d = 0.0333…; b(3d) = b(6h) =
        // 14/14 900/0.01 = 0.0940 exceeds it, the 1d/2h factor 0.1 is not exceeded.
        assert_eq!(r.overall.alert.level, AlertLevel::Ticket);
        assert_eq!(r.overall.alert.fired[0].windows, "3d/6h");
        assert_eq!(r.counter_mode, CounterMode::Exact);
        // No group-by: no table; the JSON has no NaN anywhere.
        assert!(r.groups.is_empty());
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("NaN") && !json.contains("null,\"burnRate\":NaN"));
    }

    #[test]
    fn zero_traffic_period_is_no_data_not_nan() {
        let flat = counter(&[("status", "200")], MIN, &[5.0; 30]);
        let data = SliData::Ratio {
            selected: &[],
            total: std::slice::from_ref(&flat),
        };
        let bounds = PeriodBounds {
            start_ms: 0,
            end_ms: 29 * MIN,
            period_ms: DAY,
        };
        let r = evaluate_slo(&ratio_config(0.999), &data, bounds).unwrap();
        assert_eq!((r.overall.sli, r.overall.budget), (None, None));
        assert_eq!(r.overall.exhaustion_1h, Exhaustion::NoData);
        assert_eq!(r.overall.alert.level, AlertLevel::NoData);
        let kinds: Vec<String> = r
            .warnings
            .iter()
            .map(|w| serde_json::to_value(w).unwrap()["kind"].to_string())
            .collect();
        assert_eq!(kinds, ["\"noSeries\"", "\"noData\""]);
    }

    #[test]
    fn groups_are_sorted_by_remaining_budget() {
        let s =
            |ep: &str, st: &str, v: &[f64]| counter(&[("endpoint", ep), ("status", st)], MIN, v);
        let total = vec![
            s("/a", "200", &[0.0, 100.0, 200.0]),
            s("/a", "500", &[0.0, 0.0, 1.0]),
            s("/b", "200", &[0.0, 100.0, 200.0]),
            s("/b", "500", &[0.0, 5.0, 10.0]),
            s("/c", "200", &[0.0, 0.0, 0.0]),
        ];
        let bad = vec![total[1].clone(), total[3].clone()];
        let mut config = ratio_config(0.99);
        config.group_by = vec!["endpoint".to_owned()];
        let data = SliData::Ratio {
            selected: &bad,
            total: &total,
        };
        let bounds = PeriodBounds {
            start_ms: 0,
            end_ms: 2 * MIN,
            period_ms: DAY,
        };
        let r = evaluate_slo(&config, &data, bounds).unwrap();
        let rows: Vec<(String, Option<f64>)> = r
            .groups
            .iter()
            .map(|g| {
                (
                    g.labels.get("endpoint").unwrap().to_owned(),
                    g.budget.map(|b| b.remaining),
                )
            })
            .collect();
        // /b: 10 bad of 210 → consumed 10/210/0.01 = 4.7619…, remaining −3.7619…;
        // /a: 1 of 201 → remaining 1 − 1/201/0.01 = 0.50248…; /c: no traffic, last.
        assert_eq!(rows[0].0, "/b");
        assert!(close(rows[0].1.unwrap(), 1.0 - 10.0 / 210.0 / 0.01));
        assert!(close(rows[1].1.unwrap(), 1.0 - 1.0 / 201.0 / 0.01));
        assert_eq!(rows[2], ("/c".to_owned(), None));
    }

    #[test]
    fn latency_between_bounds_is_interpolated_and_reported() {
        // Over the window: 100 observations, 60 ≤ 0.25, 90 ≤ 1. At 0.5 the share is
        // (60 + 30 · (0.5 − 0.25)/(1 − 0.25))/100 = 0.7, so 30 bad of 100.
        let b = |le: &str, v: &[f64]| counter(&[("le", le)], MIN, v);
        let buckets = vec![
            b("0.25", &[0.0, 60.0]),
            b("1", &[0.0, 90.0]),
            b("+Inf", &[0.0, 100.0]),
        ];
        let config = SloConfig::from_json(
            r#"{"name":"lat","objective":0.95,"period":{"rolling":"30d"},
                "sli":{"latency":{"histogram":{"metric":"h_bucket"},"thresholdSeconds":0.5}}}"#,
        )
        .unwrap();
        let data = SliData::Latency { buckets: &buckets };
        let bounds = PeriodBounds {
            start_ms: 0,
            end_ms: MIN,
            period_ms: DAY,
        };
        let r = evaluate_slo(&config, &data, bounds).unwrap();
        let e = r.overall.period_events.unwrap();
        assert!(close(e.bad, 30.0) && e.total == 100.0);
        let pos = r.threshold.unwrap();
        assert_eq!((pos.nearest_bound, pos.distance), (0.25, 0.25));
        assert!(matches!(
            r.warnings[0],
            SloWarning::ThresholdInterpolated { .. }
        ));
        let no_inf = vec![buckets[0].clone()];
        let err = evaluate_slo(&config, &SliData::Latency { buckets: &no_inf }, bounds);
        assert!(err.unwrap_err().to_string().contains("has no +Inf bucket"));
    }

    #[test]
    fn availability_is_the_share_of_samples_at_one() {
        // 15 s samples over 10 min: 40 samples in (0, 10 min], 4 of them 0 (a 1-minute outage):
        // T = 40 · 15 s = 600 s, E = 60 s, SLI 0.9.
        let mut v = vec![1.0; 41];
        for x in v.iter_mut().skip(11).take(4) {
            *x = 0.0;
        }
        let up = counter(&[("job", "api")], 15_000, &v);
        let config = SloConfig::from_json(
            r#"{"name":"up","objective":0.99,"period":{"rolling":"1d"},
                "sli":{"availability":{"gauge":{"metric":"up"}}}}"#,
        )
        .unwrap();
        let data = SliData::Availability {
            gauge: std::slice::from_ref(&up),
        };
        let bounds = PeriodBounds {
            start_ms: 0,
            end_ms: 10 * MIN,
            period_ms: DAY,
        };
        let r = evaluate_slo(&config, &data, bounds).unwrap();
        assert_eq!(
            r.overall.period_events,
            Some(Events {
                bad: 60.0,
                total: 600.0
            })
        );
        assert!(close(r.overall.sli.unwrap(), 0.9));
    }

    fn messages(warnings: &[SloWarning]) -> Vec<String> {
        warnings.iter().map(SloWarning::message).collect()
    }

    const TEN_MIN: PeriodBounds = PeriodBounds {
        start_ms: 0,
        end_ms: 10 * MIN,
        period_ms: DAY,
    };

    #[test]
    fn empty_series_list_is_no_data_with_a_warning() {
        let data = SliData::Ratio {
            selected: &[],
            total: &[],
        };
        let r = evaluate_slo(&ratio_config(0.99), &data, TEN_MIN).unwrap();
        assert_eq!((r.overall.sli, r.overall.period_events), (None, None));
        assert_eq!(r.overall.alert.level, AlertLevel::NoData);
        assert_eq!(
            messages(&r.warnings),
            [
                "no series for req{status=~\"5..\"}: counted as 0 bad events where the total has traffic",
                "no series for req: no data"
            ]
        );
    }

    #[test]
    fn all_nan_series_is_named() {
        let nan = counter(&[("status", "200")], MIN, &[f64::NAN; 11]);
        let data = SliData::Ratio {
            selected: &[],
            total: std::slice::from_ref(&nan),
        };
        let r = evaluate_slo(&ratio_config(0.99), &data, TEN_MIN).unwrap();
        // Exact mode skips NaN samples: no finite sample, no events, no data; never NaN.
        assert_eq!(r.overall.sli, None);
        assert!(messages(&r.warnings).contains(
            &"series {status=\"200\"} has 11 samples and none is a finite number (all NaN or \
              ±Inf): it contributes no events; check the exporter or the recording rule that \
              writes it"
                .to_owned()
        ));
    }

    #[test]
    fn negative_counter_values_are_named() {
        // 0, −5, 10, 20 (total) and 0, 0, 1, 2 (bad): the drop to −5 is a reset that counts
        // nothing; −5 → 10 counts 15, 10 → 20 counts 10: 25 events, 2 bad.
        let total = counter(&[("status", "200")], MIN, &[0.0, -5.0, 10.0, 20.0]);
        let bad = counter(&[("status", "500")], MIN, &[0.0, 0.0, 1.0, 2.0]);
        let data = SliData::Ratio {
            selected: std::slice::from_ref(&bad),
            total: std::slice::from_ref(&total),
        };
        let bounds = PeriodBounds {
            end_ms: 3 * MIN,
            ..TEN_MIN
        };
        let r = evaluate_slo(&ratio_config(0.99), &data, bounds).unwrap();
        assert_eq!(
            r.overall.period_events,
            Some(Events {
                bad: 2.0,
                total: 25.0
            })
        );
        let w = r
            .warnings
            .iter()
            .find(|w| matches!(w, SloWarning::NegativeCounter { .. }))
            .unwrap();
        assert!(w.message().starts_with(
            "counter {status=\"200\"} has 1 negative values; counters never go below zero."
        ));
        assert!(w.message().contains("a gauge or a delta"));
    }

    fn latency(threshold: f64) -> SloConfig {
        SloConfig::from_json(&format!(
            r#"{{"name":"lat","objective":0.95,"period":{{"rolling":"30d"}},
                "sli":{{"latency":{{"histogram":{{"metric":"h_bucket"}},"thresholdSeconds":{threshold}}}}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn buckets_that_are_not_monotone_are_fixed_with_a_warning() {
        // Over the window: le=0.25 counts 60, le=0.5 only 50 (a bucket series of another
        // histogram), +Inf 100. Prometheus raises le=0.5 to 60: the share at 0.5 is 0.6, so
        // 40 bad of 100 (not 50).
        let b = |le: &str, v: &[f64]| counter(&[("le", le)], MIN, v);
        let buckets = vec![
            b("0.25", &[0.0, 60.0]),
            b("0.5", &[0.0, 50.0]),
            b("+Inf", &[0.0, 100.0]),
        ];
        let bounds = PeriodBounds {
            end_ms: MIN,
            ..TEN_MIN
        };
        let r = evaluate_slo(
            &latency(0.5),
            &SliData::Latency { buckets: &buckets },
            bounds,
        )
        .unwrap();
        let e = r.overall.period_events.unwrap();
        assert!(close(e.bad, 40.0) && e.total == 100.0, "{e:?}");
        let w = r
            .warnings
            .iter()
            .find(|w| matches!(w, SloWarning::BucketsNotMonotone { .. }))
            .unwrap();
        let SloWarning::BucketsNotMonotone {
            min_bound,
            max_bound,
            max_diff,
            ..
        } = w
        else {
            unreachable!()
        };
        assert_eq!((*min_bound, *max_bound, *max_diff), (0.5, 0.5, 10.0));
        assert!(w
            .message()
            .starts_with("histogram h_bucket: bucket counts decrease as le grows in"));
        assert!(w.message().contains("(le 0.5 to 0.5, by up to 10)"));
    }

    #[test]
    fn histogram_without_inf_bucket_is_named() {
        let b = |le: &str, v: &[f64]| counter(&[("le", le)], MIN, v);
        let buckets = vec![b("0.25", &[0.0, 60.0]), b("1", &[0.0, 90.0])];
        let err = evaluate_slo(
            &latency(0.5),
            &SliData::Latency { buckets: &buckets },
            TEN_MIN,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "histogram: histogram h_bucket has no +Inf bucket"
        );
    }

    #[test]
    fn objective_outside_0_1_is_refused() {
        for (name, o) in [
            ("zero", "0"),
            ("negative", "-0.5"),
            ("percent", "99.9"),
            ("one", "1.0"),
        ] {
            let json = format!(
                r#"{{"name":"a","objective":{o},"period":{{"rolling":"30d"}},"sli":{{"ratio":{{"bad":{{"metric":"x"}},"total":{{"metric":"y"}}}}}}}}"#
            );
            let err = SloConfig::from_json(&json).unwrap_err().to_string();
            let shown: f64 = o.parse().unwrap();
            assert_eq!(
                err,
                format!(
                    "config: slo a: objective {shown} is outside (0, 1) (write 99.9 % as 0.999)"
                ),
                "case {name} failed"
            );
        }
        // A config built in code is checked too.
        let mut c = ratio_config(0.99);
        c.objective = f64::NAN;
        let data = SliData::Ratio {
            selected: &[],
            total: &[],
        };
        let err = evaluate_slo(&c, &data, TEN_MIN).unwrap_err().to_string();
        assert!(err.contains("objective NaN is outside (0, 1)"), "{err}");
    }

    #[test]
    fn window_shorter_than_step_is_explained() {
        // One condition on 30m/5m, backtested every 10 min: the 5m window sees only the last
        // 5 min of each step. An error burst at 2–4 min past a step (bad at minutes 12..14)
        // falls in no 5m window and the condition never fires; a burst at 16–19 min does.
        let mut total = Vec::new();
        let mut bad = Vec::new();
        let (mut t, mut b) = (0.0, 0.0);
        for m in 0..=40 {
            if m > 0 {
                t += 100.0;
                if (12..=14).contains(&m) || (36..=38).contains(&m) {
                    b += 50.0;
                }
            }
            total.push(t);
            bad.push(b);
        }
        let bad = counter(&[("status", "500")], MIN, &bad);
        let total = counter(&[("status", "200")], MIN, &total);
        let data = SliData::Ratio {
            selected: std::slice::from_ref(&bad),
            total: std::slice::from_ref(&total),
        };
        let mut config = ratio_config(0.99);
        config.alerting = Some(vec![BurnCondition {
            severity: Severity::Page,
            long_window: "30m".to_owned(),
            short_window: "5m".to_owned(),
            factor: Some(5.0),
            budget_consumed: None,
        }]);
        let bounds = PeriodBounds {
            start_ms: 0,
            end_ms: 40 * MIN,
            period_ms: DAY,
        };
        let steps = Steps {
            start_ms: 0,
            end_ms: 40 * MIN,
            step_ms: 10 * MIN,
        };
        let t = slo_timeline(&config, &data, bounds, steps).unwrap();
        // Burn rates at 40 min: 5m (35, 40] 150 bad of 500 → 30; 30m (10, 40] 300 of 3000 →
        // 10; both above 5. At 15 min (5 min steps): 5m 150/500 → 30, 30m 150/1500 → 10.
        // Only the step at 40 min fires.
        let fired: Vec<i64> = t.alerts.iter().map(|a| a.start_ms / MIN).collect();
        assert_eq!(fired, [40]);
        assert_eq!(
            messages(&t.warnings),
            ["alert window 5m is shorter than the backtest step (600 s): at each step it covers \
              only the last 5m, so events in the rest of each step are in no 5m window and \
              cannot make a condition on it fire in the backtest (longer windows still count \
              them); use a step of at most 5m to backtest it"]
        );
        // With a 5 min step both bursts fire, and there is no warning.
        let t = slo_timeline(
            &config,
            &data,
            bounds,
            Steps {
                step_ms: 5 * MIN,
                ..steps
            },
        )
        .unwrap();
        let fired: Vec<i64> = t.alerts.iter().map(|a| a.start_ms / MIN).collect();
        assert_eq!(fired, [15, 40]);
        assert!(t.warnings.is_empty());
    }

    #[test]
    fn timeline_backtest_and_burn_down() {
        let (selected, total) = scenario();
        let data = SliData::Ratio {
            selected: &selected,
            total: &total,
        };
        let mut config = ratio_config(0.99);
        // One ticket condition, factor 0.05 on 30m/5m. A 5 min window holding one error minute
        // has 1 bad of 500 events: b = 0.002/0.01 = 0.2; the 30 min window then 3 of 3 000 (or
        // 1 of 1 000 at the start): b = 0.1. Both are above 0.05 only when the 5 min window holds
        // an error.
        config.alerting = Some(vec![BurnCondition {
            severity: Severity::Ticket,
            long_window: "30m".to_owned(),
            short_window: "5m".to_owned(),
            factor: Some(0.05),
            budget_consumed: None,
        }]);
        let bounds = PeriodBounds {
            start_ms: 0,
            end_ms: 180 * MIN,
            period_ms: 180 * MIN,
        };
        let steps = Steps {
            start_ms: 0,
            end_ms: 180 * MIN,
            step_ms: 5 * MIN,
        };
        let t = slo_timeline(&config, &data, bounds, steps).unwrap();
        assert_eq!(t.time_ms.len(), 37);
        // Steps 10, 20, …, 140 min see an error in (t − 5m, t]; the steps in between (15, 25, …)
        // do not: ticket intervals are single steps at 10 … 140 min (14 of them).
        let starts: Vec<i64> = t.alerts.iter().map(|a| a.start_ms / MIN).collect();
        assert_eq!(starts, (1..=14).map(|k| k * 10).collect::<Vec<_>>());
        assert!(t
            .alerts
            .iter()
            .all(|a| a.steps == 1 && a.severity == Severity::Ticket));
        // Burn-down: at the end of the full period it equals 1 − consumed; the ideal line goes
        // from 1 to 0.
        let last = *t.burn_down.remaining.last().unwrap();
        assert!(close(last.unwrap(), 1.0 - 14.0 / 14_900.0 / 0.01));
        assert_eq!(t.burn_down.ideal.first(), Some(&1.0));
        assert_eq!(t.burn_down.ideal.last(), Some(&0.0));
        let frames = t.to_frames();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].fields[0].unit.as_deref(), Some("percentunit"));
        assert_eq!(frames[0].fields.len(), BURN_WINDOWS.len());
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    #![allow(clippy::arithmetic_side_effects, reason = "test data")]

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn remaining_is_one_minus_consumed(bad in 0u32..10_000, extra in 1u32..1_000_000, o in 0.5f64..0.99999) {
            let e = Events { bad: f64::from(bad), total: f64::from(bad) + f64::from(extra) };
            let b = Budget::of(e, 1.0 - o).unwrap();
            prop_assert!((b.remaining - (1.0 - b.consumed)).abs() <= 1e-12 * b.consumed.abs().max(1.0));
            prop_assert!(b.consumed >= 0.0);
            prop_assert!((b.remaining_events - (b.allowed_events - b.consumed_events)).abs() <= 1e-9 * b.allowed_events.max(1.0));
        }

        #[test]
        fn burn_rates_are_never_negative(steps in proptest::collection::vec((0u32..50, 0u32..5, any::<bool>()), 2..60)) {
            // Random counters with resets: burn rates at the end are ≥ 0 or no data.
            let (mut ok, mut bad) = (Vec::new(), Vec::new());
            let (mut o, mut b) = (0.0, 0.0);
            for &(dok, dbad, reset) in &steps {
                if reset { o = 0.0; b = 0.0; }
                o += f64::from(dok); b += f64::from(dbad);
                ok.push(o); bad.push(b);
            }
            let t: Vec<i64> = (0..steps.len() as i64).map(|k| k * 60_000).collect();
            let mk = |v: Vec<f64>, s: &str| Series { labels: Labels::from_pairs([("status", s)]), time_ms: t.clone(), values: v };
            let bad_s = mk(bad, "500");
            let total = vec![mk(ok, "200"), bad_s.clone()];
            let selected = vec![bad_s];
            let config = SloConfig {
                name: "p".to_owned(), objective: 0.999, period: Period::Rolling("1d".to_owned()),
                sli: Sli::Ratio { good: None, bad: Some(Selector::metric("x")), total: Selector::metric("x") },
                group_by: Vec::new(), alerting: None, counter_mode: CounterMode::Exact,
            };
            let end = *t.last().unwrap_or(&0);
            prop_assume!(end > 0);
            let bounds = PeriodBounds { start_ms: 0, end_ms: end, period_ms: 86_400_000 };
            let r = evaluate_slo(&config, &SliData::Ratio { selected: &selected, total: &total }, bounds).unwrap();
            for br in &r.overall.burn_rates {
                prop_assert!(br.burn_rate.is_none_or(|x| x >= 0.0 && x.is_finite()));
            }
        }

        #[test]
        fn latency_and_availability_burn_rates_are_never_negative(
            incs in proptest::collection::vec(proptest::collection::vec(0u32..20, 3), 2..40),
            resets in proptest::collection::vec(any::<bool>(), 40),
            up in proptest::collection::vec(0u8..3, 2..40),
            threshold in 0.05f64..2.0,
            promql in any::<bool>(),
        ) {
            // Bucket counters with random increments (not necessarily monotone in le), reset at
            // random, and an `up` gauge of 0, 1 and 2: every burn rate of the timeline is ≥ 0
            // and finite, or no data.
            let t: Vec<i64> = (0..incs.len() as i64).map(|k| k * 60_000).collect();
            let mut buckets: Vec<Series> = ["0.1", "0.5", "+Inf"].iter().map(|le| Series {
                labels: Labels::from_pairs([("le", *le)]), time_ms: t.clone(), values: Vec::new(),
            }).collect();
            let mut v = [0.0f64; 3];
            for (k, inc) in incs.iter().enumerate() {
                for (i, b) in buckets.iter_mut().enumerate() {
                    v[i] = if resets[k] { 0.0 } else { v[i] } + f64::from(inc[i]);
                    b.values.push(v[i]);
                }
            }
            let gauge = Series {
                labels: Labels::from_pairs([("job", "a")]),
                time_ms: (0..up.len() as i64).map(|k| k * 15_000).collect(),
                values: up.iter().map(|&x| f64::from(x)).collect(),
            };
            let mode = if promql { CounterMode::Promql(crate::counter::PromqlCompat::V2) } else { CounterMode::Exact };
            let period = Period::Rolling("1d".to_owned());
            let cases = [
                (Sli::Latency { histogram: Selector::metric("h"), threshold_seconds: threshold },
                 SliData::Latency { buckets: &buckets }, *t.last().unwrap_or(&0)),
                (Sli::Availability { gauge: Selector::metric("up"), sample_interval: "15s".to_owned() },
                 SliData::Availability { gauge: std::slice::from_ref(&gauge) }, *gauge.time_ms.last().unwrap_or(&0)),
            ];
            for (sli, data, end) in cases {
                prop_assume!(end > 0);
                let config = SloConfig {
                    name: "p".to_owned(), objective: 0.99, period: period.clone(), sli,
                    group_by: Vec::new(), alerting: None, counter_mode: mode,
                };
                let bounds = PeriodBounds { start_ms: 0, end_ms: end, period_ms: 86_400_000 };
                let steps = Steps { start_ms: 0, end_ms: end, step_ms: 60_000 };
                let tl = slo_timeline(&config, &data, bounds, steps).unwrap();
                for br in &tl.burn_rates {
                    for x in br.values.iter().flatten() {
                        prop_assert!(*x >= 0.0 && x.is_finite(), "{} {x}", br.window);
                    }
                }
            }
        }

        #[test]
        fn exhaustion_is_consistent(remaining in -1.0f64..1.0, b in 0.0f64..100.0, days in 1i64..100) {
            let p = days * 86_400_000;
            match Exhaustion::at(Some(remaining), Some(b), p) {
                Exhaustion::In { seconds } => {
                    // Burning at b for that long consumes b · w / P = remaining.
                    prop_assert!(remaining > 0.0 && b > 0.0);
                    let consumed = b * seconds * 1000.0 / p as f64;
                    prop_assert!((consumed - remaining).abs() <= 1e-9);
                }
                Exhaustion::Exhausted => prop_assert!(remaining <= 0.0),
                Exhaustion::Never => prop_assert!(b == 0.0 && remaining > 0.0),
                Exhaustion::NoData => prop_assert!(false),
            }
        }
    }
}
