//! Native throughput of the Prometheus decoder on a ~25 MB `query_range` matrix, against
//! `serde_json::from_slice` into a `Value` tree (a generic parse that does less: it neither
//! converts timestamps exactly nor parses the value strings) as a baseline in the same run.
//!
//! `cargo bench --bench decode` prints the median and p95 of 30 samples after 3 warm-up runs.

#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

const TARGET_BYTES: usize = 25 * 1024 * 1024;
const SERIES: usize = 200;
const WARMUP: usize = 3;
const SAMPLES: usize = 30;

/// A matrix shaped like Prometheus writes it: 200 series with realistic labels, one sample every
/// 15 s with millisecond timestamps, values as counters with decimals.
fn matrix_body() -> Vec<u8> {
    let per_series = TARGET_BYTES / SERIES / 31;
    let mut body = String::with_capacity(TARGET_BYTES + 1024);
    body.push_str(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    for s in 0..SERIES {
        if s > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            r#"{{"metric":{{"__name__":"claude_code_cost_usage_USD_total","model":"claude-sonnet-4-5","session_id":"{s:08x}-4a1b-9c2d","user_email":"dev{s}@example.com","query_source":"main"}},"values":["#
        ));
        let mut v = 0.0f64;
        for i in 0..per_series {
            if i > 0 {
                body.push(',');
            }
            v += 0.0123 * ((i % 7) as f64 + 1.0);
            let t = 1_740_338_400_000i64 + 15_000 * i as i64 + 615;
            body.push_str(&format!("[{}.{:03},\"{:.6}\"]", t / 1000, t % 1000, v));
        }
        body.push_str("]}");
    }
    body.push_str("]}}");
    body.into_bytes()
}

fn measure(name: &str, bytes: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..WARMUP {
        f();
    }
    let mut times: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let median = times[SAMPLES / 2];
    let p95 = times[SAMPLES * 95 / 100];
    let mbps = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    println!(
        "{name:<32} median {:>8.2} ms ({:>7.1} MB/s)   p95 {:>8.2} ms ({:>7.1} MB/s)",
        median.as_secs_f64() * 1e3,
        mbps(median),
        p95.as_secs_f64() * 1e3,
        mbps(p95)
    );
    median
}

fn main() {
    let body = matrix_body();
    let decoded = fleetlens::decode(&body).expect("the generated body decodes");
    println!(
        "body: {:.1} MB, {} series, {} points",
        body.len() as f64 / 1e6,
        decoded.series.len(),
        decoded.point_count()
    );
    let ours = measure("fleetlens::decode", body.len(), || {
        black_box(fleetlens::decode(black_box(&body)).ok());
    });
    let baseline = measure("serde_json::Value (baseline)", body.len(), || {
        black_box(serde_json::from_slice::<serde_json::Value>(black_box(&body)).ok());
    });
    println!(
        "ratio: fleetlens::decode is {:.2}x the speed of the serde_json Value parse",
        baseline.as_secs_f64() / ours.as_secs_f64()
    );
}
