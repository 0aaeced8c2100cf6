//! The WebAssembly boundary: the only module that knows about JavaScript.
//!
//! Bulk numbers cross as typed arrays (`Uint8Array` bodies in, `Float64Array` columns out, times
//! as f64 epoch milliseconds); small metadata (labels, summaries) as plain objects through serde.
//! Core errors become JavaScript `Error`s here and nowhere else.

use js_sys::Float64Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::engine::{self, Evaluation, Output, Plan, Request, ViewConfig, ViewKind};
use crate::prom::{self, QueryResponse, ResultType};
use crate::reduce;
use crate::window::{OffsetPiece, OffsetTable};
use crate::{Frame, Labels, Series};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** The time range and options of one view evaluation. */
export interface ViewRequest {
  fromMs: number;
  toMs: number;
  /** SLO backtest step; default: the range / 200, at least 1m. */
  stepMs?: number;
  /** Overrides the view's grouping label. */
  groupBy?: string;
}

/** One raw-sample fetch: the instant query `promql` (a range selector) at `atMs`. */
export interface ViewFetch {
  role: string;
  selector: string;
  atMs: number;
  rangeMs: number;
  promql: string;
}

/** A frame's shape; its numbers come from `frameTimes` and `fieldValues`. */
export interface FrameMeta {
  name: string | null;
  /** False for a table (text fields, no time column). */
  hasTime: boolean;
  rows: number;
  text: Array<{ name: string; values: string[] }>;
  fields: Array<{ name: string; labels: Record<string, string>; unit: string | null }>;
}

/** Sum of each series' latest finite value. `sum` is null when no series has data. */
export interface LatestSum {
  sum: number | null;
  seriesTotal: number;
  seriesWithData: number;
}
"#;

/// The engine's version (the crate's, `package.json`'s and every `plugin.json`'s).
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// Decodes a Prometheus query API response body (a `fetch` response's `arrayBuffer()` as a
/// `Uint8Array`; no text decoding needed). Throws an `Error` whose message says what was wrong:
/// Prometheus' own error text, an HTML page, malformed or truncated JSON.
#[wasm_bindgen(js_name = decodePrometheus)]
pub fn decode_prometheus(body: &[u8]) -> Result<DecodedResponse, JsError> {
    Ok(DecodedResponse {
        inner: prom::decode(body)?,
    })
}

/// A decoded Prometheus response, held in wasm memory until `free()`.
#[wasm_bindgen]
pub struct DecodedResponse {
    inner: QueryResponse,
}

#[wasm_bindgen]
impl DecodedResponse {
    /// `matrix`, `vector`, `scalar` or `string`.
    #[wasm_bindgen(getter, js_name = resultType)]
    pub fn result_type(&self) -> String {
        self.inner.result_type.as_str().to_owned()
    }

    /// Number of series.
    #[wasm_bindgen(getter, js_name = seriesCount)]
    pub fn series_count(&self) -> usize {
        self.inner.series.len()
    }

    /// Number of samples over all series.
    #[wasm_bindgen(getter, js_name = pointCount)]
    pub fn point_count(&self) -> usize {
        self.inner.point_count()
    }

    /// Prometheus' warnings, then the decoder's notes.
    pub fn warnings(&self) -> Vec<String> {
        self.inner.warnings.clone()
    }

    /// Prometheus' infos.
    pub fn infos(&self) -> Vec<String> {
        self.inner.infos.clone()
    }

    /// Labels of series `i` as a plain object (`__name__` included when present).
    #[wasm_bindgen(unchecked_return_type = "Record<string, string>")]
    pub fn labels(&self, i: usize) -> Result<JsValue, JsError> {
        to_js(&self.series(i)?.labels)
    }

    /// Sample times of series `i`, epoch milliseconds.
    pub fn times(&self, i: usize) -> Result<Float64Array, JsError> {
        let series = self.series(i)?;
        let out = Float64Array::new_with_length(series.time_ms.len() as u32);
        for (k, t) in series.time_ms.iter().enumerate() {
            // Exact: |t| < 2^53 ms covers ±285,000 years.
            out.set_index(k as u32, *t as f64);
        }
        Ok(out)
    }

    /// Sample values of series `i` (`NaN`, `±Infinity` kept).
    pub fn values(&self, i: usize) -> Result<Float64Array, JsError> {
        Ok(Float64Array::from(self.series(i)?.values.as_slice()))
    }

    /// The text of a `string` result; `undefined` for the other types.
    #[wasm_bindgen(js_name = stringValue)]
    pub fn string_value(&self) -> Option<String> {
        self.inner.string.as_ref().map(|(_, s)| s.clone())
    }

    fn series(&self, i: usize) -> Result<&Series, JsError> {
        self.inner.series.get(i).ok_or_else(|| {
            JsError::new(&format!(
                "RangeError: series index {i} is out of range ({} series)",
                self.inner.series.len()
            ))
        })
    }
}

/// Sums the latest finite value of each series. `values` holds the series end to end and
/// `lengths[k]` is the number of values of series `k`; they must add up to `values.length`.
#[wasm_bindgen(js_name = sumLatest, unchecked_return_type = "LatestSum")]
pub fn sum_latest(values: &[f64], lengths: &[u32]) -> Result<JsValue, JsError> {
    to_js(&reduce::sum_latest_flat(values, lengths)?)
}

/// Plans a view: which raw samples it needs for `request` (a [`ViewRequest`] object).
///
/// * `view`: `cost`, `slo` or `agents`; `config`: the view's JSON config;
/// * `offsets`: the dashboard's time zone as pairs `[fromMs, offsetMs, fromMs, offsetMs, …]`
///   (from the browser's `Intl`), sorted by `fromMs`, covering the period the view reads;
/// * `metricNames`: the metrics the data source holds (`/api/v1/label/__name__/values`).
///
/// Throws when the config or range is invalid, a required metric is missing (the message names
/// what was looked for and what exists) or the range is beyond what is fetched at once.
#[wasm_bindgen(js_name = planView)]
pub fn plan_view(
    view: &str,
    config: &str,
    #[wasm_bindgen(unchecked_param_type = "ViewRequest")] request: JsValue,
    offsets: &[f64],
    #[wasm_bindgen(js_name = metricNames)] metric_names: Vec<String>,
) -> Result<ViewPlan, JsError> {
    let kind = ViewKind::parse(view)?;
    let config = ViewConfig::from_json(kind, config)?;
    let request: Request = from_js(&request, "view request")?;
    let zone = offset_table(offsets)?;
    let plan = engine::plan(config, request, &zone, &metric_names)?;
    let fetched = vec![None; plan.fetches().len()];
    Ok(ViewPlan { plan, fetched })
}

/// The shipped price table (USD per million tokens, with effective dates), for the data source's
/// editor to show and edit.
#[wasm_bindgen(js_name = defaultPrices, unchecked_return_type = "Array<Record<string, unknown>>")]
pub fn default_prices() -> Result<JsValue, JsError> {
    to_js(&crate::views::cost::default_prices()?)
}

/// The built-in SLO definitions (the seeds' availability, latency and Claude API error SLOs), as
/// the JSON configs the SLO view reads.
#[wasm_bindgen(js_name = sloPresets, unchecked_return_type = "Array<Record<string, unknown>>")]
pub fn slo_presets() -> Result<JsValue, JsError> {
    let presets = crate::views::slo::PRESETS
        .iter()
        .map(|name| crate::views::slo::preset(name))
        .collect::<crate::Result<Vec<_>>>()?;
    to_js(&presets)
}

/// Checks a view's JSON config without evaluating anything; throws with the first problem
/// (unknown field, objective outside (0, 1), bad duration, bad price entry).
#[wasm_bindgen(js_name = checkViewConfig)]
pub fn check_view_config(view: &str, config: &str) -> Result<(), JsError> {
    let kind = ViewKind::parse(view)?;
    match ViewConfig::from_json(kind, config)? {
        ViewConfig::Slo(c) => c.check()?,
        ViewConfig::Cost(c) => {
            if let Some(prices) = &c.prices {
                crate::views::cost::PriceTable::new(prices)?;
            }
        }
        ViewConfig::Agents(_) => {}
    }
    Ok(())
}

/// The zone from `[fromMs, offsetMs, …]` pairs.
fn offset_table(offsets: &[f64]) -> Result<OffsetTable, JsError> {
    if offsets.is_empty() || offsets.len() % 2 != 0 {
        return Err(JsError::new(&format!(
            "TypeError: offsets: expected [fromMs, offsetMs] pairs, got {} numbers",
            offsets.len()
        )));
    }
    let pieces = offsets
        .chunks_exact(2)
        .map(|pair| match pair {
            [from, offset] if from.is_finite() && offset.is_finite() => Ok(OffsetPiece {
                from_ms: *from as i64,
                offset_ms: *offset as i64,
            }),
            _ => Err(JsError::new(
                "TypeError: offsets: every number must be finite",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OffsetTable::new(pieces)?)
}

/// A planned view waiting for its raw samples, held in wasm memory until `free()`.
#[wasm_bindgen]
pub struct ViewPlan {
    plan: Plan,
    fetched: Vec<Option<Vec<Series>>>,
}

#[wasm_bindgen]
impl ViewPlan {
    /// The fetches to run, in order.
    #[wasm_bindgen(getter, unchecked_return_type = "ViewFetch[]")]
    pub fn fetches(&self) -> Result<JsValue, JsError> {
        to_js(self.plan.fetches())
    }

    /// Gives fetch `index` its response: the body of Prometheus' instant query of the fetch's
    /// `promql` (a `Uint8Array`). Throws for Prometheus' own errors, HTML pages, malformed
    /// bodies and results that are not raw samples (a matrix).
    #[wasm_bindgen(js_name = addResponse)]
    pub fn add_response(&mut self, index: usize, body: &[u8]) -> Result<(), JsError> {
        let promql = self.fetch_promql(index)?;
        let decoded = prom::decode(body).map_err(|e| JsError::new(&format!("{promql}: {e}")))?;
        if decoded.result_type != ResultType::Matrix {
            return Err(JsError::new(&format!(
                "{promql}: expected raw samples (a matrix), got a {}",
                decoded.result_type.as_str()
            )));
        }
        self.store(index, decoded.series)
    }

    /// Adds one series to fetch `index` from columns (a panel fed frames by another data
    /// source): `labels` a plain object, `times` epoch ms, `values` as long as `times`.
    #[wasm_bindgen(js_name = addSeries)]
    pub fn add_series(
        &mut self,
        index: usize,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] labels: JsValue,
        times: &[f64],
        values: &[f64],
    ) -> Result<(), JsError> {
        let promql = self.fetch_promql(index)?;
        if times.len() != values.len() {
            return Err(JsError::new(&format!(
                "{promql}: {} times but {} values",
                times.len(),
                values.len()
            )));
        }
        let pairs: std::collections::BTreeMap<String, String> = from_js(&labels, "labels")?;
        let mut time_ms = Vec::with_capacity(times.len());
        for t in times {
            if !t.is_finite() {
                return Err(JsError::new(&format!(
                    "{promql}: a time is not a finite number"
                )));
            }
            time_ms.push(*t as i64);
        }
        let series = Series {
            labels: Labels::from_pairs(pairs),
            time_ms,
            values: values.to_vec(),
        };
        let mut list = self
            .fetched
            .get_mut(index)
            .and_then(Option::take)
            .unwrap_or_default();
        list.push(series);
        self.store(index, list)
    }

    /// Evaluates the view once every fetch has its response and returns `output` (a name such
    /// as `summary`, `burnRates`, `leaderboard`; empty for the view's default).
    pub fn evaluate(&self, output: &str) -> Result<ViewResult, JsError> {
        let output = Output::parse(self.plan.view().kind(), output)?;
        let mut fetched = Vec::with_capacity(self.fetched.len());
        for (f, got) in self.plan.fetches().iter().zip(&self.fetched) {
            match got {
                Some(series) => fetched.push(series.clone()),
                None => {
                    return Err(JsError::new(&format!(
                        "input: no response was given for {}",
                        f.promql
                    )))
                }
            }
        }
        let evaluation = self.plan.evaluate(&fetched)?;
        let frames = evaluation.frames(output)?;
        Ok(ViewResult { evaluation, frames })
    }

    fn fetch_promql(&self, index: usize) -> Result<String, JsError> {
        self.plan
            .fetches()
            .get(index)
            .map(|f| f.promql.clone())
            .ok_or_else(|| {
                JsError::new(&format!(
                    "RangeError: fetch index {index} is out of range ({} fetches)",
                    self.plan.fetches().len()
                ))
            })
    }

    fn store(&mut self, index: usize, series: Vec<Series>) -> Result<(), JsError> {
        let slot = self.fetched.get_mut(index).ok_or_else(|| {
            JsError::new(&format!("RangeError: fetch index {index} is out of range"))
        })?;
        *slot = Some(series);
        Ok(())
    }
}

/// A view's result: its frames (numbers as typed arrays), warnings and the full report.
#[wasm_bindgen]
pub struct ViewResult {
    evaluation: Evaluation,
    frames: Vec<Frame>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FrameMetaOut<'a> {
    name: Option<&'a str>,
    has_time: bool,
    rows: usize,
    text: Vec<TextMetaOut<'a>>,
    fields: Vec<FieldMetaOut<'a>>,
}

#[derive(Serialize)]
struct TextMetaOut<'a> {
    name: &'a str,
    values: &'a [String],
}

#[derive(Serialize)]
struct FieldMetaOut<'a> {
    name: &'a str,
    labels: &'a Labels,
    unit: Option<&'a str>,
}

#[wasm_bindgen]
impl ViewResult {
    /// Number of frames.
    #[wasm_bindgen(getter, js_name = frameCount)]
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// Frame `i`'s shape: name, time column or table, text fields with their values, number
    /// fields' names, labels and units.
    #[wasm_bindgen(js_name = frameMeta, unchecked_return_type = "FrameMeta")]
    pub fn frame_meta(&self, i: usize) -> Result<JsValue, JsError> {
        let f = self.frame(i)?;
        to_js(&FrameMetaOut {
            name: f.name.as_deref(),
            has_time: f.has_time(),
            rows: f.rows(),
            text: f
                .text
                .iter()
                .map(|t| TextMetaOut {
                    name: &t.name,
                    values: &t.values,
                })
                .collect(),
            fields: f
                .fields
                .iter()
                .map(|x| FieldMetaOut {
                    name: &x.name,
                    labels: &x.labels,
                    unit: x.unit.as_deref(),
                })
                .collect(),
        })
    }

    /// Frame `i`'s time column, epoch ms (empty for a table).
    #[wasm_bindgen(js_name = frameTimes)]
    pub fn frame_times(&self, i: usize) -> Result<Float64Array, JsError> {
        let f = self.frame(i)?;
        let out = Float64Array::new_with_length(f.time_ms.len() as u32);
        for (k, t) in f.time_ms.iter().enumerate() {
            out.set_index(k as u32, *t as f64);
        }
        Ok(out)
    }

    /// Number field `j` of frame `i` (no value is `NaN`).
    #[wasm_bindgen(js_name = fieldValues)]
    pub fn field_values(&self, i: usize, j: usize) -> Result<Float64Array, JsError> {
        let f = self.frame(i)?;
        let field = f.fields.get(j).ok_or_else(|| {
            JsError::new(&format!(
                "RangeError: field index {j} is out of range ({} fields)",
                f.fields.len()
            ))
        })?;
        Ok(Float64Array::from(field.values.as_slice()))
    }

    /// What the user should know (missing outcome metrics, collided counters, capped groups).
    pub fn warnings(&self) -> Vec<String> {
        self.evaluation.warnings()
    }

    /// The whole typed report as a plain object (small: per-group and per-agent rows; the
    /// time series are in the frames).
    #[wasm_bindgen(unchecked_return_type = "Record<string, unknown>")]
    pub fn report(&self) -> Result<JsValue, JsError> {
        to_js(&self.evaluation)
    }

    fn frame(&self, i: usize) -> Result<&Frame, JsError> {
        self.frames.get(i).ok_or_else(|| {
            JsError::new(&format!(
                "RangeError: frame index {i} is out of range ({} frames)",
                self.frames.len()
            ))
        })
    }
}

/// Small metadata to a plain JavaScript value through JSON text (serde_json is linked anyway for
/// the configs, so no second serializer lands in the wasm): objects for maps and structs, `null`
/// for `None` and for non-finite numbers.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text =
        serde_json::to_string(value).map_err(|e| JsError::new(&format!("TypeError: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("TypeError: JSON.parse failed"))
}

/// A plain JavaScript value (small metadata) into a serde type through JSON text.
fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let text = js_sys::JSON::stringify(value)
        .map(String::from)
        .map_err(|_| JsError::new(&format!("TypeError: {what}: not serializable to JSON")))?;
    serde_json::from_str(&text).map_err(|e| JsError::new(&format!("TypeError: {what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const MATRIX: &[u8] = br#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"__name__":"cost","model":"a"},"values":[[1740338424.615,"1"],[1740338484.615,"2.5"]]},
        {"metric":{"__name__":"cost","model":"b"},"values":[[1740338424.615,"NaN"],[1740338484.615,"+Inf"]]}]},
        "warnings":["w1"]}"#;

    #[wasm_bindgen_test]
    fn decodes_into_typed_arrays() {
        let r = decode_prometheus(MATRIX).unwrap();
        assert_eq!(r.result_type(), "matrix");
        assert_eq!(r.series_count(), 2);
        assert_eq!(r.point_count(), 4);
        assert_eq!(r.warnings(), vec!["w1".to_owned()]);
        let t = r.times(0).unwrap();
        assert_eq!(t.length(), 2);
        assert_eq!(t.get_index(0), 1_740_338_424_615.0);
        let v = r.values(1).unwrap();
        assert!(v.get_index(0).is_nan());
        assert_eq!(v.get_index(1), f64::INFINITY);
        let labels = r.labels(0).unwrap();
        let model = js_sys::Reflect::get(&labels, &JsValue::from_str("model")).unwrap();
        assert_eq!(model.as_string().as_deref(), Some("a"));
        assert!(r.values(2).is_err());
    }

    #[wasm_bindgen_test]
    fn errors_become_js_errors_and_the_instance_keeps_working() {
        let err = decode_prometheus(
            br#"{"status":"error","errorType":"bad_data","error":"parse error"}"#,
        )
        .err()
        .map(JsValue::from)
        .unwrap();
        let err: js_sys::Error = err.into();
        assert_eq!(
            String::from(err.message()),
            "prometheus error (bad_data): parse error"
        );
        assert!(decode_prometheus(b"<html><title>Login</title></html>").is_err());
        assert!(decode_prometheus(b"").is_err());
        // the same instance answers the next query correctly
        assert_eq!(decode_prometheus(MATRIX).unwrap().point_count(), 4);
    }

    fn request(from_ms: f64, to_ms: f64) -> JsValue {
        let r = js_sys::Object::new();
        js_sys::Reflect::set(&r, &"fromMs".into(), &from_ms.into()).unwrap();
        js_sys::Reflect::set(&r, &"toMs".into(), &to_ms.into()).unwrap();
        r.into()
    }

    #[wasm_bindgen_test]
    fn a_view_is_planned_fed_and_evaluated_into_frames() {
        let slo = r#"{"name": "api", "objective": 0.99, "period": {"rolling": "1h"},
            "sli": {"ratio": {"bad": {"metric": "req_total", "matchers": [{"label": "code", "op": "=", "value": "500"}]},
                              "total": {"metric": "req_total"}}}}"#;
        let to = 1_740_340_000_000.0;
        let names = vec!["req_total".to_owned()];
        let mut plan = plan_view(
            "slo",
            slo,
            request(to - 3_600_000.0, to),
            &[0.0, 0.0],
            names,
        )
        .unwrap();
        let fetches = js_sys::Array::from(&plan.fetches().unwrap());
        assert_eq!(fetches.length(), 2);
        // Not every response given yet: a clear error, and the plan stays usable.
        assert!(plan.evaluate("").is_err());
        // bad: 0 → 2 over the hour; total: 0 → 400: SLI 0.995, half the budget consumed.
        let times = [to - 3_700_000.0, to];
        let labels = |code: Option<&str>| {
            let o = js_sys::Object::new();
            js_sys::Reflect::set(&o, &"__name__".into(), &"req_total".into()).unwrap();
            if let Some(c) = code {
                js_sys::Reflect::set(&o, &"code".into(), &c.into()).unwrap();
            }
            JsValue::from(o)
        };
        plan.add_series(0, labels(Some("500")), &times, &[0.0, 2.0])
            .unwrap();
        assert!(plan.add_series(1, labels(None), &times, &[0.0]).is_err());
        assert!(plan
            .add_response(1, b"<html><title>502</title></html>")
            .is_err());
        plan.add_series(1, labels(None), &times, &[0.0, 400.0])
            .unwrap();
        let result = plan.evaluate("summary").unwrap();
        assert_eq!(result.frame_count(), 1);
        let meta = result.frame_meta(0).unwrap();
        let has_time = js_sys::Reflect::get(&meta, &"hasTime".into()).unwrap();
        assert_eq!(has_time.as_bool(), Some(true));
        let sli = result.field_values(0, 0).unwrap();
        // Exact increases between the samples before and at the period bounds: the first
        // sample lies before the period, so both counters' whole increase counts.
        assert!(
            (sli.get_index(0) - 0.995).abs() < 1e-12,
            "{}",
            sli.get_index(0)
        );
        assert!(result.field_values(0, 99).is_err());
        assert!(plan.evaluate("leaderboard").is_err());
        // Bad inputs are errors, not panics.
        assert!(plan_view("latency", slo, request(0.0, 1.0), &[0.0, 0.0], vec![]).is_err());
        assert!(plan_view("slo", slo, request(0.0, 1.0), &[0.0], vec![]).is_err());
        let missing = plan_view("slo", slo, request(to - 1.0, to), &[0.0, 0.0], vec![]);
        let message = js_sys::Error::from(JsValue::from(missing.err().unwrap())).message();
        assert!(String::from(message).contains("metric not found"));
    }

    fn js_message(err: JsError) -> String {
        String::from(js_sys::Error::from(JsValue::from(err)).message())
    }

    /// A bad config, a malformed body, a non-matrix body and a bad series each come back as a
    /// JavaScript error, and the same module instance then plans and evaluates the next query
    /// correctly: an error leaves no state behind.
    #[wasm_bindgen_test]
    fn after_each_kind_of_error_the_same_instance_answers_the_next_query() {
        let slo = r#"{"name": "api", "objective": 0.99, "period": {"rolling": "1h"},
            "sli": {"ratio": {"bad": {"metric": "req_total", "matchers": [{"label": "code", "op": "=", "value": "500"}]},
                              "total": {"metric": "req_total"}}}}"#;
        let to = 1_740_340_000_000.0;
        let names = || vec!["req_total".to_owned()];
        // bad: 0 → 3; total: 0 → 3 (code 500) plus 0 → 597 (code 200) = 600. The first samples
        // lie before the 1 h period, so SLI = 1 − 3/600 = 0.995.
        let bad = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"req_total","code":"500"},"values":[[1740336300,"0"],[1740340000,"3"]]}]}}"#;
        let total = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"req_total","code":"500"},"values":[[1740336300,"0"],[1740340000,"3"]]},
            {"metric":{"__name__":"req_total","code":"200"},"values":[[1740336300,"0"],[1740340000,"597"]]}]}}"#;
        let answer = || -> f64 {
            let mut plan = plan_view(
                "slo",
                slo,
                request(to - 3_600_000.0, to),
                &[0.0, 0.0],
                names(),
            )
            .unwrap();
            plan.add_response(0, bad).unwrap();
            plan.add_response(1, total).unwrap();
            plan.evaluate("summary")
                .unwrap()
                .field_values(0, 0)
                .unwrap()
                .get_index(0)
        };
        let first = answer();
        assert!((first - 0.995).abs() < 1e-12, "{first}");

        // A bad config: objective above 1, and JSON that does not parse.
        let over = slo.replace("0.99", "1.5");
        let err = plan_view(
            "slo",
            &over,
            request(to - 3_600_000.0, to),
            &[0.0, 0.0],
            names(),
        );
        assert!(js_message(err.err().unwrap()).contains("objective"));
        let err = plan_view("slo", "{\"name\":", request(0.0, 1.0), &[0.0, 0.0], names());
        assert!(js_message(err.err().unwrap()).contains("slo"));

        // Malformed, truncated and non-matrix response bodies, then bad series.
        let mut plan = plan_view(
            "slo",
            slo,
            request(to - 3_600_000.0, to),
            &[0.0, 0.0],
            names(),
        )
        .unwrap();
        let truncated = &total[..total.len() - 20];
        assert!(js_message(plan.add_response(1, truncated).err().unwrap()).contains("truncated"));
        assert!(plan.add_response(1, &[0xff, 0xfe, 0x00, b'{']).is_err());
        let vector = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert!(js_message(plan.add_response(0, vector).err().unwrap()).contains("matrix"));
        assert!(plan.add_response(7, bad).is_err());
        let labels = JsValue::from(js_sys::Object::new());
        let nan_time = plan.add_series(0, labels.clone(), &[f64::NAN], &[1.0]);
        assert!(js_message(nan_time.err().unwrap()).contains("finite"));
        assert!(plan.add_series(0, labels, &[1.0, 2.0], &[1.0]).is_err());
        assert!(plan
            .add_series(0, JsValue::from(3), &[1.0], &[1.0])
            .is_err());
        // The half-fed plan still refuses to evaluate, then works once fed correctly.
        assert!(plan.evaluate("summary").is_err());
        plan.add_response(0, bad).unwrap();
        plan.add_response(1, total).unwrap();
        let sli = plan
            .evaluate("summary")
            .unwrap()
            .field_values(0, 0)
            .unwrap()
            .get_index(0);
        assert!((sli - 0.995).abs() < 1e-12, "{sli}");

        // And a fresh query on the same instance gives the same answer as the first.
        assert_eq!(answer().to_bits(), first.to_bits());
    }

    #[wasm_bindgen_test]
    fn sum_latest_returns_a_plain_object() {
        let out = sum_latest(&[1.0, 2.0, f64::NAN, 3.0], &[2, 2]).unwrap();
        let sum = js_sys::Reflect::get(&out, &JsValue::from_str("sum")).unwrap();
        assert_eq!(sum.as_f64(), Some(5.0));
        let none = sum_latest(&[f64::NAN], &[1]).unwrap();
        let sum = js_sys::Reflect::get(&none, &JsValue::from_str("sum")).unwrap();
        assert!(sum.is_null());
        assert!(sum_latest(&[1.0], &[3]).is_err());
    }
}
