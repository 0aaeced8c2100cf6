//! The one error type of the FleetLens core.
//!
//! Every message starts with a short context prefix (`prometheus response:`, `prometheus error`,
//! `input:`, `duration:`, `time:`) and says what to do about it where that is not obvious. The wasm
//! binding turns these into JavaScript `Error`s; the CLI prints them.

use thiserror::Error;

/// Everything that can go wrong in the core. Library code never panics on bad input: it returns one
/// of these.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The response body was empty (or only white space).
    #[error("prometheus response: the body is empty")]
    EmptyBody,

    /// The body is an HTML page (a login page, a proxy's error page, a Grafana page), not the
    /// Prometheus HTTP API.
    #[error(
        "prometheus response: got an HTML page instead of JSON (is the URL a Prometheus API endpoint?): {snippet}"
    )]
    HtmlBody {
        /// The page's title or its first characters.
        snippet: String,
    },

    /// The body is not valid JSON.
    #[error("prometheus response: malformed JSON at byte {offset}: {reason}")]
    Json {
        /// Byte offset of the problem.
        offset: usize,
        /// What was wrong there.
        reason: String,
    },

    /// The body stops before the JSON document is complete.
    #[error("prometheus response: the body ends at byte {offset} in the middle of {expected} (truncated response?)")]
    Truncated {
        /// Length of the body.
        offset: usize,
        /// What the decoder was reading when the body ended.
        expected: &'static str,
    },

    /// The document is JSON but not shaped like a Prometheus API response.
    #[error("prometheus response: {0}")]
    Shape(String),

    /// `data.resultType` is not one of `matrix`, `vector`, `scalar`, `string`.
    #[error(
        "prometheus response: unsupported resultType \"{0}\" (expected matrix, vector, scalar or string)"
    )]
    UnknownResultType(String),

    /// A sample value is not a number string (`"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`).
    #[error("prometheus response: sample value \"{value}\" at byte {offset} is not a number")]
    InvalidValue {
        /// The offending text (shortened).
        value: String,
        /// Byte offset of the value.
        offset: usize,
    },

    /// A sample timestamp is not a number of seconds, or is out of range.
    #[error("prometheus response: timestamp {value} at byte {offset} is not a number of seconds within range")]
    InvalidTimestamp {
        /// The offending text (shortened).
        value: String,
        /// Byte offset of the timestamp.
        offset: usize,
    },

    /// Prometheus answered with its error envelope (`"status": "error"`).
    #[error("prometheus error ({error_type}): {message}")]
    Api {
        /// Prometheus' `errorType`, e.g. `bad_data`, `timeout`, `execution`.
        error_type: String,
        /// Prometheus' `error` text, verbatim.
        message: String,
    },

    /// Invalid input to an engine function (lengths that do not add up, an index out of range).
    #[error("input: {0}")]
    InvalidInput(String),

    /// A classic histogram that cannot be evaluated (no `+Inf` bucket, an `le` that is not a
    /// number, no buckets at all).
    #[error("histogram: {0}")]
    InvalidHistogram(String),

    /// A view or function configuration that cannot be used (an objective outside (0, 1), a
    /// window shorter than the step, an unknown metric role).
    #[error("config: {0}")]
    InvalidConfig(String),

    /// A duration that cannot be parsed (`5m`, `1h30m`, `90d`, or a number of seconds).
    #[error("duration: {0}")]
    InvalidDuration(String),

    /// A point in time that cannot be parsed (RFC 3339, Unix seconds, `now`, `now-1h`).
    #[error("time: {0}")]
    InvalidTime(String),

    /// None of the metrics a view needs exists in the data source.
    #[error("{view}: metric not found: looked for {looked_for}; {available}")]
    MetricNotFound {
        /// The view or SLO that needed the metrics (`cost view`, `slo availability`).
        view: String,
        /// The metric names looked for, comma-separated.
        looked_for: String,
        /// Which metrics exist (the first few), or that there are none.
        available: String,
    },

    /// A query range longer than the engine fetches in one request.
    #[error("range: {0}")]
    RangeTooLong(String),
}

/// Shorthand for results in the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
