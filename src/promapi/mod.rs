//! A Prometheus-compatible HTTP API over the simulator's fleet, for the playground: the
//! embedded data needs no services.
//!
//! * [`Store`] holds every series `fleetlens simulate --openmetrics` would write, from a start
//!   time to the clock ([`Store::extend_to`]);
//! * [`parse_query`] reads the PromQL subset the FleetLens data source issues: vector
//!   selectors, with an optional range, and number literals;
//! * [`handle`] answers `/api/v1/query`, `query_range`, `series`, `labels`,
//!   `label/<name>/values`, `metadata` and `status/buildinfo` with Prometheus' semantics
//!   (5-minute lookback, left-open ranges) and its JSON, errors included.
//!
//! The module is pure: the CLI (`fleetlens playground`) reads the clock and serves HTTP.

mod api;
mod parse;
mod store;

pub use api::{
    error, handle, Response, BUILD_VERSION, LOOKBACK_MS, MAX_POINTS_PER_SERIES, MAX_SAMPLES,
};
pub use parse::{parse_form, parse_query, percent_decode, Expr, MatchOp, Matcher, SUBSET_HINT};
pub use store::{SeriesLabels, Store, StoredSeries};

#[cfg(test)]
mod tests;
