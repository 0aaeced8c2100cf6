//! The WebAssembly boundary: the only module that knows about JavaScript.
//!
//! Bulk numbers cross as typed arrays (`Uint8Array` bodies in, `Float64Array` columns out, times
//! as f64 epoch milliseconds); small metadata (labels, summaries) as plain objects through serde.
//! Core errors become JavaScript `Error`s here and nowhere else.

use js_sys::Float64Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::prom::{self, QueryResponse};
use crate::reduce;
use crate::Series;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
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

/// Plain objects (not `Map`s) for maps, `null` for `None`.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("TypeError: {e}")))
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
