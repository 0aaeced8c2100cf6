//! Durations and points in time as users write them.

pub(crate) mod fmt;

use crate::error::{Error, Result};

const MS_PER_UNIT: &[(&str, i64)] = &[
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
    ("w", 604_800_000),
    ("y", 31_536_000_000),
];

/// Parses a duration into milliseconds: Prometheus' syntax (`250ms`, `15s`, `5m`, `1h30m`, `90d`,
/// `2w`, `1y`; units from largest to smallest, each once) or a plain number of seconds (`30`,
/// `0.5`).
///
/// Special cases: an empty string, a zero or negative duration, an unknown unit, units out of
/// order and overflow are errors.
pub fn parse_duration_ms(text: &str) -> Result<i64> {
    let t = text.trim();
    let bad = |why: &str| {
        Error::InvalidDuration(format!("\"{t}\" {why} (examples: 15s, 5m, 1h30m, 30d)"))
    };
    if t.is_empty() {
        return Err(bad("is empty"));
    }
    if let Ok(secs) = t.parse::<f64>() {
        let ms = (secs * 1000.0).round();
        if !ms.is_finite() || ms < 1.0 || ms > i64::MAX as f64 / 2.0 {
            return Err(bad("must be a positive number of seconds"));
        }
        return Ok(ms as i64);
    }
    let mut total: i64 = 0;
    let mut rest = t;
    let mut last_rank = usize::MAX;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad("is not a duration"));
        }
        let (num, after) = rest.split_at(digits);
        let n: i64 = num.parse().map_err(|_| bad("is too large"))?;
        let unit_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, tail) = after.split_at(unit_len);
        let rank = MS_PER_UNIT
            .iter()
            .position(|(u, _)| *u == unit)
            .ok_or_else(|| bad("has an unknown unit"))?;
        if rank >= last_rank {
            return Err(bad("must list units from largest to smallest, each once"));
        }
        last_rank = rank;
        let factor = MS_PER_UNIT.get(rank).map_or(1, |(_, f)| *f);
        total = n
            .checked_mul(factor)
            .and_then(|x| total.checked_add(x))
            .ok_or_else(|| bad("is too large"))?;
        rest = tail;
    }
    if total <= 0 {
        return Err(bad("must be longer than zero"));
    }
    Ok(total)
}

/// Parses a point in time into epoch milliseconds: RFC 3339 (`2025-02-23T19:20:24.615Z`), Unix
/// seconds (`1740338424.615`, exact to the millisecond), or `now` with an optional offset
/// (`now-1h`, `now+5m`) relative to `now_ms`.
pub fn parse_time_ms(text: &str, now_ms: i64) -> Result<i64> {
    let t = text.trim();
    if let Some(offset) = t.strip_prefix("now") {
        if offset.is_empty() {
            return Ok(now_ms);
        }
        // `strip_prefix`, not `split_at(1)`: the text after `now` may start with a multi-byte
        // character.
        let (back, dur) = match (offset.strip_prefix('-'), offset.strip_prefix('+')) {
            (Some(d), _) => (true, d),
            (None, Some(d)) => (false, d),
            (None, None) => {
                return Err(Error::InvalidTime(format!(
                    "\"{t}\": expected now, now-<duration> or now+<duration>"
                )))
            }
        };
        let ms = parse_duration_ms(dur)?;
        let at = if back {
            now_ms.checked_sub(ms)
        } else {
            now_ms.checked_add(ms)
        };
        return at.ok_or_else(|| Error::InvalidTime(format!("\"{t}\" is out of range")));
    }
    if t.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'-')
        && !t.contains(['T', ' '])
    {
        if let Some(ms) = crate::prom::seconds_to_ms(t) {
            return Ok(ms);
        }
    }
    fmt::parse_rfc3339_ms(t).ok_or_else(|| {
        Error::InvalidTime(format!(
            "\"{t}\" is not RFC 3339 (2025-02-23T19:20:24Z), Unix seconds or now-<duration>"
        ))
    })
}

/// Milliseconds as seconds text with the fraction Prometheus accepts, exact (`1740338424.615`).
pub fn ms_to_seconds_text(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    match abs % 1000 {
        0 => format!("{sign}{}", abs / 1000),
        frac => format!("{sign}{}.{frac:03}", abs / 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let cases: &[(&str, Option<i64>)] = &[
            ("15s", Some(15_000)),
            ("5m", Some(300_000)),
            ("1h30m", Some(5_400_000)),
            ("90d", Some(90 * 86_400_000)),
            ("1w2d", Some(9 * 86_400_000)),
            ("250ms", Some(250)),
            ("1y", Some(31_536_000_000)),
            ("30", Some(30_000)),
            ("0.5", Some(500)),
            ("", None),
            ("0s", None),
            ("-5m", None),
            ("5x", None),
            ("30m1h", None),
            ("5m5m", None),
            ("m", None),
            ("0", None),
            ("NaN", None),
            ("99999999999999999999s", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration_ms(text).ok(), *want, "case {text:?} failed");
        }
    }

    #[test]
    fn times() {
        let now = 1_740_338_424_615;
        let cases: &[(&str, Option<i64>)] = &[
            ("now", Some(now)),
            ("now-1h", Some(now - 3_600_000)),
            ("now+5m", Some(now + 300_000)),
            ("1740338424.615", Some(1_740_338_424_615)),
            ("1740338424", Some(1_740_338_424_000)),
            ("2025-02-23T19:20:24.615Z", Some(1_740_338_424_615)),
            ("2025-02-23T20:20:24+01:00", Some(1_740_338_424_000)),
            ("now*2", None),
            ("yesterday", None),
            ("2025-02-30T00:00:00Z", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_time_ms(text, now).ok(), *want, "case {text:?} failed");
        }
    }

    #[test]
    fn seconds_text_is_exact() {
        for (ms, text) in [
            (1_740_338_424_615, "1740338424.615"),
            (5_000, "5"),
            (-1_500, "-1.500"),
            (7, "0.007"),
        ] {
            assert_eq!(ms_to_seconds_text(ms), text);
            assert_eq!(parse_time_ms(text, 0).unwrap(), ms);
        }
    }
}
