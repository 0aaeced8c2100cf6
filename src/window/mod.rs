//! Time windows: rolling windows and calendar periods (day, week, month, quarter) in a time zone.
//!
//! * [`zone`]: time zones as [`ZoneOffsets`] ("the UTC offset in force at instant t"), from UTC, a
//!   fixed offset, a host-supplied [`OffsetTable`] (the browser's `Intl`), or, in native builds,
//!   an IANA name via chrono-tz; [`local_to_utc`] with its gap and overlap rules.
//! * [`calendar`]: [`period_bounds`], [`next_period`], [`previous_period`], [`period_starts`],
//!   [`to_date`] ("today", "month to date") and [`RollingWindow`].
//! * [`PeriodConfig`]: the one JSON shape for "which period", shared by the views and the CLI.
//!
//! All instants are UTC epoch milliseconds; periods are half-open `[start, end)`.

pub mod calendar;
pub mod zone;

use serde::{Deserialize, Serialize};

pub use calendar::{
    duration_text, next_period, period_bounds, period_starts, previous_period, to_date, Bounds,
    CalendarUnit, RollingWindow, MAX_PERIODS, MAX_ROLLING_MS, MIN_ROLLING_MS,
};
#[cfg(not(target_arch = "wasm32"))]
pub use zone::IanaZone;
pub use zone::{
    local_to_utc, utc_to_local, FixedOffset, OffsetPiece, OffsetTable, Utc, ZoneOffsets,
    MAX_OFFSET_MS, MAX_SUPPORTED_MS, MIN_SUPPORTED_MS,
};

use crate::error::{Error, Result};
use crate::time::parse_duration_ms;

/// Which period a view covers: a rolling window or a calendar period, and the time zone for
/// calendar periods.
///
/// Exactly one of `rolling` and `calendar` is given. `timeZone` is optional: the dashboard's zone,
/// supplied by the caller, is the default.
///
/// ```json
/// {"rolling": "30d"}
/// {"rolling": "28d"}
/// {"calendar": "month"}
/// {"calendar": "quarter", "timeZone": "Europe/Berlin"}
/// {"calendar": "week", "timeZone": "America/New_York"}
/// ```
///
/// Errors name the field: `rolling: "30x" has an unknown unit`, `calendar: "fortnight" is not a
/// calendar period`, `unknown field "zone"`, `period: give either rolling or calendar, not both`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeriodConfig {
    /// A rolling window's length as a duration (`"5m"` … `"90d"`). No default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling: Option<String>,
    /// A calendar period: `"day"`, `"week"` (ISO, from Monday), `"month"` or `"quarter"`. No
    /// default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarUnit>,
    /// An IANA time zone name (`"Europe/Berlin"`); default: the dashboard's zone. Used by calendar
    /// periods only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// A [`PeriodConfig`] after validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A rolling window ending at the evaluation time.
    Rolling(RollingWindow),
    /// A calendar period in the configured zone.
    Calendar(CalendarUnit),
}

impl Period {
    /// The period containing (calendar) or ending at (rolling) `t`, in `zone` (ignored by rolling
    /// windows). See [`period_bounds`] and [`RollingWindow::bounds_at`].
    pub fn bounds_at<Z: ZoneOffsets + ?Sized>(&self, zone: &Z, t: i64) -> Result<Bounds> {
        match self {
            Self::Rolling(w) => w.bounds_at(t),
            Self::Calendar(unit) => period_bounds(*unit, zone, t),
        }
    }
}

impl PeriodConfig {
    /// Reads a config from JSON; errors are [`Error::InvalidConfig`] prefixed with `period:` and
    /// name the field (serde's own message for unknown fields and wrong types).
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::InvalidConfig(format!("period: {e}")))
    }

    /// Validates the config. `step_ms`, when given, is the evaluation step: a rolling window must
    /// be at least that long.
    ///
    /// Errors: neither or both of `rolling` and `calendar`; a `rolling` duration that does not
    /// parse, lies outside 5m … 90d or is shorter than the step.
    pub fn period(&self, step_ms: Option<i64>) -> Result<Period> {
        match (&self.rolling, self.calendar) {
            (Some(text), None) => {
                let ms = parse_duration_ms(text)
                    .map_err(|e| Error::InvalidConfig(format!("period: rolling: {e}")))?;
                RollingWindow::new(ms, step_ms)
                    .map(Period::Rolling)
                    .map_err(|e| Error::InvalidConfig(format!("period: rolling: {e}")))
            }
            (None, Some(unit)) => Ok(Period::Calendar(unit)),
            (Some(_), Some(_)) => Err(Error::InvalidConfig(
                "period: give either rolling or calendar, not both".to_owned(),
            )),
            (None, None) => Err(Error::InvalidConfig(
                "period: give rolling (a duration such as \"30d\") or calendar (day, week, month or quarter)".to_owned(),
            )),
        }
    }

    /// The time zone name in force: `timeZone` if set, else `dashboard_zone`.
    pub fn zone_name<'a>(&'a self, dashboard_zone: &'a str) -> &'a str {
        self.time_zone
            .as_deref()
            .map(str::trim)
            .filter(|z| !z.is_empty())
            .unwrap_or(dashboard_zone)
    }

    /// The IANA zone in force (native builds; the wasm gets an [`OffsetTable`] from the host).
    ///
    /// Errors: `time zone "Mars/Olympus" does not exist`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn iana_zone(&self, dashboard_zone: &str) -> Result<IanaZone> {
        IanaZone::from_name(self.zone_name(dashboard_zone))
    }
}
