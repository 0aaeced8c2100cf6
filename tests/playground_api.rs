//! The embedded fleet's API answers as a real Prometheus backfilled from the same simulator
//! output does: same seed, same range, compared series by series and sample by sample.
//!
//! Debian's Prometheus is 2.x, whose ranges are closed on the left where Prometheus 3 (and the
//! embedded fleet) leaves them open; every evaluation time here is 30 s off the sample grid, so
//! no sample sits on a range's left edge and both rules select the same samples.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use fleetlens::promapi::{handle, Store};
use fleetlens::simulate::{openmetrics, Chunks, SimConfig, DEFAULT_CHUNK_STEPS};
use fleetlens::time::ms_to_seconds_text;
use fleetlens::{QueryResponse, Series};
use support::{prometheus_available, Prometheus};

/// 2023-11-14T22:13:00Z, a whole minute.
const FROM: i64 = 1_699_999_980_000;
const MIN: i64 = 60_000;
/// Two hours of history.
const TO: i64 = FROM + 120 * MIN;

fn history(config: &SimConfig) -> String {
    let chunks = Chunks::new(config, FROM, TO, DEFAULT_CHUNK_STEPS).unwrap();
    let families = chunks.families().to_vec();
    let mut text = String::new();
    for chunk in chunks {
        text.push_str(&openmetrics::chunk_text(&families, &chunk));
    }
    text.push_str(openmetrics::EOF);
    text
}

fn embedded(store: &Store, path: &str, form: &[(&str, String)]) -> QueryResponse {
    let params: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let r = handle(store, path, &params, TO);
    assert_eq!(r.status, 200, "{path} {form:?}: {}", r.body);
    fleetlens::decode(r.body.as_bytes()).unwrap()
}

fn sorted(mut s: Vec<Series>) -> Vec<Series> {
    s.sort_by(|a, b| a.labels.cmp(&b.labels));
    s
}

fn assert_same(what: &str, ours: QueryResponse, theirs: QueryResponse) {
    assert_eq!(ours.result_type, theirs.result_type, "{what}");
    assert!(
        !theirs.series.is_empty(),
        "{what}: Prometheus has no series"
    );
    let (ours, theirs) = (sorted(ours.series), sorted(theirs.series));
    assert_eq!(ours.len(), theirs.len(), "{what}: series count");
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a.labels, b.labels, "{what}");
        assert_eq!(a.time_ms, b.time_ms, "{what}: {:?}", a.labels);
        // Bit for bit, NaN included.
        let bits = |s: &Series| s.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(a), bits(b), "{what}: {:?}", a.labels);
    }
}

#[test]
fn embedded_fleet_answers_as_prometheus() {
    if !prometheus_available("embedded_fleet_answers_as_prometheus") {
        return;
    }
    let config = SimConfig::default();
    let prom = Prometheus::start("playground-api", &history(&config));
    let store = Store::new(&config, FROM, TO).unwrap();
    let histogram = store
        .families()
        .iter()
        .find(|f| {
            f.kind == fleetlens::simulate::MetricKind::Histogram
                && !store.named(&format!("{}_count", f.name)).is_empty()
        })
        .unwrap()
        .name
        .clone();
    let counter = store
        .families()
        .iter()
        .find(|f| {
            f.kind == fleetlens::simulate::MetricKind::Counter && !store.named(&f.name).is_empty()
        })
        .unwrap()
        .name
        .clone();
    let at = ms_to_seconds_text(TO - 30_000);
    let selectors = [
        "up".to_owned(),
        format!("{counter}[30m]"),
        format!("{histogram}_bucket{{le=~\"0.*|\\\\+Inf\"}}[7230000ms]"),
        format!("{{__name__=~\"{counter}|up\", job!=\"node\"}}"),
    ];
    for q in &selectors {
        let form = [("query", q.clone()), ("time", at.clone())];
        assert_same(
            q,
            embedded(&store, "/api/v1/query", &form),
            prom.api("/api/v1/query", &form),
        );
    }
    // A range query: every 7 minutes over the history, 30 s off the grid.
    let form = [
        ("query", format!("{histogram}_count")),
        ("start", ms_to_seconds_text(FROM + 30_000)),
        ("end", ms_to_seconds_text(TO + 6 * MIN)),
        ("step", "420".to_owned()),
    ];
    assert_same(
        "query_range",
        embedded(&store, "/api/v1/query_range", &form),
        prom.api("/api/v1/query_range", &form),
    );
    // The metric names.
    let names = |body: &[u8]| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect()
    };
    let ours = handle(&store, "/api/v1/label/__name__/values", &[], TO);
    let theirs = ureq::get(format!("{}/api/v1/label/__name__/values", prom.url))
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .unwrap();
    assert_eq!(names(ours.body.as_bytes()), names(&theirs));
}
