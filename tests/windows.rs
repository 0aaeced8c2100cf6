//! Windows end to end: period configs read from JSON, resolved against a zone (by IANA name, or a
//! host-supplied offset table as the browser sends it), and series aligned through a JSON config.

// Helpers outside #[test] functions unwrap too; a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fleetlens::align::{align, AlignConfig};
use fleetlens::window::{
    period_starts, to_date, Bounds, CalendarUnit, OffsetTable, Period, PeriodConfig, ZoneOffsets,
};
use fleetlens::{Labels, Series};

fn ms(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp_millis()
}

const DAY: i64 = 86_400_000;
const H: i64 = 3_600_000;

#[test]
fn json_period_configs() {
    let at = ms("2025-04-15T12:00:00Z");
    // (config, dashboard zone, expected start, expected end)
    let cases: &[(&str, &str, &str, &str)] = &[
        // Rolling: exactly 30 × 24 h back from t, whatever the zone.
        (
            r#"{"rolling": "30d"}"#,
            "Europe/Berlin",
            "2025-03-16T12:00:00Z",
            "2025-04-15T12:00:00Z",
        ),
        // Calendar month in the dashboard's zone: 2025-04-01T00:00+02:00 = 2025-03-31T22:00Z.
        (
            r#"{"calendar": "month"}"#,
            "Europe/Berlin",
            "2025-03-31T22:00:00Z",
            "2025-04-30T22:00:00Z",
        ),
        // The config's zone wins over the dashboard's: April in New York starts 04:00Z (EDT).
        (
            r#"{"calendar": "month", "timeZone": "America/New_York"}"#,
            "Europe/Berlin",
            "2025-04-01T04:00:00Z",
            "2025-05-01T04:00:00Z",
        ),
        (
            r#"{"calendar": "quarter"}"#,
            "UTC",
            "2025-04-01T00:00:00Z",
            "2025-07-01T00:00:00Z",
        ),
        // Week of Monday 2025-04-14 in Kathmandu (+05:45).
        (
            r#"{"calendar": "week", "timeZone": "Asia/Kathmandu"}"#,
            "UTC",
            "2025-04-13T18:15:00Z",
            "2025-04-20T18:15:00Z",
        ),
        // Lord Howe is back on +10:30 since 2025-04-06: 22:30 local on the 15th.
        (
            r#"{"calendar": "day"}"#,
            "Australia/Lord_Howe",
            "2025-04-14T13:30:00Z",
            "2025-04-15T13:30:00Z",
        ),
    ];
    for (json, dashboard, start, end) in cases {
        let config = PeriodConfig::from_json(json).unwrap();
        let period = config.period(Some(60_000)).unwrap();
        let zone = config.iana_zone(dashboard).unwrap();
        let got = period.bounds_at(&zone, at).unwrap();
        assert_eq!(
            got,
            Bounds {
                start_ms: ms(start),
                end_ms: ms(end)
            },
            "case {json} failed"
        );
        // Configs survive a round trip.
        let back = serde_json::to_string(&config).unwrap();
        assert_eq!(
            PeriodConfig::from_json(&back).unwrap(),
            config,
            "case {json} failed"
        );
    }
}

#[test]
fn bad_period_configs_name_the_field() {
    let cases: &[(&str, Option<i64>, &str)] = &[
        (
            r#"{"calendar": "fortnight"}"#,
            None,
            "calendar: \"fortnight\" is not a calendar period",
        ),
        (
            r#"{"rolling": "30x"}"#,
            None,
            "period: rolling: duration: \"30x\" has an unknown unit",
        ),
        (
            r#"{"rolling": "1m"}"#,
            None,
            "rolling window 1m is outside 5m … 90d",
        ),
        (
            r#"{"rolling": "120d"}"#,
            None,
            "rolling window 120d is outside 5m … 90d",
        ),
        (
            r#"{"rolling": "10m"}"#,
            Some(H),
            "rolling window 10m is shorter than the step 1h",
        ),
        (
            r#"{"rolling": "30d", "calendar": "month"}"#,
            None,
            "either rolling or calendar, not both",
        ),
        (r#"{}"#, None, "give rolling"),
        (
            r#"{"calendar": "month", "zone": "UTC"}"#,
            None,
            "unknown field `zone`",
        ),
        (r#"{"rolling": 30}"#, None, "period: invalid type"),
    ];
    for (json, step, want) in cases {
        let err = PeriodConfig::from_json(json)
            .and_then(|c| c.period(*step))
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "case {json} failed: {err}");
    }
    let config =
        PeriodConfig::from_json(r#"{"calendar": "day", "timeZone": "Mars/Olympus"}"#).unwrap();
    let err = config.iana_zone("UTC").unwrap_err().to_string();
    assert!(
        err.contains("time zone \"Mars/Olympus\" does not exist"),
        "{err}"
    );
}

/// The browser path: Intl's offsets for Europe/Berlin around the 2025 spring change, written out
/// by hand (+01:00 until 2025-03-30T01:00Z, then +02:00), give the same day bounds as chrono-tz.
#[test]
fn host_offset_table_from_json() {
    let table: OffsetTable = serde_json::from_str(
        r#"[{"fromMs": 1729990800000, "offsetMs": 3600000},
            {"fromMs": 1743296400000, "offsetMs": 7200000}]"#,
    )
    .unwrap();
    assert_eq!(table.offset_ms_at(ms("2025-03-30T01:00:00Z")), 2 * H);
    let config = PeriodConfig::from_json(r#"{"calendar": "day"}"#).unwrap();
    let period = config.period(None).unwrap();
    assert_eq!(period, Period::Calendar(CalendarUnit::Day));
    let spring = period
        .bounds_at(&table, ms("2025-03-30T12:00:00Z"))
        .unwrap();
    assert_eq!(spring.start_ms, ms("2025-03-29T23:00:00Z"));
    assert_eq!(spring.len_ms(), 23 * H);
    let berlin = config.iana_zone("Europe/Berlin").unwrap();
    for t in (0..10).map(|d| ms("2025-03-26T06:00:00Z") + d * DAY) {
        assert_eq!(
            period.bounds_at(&table, t).unwrap(),
            period.bounds_at(&berlin, t).unwrap(),
            "t={t}"
        );
    }
    let unsorted = serde_json::from_str::<OffsetTable>(
        r#"[{"fromMs": 5, "offsetMs": 0}, {"fromMs": 1, "offsetMs": 0}]"#,
    )
    .unwrap_err()
    .to_string();
    assert!(unsorted.contains("sort the pieces"), "{unsorted}");
}

#[test]
fn today_month_to_date_and_daily_rows() {
    let berlin = PeriodConfig::default().iana_zone("Europe/Berlin").unwrap();
    // 2025-04-15T21:30Z is 23:30 in Berlin: "today" began at 2025-04-14T22:00Z.
    let now = ms("2025-04-15T21:30:00Z");
    let today = to_date(CalendarUnit::Day, &berlin, now).unwrap();
    assert_eq!(today.start_ms, ms("2025-04-14T22:00:00Z"));
    assert_eq!(today.len_ms(), 23 * H + 30 * 60_000);
    let mtd = to_date(CalendarUnit::Month, &berlin, now).unwrap();
    assert_eq!(mtd.start_ms, ms("2025-03-31T22:00:00Z"));
    // Daily rows for the last week of October 2025 include the 25-hour day.
    let starts = period_starts(
        CalendarUnit::Day,
        &berlin,
        ms("2025-10-24T22:00:00Z"),
        ms("2025-10-28T23:00:00Z"),
    )
    .unwrap();
    let lengths: Vec<i64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(lengths, vec![24 * H, 25 * H, 24 * H]);
}

#[test]
fn aligning_numerator_and_denominator_from_json() {
    let labels = |name: &str| Labels::from_pairs([("__name__", name)]);
    let errors = Series {
        labels: labels("errors"),
        time_ms: vec![0, 15_000, 45_000],
        values: vec![0.0, 2.0, f64::NAN],
    };
    let total = Series {
        labels: labels("requests"),
        time_ms: vec![40, 15_030, 30_010, 45_020],
        values: vec![10.0, 12.0, 0.0, 9.0],
    };
    let config: AlignConfig =
        serde_json::from_str(r#"{"tolerance": "100ms", "reference": 1}"#).unwrap();
    let got = align(&[&errors, &total], &config).unwrap();
    assert_eq!(got.time_ms, vec![40, 15_030, 30_010, 45_020]);
    // Row 2: requests 0 is "0 events"; errors has no sample there: "no data", not 0.
    assert_eq!(got.columns[0].missing_rows, vec![2]);
    assert_eq!(got.columns[0].values[0], Some(0.0));
    assert!(got.columns[0].values[3].is_some_and(f64::is_nan));
    assert_eq!(got.columns[1].values[2], Some(0.0));
    assert!(got.columns[1].missing_rows.is_empty());
    assert_eq!(got.complete_rows(), vec![0, 1, 3]);
    let json = serde_json::to_value(&got).unwrap();
    assert_eq!(json["columns"][0]["missingRows"], serde_json::json!([2]));
    assert_eq!(json["columns"][0]["values"][2], serde_json::Value::Null);
}
