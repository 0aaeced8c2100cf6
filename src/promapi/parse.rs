//! The PromQL subset the embedded fleet answers: vector selectors with an optional range, and
//! number literals. Everything else is refused with a message pointing at `--prometheus URL`.
#![allow(
    clippy::arithmetic_side_effects,
    reason = "positions and lengths within the query text, at most its length"
)]

use regex::Regex;

use crate::error::{Error, Result};
use crate::time::parse_duration_ms;

/// What the embedded fleet answers, appended to every parse error.
pub const SUBSET_HINT: &str = "the embedded fleet answers selectors only (name{label=\"value\"}, optionally with a range such as [5m], and number literals); run `fleetlens playground --prometheus URL` against a real Prometheus for full PromQL";

/// How a label matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`: equal.
    Equal,
    /// `!=`: not equal.
    NotEqual,
    /// `=~`: the fully anchored regular expression matches.
    Regex,
    /// `!~`: the fully anchored regular expression does not match.
    NotRegex,
}

/// One label matcher, e.g. `job=~"api|web"`.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The label name (`__name__` for the metric name).
    pub name: String,
    /// The comparison.
    pub op: MatchOp,
    /// The value or the regular expression as written.
    pub value: String,
    re: Option<Regex>,
}

impl Matcher {
    /// A matcher; a regular expression is anchored at both ends as in Prometheus
    /// (`^(?s:RE)$`). Fails with [`Error::InvalidInput`] when it does not compile.
    pub fn new(name: &str, op: MatchOp, value: &str) -> Result<Self> {
        let re = match op {
            MatchOp::Regex | MatchOp::NotRegex => {
                Some(Regex::new(&format!("^(?s:{value})$")).map_err(|e| {
                    Error::InvalidInput(format!("invalid regular expression \"{value}\": {e}"))
                })?)
            }
            MatchOp::Equal | MatchOp::NotEqual => None,
        };
        Ok(Self {
            name: name.to_owned(),
            op,
            value: value.to_owned(),
            re,
        })
    }

    /// Whether a label value matches (a missing label is the empty string).
    pub fn matches(&self, v: &str) -> bool {
        match (self.op, &self.re) {
            (MatchOp::Equal, _) => v == self.value,
            (MatchOp::NotEqual, _) => v != self.value,
            (MatchOp::Regex, Some(re)) => re.is_match(v),
            (MatchOp::NotRegex, Some(re)) => !re.is_match(v),
            (MatchOp::Regex | MatchOp::NotRegex, None) => false,
        }
    }
}

/// A parsed query.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A number literal: a scalar.
    Number(f64),
    /// `vector(N)`: one sample with no labels at every evaluation time.
    Vector(f64),
    /// A vector selector, with a range (ms) for a range selector (`x[5m]`).
    Selector {
        /// Its matchers, the metric name as a `__name__` equality first.
        matchers: Vec<Matcher>,
        /// The range in ms, if any.
        range_ms: Option<i64>,
    },
}

fn bad(detail: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("{detail}; {SUBSET_HINT}"))
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn ident(&mut self, colon: bool) -> Option<String> {
        self.skip_ws();
        let rest = self.rest();
        let len = rest
            .char_indices()
            .take_while(|&(i, c)| {
                c == '_'
                    || c.is_ascii_alphabetic()
                    || (colon && c == ':')
                    || (i > 0 && c.is_ascii_digit())
            })
            .count();
        if len == 0 {
            return None;
        }
        let id = rest.get(..len)?.to_owned();
        self.pos += len;
        Some(id)
    }

    /// A string in double, single or back quotes, with Go's escapes (none in back quotes).
    fn string(&mut self) -> Result<String> {
        self.skip_ws();
        let Some(q @ ('"' | '\'' | '`')) = self.peek() else {
            return Err(bad(format!(
                "expected a quoted label value at position {}",
                self.pos
            )));
        };
        let mut out = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            if c == q {
                self.pos += i + 1;
                return Ok(out);
            }
            if c == '\\' && q != '`' {
                let Some((_, e)) = chars.next() else { break };
                let plain = match e {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    '\\' | '"' | '\'' => Some(e),
                    _ => None,
                };
                match plain {
                    Some(p) => out.push(p),
                    // Regular expressions keep their escapes (`\.`, `\d`).
                    None => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            } else {
                out.push(c);
            }
        }
        Err(bad("unterminated quoted string"))
    }
}

/// Parses a query of the subset: `name`, `name{l="v", l!="v", l=~"re", l!~"re"}`,
/// `{__name__=~"re"}`, each with an optional range (`[5m]`, `[1h30m]`, `[86700000ms]`), a number
/// literal (`1`, `-2.5`, `Inf`, `NaN`) or `vector(N)`.
///
/// Special cases: a selector must have a metric name or a matcher that does not match the empty
/// string, as in Prometheus; a regex is anchored at both ends. Anything else (functions,
/// operators, aggregations, subqueries, offsets) fails with [`Error::InvalidInput`] whose message
/// ends with [`SUBSET_HINT`].
pub fn parse_query(text: &str) -> Result<Expr> {
    let t = text.trim();
    if t.is_empty() {
        return Err(bad("the query is empty"));
    }
    if let Some(n) = number(t) {
        return Ok(Expr::Number(n));
    }
    if let Some(inner) = t
        .strip_prefix("vector")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('('))
        .and_then(|r| r.strip_suffix(')'))
    {
        return number(inner.trim())
            .map(Expr::Vector)
            .ok_or_else(|| bad("vector() takes a number literal here"));
    }
    let mut c = Cursor { text: t, pos: 0 };
    let mut matchers = Vec::new();
    if let Some(name) = c.ident(true) {
        c.skip_ws();
        if c.peek() == Some('(') {
            return Err(bad(format!(
                "function or aggregation \"{name}\" is not supported"
            )));
        }
        matchers.push(Matcher::new("__name__", MatchOp::Equal, &name)?);
    }
    if c.eat("{") {
        loop {
            if c.eat("}") {
                break;
            }
            let Some(label) = c.ident(false) else {
                return Err(bad(format!("expected a label name at position {}", c.pos)));
            };
            let op = if c.eat("=~") {
                MatchOp::Regex
            } else if c.eat("!~") {
                MatchOp::NotRegex
            } else if c.eat("!=") {
                MatchOp::NotEqual
            } else if c.eat("=") {
                MatchOp::Equal
            } else {
                return Err(bad(format!(
                    "expected =, !=, =~ or !~ after \"{label}\" at position {}",
                    c.pos
                )));
            };
            let value = c.string()?;
            matchers.push(
                Matcher::new(&label, op, &value)
                    .map_err(|e| bad(e.to_string().trim_start_matches("input: ")))?,
            );
            if c.eat(",") {
                continue;
            }
            if !c.eat("}") {
                return Err(bad(format!("expected , or }} at position {}", c.pos)));
            }
            break;
        }
    }
    if matchers.is_empty() {
        return Err(bad(format!("\"{t}\" is not a selector")));
    }
    if matchers.iter().all(|m| m.matches("")) {
        return Err(bad(
            "vector selector must contain at least one non-empty matcher",
        ));
    }
    let mut range_ms = None;
    if c.eat("[") {
        let rest = c.rest();
        let Some(end) = rest.find(']') else {
            return Err(bad("unclosed range [ ]"));
        };
        let d = rest.get(..end).unwrap_or("").trim();
        if d.contains(':') {
            return Err(bad("subqueries are not supported"));
        }
        range_ms = Some(parse_duration_ms(d).map_err(|e| bad(format!("range [{d}]: {e}")))?);
        c.pos += end + 1;
    }
    c.skip_ws();
    if !c.rest().is_empty() {
        return Err(bad(format!(
            "unexpected \"{}\" at position {}",
            c.rest().chars().take(20).collect::<String>(),
            c.pos
        )));
    }
    Ok(Expr::Selector { matchers, range_ms })
}

/// A PromQL number literal (decimal, exponent, `Inf`, `NaN`, with a sign), or `None`.
fn number(t: &str) -> Option<f64> {
    let body = t.trim_start_matches(['+', '-']);
    let first = body.chars().next()?;
    if !(first.is_ascii_digit()
        || first == '.'
        || matches!(body.to_ascii_lowercase().as_str(), "inf" | "nan"))
    {
        return None;
    }
    if t.len() - body.len() > 1 {
        return None;
    }
    t.parse::<f64>().ok()
}

/// Decodes `application/x-www-form-urlencoded` text (a query string or a POST body) into pairs, in
/// order; `+` is a space, bad percent escapes are kept as they are, invalid UTF-8 is replaced.
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Percent-decodes `text`; with `plus_is_space`, `+` becomes a space (form encoding).
pub fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' if plus_is_space => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(v) = hex {
                    out.push(v);
                    i += 3;
                    continue;
                }
                out.push(b);
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
