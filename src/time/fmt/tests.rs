#![allow(clippy::arithmetic_side_effects, reason = "test data")]

use chrono::{DateTime, NaiveDate, SecondsFormat};

use super::*;

/// What chrono's strftime writes for `%Y-%m-%dT%H:%M:%SZ`.
fn chrono_seconds(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// What chrono writes as RFC 3339 with milliseconds and `Z`.
fn chrono_millis(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(|d| d.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn chrono_rfc3339(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.timestamp_millis())
}

fn chrono_day(text: &str) -> Option<i64> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

const DAY: i64 = 86_400_000;

#[test]
fn writes_times() {
    // 2025-02-23 is day 20,142 since 1970-01-01 (55 years with 14 leap days, plus 53 days).
    let t = 20_142 * DAY + 19 * 3_600_000 + 20 * 60_000 + 24_615;
    let cases: &[(i64, &str, &str)] = &[
        (0, "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59Z", "1969-12-31T23:59:59.999Z"),
        (t, "2025-02-23T19:20:24Z", "2025-02-23T19:20:24.615Z"),
        (t + 5, "2025-02-23T19:20:24Z", "2025-02-23T19:20:24.620Z"),
        // 10000-01-01: 8030 years after 1970, 1947 of them leap years.
        (
            2_932_897 * DAY,
            "+10000-01-01T00:00:00Z",
            "+10000-01-01T00:00:00.000Z",
        ),
        // 0000-01-01 is 719,528 days before the epoch; a millisecond earlier is year -1.
        (
            -719_528 * DAY,
            "0000-01-01T00:00:00Z",
            "0000-01-01T00:00:00.000Z",
        ),
        (
            -719_528 * DAY - 1,
            "-0001-12-31T23:59:59Z",
            "-0001-12-31T23:59:59.999Z",
        ),
        // 0999-12-31, the last day before year 1000: after 0000-01-01 come 999 years with 243
        // leap days (250 multiples of 4, less 100, 200, 300, 500, 600, 700 and 900), then 364 days.
        (
            (999 * 365 + 243 + 364 - 719_528) * DAY,
            "0999-12-31T00:00:00Z",
            "0999-12-31T00:00:00.000Z",
        ),
    ];
    for &(ms, secs, millis) in cases {
        assert_eq!(rfc3339_seconds(ms).as_deref(), Some(secs), "case {ms}");
        assert_eq!(rfc3339_millis(ms).as_deref(), Some(millis), "case {ms}");
        assert_eq!(
            chrono_seconds(ms).as_deref(),
            Some(secs),
            "chrono, case {ms}"
        );
        assert_eq!(
            chrono_millis(ms).as_deref(),
            Some(millis),
            "chrono, case {ms}"
        );
    }
    for ms in [i64::MIN, i64::MAX] {
        assert_eq!(rfc3339_seconds(ms), None);
        assert_eq!(rfc3339_millis(ms), None);
    }
}

#[test]
fn reads_rfc3339() {
    let t = 20_142 * DAY + 19 * 3_600_000 + 20 * 60_000 + 24_000;
    let cases: &[(&str, Option<i64>)] = &[
        ("2025-02-23T19:20:24Z", Some(t)),
        ("2025-02-23t19:20:24z", Some(t)),
        ("2025-02-23 19:20:24Z", Some(t)),
        ("2025-02-23T19:20:24.615Z", Some(t + 615)),
        ("2025-02-23T19:20:24.6Z", Some(t + 600)),
        ("2025-02-23T19:20:24.61599999999Z", Some(t + 615)),
        ("2025-02-23T20:20:24+01:00", Some(t)),
        ("2025-02-23T17:50:24-01:30", Some(t)),
        ("2025-02-23T17:50:24\u{2212}01:30", Some(t)),
        ("2025-02-23T19:20:24+23:59", Some(t - 86_340_000)),
        ("2025-02-23T23:59:60.5Z", Some(20_143 * DAY + 500)),
        ("2025-02-23T19:20:24+24:00", None),
        ("2025-02-23T19:20:24+01:60", None),
        ("2025-02-23T19:20:24+0100", None),
        ("2025-02-23T19:20:24+01", None),
        ("2025-02-23T19:20:24", None),
        ("2025-02-23T19:20:24.Z", None),
        ("2025-02-23T19:20:24Z ", None),
        ("2025-02-30T19:20:24Z", None),
        ("2025-02-23T24:00:00Z", None),
        ("2025-02-23T19:20:61Z", None),
        ("2025-02-23T19:20:24UTC", None),
        ("25-02-23T19:20:24Z", None),
        ("", None),
    ];
    for &(text, want) in cases {
        assert_eq!(parse_rfc3339_ms(text), want, "case {text}");
        assert_eq!(chrono_rfc3339(text), want, "chrono, case {text}");
    }
}

#[test]
fn reads_days() {
    let d = 20_142 * DAY;
    let cases: &[(&str, Option<i64>)] = &[
        ("2025-02-23", Some(d)),
        ("2025-2-23", Some(d)),
        (" 2025- 02-\t23", Some(d)),
        ("+2025-02-23", Some(d)),
        ("+002025-02-23", Some(d)),
        ("1970-01-01", Some(0)),
        ("0-01-01", Some(-719_528 * DAY)),
        ("-1-12-31", Some(-719_529 * DAY)),
        ("2024-02-29", Some(19_782 * DAY)),
        ("2025-02-29", None),
        ("2025-13-01", None),
        ("2025-00-01", None),
        ("2025-01-32", None),
        ("20250-01-01", None),
        ("2025-001-01", None),
        ("2025 -01-01", None),
        ("2025-01-01 ", None),
        ("2025/01/01", None),
        ("+99999999999999999999-01-01", None),
        ("", None),
    ];
    for &(text, want) in cases {
        assert_eq!(parse_day_ms(text), want, "case {text:?}");
        assert_eq!(chrono_day(text), want, "chrono, case {text:?}");
    }
}

// proptest runs on the host only.
#[cfg(not(target_arch = "wasm32"))]
mod same_as_chrono {
    use proptest::prelude::*;

    use super::*;

    /// Texts near the two formats: a valid time or day, then a few bytes replaced by characters
    /// the parsers treat specially.
    fn mutated(base: String, edits: Vec<(usize, char)>) -> String {
        let mut chars: Vec<char> = base.chars().collect();
        for (i, c) in edits {
            if chars.is_empty() {
                break;
            }
            let i = i % (chars.len() + 1);
            match c {
                '\u{0}' => {
                    if i < chars.len() {
                        chars.remove(i);
                    }
                }
                c if i == chars.len() => chars.push(c),
                c if c.is_ascii_digit() => chars.insert(i, c),
                c => chars[i] = c,
            }
        }
        chars.into_iter().collect()
    }

    fn special() -> impl Strategy<Value = char> {
        prop::sample::select(vec![
            '0', '1', '2', '5', '6', '9', '-', '+', ':', '.', ' ', '\t', 'T', 't', 'Z', 'z', 'x',
            '\u{2212}', '\u{a0}', '\u{0}',
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn formats_any_millisecond(ms in any::<i64>(), near in -400_000i64 * 365 * DAY..400_000i64 * 365 * DAY) {
            prop_assert_eq!(rfc3339_seconds(ms), chrono_seconds(ms));
            prop_assert_eq!(rfc3339_millis(ms), chrono_millis(ms));
            prop_assert_eq!(rfc3339_seconds(near), chrono_seconds(near));
            prop_assert_eq!(rfc3339_millis(near), chrono_millis(near));
        }

        #[test]
        fn parses_rfc3339_like_chrono(
            ms in -62_167_219_200_000i64..253_402_300_800_000,
            offset_min in -1500i32..1500,
            frac in "(\\.[0-9]{1,12})?",
            edits in prop::collection::vec((0usize..40, special()), 0..4),
        ) {
            let sign = if offset_min < 0 { '-' } else { '+' };
            let (h, m) = (offset_min.unsigned_abs() / 60, offset_min.unsigned_abs() % 60);
            let base = DateTime::from_timestamp_millis(ms)
                .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_default();
            let zone = if offset_min % 7 == 0 { "Z".to_string() } else { format!("{sign}{h:02}:{m:02}") };
            let text = mutated(format!("{base}{frac}{zone}"), edits);
            prop_assert_eq!(parse_rfc3339_ms(&text), chrono_rfc3339(&text), "{}", text);
        }

        #[test]
        fn parses_days_like_chrono(
            y in -300_000i64..300_000,
            m in 0u32..14,
            d in 0u32..33,
            pad in any::<bool>(),
            edits in prop::collection::vec((0usize..16, special()), 0..4),
        ) {
            let base = if pad { format!("{y:04}-{m:02}-{d:02}") } else { format!("{y}-{m}-{d}") };
            let text = mutated(base, edits);
            prop_assert_eq!(parse_day_ms(&text), chrono_day(&text), "{}", text);
        }
    }
}
