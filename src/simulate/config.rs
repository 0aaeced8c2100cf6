//! The simulator's configuration: what to simulate, how much of it, and what breaks.

use serde::{Deserialize, Serialize};

use super::faults::Fault;
use crate::error::{Error, Result};

/// Default seed.
pub const DEFAULT_SEED: u64 = 1;
/// Default number of Claude Code users.
pub const DEFAULT_USERS: u32 = 8;
/// Default number of agents in the cluster.
pub const DEFAULT_AGENTS: u32 = 6;
/// Default number of Hexabase workspaces.
pub const DEFAULT_WORKSPACES: u32 = 3;
/// Default scrape interval: 60 s, Prometheus' default; every `rate(…[5m])` of the seed
/// dashboards then sees five samples.
pub const DEFAULT_INTERVAL_MS: i64 = 60_000;

/// Allowed users: one to 500 (each user adds about 30 series per running session).
pub const USERS_RANGE: (u32, u32) = (1, 500);
/// Allowed agents: one to 64 (each adds about 40 series).
pub const AGENTS_RANGE: (u32, u32) = (1, 64);
/// Allowed workspaces: one to 50.
pub const WORKSPACES_RANGE: (u32, u32) = (1, 50);
/// Allowed interval: one second to one hour, in ms. Above an hour no `rate(…[5m])` or
/// `increase(…[1h])` of the seed dashboards has two samples.
pub const INTERVAL_RANGE_MS: (i64, i64) = (1_000, 3_600_000);

/// How the Claude Code metrics are named (`shared/TELEMETRY.md`, "Naming variants").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Naming {
    /// The OTel Collector's Prometheus exporter: `claude_code_cost_usage_USD_total`.
    #[default]
    Collector,
    /// The Collector with `namespace: claude_code`: `claude_code_claude_code_cost_usage_USD_total`.
    DoubledPrefix,
    /// Claude Code's own Prometheus exporter, no unit suffix: `claude_code_cost_usage_total`.
    NoUnitSuffix,
    /// The Collector's names, except commits and pull requests under the names older dashboards
    /// use (`claude_code_git_commit_count_total`), which Claude Code never emits.
    Legacy,
}

impl Naming {
    /// Every variant with its flag spelling.
    pub const ALL: [(Naming, &'static str); 4] = [
        (Naming::Collector, "collector"),
        (Naming::DoubledPrefix, "doubled-prefix"),
        (Naming::NoUnitSuffix, "no-unit-suffix"),
        (Naming::Legacy, "legacy"),
    ];

    /// The variant spelled `name`; the error lists the spellings.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(v, _)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|(_, n)| *n).collect();
                Error::InvalidConfig(format!(
                    "naming (--naming) \"{name}\" is not one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// What to simulate. Read from JSON (camelCase, unknown fields refused); every field has a
/// default, so `{}` is the default fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SimConfig {
    /// Seed of every random draw ([`DEFAULT_SEED`]): the same seed gives the same telemetry.
    pub seed: u64,
    /// Claude Code users ([`DEFAULT_USERS`], range [`USERS_RANGE`]).
    pub users: u32,
    /// Agents of the agent cluster ([`DEFAULT_AGENTS`], range [`AGENTS_RANGE`]).
    pub agents: u32,
    /// Hexabase workspaces ([`DEFAULT_WORKSPACES`], range [`WORKSPACES_RANGE`]).
    pub workspaces: u32,
    /// Scrape interval, ms ([`DEFAULT_INTERVAL_MS`], range [`INTERVAL_RANGE_MS`]): one sample
    /// per series per interval.
    pub interval_ms: i64,
    /// How the Claude Code metrics are named (default: the Collector's names).
    pub naming: Naming,
    /// Injected faults (default: none).
    pub faults: Vec<Fault>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            users: DEFAULT_USERS,
            agents: DEFAULT_AGENTS,
            workspaces: DEFAULT_WORKSPACES,
            interval_ms: DEFAULT_INTERVAL_MS,
            naming: Naming::default(),
            faults: Vec::new(),
        }
    }
}

impl SimConfig {
    /// Checks every field. Fails with [`Error::InvalidConfig`] naming the field, its flag and
    /// the allowed range.
    pub fn validate(&self) -> Result<()> {
        let count = |name: &str, flag: &str, v: u32, (lo, hi): (u32, u32)| {
            if v < lo || v > hi {
                Err(Error::InvalidConfig(format!(
                    "{name} ({flag}) is {v}; it must be between {lo} and {hi}"
                )))
            } else {
                Ok(())
            }
        };
        count("users", "--users", self.users, USERS_RANGE)?;
        count("agents", "--agents", self.agents, AGENTS_RANGE)?;
        count(
            "workspaces",
            "--workspaces",
            self.workspaces,
            WORKSPACES_RANGE,
        )?;
        let (lo, hi) = INTERVAL_RANGE_MS;
        if self.interval_ms < lo || self.interval_ms > hi {
            return Err(Error::InvalidConfig(format!(
                "intervalMs (--interval) is {} ms; it must be between 1s and 1h",
                self.interval_ms
            )));
        }
        for f in &self.faults {
            f.check()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_fields_name_their_flag_and_range() {
        type Case = (&'static str, fn(&mut SimConfig), &'static str);
        let cases: &[Case] = &[
            (
                "no users",
                |c| c.users = 0,
                "users (--users) is 0; it must be between 1 and 500",
            ),
            (
                "too many agents",
                |c| c.agents = 65,
                "agents (--agents) is 65; it must be between 1 and 64",
            ),
            (
                "no workspaces",
                |c| c.workspaces = 0,
                "workspaces (--workspaces) is 0",
            ),
            (
                "interval too short",
                |c| c.interval_ms = 999,
                "intervalMs (--interval) is 999 ms; it must be between 1s and 1h",
            ),
            (
                "interval too long",
                |c| c.interval_ms = 3_600_001,
                "between 1s and 1h",
            ),
        ];
        for (name, change, want) in cases {
            let mut c = SimConfig::default();
            change(&mut c);
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(want), "case {name} failed: {e}");
        }
        assert!(SimConfig::default().validate().is_ok());
    }

    #[test]
    fn config_reads_from_json_with_defaults() {
        let c: SimConfig =
            serde_json::from_str(r#"{"users": 3, "naming": "doubled-prefix"}"#).unwrap();
        assert_eq!(c.users, 3);
        assert_eq!(c.agents, DEFAULT_AGENTS);
        assert_eq!(c.naming, Naming::DoubledPrefix);
        assert!(serde_json::from_str::<SimConfig>(r#"{"userz": 3}"#).is_err());
        assert_eq!(
            Naming::parse("otel").unwrap_err().to_string(),
            "config: naming (--naming) \"otel\" is not one of collector, doubled-prefix, no-unit-suffix, legacy"
        );
    }
}
