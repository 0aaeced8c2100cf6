//! Exact timestamps and sample values from their text.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "the accumulators are bounded by the digit counts checked before each step (15 integer digits of seconds, 3 of milliseconds, 30 significant digits in a u128), and indices stay within the text"
)]

/// Milliseconds since the epoch from a JSON number of seconds, computed on the decimal digits so
/// that `1740338424.615` gives exactly `1740338424615` (an `f64` round trip can be off by one).
///
/// Special cases:
/// * more than three fractional digits are rounded to the nearest millisecond, ties away from
///   zero (Prometheus itself never writes them);
/// * exponents are honoured (`1.740338424615e9`);
/// * anything that does not fit an `i64` of milliseconds, or has more than
///   [`MAX_SIGNIFICANT_DIGITS`] significant digits, gives `None`.
pub(crate) fn seconds_text_to_ms(text: &[u8]) -> Option<i64> {
    // Fast path: what Prometheus writes, `-?\d+(\.\d{1,3})?`.
    if let Some(ms) = fast_seconds_to_ms(text) {
        return Some(ms);
    }
    general_seconds_to_ms(text)
}

/// Most significant digits a timestamp may carry. Enough for nanosecond timestamps in seconds
/// (10 + 9 digits) with room to spare, and small enough for `u128` arithmetic to never overflow.
pub(crate) const MAX_SIGNIFICANT_DIGITS: usize = 30;

/// Integer digits the fast path takes: 15 digits of seconds are at most ~10^18 ms, within `i64`;
/// longer numbers take the general path, which checks for overflow.
const FAST_MAX_INT_DIGITS: usize = 15;

#[inline]
fn fast_seconds_to_ms(text: &[u8]) -> Option<i64> {
    match leading_seconds_to_ms(text) {
        Some((ms, len)) if len == text.len() => Some(ms),
        _ => None,
    }
}

/// Reads the timestamp at the start of `bytes` when it has the form Prometheus writes,
/// `-?(0|[1-9]\d{0,14})(\.\d{1,3})?`, and what follows cannot continue a JSON number. Returns
/// the milliseconds and the length read; `None` sends the caller to the general path, which
/// also reports malformed numbers.
#[inline]
pub(crate) fn leading_seconds_to_ms(bytes: &[u8]) -> Option<(i64, usize)> {
    let neg = bytes.first() == Some(&b'-');
    let mut i = usize::from(neg);
    let int_start = i;
    let mut secs: i64 = 0;
    while let Some(&d) = bytes.get(i) {
        if !d.is_ascii_digit() {
            break;
        }
        if i - int_start == FAST_MAX_INT_DIGITS {
            return None;
        }
        secs = secs * 10 + i64::from(d - b'0');
        i += 1;
    }
    let int_len = i - int_start;
    // JSON forbids leading zeros ("01"): leave those to the general path's error.
    if int_len == 0 || (int_len > 1 && bytes.get(int_start) == Some(&b'0')) {
        return None;
    }
    let mut ms: i64 = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while let Some(&d) = bytes.get(i) {
            if !d.is_ascii_digit() || i - frac_start == 3 {
                break;
            }
            ms = ms * 10 + i64::from(d - b'0');
            i += 1;
        }
        match i - frac_start {
            0 => return None,
            1 => ms *= 100,
            2 => ms *= 10,
            _ => {}
        }
    }
    if matches!(bytes.get(i), Some(b'0'..=b'9' | b'.' | b'e' | b'E')) {
        return None;
    }
    let total = secs * 1000 + ms;
    Some((if neg { -total } else { total }, i))
}

fn general_seconds_to_ms(text: &[u8]) -> Option<i64> {
    let (neg, rest) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.iter().position(|b| matches!(b, b'e' | b'E')) {
        Some(e) => {
            let exp_text = std::str::from_utf8(rest.get(e + 1..)?).ok()?;
            (rest.get(..e)?, exp_text.parse::<i32>().ok()?)
        }
        None => (rest, 0),
    };
    let (int_part, frac_part) = match mantissa.iter().position(|&b| b == b'.') {
        Some(p) => (mantissa.get(..p)?, mantissa.get(p + 1..)?),
        None => (mantissa, &[][..]),
    };
    if int_part.is_empty() {
        return None;
    }
    // value = digits × 10^(exponent − frac_len) seconds = digits × 10^(exponent − frac_len + 3) ms
    let mut digits: u128 = 0;
    let mut significant = 0usize;
    for &d in int_part.iter().chain(frac_part) {
        if !d.is_ascii_digit() {
            return None;
        }
        if digits == 0 && d == b'0' {
            continue;
        }
        significant += 1;
        if significant > MAX_SIGNIFICANT_DIGITS {
            return None;
        }
        digits = digits * 10 + u128::from(d - b'0');
    }
    let frac_len = i32::try_from(frac_part.len()).ok()?;
    let scale = exponent.checked_sub(frac_len)?.checked_add(3)?;
    let ms: u128 = if digits == 0 {
        0
    } else if scale >= 0 {
        let factor = 10u128.checked_pow(u32::try_from(scale).ok()?)?;
        digits.checked_mul(factor)?
    } else {
        let down = scale.unsigned_abs();
        match 10u128.checked_pow(down) {
            // Round to nearest, ties away from zero.
            Some(divisor) => (digits + divisor / 2) / divisor,
            None => 0,
        }
    };
    let ms = i64::try_from(ms).ok()?;
    Some(if neg { -ms } else { ms })
}

/// A sample value from Prometheus' string form: decimal or exponent notation, `NaN`, `+Inf`,
/// `-Inf` (any case, as Go's `strconv.ParseFloat` accepts them). Empty text and anything else
/// give `None`.
#[inline]
pub(crate) fn parse_value(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    // Rust's parser accepts "inf", "infinity" and "nan" in any case with an optional sign, like
    // Go's, but also forms Prometheus never writes and that would hide a broken exporter:
    // reject leading/trailing white space and an empty string.
    match (bytes.first(), bytes.last()) {
        (Some(a), Some(b)) if !a.is_ascii_whitespace() && !b.is_ascii_whitespace() => {}
        _ => return None,
    }
    text.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_exact_to_the_millisecond() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1740338424.615", Some(1_740_338_424_615)),
            ("1740338424", Some(1_740_338_424_000)),
            ("1740338424.6", Some(1_740_338_424_600)),
            ("1740338424.61", Some(1_740_338_424_610)),
            ("0", Some(0)),
            ("0.001", Some(1)),
            ("-1.5", Some(-1500)),
            // sub-millisecond digits round to nearest, ties away from zero
            ("1740338424.6154", Some(1_740_338_424_615)),
            ("1740338424.6155", Some(1_740_338_424_616)),
            ("-0.0005", Some(-1)),
            ("0.0004999", Some(0)),
            // exponents
            ("1.740338424615e9", Some(1_740_338_424_615)),
            ("1740338424615e-3", Some(1_740_338_424_615)),
            ("1E3", Some(1_000_000)),
            ("0e99999", Some(0)),
            ("5e-400", Some(0)),
            // out of range or too precise
            ("1e30", None),
            ("9223372036854775.808", None),
            ("1234567890123456789012345678901.5", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                seconds_text_to_ms(text.as_bytes()),
                *want,
                "case {text} failed"
            );
        }
    }

    #[test]
    fn the_one_pass_path_reads_only_what_prometheus_writes() {
        let cases: &[(&str, Option<(i64, usize)>)] = &[
            ("1740338424.615,", Some((1_740_338_424_615, 14))),
            ("1740338424]", Some((1_740_338_424_000, 10))),
            ("-1.5 ", Some((-1500, 4))),
            ("0.01,", Some((10, 4))),
            ("7", Some((7000, 1))),
            // left to the general path
            ("1740338424.6155,", None),
            ("1.7e9,", None),
            ("01,", None),
            ("1.,", None),
            ("-,", None),
            ("\"1\",", None),
            ("1234567890123456,", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                leading_seconds_to_ms(text.as_bytes()),
                *want,
                "case {text} failed"
            );
        }
    }

    #[test]
    fn values_parse_like_prometheus_writes_them() {
        let cases: &[(&str, Option<f64>)] = &[
            ("1.5", Some(1.5)),
            ("0", Some(0.0)),
            ("-2", Some(-2.0)),
            ("1e+21", Some(1e21)),
            ("+Inf", Some(f64::INFINITY)),
            ("-Inf", Some(f64::NEG_INFINITY)),
            ("inf", Some(f64::INFINITY)),
            ("", None),
            (" 1", None),
            ("1 ", None),
            ("abc", None),
            ("1,5", None),
            ("0x10", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_value(text), *want, "case {text:?} failed");
        }
        assert!(parse_value("NaN").is_some_and(f64::is_nan));
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn any_millisecond_round_trips(ms in -9_000_000_000_000i64..9_000_000_000_000i64) {
            let sign = if ms < 0 { "-" } else { "" };
            let text = format!("{sign}{}.{:03}", ms.unsigned_abs() / 1000, ms.unsigned_abs() % 1000);
            proptest::prop_assert_eq!(seconds_text_to_ms(text.as_bytes()), Some(ms));
            // the exponent form takes the general path and must agree
            let exp = format!("{sign}{}e-3", ms.unsigned_abs());
            proptest::prop_assert_eq!(seconds_text_to_ms(exp.as_bytes()), Some(ms));
        }

        #[test]
        fn finite_values_round_trip(v in proptest::num::f64::NORMAL | proptest::num::f64::ZERO) {
            proptest::prop_assert_eq!(parse_value(&v.to_string()), Some(v));
        }
    }
}
