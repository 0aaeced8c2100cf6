//! Decoder for the Prometheus HTTP API's query responses (`/api/v1/query`, `/api/v1/query_range`),
//! from bytes straight into [`Series`] columns.
//!
//! One pass over the body, no JSON tree: label names and values are borrowed from the input unless
//! they hold escapes, sample timestamps are converted to milliseconds from their decimal digits
//! (exact), values from their strings (`"NaN"`, `"+Inf"`, `"-Inf"` included). Unknown fields are
//! skipped, so `stats`, `infos` and future additions do not break it.
//!
//! Special cases:
//! * `"status": "error"` gives [`Error::Api`] with Prometheus' `errorType` and `error` verbatim,
//!   whatever else the body holds;
//! * an empty body, an HTML page, malformed or truncated JSON, a `resultType` that is not one of
//!   the four, a value that is not a number string, a timestamp that is not a number: each its own
//!   [`Error`], never a panic;
//! * native histogram samples (`histogram`, `histograms`) are not decoded yet: they are skipped
//!   and counted in a warning, so a classic-bucket view never silently mixes them in;
//! * an empty `result` is a valid answer with no series (the caller decides what "no data" means).

mod number;
mod scan;

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::frame::{Labels, Series};
use number::{parse_value, seconds_text_to_ms};
use scan::{excerpt, Scanner};

/// The four result types of the Prometheus query API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResultType {
    /// Range vector: several samples per series (`query_range`, or `query` of `x[5m]`).
    Matrix,
    /// Instant vector: one sample per series.
    Vector,
    /// One number with no labels.
    Scalar,
    /// One string.
    String,
}

impl ResultType {
    /// The name Prometheus uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultType::Matrix => "matrix",
            ResultType::Vector => "vector",
            ResultType::Scalar => "scalar",
            ResultType::String => "string",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "matrix" => ResultType::Matrix,
            "vector" => ResultType::Vector,
            "scalar" => ResultType::Scalar,
            "string" => ResultType::String,
            other => return Err(Error::UnknownResultType(excerpt(other))),
        })
    }
}

/// A decoded, successful query response.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResponse {
    /// What `data.resultType` said.
    pub result_type: ResultType,
    /// Matrix and vector results: one entry per series; a scalar: one unlabeled series with one
    /// sample; a string: empty.
    pub series: Vec<Series>,
    /// A string result: its time (ms) and text.
    pub string: Option<(i64, String)>,
    /// Prometheus' `warnings`, then the decoder's own notes (skipped native histograms).
    pub warnings: Vec<String>,
    /// Prometheus' `infos`.
    pub infos: Vec<String>,
}

impl QueryResponse {
    /// Total number of samples over all series.
    pub fn point_count(&self) -> usize {
        self.series.iter().map(Series::len).sum()
    }
}

/// Epoch milliseconds from a number of seconds written in decimal (`1740338424.615`), computed on
/// the digits so that it is exact; `None` when it is not a number or out of range.
pub fn seconds_to_ms(text: &str) -> Option<i64> {
    seconds_text_to_ms(text.as_bytes())
}

/// Decodes a Prometheus query API response body.
///
/// See the [module documentation](self) for every special case.
pub fn decode(body: &[u8]) -> Result<QueryResponse> {
    let mut s = Scanner::new(body);
    s.skip_bom();
    match s.peek() {
        None => return Err(Error::EmptyBody),
        Some(b'<') => return Err(html_error(body)),
        Some(b'{') => {}
        Some(_) => {
            return Err(Error::Shape(format!(
                "expected a JSON object, the body starts with {:?}",
                excerpt(&String::from_utf8_lossy(
                    body.get(s.pos()..).unwrap_or_default()
                ))
            )))
        }
    }

    let mut status: Option<Cow<'_, str>> = None;
    let mut error_type: Option<Cow<'_, str>> = None;
    let mut error_text: Option<Cow<'_, str>> = None;
    let mut warnings: Vec<String> = Vec::new();
    let mut infos = Vec::new();
    let mut data: Option<Result<Data>> = None;

    let mut key = s.begin_object("the response object")?;
    while let Some(k) = key {
        match k.as_ref() {
            "status" => status = Some(s.string("status")?),
            "errorType" => error_type = Some(s.string("errorType")?),
            "error" => error_text = Some(s.string("error")?),
            "warnings" => warnings = string_list(&mut s, "warnings")?,
            "infos" => infos = string_list(&mut s, "infos")?,
            // On an error envelope the data is irrelevant: keep reading so the error text is found.
            "data" if status.as_deref() == Some("error") => s.skip_value("data")?,
            "data" => {
                let decoded = decode_data(&mut s);
                let failed = decoded.is_err();
                data = Some(decoded);
                if failed {
                    break;
                }
            }
            _ => s.skip_value("an unknown field")?,
        }
        key = s.next_key("the response object")?;
    }
    let data_failed = matches!(data, Some(Err(_)));
    if !data_failed && !s.at_end() {
        return Err(s.syntax("unexpected text after the JSON document"));
    }

    match status.as_deref() {
        Some("error") => {
            return Err(Error::Api {
                error_type: error_type.map_or_else(|| "unknown".to_owned(), Cow::into_owned),
                message: error_text
                    .map_or_else(|| "(no error message)".to_owned(), Cow::into_owned),
            })
        }
        Some("success") => {}
        Some(other) => {
            return Err(Error::Shape(format!(
                "unexpected status \"{}\" (expected success or error)",
                excerpt(other)
            )))
        }
        // A body cut off before "status" was seen reports the data's error below; a body without
        // status at all is not an API response.
        None if data_failed => {}
        None => return Err(Error::Shape("the \"status\" field is missing".to_owned())),
    }

    let data = data.ok_or_else(|| Error::Shape("the \"data\" field is missing".to_owned()))??;
    if data.skipped_histograms > 0 {
        warnings.push(format!(
            "{} native histogram sample(s) skipped: FleetLens reads classic histograms (_bucket series)",
            data.skipped_histograms
        ));
    }
    Ok(QueryResponse {
        result_type: data.result_type,
        series: data.series,
        string: data.string,
        warnings,
        infos,
    })
}

struct Data {
    result_type: ResultType,
    series: Vec<Series>,
    string: Option<(i64, String)>,
    skipped_histograms: usize,
}

impl Data {
    fn empty(result_type: ResultType) -> Self {
        Self {
            result_type,
            series: Vec::new(),
            string: None,
            skipped_histograms: 0,
        }
    }
}

fn decode_data(s: &mut Scanner<'_>) -> Result<Data> {
    if s.null("data")? {
        return Err(Error::Shape("\"data\" is null".to_owned()));
    }
    let mut result_type: Option<ResultType> = None;
    let mut decoded: Option<Data> = None;
    // `result` before `resultType` (never seen from Prometheus, allowed by JSON): remember where
    // it is and decode it once the type is known.
    let mut deferred: Option<usize> = None;

    let mut key = s.begin_object("data")?;
    while let Some(k) = key {
        match k.as_ref() {
            "resultType" => result_type = Some(ResultType::parse(&s.string("resultType")?)?),
            "result" => match result_type {
                Some(rt) => decoded = Some(decode_result(s, rt)?),
                None => {
                    deferred = Some(s.pos());
                    s.skip_value("result")?;
                }
            },
            _ => s.skip_value("an unknown field of data")?,
        }
        key = s.next_key("data")?;
    }
    let rt =
        result_type.ok_or_else(|| Error::Shape("\"data.resultType\" is missing".to_owned()))?;
    if let Some(at) = deferred {
        let mut sub = Scanner::new(s.input().get(at..).unwrap_or_default());
        let mut d = decode_result(&mut sub, rt).map_err(|e| shift(e, at))?;
        d.result_type = rt;
        return Ok(d);
    }
    decoded.ok_or_else(|| Error::Shape("\"data.result\" is missing".to_owned()))
}

/// Moves the byte offset of an error found while re-reading a slice that starts at `by`.
fn shift(e: Error, by: usize) -> Error {
    match e {
        Error::Json { offset, reason } => Error::Json {
            offset: offset.saturating_add(by),
            reason,
        },
        Error::InvalidValue { value, offset } => Error::InvalidValue {
            value,
            offset: offset.saturating_add(by),
        },
        Error::InvalidTimestamp { value, offset } => Error::InvalidTimestamp {
            value,
            offset: offset.saturating_add(by),
        },
        other => other,
    }
}

fn decode_result(s: &mut Scanner<'_>, rt: ResultType) -> Result<Data> {
    let mut data = Data::empty(rt);
    if s.null("result")? {
        return Ok(data);
    }
    match rt {
        ResultType::Matrix | ResultType::Vector => {
            if s.peek() != Some(b'[') {
                return Err(Error::Shape(format!(
                    "\"data.result\" of a {} must be an array",
                    rt.as_str()
                )));
            }
            if s.begin_array("result")? {
                // Series of one range query usually have the same number of samples: size each
                // series' columns like the previous one's to avoid regrowing them.
                let mut capacity = 0;
                loop {
                    let (series, skipped) = decode_series(s, rt, capacity)?;
                    capacity = series.len();
                    data.series.push(series);
                    data.skipped_histograms = data.skipped_histograms.saturating_add(skipped);
                    if !s.more(b']', "result")? {
                        break;
                    }
                }
            }
        }
        ResultType::Scalar => {
            let (t, v) = sample(s, "the scalar result")?;
            data.series.push(Series {
                labels: Labels::new(),
                time_ms: vec![t],
                values: vec![v],
            });
        }
        ResultType::String => {
            s.expect(b'[', "the string result")?;
            let t = timestamp(s)?;
            s.expect(b',', "the string result")?;
            let text = s.string("the string result")?.into_owned();
            s.expect(b']', "the string result")?;
            data.string = Some((t, text));
        }
    }
    Ok(data)
}

/// One element of a matrix or vector result: `{"metric": {...}, "values": [[t, "v"], ...]}` or
/// `{"metric": {...}, "value": [t, "v"]}`. Returns the series and the number of native histogram
/// samples skipped. `capacity` pre-sizes the columns.
fn decode_series(s: &mut Scanner<'_>, rt: ResultType, capacity: usize) -> Result<(Series, usize)> {
    let mut series = Series {
        labels: Labels::new(),
        time_ms: Vec::with_capacity(capacity),
        values: Vec::with_capacity(capacity),
    };
    let mut skipped = 0usize;
    let mut key = s.begin_object("a series")?;
    while let Some(k) = key {
        match (k.as_ref(), rt) {
            ("metric", _) => series.labels = labels(s)?,
            ("values", ResultType::Matrix) => {
                if !s.null("values")? && s.begin_array("values")? {
                    loop {
                        let (t, v) = sample(s, "a sample")?;
                        series.time_ms.push(t);
                        series.values.push(v);
                        if !s.more(b']', "values")? {
                            break;
                        }
                    }
                }
            }
            ("value", ResultType::Vector) => {
                let (t, v) = sample(s, "a sample")?;
                series.time_ms.push(t);
                series.values.push(v);
            }
            ("histograms", ResultType::Matrix) => {
                if !s.null("histograms")? && s.begin_array("histograms")? {
                    loop {
                        s.skip_value("a native histogram sample")?;
                        skipped = skipped.saturating_add(1);
                        if !s.more(b']', "histograms")? {
                            break;
                        }
                    }
                }
            }
            ("histogram", ResultType::Vector) => {
                s.skip_value("a native histogram sample")?;
                skipped = skipped.saturating_add(1);
            }
            _ => s.skip_value("an unknown field of a series")?,
        }
        key = s.next_key("a series")?;
    }
    Ok((series, skipped))
}

fn labels(s: &mut Scanner<'_>) -> Result<Labels> {
    let mut pairs = Vec::new();
    if s.null("metric")? {
        return Ok(Labels::new());
    }
    let mut key = s.begin_object("metric labels")?;
    while let Some(k) = key {
        if s.peek() != Some(b'"') {
            return Err(Error::Shape(format!(
                "label \"{}\" must have a string value",
                excerpt(&k)
            )));
        }
        let v = s.string("a label value")?;
        pairs.push((k.into_owned(), v.into_owned()));
        key = s.next_key("metric labels")?;
    }
    Ok(Labels::from_pairs(pairs))
}

/// `[<seconds>, "<value>"]`
#[inline]
fn sample(s: &mut Scanner<'_>, what: &'static str) -> Result<(i64, f64)> {
    s.expect(b'[', what)?;
    let t = timestamp(s)?;
    s.expect(b',', what)?;
    let at = {
        s.skip_ws();
        s.pos()
    };
    let v = match s.peek() {
        Some(b'"') => {
            let text = s.string("a sample value")?;
            parse_value(&text).ok_or_else(|| Error::InvalidValue {
                value: excerpt(&text),
                offset: at,
            })?
        }
        Some(b) => {
            return Err(Error::InvalidValue {
                value: format!("({} instead of a number string)", scan::describe(b)),
                offset: at,
            })
        }
        None => return Err(s.truncated(what)),
    };
    s.expect(b']', what)?;
    Ok((t, v))
}

#[inline]
fn timestamp(s: &mut Scanner<'_>) -> Result<i64> {
    let at = {
        s.skip_ws();
        s.pos()
    };
    // One pass for the form Prometheus writes; anything else is checked against JSON's number
    // grammar and converted by the general path.
    if let Some((ms, len)) = s.input().get(at..).and_then(number::leading_seconds_to_ms) {
        s.advance(len);
        return Ok(ms);
    }
    let text = s.number("a timestamp").map_err(|e| match e {
        Error::Truncated { .. } => e,
        _ => Error::InvalidTimestamp {
            value: excerpt(&String::from_utf8_lossy(
                s.input().get(at..at.saturating_add(16)).unwrap_or_default(),
            )),
            offset: at,
        },
    })?;
    seconds_text_to_ms(text).ok_or_else(|| Error::InvalidTimestamp {
        value: excerpt(&String::from_utf8_lossy(text)),
        offset: at,
    })
}

fn string_list(s: &mut Scanner<'_>, what: &'static str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if s.null(what)? {
        return Ok(out);
    }
    if s.begin_array(what)? {
        loop {
            if s.peek() == Some(b'"') {
                out.push(s.string(what)?.into_owned());
            } else {
                s.skip_value(what)?;
            }
            if !s.more(b']', what)? {
                break;
            }
        }
    }
    Ok(out)
}

/// Most characters of an HTML page quoted back to the user.
const HTML_SNIPPET_CHARS: usize = 120;

/// An HTML page's `<title>` (or its first characters), to say whose page came back.
fn html_error(body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(body.get(..body.len().min(64 * 1024)).unwrap_or_default());
    let lower = text.to_ascii_lowercase();
    let title = lower.find("<title>").and_then(|start| {
        let from = start.saturating_add("<title>".len());
        let len = lower.get(from..)?.find("</title>")?;
        text.get(from..from.saturating_add(len))
    });
    let raw = title.unwrap_or(&text);
    let collapsed: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut snippet: String = collapsed.chars().take(HTML_SNIPPET_CHARS).collect();
    if collapsed.chars().count() > HTML_SNIPPET_CHARS {
        snippet.push('…');
    }
    Error::HtmlBody { snippet }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> QueryResponse {
        decode(body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"))
    }

    fn err(body: &[u8]) -> Error {
        match decode(body) {
            Ok(r) => panic!("{}: decoded {r:?}", String::from_utf8_lossy(body)),
            Err(e) => e,
        }
    }

    #[test]
    fn matrix_with_every_value_form() {
        let r = ok(
            r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"up","job":"a"},"values":[[1740338424.615,"1"],[1740338484.615,"NaN"],[1740338544.615,"+Inf"],[1740338604.615,"-Inf"]]},
            {"metric":{},"values":[[1740338424,"2.5e-3"]]}
        ]}}"#,
        );
        assert_eq!(r.result_type, ResultType::Matrix);
        assert_eq!(r.series.len(), 2);
        let a = &r.series[0];
        assert_eq!(a.labels.get("job"), Some("a"));
        assert_eq!(a.labels.metric_name(), Some("up"));
        assert_eq!(
            a.time_ms,
            [1740338424615, 1740338484615, 1740338544615, 1740338604615]
        );
        assert_eq!(a.values[0], 1.0);
        assert!(a.values[1].is_nan());
        assert_eq!(a.values[2], f64::INFINITY);
        assert_eq!(a.values[3], f64::NEG_INFINITY);
        assert_eq!(r.series[1].values, [0.0025]);
        assert!(r.series[1].labels.is_empty());
        assert_eq!(r.point_count(), 5);
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn vector_scalar_and_string() {
        let v = ok(
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1.5,"7"]}]}}"#,
        );
        assert_eq!(v.result_type, ResultType::Vector);
        assert_eq!((v.series[0].time_ms[0], v.series[0].values[0]), (1500, 7.0));

        let sc = ok(
            r#"{"status":"success","data":{"resultType":"scalar","result":[1740338424.615,"42"]}}"#,
        );
        assert_eq!(sc.series.len(), 1);
        assert_eq!(sc.series[0].first(), Some((1740338424615, 42.0)));

        let st = ok(
            r#"{"status":"success","data":{"resultType":"string","result":[10,"hello \"x\""]}}"#,
        );
        assert!(st.series.is_empty());
        assert_eq!(st.string, Some((10_000, "hello \"x\"".to_owned())));
    }

    #[test]
    fn warnings_infos_and_unknown_fields() {
        let r = ok(
            r#"{"stats":{"timings":{"evalTotalTime":0.1}},"data":{"result":[],"resultType":"vector","extra":[1,{"x":null}]},
            "warnings":["PromQL warning: something"],"infos":["PromQL info: metric might not be a counter"],"status":"success"}"#,
        );
        assert_eq!(r.warnings, ["PromQL warning: something"]);
        assert_eq!(r.infos, ["PromQL info: metric might not be a counter"]);
        assert!(r.series.is_empty());
    }

    #[test]
    fn result_before_result_type_is_decoded() {
        let r = ok(
            r#"{"status":"success","data":{"result":[{"metric":{"x":"1"},"values":[[1,"2"]]}],"resultType":"matrix"}}"#,
        );
        assert_eq!(r.series[0].values, [2.0]);
        assert_eq!(r.result_type, ResultType::Matrix);
    }

    #[test]
    fn native_histograms_are_skipped_with_a_warning() {
        let r = ok(
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"h"},
            "histograms":[[1,{"count":"2","sum":"3","buckets":[[0,"0.1","0.2","2"]]}],[2,{"count":"3","sum":"4"}]]}]}}"#,
        );
        assert_eq!(r.series[0].len(), 0);
        assert_eq!(r.warnings.len(), 1);
        assert!(
            r.warnings[0].starts_with("2 native histogram"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn error_envelope_reaches_the_user() {
        let e = err(br#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected <EOF>"}"#);
        assert_eq!(
            e.to_string(),
            "prometheus error (bad_data): invalid parameter \"query\": 1:5: parse error: unexpected <EOF>"
        );
        // data present and status after it: still the API error
        let e = err(br#"{"data":{"resultType":"matrix","result":[]},"errorType":"timeout","error":"query timed out","status":"error"}"#);
        assert!(
            matches!(e, Error::Api { ref error_type, .. } if error_type == "timeout"),
            "{e}"
        );
    }

    #[test]
    fn bad_bodies_get_their_own_errors() {
        type Case = (&'static str, &'static [u8], fn(&Error) -> bool);
        let cases: &[Case] = &[
            ("empty", b"", |e| matches!(e, Error::EmptyBody)),
            ("blank", b" \n\t", |e| matches!(e, Error::EmptyBody)),
            ("html", b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>",
                |e| matches!(e, Error::HtmlBody { snippet } if snippet == "502 Bad Gateway")),
            ("plain text", b"404 page not found", |e| matches!(e, Error::Shape(_))),
            ("truncated", br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[2,"#,
                |e| matches!(e, Error::Truncated { .. })),
            ("truncated number", br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1"#,
                |e| matches!(e, Error::Truncated { .. })),
            ("malformed", br#"{"status":"success","data":{"resultType":"matrix","result":[}]}}"#,
                |e| matches!(e, Error::Json { .. })),
            ("trailing garbage", br#"{"status":"success","data":{"resultType":"vector","result":[]}} x"#,
                |e| matches!(e, Error::Json { .. })),
            ("wrong resultType", br#"{"status":"success","data":{"resultType":"table","result":[]}}"#,
                |e| matches!(e, Error::UnknownResultType(t) if t == "table")),
            ("value not a number", br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}"#,
                |e| matches!(e, Error::InvalidValue { value, .. } if value == "abc")),
            ("value not a string", br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,true]}]}}"#,
                |e| matches!(e, Error::InvalidValue { .. })),
            ("timestamp a string", br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","2"]}]}}"#,
                |e| matches!(e, Error::InvalidTimestamp { .. })),
            ("timestamp huge", br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1e300,"2"]}]}}"#,
                |e| matches!(e, Error::InvalidTimestamp { .. })),
            ("no status", br#"{"data":{"resultType":"vector","result":[]}}"#, |e| matches!(e, Error::Shape(_))),
            ("odd status", br#"{"status":"maybe","data":{"resultType":"vector","result":[]}}"#, |e| matches!(e, Error::Shape(_))),
            ("no data", br#"{"status":"success"}"#, |e| matches!(e, Error::Shape(_))),
            ("null data", br#"{"status":"success","data":null}"#, |e| matches!(e, Error::Shape(_))),
            ("no resultType", br#"{"status":"success","data":{"result":[]}}"#, |e| matches!(e, Error::Shape(_))),
            ("matrix not array", br#"{"status":"success","data":{"resultType":"matrix","result":{}}}"#, |e| matches!(e, Error::Shape(_))),
            ("label not string", br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"2"]}]}}"#,
                |e| matches!(e, Error::Shape(_))),
            ("top-level array", b"[1,2]", |e| matches!(e, Error::Shape(_))),
            ("invalid utf-8 label", b"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":\"\xff\"},\"value\":[1,\"2\"]}]}}",
                |e| matches!(e, Error::Json { .. })),
        ];
        for (name, body, check) in cases {
            let e = err(body);
            assert!(check(&e), "case {name} gave {e:?}");
            assert!(e.to_string().starts_with("prometheus"), "case {name}: {e}");
        }
    }

    #[test]
    fn every_prefix_of_a_valid_body_is_an_error_not_a_panic() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"a\u00e9","b":"c"},"values":[[1740338424.615,"1"],[1740338484,"NaN"]]}]},"warnings":["w"]}"#;
        for end in 0..body.len() {
            assert!(
                decode(&body[..end]).is_err(),
                "prefix of {end} bytes decoded"
            );
        }
        assert!(decode(body).is_ok());
    }

    #[test]
    fn bom_and_whitespace_are_accepted() {
        let r = ok("\u{feff}  {\n \"status\" : \"success\" ,\n \"data\" : { \"resultType\" : \"scalar\" , \"result\" : [ 1 , \"2\" ] } \n}\n");
        assert_eq!(r.series[0].values, [2.0]);
    }
}
