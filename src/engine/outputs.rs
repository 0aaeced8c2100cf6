//! The outputs of each view as Grafana frames, with units, so they also read right in Grafana's
//! own stat, gauge, table and time-series panels.
//!
//! | view | output | frame |
//! |---|---|---|
//! | cost | `summary` | one row: totals, cost per outcome, tokens per dollar, cache figures |
//! | cost | `breakdown` | table: the group label, `cost`, `share` |
//! | cost | `hourly` | time series: `cost` per hour, `anomaly` (0/1) |
//! | cost | `cumulative` | time series: running `cost`, never decreasing across resets |
//! | cost | `forecast` | month start, now and month end: `actual`, `forecast`, low, high, `budget` |
//! | slo | `summary` | one row: `sli`, `objective`, budget remaining/consumed, exhaustion, level |
//! | slo | `burnRates` | time series: one `burn rate <window>` field per window |
//! | slo | `windows` | table: `window`, `severity`, `burn rate`, `error ratio`, `factor`, `firing` |
//! | slo | `budget` | time series: `budget remaining`, `ideal` |
//! | slo | `backtest` | table: `time`, `timeEnd`, `severity`, `text` (annotations) |
//! | slo | `groups` | table: the group labels, `sli`, `budget remaining`, `burn rate 1h`, level |
//! | agents | `leaderboard` | table: `agent`, `status`, the measures, `outlier` |
//! | agents | `fleet` | one row: agents, queue, active tasks, throughput, API latency |
//!
//! A quantity without a value (no events, a zero denominator, a missing metric) is `NaN`, which
//! frames carry as `null` with a `NaN` entity: Grafana shows "No data" for it, never `Inf`.

use serde::{Deserialize, Serialize};

use super::{Evaluation, ViewKind};
use crate::error::{Error, Result};
use crate::views::agents::{self, AgentsView, HeartbeatStatus};
use crate::views::cost::{self, CostClock, CostReport};
use crate::views::slo::{AlertLevel, Exhaustion, Severity, SloReport, SloTimeline};
use crate::{Field, Frame, Labels, TextField};

/// One output of a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Output {
    /// Cost or SLO headline figures; the agents' fleet summary.
    Summary,
    /// Cost by the group label.
    Breakdown,
    /// Cost per hour with anomaly flags.
    Hourly,
    /// Running cost.
    Cumulative,
    /// Month to date, month-end forecast and budget.
    Forecast,
    /// Burn rate of every window over the range.
    BurnRates,
    /// Burn rates, factors and firing state now.
    Windows,
    /// Budget remaining over the period with the ideal line.
    Budget,
    /// Alert intervals of the backtest.
    Backtest,
    /// Per-group SLO results.
    Groups,
    /// The agents' leaderboard.
    Leaderboard,
    /// The fleet summary.
    Fleet,
}

impl Output {
    /// Every output of `view`, the default first.
    pub fn of(view: ViewKind) -> &'static [Output] {
        match view {
            ViewKind::Cost => &[
                Output::Summary,
                Output::Breakdown,
                Output::Hourly,
                Output::Cumulative,
                Output::Forecast,
            ],
            ViewKind::Slo => &[
                Output::Summary,
                Output::BurnRates,
                Output::Windows,
                Output::Budget,
                Output::Backtest,
                Output::Groups,
            ],
            ViewKind::Agents => &[Output::Leaderboard, Output::Fleet],
        }
    }

    /// The name used in queries (`summary`, `burnRates`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Output::Summary => "summary",
            Output::Breakdown => "breakdown",
            Output::Hourly => "hourly",
            Output::Cumulative => "cumulative",
            Output::Forecast => "forecast",
            Output::BurnRates => "burnRates",
            Output::Windows => "windows",
            Output::Budget => "budget",
            Output::Backtest => "backtest",
            Output::Groups => "groups",
            Output::Leaderboard => "leaderboard",
            Output::Fleet => "fleet",
        }
    }

    /// Parses an output name of `view`; an empty name is the view's default.
    ///
    /// Errors: a name that is not an output of `view`, listing those that are.
    pub fn parse(view: ViewKind, name: &str) -> Result<Output> {
        let all = Output::of(view);
        let name = name.trim();
        if name.is_empty() {
            return all
                .first()
                .copied()
                .ok_or_else(|| Error::InvalidConfig("output: none defined".to_owned()));
        }
        all.iter()
            .copied()
            .find(|o| o.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|o| o.as_str()).collect();
                Error::InvalidConfig(format!(
                    "output: \"{name}\" is not an output of the {} view; use one of {}",
                    view.as_str(),
                    names.join(", ")
                ))
            })
    }
}

pub(super) fn frames(e: &Evaluation, output: Output) -> Result<Vec<Frame>> {
    if !Output::of(e.kind()).contains(&output) {
        return Err(Error::InvalidConfig(format!(
            "output: \"{}\" is not an output of the {} view",
            output.as_str(),
            e.kind().as_str()
        )));
    }
    Ok(match e {
        Evaluation::Cost { clock, report } => cost_frames(report, clock, output),
        Evaluation::Slo {
            report, timeline, ..
        } => slo_frames(report, timeline, output),
        Evaluation::Agents(v) => agents_frames(v, output),
    })
}

fn number(name: &str, unit: &str, values: Vec<f64>) -> Field {
    Field {
        name: name.to_owned(),
        labels: Labels::new(),
        unit: Some(unit.to_owned()),
        values,
    }
}

fn text(name: &str, values: Vec<String>) -> TextField {
    TextField {
        name: name.to_owned(),
        values,
    }
}

fn or_nan(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// A one-row frame at `time_ms`.
fn row(name: &str, time_ms: i64, cells: Vec<(&str, &str, f64)>) -> Frame {
    Frame {
        name: Some(name.to_owned()),
        time_ms: vec![time_ms],
        text: Vec::new(),
        fields: cells
            .into_iter()
            .map(|(n, unit, v)| number(n, unit, vec![v]))
            .collect(),
    }
}

fn cost_frames(r: &CostReport, clock: &CostClock, output: Output) -> Vec<Frame> {
    let q = |v: &cost::Quantity| or_nan(v.value());
    let usd = "currencyUSD";
    match output {
        Output::Breakdown => {
            let b = r.breakdowns.first();
            let label = b.map_or("model", |b| b.label.as_str());
            let rows = b.map(|b| b.rows.as_slice()).unwrap_or_default();
            vec![Frame {
                name: Some(format!("cost by {label}")),
                time_ms: Vec::new(),
                text: vec![text(
                    label,
                    rows.iter()
                        .map(|row| {
                            if row.other {
                                "(other)".to_owned()
                            } else {
                                row.value.clone().unwrap_or_else(|| "(none)".to_owned())
                            }
                        })
                        .collect(),
                )],
                fields: vec![
                    number("cost", usd, rows.iter().map(|row| row.cost_usd).collect()),
                    number(
                        "share",
                        "percentunit",
                        rows.iter().map(|row| or_nan(row.share)).collect(),
                    ),
                ],
            }]
        }
        Output::Hourly | Output::Cumulative => {
            let frames = r.to_frames();
            let want = if output == Output::Hourly {
                "cost per hour"
            } else {
                "cumulative cost"
            };
            frames
                .into_iter()
                .filter(|f| f.name.as_deref() == Some(want))
                .collect()
        }
        Output::Forecast => {
            let f = &r.forecast;
            let mtd = q(&r.month_to_date_usd);
            let nan = f64::NAN;
            let times = vec![clock.month_start_ms, clock.now_ms, clock.month_end_ms];
            let budget = or_nan(f.budget_usd);
            vec![Frame {
                name: Some("month to date and forecast".to_owned()),
                time_ms: times,
                text: Vec::new(),
                fields: vec![
                    number("actual", usd, vec![0.0, mtd, nan]),
                    number("forecast", usd, vec![nan, mtd, q(&f.month_end_usd)]),
                    number("forecast low", usd, vec![nan, mtd, q(&f.month_end_low_usd)]),
                    number(
                        "forecast high",
                        usd,
                        vec![nan, mtd, q(&f.month_end_high_usd)],
                    ),
                    number("budget", usd, vec![budget; 3]),
                ],
            }]
        }
        _ => {
            let e = &r.efficiency;
            vec![row(
                "cost summary",
                clock.to_ms,
                vec![
                    ("total cost", usd, q(&r.total_usd)),
                    ("today", usd, q(&r.today_usd)),
                    ("rolling 24h", usd, q(&r.rolling_24h_usd)),
                    ("month to date", usd, q(&r.month_to_date_usd)),
                    ("forecast month end", usd, q(&r.forecast.month_end_usd)),
                    ("budget", usd, or_nan(r.forecast.budget_usd)),
                    ("cost per commit", usd, q(&e.cost_per_commit)),
                    ("cost per pull request", usd, q(&e.cost_per_pull_request)),
                    ("cost per 1k lines", usd, q(&e.cost_per_1k_lines)),
                    ("cost per active hour", usd, q(&e.cost_per_active_hour)),
                    ("cost per session", usd, q(&e.cost_per_session)),
                    ("cost per task", usd, q(&e.cost_per_completed_task)),
                    ("cost per accepted edit", usd, q(&e.cost_per_accepted_edit)),
                    ("tokens per dollar", "short", q(&e.tokens_per_dollar)),
                    ("total tokens", "short", q(&r.total_tokens)),
                    ("cache hit ratio", "percentunit", q(&e.cache_hit_ratio)),
                    ("cache savings", usd, q(&e.cache_savings_usd)),
                ],
            )]
        }
    }
}

/// `0` ok, `1` ticket, `2` page; no data is `NaN`.
fn level_value(l: AlertLevel) -> f64 {
    match l {
        AlertLevel::NoData => f64::NAN,
        AlertLevel::Ok => 0.0,
        AlertLevel::Ticket => 1.0,
        AlertLevel::Page => 2.0,
    }
}

fn exhaustion_seconds(e: Exhaustion) -> f64 {
    match e {
        Exhaustion::NoData | Exhaustion::Never => f64::NAN,
        Exhaustion::Exhausted => 0.0,
        Exhaustion::In { seconds } => seconds,
    }
}

fn slo_frames(r: &SloReport, t: &SloTimeline, output: Output) -> Vec<Frame> {
    let pct = "percentunit";
    let end = r.bounds.end_ms;
    match output {
        Output::BurnRates | Output::Budget => {
            let want = if output == Output::BurnRates {
                "burn rates"
            } else {
                "error budget"
            };
            t.to_frames()
                .into_iter()
                .filter(|f| f.name.as_deref() == Some(want))
                .map(|mut f| {
                    if output == Output::Budget {
                        for field in &mut f.fields {
                            if field.name == "remaining" {
                                field.name = "budget remaining".to_owned();
                            }
                        }
                    }
                    f
                })
                .collect()
        }
        Output::Windows => {
            let g = &r.overall;
            let fired = |w: &str| {
                g.alert
                    .fired
                    .iter()
                    .any(|c| c.windows.split('/').any(|x| x.trim() == w))
            };
            let factor = |w: &str| {
                r.conditions
                    .iter()
                    .find(|c| c.long_window == w || c.short_window == w)
                    .map_or(f64::NAN, |c| c.factor)
            };
            // The severity of the most urgent condition using the window (page before ticket);
            // empty for a window no condition uses (it is shown for information).
            let severity = |w: &str| {
                let mut found: Option<Severity> = None;
                for c in r
                    .conditions
                    .iter()
                    .filter(|c| c.long_window == w || c.short_window == w)
                {
                    if found != Some(Severity::Page) {
                        found = Some(c.severity);
                    }
                }
                found.map_or("", severity_text).to_owned()
            };
            vec![Frame {
                name: Some(format!("{} burn rates", r.name)),
                time_ms: Vec::new(),
                text: vec![
                    text(
                        "window",
                        g.burn_rates.iter().map(|b| b.window.clone()).collect(),
                    ),
                    text(
                        "severity",
                        g.burn_rates.iter().map(|b| severity(&b.window)).collect(),
                    ),
                ],
                fields: vec![
                    number(
                        "burn rate",
                        "short",
                        g.burn_rates.iter().map(|b| or_nan(b.burn_rate)).collect(),
                    ),
                    number(
                        "error ratio",
                        pct,
                        g.burn_rates.iter().map(|b| or_nan(b.error_ratio)).collect(),
                    ),
                    number(
                        "factor",
                        "short",
                        g.burn_rates.iter().map(|b| factor(&b.window)).collect(),
                    ),
                    number(
                        "firing",
                        "short",
                        g.burn_rates
                            .iter()
                            .map(|b| f64::from(u8::from(fired(&b.window))))
                            .collect(),
                    ),
                ],
            }]
        }
        Output::Backtest => vec![Frame {
            name: Some(format!("{} alert backtest", r.name)),
            time_ms: Vec::new(),
            text: vec![
                text(
                    "severity",
                    t.alerts
                        .iter()
                        .map(|a| severity_text(a.severity).to_owned())
                        .collect(),
                ),
                text(
                    "text",
                    t.alerts
                        .iter()
                        .map(|a| {
                            format!(
                                "{}: {} would have fired ({})",
                                r.name,
                                severity_text(a.severity),
                                a.conditions.join("; ")
                            )
                        })
                        .collect(),
                ),
            ],
            fields: vec![
                number(
                    "time",
                    "dateTimeAsIso",
                    t.alerts.iter().map(|a| a.start_ms as f64).collect(),
                ),
                number(
                    "timeEnd",
                    "dateTimeAsIso",
                    t.alerts.iter().map(|a| a.end_ms as f64).collect(),
                ),
            ],
        }],
        Output::Groups => {
            let labels: Vec<&str> = r
                .groups
                .first()
                .map(|g| g.labels.iter().map(|(k, _)| k).collect())
                .unwrap_or_default();
            let burn_1h = |g: &crate::views::slo::GroupResult| {
                g.burn_rates
                    .iter()
                    .find(|b| b.window == "1h")
                    .and_then(|b| b.burn_rate)
            };
            vec![Frame {
                name: Some(format!("{} by group", r.name)),
                time_ms: Vec::new(),
                text: labels
                    .iter()
                    .map(|l| {
                        text(
                            l,
                            r.groups
                                .iter()
                                .map(|g| g.labels.get(l).unwrap_or_default().to_owned())
                                .collect(),
                        )
                    })
                    .collect(),
                fields: vec![
                    number("sli", pct, r.groups.iter().map(|g| or_nan(g.sli)).collect()),
                    number(
                        "budget remaining",
                        pct,
                        r.groups
                            .iter()
                            .map(|g| or_nan(g.budget.map(|b| b.remaining)))
                            .collect(),
                    ),
                    number(
                        "burn rate 1h",
                        "short",
                        r.groups.iter().map(|g| or_nan(burn_1h(g))).collect(),
                    ),
                    number(
                        "alert level",
                        "short",
                        r.groups
                            .iter()
                            .map(|g| level_value(g.alert.level))
                            .collect(),
                    ),
                ],
            }]
        }
        _ => {
            let g = &r.overall;
            let budget = g.budget;
            let exhaustion = g
                .burn_rates
                .iter()
                .find(|b| b.window == "1h")
                .and_then(|b| b.burn_rate);
            let exhaustion = Exhaustion::at(budget.map(|b| b.remaining), exhaustion, {
                r.bounds.period_ms
            });
            vec![row(
                &r.name,
                end,
                vec![
                    ("sli", pct, or_nan(g.sli)),
                    ("objective", pct, r.objective),
                    ("budget remaining", pct, or_nan(budget.map(|b| b.remaining))),
                    ("budget consumed", pct, or_nan(budget.map(|b| b.consumed))),
                    ("time to exhaustion", "s", exhaustion_seconds(exhaustion)),
                    ("alert level", "short", level_value(g.alert.level)),
                ],
            )]
        }
    }
}

fn severity_text(s: Severity) -> &'static str {
    match s {
        Severity::Page => "page",
        Severity::Ticket => "ticket",
    }
}

fn status_text(s: HeartbeatStatus) -> &'static str {
    match s {
        HeartbeatStatus::Healthy => "healthy",
        HeartbeatStatus::Stale => "stale",
        HeartbeatStatus::Down => "down",
        HeartbeatStatus::Unknown => "unknown",
    }
}

fn agents_frames(v: &AgentsView, output: Output) -> Vec<Frame> {
    let q = |x: &agents::Quantity| or_nan(x.value());
    if output == Output::Fleet {
        let f = &v.fleet;
        return vec![row(
            "fleet",
            v.end_ms,
            vec![
                ("agents total", "short", q(&f.agents_total.value)),
                ("agents available", "short", q(&f.agents_available.value)),
                ("queue size", "short", q(&f.queue_size)),
                ("active tasks", "short", q(&f.tasks_active)),
                ("tasks per hour", "short", q(&f.tasks_per_hour)),
                ("api p50", "s", q(&f.api_p50)),
                ("api p95", "s", q(&f.api_p95)),
            ],
        )];
    }
    type Get = fn(&agents::AgentRow) -> &agents::Quantity;
    let measures: [(&str, &str, Get); 13] = [
        ("score", "short", |r| &r.score),
        ("tasks per hour", "short", |r| &r.tasks_per_hour),
        ("success rate", "percentunit", |r| &r.success_rate),
        ("failures", "short", |r| &r.tasks_failed),
        ("task duration p50", "s", |r| &r.duration_p50),
        ("task duration p95", "s", |r| &r.duration_p95),
        ("task duration p99", "s", |r| &r.duration_p99),
        ("load mean", "percent", |r| &r.load_mean),
        ("load max", "percent", |r| &r.load_max),
        ("heartbeat age", "s", |r| &r.heartbeat.age_s),
        ("tokens per task", "short", |r| &r.tokens_per_task),
        ("cost per task", "currencyUSD", |r| &r.cost_per_task),
        ("tasks completed", "short", |r| &r.tasks_completed),
    ];
    let mut fields: Vec<Field> = measures
        .iter()
        .map(|(name, unit, get)| number(name, unit, v.agents.iter().map(|r| q(get(r))).collect()))
        .collect();
    fields.push(number(
        "outlier",
        "short",
        v.agents
            .iter()
            .map(|r| f64::from(u8::from(!r.outliers.is_empty())))
            .collect(),
    ));
    vec![Frame {
        name: Some("leaderboard".to_owned()),
        time_ms: Vec::new(),
        text: vec![
            text("agent", v.agents.iter().map(|r| r.agent.clone()).collect()),
            text(
                "status",
                v.agents
                    .iter()
                    .map(|r| status_text(r.heartbeat.status).to_owned())
                    .collect(),
            ),
        ],
        fields,
    }]
}
