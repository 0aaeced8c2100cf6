//! Calendar periods (day, ISO week, month, quarter) and rolling windows.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "calendar arithmetic on chrono's dates and on bounds within chrono's range; a quarter's first month is at most 10"
)]

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::zone::{check_time, local_to_utc, utc_to_local, ZoneOffsets, DAY_MS};
use crate::error::{Error, Result};

/// The shortest rolling window: 5 minutes, the shortest burn-rate window of the SRE workbook and
/// a few scrape intervals at Prometheus' common 15 s–1 m.
pub const MIN_ROLLING_MS: i64 = 5 * 60_000;

/// The longest rolling window: 90 days, the longest SLO period tools offer (a quarter) and about
/// what Prometheus keeps with a generous retention.
pub const MAX_ROLLING_MS: i64 = 90 * DAY_MS;

/// The most periods [`period_starts`] lists: 100,000 (274 years of days), far beyond any
/// dashboard, so a wrong unit cannot exhaust memory.
pub const MAX_PERIODS: usize = 100_000;

/// A calendar period, in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "String")]
pub enum CalendarUnit {
    /// From local midnight to the next local midnight (23 or 25 hours on daylight-saving days).
    Day,
    /// An ISO week: from Monday's local midnight to the next Monday's.
    Week,
    /// From the first of the month's local midnight to the next month's (28–31 days).
    Month,
    /// January, April, July or October 1st to the next quarter's start (90–92 days).
    Quarter,
}

impl CalendarUnit {
    /// The name used in JSON configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
        }
    }

    /// The first day of the period containing `date`.
    fn start_date(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Day => Some(date),
            Self::Week => {
                date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
            }
            Self::Month => date.with_day(1),
            Self::Quarter => NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1),
        }
    }

    /// The first day of the period after the one starting on `start`.
    fn next_start_date(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Day => start.checked_add_days(Days::new(1)),
            Self::Week => start.checked_add_days(Days::new(7)),
            Self::Month => start.checked_add_months(Months::new(1)),
            Self::Quarter => start.checked_add_months(Months::new(3)),
        }
    }
}

impl TryFrom<String> for CalendarUnit {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "day" => Ok(Self::Day),
            "week" => Ok(Self::Week),
            "month" => Ok(Self::Month),
            "quarter" => Ok(Self::Quarter),
            _ => Err(format!(
                "calendar: \"{text}\" is not a calendar period (expected day, week, month or quarter)"
            )),
        }
    }
}

/// A half-open interval of UTC instants `[startMs, endMs)`, epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bounds {
    /// First instant inside.
    pub start_ms: i64,
    /// First instant after.
    pub end_ms: i64,
}

impl Bounds {
    /// `end − start` in milliseconds: the period length `P` the SLO view divides by (a calendar
    /// month is 28–31 days; a day with a daylight-saving change is 23 or 25 hours, 23.5/24.5 on
    /// Lord Howe Island).
    pub fn len_ms(&self) -> i64 {
        self.end_ms - self.start_ms
    }

    /// True when `t` lies in `[start, end)`.
    pub fn contains(&self, t: i64) -> bool {
        self.start_ms <= t && t < self.end_ms
    }
}

fn midnight_utc<Z: ZoneOffsets + ?Sized>(zone: &Z, date: NaiveDate) -> Option<i64> {
    let local = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
    Some(local_to_utc(zone, local))
}

fn local_date<Z: ZoneOffsets + ?Sized>(zone: &Z, t: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(utc_to_local(zone, t)).map(|dt| dt.date_naive())
}

fn out_of_range(t: i64) -> Error {
    Error::InvalidTime(format!(
        "{t} ms has no calendar period within the years 1 to 9999"
    ))
}

fn bounds_from_start<Z: ZoneOffsets + ?Sized>(
    unit: CalendarUnit,
    zone: &Z,
    start: NaiveDate,
) -> Option<Bounds> {
    let next = unit.next_start_date(start)?;
    Some(Bounds {
        start_ms: midnight_utc(zone, start)?,
        end_ms: midnight_utc(zone, next)?,
    })
}

/// The calendar period of kind `unit` in `zone` that contains the UTC instant `t`.
///
/// A period starts at local midnight of its first day (Monday for weeks, the 1st for months,
/// Jan/Apr/Jul/Oct 1st for quarters) and ends where the next one starts, so consecutive periods
/// tile time. Midnights are converted with [`local_to_utc`]: a midnight inside a daylight-saving
/// gap starts at the change (Pacific/Apia's "day" 2011-12-30 is zero hours long and is skipped:
/// the instant after the change belongs to 2011-12-31); a midnight shown twice by a fall-back
/// starts at its first showing, so the repeated hour belongs to the new day.
///
/// Errors: `t` outside the years 1 to 9999.
pub fn period_bounds<Z: ZoneOffsets + ?Sized>(
    unit: CalendarUnit,
    zone: &Z,
    t: i64,
) -> Result<Bounds> {
    check_time(t, "time")?;
    let date = local_date(zone, t).ok_or_else(|| out_of_range(t))?;
    let start = unit.start_date(date).ok_or_else(|| out_of_range(t))?;
    let mut bounds = bounds_from_start(unit, zone, start).ok_or_else(|| out_of_range(t))?;
    // The local date decides the period except around a midnight fall-back (and an empty period
    // such as Apia's 2011-12-30): step to the neighbour that holds `t`.
    let mut first = start;
    for _ in 0..3 {
        if bounds.contains(t) {
            return Ok(bounds);
        }
        first = if t >= bounds.end_ms {
            unit.next_start_date(first)
        } else {
            first
                .checked_sub_days(Days::new(1))
                .and_then(|d| unit.start_date(d))
        }
        .ok_or_else(|| out_of_range(t))?;
        bounds = bounds_from_start(unit, zone, first).ok_or_else(|| out_of_range(t))?;
    }
    Err(out_of_range(t))
}

/// The period after `current` (which must come from [`period_bounds`] with the same unit and
/// zone): it starts where `current` ends. Empty periods (Apia's skipped day) are stepped over.
pub fn next_period<Z: ZoneOffsets + ?Sized>(
    unit: CalendarUnit,
    zone: &Z,
    current: Bounds,
) -> Result<Bounds> {
    period_bounds(unit, zone, current.end_ms)
}

/// The period before `current`: it ends where `current` starts.
pub fn previous_period<Z: ZoneOffsets + ?Sized>(
    unit: CalendarUnit,
    zone: &Z,
    current: Bounds,
) -> Result<Bounds> {
    period_bounds(unit, zone, current.start_ms.saturating_sub(1))
}

/// The start instants of the periods that begin in `[from_ms, to_ms)`, in order: the boundaries of
/// a per-day, per-week, per-month or per-quarter table. The period containing `from_ms` is listed
/// only when it starts exactly at `from_ms`.
///
/// Special cases: `from_ms == to_ms` gives an empty list. Errors: `from_ms > to_ms`, times
/// outside the years 1 to 9999, more than [`MAX_PERIODS`] periods.
pub fn period_starts<Z: ZoneOffsets + ?Sized>(
    unit: CalendarUnit,
    zone: &Z,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<i64>> {
    if from_ms > to_ms {
        return Err(Error::InvalidInput(format!(
            "period starts: from {from_ms} ms is after to {to_ms} ms"
        )));
    }
    check_time(to_ms, "to")?;
    let mut starts = Vec::new();
    let mut bounds = period_bounds(unit, zone, from_ms)?;
    if bounds.start_ms < from_ms {
        bounds = next_period(unit, zone, bounds)?;
    }
    while bounds.start_ms < to_ms {
        if starts.len() >= MAX_PERIODS {
            return Err(Error::InvalidInput(format!(
                "period starts: more than {MAX_PERIODS} {} periods between {from_ms} and {to_ms} ms (choose a longer period or a shorter range)",
                unit.as_str()
            )));
        }
        starts.push(bounds.start_ms);
        bounds = next_period(unit, zone, bounds)?;
    }
    Ok(starts)
}

/// From the start of the period containing `now_ms` up to `now_ms`: "today" (since local midnight)
/// for [`CalendarUnit::Day`], "month to date" for [`CalendarUnit::Month`]. At the very first
/// instant of a period the interval is empty (`start == end`).
///
/// Errors: `now_ms` outside the years 1 to 9999.
pub fn to_date<Z: ZoneOffsets + ?Sized>(
    unit: CalendarUnit,
    zone: &Z,
    now_ms: i64,
) -> Result<Bounds> {
    let period = period_bounds(unit, zone, now_ms)?;
    Ok(Bounds {
        start_ms: period.start_ms,
        end_ms: now_ms,
    })
}

/// A rolling window of fixed length, `5m` … `90d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollingWindow {
    length_ms: i64,
}

impl RollingWindow {
    /// A window of `length_ms`; with `step_ms`, the window must also be at least one step long
    /// (a shorter window would skip samples between evaluations).
    ///
    /// Errors: shorter than [`MIN_ROLLING_MS`], longer than [`MAX_ROLLING_MS`], shorter than the
    /// step.
    pub fn new(length_ms: i64, step_ms: Option<i64>) -> Result<Self> {
        let text = duration_text(length_ms);
        if !(MIN_ROLLING_MS..=MAX_ROLLING_MS).contains(&length_ms) {
            return Err(Error::InvalidConfig(format!(
                "rolling window {text} is outside 5m … 90d"
            )));
        }
        if let Some(step) = step_ms {
            if length_ms < step {
                return Err(Error::InvalidConfig(format!(
                    "rolling window {text} is shorter than the step {} (make the window at least one step long)",
                    duration_text(step)
                )));
            }
        }
        Ok(Self { length_ms })
    }

    /// The window's length in milliseconds.
    pub fn len_ms(&self) -> i64 {
        self.length_ms
    }

    /// The window ending at `t`: `[t − length, t)`, length exactly the window's. (PromQL's range
    /// selector `metric[w]` at `t` covers `(t − w, t]`; the views pass both ends as they are.)
    ///
    /// Errors: `t − length` before the year 1.
    pub fn bounds_at(&self, t: i64) -> Result<Bounds> {
        let start_ms = t.saturating_sub(self.length_ms);
        check_time(start_ms, "window start")?;
        check_time(t, "window end")?;
        Ok(Bounds {
            start_ms,
            end_ms: t,
        })
    }
}

/// `90d`, `1h30m`, `250ms`: milliseconds the way users write durations.
pub fn duration_text(ms: i64) -> String {
    const UNITS: &[(&str, i64)] = &[
        ("d", DAY_MS),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ];
    if ms <= 0 {
        return format!("{ms}ms");
    }
    let mut rest = ms;
    let mut out = String::new();
    for (unit, size) in UNITS {
        let n = rest / size;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            rest -= n * size;
        }
    }
    out
}

// The tests compare with IANA zones from chrono-tz, which the wasm build leaves out.
#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests {
    use super::super::zone::tests::ms;
    use super::super::zone::{FixedOffset, IanaZone, Utc};
    use super::*;

    const H: i64 = 3_600_000;

    /// (zone, unit, t, expected start, expected end), every bound written out in UTC.
    const BOUNDS: &[(&str, CalendarUnit, &str, &str, &str)] = &[
        // Berlin, April 2025: 2025-04-01T00:00+02:00 = 2025-03-31T22:00Z; May 1st likewise.
        (
            "Europe/Berlin",
            CalendarUnit::Month,
            "2025-04-15T12:00:00Z",
            "2025-03-31T22:00:00Z",
            "2025-04-30T22:00:00Z",
        ),
        // March 2025 starts in winter (+01:00) and ends in summer (+02:00): 31 d − 1 h.
        (
            "Europe/Berlin",
            CalendarUnit::Month,
            "2025-03-15T00:00:00Z",
            "2025-02-28T23:00:00Z",
            "2025-03-31T22:00:00Z",
        ),
        // The spring-forward day is 23 h: 2025-03-30 00:00+01:00 → 2025-03-31 00:00+02:00.
        (
            "Europe/Berlin",
            CalendarUnit::Day,
            "2025-03-30T12:00:00Z",
            "2025-03-29T23:00:00Z",
            "2025-03-30T22:00:00Z",
        ),
        // The fall-back day is 25 h: 2025-10-26 00:00+02:00 → 2025-10-27 00:00+01:00.
        (
            "Europe/Berlin",
            CalendarUnit::Day,
            "2025-10-26T12:00:00Z",
            "2025-10-25T22:00:00Z",
            "2025-10-26T23:00:00Z",
        ),
        // 22:30Z on 2025-04-15 is already the 16th in Berlin (00:30+02:00).
        (
            "Europe/Berlin",
            CalendarUnit::Day,
            "2025-04-15T22:30:00Z",
            "2025-04-15T22:00:00Z",
            "2025-04-16T22:00:00Z",
        ),
        // ISO week: Wednesday 2025-04-16 belongs to Monday 2025-04-14 … Monday 2025-04-21.
        (
            "Europe/Berlin",
            CalendarUnit::Week,
            "2025-04-16T10:00:00Z",
            "2025-04-13T22:00:00Z",
            "2025-04-20T22:00:00Z",
        ),
        // A week across New Year: Wednesday 2025-01-01 is in the week of Monday 2024-12-30.
        (
            "UTC",
            CalendarUnit::Week,
            "2025-01-01T10:00:00Z",
            "2024-12-30T00:00:00Z",
            "2025-01-06T00:00:00Z",
        ),
        // Sunday 23:59 UTC is still the old week.
        (
            "UTC",
            CalendarUnit::Week,
            "2025-04-20T23:59:59Z",
            "2025-04-14T00:00:00Z",
            "2025-04-21T00:00:00Z",
        ),
        // Q2 2025 in Berlin: 2025-04-01T00:00+02:00 … 2025-07-01T00:00+02:00.
        (
            "Europe/Berlin",
            CalendarUnit::Quarter,
            "2025-05-20T00:00:00Z",
            "2025-03-31T22:00:00Z",
            "2025-06-30T22:00:00Z",
        ),
        // Q4 ends at New Year: 2025-10-01T00:00+02:00 … 2026-01-01T00:00+01:00.
        (
            "Europe/Berlin",
            CalendarUnit::Quarter,
            "2025-12-31T22:59:59Z",
            "2025-09-30T22:00:00Z",
            "2025-12-31T23:00:00Z",
        ),
        // New York, November 2025: starts at EDT (-4), ends at EST (-5): 30 d + 1 h.
        (
            "America/New_York",
            CalendarUnit::Month,
            "2025-11-10T00:00:00Z",
            "2025-11-01T04:00:00Z",
            "2025-12-01T05:00:00Z",
        ),
        // The New York spring day: 2025-03-09 00:00-05:00 … 2025-03-10 00:00-04:00 (23 h).
        (
            "America/New_York",
            CalendarUnit::Day,
            "2025-03-09T12:00:00Z",
            "2025-03-09T05:00:00Z",
            "2025-03-10T04:00:00Z",
        ),
        // Lord Howe, 2025-10-05 (+10:30 → +11:00 at 02:00): 23.5 h.
        (
            "Australia/Lord_Howe",
            CalendarUnit::Day,
            "2025-10-05T00:00:00Z",
            "2025-10-04T13:30:00Z",
            "2025-10-05T13:00:00Z",
        ),
        // Kathmandu +05:45: June 2025 starts 2025-05-31T18:15Z.
        (
            "Asia/Kathmandu",
            CalendarUnit::Month,
            "2025-06-10T00:00:00Z",
            "2025-05-31T18:15:00Z",
            "2025-06-30T18:15:00Z",
        ),
        // Apia's 2011-12-29 (-10:00) ends at the jump, 2011-12-30T10:00Z, which starts 2011-12-31 (+14:00).
        (
            "Pacific/Apia",
            CalendarUnit::Day,
            "2011-12-30T09:59:59Z",
            "2011-12-29T10:00:00Z",
            "2011-12-30T10:00:00Z",
        ),
        (
            "Pacific/Apia",
            CalendarUnit::Day,
            "2011-12-30T10:00:00Z",
            "2011-12-30T10:00:00Z",
            "2011-12-31T10:00:00Z",
        ),
        // December 2011 in Apia lost a day: 2011-12-01T00:00-10:00 … 2012-01-01T00:00+14:00 = 30 d.
        (
            "Pacific/Apia",
            CalendarUnit::Month,
            "2011-12-15T00:00:00Z",
            "2011-12-01T10:00:00Z",
            "2011-12-31T10:00:00Z",
        ),
        // Leap February.
        (
            "UTC",
            CalendarUnit::Month,
            "2024-02-29T23:59:59.999Z",
            "2024-02-01T00:00:00Z",
            "2024-03-01T00:00:00Z",
        ),
    ];

    #[test]
    fn hand_computed_bounds() {
        for (zone, unit, t, start, end) in BOUNDS {
            let z = IanaZone::from_name(zone).unwrap();
            let got = period_bounds(*unit, &z, ms(t)).unwrap();
            let want = Bounds {
                start_ms: ms(start),
                end_ms: ms(end),
            };
            assert_eq!(got, want, "case {zone} {unit:?} {t} failed");
        }
    }

    #[test]
    fn period_lengths() {
        let berlin = IanaZone::from_name("Europe/Berlin").unwrap();
        let lord_howe = IanaZone::from_name("Australia/Lord_Howe").unwrap();
        let cases: &[(&str, &dyn ZoneOffsets, CalendarUnit, &str, i64)] = &[
            (
                "23 h spring day",
                &berlin,
                CalendarUnit::Day,
                "2025-03-30T12:00:00Z",
                23 * H,
            ),
            (
                "25 h autumn day",
                &berlin,
                CalendarUnit::Day,
                "2025-10-26T12:00:00Z",
                25 * H,
            ),
            (
                "24 h day",
                &berlin,
                CalendarUnit::Day,
                "2025-06-01T12:00:00Z",
                24 * H,
            ),
            (
                "24.5 h Lord Howe",
                &lord_howe,
                CalendarUnit::Day,
                "2025-04-06T00:00:00Z",
                24 * H + H / 2,
            ),
            (
                "February 2025",
                &Utc,
                CalendarUnit::Month,
                "2025-02-10T00:00:00Z",
                28 * 24 * H,
            ),
            (
                "February 2024",
                &Utc,
                CalendarUnit::Month,
                "2024-02-10T00:00:00Z",
                29 * 24 * H,
            ),
            (
                "April",
                &Utc,
                CalendarUnit::Month,
                "2025-04-10T00:00:00Z",
                30 * 24 * H,
            ),
            // October 2025 in Berlin: 31 d + 1 h (clocks go back on the 26th).
            (
                "October Berlin",
                &berlin,
                CalendarUnit::Month,
                "2025-10-10T00:00:00Z",
                31 * 24 * H + H,
            ),
            (
                "Q1 2025",
                &Utc,
                CalendarUnit::Quarter,
                "2025-02-10T00:00:00Z",
                90 * 24 * H,
            ),
            (
                "week",
                &Utc,
                CalendarUnit::Week,
                "2025-02-10T00:00:00Z",
                7 * 24 * H,
            ),
        ];
        for (name, zone, unit, t, want) in cases {
            let got = period_bounds(*unit, *zone, ms(t)).unwrap().len_ms();
            assert_eq!(got, *want, "case {name} failed");
        }
    }

    #[test]
    fn neighbours_starts_and_to_date() {
        let berlin = IanaZone::from_name("Europe/Berlin").unwrap();
        let april =
            period_bounds(CalendarUnit::Month, &berlin, ms("2025-04-15T00:00:00Z")).unwrap();
        let may = next_period(CalendarUnit::Month, &berlin, april).unwrap();
        assert_eq!(may.start_ms, april.end_ms);
        assert_eq!(may.end_ms, ms("2025-05-31T22:00:00Z"));
        let march = previous_period(CalendarUnit::Month, &berlin, april).unwrap();
        assert_eq!(march.start_ms, ms("2025-02-28T23:00:00Z"));

        // Apia's skipped day is stepped over.
        let apia = IanaZone::from_name("Pacific/Apia").unwrap();
        let dec29 = period_bounds(CalendarUnit::Day, &apia, ms("2011-12-29T12:00:00Z")).unwrap();
        let after = next_period(CalendarUnit::Day, &apia, dec29).unwrap();
        assert_eq!(after.start_ms, ms("2011-12-30T10:00:00Z"));
        assert_eq!(after.len_ms(), 24 * H);

        let starts = period_starts(
            CalendarUnit::Day,
            &berlin,
            ms("2025-03-29T23:00:00Z"),
            ms("2025-04-01T00:00:00Z"),
        )
        .unwrap();
        let want: Vec<i64> = [
            "2025-03-29T23:00:00Z",
            "2025-03-30T22:00:00Z",
            "2025-03-31T22:00:00Z",
        ]
        .iter()
        .map(|t| ms(t))
        .collect();
        assert_eq!(starts, want);
        // The first period is listed only when it starts at `from`.
        let starts = period_starts(CalendarUnit::Day, &Utc, 1, 2 * 24 * H).unwrap();
        assert_eq!(starts, vec![24 * H]);
        assert!(period_starts(CalendarUnit::Day, &Utc, 5, 5)
            .unwrap()
            .is_empty());
        assert!(period_starts(CalendarUnit::Day, &Utc, 5, 4).is_err());
        let err = period_starts(CalendarUnit::Day, &Utc, 0, 300 * 365 * 24 * H)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 100000 day periods"), "{err}");

        // "Today" at 2025-04-15T08:00Z in Berlin (10:00 local) started at 2025-04-14T22:00Z.
        let now = ms("2025-04-15T08:00:00Z");
        let today = to_date(CalendarUnit::Day, &berlin, now).unwrap();
        assert_eq!(
            (today.start_ms, today.end_ms),
            (ms("2025-04-14T22:00:00Z"), now)
        );
        let mtd = to_date(CalendarUnit::Month, &berlin, now).unwrap();
        assert_eq!(mtd.start_ms, ms("2025-03-31T22:00:00Z"));
        // A fixed +05:45 offset agrees with Kathmandu.
        let fixed = FixedOffset::new(5 * H + 45 * 60_000).unwrap();
        assert_eq!(
            to_date(CalendarUnit::Day, &fixed, now).unwrap().start_ms,
            ms("2025-04-14T18:15:00Z")
        );
        assert!(period_bounds(CalendarUnit::Day, &Utc, i64::MAX).is_err());
    }

    #[test]
    fn rolling_windows() {
        let cases: &[(i64, Option<i64>, Option<&str>)] = &[
            (5 * 60_000, None, None),
            (90 * DAY_MS, Some(DAY_MS), None),
            (30 * DAY_MS, Some(3_600_000), None),
            (
                4 * 60_000,
                None,
                Some("rolling window 4m is outside 5m … 90d"),
            ),
            (
                91 * DAY_MS,
                None,
                Some("rolling window 91d is outside 5m … 90d"),
            ),
            (
                10 * 60_000,
                Some(3_600_000),
                Some("rolling window 10m is shorter than the step 1h"),
            ),
        ];
        for (len, step, want) in cases {
            match (RollingWindow::new(*len, *step), want) {
                (Ok(w), None) => {
                    let b = w.bounds_at(ms("2025-04-15T00:00:00Z")).unwrap();
                    assert_eq!(b.len_ms(), *len, "case {len} failed");
                }
                (Err(e), Some(msg)) => {
                    assert!(e.to_string().contains(msg), "case {len} failed: {e}")
                }
                (got, _) => panic!("case {len} failed: {got:?}"),
            }
        }
        assert_eq!(duration_text(5_400_250), "1h30m250ms");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        const ZONES: &[&str] = &[
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
            "Pacific/Apia",
        ];
        const UNITS: &[CalendarUnit] = &[
            CalendarUnit::Day,
            CalendarUnit::Week,
            CalendarUnit::Month,
            CalendarUnit::Quarter,
        ];
        /// 2000-01-01 … 2040-01-01.
        const FROM: i64 = 946_684_800_000;
        const TO: i64 = 2_208_988_800_000;

        proptest! {
            #[test]
            fn periods_contain_and_tile(z in 0..ZONES.len(), u in 0..UNITS.len(), t in FROM..TO) {
                let zone = IanaZone::from_name(ZONES[z]).unwrap();
                let unit = UNITS[u];
                let b = period_bounds(unit, &zone, t).unwrap();
                prop_assert!(b.contains(t), "{:?} does not contain {}", b, t);
                prop_assert!(b.start_ms < b.end_ms);
                let next = next_period(unit, &zone, b).unwrap();
                prop_assert_eq!(next.start_ms, b.end_ms);
                let prev = previous_period(unit, &zone, b).unwrap();
                prop_assert_eq!(prev.end_ms, b.start_ms);
                // Every instant of a period maps back to the same period.
                prop_assert_eq!(period_bounds(unit, &zone, b.start_ms).unwrap(), b);
                prop_assert_eq!(period_bounds(unit, &zone, b.end_ms - 1).unwrap(), b);
                let (lo, hi) = match unit {
                    CalendarUnit::Day => (22 * H, 26 * H),
                    CalendarUnit::Week => (7 * 24 * H - 2 * H, 7 * 24 * H + 2 * H),
                    CalendarUnit::Month => (27 * 24 * H, 32 * 24 * H),
                    CalendarUnit::Quarter => (89 * 24 * H, 93 * 24 * H),
                };
                prop_assert!((lo..=hi).contains(&b.len_ms()), "length {}", b.len_ms());
            }

            #[test]
            fn table_zone_matches_iana(z in 0..ZONES.len(), u in 0..UNITS.len(), t in FROM..TO) {
                let zone = IanaZone::from_name(ZONES[z]).unwrap();
                // A host-style table covering four months around t gives the same periods.
                let table = crate::window::OffsetTable::sample(&zone, t - 120 * DAY_MS, t + 120 * DAY_MS, 6 * H).unwrap();
                prop_assert_eq!(
                    period_bounds(UNITS[u], &table, t).unwrap(),
                    period_bounds(UNITS[u], &zone, t).unwrap()
                );
            }

            #[test]
            fn rolling_length_is_the_window(len in MIN_ROLLING_MS..=MAX_ROLLING_MS, t in FROM..TO) {
                let b = RollingWindow::new(len, None).unwrap().bounds_at(t).unwrap();
                prop_assert_eq!(b.len_ms(), len);
                prop_assert_eq!(b.end_ms, t);
            }

            #[test]
            fn starts_tile_the_range(z in 0..ZONES.len(), t in FROM..TO, days in 1i64..200) {
                let zone = IanaZone::from_name(ZONES[z]).unwrap();
                let to = t + days * DAY_MS;
                let starts = period_starts(CalendarUnit::Day, &zone, t, to).unwrap();
                prop_assert!(starts.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(starts.iter().all(|s| (t..to).contains(s)));
                for s in &starts {
                    prop_assert_eq!(period_bounds(CalendarUnit::Day, &zone, *s).unwrap().start_ms, *s);
                }
            }
        }
    }
}
