//! The few date and time texts the engine reads and writes: RFC 3339 times, and calendar days as
//! `YYYY-MM-DD`. Written out by hand for exactly these formats, so that the WebAssembly module
//! does without chrono's general strftime machinery. chrono still does the calendar arithmetic
//! (valid dates, days since the epoch), so the range of representable times is chrono's.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "digits, two-digit fields, offsets below 100 hours and nanoseconds below 2e9 are far \
              from overflow; the epoch arithmetic is checked"
)]

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};

/// Epoch milliseconds as RFC 3339 UTC with whole seconds (`2025-02-23T19:20:24Z`); `None`
/// beyond the ±262,000 years chrono covers. Years outside 0–9999 get a sign and at least four
/// digits (`+10000-01-01T00:00:00Z`, `-0001-12-31T23:59:59Z`).
pub(crate) fn rfc3339_seconds(ms: i64) -> Option<String> {
    let t = DateTime::from_timestamp_millis(ms)?;
    let mut out = String::with_capacity(20);
    write_date_time(&mut out, &t);
    out.push('Z');
    Some(out)
}

/// Epoch milliseconds as RFC 3339 UTC with milliseconds (`2025-02-23T19:20:24.615Z`); `None`
/// beyond the range chrono covers. Years are written as in [`rfc3339_seconds`].
pub(crate) fn rfc3339_millis(ms: i64) -> Option<String> {
    let t = DateTime::from_timestamp_millis(ms)?;
    let mut out = String::with_capacity(24);
    write_date_time(&mut out, &t);
    out.push('.');
    let millis = t.timestamp_subsec_millis();
    push_two(&mut out, millis / 10);
    push_digit(&mut out, millis % 10);
    out.push('Z');
    Some(out)
}

fn write_date_time(out: &mut String, t: &DateTime<Utc>) {
    let year = t.year();
    if (0..=9999).contains(&year) {
        push_two(out, year.unsigned_abs() / 100);
        push_two(out, year.unsigned_abs() % 100);
    } else {
        out.push_str(&format!("{year:+05}"));
    }
    for (sep, v) in [
        ('-', t.month()),
        ('-', t.day()),
        ('T', t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(sep);
        push_two(out, v);
    }
}

/// Appends `v` (below 100) as two digits.
fn push_two(out: &mut String, v: u32) {
    push_digit(out, v / 10);
    push_digit(out, v % 10);
}

fn push_digit(out: &mut String, d: u32) {
    out.push(char::from_digit(d % 10, 10).unwrap_or('0'));
}

/// Parses an RFC 3339 time into epoch milliseconds: `YYYY-MM-DDTHH:MM:SS`, an optional fraction
/// of a second (any number of digits, read to the nanosecond and truncated to the millisecond),
/// then `Z` or an offset `±HH:MM` below 24 hours. The `T` and `Z` may be lower case, the `T` may
/// be a space, the offset's minus may be U+2212, and second 60 (a leap second) counts as 59 plus
/// one second. `None` for anything else, including dates that do not exist.
pub(crate) fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let two = |i: usize| Some(digit(b, i)? * 10 + digit(b, i + 1)?);
    let year = two(0)? * 100 + two(2)?;
    let seps = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b.get(i) != Some(&c))
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, two(5)?, two(8)?)?;
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    let (second, mut nano) = if second == 60 {
        (59, 1_000_000_000)
    } else {
        (second, 0)
    };
    let mut rest = b.get(19..)?;
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let mut v = 0u32;
        for i in 0..9 {
            v = v * 10
                + frac
                    .get(i)
                    .filter(|_| i < n)
                    .map_or(0, |c| u32::from(c - b'0'));
        }
        nano += v;
        rest = frac.get(n..)?;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?;
    let offset_s = parse_offset_s(rest)?;
    let local_ms = date.and_time(time).and_utc().timestamp_millis();
    local_ms.checked_sub(offset_s * 1000)
}

/// `Z` (or `z`), or `±HH:MM` with minutes below 60 and the whole below 24 hours, as seconds east
/// of UTC; the offset must end the text.
fn parse_offset_s(b: &[u8]) -> Option<i64> {
    let (sign, rest) = match b {
        [b'Z' | b'z'] => return Some(0),
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        [0xE2, 0x88, 0x92, rest @ ..] => (-1, rest),
        _ => return None,
    };
    if rest.len() != 5 || rest.get(2) != Some(&b':') || !matches!(rest.get(3), Some(b'0'..=b'5')) {
        return None;
    }
    let hours = i64::from(digit(rest, 0)? * 10 + digit(rest, 1)?);
    let minutes = i64::from(digit(rest, 3)? * 10 + digit(rest, 4)?);
    let secs = hours * 3600 + minutes * 60;
    (secs < 86_400).then_some(sign * secs)
}

fn digit(b: &[u8], i: usize) -> Option<u32> {
    b.get(i)
        .filter(|c| c.is_ascii_digit())
        .map(|c| u32::from(c - b'0'))
}

/// Parses a calendar day written `YYYY-MM-DD` into the epoch milliseconds of its UTC midnight.
///
/// As lenient as strftime's `%Y-%m-%d` in chrono: whitespace may precede each number, the month
/// and day may have one digit (`2025-5-2`), and a year has one to four digits, or a sign and
/// any number of digits (`+12025`, `-0044`). `None` for anything else, including days that do
/// not exist.
pub(crate) fn parse_day_ms(text: &str) -> Option<i64> {
    let (year, s) = {
        let s = text.trim_start();
        match s.as_bytes().first() {
            Some(b'-') => number(s.get(1..)?, usize::MAX).map(|(v, s)| (-v, s))?,
            Some(b'+') => number(s.get(1..)?, usize::MAX)?,
            _ => number(s, 4)?,
        }
    };
    let s = s.strip_prefix('-')?;
    let (month, s) = number(s.trim_start(), 2)?;
    let s = s.strip_prefix('-')?;
    let (day, s) = number(s.trim_start(), 2)?;
    if !s.is_empty() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()?,
        u32::try_from(day).ok()?,
    )?;
    Some(date.and_time(NaiveTime::MIN).and_utc().timestamp_millis())
}

/// One to `max` leading ASCII digits as a number, and the rest; `None` without a digit or on
/// overflow.
fn number(s: &str, max: usize) -> Option<(i64, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let (digits, rest) = s.split_at(n);
    let v = digits.bytes().try_fold(0i64, |v, c| {
        v.checked_mul(10)?.checked_add(i64::from(c - b'0'))
    })?;
    Some((v, rest))
}

#[cfg(test)]
mod tests;
