//! The columnar data model every part of FleetLens shares.
//!
//! * [`Labels`]: a label set, sorted by name, `__name__` included when present.
//! * [`Series`]: one time series as two columns: `time_ms` (i64 epoch milliseconds, exact) and
//!   `values` (f64; `NaN` and `±Inf` are kept as they are).
//! * [`Frame`]: a Grafana-style data frame (a time column, text fields and named number fields with
//!   labels and a unit), the shape the views return and the CLI prints with `--json`. A frame
//!   without a time column but with text fields is a table (a leaderboard, a breakdown).

#![allow(clippy::arithmetic_side_effects, reason = "a column count plus one")]

use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// A set of labels, sorted by name, each name at most once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels {
    pairs: Vec<(String, String)>,
}

impl Labels {
    /// An empty label set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a label set from pairs. When a name repeats, the last value wins (as in a JSON
    /// object).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut labels = Self::new();
        for (k, v) in pairs {
            labels.insert(k.into(), v.into());
        }
        labels
    }

    /// Sets `name` to `value`, replacing an earlier value.
    pub fn insert(&mut self, name: String, value: String) {
        match self.pairs.binary_search_by(|(k, _)| k.as_str().cmp(&name)) {
            Ok(i) => {
                if let Some(slot) = self.pairs.get_mut(i) {
                    slot.1 = value;
                }
            }
            Err(i) => self.pairs.insert(i, (name, value)),
        }
    }

    /// The value of label `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .and_then(|i| self.pairs.get(i))
            .map(|(_, v)| v.as_str())
    }

    /// The metric name (`__name__`), if present.
    pub fn metric_name(&self) -> Option<&str> {
        self.get("__name__")
    }

    /// The pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when there are no labels.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// PromQL notation: `name{a="x", b="y"}`; `{}` for an empty set. Values are escaped as PromQL
/// string literals.
impl fmt::Display for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = self.metric_name() {
            f.write_str(name)?;
        }
        let mut rest = self.iter().filter(|(k, _)| *k != "__name__").peekable();
        if rest.peek().is_none() && self.metric_name().is_some() {
            return Ok(());
        }
        f.write_str("{")?;
        let mut first = true;
        for (k, v) in rest {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{k}=\"{}\"", v.escape_default())?;
        }
        f.write_str("}")
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.pairs.len()))?;
        for (k, v) in &self.pairs {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One time series: a label set and two columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// The series' labels.
    pub labels: Labels,
    /// Sample times, epoch milliseconds, in the order received.
    pub time_ms: Vec<i64>,
    /// Sample values; `NaN` and `±Inf` are kept.
    pub values: Vec<f64>,
}

impl Series {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the series has no samples.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The first sample as `(time_ms, value)`, if any.
    pub fn first(&self) -> Option<(i64, f64)> {
        Some((*self.time_ms.first()?, *self.values.first()?))
    }

    /// The last sample as `(time_ms, value)`, if any.
    pub fn last(&self) -> Option<(i64, f64)> {
        Some((*self.time_ms.last()?, *self.values.last()?))
    }

    /// This series as a two-column [`Frame`] (`Time`, `Value`), the way Grafana's Prometheus data
    /// source shapes one series.
    pub fn to_frame(&self) -> Frame {
        Frame {
            name: Some(self.labels.to_string()),
            time_ms: self.time_ms.clone(),
            text: Vec::new(),
            fields: vec![Field {
                name: "Value".to_owned(),
                labels: self.labels.clone(),
                unit: None,
                values: self.values.clone(),
            }],
        }
    }
}

/// A number field of a [`Frame`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Field {
    /// Field name (`Value`, `cost`, `burn rate 1h`, …).
    pub name: String,
    /// Labels that identify the field's series.
    pub labels: Labels,
    /// A Grafana unit id (`currencyUSD`, `percentunit`, `s`, `short`), if known.
    pub unit: Option<String>,
    /// One value per row of the frame; `NaN` and `±Inf` are kept.
    pub values: Vec<f64>,
}

/// A text field of a [`Frame`] (an agent id, a model, a window, a state).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextField {
    /// Field name (`agent`, `model`, `window`, …).
    pub name: String,
    /// One value per row of the frame.
    pub values: Vec<String>,
}

/// A data frame: an optional time column, then text fields, then number fields, all of the
/// same length.
///
/// A frame has a time column when `time_ms` is not empty or when it has no text fields (a time
/// series without rows still has its time column); a frame with text fields and no times is a
/// table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    /// Frame name, if any.
    pub name: Option<String>,
    /// The time column, epoch milliseconds.
    pub time_ms: Vec<i64>,
    /// Text fields, each as long as the frame.
    pub text: Vec<TextField>,
    /// Number fields, each as long as the frame.
    pub fields: Vec<Field>,
}

impl Frame {
    /// True when the frame has a time column (see [`Frame`]).
    pub fn has_time(&self) -> bool {
        !self.time_ms.is_empty() || self.text.is_empty()
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        if self.has_time() {
            self.time_ms.len()
        } else {
            self.text.first().map_or(0, |t| t.values.len())
        }
    }
}

/// Frames serialize in Grafana's data frame JSON shape (`schema` + `data`), where non-finite
/// numbers are written as `null` and listed in `entities` (`NaN`, `Inf`, `NegInf`) so that nothing
/// is lost.
impl Serialize for Frame {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("schema", &FrameSchema(self))?;
        map.serialize_entry("data", &FrameData(self))?;
        map.end()
    }
}

struct FrameSchema<'a>(&'a Frame);

impl Serialize for FrameSchema<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct FieldSchema<'a> {
            name: &'a str,
            #[serde(rename = "type")]
            kind: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            labels: Option<&'a Labels>,
            #[serde(skip_serializing_if = "Option::is_none")]
            config: Option<FieldConfig<'a>>,
        }
        #[derive(Serialize)]
        struct FieldConfig<'a> {
            unit: &'a str,
        }
        let mut fields = Vec::with_capacity(self.0.fields.len() + self.0.text.len() + 1);
        if self.0.has_time() {
            fields.push(FieldSchema {
                name: "Time",
                kind: "time",
                labels: None,
                config: None,
            });
        }
        for t in &self.0.text {
            fields.push(FieldSchema {
                name: &t.name,
                kind: "string",
                labels: None,
                config: None,
            });
        }
        for f in &self.0.fields {
            fields.push(FieldSchema {
                name: &f.name,
                kind: "number",
                labels: (!f.labels.is_empty()).then_some(&f.labels),
                config: f.unit.as_deref().map(|unit| FieldConfig { unit }),
            });
        }
        let mut map = serializer.serialize_map(None)?;
        if let Some(name) = &self.0.name {
            map.serialize_entry("name", name)?;
        }
        map.serialize_entry("fields", &fields)?;
        map.end()
    }
}

struct FrameData<'a>(&'a Frame);

impl Serialize for FrameData<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let frame = self.0;
        let mut map = serializer.serialize_map(Some(2))?;
        let time = frame.has_time().then_some(Column::Time(&frame.time_ms));
        let columns = time
            .into_iter()
            .chain(frame.text.iter().map(|t| Column::Text(&t.values)))
            .chain(frame.fields.iter().map(|f| Column::Number(&f.values)));
        map.serialize_entry("values", &SeqOf(columns.clone()))?;
        map.serialize_entry("entities", &SeqOf(columns.map(Entities)))?;
        map.end()
    }
}

#[derive(Clone, Copy)]
enum Column<'a> {
    Time(&'a [i64]),
    Text(&'a [String]),
    Number(&'a [f64]),
}

impl Serialize for Column<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Column::Time(t) => t.serialize(serializer),
            Column::Text(t) => t.serialize(serializer),
            Column::Number(v) => {
                let mut seq = serializer.serialize_seq(Some(v.len()))?;
                for x in *v {
                    if x.is_finite() {
                        seq.serialize_element(x)?;
                    } else {
                        seq.serialize_element(&None::<f64>)?;
                    }
                }
                seq.end()
            }
        }
    }
}

/// Grafana's `FieldValueEntityLookup`: indexes of NaN, +Inf and -Inf values, or `null` when a
/// column has none.
struct Entities<'a>(Column<'a>);

impl Serialize for Entities<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Column::Number(values) = self.0 else {
            return serializer.serialize_none();
        };
        let (mut nan, mut inf, mut neg_inf) = (Vec::new(), Vec::new(), Vec::new());
        for (i, x) in values.iter().enumerate() {
            if x.is_nan() {
                nan.push(i);
            } else if *x == f64::INFINITY {
                inf.push(i);
            } else if *x == f64::NEG_INFINITY {
                neg_inf.push(i);
            }
        }
        if nan.is_empty() && inf.is_empty() && neg_inf.is_empty() {
            return serializer.serialize_none();
        }
        let mut map = serializer.serialize_map(None)?;
        for (key, list) in [("NaN", nan), ("Inf", inf), ("NegInf", neg_inf)] {
            if !list.is_empty() {
                map.serialize_entry(key, &list)?;
            }
        }
        map.end()
    }
}

struct SeqOf<I>(I);

impl<I> Serialize for SeqOf<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_sorted_and_last_value_wins() {
        let l = Labels::from_pairs([("job", "a"), ("__name__", "up"), ("job", "b")]);
        assert_eq!(l.len(), 2);
        assert_eq!(l.get("job"), Some("b"));
        assert_eq!(l.metric_name(), Some("up"));
        assert_eq!(
            l.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["__name__", "job"]
        );
    }

    #[test]
    fn labels_display_in_promql_notation() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "{}"),
            (&[("__name__", "up")], "up"),
            (&[("__name__", "up"), ("job", "x")], "up{job=\"x\"}"),
            (
                &[("b", "2"), ("a", "q\"uote")],
                "{a=\"q\\\"uote\", b=\"2\"}",
            ),
        ];
        for (pairs, want) in cases {
            let l = Labels::from_pairs(pairs.iter().copied());
            assert_eq!(l.to_string(), *want, "case {pairs:?} failed");
        }
    }

    #[test]
    fn frame_json_keeps_non_finite_values_as_entities() {
        let s = Series {
            labels: Labels::from_pairs([("__name__", "x")]),
            time_ms: vec![1000, 2000, 3000, 4000],
            values: vec![1.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY],
        };
        let json = serde_json::to_value(s.to_frame()).unwrap();
        assert_eq!(json["schema"]["name"], "x");
        assert_eq!(json["schema"]["fields"][0]["type"], "time");
        assert_eq!(json["schema"]["fields"][1]["labels"]["__name__"], "x");
        assert_eq!(
            json["data"]["values"][0],
            serde_json::json!([1000, 2000, 3000, 4000])
        );
        assert_eq!(
            json["data"]["values"][1],
            serde_json::json!([1.5, null, null, null])
        );
        assert_eq!(json["data"]["entities"][0], serde_json::Value::Null);
        assert_eq!(
            json["data"]["entities"][1],
            serde_json::json!({"NaN": [1], "Inf": [2], "NegInf": [3]})
        );
    }

    #[test]
    fn a_frame_with_text_fields_and_no_times_is_a_table() {
        let f = Frame {
            name: Some("leaderboard".into()),
            time_ms: Vec::new(),
            text: vec![TextField {
                name: "agent".into(),
                values: vec!["a<script>".into(), "b".into()],
            }],
            fields: vec![Field {
                name: "score".into(),
                labels: Labels::new(),
                unit: Some("short".into()),
                values: vec![0.5, f64::NAN],
            }],
        };
        assert!(!f.has_time());
        assert_eq!(f.rows(), 2);
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["schema"]["fields"][0]["name"], "agent");
        assert_eq!(json["schema"]["fields"][0]["type"], "string");
        assert_eq!(json["schema"]["fields"][1]["config"]["unit"], "short");
        assert_eq!(
            json["data"]["values"],
            serde_json::json!([["a<script>", "b"], [0.5, null]])
        );
        assert_eq!(
            json["data"]["entities"],
            serde_json::json!([null, {"NaN": [1]}])
        );
        let empty_series = Frame::default();
        assert!(empty_series.has_time());
        assert_eq!(empty_series.rows(), 0);
    }

    #[test]
    fn first_and_last_of_an_empty_series_are_none() {
        let s = Series::default();
        assert!(s.first().is_none() && s.last().is_none() && s.is_empty());
    }
}
