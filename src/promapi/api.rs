//! The Prometheus HTTP API (`/api/v1/…`) over a [`Store`]: the answers and errors Prometheus
//! gives, for the subset of [`super::parse`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::parse::{parse_query, Expr, MatchOp, Matcher};
use super::store::{Store, StoredSeries};
use crate::simulate::openmetrics::number_text;
use crate::simulate::MetricKind;
use crate::time::{ms_to_seconds_text, parse_duration_ms, parse_time_ms};

/// Prometheus' lookback: an instant selector sees the latest sample at most 5 minutes old.
pub const LOOKBACK_MS: i64 = 300_000;

/// Prometheus' limit on the points of one series in a range query.
pub const MAX_POINTS_PER_SERIES: i64 = 11_000;

/// Most samples in one answer (about 150 MB of JSON): more is refused with a message saying to
/// narrow the query, instead of building an answer the browser cannot take.
pub const MAX_SAMPLES: usize = 5_000_000;

/// The version `/api/v1/status/buildinfo` reports.
pub const BUILD_VERSION: &str = "fleetlens-playground";

/// An HTTP answer: status and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status: 200, 400 (`bad_data`), 404 (`not_found`), 422 (`execution`).
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn success(data: &str) -> Response {
    Response {
        status: 200,
        body: format!("{{\"status\":\"success\",\"data\":{data}}}"),
    }
}

/// A Prometheus error envelope.
pub fn error(status: u16, error_type: &str, message: &str) -> Response {
    Response {
        status,
        body: format!(
            "{{\"status\":\"error\",\"errorType\":{},\"error\":{}}}",
            json_str(error_type),
            json_str(message)
        ),
    }
}

fn bad_data(message: &str) -> Response {
    error(400, "bad_data", message)
}

fn too_many() -> Response {
    error(
        422,
        "execution",
        &format!("the answer would hold more than {MAX_SAMPLES} samples: narrow the selector, the range or the step"),
    )
}

/// Answers one API request. `path` is the part from `/api/v1/` on; `params` are the query
/// string's and the form body's pairs together; `now_ms` is the default evaluation time.
///
/// Routes: `query`, `query_range`, `series`, `labels`, `label/<name>/values`, `metadata`,
/// `status/buildinfo`, and empty answers for `query_exemplars`, `rules` and `alerts`. Anything
/// else is a 404 `not_found`.
pub fn handle(store: &Store, path: &str, params: &[(String, String)], now_ms: i64) -> Response {
    let path = path.trim_end_matches('/');
    let result = match path {
        "/api/v1/query" => query(store, params, now_ms),
        "/api/v1/query_range" => query_range(store, params, now_ms),
        "/api/v1/series" => series(store, params, now_ms),
        "/api/v1/labels" => labels(store, params, now_ms),
        "/api/v1/metadata" => Ok(metadata(store, params)),
        "/api/v1/status/buildinfo" => Ok(success(&format!(
            "{{\"version\":{},\"revision\":\"\",\"branch\":\"\",\"buildUser\":\"\",\"buildDate\":\"\",\"goVersion\":\"\"}}",
            json_str(BUILD_VERSION)
        ))),
        "/api/v1/query_exemplars" => Ok(success("[]")),
        "/api/v1/rules" => Ok(success("{\"groups\":[]}")),
        "/api/v1/alerts" => Ok(success("{\"alerts\":[]}")),
        other => match other
            .strip_prefix("/api/v1/label/")
            .and_then(|r| r.strip_suffix("/values"))
        {
            Some(name) => label_values(store, name, params, now_ms),
            None => Err(error(
                404,
                "not_found",
                &format!("{other}: not an endpoint of the embedded fleet"),
            )),
        },
    };
    result.unwrap_or_else(|e| e)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn time_param(
    params: &[(String, String)],
    name: &str,
    default: i64,
    now_ms: i64,
) -> Result<i64, Response> {
    match param(params, name) {
        None | Some("") => Ok(default),
        Some(t) => parse_time_ms(t, now_ms)
            .ok()
            .filter(|ms| ms.unsigned_abs() <= crate::engine::MAX_INSTANT_MS.unsigned_abs())
            .ok_or_else(|| {
                bad_data(&format!(
                    "invalid parameter \"{name}\": cannot parse \"{t}\" to a valid timestamp"
                ))
            }),
    }
}

fn parse(params: &[(String, String)]) -> Result<Expr, Response> {
    let q = param(params, "query").unwrap_or("");
    parse_query(q).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.strip_prefix("input: ").unwrap_or(&msg);
        bad_data(&format!("invalid parameter \"query\": {msg}"))
    })
}

/// The indexes of the series every matcher accepts (through the name index when there is a
/// metric name).
fn select_ix(store: &Store, matchers: &[Matcher]) -> Vec<usize> {
    let candidates: Vec<usize> = match matchers
        .iter()
        .find(|m| m.name == "__name__" && m.op == MatchOp::Equal)
    {
        Some(m) => store.named(&m.value).to_vec(),
        None => (0..store.series().len()).collect(),
    };
    candidates
        .into_iter()
        .filter(|&i| {
            store
                .series()
                .get(i)
                .is_some_and(|s| matchers.iter().all(|m| m.matches(s.label(&m.name))))
        })
        .collect()
}

/// The series every matcher accepts, sorted by labels.
fn select<'a>(store: &'a Store, matchers: &[Matcher]) -> Vec<&'a StoredSeries> {
    let mut out: Vec<&StoredSeries> = select_ix(store, matchers)
        .into_iter()
        .filter_map(|i| store.series().get(i))
        .collect();
    out.sort_by(|a, b| a.labels().cmp(b.labels()));
    out
}

fn metric_json(s: &StoredSeries) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in s.labels().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{}", json_str(k), json_str(v));
    }
    out.push('}');
    out
}

fn sample_json(out: &mut String, t: i64, v: f64) {
    let _ = write!(out, "[{},\"{}\"]", ms_to_seconds_text(t), number_text(v));
}

fn query(store: &Store, params: &[(String, String)], now_ms: i64) -> Result<Response, Response> {
    let expr = parse(params)?;
    let t = time_param(params, "time", now_ms, now_ms)?;
    let mut out = String::new();
    match expr {
        Expr::Number(v) => {
            sample_json(&mut out, t, v);
            return Ok(success(&format!(
                "{{\"resultType\":\"scalar\",\"result\":{out}}}"
            )));
        }
        Expr::Vector(v) => {
            out.push_str("{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":");
            sample_json(&mut out, t, v);
            out.push_str("}]}");
        }
        Expr::Selector {
            matchers,
            range_ms: None,
        } => {
            out.push_str("{\"resultType\":\"vector\",\"result\":[");
            let mut first = true;
            for s in select(store, &matchers) {
                if let Some((_, v)) = store.latest_in(s, t.saturating_sub(LOOKBACK_MS), t) {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    let _ = write!(out, "{{\"metric\":{},\"value\":", metric_json(s));
                    sample_json(&mut out, t, v);
                    out.push('}');
                }
            }
            out.push_str("]}");
        }
        Expr::Selector {
            matchers,
            range_ms: Some(r),
        } => {
            out.push_str("{\"resultType\":\"matrix\",\"result\":[");
            write_matrix(&mut out, select(store, &matchers), |s| {
                store.samples_in(s, t.saturating_sub(r), t)
            })?;
            out.push_str("]}");
        }
    }
    Ok(success(&out))
}

#[allow(
    clippy::arithmetic_side_effects,
    reason = "start ≤ end are within ±MAX_INSTANT_MS (time_param) and step > 0, so end − start and start + i·step ≤ end cannot overflow"
)]
fn query_range(
    store: &Store,
    params: &[(String, String)],
    now_ms: i64,
) -> Result<Response, Response> {
    let expr = parse(params)?;
    let start = time_param(params, "start", i64::MIN, now_ms)?;
    let end = time_param(params, "end", i64::MIN, now_ms)?;
    if start == i64::MIN || end == i64::MIN {
        return Err(bad_data(
            "invalid parameter \"start\" or \"end\": both are required",
        ));
    }
    if end < start {
        return Err(bad_data(
            "invalid parameter \"end\": end timestamp must not be before start time",
        ));
    }
    let step_text = param(params, "step").unwrap_or("");
    let step = parse_duration_ms(step_text).map_err(|_| {
        bad_data(&format!(
            "invalid parameter \"step\": cannot parse \"{step_text}\" to a valid duration; zero or negative query resolution step widths are not accepted. Try a positive integer"
        ))
    })?;
    if (end - start) / step >= MAX_POINTS_PER_SERIES {
        return Err(bad_data("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"));
    }
    let times: Vec<i64> = (0..=(end - start) / step)
        .map(|i| start + i * step)
        .collect();
    let mut out = String::from("{\"resultType\":\"matrix\",\"result\":[");
    match expr {
        Expr::Number(v) | Expr::Vector(v) => {
            out.push_str("{\"metric\":{},\"values\":[");
            for (i, t) in times.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                sample_json(&mut out, *t, v);
            }
            out.push_str("]}");
        }
        Expr::Selector { range_ms: Some(_), .. } => {
            return Err(bad_data(
                "invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector",
            ))
        }
        Expr::Selector { matchers, range_ms: None } => {
            write_matrix(&mut out, select(store, &matchers), |s| {
                times
                    .iter()
                    .filter_map(|&t| {
                        store
                            .latest_in(s, t.saturating_sub(LOOKBACK_MS), t)
                            .map(|(_, v)| (t, v))
                    })
                    .collect()
            })?;
        }
    }
    out.push_str("]}");
    Ok(success(&out))
}

/// Appends the `result` entries of a matrix, one per series that has samples (series without
/// any are left out, as Prometheus does), refusing an answer beyond [`MAX_SAMPLES`].
fn write_matrix(
    out: &mut String,
    selected: Vec<&StoredSeries>,
    samples_of: impl Fn(&StoredSeries) -> Vec<(i64, f64)>,
) -> Result<(), Response> {
    let mut first = true;
    let mut total = 0usize;
    for s in selected {
        let samples = samples_of(s);
        if samples.is_empty() {
            continue;
        }
        total = total.saturating_add(samples.len());
        if total > MAX_SAMPLES {
            return Err(too_many());
        }
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(out, "{{\"metric\":{},\"values\":[", metric_json(s));
        for (i, (t, v)) in samples.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            sample_json(out, t, v);
        }
        out.push_str("]}");
    }
    Ok(())
}

/// The series selected by the `match[]` parameters (all series when there are none and
/// `required` is false) that have a sample in `[start, end]` (when given).
fn matched<'a>(
    store: &'a Store,
    params: &[(String, String)],
    now_ms: i64,
    required: bool,
) -> Result<Vec<&'a StoredSeries>, Response> {
    let start = time_param(params, "start", i64::MIN, now_ms)?;
    let end = time_param(params, "end", i64::MAX, now_ms)?;
    let selectors: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "match[]")
        .map(|(_, v)| v.as_str())
        .collect();
    if selectors.is_empty() && required {
        return Err(bad_data("no match[] parameter provided"));
    }
    let mut chosen: BTreeSet<usize> = BTreeSet::new();
    if selectors.is_empty() {
        chosen.extend(0..store.series().len());
    }
    for sel in selectors {
        match parse_query(sel) {
            Ok(Expr::Selector {
                matchers,
                range_ms: None,
            }) => {
                chosen.extend(select_ix(store, &matchers));
            }
            Ok(_) => {
                return Err(bad_data(&format!(
                    "invalid parameter \"match[]\": \"{sel}\" is not an instant vector selector"
                )))
            }
            Err(e) => {
                let msg = e.to_string();
                let msg = msg.strip_prefix("input: ").unwrap_or(&msg);
                return Err(bad_data(&format!("invalid parameter \"match[]\": {msg}")));
            }
        }
    }
    let windowed = start != i64::MIN || end != i64::MAX;
    Ok(chosen
        .into_iter()
        .filter_map(|i| store.series().get(i))
        .filter(|s| !windowed || store.latest_in(s, start.saturating_sub(1), end).is_some())
        .collect())
}

fn string_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(json_str).collect();
    format!("[{}]", items.join(","))
}

fn series(store: &Store, params: &[(String, String)], now_ms: i64) -> Result<Response, Response> {
    let mut list = matched(store, params, now_ms, true)?;
    list.sort_by(|a, b| a.labels().cmp(b.labels()));
    let items: Vec<String> = list.into_iter().map(metric_json).collect();
    Ok(success(&format!("[{}]", items.join(","))))
}

fn labels(store: &Store, params: &[(String, String)], now_ms: i64) -> Result<Response, Response> {
    let names: BTreeSet<&str> = matched(store, params, now_ms, false)?
        .into_iter()
        .flat_map(|s| s.labels().iter().map(|(k, _)| k.as_str()))
        .collect();
    Ok(success(&string_list(names.into_iter())))
}

fn label_values(
    store: &Store,
    name: &str,
    params: &[(String, String)],
    now_ms: i64,
) -> Result<Response, Response> {
    let values: BTreeSet<&str> = matched(store, params, now_ms, false)?
        .into_iter()
        .map(|s| s.label(name))
        .filter(|v| !v.is_empty())
        .collect();
    Ok(success(&string_list(values.into_iter())))
}

fn metadata(store: &Store, params: &[(String, String)]) -> Response {
    let metric = param(params, "metric").filter(|m| !m.is_empty());
    let limit = param(params, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|&l| l > 0)
        .unwrap_or(usize::MAX);
    let mut map: BTreeMap<&str, String> = BTreeMap::new();
    for f in store.families() {
        if metric.is_some_and(|m| m != f.name) {
            continue;
        }
        let kind = match f.kind {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
        };
        map.insert(
            &f.name,
            format!(
                "[{{\"type\":\"{kind}\",\"help\":{},\"unit\":{}}}]",
                json_str(f.help),
                json_str(f.unit)
            ),
        );
    }
    let items: Vec<String> = map
        .into_iter()
        .take(limit)
        .map(|(k, v)| format!("{}:{v}", json_str(k)))
        .collect();
    success(&format!("{{{}}}", items.join(",")))
}
