//! `--from`/`--to`, shared by every subcommand that reads a time range.

use clap::Args;
use fleetlens::time::parse_time_ms;

/// A time range as users write it.
#[derive(Debug, Clone, Args)]
pub(crate) struct RangeArgs {
    /// Start: RFC 3339, Unix seconds, or now-<duration>.
    #[arg(
        long,
        value_name = "TIME",
        default_value = "now-1h",
        allow_hyphen_values = true
    )]
    pub(crate) from: String,

    /// End: RFC 3339, Unix seconds, or now[-<duration>].
    #[arg(
        long,
        value_name = "TIME",
        default_value = "now",
        allow_hyphen_values = true
    )]
    pub(crate) to: String,
}

impl RangeArgs {
    /// `(from, to)` in epoch milliseconds, relative times taken from `now_ms`; each error names
    /// its flag. The order of the two is the caller's to check.
    pub(crate) fn resolve(&self, now_ms: i64) -> Result<(i64, i64), String> {
        let from = parse_time_ms(&self.from, now_ms).map_err(|e| format!("--from: {e}"))?;
        let to = parse_time_ms(&self.to, now_ms).map_err(|e| format!("--to: {e}"))?;
        Ok((from, to))
    }
}
