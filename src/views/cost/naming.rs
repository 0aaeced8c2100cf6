//! Which metric names a Prometheus holds for each role of the cost view.
//!
//! Claude Code's metrics reach Prometheus under several names (`shared/TELEMETRY.md`): the
//! OTel Collector's names with a unit suffix, the same with a doubled `claude_code_` prefix
//! (Collector `namespace: claude_code`), names without the unit suffix (Claude Code's own
//! Prometheus exporter), and names older dashboards use that Claude Code never emits. Nothing
//! is hard-coded to one of them: [`detect_names`] looks for each candidate in the list of names
//! that exist and reports what it found or what it looked for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a metric name was spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NamingVariant {
    /// The OTel Collector's Prometheus exporter: `claude_code_cost_usage_USD_total`.
    Collector,
    /// A doubled prefix: `claude_code_claude_code_cost_usage_USD_total`.
    DoubledPrefix,
    /// No unit suffix (Claude Code's own exporter): `claude_code_cost_usage_total`.
    NoUnitSuffix,
    /// A name from older dashboards that Claude Code never emits
    /// (`claude_code_git_commit_count_total`); used, with a warning.
    Legacy,
    /// The agent cluster's own metric (`seeds/claude-code-cluster-monitoring.md`).
    Cluster,
    /// A name the configuration maps to the role (`metrics` in the cost view's config).
    Custom,
}

/// What a metric is used for in the cost view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Claude Code's cost counter (USD), the truth for every cost.
    Cost,
    /// Tokens, by `type` (input, output, cacheRead, cacheCreation).
    Tokens,
    /// Commits made.
    Commits,
    /// Pull requests created.
    PullRequests,
    /// Lines of code changed, by `type` (added, removed).
    LinesOfCode,
    /// Sessions started.
    Sessions,
    /// Active time in seconds, by `type` (user, cli).
    ActiveTime,
    /// Edit tool decisions, by `decision` (accept, reject).
    EditDecisions,
    /// The agent cluster's API cost counter (USD).
    ClusterCost,
    /// The agent cluster's completed-task counter.
    ClusterTasks,
}

impl Role {
    /// Every role, in report order.
    pub const ALL: [Role; 10] = [
        Role::Cost,
        Role::Tokens,
        Role::Commits,
        Role::PullRequests,
        Role::LinesOfCode,
        Role::Sessions,
        Role::ActiveTime,
        Role::EditDecisions,
        Role::ClusterCost,
        Role::ClusterTasks,
    ];

    /// A readable name, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Role::Cost => "cost",
            Role::Tokens => "tokens",
            Role::Commits => "commits",
            Role::PullRequests => "pull requests",
            Role::LinesOfCode => "lines of code",
            Role::Sessions => "sessions",
            Role::ActiveTime => "active time",
            Role::EditDecisions => "edit decisions",
            Role::ClusterCost => "agent cluster cost",
            Role::ClusterTasks => "agent cluster tasks",
        }
    }

    /// What is lost without this role's metric, for messages.
    fn consequence(self) -> &'static str {
        match self {
            Role::Cost => "no cost figure can be shown",
            Role::Tokens => {
                "tokens per dollar, cache hit ratio, cache savings and what-if unavailable"
            }
            Role::Commits => "$/commit unavailable",
            Role::PullRequests => "$/PR unavailable",
            Role::LinesOfCode => "$/1k lines unavailable",
            Role::Sessions => "$/session unavailable",
            Role::ActiveTime => "$/active hour unavailable",
            Role::EditDecisions => "$/accepted edit unavailable",
            Role::ClusterCost => "the agent cluster's cost is not shown",
            Role::ClusterTasks => "$/completed task unavailable",
        }
    }

    /// A word every plausible name for this role contains, to point at names that exist when
    /// none of the candidates does.
    fn keyword(self) -> &'static str {
        match self {
            Role::Cost | Role::ClusterCost => "cost",
            Role::Tokens => "token",
            Role::Commits => "commit",
            Role::PullRequests => "pull_request",
            Role::LinesOfCode => "lines",
            Role::Sessions => "session",
            Role::ActiveTime => "active_time",
            Role::EditDecisions => "decision",
            Role::ClusterTasks => "task",
        }
    }

    /// The candidate names, in order of preference, with their variant.
    pub fn candidates(self) -> Vec<(String, NamingVariant)> {
        // (OTel-derived stem, unit suffix or "", legacy names)
        let (stem, unit, legacy): (&str, &str, &[&str]) = match self {
            Role::Cost => ("cost_usage", "_USD", &["claude_code_cost_usage_usd_total"]),
            Role::Tokens => ("token_usage", "_tokens", &[]),
            Role::Commits => ("commit_count", "", &["claude_code_git_commit_count_total"]),
            Role::PullRequests => (
                "pull_request_count",
                "",
                &["claude_code_git_pull_request_count_total"],
            ),
            Role::LinesOfCode => ("lines_of_code_count", "", &[]),
            Role::Sessions => ("session_count", "", &[]),
            Role::ActiveTime => ("active_time", "_seconds", &[]),
            Role::EditDecisions => ("code_edit_tool_decision", "", &[]),
            Role::ClusterCost => {
                return vec![(
                    "claude_api_cost_usd_total".to_owned(),
                    NamingVariant::Cluster,
                )]
            }
            Role::ClusterTasks => {
                return vec![
                    (
                        "claude_agent_tasks_completed_total".to_owned(),
                        NamingVariant::Cluster,
                    ),
                    ("claude_tasks_total".to_owned(), NamingVariant::Cluster),
                ]
            }
        };
        let mut out = vec![
            (
                format!("claude_code_{stem}{unit}_total"),
                NamingVariant::Collector,
            ),
            (
                format!("claude_code_claude_code_{stem}{unit}_total"),
                NamingVariant::DoubledPrefix,
            ),
        ];
        if !unit.is_empty() {
            out.push((
                format!("claude_code_{stem}_total"),
                NamingVariant::NoUnitSuffix,
            ));
        }
        out.extend(
            legacy
                .iter()
                .map(|n| ((*n).to_owned(), NamingVariant::Legacy)),
        );
        out
    }
}

/// What was found for one role.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleName {
    /// The role.
    pub role: Role,
    /// The name used; `None` when no candidate exists.
    pub found: Option<String>,
    /// How the name found is spelled.
    pub variant: Option<NamingVariant>,
    /// Every name looked for, in order of preference.
    pub looked_for: Vec<String>,
    /// Other candidates that also exist (not used: mixing them would count events twice).
    pub also_present: Vec<String>,
    /// A sentence for the user: `lines of code: missing — looked for …; $/1k lines unavailable`.
    pub message: String,
}

/// The names found for every role (see [`detect_names`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NameDetection {
    /// One entry per role of [`Role::ALL`], in that order.
    pub roles: Vec<RoleName>,
}

impl NameDetection {
    /// The name found for `role`, if any.
    pub fn name(&self, role: Role) -> Option<&str> {
        self.roles
            .iter()
            .find(|r| r.role == role)
            .and_then(|r| r.found.as_deref())
    }

    /// The entry for `role`.
    pub fn get(&self, role: Role) -> Option<&RoleName> {
        self.roles.iter().find(|r| r.role == role)
    }
}

/// Finds, for every [`Role`], which of its candidate names is among `available` (the metric
/// names a Prometheus holds: `/api/v1/label/__name__/values`, or the `__name__` of the series
/// fetched).
///
/// Special cases:
/// * several candidates present (two pipelines exporting the same data): the first in order of
///   preference (Collector, doubled prefix, no unit suffix, legacy) is used and the others are
///   listed in `also_present`, because adding them would count every event twice;
/// * a legacy name is used when it is the only one, and the message says that Claude Code never
///   emits it;
/// * no candidate: `found: None` and a message listing every name looked for and what is lost.
pub fn detect_names<S: AsRef<str>>(available: &[S]) -> NameDetection {
    detect_names_with(available, &BTreeMap::new())
}

/// [`detect_names`] with some roles mapped to a metric name of the user's choosing (a Prometheus
/// that renames metrics at ingestion, a recording rule): a mapped role looks for that name only,
/// with variant [`NamingVariant::Custom`]; the other roles are detected as usual. A mapped name
/// that does not exist is reported missing like any other.
pub fn detect_names_with<S: AsRef<str>>(
    available: &[S],
    custom: &BTreeMap<Role, String>,
) -> NameDetection {
    let has = |n: &str| available.iter().any(|a| a.as_ref() == n);
    let roles = Role::ALL
        .iter()
        .map(|&role| {
            let candidates = match custom.get(&role).map(|n| n.trim()) {
                Some(name) if !name.is_empty() => vec![(name.to_owned(), NamingVariant::Custom)],
                _ => role.candidates(),
            };
            let looked_for: Vec<String> = candidates.iter().map(|(n, _)| n.clone()).collect();
            let mut present = candidates.iter().filter(|(n, _)| has(n));
            let first = present.next().cloned();
            let also_present: Vec<String> = present.map(|(n, _)| n.clone()).collect();
            let message = match &first {
                None => format!(
                    "{}: missing — looked for {}; {}; {}",
                    role.title(),
                    looked_for.join(", "),
                    role.consequence(),
                    related_names(role, available)
                ),
                Some((n, variant)) => {
                    let mut m = format!("{}: {n}", role.title());
                    if *variant == NamingVariant::Legacy {
                        m.push_str(" (a name from older dashboards that Claude Code never emits; check that it means what the dashboard assumes)");
                    }
                    if !also_present.is_empty() {
                        m.push_str(&format!(
                            " (also present, not used to avoid counting twice: {})",
                            also_present.join(", ")
                        ));
                    }
                    m
                }
            };
            RoleName {
                role,
                variant: first.as_ref().map(|(_, v)| *v),
                found: first.map(|(n, _)| n),
                looked_for,
                also_present,
                message,
            }
        })
        .collect();
    NameDetection { roles }
}

/// The most related names a "missing" message lists.
///
/// Enough to spot a renamed metric; a Prometheus with thousands of names must not turn one
/// warning into a page.
pub const MAX_RELATED_NAMES: usize = 5;

/// The names in `available` that contain the role's keyword, for a "missing" message: which
/// names exist that might be meant.
fn related_names<S: AsRef<str>>(role: Role, available: &[S]) -> String {
    let word = role.keyword();
    let mut related: Vec<&str> = available
        .iter()
        .map(AsRef::as_ref)
        .filter(|n| n.to_ascii_lowercase().contains(word))
        .collect();
    related.sort_unstable();
    related.dedup();
    if related.is_empty() {
        return format!(
            "no metric name among the {} that exist contains \"{word}\"",
            available.len()
        );
    }
    let more = related.len().saturating_sub(MAX_RELATED_NAMES);
    related.truncate(MAX_RELATED_NAMES);
    let mut text = format!("names that exist with \"{word}\": {}", related.join(", "));
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_is_detected_from_the_names() {
        type Case = (
            &'static str,
            &'static [&'static str],
            Role,
            Option<&'static str>,
        );
        let cases: &[Case] = &[
            (
                "collector",
                &["claude_code_cost_usage_USD_total", "up"],
                Role::Cost,
                Some("claude_code_cost_usage_USD_total"),
            ),
            (
                "doubled prefix",
                &["claude_code_claude_code_token_usage_tokens_total"],
                Role::Tokens,
                Some("claude_code_claude_code_token_usage_tokens_total"),
            ),
            (
                "no unit suffix",
                &["claude_code_active_time_total"],
                Role::ActiveTime,
                Some("claude_code_active_time_total"),
            ),
            (
                "legacy",
                &["claude_code_git_commit_count_total"],
                Role::Commits,
                Some("claude_code_git_commit_count_total"),
            ),
            (
                "cluster tasks",
                &["claude_tasks_total"],
                Role::ClusterTasks,
                Some("claude_tasks_total"),
            ),
            ("missing", &["up"], Role::LinesOfCode, None),
            (
                "preference order",
                &[
                    "claude_code_cost_usage_total",
                    "claude_code_cost_usage_USD_total",
                ],
                Role::Cost,
                Some("claude_code_cost_usage_USD_total"),
            ),
        ];
        for (name, available, role, want) in cases {
            let d = detect_names(available);
            assert_eq!(d.name(*role), *want, "case {name} failed");
        }
    }

    #[test]
    fn missing_roles_say_what_was_looked_for() {
        let d = detect_names(&["up"]);
        let lines = d.get(Role::LinesOfCode).map(|r| r.message.clone());
        assert_eq!(
            lines.as_deref(),
            Some(
                "lines of code: missing — looked for claude_code_lines_of_code_count_total, \
                 claude_code_claude_code_lines_of_code_count_total; $/1k lines unavailable; no \
                 metric name among the 1 that exist contains \"lines\""
            )
        );
        let both = detect_names(&[
            "claude_code_cost_usage_total",
            "claude_code_cost_usage_USD_total",
        ]);
        let cost = both.get(Role::Cost).map(|r| r.also_present.clone());
        assert_eq!(cost, Some(vec!["claude_code_cost_usage_total".to_owned()]));
        let legacy = detect_names(&["claude_code_git_commit_count_total"]);
        assert!(legacy
            .get(Role::Commits)
            .is_some_and(|r| r.message.contains("never emits")));
    }
}
