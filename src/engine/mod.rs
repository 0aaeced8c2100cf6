//! One path from a view's config to its frames, shared by the CLI, the data source and the
//! panels: [`plan`] says which raw samples a view needs, the caller fetches them (over HTTP in
//! the CLI, through Grafana's backend service in the browser), and [`Plan::evaluate`] computes
//! the view on what was fetched. [`Evaluation::frames`] shapes one output as Grafana frames.
//!
//! **Data path.** Every view is fed raw samples: an instant query of a range selector
//! (`metric[R]` at the evaluation time), one request per metric, so increases, PromQL's
//! extrapolation and time-weighted means see the real sample timestamps (a `query_range` would
//! give step-aligned values instead). `R` reaches back as far as the view needs plus
//! [`LOOKBACK_MS`], so exact increases have a baseline sample before the range:
//!
//! * **cost**: the earliest of the range start, the month start and `to − forecastDays`;
//! * **SLO**: the earliest of the period start and the backtest start minus the longest alert
//!   window;
//! * **agents**: the range, at least the heartbeat's `downAfterS`.
//!
//! A fetch longer than [`MAX_FETCH_RANGE_MS`] is refused before anything is sent.

mod outputs;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::ms_to_seconds_text;
use crate::views::agents::{agents_view, AgentsConfig, AgentsView};
use crate::views::cost::{
    detect_names_with, evaluate_cost, CostClock, CostConfig, CostReport, DAY_MS,
};
use crate::views::slo::{
    evaluate_slo, slo_timeline, Period, PeriodBounds, Selector, Sli, SliData, SloConfig, SloReport,
    SloTimeline, SloWarning, Steps, BURN_WINDOWS,
};
use crate::window::{self, period_bounds, to_date, ZoneOffsets};
use crate::{Frame, Series};

pub use outputs::Output;

/// Longest range fetched with one range selector: 100 days (a 90-day rolling SLO period or a
/// calendar quarter, plus the 3-day burn-rate window and some slack). Raw samples of months of
/// minute-scraped series are millions of points per metric; longer periods are refused with the
/// range asked for and this limit.
pub const MAX_FETCH_RANGE_MS: i64 = 100 * DAY_MS;

/// Extra history fetched before every range: 5 minutes (Prometheus' staleness lookback), so an
/// exact increase finds its baseline sample at or before the start of the range.
pub const LOOKBACK_MS: i64 = 300_000;

/// Latest instant a request or a sample may name, epoch ms (9999-12-31T23:59:59.999Z); the
/// earliest is its negative. Times beyond are refused ([`plan`], [`Plan::evaluate`]), so the
/// difference of any two fits in an `i64` with room to spare.
pub const MAX_INSTANT_MS: i64 = 253_402_300_799_999;

/// Most metric names listed in a [`Error::MetricNotFound`] message.
pub const MAX_NAMES_LISTED: usize = 40;

/// SLO backtest steps aimed for when no step is given.
const AUTO_STEPS: i64 = 200;
/// Most SLO backtest or burn-down points when no step is given (both share the step; below
/// Prometheus' 11,000 points per series).
const AUTO_MAX_POINTS: i64 = 10_000;
const MINUTE_MS: i64 = 60_000;

/// Which view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ViewKind {
    /// Cost efficiency.
    Cost,
    /// SLO error budget.
    Slo,
    /// Agent performance.
    Agents,
}

impl ViewKind {
    /// `cost`, `slo` or `agents`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cost => "cost",
            Self::Slo => "slo",
            Self::Agents => "agents",
        }
    }

    /// Parses `cost`, `slo` or `agents`.
    pub fn parse(name: &str) -> Result<Self> {
        match name.trim() {
            "cost" => Ok(Self::Cost),
            "slo" => Ok(Self::Slo),
            "agents" => Ok(Self::Agents),
            other => Err(Error::InvalidConfig(format!(
                "view: \"{other}\" is not a view; use cost, slo or agents"
            ))),
        }
    }
}

/// A view's configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewConfig {
    /// The cost view's config.
    Cost(CostConfig),
    /// One SLO.
    Slo(SloConfig),
    /// The agents view's config (its `startMs`/`endMs`/`nowMs` are set by [`plan`]).
    Agents(AgentsConfig),
}

impl ViewConfig {
    /// Reads the config of view `kind` from JSON (the same shape the CLI's `--config`, the data
    /// source's settings and the panels' options hold). For the agents view `startMs`, `endMs`
    /// and `nowMs` may be left out: [`plan`] sets them from the request.
    pub fn from_json(kind: ViewKind, text: &str) -> Result<Self> {
        match kind {
            ViewKind::Cost => serde_json::from_str(text)
                .map(Self::Cost)
                .map_err(|e| Error::InvalidConfig(format!("cost: {e}"))),
            ViewKind::Slo => SloConfig::from_json(text).map(Self::Slo),
            ViewKind::Agents => {
                let mut json: serde_json::Value = serde_json::from_str(text)
                    .map_err(|e| Error::InvalidConfig(format!("agents view: {e}")))?;
                let obj = json.as_object_mut().ok_or_else(|| {
                    Error::InvalidConfig("agents view: expected a JSON object".to_owned())
                })?;
                // Placeholders for a valid range until `plan` sets the request's.
                for (key, placeholder) in [("startMs", 0), ("endMs", 1), ("nowMs", 1)] {
                    obj.entry(key).or_insert(placeholder.into());
                }
                AgentsConfig::from_json(&json.to_string()).map(Self::Agents)
            }
        }
    }

    /// Which view this configures.
    pub fn kind(&self) -> ViewKind {
        match self {
            Self::Cost(_) => ViewKind::Cost,
            Self::Slo(_) => ViewKind::Slo,
            Self::Agents(_) => ViewKind::Agents,
        }
    }
}

/// The time range and options of one evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// Start of the dashboard's range, epoch ms (the SLO backtest starts here).
    pub from_ms: i64,
    /// End of the range, epoch ms: the evaluation time ("now" of every view).
    pub to_ms: i64,
    /// SLO only: the backtest and burn-down step in ms. Default: the range / 200, at least 1m,
    /// whole minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_ms: Option<i64>,
    /// Overrides the view's grouping: the cost breakdown label, the SLO's group-by, the agents'
    /// group label. Empty means the view's own setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
}

/// One raw-sample fetch: the instant query `selector[rangeMs]` at `atMs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fetch {
    /// What the samples are for (`cost`, `total`, `buckets`, `heartbeat`, …).
    pub role: String,
    /// The PromQL selector.
    pub selector: String,
    /// Evaluation time of the instant query, epoch ms.
    pub at_ms: i64,
    /// Length of the range selector, ms.
    pub range_ms: i64,
    /// The PromQL text to send: `selector[Nms]`.
    pub promql: String,
}

impl Fetch {
    fn new(role: &str, selector: String, at_ms: i64, range_ms: i64) -> Result<Self> {
        check_range(&selector, range_ms)?;
        Ok(Self {
            role: role.to_owned(),
            promql: format!("{selector}[{range_ms}ms]"),
            selector,
            at_ms,
            range_ms,
        })
    }
}

/// What [`plan`] resolved besides the fetches.
#[derive(Debug, Clone, PartialEq)]
enum Resolved {
    Cost(CostClock),
    Slo { bounds: PeriodBounds, steps: Steps },
    Agents,
}

/// The fetches a view needs and what it resolved (the SLO period, the cost clock). Evaluate it
/// with the fetched series, in the order of [`Plan::fetches`].
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    view: ViewConfig,
    request: Request,
    resolved: Resolved,
    fetches: Vec<Fetch>,
}

/// Plans the raw-sample fetches of `view` for `request`, with calendar periods ("today", the
/// month, a calendar SLO period) resolved in `zone`. `metric_names` is what the data source
/// holds (`/api/v1/label/__name__/values`): the cost view detects its naming variant from it,
/// and every view reports missing metrics before anything is fetched.
///
/// Errors: [`Error::InvalidConfig`] for a bad config or range (end not after start, a time
/// beyond [`MAX_INSTANT_MS`], a step that is not positive); [`Error::MetricNotFound`] when a
/// required metric is missing (the SLO's selectors, the cost counter, every agents metric),
/// naming what was looked for and what exists; [`Error::RangeTooLong`] beyond
/// [`MAX_FETCH_RANGE_MS`].
pub fn plan<Z: ZoneOffsets + ?Sized>(
    view: ViewConfig,
    request: Request,
    zone: &Z,
    metric_names: &[String],
) -> Result<Plan> {
    plan_with(view, request, zone, Some(metric_names))
}

/// Checks `view` and `request` as [`plan`] does, without the metric names: every error that
/// needs no request to the data source (a bad config, range or step, a range beyond
/// [`MAX_FETCH_RANGE_MS`]). Call it before listing the metric names.
pub fn validate<Z: ZoneOffsets + ?Sized>(
    view: &ViewConfig,
    request: &Request,
    zone: &Z,
) -> Result<()> {
    plan_with(view.clone(), request.clone(), zone, None).map(|_| ())
}

/// [`plan`]; `metric_names` `None` skips everything that needs them.
fn plan_with<Z: ZoneOffsets + ?Sized>(
    view: ViewConfig,
    request: Request,
    zone: &Z,
    metric_names: Option<&[String]>,
) -> Result<Plan> {
    for (what, t) in [("start", request.from_ms), ("end", request.to_ms)] {
        if !(-MAX_INSTANT_MS..=MAX_INSTANT_MS).contains(&t) {
            return Err(Error::InvalidConfig(format!(
                "range: the {what} ({t} ms) is out of range: times must lie within \
                 ±{MAX_INSTANT_MS} ms of 1970 (up to the year 9999)"
            )));
        }
    }
    if request.to_ms <= request.from_ms {
        return Err(Error::InvalidConfig(format!(
            "range: the end ({}) must be after the start ({})",
            ms_to_seconds_text(request.to_ms),
            ms_to_seconds_text(request.from_ms)
        )));
    }
    if let Some(step) = request.step_ms.filter(|s| *s <= 0) {
        return Err(Error::InvalidConfig(format!(
            "step: must be positive, got {step} ms"
        )));
    }
    let group_by = request
        .group_by
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned);
    match view {
        ViewConfig::Cost(mut config) => {
            if let Some(g) = group_by {
                config.group_by = vec![g];
            }
            plan_cost(config, request, zone, metric_names)
        }
        ViewConfig::Slo(mut config) => {
            if let Some(g) = group_by {
                config.group_by = vec![g];
            }
            plan_slo(config, request, zone, metric_names)
        }
        ViewConfig::Agents(mut config) => {
            if let Some(g) = group_by {
                config.group_label = g;
            }
            config.start_ms = request.from_ms;
            config.end_ms = request.to_ms;
            config.now_ms = request.to_ms;
            plan_agents(config, request, metric_names)
        }
    }
}

fn check_range(what: &str, range_ms: i64) -> Result<()> {
    if range_ms > MAX_FETCH_RANGE_MS {
        return Err(Error::RangeTooLong(format!(
            "{what} needs {} of raw samples, more than the {} fetched at once; shorten the range \
             or the period",
            window::duration_text(range_ms),
            window::duration_text(MAX_FETCH_RANGE_MS)
        )));
    }
    Ok(())
}

/// [`Error::MetricNotFound`]: which were looked for, which exist.
pub fn metric_not_found(view: &str, looked_for: &[&str], existing: &[String]) -> Error {
    let mut names: Vec<&str> = existing.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let listed = names.len().min(MAX_NAMES_LISTED);
    let more = if names.len() > listed {
        format!(" … and {} more", names.len().saturating_sub(listed))
    } else {
        String::new()
    };
    let available = if names.is_empty() {
        "the data source holds no metrics".to_owned()
    } else {
        format!(
            "metrics that exist: {}{more}",
            names.get(..listed).unwrap_or_default().join(", ")
        )
    };
    Error::MetricNotFound {
        view: view.to_owned(),
        looked_for: looked_for.join(", "),
        available,
    }
}

fn plan_cost<Z: ZoneOffsets + ?Sized>(
    config: CostConfig,
    request: Request,
    zone: &Z,
    metric_names: Option<&[String]>,
) -> Result<Plan> {
    let to = request.to_ms;
    let month = period_bounds(window::CalendarUnit::Month, zone, to)?;
    let today = to_date(window::CalendarUnit::Day, zone, to)?;
    let clock = CostClock {
        from_ms: request.from_ms,
        to_ms: to,
        now_ms: to,
        today_start_ms: today.start_ms,
        month_start_ms: month.start_ms,
        month_end_ms: month.end_ms,
    };
    let earliest = request
        .from_ms
        .min(month.start_ms)
        .min(to.saturating_sub(i64::from(config.forecast_days).saturating_mul(DAY_MS)));
    let range_ms = to.saturating_sub(earliest).saturating_add(LOOKBACK_MS);
    check_range(
        "the cost view (range, month to date and forecast days)",
        range_ms,
    )?;
    let Some(metric_names) = metric_names else {
        return Ok(Plan {
            view: ViewConfig::Cost(config),
            request,
            resolved: Resolved::Cost(clock),
            fetches: Vec::new(),
        });
    };
    let detection = detect_names_with(metric_names, &config.metrics);
    let mut fetches = Vec::new();
    for r in &detection.roles {
        if let Some(name) = &r.found {
            if !fetches.iter().any(|f: &Fetch| f.selector == *name) {
                fetches.push(Fetch::new(&role_name(r.role), name.clone(), to, range_ms)?);
            }
        }
    }
    let cost_found = detection
        .roles
        .iter()
        .any(|r| r.role == crate::views::cost::Role::Cost && r.found.is_some());
    if !cost_found {
        let looked_for: Vec<&str> = detection
            .get(crate::views::cost::Role::Cost)
            .map(|r| r.looked_for.iter().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(metric_not_found("cost view", &looked_for, metric_names));
    }
    Ok(Plan {
        view: ViewConfig::Cost(config),
        request,
        resolved: Resolved::Cost(clock),
        fetches,
    })
}

/// A role's name as in JSON (`cost`, `pullRequests`, …).
fn role_name(role: crate::views::cost::Role) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// An SLO warning as one sentence.
pub fn slo_warning_text(w: &SloWarning) -> String {
    w.message()
}

/// The series an SLI reads: for a latency SLI the histogram's `_bucket` series.
fn sli_selectors(sli: &Sli) -> Vec<(&'static str, Selector)> {
    match sli {
        Sli::Ratio { good, bad, total } => {
            let mut out = Vec::new();
            if let Some(g) = good {
                out.push(("good", g.clone()));
            }
            if let Some(b) = bad {
                out.push(("bad", b.clone()));
            }
            out.push(("total", total.clone()));
            out
        }
        Sli::Latency { histogram, .. } => {
            let mut s = histogram.clone();
            if !s.metric.ends_with("_bucket") {
                s.metric.push_str("_bucket");
            }
            vec![("buckets", s)]
        }
        Sli::Availability { gauge, .. } => vec![("gauge", gauge.clone())],
    }
}

/// The period an SLO evaluated at `end_ms` covers. A calendar period is the one holding the
/// instant just before `end_ms`, so an evaluation at midnight on the 1st covers the month that
/// just ended.
pub fn slo_bounds<Z: ZoneOffsets + ?Sized>(
    config: &SloConfig,
    zone: &Z,
    end_ms: i64,
) -> Result<PeriodBounds> {
    let (start_ms, period_ms) = match &config.period {
        Period::Rolling(_) => {
            let p = config.period.rolling_ms()?.unwrap_or_default();
            (end_ms.saturating_sub(p), p)
        }
        Period::Calendar(u) => {
            let b = period_bounds(calendar_unit(*u), zone, end_ms.saturating_sub(1))?;
            (b.start_ms, b.len_ms())
        }
    };
    Ok(PeriodBounds {
        start_ms,
        end_ms,
        period_ms,
    })
}

fn calendar_unit(u: crate::views::slo::CalendarUnit) -> window::CalendarUnit {
    use crate::views::slo::CalendarUnit as C;
    match u {
        C::Day => window::CalendarUnit::Day,
        C::Week => window::CalendarUnit::Week,
        C::Month => window::CalendarUnit::Month,
        C::Quarter => window::CalendarUnit::Quarter,
    }
}

/// The SLO step when none is given: the range / [`AUTO_STEPS`] in whole minutes, but no longer
/// than the shortest alert window (so every event lands in some short window of the backtest and
/// no condition is missed between steps), and never so short that the backtest or the burn-down
/// over the period would have more than [`AUTO_MAX_POINTS`] points.
fn auto_step(range_ms: i64, period_ms: i64, shortest_window_ms: i64) -> i64 {
    let round_up =
        |ms: i64| (ms.saturating_add(MINUTE_MS - 1) / MINUTE_MS).saturating_mul(MINUTE_MS);
    let coarse = round_up((range_ms / AUTO_STEPS).max(MINUTE_MS));
    let floor = round_up((range_ms.max(period_ms) / AUTO_MAX_POINTS).max(MINUTE_MS));
    let window = (shortest_window_ms / MINUTE_MS).saturating_mul(MINUTE_MS);
    coarse.min(window).max(floor)
}

fn plan_slo<Z: ZoneOffsets + ?Sized>(
    config: SloConfig,
    request: Request,
    zone: &Z,
    metric_names: Option<&[String]>,
) -> Result<Plan> {
    config.check()?;
    let (from, to) = (request.from_ms, request.to_ms);
    let bounds = slo_bounds(&config, zone, to)?;
    let conditions = config.conditions(bounds.period_ms)?;
    let longest = conditions
        .iter()
        .map(|c| c.long_ms)
        .chain(BURN_WINDOWS.iter().map(|w| w.1))
        .max()
        .unwrap_or_default();
    let shortest = conditions
        .iter()
        .map(|c| c.short_ms)
        .min()
        .unwrap_or(MINUTE_MS);
    let step_ms = request.step_ms.unwrap_or_else(|| {
        auto_step(
            to.saturating_sub(from),
            to.saturating_sub(bounds.start_ms),
            shortest,
        )
    });
    let earliest = bounds.start_ms.min(from.saturating_sub(longest));
    let range_ms = to.saturating_sub(earliest).saturating_add(LOOKBACK_MS);
    check_range(
        &format!("slo {} (the period and the backtest)", config.name),
        range_ms,
    )?;
    let wanted = sli_selectors(&config.sli);
    let missing: Vec<&str> = wanted
        .iter()
        .map(|(_, s)| s.metric.as_str())
        .filter(|m| metric_names.is_some_and(|names| !names.iter().any(|n| n == m)))
        .collect();
    if let (false, Some(metric_names)) = (missing.is_empty(), metric_names) {
        return Err(metric_not_found(
            &format!("slo {}", config.name),
            &missing,
            metric_names,
        ));
    }
    let fetches = wanted
        .into_iter()
        .map(|(role, s)| Fetch::new(role, s.to_promql(), to, range_ms))
        .collect::<Result<Vec<_>>>()?;
    Ok(Plan {
        view: ViewConfig::Slo(config),
        request,
        resolved: Resolved::Slo {
            bounds,
            steps: Steps {
                start_ms: from,
                end_ms: to,
                step_ms,
            },
        },
        fetches,
    })
}

fn plan_agents(
    config: AgentsConfig,
    request: Request,
    metric_names: Option<&[String]>,
) -> Result<Plan> {
    let heartbeat_ms = (config.heartbeat.down_after_s * 1000.0).ceil();
    let heartbeat_ms = if heartbeat_ms.is_finite() && heartbeat_ms < MAX_FETCH_RANGE_MS as f64 {
        heartbeat_ms as i64
    } else {
        MAX_FETCH_RANGE_MS
    };
    let range_ms = (request.to_ms.saturating_sub(request.from_ms))
        .max(heartbeat_ms)
        .saturating_add(LOOKBACK_MS);
    check_range("the agents view", range_ms)?;
    let m = &config.metrics;
    let wanted: [(&str, String); 12] = [
        ("tasksCompleted", m.tasks_completed.clone()),
        ("tasksFailed", m.tasks_failed.clone()),
        ("taskDuration", format!("{}_bucket", m.task_duration)),
        ("load", m.load.clone()),
        ("heartbeat", m.heartbeat.clone()),
        ("tokens", m.tokens.clone()),
        ("cost", m.cost.clone()),
        ("queueSize", m.queue_size.clone()),
        ("tasksActive", m.tasks_active.clone()),
        ("agentsTotal", m.agents_total.clone()),
        ("agentsAvailable", m.agents_available.clone()),
        ("apiDuration", format!("{}_bucket", m.api_duration)),
    ];
    let mut fetches: Vec<Fetch> = Vec::new();
    let present = |n: &String| metric_names.map_or(true, |names| names.contains(n));
    for (role, name) in &wanted {
        if present(name) && !fetches.iter().any(|f| f.selector == *name) {
            fetches.push(Fetch::new(role, name.clone(), request.to_ms, range_ms)?);
        }
    }
    if let (true, Some(metric_names)) = (fetches.is_empty(), metric_names) {
        let looked: Vec<&str> = wanted.iter().map(|(_, n)| n.as_str()).collect();
        return Err(metric_not_found("agents view", &looked, metric_names));
    }
    Ok(Plan {
        view: ViewConfig::Agents(config),
        request,
        resolved: Resolved::Agents,
        fetches,
    })
}

impl Plan {
    /// The fetches to run, in the order [`Plan::evaluate`] expects their series.
    pub fn fetches(&self) -> &[Fetch] {
        &self.fetches
    }

    /// The view's config as planned (grouping from the request applied; the agents view's
    /// clock set).
    pub fn view(&self) -> &ViewConfig {
        &self.view
    }

    /// The request planned for.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The SLO period and backtest steps, for an SLO plan.
    pub fn slo_period(&self) -> Option<(PeriodBounds, Steps)> {
        match &self.resolved {
            Resolved::Slo { bounds, steps } => Some((*bounds, *steps)),
            _ => None,
        }
    }

    /// Evaluates the view on the fetched series: `fetched[i]` holds the series of
    /// `fetches()[i]`.
    ///
    /// Errors: [`Error::InvalidInput`] when the number of fetched lists differs from the plan's
    /// or a sample's time is beyond [`MAX_INSTANT_MS`]; otherwise the view's own errors (see [`evaluate_slo`], [`evaluate_cost`],
    /// [`agents_view`]).
    pub fn evaluate(&self, fetched: &[Vec<Series>]) -> Result<Evaluation> {
        if fetched.len() != self.fetches.len() {
            return Err(Error::InvalidInput(format!(
                "the plan has {} fetches but {} results were given",
                self.fetches.len(),
                fetched.len()
            )));
        }
        let far = fetched.iter().flatten().find_map(|series| {
            let t = series
                .time_ms
                .iter()
                .find(|t| !(-MAX_INSTANT_MS..=MAX_INSTANT_MS).contains(*t))?;
            Some((series, *t))
        });
        if let Some((series, t)) = far {
            return Err(Error::InvalidInput(format!(
                "series {}: sample time {t} ms is out of range: times must lie within \
                 ±{MAX_INSTANT_MS} ms of 1970 (up to the year 9999)",
                series.labels
            )));
        }
        match (&self.view, &self.resolved) {
            (ViewConfig::Cost(config), Resolved::Cost(clock)) => {
                let report = evaluate_cost(&all_series(fetched), config, clock)?;
                Ok(Evaluation::Cost {
                    clock: *clock,
                    report: Box::new(report),
                })
            }
            (ViewConfig::Slo(config), Resolved::Slo { bounds, steps }) => {
                let data = match (&config.sli, fetched) {
                    (Sli::Ratio { .. }, [selected, total]) => SliData::Ratio { selected, total },
                    (Sli::Latency { .. }, [buckets]) => SliData::Latency { buckets },
                    (Sli::Availability { .. }, [gauge]) => SliData::Availability { gauge },
                    _ => {
                        return Err(Error::InvalidInput(
                            "the fetched series do not match the SLI kind".to_owned(),
                        ))
                    }
                };
                let report = evaluate_slo(config, &data, *bounds)?;
                let timeline = slo_timeline(config, &data, *bounds, *steps)?;
                Ok(Evaluation::Slo {
                    report: Box::new(report),
                    timeline: Box::new(timeline),
                    step_ms: steps.step_ms,
                })
            }
            (ViewConfig::Agents(config), Resolved::Agents) => Ok(Evaluation::Agents(Box::new(
                agents_view(&all_series(fetched), config)?,
            ))),
            _ => Err(Error::InvalidInput(
                "the plan's view and its resolution disagree".to_owned(),
            )),
        }
    }
}

/// The series of every fetch in one list: the one fetch's own list when there is a single one
/// (no copy of the samples), else a concatenation.
fn all_series(fetched: &[Vec<Series>]) -> Cow<'_, [Series]> {
    match fetched {
        [one] => Cow::Borrowed(one.as_slice()),
        _ => Cow::Owned(fetched.iter().flatten().cloned().collect()),
    }
}

/// A view's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "view")]
pub enum Evaluation {
    /// The cost view.
    Cost {
        /// The instants the report was computed for.
        clock: CostClock,
        /// The report.
        report: Box<CostReport>,
    },
    /// One SLO.
    Slo {
        /// The SLO at the evaluation time.
        report: Box<SloReport>,
        /// Burn rates, alert backtest and burn-down over the range.
        timeline: Box<SloTimeline>,
        /// The backtest step in ms.
        step_ms: i64,
    },
    /// The agents view.
    Agents(Box<AgentsView>),
}

impl Evaluation {
    /// Which view this is.
    pub fn kind(&self) -> ViewKind {
        match self {
            Self::Cost { .. } => ViewKind::Cost,
            Self::Slo { .. } => ViewKind::Slo,
            Self::Agents(_) => ViewKind::Agents,
        }
    }

    /// The warnings the user should see, as text.
    pub fn warnings(&self) -> Vec<String> {
        match self {
            Self::Cost { report, .. } => report.warnings.clone(),
            Self::Slo {
                report, timeline, ..
            } => {
                let mut out: Vec<String> = report.warnings.iter().map(slo_warning_text).collect();
                for w in timeline.warnings.iter().map(slo_warning_text) {
                    if !out.contains(&w) {
                        out.push(w);
                    }
                }
                out
            }
            Self::Agents(v) => v.warnings.clone(),
        }
    }

    /// The frames of one output (see [`Output`]).
    ///
    /// Errors: [`Error::InvalidConfig`] for an output of another view.
    pub fn frames(&self, output: Output) -> Result<Vec<Frame>> {
        outputs::frames(self, output)
    }
}

#[cfg(test)]
mod tests;
