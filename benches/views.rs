//! Native timings of the derived views through the engine, as a panel runs them: plan, then
//! evaluate on the fetched series (and, for the JSON path, decode the bodies first).
//!
//! Workloads: the cost view (defaults, 7-day dashboard range) over `n` points in 100 series, and
//! a ratio SLO (99 %, rolling 7 d, errors `code="500"`) over `n` points in 10 series, each a
//! counter with one reset, for `n` = 1e3 … 1e6. For every workload the median and p95 of the
//! evaluation are printed, the decode + evaluate throughput of the Prometheus JSON bodies, and at
//! the end the exponent of time against points (a least-squares fit of log time on log points;
//! 1 is linear).
//!
//! `cargo bench --bench views` runs all sizes; `cargo bench --bench views -- quick` stops at 1e5.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use fleetlens::engine::{plan, Fetch, Plan, Request, ViewConfig, ViewKind};
use fleetlens::window::Utc;
use fleetlens::{Labels, Series};

/// 2025-02-24T12:00:00Z.
const TO_MS: i64 = 1_740_398_400_000;
const DAY_MS: i64 = 86_400_000;
const COST_METRIC: &str = "claude_code_cost_usage_USD_total";
const REQ_METRIC: &str = "req_total";
const SLO_CONFIG: &str = r#"{"name": "api", "objective": 0.99, "period": {"rolling": "7d"},
  "sli": {"ratio": {"bad": {"metric": "req_total", "matchers": [{"label": "code", "op": "=", "value": "500"}]},
                    "total": {"metric": "req_total"}}}}"#;

/// A small seeded generator (xorshift64*), so every run sees the same numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `points` samples spread over `(at − range, at]`, rising by `lo..=hi` units (`scale` units per
/// value) per sample, with one reset at 60 % of the series.
#[allow(clippy::too_many_arguments)]
fn counter(
    rng: &mut Rng,
    labels: Labels,
    points: usize,
    at_ms: i64,
    range_ms: i64,
    lo: u64,
    hi: u64,
    scale: f64,
) -> Series {
    let reset = if points >= 10 {
        points * 6 / 10
    } else {
        usize::MAX
    };
    let mut units = (rng.next() * 1000.0) as u64;
    let mut s = Series {
        labels,
        time_ms: Vec::with_capacity(points),
        values: Vec::with_capacity(points),
    };
    for k in 0..points {
        let t = at_ms - range_ms + ((k as i128 + 1) * range_ms as i128 / points as i128) as i64;
        let step = lo + (rng.next() * (hi - lo + 1) as f64) as u64;
        units = if k == reset { step } else { units + step };
        s.time_ms.push(t);
        s.values.push(units as f64 / scale);
    }
    s
}

fn make_plan(view: ViewKind) -> Plan {
    let (config, names) = match view {
        ViewKind::Slo => (SLO_CONFIG, vec![REQ_METRIC.to_owned()]),
        _ => ("{}", vec![COST_METRIC.to_owned()]),
    };
    plan(
        ViewConfig::from_json(view, config).unwrap(),
        Request {
            from_ms: TO_MS - 7 * DAY_MS,
            to_ms: TO_MS,
            step_ms: None,
            group_by: None,
        },
        &Utc,
        &names,
    )
    .unwrap()
}

/// The fetched series of a workload: one list per fetch of the plan.
fn workload(view: ViewKind, points: usize, series: usize, fetches: &[Fetch]) -> Vec<Vec<Series>> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    match view {
        ViewKind::Slo => {
            let bad: Vec<bool> = (0..series).map(|s| s % 4 == 0).collect();
            let sent = series + bad.iter().filter(|b| **b).count();
            let per = (points / sent).max(2);
            let f = &fetches[1];
            let total: Vec<Series> = (0..series)
                .map(|s| {
                    let labels = Labels::from_pairs([
                        ("__name__", REQ_METRIC.to_owned()),
                        ("code", if bad[s] { "500" } else { "200" }.to_owned()),
                        ("instance", format!("10.0.{}.{}:9090", s >> 8, s & 255)),
                        ("job", "api".to_owned()),
                    ]);
                    let (lo, hi) = if bad[s] { (0, 3) } else { (50, 150) };
                    counter(&mut rng, labels, per, f.at_ms, f.range_ms, lo, hi, 1.0)
                })
                .collect();
            let selected = total
                .iter()
                .zip(&bad)
                .filter(|(_, b)| **b)
                .map(|(s, _)| s.clone())
                .collect();
            vec![selected, total]
        }
        _ => {
            let per = (points / series).max(2);
            let f = &fetches[0];
            let models = ["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"];
            let list = (0..series)
                .map(|s| {
                    let labels = Labels::from_pairs([
                        ("__name__", COST_METRIC.to_owned()),
                        ("model", models[s % 3].to_owned()),
                        ("query_source", "main".to_owned()),
                        ("session_id", format!("{:08x}-4a1b-9c2d", s * 2_654_435_761)),
                        ("user_email", format!("dev{}@example.com", s % 50)),
                    ]);
                    counter(
                        &mut rng, labels, per, f.at_ms, f.range_ms, 1000, 20_000, 1e6,
                    )
                })
                .collect();
            vec![list]
        }
    }
}

/// A `matrix` body as Prometheus writes it.
fn matrix_body(series: &[Series]) -> Vec<u8> {
    use std::fmt::Write;
    let mut b = String::from(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    for (i, s) in series.iter().enumerate() {
        if i > 0 {
            b.push(',');
        }
        b.push_str(r#"{"metric":{"#);
        for (j, (k, v)) in s.labels.iter().enumerate() {
            let comma = if j > 0 { "," } else { "" };
            write!(b, r#"{comma}"{k}":"{v}""#).unwrap();
        }
        b.push_str(r#"},"values":["#);
        for (k, (t, v)) in s.time_ms.iter().zip(&s.values).enumerate() {
            let comma = if k > 0 { "," } else { "" };
            write!(b, r#"{comma}[{}.{:03},"{v}"]"#, t / 1000, t % 1000).unwrap();
        }
        b.push_str("]}");
    }
    b.push_str("]}}");
    b.into_bytes()
}

fn measure(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[runs / 2], times[(runs * 95 / 100).min(runs - 1)])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Least-squares slope of `ln y` on `ln x`.
fn exponent(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let (lx, ly): (Vec<f64>, Vec<f64>) = points.iter().map(|(x, y)| (x.ln(), y.ln())).unzip();
    let (mx, my) = (lx.iter().sum::<f64>() / n, ly.iter().sum::<f64>() / n);
    let cov: f64 = lx.iter().zip(&ly).map(|(x, y)| (x - mx) * (y - my)).sum();
    let var: f64 = lx.iter().map(|x| (x - mx) * (x - mx)).sum();
    cov / var
}

/// `view:points`: evaluates that workload `runs` times and nothing else (for a profiler).
fn profile(spec: &str) {
    let (view, points) = spec.split_once(':').expect("view:points");
    let (view, series) = match view {
        "slo" => (ViewKind::Slo, 10),
        _ => (ViewKind::Cost, 100),
    };
    let p = make_plan(view);
    let fetched = workload(view, points.parse().expect("points"), series, p.fetches());
    let (median, _) = measure(200, || {
        let p = make_plan(view);
        black_box(p.evaluate(black_box(&fetched)).unwrap());
    });
    println!("{spec}: median {:.3} ms", ms(median));
}

fn main() {
    if let Some(spec) = std::env::args().find(|a| a.contains(':')) {
        return profile(&spec);
    }
    let quick = std::env::args().any(|a| a == "quick");
    let sizes: &[usize] = if quick {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    for (view, name, series) in [(ViewKind::Cost, "cost", 100), (ViewKind::Slo, "slo", 10)] {
        let mut fit = Vec::new();
        for &points in sizes {
            let p = make_plan(view);
            let fetched = workload(view, points, series, p.fetches());
            let n: usize = fetched.iter().flatten().map(|s| s.time_ms.len()).sum();
            let runs = if points >= 1_000_000 { 7 } else { 21 };
            let (median, p95) = measure(runs, || {
                let p = make_plan(view);
                black_box(p.evaluate(black_box(&fetched)).unwrap());
            });
            let bodies: Vec<Vec<u8>> = fetched.iter().map(|l| matrix_body(l)).collect();
            let bytes: usize = bodies.iter().map(Vec::len).sum();
            let (json, _) = measure(runs, || {
                let p = make_plan(view);
                let lists: Vec<Vec<Series>> = bodies
                    .iter()
                    .map(|b| fleetlens::decode(b).unwrap().series)
                    .collect();
                black_box(p.evaluate(&lists).unwrap());
            });
            println!(
                "{name:<5} {n:>8} points {series:>4} series   evaluate median {:>9.3} ms  p95 {:>9.3} ms   json {:>6.1} MB: decode+evaluate {:>9.3} ms ({:>7.1} MB/s)",
                ms(median),
                ms(p95),
                bytes as f64 / 1e6,
                ms(json),
                bytes as f64 / 1e6 / json.as_secs_f64()
            );
            fit.push((n as f64, ms(median)));
        }
        println!(
            "{name:<5} time ∝ points^{:.2} (evaluate, {} to {} points)",
            exponent(&fit),
            fit.first().map_or(0.0, |p| p.0),
            fit.last().map_or(0.0, |p| p.0)
        );
    }
}
