//! The Prometheus decoder on arbitrary bytes: it must return a response or an error, never panic,
//! and a decoded response must be consistent.
#![no_main]

use fleetlens::{decode, ResultType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = fleetlens::prom::seconds_to_ms(text);
    }
    let Ok(response) = decode(body) else {
        return;
    };
    for series in &response.series {
        assert_eq!(series.time_ms.len(), series.values.len());
    }
    let points: usize = response.series.iter().map(|s| s.values.len()).sum();
    assert_eq!(response.point_count(), points);
    match response.result_type {
        ResultType::String => assert!(response.series.is_empty()),
        ResultType::Scalar => assert!(response.series.len() <= 1),
        ResultType::Matrix | ResultType::Vector => assert!(response.string.is_none()),
    }
});
