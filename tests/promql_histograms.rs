//! The histogram engine against a real Prometheus: the same buckets, the same quantiles.
//!
//! A deterministic scenario of classic histograms (`http_request_duration_seconds` by
//! `endpoint`, the seed's buckets 0.005 … 10 and +Inf) is backfilled into Prometheus. For several
//! ranges and steps, the engine is fed the bucket rates Prometheus returns and must give the same
//! series, the same timestamps and the same values (within 1e-9 relative) as Prometheus'
//! `histogram_quantile` over the same expression; fractions at bucket bounds must equal PromQL's
//! bucket ratios. The hand-worked cases in `tests/promql/histograms/cases.test` are checked
//! against both the engine and Prometheus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;

use fleetlens::histogram::{
    fraction_series, group_buckets, parse_le, quantile_series, HistogramSeries, Interpolation,
    NoteKind,
};
use fleetlens::{Labels, QueryResponse, Series};
use support::{prometheus_available, Prometheus};

/// 2025-02-23T19:20:00Z, in seconds.
const T0: i64 = 1_740_338_400;
/// Scrape interval of the scenario, seconds.
const SCRAPE_S: i64 = 30;
/// Two hours of scrapes.
const SCRAPES: i64 = 240;
/// Values must agree within this relative error.
const TOLERANCE: f64 = 1e-9;

/// The seed's bucket bounds.
const LE: [&str; 12] = [
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf",
];
/// Index of the `1` bucket in [`LE`].
const LE_1: usize = 7;
/// Index of the `5` bucket in [`LE`].
const LE_5: usize = 9;
/// Index of the `0.1` bucket in [`LE`].
const LE_0_1: usize = 4;

// Observations per scrape in each bucket, not cumulative (the last entry is above 10 s).
/// `/api/chat`: 60 per scrape (2/s), steady.
const CHAT: [u64; 12] = [1, 2, 3, 6, 8, 13, 12, 9, 4, 1, 1, 0];
const SEARCH_FAST: [u64; 12] = [2, 4, 8, 10, 6, 3, 1, 0, 0, 0, 0, 0];
const SEARCH_SLOW: [u64; 12] = [0, 0, 1, 2, 3, 6, 8, 6, 4, 2, 1, 1];
const AGENTS: [u64; 12] = [0, 0, 0, 1, 2, 5, 10, 2, 8, 4, 2, 1];
const IDLE: [u64; 12] = [0, 1, 1, 2, 2, 2, 1, 1, 0, 0, 0, 0];
const LEGACY: [u64; 12] = [0, 0, 1, 1, 2, 2, 2, 1, 1, 0, 0, 0];

/// One endpoint's histogram: what it observes at scrape `i` (`None`: not scraped), and how its
/// series are written.
struct Endpoint {
    name: &'static str,
    observed: fn(i64) -> Option<[u64; 12]>,
    /// Counters start again from 0 at this scrape (a process restart).
    restart_at: Option<i64>,
    /// The `le` text of bucket `k`.
    le: fn(usize) -> &'static str,
    /// Whether bucket `k` is written at scrape `i`.
    written: fn(i64, usize) -> bool,
    /// The scrapes during which bucket [`LE_1`] lags: it keeps the value it had just before.
    lagging: Option<(i64, i64)>,
}

fn seed_le(k: usize) -> &'static str {
    LE.get(k).copied().unwrap()
}

fn always(_: i64, _: usize) -> bool {
    true
}

/// The scenario:
/// * `/api/chat`: steady 2/s; the process restarts at scrape 200 (counters back to 0);
/// * `/api/search`: load and latency change every 20 minutes; writes `le="1e-1"` where the
///   others write `0.1`; its `le="5"` series is missing for 8 minutes (scrapes 100–115);
/// * `/api/agents`: its `le="1"` bucket lags for 3 minutes (scrapes 120–125), then catches up,
///   as with a non-atomic scrape: the bucket rates are not monotonic for a while;
/// * `/api/idle`: no traffic from scrape 60 to 100 (counters flat), then not scraped at all from
///   150 to 175;
/// * `/legacy`: no `+Inf` bucket.
fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            name: "/api/chat",
            observed: |_| Some(CHAT),
            restart_at: Some(200),
            le: seed_le,
            written: always,
            lagging: None,
        },
        Endpoint {
            name: "/api/search",
            observed: |i| {
                let base = if (i / 40) % 2 == 0 {
                    SEARCH_FAST
                } else {
                    SEARCH_SLOW
                };
                let load = 1 + (i % 5) as u64;
                Some(base.map(|n| n * load))
            },
            restart_at: None,
            le: |k| if k == LE_0_1 { "1e-1" } else { seed_le(k) },
            written: |i, k| !(k == LE_5 && (100..=115).contains(&i)),
            lagging: None,
        },
        Endpoint {
            name: "/api/agents",
            observed: |_| Some(AGENTS),
            restart_at: None,
            le: seed_le,
            written: always,
            lagging: Some((120, 125)),
        },
        Endpoint {
            name: "/api/idle",
            observed: |i| match i {
                60..=100 => Some([0; 12]),
                150..=175 => None,
                _ => Some(IDLE),
            },
            restart_at: None,
            le: seed_le,
            written: always,
            lagging: None,
        },
        Endpoint {
            name: "/legacy",
            observed: |_| Some(LEGACY),
            restart_at: None,
            le: seed_le,
            written: |_, k| k < LE.len() - 1,
            lagging: None,
        },
    ]
}

/// The scenario as OpenMetrics text, then the hand-worked cases as `fl_case` gauges at
/// [`CASES_AT`].
fn openmetrics(cases: &[Case]) -> String {
    let mut om = String::from("# TYPE http_request_duration_seconds histogram\n");
    let eps = endpoints();
    let mut totals = vec![[0u64; 12]; eps.len()];
    let mut held = vec![0u64; eps.len()];
    for i in 0..=SCRAPES {
        let t = T0 + SCRAPE_S * i;
        for ((ep, total), held) in eps.iter().zip(totals.iter_mut()).zip(held.iter_mut()) {
            if ep.restart_at == Some(i) {
                *total = [0; 12];
            }
            let Some(observed) = (ep.observed)(i) else {
                continue;
            };
            if ep.restart_at != Some(i) {
                for (tot, n) in total.iter_mut().zip(observed) {
                    *tot += n;
                }
            }
            let mut cumulative = 0;
            for (k, n) in total.iter().enumerate() {
                cumulative += n;
                let mut value = cumulative;
                if k == LE_1 {
                    match ep.lagging {
                        Some((from, to)) if (from..=to).contains(&i) => value = *held,
                        _ => *held = cumulative,
                    }
                }
                if (ep.written)(i, k) {
                    om.push_str(&format!(
                        "http_request_duration_seconds_bucket{{endpoint=\"{}\",le=\"{}\"}} {value} {t}\n",
                        ep.name,
                        (ep.le)(k)
                    ));
                }
            }
        }
    }
    om.push_str("# TYPE fl_case gauge\n");
    for case in cases {
        if let Case::Buckets { name, buckets } = case {
            for (le, count) in buckets {
                om.push_str(&format!(
                    "fl_case{{case=\"{name}\",le=\"{le}\"}} {count} {CASES_AT}\n"
                ));
            }
        }
    }
    om.push_str("# EOF\n");
    om
}

/// When the hand-worked cases are loaded and evaluated (seconds).
const CASES_AT: i64 = T0 + 3 * 3600;

// ---------------------------------------------------------------------------------------------
// Talking to Prometheus.

fn post(prom: &Prometheus, path: &str, form: &[(&str, String)]) -> QueryResponse {
    prom.api(path, form)
}

/// A range query, decoded by the engine's decoder. Times in seconds.
fn query_range(prom: &Prometheus, query: &str, range: Range) -> QueryResponse {
    post(
        prom,
        "/api/v1/query_range",
        &[
            ("query", query.to_owned()),
            ("start", range.start.to_string()),
            ("end", range.end.to_string()),
            ("step", range.step.to_string()),
        ],
    )
}

/// An instant query at `at` seconds.
fn query(prom: &Prometheus, query: &str, at: i64) -> QueryResponse {
    post(
        prom,
        "/api/v1/query",
        &[("query", query.to_owned()), ("time", at.to_string())],
    )
}

#[derive(Debug, Clone, Copy)]
struct Range {
    start: i64,
    end: i64,
    step: i64,
}

/// Ranges of different lengths and steps, some not aligned with the scrapes.
const RANGES: [Range; 3] = [
    Range {
        start: T0 + 5 * 60,
        end: T0 + 2 * 3600,
        step: 60,
    },
    Range {
        start: T0,
        end: T0 + 2 * 3600,
        step: 15,
    },
    Range {
        start: T0 + 37 * 60 + 13,
        end: T0 + 3600 + 41 * 60 + 7,
        step: 97,
    },
];

/// Bucket-rate expressions fed to both the engine and `histogram_quantile`.
const INPUTS: [&str; 3] = [
    // One histogram per endpoint.
    "sum by (endpoint, le) (rate(http_request_duration_seconds_bucket[5m]))",
    // One histogram of everything: le="0.1" and le="1e-1" meet (merged), and /legacy's buckets
    // without a +Inf count push the finite buckets above the +Inf one (forced monotonicity).
    "sum by (le) (rate(http_request_duration_seconds_bucket[5m]))",
    // No aggregation: rate() drops the metric name, the endpoint label remains.
    "rate(http_request_duration_seconds_bucket[5m])",
];

/// Quantiles compared, with the invalid ones (PromQL's `NaN` literal included).
const QUANTILES: [&str; 9] = ["0", "0.5", "0.9", "0.95", "0.99", "1", "-0.5", "1.5", "NaN"];

// ---------------------------------------------------------------------------------------------
// Comparing.

/// Largest relative error seen, and how many values were compared.
#[derive(Debug, Default)]
struct Agreement {
    values: usize,
    series: usize,
    max_relative_error: f64,
}

impl Agreement {
    /// Checks that `ours` and `theirs` (series with labels, times and values) are the same.
    fn check(&mut self, what: &str, ours: &[(Labels, Vec<i64>, Vec<f64>)], theirs: &[Series]) {
        let ours: BTreeMap<&Labels, (&Vec<i64>, &Vec<f64>)> =
            ours.iter().map(|(l, t, v)| (l, (t, v))).collect();
        let theirs: BTreeMap<&Labels, &Series> = theirs.iter().map(|s| (&s.labels, s)).collect();
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>(),
            "{what}: different series"
        );
        for (labels, (time_ms, values)) in &ours {
            let s = theirs.get(labels).unwrap();
            assert_eq!(*time_ms, &s.time_ms, "{what} {labels}: different steps");
            for ((t, a), b) in time_ms.iter().zip(values.iter()).zip(&s.values) {
                let err = relative_error(*a, *b);
                assert!(
                    err <= TOLERANCE,
                    "{what} {labels} at {t}: engine {a}, prometheus {b}"
                );
                self.max_relative_error = self.max_relative_error.max(err);
                self.values += 1;
            }
            self.series += 1;
        }
    }

    /// Checks one value against Prometheus' (which must exist).
    fn value(&mut self, what: &str, ours: f64, theirs: Option<f64>) {
        let Some(theirs) = theirs else {
            panic!("{what}: the engine has {ours}, Prometheus has no value");
        };
        let err = relative_error(ours, theirs);
        assert!(
            err <= TOLERANCE,
            "{what}: engine {ours}, prometheus {theirs}"
        );
        self.max_relative_error = self.max_relative_error.max(err);
        self.values += 1;
    }
}

/// 0 for equal values (both NaN, or the same infinity), `+Inf` when one is NaN or infinite and
/// the other is not, else `|a − b| / max(|a|, |b|)`.
fn relative_error(a: f64, b: f64) -> f64 {
    if a == b || (a.is_nan() && b.is_nan()) {
        return 0.0;
    }
    if !a.is_finite() || !b.is_finite() {
        return f64::INFINITY;
    }
    (a - b).abs() / a.abs().max(b.abs())
}

fn groups(resp: &QueryResponse) -> Vec<HistogramSeries> {
    group_buckets(&resp.series).unwrap()
}

#[test]
fn histograms_agree_with_prometheus() {
    if !prometheus_available("histograms_agree_with_prometheus") {
        return;
    }
    let cases = parse_cases(&std::fs::read_to_string(CASES_FILE).unwrap());
    let prom = Prometheus::start("promql-histograms", &openmetrics(&cases));

    quantiles_agree(&prom);
    fractions_agree(&prom);
    interpolated_threshold_is_reported(&prom);
    notes_name_what_happened(&prom);
    hand_worked_cases(&prom, &cases);
}

fn quantiles_agree(prom: &Prometheus) {
    let mut agreement = Agreement::default();
    let mut steps = 0;
    for range in RANGES {
        for input in INPUTS {
            let buckets = query_range(prom, input, range);
            let hist = groups(&buckets);
            steps += hist.iter().map(HistogramSeries::len).sum::<usize>();
            for q in QUANTILES {
                let theirs = query_range(prom, &format!("histogram_quantile({q}, {input})"), range);
                let q_value = parse_le(q).unwrap();
                let ours: Vec<_> = quantile_series(q_value, &hist)
                    .into_iter()
                    .map(|s| (s.labels, s.time_ms, s.values))
                    .collect();
                agreement.check(
                    &format!("histogram_quantile({q}, {input}) {range:?}"),
                    &ours,
                    &theirs.series,
                );
            }
        }
    }
    eprintln!(
        "quantiles: {} values in {} series ({} histogram steps × {} quantiles over {} ranges and {} \
         inputs) agree with Prometheus; max relative error {:e}",
        agreement.values,
        agreement.series,
        steps,
        QUANTILES.len(),
        RANGES.len(),
        INPUTS.len(),
        agreement.max_relative_error
    );
    assert!(agreement.values > 10_000, "{agreement:?}");
}

/// Thresholds at bucket bounds, with the `le` regex of every bound at or below them.
const BOUND_THRESHOLDS: [(f64, &str, &str); 4] = [
    (0.1, "0.1|1e-1", "0.005|0.01|0.025|0.05|0.1|1e-1"),
    (0.5, "0.5", "0.005|0.01|0.025|0.05|0.1|1e-1|0.25|0.5"),
    (1.0, "1", "0.005|0.01|0.025|0.05|0.1|1e-1|0.25|0.5|1"),
    (
        10.0,
        "10",
        "0.005|0.01|0.025|0.05|0.1|1e-1|0.25|0.5|1|2.5|5|10",
    ),
];

/// At a bucket bound, the engine's share is PromQL's ratio `bucket{le=t} / bucket{le="+Inf"}`.
/// Where the engine had to force monotonicity, it is the ratio after the same fix, which PromQL
/// can express too: the largest bucket at or below t over the largest bucket of all (with
/// `le="1e-1"` renamed to `0.1` first, since the engine adds the two together).
fn fractions_agree(prom: &Prometheus) {
    let rate = |matchers: &str| {
        format!("rate(http_request_duration_seconds_bucket{{endpoint!=\"/legacy\"{matchers}}}[5m])")
    };
    let merged = |matchers: &str| {
        format!(
            "label_replace({}, \"le\", \"0.1\", \"le\", \"1e-1\")",
            rate(matchers)
        )
    };
    let mut plain = Agreement::default();
    let mut fixed = Agreement::default();
    let mut differed = 0;
    for range in RANGES {
        for by in ["endpoint", ""] {
            let by_le = if by.is_empty() {
                "le".to_owned()
            } else {
                format!("{by}, le")
            };
            let hist = groups(&query_range(
                prom,
                &format!("sum by ({by_le}) ({})", rate("")),
                range,
            ));
            for (t, le, le_at_or_below) in BOUND_THRESHOLDS {
                let what = format!("fraction ≤ {t} by ({by}) {range:?}");
                let ratio = query_range(
                    prom,
                    &format!(
                        "sum by ({by}) ({}) / sum by ({by}) ({})",
                        rate(&format!(",le=~\"{le}\"")),
                        rate(",le=\"+Inf\"")
                    ),
                    range,
                );
                let envelope = query_range(
                    prom,
                    &format!(
                        "max by ({by}) (sum by ({by_le}) ({})) / max by ({by}) (sum by ({by_le}) ({}))",
                        merged(&format!(",le=~\"{le_at_or_below}\"")),
                        merged("")
                    ),
                    range,
                );
                let ours = fraction_series(t, &hist);
                let ratio_steps: usize = ratio.series.iter().map(Series::len).sum();
                let our_steps: usize = ours.iter().map(|s| s.time_ms.len()).sum();
                assert_eq!(ratio_steps, our_steps, "{what}: PromQL has other steps");
                for (s, h) in ours.iter().zip(&hist) {
                    assert_eq!(
                        s.position.map(|p| p.interpolation),
                        Some(Interpolation::Exact),
                        "{what}"
                    );
                    for (k, (at, v)) in s.time_ms.iter().zip(&s.values).enumerate() {
                        let plain_ratio = value_at(&ratio, &s.labels, *at);
                        if h.histogram_at(k).fixes().forced_monotonic.is_some() {
                            let e = value_at(&envelope, &s.labels, *at);
                            fixed.value(&format!("{what} {} at {at} (fixed)", s.labels), *v, e);
                            if plain_ratio.is_some_and(|r| relative_error(*v, r) > TOLERANCE) {
                                differed += 1;
                            }
                        } else {
                            plain.value(&format!("{what} {} at {at}", s.labels), *v, plain_ratio);
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "fractions at bounds: {} values equal PromQL's bucket ratio (max relative error {:e}); {} \
         values where monotonicity was forced equal PromQL's envelope ratio (max relative error \
         {:e}), {} of them differ from the plain ratio",
        plain.values, plain.max_relative_error, fixed.values, fixed.max_relative_error, differed
    );
    assert!(plain.values > 1000 && fixed.values > 0 && differed > 0);
}

/// The value of series `labels` at `at_ms` in a range query result.
fn value_at(resp: &QueryResponse, labels: &Labels, at_ms: i64) -> Option<f64> {
    let s = resp.series.iter().find(|s| &s.labels == labels)?;
    let k = s.time_ms.iter().position(|t| *t == at_ms)?;
    s.values.get(k).copied()
}

/// A threshold between bounds has no PromQL equivalent: one step worked by hand.
fn interpolated_threshold_is_reported(prom: &Prometheus) {
    let at = T0 + 30 * 60;
    let range = Range {
        start: at,
        end: at,
        step: 60,
    };
    let hist = groups(&query_range(prom, INPUTS[0], range));
    let chat = Labels::from_pairs([("endpoint", "/api/chat")]);
    let fractions = fraction_series(0.3, &hist);
    let f = fractions.iter().find(|s| s.labels == chat).unwrap();
    // /api/chat observes 60 per scrape: 33 at or below 0.25, 45 at or below 0.5. 0.3 lies a
    // fifth of the way into (0.25, 0.5]: (33 + 12 · 0.05/0.25) / 60 = 35.4/60 = 0.59.
    assert_eq!(f.time_ms, [at * 1000]);
    assert!(relative_error(f.values[0], 0.59) < 1e-12, "{:?}", f.values);
    let p = f.position.unwrap();
    assert_eq!(p.interpolation, Interpolation::Linear);
    assert_eq!(
        (p.bucket_lower, p.bucket_upper, p.nearest_bound),
        (0.25, 0.5, 0.25)
    );
    assert!(relative_error(p.distance, 0.05) < 1e-12);
    assert!(relative_error(p.relative_distance, 0.05 / 0.3) < 1e-12);
    eprintln!(
        "fraction ≤ 0.3 s of /api/chat at {at}: {} ({p})",
        f.values[0]
    );
    // And the SLO threshold of the seeds, 0.5 s, is a bound here: exact.
    let slo = fraction_series(0.5, &hist);
    let s = slo.iter().find(|s| s.labels == chat).unwrap();
    assert!(s.position.unwrap().is_exact());
    assert!(relative_error(s.values[0], 0.75) < 1e-12);
    // p95 at the same step: rank 57 falls in (1, 2.5] (54 → 58): 1 + 1.5 · 3/4 = 2.125.
    let p95 = quantile_series(0.95, &hist);
    let q = p95.iter().find(|s| s.labels == chat).unwrap();
    assert!(relative_error(q.values[0], 2.125) < 1e-12, "{:?}", q.values);
}

/// Each defect of the scenario shows up as a note on the right histogram.
fn notes_name_what_happened(prom: &Prometheus) {
    let range = RANGES[0];
    let hist = groups(&query_range(prom, INPUTS[0], range));
    let out = quantile_series(0.95, &hist);
    let notes_of = |endpoint: &str| {
        let labels = Labels::from_pairs([("endpoint", endpoint)]);
        out.iter()
            .find(|s| s.labels == labels)
            .unwrap()
            .notes
            .clone()
    };
    let legacy = notes_of("/legacy");
    let legacy_text = legacy.first().map(ToString::to_string).unwrap_or_default();
    assert!(
        legacy_text.starts_with("histogram {endpoint=\"/legacy\"} has no +Inf bucket: NaN at "),
        "{legacy_text}"
    );
    assert!(legacy.iter().all(|n| n.is_warning()));
    assert!(notes_of("/api/agents").iter().any(
        |n| matches!(n.kind, NoteKind::ForcedMonotonicity { min_bound, .. } if min_bound == 1.0)
    ));
    assert!(notes_of("/api/idle")
        .iter()
        .any(|n| matches!(n.kind, NoteKind::NoObservations { steps } if steps >= 10)));
    assert!(notes_of("/api/search").iter().any(
        |n| matches!(&n.kind, NoteKind::MissingBuckets { upper_bounds, .. } if upper_bounds == &[5.0])
    ));
    for n in out.iter().flat_map(|s| &s.notes) {
        eprintln!("note: {n}");
    }
    let total = quantile_series(0.95, &groups(&query_range(prom, INPUTS[1], range)));
    let merged = total
        .iter()
        .flat_map(|s| &s.notes)
        .find_map(|n| match &n.kind {
            NoteKind::MergedBounds { le, .. } => Some(le.clone()),
            _ => None,
        });
    assert_eq!(merged, Some(vec!["0.1".to_owned(), "1e-1".to_owned()]));
}

// ---------------------------------------------------------------------------------------------
// The hand-worked cases.

const CASES_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/promql/histograms/cases.test"
);

#[derive(Debug)]
enum Case {
    Buckets {
        name: String,
        buckets: Vec<(String, String)>,
    },
    Quantile {
        line: usize,
        q: String,
        name: String,
        want: f64,
    },
    Fraction {
        line: usize,
        threshold: String,
        name: String,
        want: f64,
    },
    Error {
        line: usize,
        name: String,
        text: String,
    },
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = raw.split_whitespace().collect();
        let number =
            |w: &str| parse_le(w).unwrap_or_else(|| panic!("line {line}: {w:?} is not a number"));
        let case = match words.as_slice() {
            ["buckets", name, pairs @ ..] => Case::Buckets {
                name: (*name).to_owned(),
                buckets: pairs
                    .iter()
                    .map(|p| {
                        let (le, c) = p
                            .split_once('=')
                            .unwrap_or_else(|| panic!("line {line}: {p}"));
                        (le.to_owned(), c.to_owned())
                    })
                    .collect(),
            },
            ["quantile", q, name, want] => Case::Quantile {
                line,
                q: (*q).to_owned(),
                name: (*name).to_owned(),
                want: number(want),
            },
            ["fraction", t, name, want] => Case::Fraction {
                line,
                threshold: (*t).to_owned(),
                name: (*name).to_owned(),
                want: number(want),
            },
            ["error", name, text @ ..] => Case::Error {
                line,
                name: (*name).to_owned(),
                text: text.join(" "),
            },
            _ => panic!("{CASES_FILE}:{line}: cannot read {raw:?}"),
        };
        cases.push(case);
    }
    cases
}

fn hand_worked_cases(prom: &Prometheus, cases: &[Case]) {
    let buckets_of = |name: &str| {
        cases
            .iter()
            .find_map(|c| match c {
                Case::Buckets { name: n, buckets } if n == name => Some(buckets.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no buckets named {name}"))
    };
    let load = |name: &str| query(prom, &format!("fl_case{{case=\"{name}\"}}"), CASES_AT);
    let (mut checked, mut against_prometheus) = (0, 0);
    for case in cases {
        match case {
            Case::Buckets { .. } => {}
            Case::Quantile {
                line,
                q,
                name,
                want,
            } => {
                let hist = groups(&load(name));
                let ours = quantile_series(parse_le(q).unwrap(), &hist);
                let got = ours.first().and_then(|s| s.values.first().copied());
                let theirs = query(
                    prom,
                    &format!("histogram_quantile({q}, fl_case{{case=\"{name}\"}})"),
                    CASES_AT,
                );
                let prom_value = theirs
                    .series
                    .first()
                    .and_then(|s| s.values.first().copied());
                assert!(
                    got.is_some_and(|g| relative_error(g, *want) <= 1e-12),
                    "{CASES_FILE}:{line}: engine {got:?}, expected {want}"
                );
                assert!(
                    prom_value.is_some_and(|p| relative_error(p, *want) <= 1e-12),
                    "{CASES_FILE}:{line}: prometheus {prom_value:?}, expected {want}"
                );
                checked += 1;
                against_prometheus += 1;
            }
            Case::Fraction {
                line,
                threshold,
                name,
                want,
            } => {
                let t = parse_le(threshold).unwrap();
                let hist = groups(&load(name));
                let ours = fraction_series(t, &hist);
                let got = ours.first().and_then(|s| s.values.first().copied());
                assert!(
                    got.is_some_and(|g| relative_error(g, *want) <= 1e-12),
                    "{CASES_FILE}:{line}: engine {got:?}, expected {want}"
                );
                checked += 1;
                let buckets = buckets_of(name);
                let is_bound = buckets.iter().any(|(le, _)| le == threshold);
                let has_inf = buckets.iter().any(|(le, _)| le == "+Inf");
                if is_bound && has_inf {
                    let ratio = query(
                        prom,
                        &format!(
                            "fl_case{{case=\"{name}\",le=\"{threshold}\"}} / ignoring(le) \
                             fl_case{{case=\"{name}\",le=\"+Inf\"}}"
                        ),
                        CASES_AT,
                    );
                    let p = ratio.series.first().and_then(|s| s.values.first().copied());
                    assert!(
                        p.is_some_and(|p| relative_error(p, *want) <= 1e-12),
                        "{CASES_FILE}:{line}: prometheus ratio {p:?}, expected {want}"
                    );
                    against_prometheus += 1;
                }
            }
            Case::Error { line, name, text } => {
                let err = group_buckets(&load(name).series)
                    .map(|_| ())
                    .unwrap_err()
                    .to_string();
                assert!(err.contains(text.as_str()), "{CASES_FILE}:{line}: {err}");
                let theirs = query(
                    prom,
                    &format!("histogram_quantile(0.5, fl_case{{case=\"{name}\"}})"),
                    CASES_AT,
                );
                eprintln!(
                    "{name}: engine: {err}; prometheus: {:?}, warnings {:?}",
                    theirs.series.first().map(|s| &s.values),
                    theirs.warnings
                );
                checked += 1;
            }
        }
    }
    eprintln!("hand-worked cases: {checked} checked, {against_prometheus} also against Prometheus");
    let expected = cases
        .iter()
        .filter(|c| !matches!(c, Case::Buckets { .. }))
        .count();
    assert!(
        checked == expected && checked >= 30,
        "{checked} of {expected}"
    );
}
