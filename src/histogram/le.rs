//! The `le` label: a bucket's upper bound, read exactly as Prometheus reads it.
//!
//! Prometheus parses `le` with Go's `strconv.ParseFloat(s, 64)`, so the same text must give the same
//! number here, or a bucket written `1e-1` would not be merged with one written `0.1`, and a bucket
//! Prometheus skips would be evaluated. The grammar, as Go defines it:
//!
//! * `Inf`, `Infinity` (any case, optionally signed) and `NaN` (any case, unsigned only);
//! * decimal: optional sign, digits with at most one `.` and at least one digit, optional exponent
//!   `e`/`E`, optional sign, digits (`1`, `1.`, `.5`, `1e-1`, `+2.5E3`);
//! * hexadecimal: `0x`/`0X`, hex digits with at most one `.`, then a mandatory binary exponent
//!   `p`/`P` (`0x1p-2` is 0.25);
//! * `_` may separate digits (`1_000`), never lead, trail, double or touch `.`, a sign or the
//!   exponent letter;
//! * nothing else: no spaces, no empty string, no trailing text.
//!
//! Values are rounded to the nearest `f64` (ties to even). A finite text whose value is beyond the
//! largest `f64` is an error (Go's `ErrRange`), while one too small to represent is `0` (Go reports
//! no error for underflow).

#![allow(
    clippy::arithmetic_side_effects,
    reason = "indices stay within the label text; the binary exponent moves by 4 per digit of the text and the decimal exponent is capped at EXPONENT_CAP before it is added; shifts stay within 0..128 by the checks before them"
)]

use crate::error::{Error, Result};
use crate::frame::Labels;

/// The bucket label.
pub const LE_LABEL: &str = "le";

/// Parses an `le` value with Go's `strconv.ParseFloat(text, 64)` semantics.
///
/// Special cases:
/// * `"+Inf"`, `"Inf"`, `"inf"`, `"Infinity"` give `+∞`; `"-Inf"` gives `-∞`;
/// * `"NaN"` (any case) gives `NaN`, while `"+NaN"` and `"-NaN"` are not numbers for Go;
/// * `"1e400"` (overflow) is `None`, `"1e-400"` (underflow) is `0`;
/// * `""`, `" 1"`, `"1s"`, `"1__0"`, `"0x1"` (no exponent) are `None`.
pub fn parse_le(text: &str) -> Option<f64> {
    if let Some(special) = parse_special(text) {
        return Some(special);
    }
    let (negative, body) = match text.as_bytes().first() {
        Some(b'+') => (false, text.get(1..)?),
        Some(b'-') => (true, text.get(1..)?),
        _ => (false, text),
    };
    let value = if body.len() > 2 && (body.starts_with("0x") || body.starts_with("0X")) {
        parse_hex(body.get(2..)?)?
    } else {
        parse_decimal(body)?
    };
    if text.contains('_') && !underscores_ok(text) {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// The upper bound of the bucket series `labels`, from its `le` label.
///
/// Special cases, each an [`Error::InvalidHistogram`] naming the series:
/// * no `le` label;
/// * an `le` that Go's `ParseFloat` refuses (Prometheus skips such a series, with a warning since
///   2.48 and silently before: an error here makes the problem visible instead);
/// * `le="NaN"`: Go parses it, but a NaN bound cannot be ordered, so Prometheus' result would
///   depend on its sort algorithm.
pub fn bucket_bound(labels: &Labels) -> Result<f64> {
    let Some(text) = labels.get(LE_LABEL) else {
        return Err(Error::InvalidHistogram(format!(
            "series {labels} has no \"le\" label (is it a _bucket series?)"
        )));
    };
    match parse_le(text) {
        Some(bound) if bound.is_nan() => Err(Error::InvalidHistogram(format!(
            "series {labels}: le=\"{text}\" is not a usable bucket bound (NaN cannot be ordered)"
        ))),
        Some(bound) => Ok(bound),
        None => Err(Error::InvalidHistogram(format!(
            "series {labels}: le=\"{}\" is not a number (expected e.g. \"0.5\", \"1e-1\", \"+Inf\")",
            text.escape_default()
        ))),
    }
}

/// `Inf`, `Infinity` (any case, optional sign) and `NaN` (any case, no sign), as the whole text.
fn parse_special(text: &str) -> Option<f64> {
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1.0, text.get(1..)?),
        Some(b'-') => (-1.0, text.get(1..)?),
        _ => {
            if text.eq_ignore_ascii_case("nan") {
                return Some(f64::NAN);
            }
            (1.0, text)
        }
    };
    (rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity"))
        .then_some(sign * f64::INFINITY)
}

/// An unsigned decimal number, underscores allowed between digits (checked by the caller).
fn parse_decimal(body: &str) -> Option<f64> {
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut saw_dot = false;
    let mut saw_digit = false;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'0'..=b'9' => saw_digit = true,
            b'_' => {}
            b'.' if !saw_dot => saw_dot = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digit {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i = exponent_end(bytes, i + 1)?;
    }
    if i != bytes.len() {
        return None;
    }
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    // Rust's parser rounds to nearest, ties to even, like Go's, for every length of input; the
    // grammar was checked above, so it only sees texts Go accepts.
    let value: f64 = digits.parse().ok()?;
    value.is_finite().then_some(value)
}

/// Where an exponent's digits end, given the index just after `e`/`p`: an optional sign, then a
/// digit, then digits or underscores. `None` when there is no digit right after the sign.
fn exponent_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    if matches!(bytes.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    if !bytes.get(i)?.is_ascii_digit() {
        return None;
    }
    while bytes
        .get(i)
        .is_some_and(|c| c.is_ascii_digit() || *c == b'_')
    {
        i += 1;
    }
    Some(i)
}

/// Go caps a parsed exponent here: anything larger already over- or underflows.
const EXPONENT_CAP: i64 = 10_000;

/// The part of a hexadecimal float after `0x`: hex digits with at most one `.`, then `p`, an
/// optional sign and decimal digits (a power of two). Rounded to nearest, ties to even.
fn parse_hex(body: &str) -> Option<f64> {
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut mantissa: u64 = 0;
    // Bits below the 64 kept in `mantissa` that were not zero.
    let mut sticky = false;
    // The binary exponent of `mantissa`'s lowest bit.
    let mut exponent: i64 = 0;
    let mut saw_dot = false;
    let mut saw_digit = false;
    while let Some(&c) = bytes.get(i) {
        let digit = match c {
            b'_' => {
                i += 1;
                continue;
            }
            b'.' if !saw_dot => {
                saw_dot = true;
                i += 1;
                continue;
            }
            _ => match (c as char).to_digit(16) {
                Some(d) => u64::from(d),
                None => break,
            },
        };
        saw_digit = true;
        if mantissa >> 60 == 0 {
            mantissa = (mantissa << 4) | digit;
            if saw_dot {
                exponent -= 4;
            }
        } else {
            sticky |= digit != 0;
            if !saw_dot {
                exponent += 4;
            }
        }
        i += 1;
    }
    if !saw_digit || !matches!(bytes.get(i), Some(b'p' | b'P')) {
        return None;
    }
    let start = i + 1;
    let end = exponent_end(bytes, start)?;
    if end != bytes.len() {
        return None;
    }
    let text = body.get(start..end)?;
    let negative = text.starts_with('-');
    let mut power: i64 = 0;
    for d in text.bytes().filter(u8::is_ascii_digit) {
        if power < EXPONENT_CAP {
            power = power * 10 + i64::from(d - b'0');
        }
    }
    exponent += if negative { -power } else { power };
    round_to_f64(mantissa, exponent, sticky)
}

/// `mantissa · 2^exponent` (plus a non-zero remainder below the mantissa when `sticky`), rounded to
/// the nearest `f64`, ties to even. `None` on overflow.
fn round_to_f64(mantissa: u64, exponent: i64, sticky: bool) -> Option<f64> {
    /// Bits of an `f64` significand, the implicit one included.
    const SIGNIFICAND_BITS: i64 = 53;
    /// The exponent of the smallest subnormal, 2^-1074.
    const MIN_LSB_EXPONENT: i64 = -1074;
    if mantissa == 0 {
        return Some(0.0);
    }
    let bits = 64 - i64::from(mantissa.leading_zeros());
    // Drop low bits so that 53 remain, or fewer when the value is subnormal.
    let shift = (bits - SIGNIFICAND_BITS).max(MIN_LSB_EXPONENT - exponent);
    let (mut kept, mut lsb_exponent) = if shift <= 0 {
        (u128::from(mantissa), exponent)
    } else {
        let wide = u128::from(mantissa);
        let (kept, rest, half) = if shift >= 100 {
            (0, wide, u128::MAX)
        } else {
            let s = shift as u32;
            (wide >> s, wide & ((1u128 << s) - 1), 1u128 << (s - 1))
        };
        let round_up = rest > half || (rest == half && (sticky || kept & 1 == 1));
        (kept + u128::from(round_up), exponent + shift)
    };
    if kept >> SIGNIFICAND_BITS != 0 {
        kept >>= 1;
        lsb_exponent += 1;
    }
    if kept == 0 {
        return Some(0.0);
    }
    let top_bit = 128 - i64::from(kept.leading_zeros());
    if top_bit + lsb_exponent > 1024 {
        return None;
    }
    // `kept` has at most 53 bits and `lsb_exponent >= -1074`, so the product is exact.
    Some(kept as f64 * power_of_two(lsb_exponent)?)
}

/// `2^k` for `-1074 <= k <= 1023`, built from its bits.
fn power_of_two(k: i64) -> Option<f64> {
    match k {
        -1074..=-1023 => Some(f64::from_bits(1u64 << (k + 1074))),
        -1022..=1023 => Some(f64::from_bits(((k + 1023) as u64) << 52)),
        _ => None,
    }
}

/// Go's rule for `_` in numbers: only between two digits, or between the `0x` prefix and a digit.
fn underscores_ok(text: &str) -> bool {
    #[derive(PartialEq)]
    enum Saw {
        Start,
        Digit,
        Underscore,
        Other,
    }
    let body = text
        .strip_prefix('+')
        .or_else(|| text.strip_prefix('-'))
        .unwrap_or(text);
    let (hex, rest, mut saw) = match body.get(..2).map(|p| p.to_ascii_lowercase()).as_deref() {
        Some("0x") => (true, body.get(2..).unwrap_or_default(), Saw::Digit),
        Some("0b" | "0o") => (false, body.get(2..).unwrap_or_default(), Saw::Digit),
        _ => (false, body, Saw::Start),
    };
    for c in rest.chars() {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = Saw::Digit;
        } else if c == '_' {
            if saw != Saw::Digit {
                return false;
            }
            saw = Saw::Underscore;
        } else if saw == Saw::Underscore {
            return false;
        } else {
            saw = Saw::Other;
        }
    }
    saw != Saw::Underscore
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn parse_le_follows_go_parse_float() {
        // (text, expected value; None = Go's ParseFloat returns an error)
        const CASES: &[(&str, Option<f64>)] = &[
            ("0.1", Some(0.1)),
            ("1e-1", Some(0.1)),
            ("1E-1", Some(0.1)),
            ("0.10", Some(0.1)),
            (".1", Some(0.1)),
            ("1.", Some(1.0)),
            ("+0.5", Some(0.5)),
            ("-0.5", Some(-0.5)),
            ("10", Some(10.0)),
            ("0", Some(0.0)),
            ("1_000", Some(1000.0)),
            ("1_23.50_0_0e+1_2", Some(1.235e14)),
            ("+Inf", Some(f64::INFINITY)),
            ("Inf", Some(f64::INFINITY)),
            ("inf", Some(f64::INFINITY)),
            ("+infinity", Some(f64::INFINITY)),
            ("-Inf", Some(f64::NEG_INFINITY)),
            ("INFINITY", Some(f64::INFINITY)),
            ("0x1p-2", Some(0.25)),
            ("0X1P-2", Some(0.25)),
            ("0x.8p1", Some(1.0)),
            ("0x1.8p1", Some(3.0)),
            ("-0x1p0", Some(-1.0)),
            ("0x_1_2.3_4_5p+1_2", Some(74565.0)),
            ("0x1p-1074", Some(5e-324)),
            ("0x1p-1075", Some(0.0)),
            ("0x1.8p-1074", Some(1e-323)),
            ("0x1.fffffffffffff8p1023", None),
            ("0x1.fffffffffffff7p1023", Some(f64::MAX)),
            ("0x1p1024", None),
            ("0x1.00000000000008p0", Some(1.0)),
            ("0x1.000000000000081p0", Some(1.000_000_000_000_000_2)),
            ("1.7976931348623157e308", Some(f64::MAX)),
            ("1e308", Some(1e308)),
            ("1e400", None),
            ("-1e400", None),
            ("1e-400", Some(0.0)),
            ("", None),
            ("+", None),
            (".", None),
            ("e5", None),
            ("1e", None),
            ("1e+", None),
            ("1e_5", None),
            (" 1", None),
            ("1 ", None),
            ("1s", None),
            ("0.5s", None),
            ("1..2", None),
            ("1.2.3", None),
            ("_1", None),
            ("1_", None),
            ("1__0", None),
            ("1_.5", None),
            ("1._5", None),
            ("123.5e+12_", None),
            ("0x", None),
            ("0x1", None),
            ("0xp1", None),
            ("0x__12.345p+12", None),
            ("+NaN", None),
            ("-nan", None),
            ("infinit", None),
            ("infx", None),
            ("++1", None),
            ("0b1", None),
        ];
        for (text, want) in CASES {
            let got = parse_le(text);
            let same = match (got, want) {
                (Some(g), Some(w)) => g.to_bits() == w.to_bits() || (g == 0.0 && *w == 0.0),
                (None, None) => true,
                _ => false,
            };
            assert!(same, "case {text:?} failed: got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn nan_parses_in_any_case() {
        for text in ["NaN", "nan", "NAN"] {
            assert!(
                parse_le(text).is_some_and(f64::is_nan),
                "case {text:?} failed"
            );
        }
    }

    #[test]
    fn bucket_bound_names_the_series() {
        // (labels, bound or the start of the error message)
        type Case = (
            &'static [(&'static str, &'static str)],
            Result<f64, &'static str>,
        );
        let cases: &[Case] = &[
            (&[("__name__", "x_bucket"), ("le", "0.25")], Ok(0.25)),
            (&[("le", "+Inf")], Ok(f64::INFINITY)),
            (
                &[("__name__", "x_bucket"), ("job", "a")],
                Err("histogram: series x_bucket{job=\"a\"} has no \"le\" label"),
            ),
            (
                &[("__name__", "x_bucket"), ("le", "fast")],
                Err("histogram: series x_bucket{le=\"fast\"}: le=\"fast\" is not a number"),
            ),
            (
                &[("le", "NaN")],
                Err("histogram: series {le=\"NaN\"}: le=\"NaN\" is not a usable bucket bound"),
            ),
        ];
        for (pairs, want) in cases {
            let labels = Labels::from_pairs(pairs.iter().copied());
            match (bucket_bound(&labels), want) {
                (Ok(got), Ok(w)) => assert_eq!(got, *w, "case {labels} failed"),
                (Err(e), Err(w)) => {
                    assert!(e.to_string().starts_with(w), "case {labels} failed: {e}")
                }
                (got, _) => panic!("case {labels} failed: {got:?}"),
            }
        }
    }
}
