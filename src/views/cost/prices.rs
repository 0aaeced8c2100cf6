//! Token prices per model with effective dates: what-if views and cache savings.
//!
//! The exported cost counter is the truth for what was spent; prices only answer "what would
//! these tokens have cost" questions. [`default_prices`] is Anthropic's public list price table
//! shipped as data (`prices.json`, editable by replacing it in the config).

#![allow(
    clippy::arithmetic_side_effects,
    reason = "div_euclid then a multiply by the same DAY_MS rounds down to a day, never past the input"
)]

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// One price of one model, USD per million tokens, in force from `effective_from` (a UTC date,
/// `YYYY-MM-DD`, inclusive) until `effective_until` (exclusive; open-ended when absent).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModelPrice {
    /// Model id or id prefix: `claude-sonnet-4-5` matches `claude-sonnet-4-5-20250929`. The
    /// longest matching prefix wins, so `claude-opus-4-1` beats `claude-opus-4`.
    pub model: String,
    /// First day (UTC) the price applies, `YYYY-MM-DD`.
    pub effective_from: String,
    /// First day (UTC) it no longer applies; absent: still in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<String>,
    /// Input tokens.
    pub input: f64,
    /// Output tokens.
    pub output: f64,
    /// Cache writes (`cacheCreation` tokens); `cacheCreation` is accepted as another name.
    #[serde(alias = "cacheCreation")]
    pub cache_write: f64,
    /// Cache reads.
    pub cache_read: f64,
}

/// The shipped table: `{ source, prices }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PriceFile {
    #[allow(dead_code)]
    source: String,
    prices: Vec<ModelPrice>,
}

/// Anthropic's public list prices for current Claude models (USD per million tokens, standard
/// rates, 5-minute cache writes), effective from each model's release date. Editable: a
/// config's `prices` replaces the whole table.
///
/// Fails only if the shipped data were broken (a test parses it).
pub fn default_prices() -> Result<Vec<ModelPrice>> {
    let file: PriceFile = serde_json::from_str(include_str!("prices.json"))
        .map_err(|e| Error::InvalidConfig(format!("built-in price table: {e}")))?;
    Ok(file.prices)
}

/// A checked price table (see [`PriceTable::new`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    /// (prefix, from_ms, until_ms, price)
    entries: Vec<(ModelPrice, i64, i64)>,
}

/// Prices of the four token types at one time, USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPrices {
    /// Input tokens.
    pub input: f64,
    /// Output tokens.
    pub output: f64,
    /// Cache writes.
    pub cache_write: f64,
    /// Cache reads.
    pub cache_read: f64,
}

impl TokenPrices {
    /// The price of a Claude Code token `type` label (`input`, `output`, `cacheRead`,
    /// `cacheCreation`); `None` for any other type.
    pub fn of_type(&self, token_type: &str) -> Option<f64> {
        match token_type {
            "input" => Some(self.input),
            "output" => Some(self.output),
            "cacheRead" => Some(self.cache_read),
            "cacheCreation" | "cacheWrite" => Some(self.cache_write),
            _ => None,
        }
    }
}

fn parse_day(text: &str, what: &str, model: &str) -> Result<i64> {
    crate::time::fmt::parse_day_ms(text).ok_or_else(|| {
        Error::InvalidConfig(format!(
            "prices: {what} \"{text}\" of {model} is not a date like 2025-05-22"
        ))
    })
}

impl PriceTable {
    /// Checks a price table.
    ///
    /// Fails with [`Error::InvalidConfig`] when a price is negative or not finite, a model is
    /// empty, a date is not `YYYY-MM-DD` or `effectiveUntil` is not after `effectiveFrom`, or
    /// two entries of the same model overlap in time. An empty table is valid (what-if and
    /// savings are then unavailable).
    pub fn new(prices: &[ModelPrice]) -> Result<Self> {
        let mut entries = Vec::with_capacity(prices.len());
        for p in prices {
            if p.model.trim().is_empty() {
                return Err(Error::InvalidConfig(
                    "prices: an entry has an empty model".into(),
                ));
            }
            for (name, v) in [
                ("input", p.input),
                ("output", p.output),
                ("cacheWrite", p.cache_write),
                ("cacheRead", p.cache_read),
            ] {
                if !v.is_finite() || v < 0.0 {
                    return Err(Error::InvalidConfig(format!(
                        "prices: {name} price {v} of {} (from {}) must be a number ≥ 0",
                        p.model, p.effective_from
                    )));
                }
            }
            let from = parse_day(&p.effective_from, "effectiveFrom", &p.model)?;
            let until = match &p.effective_until {
                Some(u) => parse_day(u, "effectiveUntil", &p.model)?,
                None => i64::MAX,
            };
            if until <= from {
                return Err(Error::InvalidConfig(format!(
                    "prices: {} has effectiveUntil {} not after effectiveFrom {}",
                    p.model,
                    p.effective_until.as_deref().unwrap_or_default(),
                    p.effective_from
                )));
            }
            if let Some((other, _, _)) =
                entries.iter().find(|(o, f, u): &&(ModelPrice, i64, i64)| {
                    o.model == p.model && *f < until && from < *u
                })
            {
                return Err(Error::InvalidConfig(format!(
                    "prices: two prices of {} overlap (from {} and from {}); close the older one with effectiveUntil",
                    p.model, other.effective_from, p.effective_from
                )));
            }
            entries.push((p.clone(), from, until));
        }
        Ok(Self { entries })
    }

    /// The price of `model` in force at `t_ms`: among the entries whose model is a prefix of
    /// `model` and whose dates contain `t_ms`, the longest prefix. `None` when none matches.
    pub fn at(&self, model: &str, t_ms: i64) -> Option<TokenPrices> {
        self.entries
            .iter()
            .filter(|(p, from, until)| {
                model.starts_with(&p.model) && *from <= t_ms && t_ms < *until
            })
            .max_by_key(|(p, _, _)| p.model.len())
            .map(|(p, _, _)| TokenPrices {
                input: p.input,
                output: p.output,
                cache_write: p.cache_write,
                cache_read: p.cache_read,
            })
    }

    /// The times in `(start_ms, end_ms)` where some price starts or ends, ascending: the points
    /// at which token increases are split so that each part is priced at the price in force.
    pub fn change_points(&self, start_ms: i64, end_ms: i64) -> Vec<i64> {
        let mut points: Vec<i64> = self
            .entries
            .iter()
            .flat_map(|(_, f, u)| [*f, *u])
            .filter(|&t| t > start_ms && t < end_ms)
            .collect();
        points.sort_unstable();
        points.dedup();
        points
    }

    /// The distinct model prefixes, sorted.
    pub fn models(&self) -> Vec<String> {
        let mut m: Vec<String> = self
            .entries
            .iter()
            .map(|(p, _, _)| p.model.clone())
            .collect();
        m.sort();
        m.dedup();
        m
    }
}

/// Midnight UTC of the day `t_ms` falls in (for messages and tests).
pub fn utc_day_start(t_ms: i64) -> i64 {
    t_ms.div_euclid(DAY_MS) * DAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(model: &str, from: &str, until: Option<&str>, input: f64) -> ModelPrice {
        ModelPrice {
            model: model.into(),
            effective_from: from.into(),
            effective_until: until.map(Into::into),
            input,
            output: 15.0,
            cache_write: 3.75,
            cache_read: 0.3,
        }
    }

    #[test]
    fn the_shipped_table_is_valid() {
        let table = PriceTable::new(&default_prices().unwrap()).unwrap();
        // 2025-10-01T00:00:00Z
        let t = 1_759_276_800_000;
        assert_eq!(
            table.at("claude-sonnet-4-5-20250929", t).map(|p| p.input),
            Some(3.0)
        );
        assert_eq!(
            table.at("claude-opus-4-1-20250805", t).map(|p| p.output),
            Some(75.0)
        );
        assert_eq!(
            table.at("claude-haiku-4-5-20251001", t),
            None,
            "before its release"
        );
        assert_eq!(table.at("gpt-4o", t), None);
    }

    #[test]
    fn bad_tables_are_refused() {
        type Case = (&'static str, Vec<ModelPrice>, &'static str);
        let cases: Vec<Case> = vec![
            (
                "negative",
                vec![price("m", "2025-01-01", None, -1.0)],
                "input price -1 of m",
            ),
            (
                "nan",
                vec![price("m", "2025-01-01", None, f64::NAN)],
                "must be a number",
            ),
            (
                "bad date",
                vec![price("m", "2025-13-01", None, 1.0)],
                "not a date",
            ),
            (
                "empty model",
                vec![price(" ", "2025-01-01", None, 1.0)],
                "empty model",
            ),
            (
                "until before from",
                vec![price("m", "2025-02-01", Some("2025-01-01"), 1.0)],
                "not after",
            ),
            (
                "overlap",
                vec![
                    price("m", "2025-01-01", None, 1.0),
                    price("m", "2025-03-01", None, 2.0),
                ],
                "overlap",
            ),
        ];
        for (name, prices, want) in cases {
            let err = PriceTable::new(&prices)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(want), "case {name} failed: {err}");
        }
        let unknown = serde_json::from_str::<ModelPrice>(
            r#"{"model":"m","effectiveFrom":"2025-01-01","input":1,"output":1,"cacheWrite":1,"cacheRead":1,"batch":1}"#,
        );
        assert!(unknown.is_err_and(|e| e.to_string().contains("unknown field `batch`")));
    }

    #[test]
    fn the_price_in_force_at_a_time_is_used() {
        // Price 1 in January, 2 from February on; 2025-01-15 and 2025-02-15 (UTC).
        let table = PriceTable::new(&[
            price("m", "2025-01-01", Some("2025-02-01"), 1.0),
            price("m", "2025-02-01", None, 2.0),
            price("m-large", "2025-01-01", None, 9.0),
        ])
        .unwrap();
        let (jan, feb) = (1_736_899_200_000, 1_739_577_600_000);
        assert_eq!(table.at("m-1", jan).map(|p| p.input), Some(1.0));
        assert_eq!(table.at("m-1", feb).map(|p| p.input), Some(2.0));
        assert_eq!(
            table.at("m-large-2", feb).map(|p| p.input),
            Some(9.0),
            "longest prefix"
        );
        assert_eq!(table.at("m", 0), None);
        // 2025-02-01T00:00:00Z is the only change point inside January 15 .. February 15.
        assert_eq!(table.change_points(jan, feb), vec![1_738_368_000_000]);
        assert_eq!(utc_day_start(jan + 5), jan);
    }
}
