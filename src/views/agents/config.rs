//! The agent performance view's configuration, read from JSON.

use serde::{Deserialize, Serialize};

use crate::counter::PromqlCompat;
use crate::error::{Error, Result};

/// Default age after which a heartbeat is stale: 60 s, two missed beats of an agent that beats
/// every 30 s (the seed does not fix an interval; 30 s is the usual agent loop).
pub const DEFAULT_STALE_AFTER_S: f64 = 60.0;

/// Default age after which an agent is down: 300 s, Prometheus' own staleness horizon (its
/// lookback delta), after which its panels stop showing the series too.
pub const DEFAULT_DOWN_AFTER_S: f64 = 300.0;

/// Everything the view needs besides the series. Read from JSON (camelCase, unknown fields
/// refused), e.g. `{"groupLabel": "agent_name", "startMs": 0, "endMs": 3600000, "nowMs": 3600000}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentsConfig {
    /// The label that names an agent: `agent_id` (default, the agent cluster's metrics),
    /// `agent_name` or `session_id` (Claude Code's metrics), or any other label.
    #[serde(default = "default_group_label")]
    pub group_label: String,
    /// Metric names per role; each defaults to the seed's name.
    #[serde(default)]
    pub metrics: MetricNames,
    /// When a heartbeat counts as stale or down.
    #[serde(default)]
    pub heartbeat: HeartbeatThresholds,
    /// How counter increases are computed (default: exact).
    #[serde(default)]
    pub counter_mode: CounterMode,
    /// Start of the evaluation range, epoch ms (exclusive for exact increases: the last sample at
    /// or before it is the baseline).
    pub start_ms: i64,
    /// End of the evaluation range, epoch ms (inclusive).
    pub end_ms: i64,
    /// The caller's "now", epoch ms, at which heartbeat ages are measured (usually `endMs`; the
    /// core never reads the clock).
    pub now_ms: i64,
}

fn default_group_label() -> String {
    "agent_id".to_owned()
}

/// Metric names per role. A histogram role names the histogram without `_bucket`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MetricNames {
    /// Counter of completed tasks per agent (`claude_agent_tasks_completed_total`).
    pub tasks_completed: String,
    /// Counter of failed tasks per agent (`claude_agent_tasks_failed_total`).
    pub tasks_failed: String,
    /// Histogram of task durations in seconds per agent (`claude_agent_task_duration_seconds`).
    pub task_duration: String,
    /// Gauge of agent load, percent (`claude_agent_load`).
    pub load: String,
    /// Gauge holding the Unix time in seconds of the agent's last heartbeat
    /// (`claude_agent_last_heartbeat`).
    pub heartbeat: String,
    /// Counter of API tokens per agent, any `type` (`claude_api_tokens_total`).
    pub tokens: String,
    /// Counter of API cost in USD (`claude_api_cost_usd_total`).
    pub cost: String,
    /// Gauge of queued tasks (`claude_tasks_queue_size`).
    pub queue_size: String,
    /// Gauge of running tasks (`claude_tasks_active`).
    pub tasks_active: String,
    /// Gauge of registered agents (`claude_agents_total`).
    pub agents_total: String,
    /// Gauge of available agents (`claude_agents_available`).
    pub agents_available: String,
    /// Histogram of API request durations in seconds (`claude_api_request_duration_seconds`).
    pub api_duration: String,
}

impl Default for MetricNames {
    fn default() -> Self {
        Self {
            tasks_completed: "claude_agent_tasks_completed_total".to_owned(),
            tasks_failed: "claude_agent_tasks_failed_total".to_owned(),
            task_duration: "claude_agent_task_duration_seconds".to_owned(),
            load: "claude_agent_load".to_owned(),
            heartbeat: "claude_agent_last_heartbeat".to_owned(),
            tokens: "claude_api_tokens_total".to_owned(),
            cost: "claude_api_cost_usd_total".to_owned(),
            queue_size: "claude_tasks_queue_size".to_owned(),
            tasks_active: "claude_tasks_active".to_owned(),
            agents_total: "claude_agents_total".to_owned(),
            agents_available: "claude_agents_available".to_owned(),
            api_duration: "claude_api_request_duration_seconds".to_owned(),
        }
    }
}

impl MetricNames {
    /// Names for Claude Code's own metrics (`shared/TELEMETRY.md`, names with unit suffixes):
    /// tokens and cost from `claude_code_token_usage_tokens_total` and
    /// `claude_code_cost_usage_USD_total`; the cluster's names for the other roles, which Claude
    /// Code does not export, so they are reported unavailable.
    pub fn claude_code() -> Self {
        Self {
            tokens: "claude_code_token_usage_tokens_total".to_owned(),
            cost: "claude_code_cost_usage_USD_total".to_owned(),
            ..Self::default()
        }
    }
}

/// Heartbeat age thresholds, seconds: healthy below `staleAfterS`, stale from it, down from
/// `downAfterS`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct HeartbeatThresholds {
    /// Age at which a heartbeat is stale ([`DEFAULT_STALE_AFTER_S`]).
    pub stale_after_s: f64,
    /// Age at which the agent is down ([`DEFAULT_DOWN_AFTER_S`]).
    pub down_after_s: f64,
}

impl Default for HeartbeatThresholds {
    fn default() -> Self {
        Self {
            stale_after_s: DEFAULT_STALE_AFTER_S,
            down_after_s: DEFAULT_DOWN_AFTER_S,
        }
    }
}

/// How counter increases over the range are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    tag = "mode",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum CounterMode {
    /// The sum of the deltas between samples in `(startMs, endMs]`, counted from the last sample
    /// at or before `startMs` ([`exact_increase_between`](crate::counter::exact_increase_between)):
    /// what the samples prove, no extrapolation.
    #[default]
    Exact,
    /// PromQL's `increase(m[endMs − startMs])` at `endMs`, extrapolation included
    /// ([`promql_increase`](crate::counter::promql_increase)), as a Prometheus panel shows it.
    Promql {
        /// Which Prometheus version to reproduce (default: 3.x).
        #[serde(default)]
        compat: PromqlCompat,
    },
}

impl AgentsConfig {
    /// A configuration with every default and the given range, `now` at its end.
    pub fn new(start_ms: i64, end_ms: i64) -> Self {
        Self {
            group_label: default_group_label(),
            metrics: MetricNames::default(),
            heartbeat: HeartbeatThresholds::default(),
            counter_mode: CounterMode::default(),
            start_ms,
            end_ms,
            now_ms: end_ms,
        }
    }

    /// Reads a configuration from JSON and checks it ([`AgentsConfig::validate`]).
    pub fn from_json(text: &str) -> Result<Self> {
        let config: Self = serde_json::from_str(text)
            .map_err(|e| Error::InvalidConfig(format!("agents view: {e}")))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the configuration. Fails with [`Error::InvalidConfig`] when the group label or a
    /// metric name is empty, the range is empty or reversed, or the heartbeat thresholds are not
    /// finite, not positive, or not `staleAfterS < downAfterS`.
    pub fn validate(&self) -> Result<()> {
        if self.group_label.trim().is_empty() {
            return Err(Error::InvalidConfig(
                "agents view: groupLabel is empty (use agent_id, agent_name or session_id)"
                    .to_owned(),
            ));
        }
        if self.end_ms <= self.start_ms {
            return Err(Error::InvalidConfig(format!(
                "agents view: the range must end after it starts, got startMs {} and endMs {}",
                self.start_ms, self.end_ms
            )));
        }
        let HeartbeatThresholds {
            stale_after_s,
            down_after_s,
        } = self.heartbeat;
        if !(stale_after_s.is_finite() && stale_after_s > 0.0) {
            return Err(Error::InvalidConfig(format!(
                "agents view: heartbeat.staleAfterS must be a positive number of seconds, got {stale_after_s}"
            )));
        }
        if !(down_after_s.is_finite() && down_after_s > stale_after_s) {
            return Err(Error::InvalidConfig(format!(
                "agents view: heartbeat.downAfterS ({down_after_s}) must be greater than staleAfterS ({stale_after_s})"
            )));
        }
        let m = &self.metrics;
        let roles = [
            ("tasksCompleted", &m.tasks_completed),
            ("tasksFailed", &m.tasks_failed),
            ("taskDuration", &m.task_duration),
            ("load", &m.load),
            ("heartbeat", &m.heartbeat),
            ("tokens", &m.tokens),
            ("cost", &m.cost),
            ("queueSize", &m.queue_size),
            ("tasksActive", &m.tasks_active),
            ("agentsTotal", &m.agents_total),
            ("agentsAvailable", &m.agents_available),
            ("apiDuration", &m.api_duration),
        ];
        if let Some((role, _)) = roles.iter().find(|(_, name)| name.trim().is_empty()) {
            return Err(Error::InvalidConfig(format!(
                "agents view: metrics.{role} is empty"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seed_names() {
        let c = AgentsConfig::from_json(r#"{"startMs": 0, "endMs": 3600000, "nowMs": 3600000}"#)
            .unwrap();
        assert_eq!(c, AgentsConfig::new(0, 3_600_000));
        assert_eq!(c.group_label, "agent_id");
        assert_eq!(
            c.metrics.tasks_completed,
            "claude_agent_tasks_completed_total"
        );
        assert_eq!(c.counter_mode, CounterMode::Exact);
    }

    #[test]
    fn json_round_trips_and_reads_modes() {
        let c = AgentsConfig::from_json(
            r#"{"groupLabel": "session_id", "counterMode": {"mode": "promql", "compat": "v2"},
                "heartbeat": {"staleAfterS": 30}, "metrics": {"cost": "x_total"},
                "startMs": 0, "endMs": 10, "nowMs": 20}"#,
        )
        .unwrap();
        assert_eq!(
            c.counter_mode,
            CounterMode::Promql {
                compat: PromqlCompat::V2
            }
        );
        assert_eq!(c.heartbeat.stale_after_s, 30.0);
        assert_eq!(c.heartbeat.down_after_s, DEFAULT_DOWN_AFTER_S);
        assert_eq!(c.metrics.cost, "x_total");
        assert_eq!(c.metrics.load, "claude_agent_load");
        let back: AgentsConfig = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn bad_configs_say_what_to_fix() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "unknown field",
                r#"{"startMs": 0, "endMs": 1, "nowMs": 1, "groupBy": "x"}"#,
                "unknown field `groupBy`",
            ),
            (
                "missing range",
                r#"{"startMs": 0}"#,
                "missing field `endMs`",
            ),
            (
                "reversed range",
                r#"{"startMs": 5, "endMs": 5, "nowMs": 5}"#,
                "must end after it starts",
            ),
            (
                "empty label",
                r#"{"groupLabel": " ", "startMs": 0, "endMs": 1, "nowMs": 1}"#,
                "groupLabel is empty",
            ),
            (
                "stale not positive",
                r#"{"heartbeat": {"staleAfterS": 0}, "startMs": 0, "endMs": 1, "nowMs": 1}"#,
                "staleAfterS must be a positive",
            ),
            (
                "down before stale",
                r#"{"heartbeat": {"staleAfterS": 60, "downAfterS": 60}, "startMs": 0, "endMs": 1, "nowMs": 1}"#,
                "must be greater than staleAfterS",
            ),
            (
                "empty metric",
                r#"{"metrics": {"load": ""}, "startMs": 0, "endMs": 1, "nowMs": 1}"#,
                "metrics.load is empty",
            ),
            (
                "unknown mode",
                r#"{"counterMode": {"mode": "fast"}, "startMs": 0, "endMs": 1, "nowMs": 1}"#,
                "unknown variant `fast`",
            ),
        ];
        for (name, json, want) in cases {
            let err = AgentsConfig::from_json(json).unwrap_err().to_string();
            assert!(err.contains(want), "case {name} failed: {err}");
            assert!(
                err.starts_with("config: agents view"),
                "case {name} failed: {err}"
            );
        }
    }
}
