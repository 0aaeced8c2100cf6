//! Injectable faults: what breaks, and when.
//!
//! A fault is written `NAME` or `NAME@START..END` (the `--fault` flag, repeatable). START and
//! END are points in time as everywhere else (RFC 3339, Unix seconds, `now-1h`, `now+5m`);
//! either may be left empty (`reset@now-2h..`). Without a window a fault lasts the whole run.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::parse_time_ms;

/// How often the restartable processes restart while a `counter-reset` fault is active: every
/// six hours, so a one-day history shows several resets and `resets()` finds them.
pub const RESET_PERIOD_MS: i64 = 6 * 3_600_000;

/// Every fault the simulator can inject, each named by its flag spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Process restarts: the counters of Claude Code sessions, cluster agents and the Conea API
    /// drop to zero at the window start and every [`RESET_PERIOD_MS`] within it.
    CounterReset,
    /// Two writers on one series: the first user's sessions are exported by two processes,
    /// whose values alternate (Claude Code issue #56317); `increase()` inflates.
    CollidingWriters,
    /// The Conea API is down: `up{job="conea-api"}` is 0 and its series have no samples
    /// (ServiceDown); its counters start again from zero afterwards.
    Outage,
    /// 5xx responses rise to 8 % on both services, burning the 0.1 % error budget
    /// (HighErrorRate, the SLO burn-rate alerts).
    ErrorBurst,
    /// Both services answer slowly: p95 above 2 s (HighLatency, SlowResponseTime, latency SLO).
    SlowResponses,
    /// `user_email` is missing from every Claude Code series (it is always missing for API-key
    /// users).
    MissingEmail,
    /// One agent (`agent-01`) slows down: task and API durations ×6, load above 90 %
    /// (HighAgentLoad).
    AgentLatency,
    /// Every task takes hours: p95 task duration above 3600 s (SlowTaskExecution).
    SlowTasks,
    /// The Claude API is slow for every agent: p95 above 60 s (HighClaudeAPILatency).
    ApiLatency,
    /// `up{job="claude-coordinator"}` is 0 and the coordinator's series have no samples
    /// (CoordinatorDown).
    CoordinatorDown,
    /// `up{job="postgresql"}` is 0 (DatabaseDown).
    DatabaseDown,
    /// No agent is available and heartbeats stop (AllAgentsDown).
    AgentsDown,
    /// Tasks arrive twenty times faster than agents finish them: the queue passes 100
    /// (TaskQueueOverflow).
    QueueOverflow,
    /// One more agent registers at the window start (NewAgentRegistered).
    NewAgent,
    /// Development velocity above 10 PRs per hour (HighDevelopmentVelocity).
    HighVelocity,
    /// The GitHub rate limit drops below 100 remaining calls (ClaudeAPIRateLimitApproaching).
    RateLimit,
    /// `node-1` CPU above 90 % busy (HighCPUUsage).
    CpuHigh,
    /// `node-1` memory above 90 % used (HighMemoryUsage).
    MemoryHigh,
    /// `node-1` root file system 95 % full (LowDiskSpace, DiskSpaceRunningOut, HighDiskUsage).
    DiskFull,
    /// The first workspace's first vCluster is unhealthy (vClusterDown).
    VclusterDown,
    /// Deployments fail at 0.3 per second in the first workspace (DeploymentFailureSpike).
    DeployFailures,
    /// The first workspace's CPU usage ratio is 0.98 (ResourceQuotaExceeded).
    QuotaExceeded,
    /// The first user runs Opus at twenty requests per minute: more than $1 per minute.
    CostSpike,
}

impl FaultKind {
    /// Every fault, in documentation order.
    pub const ALL: [FaultKind; 23] = [
        FaultKind::CounterReset,
        FaultKind::CollidingWriters,
        FaultKind::Outage,
        FaultKind::ErrorBurst,
        FaultKind::SlowResponses,
        FaultKind::MissingEmail,
        FaultKind::AgentLatency,
        FaultKind::SlowTasks,
        FaultKind::ApiLatency,
        FaultKind::CoordinatorDown,
        FaultKind::DatabaseDown,
        FaultKind::AgentsDown,
        FaultKind::QueueOverflow,
        FaultKind::NewAgent,
        FaultKind::HighVelocity,
        FaultKind::RateLimit,
        FaultKind::CpuHigh,
        FaultKind::MemoryHigh,
        FaultKind::DiskFull,
        FaultKind::VclusterDown,
        FaultKind::DeployFailures,
        FaultKind::QuotaExceeded,
        FaultKind::CostSpike,
    ];

    /// The flag spelling, e.g. `counter-reset`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::CounterReset => "counter-reset",
            FaultKind::CollidingWriters => "colliding-writers",
            FaultKind::Outage => "outage",
            FaultKind::ErrorBurst => "error-burst",
            FaultKind::SlowResponses => "slow-responses",
            FaultKind::MissingEmail => "missing-email",
            FaultKind::AgentLatency => "agent-latency",
            FaultKind::SlowTasks => "slow-tasks",
            FaultKind::ApiLatency => "api-latency",
            FaultKind::CoordinatorDown => "coordinator-down",
            FaultKind::DatabaseDown => "database-down",
            FaultKind::AgentsDown => "agents-down",
            FaultKind::QueueOverflow => "queue-overflow",
            FaultKind::NewAgent => "new-agent",
            FaultKind::HighVelocity => "high-velocity",
            FaultKind::RateLimit => "rate-limit",
            FaultKind::CpuHigh => "cpu-high",
            FaultKind::MemoryHigh => "memory-high",
            FaultKind::DiskFull => "disk-full",
            FaultKind::VclusterDown => "vcluster-down",
            FaultKind::DeployFailures => "deploy-failures",
            FaultKind::QuotaExceeded => "quota-exceeded",
            FaultKind::CostSpike => "cost-spike",
        }
    }

    /// The fault named `name` (its flag spelling); `None` for any other text.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// One injected fault and its window, epoch ms, `[startMs, endMs)`; an absent bound is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// What breaks.
    pub kind: FaultKind,
    /// When it starts (inclusive); absent: from the start of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ms: Option<i64>,
    /// When it ends (exclusive); absent: until the end of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_ms: Option<i64>,
}

impl Fault {
    /// Parses `NAME` or `NAME@START..END`, times relative to `now_ms`.
    ///
    /// Fails with [`Error::InvalidConfig`] for an unknown name (the message lists the known
    /// ones), a window without `..`, an unparsable time, or an end not after the start.
    pub fn parse(text: &str, now_ms: i64) -> Result<Self> {
        let t = text.trim();
        let (name, window) = match t.split_once('@') {
            Some((n, w)) => (n, Some(w)),
            None => (t, None),
        };
        let kind = FaultKind::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
            Error::InvalidConfig(format!(
                "--fault \"{t}\": unknown fault \"{name}\" (known: {})",
                known.join(", ")
            ))
        })?;
        let (start_ms, end_ms) = match window {
            None => (None, None),
            Some(w) => {
                let (a, b) = w.split_once("..").ok_or_else(|| {
                    Error::InvalidConfig(format!(
                        "--fault \"{t}\": the window must be START..END (e.g. {name}@now-2h..now-1h)"
                    ))
                })?;
                let bound = |s: &str| -> Result<Option<i64>> {
                    if s.trim().is_empty() {
                        Ok(None)
                    } else {
                        parse_time_ms(s, now_ms)
                            .map(Some)
                            .map_err(|e| Error::InvalidConfig(format!("--fault \"{t}\": {e}")))
                    }
                };
                (bound(a)?, bound(b)?)
            }
        };
        let fault = Fault {
            kind,
            start_ms,
            end_ms,
        };
        fault.check()?;
        Ok(fault)
    }

    /// Checks that the window is not empty.
    pub(crate) fn check(&self) -> Result<()> {
        if let (Some(s), Some(e)) = (self.start_ms, self.end_ms) {
            if e <= s {
                return Err(Error::InvalidConfig(format!(
                    "--fault {}: the window must end after it starts (it starts at {s} ms and ends at {e} ms)",
                    self.kind.name()
                )));
            }
        }
        Ok(())
    }

    fn contains(&self, t_ms: i64) -> bool {
        self.start_ms.map_or(true, |s| t_ms >= s) && self.end_ms.map_or(true, |e| t_ms < e)
    }
}

/// The faults of one run, asked by the parts of the simulation at each step.
#[derive(Debug, Clone, Default)]
pub(crate) struct Faults {
    list: Vec<Fault>,
    origin_ms: i64,
}

impl Faults {
    pub(crate) fn new(list: &[Fault], origin_ms: i64) -> Self {
        Self {
            list: list.to_vec(),
            origin_ms,
        }
    }

    /// Whether `kind` is active at `t_ms`.
    pub(crate) fn active(&self, kind: FaultKind, t_ms: i64) -> bool {
        self.list.iter().any(|f| f.kind == kind && f.contains(t_ms))
    }

    /// Whether a `counter-reset` restart happens in `(prev_ms, t_ms]`: at each active window's
    /// start and every [`RESET_PERIOD_MS`] after it.
    pub(crate) fn restart_between(&self, prev_ms: i64, t_ms: i64) -> bool {
        self.list
            .iter()
            .filter(|f| f.kind == FaultKind::CounterReset)
            .any(|f| {
                let start = f.start_ms.unwrap_or(self.origin_ms);
                let end = f.end_ms.unwrap_or(i64::MAX);
                // The restarts are at start + k·period, k ≥ 0, before end; is one in (prev, t]?
                let hi = t_ms.min(end.saturating_sub(1));
                if hi < start || hi <= prev_ms {
                    return false;
                }
                let k = hi.saturating_sub(start).div_euclid(RESET_PERIOD_MS);
                let last = start.saturating_add(k.saturating_mul(RESET_PERIOD_MS));
                last > prev_ms
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_000_000_000;

    #[test]
    fn fault_specs_parse() {
        type Case = (
            &'static str,
            &'static str,
            FaultKind,
            Option<i64>,
            Option<i64>,
        );
        let cases: &[Case] = &[
            ("bare", "outage", FaultKind::Outage, None, None),
            (
                "window",
                "error-burst@now-2h..now-1h",
                FaultKind::ErrorBurst,
                Some(NOW - 7_200_000),
                Some(NOW - 3_600_000),
            ),
            (
                "open end",
                "counter-reset@1764000000..",
                FaultKind::CounterReset,
                Some(1_764_000_000_000),
                None,
            ),
        ];
        for (name, text, kind, start, end) in cases {
            let f = Fault::parse(text, NOW).unwrap_or_else(|e| panic!("case {name} failed: {e}"));
            assert_eq!(
                (f.kind, f.start_ms, f.end_ms),
                (*kind, *start, *end),
                "case {name} failed"
            );
        }
    }

    #[test]
    fn bad_fault_specs_say_what_is_wrong() {
        let cases: &[(&str, &str)] = &[
            (
                "nonsense",
                "unknown fault \"nonsense\" (known: counter-reset,",
            ),
            ("outage@now-1h", "the window must be START..END"),
            ("outage@now..now-1h", "ends"),
            (
                "outage@yesterday..",
                "--fault \"outage@yesterday..\": time:",
            ),
        ];
        for (text, want) in cases {
            let e = Fault::parse(text, NOW).map(|_| ()).unwrap_err().to_string();
            assert!(e.contains(want), "case {text} failed: {e}");
        }
    }

    #[test]
    fn restarts_fall_at_the_window_start_and_every_period() {
        let f = Fault::parse("counter-reset@0..86400", 0).unwrap();
        let faults = Faults::new(&[f], 0);
        let hour = 3_600_000;
        // Steps of one hour: restarts at 0 h, 6 h, 12 h, 18 h; 24 h is past the window.
        let hits: Vec<i64> = (0..=25)
            .filter(|k| faults.restart_between((k - 1) * hour, k * hour))
            .collect();
        assert_eq!(hits, vec![0, 6, 12, 18]);
    }
}
