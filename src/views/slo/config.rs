//! The SLO configuration: one serde type shared by the data source, the panels and the CLI.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "the span is computed in i128"
)]

use serde::{Deserialize, Serialize};

use crate::counter::PromqlCompat;
use crate::error::{Error, Result};
use crate::time::parse_duration_ms;

/// One SLO, read from JSON.
///
/// ```json
/// {"name": "api availability", "objective": 0.999, "period": {"rolling": "30d"},
///  "sli": {"ratio": {"bad": {"metric": "http_requests_total",
///                            "matchers": [{"label": "status", "op": "=~", "value": "5.."}]},
///                    "total": {"metric": "http_requests_total"}}}}
/// ```
///
/// Defaults: no group-by labels, the SRE workbook's alerting conditions scaled to the period
/// ([`default_conditions`]), [`CounterMode::Exact`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SloConfig {
    /// A name for tables and alerts.
    pub name: String,
    /// The objective `o`, a share in `(0, 1)` exclusive (`0.999` for 99.9 %).
    pub objective: f64,
    /// The compliance period. The caller resolves it to [`PeriodBounds`] (a rolling window ends
    /// now; a calendar period is the current day, week, month or quarter in the dashboard's zone).
    pub period: Period,
    /// What counts as a good and as a bad event.
    pub sli: Sli,
    /// Labels to evaluate the SLO per group of (e.g. `["endpoint"]`); series without one of them
    /// fall in the group where it is `""`. Default: none (one group, the whole service).
    #[serde(default)]
    pub group_by: Vec<String>,
    /// Multi-window multi-burn-rate conditions. Default (`null` or absent):
    /// [`default_conditions`], scaled to the period.
    #[serde(default)]
    pub alerting: Option<Vec<BurnCondition>>,
    /// How counter increases are computed. Default: [`CounterMode::Exact`].
    #[serde(default)]
    pub counter_mode: CounterMode,
}

/// The compliance period as users write it: `{"rolling": "30d"}` or `{"calendar": "month"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Period {
    /// The last `N` (a duration such as `30d` or `28d`) up to the evaluation time.
    Rolling(String),
    /// The current calendar period in the dashboard's time zone.
    Calendar(CalendarUnit),
}

/// A calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CalendarUnit {
    /// Since local midnight.
    Day,
    /// Since the start of the local week.
    Week,
    /// Since the first of the month.
    Month,
    /// Since the first of the quarter.
    Quarter,
}

impl Period {
    /// The length of a rolling period in milliseconds; `None` for a calendar period, whose length
    /// (28 to 31 days for a month, 23 to 25 hours for a day across a DST change) the caller knows.
    pub fn rolling_ms(&self) -> Result<Option<i64>> {
        match self {
            Period::Rolling(d) => parse_duration_ms(d).map(Some),
            Period::Calendar(_) => Ok(None),
        }
    }
}

/// The period an evaluation covers, resolved by the caller (see [`Period`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeriodBounds {
    /// Start of the period, epoch milliseconds (exclusive: events after it count).
    pub start_ms: i64,
    /// The evaluation time, epoch milliseconds: the end of the part of the period seen so far.
    pub end_ms: i64,
    /// The full length `P` of the period in milliseconds, which scales the alert factors and the
    /// time to exhaustion: `30d` for a rolling 30 d window; the whole month's length for a month
    /// in progress (then `end_ms − start_ms < P`).
    pub period_ms: i64,
}

impl PeriodBounds {
    /// Checks `start_ms < end_ms`, `P > 0` and `end_ms − start_ms <= P`.
    pub fn check(&self) -> Result<()> {
        if self.period_ms <= 0 {
            return Err(Error::InvalidConfig(format!(
                "slo period: the period length must be positive, got {} ms",
                self.period_ms
            )));
        }
        if self.end_ms <= self.start_ms {
            return Err(Error::InvalidConfig(format!(
                "slo period: the end ({} ms) must be after the start ({} ms)",
                self.end_ms, self.start_ms
            )));
        }
        let span = i128::from(self.end_ms) - i128::from(self.start_ms);
        if span > i128::from(self.period_ms) {
            return Err(Error::InvalidConfig(format!(
                "slo period: the bounds span {span} ms, longer than the period ({} ms)",
                self.period_ms
            )));
        }
        Ok(())
    }
}

/// The service level indicator: which events are good and which are bad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Sli {
    /// A ratio of counters: exactly one of `good` or `bad`, and `total`.
    Ratio {
        /// Good events (e.g. `http_requests_total{status!~"5.."}`); bad = total − good.
        #[serde(default)]
        good: Option<Selector>,
        /// Bad events (e.g. `http_requests_total{status=~"5.."}`).
        #[serde(default)]
        bad: Option<Selector>,
        /// All events.
        total: Selector,
    },
    /// A latency SLI on a classic histogram: an event is good when at or below the threshold.
    #[serde(rename_all = "camelCase")]
    Latency {
        /// The histogram's `_bucket` series (metric name with or without `_bucket`, and matchers).
        histogram: Selector,
        /// The threshold in seconds (e.g. `0.5`). It need not be a bucket bound: the share at or
        /// below it is then interpolated, and the result reports the distance to the nearest
        /// bound.
        threshold_seconds: f64,
    },
    /// Availability: the share of time a gauge (such as `up`) was 1.
    #[serde(rename_all = "camelCase")]
    Availability {
        /// The gauge.
        gauge: Selector,
        /// How much time one sample stands for (the scrape interval). Default `"15s"`, the
        /// seeds' `scrape_interval`. Each sample in a window counts for this long, as up (value
        /// exactly 1) or down (anything else); missing samples count for nothing.
        #[serde(default = "default_sample_interval")]
        sample_interval: String,
    },
}

fn default_sample_interval() -> String {
    "15s".to_owned()
}

/// A metric and label matchers, as in a PromQL selector. The caller runs the selection (it is
/// rendered with [`Selector::to_promql`]); the engine only receives the matching series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Selector {
    /// The metric name.
    pub metric: String,
    /// Label matchers. Default: none.
    #[serde(default)]
    pub matchers: Vec<Matcher>,
}

/// A PromQL label matcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Matcher {
    /// The label name.
    pub label: String,
    /// `=`, `!=`, `=~` or `!~`.
    pub op: MatchOp,
    /// The value or (for `=~`, `!~`) the regular expression, anchored as in PromQL.
    pub value: String,
}

/// A matcher's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchOp {
    /// Equal.
    #[serde(rename = "=")]
    Eq,
    /// Not equal.
    #[serde(rename = "!=")]
    Ne,
    /// Matches the regular expression.
    #[serde(rename = "=~")]
    Re,
    /// Does not match the regular expression.
    #[serde(rename = "!~")]
    NotRe,
}

impl Selector {
    /// A selector without matchers.
    pub fn metric(name: &str) -> Self {
        Self {
            metric: name.to_owned(),
            matchers: Vec::new(),
        }
    }

    /// Adds a matcher.
    pub fn with(mut self, label: &str, op: MatchOp, value: &str) -> Self {
        self.matchers.push(Matcher {
            label: label.to_owned(),
            op,
            value: value.to_owned(),
        });
        self
    }

    /// The selector in PromQL notation, e.g. `http_requests_total{status=~"5.."}`.
    pub fn to_promql(&self) -> String {
        if self.matchers.is_empty() {
            return self.metric.clone();
        }
        let parts: Vec<String> = self
            .matchers
            .iter()
            .map(|m| {
                let op = match m.op {
                    MatchOp::Eq => "=",
                    MatchOp::Ne => "!=",
                    MatchOp::Re => "=~",
                    MatchOp::NotRe => "!~",
                };
                format!("{}{op}\"{}\"", m.label, m.value.escape_default())
            })
            .collect();
        format!("{}{{{}}}", self.metric, parts.join(", "))
    }
}

/// How counter increases over a window are computed. Every result says which was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CounterMode {
    /// Exact: the sum of the per-series deltas between samples in the window (a drop is a
    /// reset), then summed across series ([`exact_increase_range`](crate::counter::exact_increase_range)).
    /// No extrapolation, so windows add up. The default.
    #[default]
    Exact,
    /// `sum(increase(m[w]))` exactly as the chosen Prometheus version computes it
    /// ([`sum_range`](crate::counter::sum_range)): `{"promql": "v2"}`.
    Promql(PromqlCompat),
}

/// Page or ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// Wake someone up.
    Page,
    /// Look at it during working hours.
    Ticket,
}

/// One multi-window burn-rate condition: fires when the burn rate over both windows is above
/// the factor.
///
/// Give either `factor`, or `budgetConsumed`: the share of the period's budget that burning for
/// `longWindow` at the factor consumes, so `factor = budgetConsumed · P / longWindow` (which is
/// how the SRE workbook's factors scale with the period).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BurnCondition {
    /// Page or ticket.
    pub severity: Severity,
    /// The long window (e.g. `"1h"`).
    pub long_window: String,
    /// The short window (e.g. `"5m"`), which makes the alert reset quickly.
    pub short_window: String,
    /// The burn-rate factor, as given.
    #[serde(default)]
    pub factor: Option<f64>,
    /// The share of the budget consumed over the long window at the factor.
    #[serde(default)]
    pub budget_consumed: Option<f64>,
}

/// The SRE workbook's four conditions (chapter "Alerting on SLOs", multiwindow, multi-burn-rate
/// alerts), as budget shares: page on 2 % of the budget in 1 h (short window 5 m) or 5 % in 6 h
/// (30 m); ticket on 10 % in 1 d (2 h) or 10 % in 3 d (6 h).
///
/// With `factor = share · P / long`: for P = 30 d the factors are 14.4, 6, 3 and 1; for P = 28 d
/// 13.44, 5.6, 2.8 and 0.933….
pub fn default_conditions() -> Vec<BurnCondition> {
    let c = |severity, long: &str, short: &str, share| BurnCondition {
        severity,
        long_window: long.to_owned(),
        short_window: short.to_owned(),
        factor: None,
        budget_consumed: Some(share),
    };
    vec![
        c(Severity::Page, "1h", "5m", 0.02),
        c(Severity::Page, "6h", "30m", 0.05),
        c(Severity::Ticket, "1d", "2h", 0.10),
        c(Severity::Ticket, "3d", "6h", 0.10),
    ]
}

/// A condition with its windows parsed and its factor resolved for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedCondition {
    /// Page or ticket.
    pub severity: Severity,
    /// The long window as written.
    pub long_window: String,
    /// The short window as written.
    pub short_window: String,
    /// The long window, milliseconds.
    pub long_ms: i64,
    /// The short window, milliseconds.
    pub short_ms: i64,
    /// The burn-rate factor both windows must exceed.
    pub factor: f64,
}

impl BurnCondition {
    /// Parses the windows and resolves the factor for a period of `period_ms`.
    ///
    /// Fails when a window does not parse, the short window is not shorter than the long one,
    /// both or neither of `factor` and `budgetConsumed` are given, or the factor is not a
    /// positive number.
    pub fn resolve(&self, period_ms: i64) -> Result<ResolvedCondition> {
        let long_ms = parse_duration_ms(&self.long_window)?;
        let short_ms = parse_duration_ms(&self.short_window)?;
        let what = format!(
            "alerting condition {}/{}",
            self.long_window, self.short_window
        );
        if short_ms >= long_ms {
            return Err(Error::InvalidConfig(format!(
                "{what}: the short window must be shorter than the long one"
            )));
        }
        let factor = match (self.factor, self.budget_consumed) {
            (Some(f), None) => f,
            (None, Some(share)) => share * (period_ms as f64 / long_ms as f64),
            _ => {
                return Err(Error::InvalidConfig(format!(
                    "{what}: give exactly one of factor and budgetConsumed"
                )))
            }
        };
        if !(factor.is_finite() && factor > 0.0) {
            return Err(Error::InvalidConfig(format!(
                "{what}: the factor must be a positive number, got {factor}"
            )));
        }
        Ok(ResolvedCondition {
            severity: self.severity,
            long_window: self.long_window.clone(),
            short_window: self.short_window.clone(),
            long_ms,
            short_ms,
            factor,
        })
    }
}

impl SloConfig {
    /// Parses a configuration from JSON and checks it ([`SloConfig::check`]).
    pub fn from_json(text: &str) -> Result<Self> {
        let config: Self =
            serde_json::from_str(text).map_err(|e| Error::InvalidConfig(format!("slo: {e}")))?;
        config.check()?;
        Ok(config)
    }

    /// Checks what does not depend on the period: the objective is in `(0, 1)`, a ratio SLI has
    /// exactly one of `good` and `bad`, a latency threshold is a positive number, a sample
    /// interval and a rolling period parse.
    pub fn check(&self) -> Result<()> {
        let o = self.objective;
        if !(o > 0.0 && o < 1.0) {
            return Err(Error::InvalidConfig(format!(
                "slo {}: objective {o} is outside (0, 1) (write 99.9 % as 0.999)",
                self.name
            )));
        }
        self.period.rolling_ms()?;
        match &self.sli {
            Sli::Ratio { good, bad, .. } => {
                if good.is_some() == bad.is_some() {
                    return Err(Error::InvalidConfig(format!(
                        "slo {}: a ratio SLI needs exactly one of good and bad (and total)",
                        self.name
                    )));
                }
            }
            Sli::Latency {
                threshold_seconds, ..
            } => {
                if !(threshold_seconds.is_finite() && *threshold_seconds > 0.0) {
                    return Err(Error::InvalidConfig(format!(
                        "slo {}: the latency threshold must be a positive number of seconds, got {threshold_seconds}",
                        self.name
                    )));
                }
            }
            Sli::Availability {
                sample_interval, ..
            } => {
                parse_duration_ms(sample_interval)?;
            }
        }
        Ok(())
    }

    /// The error budget `B = 1 − o`.
    pub fn budget(&self) -> f64 {
        1.0 - self.objective
    }

    /// The alerting conditions resolved for a period of `period_ms` (the defaults when none are
    /// configured).
    pub fn conditions(&self, period_ms: i64) -> Result<Vec<ResolvedCondition>> {
        let list = match &self.alerting {
            Some(list) => list.clone(),
            None => default_conditions(),
        };
        list.iter().map(|c| c.resolve(period_ms)).collect()
    }
}

/// Names of the built-in presets, for [`preset`].
pub const PRESETS: &[&str] = &["http-availability", "http-latency-p95", "claude-api-errors"];

/// The seeds' SLOs (`seeds/conea-monitoring-guide.md`, `seeds/claude-code-cluster-monitoring.md`):
///
/// * `http-availability`: 99.9 % over 30 d; bad = `http_requests_total{status=~"5.."}`, total =
///   `http_requests_total`, by `endpoint`;
/// * `http-latency-p95`: "p95 ≤ 500 ms over 30 d" as an event SLI: 95 % of
///   `http_request_duration_seconds` observations at or below 0.5 s (a bucket bound of the seed's
///   ladder, so exact), by `endpoint`;
/// * `claude-api-errors`: the cluster's Claude API error ratio, 99 % over 30 d; bad =
///   `claude_api_requests_total{status=~"5..|429"}` (server errors and rate limiting), total =
///   `claude_api_requests_total`. The seeds give no objective for it: 99 % is FleetLens' choice.
///
/// Fails with [`Error::InvalidConfig`] naming the presets for an unknown name.
pub fn preset(name: &str) -> Result<SloConfig> {
    let rolling_30d = Period::Rolling("30d".to_owned());
    let http = "http_requests_total";
    let config = match name {
        "http-availability" => SloConfig {
            name: "API availability".to_owned(),
            objective: 0.999,
            period: rolling_30d,
            sli: Sli::Ratio {
                good: None,
                bad: Some(Selector::metric(http).with("status", MatchOp::Re, "5..")),
                total: Selector::metric(http),
            },
            group_by: vec!["endpoint".to_owned()],
            alerting: None,
            counter_mode: CounterMode::Exact,
        },
        "http-latency-p95" => SloConfig {
            name: "API latency p95 <= 500 ms".to_owned(),
            objective: 0.95,
            period: rolling_30d,
            sli: Sli::Latency {
                histogram: Selector::metric("http_request_duration_seconds"),
                threshold_seconds: 0.5,
            },
            group_by: vec!["endpoint".to_owned()],
            alerting: None,
            counter_mode: CounterMode::Exact,
        },
        "claude-api-errors" => SloConfig {
            name: "Claude API error ratio".to_owned(),
            objective: 0.99,
            period: rolling_30d,
            sli: Sli::Ratio {
                good: None,
                bad: Some(Selector::metric("claude_api_requests_total").with(
                    "status",
                    MatchOp::Re,
                    "5..|429",
                )),
                total: Selector::metric("claude_api_requests_total"),
            },
            group_by: Vec::new(),
            alerting: None,
            counter_mode: CounterMode::Exact,
        },
        other => {
            return Err(Error::InvalidConfig(format!(
                "slo preset \"{other}\" is unknown (presets: {})",
                PRESETS.join(", ")
            )))
        }
    };
    Ok(config)
}
