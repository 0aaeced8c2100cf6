//! A single-pass JSON cursor over bytes: no tree, strings borrowed from the input when they hold
//! no escapes. Just enough JSON for the Prometheus HTTP API, but all of it: any value can be
//! skipped, so unknown fields are ignored.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "byte positions never exceed the input's length (at most isize::MAX), so pos + k for the small k here cannot overflow; a \\u escape's value is built from 4 hex digits and its surrogate arithmetic runs after the range checks; the nesting depth stops at MAX_DEPTH"
)]

use std::borrow::Cow;

use crate::error::{Error, Result};

/// Nesting deeper than this is refused rather than risking the stack (Prometheus responses nest
/// five levels deep).
const MAX_DEPTH: usize = 128;

/// Longest excerpt of offending text quoted back in an error message.
const EXCERPT_CHARS: usize = 40;

pub(crate) struct Scanner<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Moves past `n` bytes the caller has read from [`Self::input`] at [`Self::pos`].
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.buf.len());
    }

    pub(crate) fn input(&self) -> &'a [u8] {
        self.buf
    }

    /// Skips a UTF-8 byte order mark at the start.
    pub(crate) fn skip_bom(&mut self) {
        if self.buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.pos = 3;
        }
    }

    #[inline]
    pub(crate) fn skip_ws(&mut self) {
        while let Some(&b) = self.buf.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.pos += 1;
        }
    }

    /// The next significant byte, without consuming it.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.buf.get(self.pos).copied()
    }

    pub(crate) fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    pub(crate) fn truncated(&self, expected: &'static str) -> Error {
        Error::Truncated {
            offset: self.buf.len(),
            expected,
        }
    }

    pub(crate) fn syntax(&self, reason: impl Into<String>) -> Error {
        Error::Json {
            offset: self.pos,
            reason: reason.into(),
        }
    }

    /// Consumes `byte` (after white space) or fails, naming `what` was being read.
    #[inline]
    pub(crate) fn expect(&mut self, byte: u8, what: &'static str) -> Result<()> {
        match self.peek() {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => Err(self.syntax(format!(
                "expected '{}' in {what}, found {}",
                byte as char,
                describe(b)
            ))),
            None => Err(self.truncated(what)),
        }
    }

    /// Reads the separator after an element of an object or array: `true` when another element
    /// follows (a comma was consumed), `false` at the closing bracket (consumed).
    #[inline]
    pub(crate) fn more(&mut self, close: u8, what: &'static str) -> Result<bool> {
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            Some(b) => Err(self.syntax(format!(
                "expected ',' or '{}' in {what}, found {}",
                close as char,
                describe(b)
            ))),
            None => Err(self.truncated(what)),
        }
    }

    /// Opens an array: consumes `[` and returns whether it has elements (an empty `[]` is
    /// consumed whole).
    pub(crate) fn begin_array(&mut self, what: &'static str) -> Result<bool> {
        self.expect(b'[', what)?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// Opens an object and reads its first key, or returns `None` for `{}`.
    pub(crate) fn begin_object(&mut self, what: &'static str) -> Result<Option<Cow<'a, str>>> {
        self.expect(b'{', what)?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(None);
        }
        self.key(what).map(Some)
    }

    /// After an object member's value: the next key, or `None` at the closing brace.
    pub(crate) fn next_key(&mut self, what: &'static str) -> Result<Option<Cow<'a, str>>> {
        if self.more(b'}', what)? {
            self.key(what).map(Some)
        } else {
            Ok(None)
        }
    }

    fn key(&mut self, what: &'static str) -> Result<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return match self.peek() {
                Some(b) => Err(self.syntax(format!(
                    "expected a quoted key in {what}, found {}",
                    describe(b)
                ))),
                None => Err(self.truncated(what)),
            };
        }
        let key = self.string(what)?;
        self.expect(b':', what)?;
        Ok(key)
    }

    /// Reads a JSON string. Borrowed when it has no escapes.
    pub(crate) fn string(&mut self, what: &'static str) -> Result<Cow<'a, str>> {
        self.expect(b'"', what)?;
        let start = self.pos;
        let mut i = start;
        loop {
            match self.buf.get(i) {
                None => return Err(self.truncated(what)),
                Some(b'"') => {
                    let raw = self.buf.get(start..i).unwrap_or_default();
                    self.pos = i + 1;
                    return std::str::from_utf8(raw)
                        .map(Cow::Borrowed)
                        .map_err(|e| Error::Json {
                            offset: start + e.valid_up_to(),
                            reason: format!("invalid UTF-8 in {what}"),
                        });
                }
                Some(b'\\') => {
                    self.pos = i;
                    return self.string_with_escapes(start, what).map(Cow::Owned);
                }
                Some(&b) if b < 0x20 => {
                    self.pos = i;
                    return Err(self.syntax(format!("control character in {what}")));
                }
                Some(_) => i += 1,
            }
        }
    }

    /// The slow path of [`Self::string`]: `self.pos` is at the first backslash; `start` is just
    /// after the opening quote.
    fn string_with_escapes(&mut self, start: usize, what: &'static str) -> Result<String> {
        let mut out: Vec<u8> = self.buf.get(start..self.pos).unwrap_or_default().to_vec();
        loop {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(self.truncated(what));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return String::from_utf8(out).map_err(|e| Error::Json {
                        offset: start + e.utf8_error().valid_up_to(),
                        reason: format!("invalid UTF-8 in {what}"),
                    });
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(&esc) = self.buf.get(self.pos) else {
                        return Err(self.truncated(what));
                    };
                    self.pos += 1;
                    let simple = match esc {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0c),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        other => {
                            self.pos -= 1;
                            return Err(self.syntax(format!(
                                "invalid escape '\\{}' in {what}",
                                other as char
                            )));
                        }
                    };
                    match simple {
                        Some(c) => out.push(c),
                        None => {
                            let c = self.unicode_escape(what)?;
                            let mut tmp = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                        }
                    }
                }
                b if b < 0x20 => return Err(self.syntax(format!("control character in {what}"))),
                b => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` for a surrogate pair.
    fn unicode_escape(&mut self, what: &'static str) -> Result<char> {
        let hi = self.hex4(what)?;
        if !(0xD800..0xDC00).contains(&hi) {
            return char::from_u32(hi)
                .ok_or_else(|| self.syntax(format!("lone surrogate in {what}")));
        }
        if self.buf.get(self.pos..self.pos + 2) != Some(b"\\u") {
            return Err(self.syntax(format!("lone surrogate in {what}")));
        }
        self.pos += 2;
        let lo = self.hex4(what)?;
        if !(0xDC00..0xE000).contains(&lo) {
            return Err(self.syntax(format!("invalid surrogate pair in {what}")));
        }
        let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
        char::from_u32(c).ok_or_else(|| self.syntax(format!("invalid surrogate pair in {what}")))
    }

    fn hex4(&mut self, what: &'static str) -> Result<u32> {
        let Some(digits) = self.buf.get(self.pos..self.pos + 4) else {
            return Err(self.truncated(what));
        };
        let mut v = 0u32;
        for &d in digits {
            let n = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.syntax(format!("invalid \\u escape in {what}")))?;
            v = v * 16 + n;
        }
        self.pos += 4;
        Ok(v)
    }

    /// Reads a JSON number and returns its text, checked against JSON's grammar
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    #[inline]
    pub(crate) fn number(&mut self, what: &'static str) -> Result<&'a [u8]> {
        self.skip_ws();
        let start = self.pos;
        let buf = self.buf;
        let mut i = start;
        // One or more digits from `i`: the index after them.
        let digits_from = |i: usize| {
            let n = buf.get(i..).map_or(0, |rest| {
                rest.iter().take_while(|b| b.is_ascii_digit()).count()
            });
            (n > 0).then_some(i + n)
        };
        if buf.get(i) == Some(&b'-') {
            i += 1;
        }
        match buf.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = digits_from(i).unwrap_or(i),
            Some(_) => return Err(self.not_a_number(what)),
            None => return Err(self.truncated(what)),
        }
        if buf.get(i) == Some(&b'.') {
            i = self.required_digits(digits_from(i + 1), i + 1, what)?;
        }
        if matches!(buf.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(buf.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = self.required_digits(digits_from(i), i, what)?;
        }
        if i == buf.len() {
            // A number at the very end of the body cannot be a complete Prometheus response.
            return Err(self.truncated(what));
        }
        self.pos = i;
        Ok(buf.get(start..i).unwrap_or_default())
    }

    /// The end of a run of digits that JSON requires (after `.` or `e`), or an error at `at`.
    fn required_digits(
        &mut self,
        end: Option<usize>,
        at: usize,
        what: &'static str,
    ) -> Result<usize> {
        end.ok_or_else(|| {
            self.pos = at;
            self.not_a_number(what)
        })
    }

    fn not_a_number(&self, what: &'static str) -> Error {
        let found = self
            .buf
            .get(self.pos)
            .map_or_else(|| "the end".to_owned(), |b| describe(*b));
        self.syntax(format!("expected a number in {what}, found {found}"))
    }

    /// Skips any JSON value.
    pub(crate) fn skip_value(&mut self, what: &'static str) -> Result<()> {
        self.skip_value_at(what, 0)
    }

    fn skip_value_at(&mut self, what: &'static str, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(self.syntax(format!(
                "{what} is nested more than {MAX_DEPTH} levels deep"
            )));
        }
        match self.peek() {
            None => Err(self.truncated(what)),
            Some(b'"') => self.string(what).map(drop),
            Some(b'{') => {
                let mut key = self.begin_object(what)?;
                while key.is_some() {
                    self.skip_value_at(what, depth + 1)?;
                    key = self.next_key(what)?;
                }
                Ok(())
            }
            Some(b'[') => {
                if self.begin_array(what)? {
                    loop {
                        self.skip_value_at(what, depth + 1)?;
                        if !self.more(b']', what)? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            Some(b't') => self.literal(b"true", what),
            Some(b'f') => self.literal(b"false", what),
            Some(b'n') => self.literal(b"null", what),
            Some(_) => self.number(what).map(drop),
        }
    }

    /// Consumes `null` if it is next; returns whether it did.
    pub(crate) fn null(&mut self, what: &'static str) -> Result<bool> {
        if self.peek() == Some(b'n') {
            self.literal(b"null", what)?;
            return Ok(true);
        }
        Ok(false)
    }

    fn literal(&mut self, word: &'static [u8], what: &'static str) -> Result<()> {
        match self.buf.get(self.pos..self.pos + word.len()) {
            Some(s) if s == word => {
                self.pos += word.len();
                Ok(())
            }
            Some(_) => Err(self.syntax(format!(
                "unexpected token in {what} (expected {})",
                String::from_utf8_lossy(word)
            ))),
            None if word.starts_with(self.buf.get(self.pos..).unwrap_or_default()) => {
                Err(self.truncated(what))
            }
            None => Err(self.syntax(format!("unexpected token in {what}"))),
        }
    }
}

/// A byte as it reads in an error message.
pub(crate) fn describe(b: u8) -> String {
    match b {
        b'"' => "a string".to_owned(),
        b'{' => "an object".to_owned(),
        b'[' => "an array".to_owned(),
        b'-' | b'0'..=b'9' => "a number".to_owned(),
        b't' | b'f' => "a boolean".to_owned(),
        b'n' => "null".to_owned(),
        0x20..=0x7e => format!("'{}'", b as char),
        _ => format!("byte 0x{b:02x}"),
    }
}

/// Text quoted back in an error message: at most [`EXCERPT_CHARS`] characters.
pub(crate) fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{short}…")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_borrow_without_escapes_and_unescape_with_them() {
        let cases: &[(&str, &str, bool)] = &[
            (r#""plain""#, "plain", true),
            (r#""""#, "", true),
            (r#""a\"b\\c\/d""#, "a\"b\\c/d", false),
            (r#""\n\t\r\b\f""#, "\n\t\r\u{8}\u{c}", false),
            (r#""caf\u00e9""#, "café", false),
            (r#""\ud83d\ude00""#, "😀", false),
            ("\"naïve\"", "naïve", true),
        ];
        for (input, want, borrowed) in cases {
            let mut s = Scanner::new(input.as_bytes());
            let got = s.string("test").unwrap();
            assert_eq!(got, *want, "case {input} failed");
            assert_eq!(
                matches!(got, Cow::Borrowed(_)),
                *borrowed,
                "case {input} borrow"
            );
        }
    }

    #[test]
    fn bad_strings_are_errors() {
        let cases: &[(&[u8], bool)] = &[
            (b"\"abc", true),
            (b"\"a\\", true),
            (b"\"\\u12", true),
            (b"\"\\x\"", false),
            (b"\"\\ud800\"", false),
            (b"\"\\ud800\\u0041\"", false),
            (b"\"a\nb\"", false),
            (b"\"\xff\"", false),
        ];
        for (input, truncated) in cases {
            let err = Scanner::new(input).string("test").unwrap_err();
            assert_eq!(
                matches!(err, Error::Truncated { .. }),
                *truncated,
                "case {:?} gave {err}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn numbers_follow_json_grammar() {
        let good = ["0,", "-0,", "12,", "1.5,", "1e9,", "1.25E-3,", "-7.0e+2,"];
        for g in good {
            let mut s = Scanner::new(g.as_bytes());
            let n = s.number("n").unwrap();
            assert_eq!(n, &g.as_bytes()[..g.len() - 1], "case {g} failed");
        }
        let bad = ["+1,", ".5,", "1.,", "1e,", "-,", "x,"];
        for b in bad {
            assert!(
                Scanner::new(b.as_bytes()).number("n").is_err(),
                "case {b} passed"
            );
        }
    }

    #[test]
    fn skip_value_skips_anything_and_limits_depth() {
        let mut s = Scanner::new(br#"{"a":[1,true,false,null,{"b":"c"}],"d":{}} ,"#);
        s.skip_value("v").unwrap();
        assert_eq!(s.peek(), Some(b','));
        let deep = "[".repeat(MAX_DEPTH + 10);
        let err = Scanner::new(deep.as_bytes()).skip_value("v").unwrap_err();
        assert!(err.to_string().contains("nested"), "{err}");
        assert!(matches!(
            Scanner::new(b"tru").skip_value("v"),
            Err(Error::Truncated { .. })
        ));
        assert!(matches!(
            Scanner::new(b"trap,").skip_value("v"),
            Err(Error::Json { .. })
        ));
    }

    #[test]
    fn excerpt_shortens_long_text() {
        assert_eq!(excerpt("short"), "short");
        assert_eq!(excerpt(&"x".repeat(100)).chars().count(), EXCERPT_CHARS + 1);
    }
}
