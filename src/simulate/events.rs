//! Claude Code's events (OpenTelemetry log records): `user_prompt`, `api_request`, `api_error`,
//! `tool_decision` and `tool_result`, drawn for the same sessions, requests and edit decisions
//! that move the fleet's counters.
//!
//! Consistency with the metrics, step by step:
//! * one `api_request` per API call of every query source, with that source's model; its four
//!   token counts split the tokens added to the token counters in that step, so Σ tokens of the
//!   events equals the counters' increase per model and type, and Σ `cost_usd` equals the cost
//!   counters' increase (up to floating-point addition);
//! * one `tool_decision` and one `tool_result` per increment of
//!   `claude_code.code_edit_tool.decision` (tool `Edit` or `Write`, same decision and source),
//!   plus the other tools a request calls (`Read`, `Bash`, `Grep`, …, accepted by config);
//! * `api_error`s (failed attempts that were retried) at 0.3 % of requests, 8 % during the
//!   `error-burst` fault;
//! * a `user_prompt` before the main loop's requests.
//!
//! The events draw from their own random stream: turning them on leaves every metric unchanged,
//! and the same seed, start and interval give the same events. Every attribute is a string (Loki
//! keeps structured metadata as strings either way). Within a step the events of a session keep their logical order, and
//! no two events share a nanosecond timestamp (Loki drops a second entry with the same
//! timestamp and line in one stream).

#![allow(
    clippy::arithmetic_side_effects,
    reason = "event indices and attempt numbers bounded by the events of one step; random offsets stay within one interval"
)]

use serde_json::{json, Map, Value as Json};

use super::rng::Rng;
use super::LabelPairs;

/// Random stream of the events.
pub(crate) const STREAM: u64 = 4;

/// Share of API requests preceded by a failed attempt, normally.
pub const ERROR_SHARE: f64 = 0.003;
/// Share of API requests preceded by a failed attempt during the `error-burst` fault.
pub const BURST_ERROR_SHARE: f64 = 0.08;
/// Mean calls of tools other than `Edit` and `Write` per main or subagent request.
const OTHER_TOOLS_PER_REQUEST: f64 = 1.2;
/// What Claude Code puts in `prompt` unless `OTEL_LOG_USER_PROMPTS=1`.
pub const REDACTED_PROMPT: &str = "<REDACTED>";

/// Tools other than the edit tools: name, weight, median duration (ms), failure share.
const OTHER_TOOLS: [(&str, f64, f64, f64); 7] = [
    ("Read", 35.0, 40.0, 0.01),
    ("Bash", 20.0, 2500.0, 0.08),
    ("Grep", 15.0, 300.0, 0.0),
    ("Glob", 10.0, 80.0, 0.0),
    ("TodoWrite", 8.0, 15.0, 0.0),
    ("WebFetch", 4.0, 1800.0, 0.05),
    ("Task", 3.0, 45_000.0, 0.02),
];

/// The kinds of event Claude Code exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// A prompt submitted by the user.
    UserPrompt,
    /// A successful API call: model, cost, duration, tokens.
    ApiRequest,
    /// A failed API attempt: status code, error, attempt number.
    ApiError,
    /// A permission decision on a tool call.
    ToolDecision,
    /// A tool call's outcome: tool, success, duration.
    ToolResult,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 5] = [
        EventKind::UserPrompt,
        EventKind::ApiRequest,
        EventKind::ApiError,
        EventKind::ToolDecision,
        EventKind::ToolResult,
    ];

    /// The `event.name` attribute, e.g. `api_request`.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::UserPrompt => "user_prompt",
            EventKind::ApiRequest => "api_request",
            EventKind::ApiError => "api_error",
            EventKind::ToolDecision => "tool_decision",
            EventKind::ToolResult => "tool_result",
        }
    }

    /// The log record's body: the full event name, e.g. `claude_code.api_request`.
    pub fn body(self) -> &'static str {
        match self {
            EventKind::UserPrompt => "claude_code.user_prompt",
            EventKind::ApiRequest => "claude_code.api_request",
            EventKind::ApiError => "claude_code.api_error",
            EventKind::ToolDecision => "claude_code.tool_decision",
            EventKind::ToolResult => "claude_code.tool_result",
        }
    }

    /// OTLP severity number and text: ERROR (17) for `api_error`, INFO (9) otherwise.
    pub fn severity(self) -> (u8, &'static str) {
        match self {
            EventKind::ApiError => (17, "ERROR"),
            _ => (9, "INFO"),
        }
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When it happened, ns since the epoch (unique within a run).
    pub time_ns: i64,
    /// What happened.
    pub kind: EventKind,
    /// Resource attributes: `service.name`, `service.version`, `team_id`, `cost_center`, sorted.
    pub resource: LabelPairs,
    /// Record attributes: `event.name`, `event.timestamp`, the session and user attributes
    /// (`session.id`, `organization.id`, `user.account_uuid`, `user.id`, `user.email` when
    /// known, `terminal.type`), then the kind's own.
    pub attributes: LabelPairs,
}

impl Event {
    /// The value of record attribute `key`.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The event as one JSON object (the `--events` file holds one per line): `timeUnixNano`,
    /// `observedTimeUnixNano`, `severityNumber`, `severityText`, `body`, and `resource` and
    /// `attributes` as objects of strings. Keys are sorted, so equal events give equal bytes.
    pub fn to_json(&self) -> Json {
        let object = |pairs: &LabelPairs| {
            Json::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                    .collect::<Map<String, Json>>(),
            )
        };
        let (number, text) = self.kind.severity();
        json!({
            "timeUnixNano": self.time_ns.to_string(),
            "observedTimeUnixNano": self.time_ns.to_string(),
            "severityNumber": number,
            "severityText": text,
            "body": self.kind.body(),
            "resource": object(&self.resource),
            "attributes": object(&self.attributes),
        })
    }
}

/// Who an event belongs to: a session's resource and record attributes in OTel names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Identity {
    pub(crate) resource: LabelPairs,
    pub(crate) attributes: LabelPairs,
}

/// The API call counts and tokens of one query source in one step, as added to the counters.
pub(crate) struct Calls<'a> {
    pub(crate) model: &'a str,
    pub(crate) requests: u64,
    /// Tokens per type (input, output, cacheRead, cacheCreation) over all `requests`.
    pub(crate) tokens: [f64; 4],
    /// USD per million tokens of each type.
    pub(crate) prices: [f64; 4],
    /// Share of requests preceded by a failed attempt.
    pub(crate) error_share: f64,
}

/// Increments of the four edit decision series in one step: Edit accept, Edit reject, Write
/// accept, Write reject.
pub(crate) type EditDecisions = [f64; 4];

/// Tool, decision and decision source of each edit decision series, in [`EditDecisions`] order.
pub(crate) const EDIT_SERIES: [(&str, &str, &str); 4] = [
    ("Edit", "accept", "user_temporary"),
    ("Edit", "reject", "user_reject"),
    ("Write", "accept", "config"),
    ("Write", "reject", "user_reject"),
];

/// An event of the current session and step before its time is drawn.
struct Pending {
    kind: EventKind,
    own: Vec<(&'static str, String)>,
}

/// Draws the events while the fleet steps; the simulator drains them.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    rng: Rng,
    session: Vec<(EventKind, Vec<(&'static str, String)>)>,
    step: Vec<(i64, usize, Event)>,
    out: Vec<Event>,
}

/// Median API duration (ms) by model family.
fn api_median_ms(model: &str) -> f64 {
    if model.contains("opus") {
        12_000.0
    } else if model.contains("haiku") {
        1_500.0
    } else {
        7_000.0
    }
}

/// A count as Claude Code writes it: an integer without a fraction.
fn int(x: f64) -> String {
    format!("{}", x.round().max(0.0) as u64)
}

impl Recorder {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed, STREAM),
            session: Vec::new(),
            step: Vec::new(),
            out: Vec::new(),
        }
    }

    fn push(&mut self, p: Pending) {
        self.session.push((p.kind, p.own));
    }

    /// A `user_prompt` before the main loop's requests.
    pub(crate) fn prompt(&mut self) {
        let length = self.rng.lognormal(280.0, 0.9).round().max(1.0);
        self.push(Pending {
            kind: EventKind::UserPrompt,
            own: vec![
                ("prompt_length", int(length)),
                ("prompt", REDACTED_PROMPT.to_owned()),
            ],
        });
    }

    /// The `api_request`s (and the `api_error`s before them) of one query source: the tokens
    /// of each type are split among the requests so that they add up to `calls.tokens`.
    pub(crate) fn api_calls(&mut self, calls: &Calls<'_>) {
        let n = calls.requests;
        if n == 0 {
            return;
        }
        let weights: Vec<f64> = (0..n).map(|_| self.rng.range(0.5, 1.5)).collect();
        let total: f64 = weights.iter().sum();
        let mut left = calls.tokens;
        let errors = self.rng.poisson(n as f64 * calls.error_share);
        for (j, w) in weights.iter().enumerate() {
            let last = j + 1 == weights.len();
            let mut part = [0.0; 4];
            for ((p, l), all) in part.iter_mut().zip(left.iter_mut()).zip(calls.tokens) {
                *p = if last {
                    *l
                } else {
                    (all * w / total).floor().min(*l)
                };
                *l -= *p;
            }
            if (j as u64) < errors {
                self.api_error(calls.model);
            }
            let mut cost = 0.0;
            for (tokens, price) in part.iter().zip(calls.prices) {
                cost += tokens * price / 1e6;
            }
            let median = api_median_ms(calls.model);
            let duration = self.rng.lognormal(median, 0.5).round();
            let [input, output, cache_read, cache_creation] = part;
            self.push(Pending {
                kind: EventKind::ApiRequest,
                own: vec![
                    ("model", calls.model.to_owned()),
                    ("cost_usd", format!("{cost}")),
                    ("duration_ms", int(duration)),
                    ("input_tokens", int(input)),
                    ("output_tokens", int(output)),
                    ("cache_read_tokens", int(cache_read)),
                    ("cache_creation_tokens", int(cache_creation)),
                ],
            });
        }
    }

    fn api_error(&mut self, model: &str) {
        let (status, error) = match self.rng.below(3) {
            0 => ("500", "Internal server error"),
            1 => ("529", "Overloaded"),
            _ => ("429", "Rate limited"),
        };
        let duration = self.rng.lognormal(800.0, 0.8).round();
        let attempt = self.rng.below(3) + 1;
        self.push(Pending {
            kind: EventKind::ApiError,
            own: vec![
                ("model", model.to_owned()),
                ("error", error.to_owned()),
                ("status_code", status.to_owned()),
                ("duration_ms", int(duration)),
                ("attempt", attempt.to_string()),
            ],
        });
    }

    fn tool(&mut self, name: &str, decision: &str, source: &str, success: bool, median_ms: f64) {
        self.push(Pending {
            kind: EventKind::ToolDecision,
            own: vec![
                ("tool_name", name.to_owned()),
                ("decision", decision.to_owned()),
                ("source", source.to_owned()),
            ],
        });
        let duration = self.rng.lognormal(median_ms, 0.6).round();
        let mut own = vec![
            ("tool_name", name.to_owned()),
            ("success", success.to_string()),
            ("duration_ms", int(duration)),
            ("decision", decision.to_owned()),
            ("source", source.to_owned()),
        ];
        if !success {
            let error = if decision == "reject" {
                "The user rejected the tool use"
            } else {
                "The tool failed"
            };
            own.push(("error", error.to_owned()));
        }
        self.push(Pending {
            kind: EventKind::ToolResult,
            own,
        });
    }

    /// A `tool_decision` and a `tool_result` per edit decision counted, and the other tools
    /// called by `requests` main or subagent requests.
    pub(crate) fn tools(&mut self, edits: EditDecisions, requests: u64) {
        let others = self.rng.poisson(requests as f64 * OTHER_TOOLS_PER_REQUEST);
        let weight: f64 = OTHER_TOOLS.iter().map(|t| t.1).sum();
        for _ in 0..others {
            let mut x = self.rng.range(0.0, weight);
            let mut pick = OTHER_TOOLS[0];
            for t in OTHER_TOOLS {
                pick = t;
                if x < t.1 {
                    break;
                }
                x -= t.1;
            }
            let (name, _, median, fail) = pick;
            let success = !self.rng.chance(fail);
            self.tool(name, "accept", "config", success, median);
        }
        for ((name, decision, source), n) in EDIT_SERIES.into_iter().zip(edits) {
            for _ in 0..(n.max(0.0) as u64) {
                let median = if name == "Edit" { 120.0 } else { 100.0 };
                self.tool(name, decision, source, decision == "accept", median);
            }
        }
    }

    /// Gives the session's events of this step times in `(t_ms − dt_ms, t_ms]`, in their
    /// logical order.
    pub(crate) fn end_session(&mut self, who: &Identity, t_ms: i64, dt_ms: i64) {
        if self.session.is_empty() {
            return;
        }
        let mut times: Vec<i64> = (0..self.session.len())
            .map(|_| t_ms - dt_ms + 1 + self.rng.below(dt_ms.max(1) as usize) as i64)
            .collect();
        times.sort_unstable();
        for (t, (kind, own)) in times.into_iter().zip(self.session.drain(..)) {
            let mut attributes: LabelPairs = Vec::with_capacity(who.attributes.len() + 8);
            attributes.push(("event.name".into(), kind.name().into()));
            attributes.extend(who.attributes.iter().cloned());
            attributes.extend(own.into_iter().map(|(k, v)| (k.to_owned(), v)));
            let seq = self.step.len();
            self.step.push((
                t,
                seq,
                Event {
                    time_ns: 0,
                    kind,
                    resource: who.resource.clone(),
                    attributes,
                },
            ));
        }
    }

    /// Orders the step's events by time and makes every timestamp unique: the k-th event within
    /// one millisecond is at that millisecond plus k ns.
    pub(crate) fn end_step(&mut self) {
        self.step.sort_by_key(|(t, seq, _)| (*t, *seq));
        let mut prev = i64::MIN;
        let mut k = 0;
        for (t, _, mut e) in self.step.drain(..) {
            k = if t == prev { k + 1 } else { 0 };
            prev = t;
            e.time_ns = t.saturating_mul(1_000_000).saturating_add(k);
            let stamp = chrono::DateTime::from_timestamp_millis(t).map_or_else(
                || t.to_string(),
                |d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            );
            e.attributes.insert(1, ("event.timestamp".into(), stamp));
            self.out.push(e);
        }
    }

    /// The events recorded since the last call.
    pub(crate) fn take(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.out)
    }
}

#[cfg(test)]
mod tests;
