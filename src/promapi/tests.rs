use super::*;
use crate::prom::{decode, ResultType};
use crate::simulate::SimConfig;

/// A multiple of every interval used (28,333,333 minutes): 2023-11-14T22:13:00Z.
const T0: i64 = 1_699_999_980_000;
const MIN: i64 = 60_000;

/// Ten minutes of the default fleet: samples at T0, T0+1m, …, T0+10m.
fn store() -> Store {
    Store::new(&SimConfig::default(), T0, T0 + 10 * MIN).unwrap()
}

fn form(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn secs(ms: i64) -> String {
    crate::time::ms_to_seconds_text(ms)
}

fn instant(s: &Store, q: &str, at: i64) -> crate::QueryResponse {
    let r = handle(
        s,
        "/api/v1/query",
        &form(&[("query", q.into()), ("time", secs(at))]),
        at,
    );
    assert_eq!(r.status, 200, "{q}: {}", r.body);
    decode(r.body.as_bytes()).unwrap()
}

#[test]
fn parses_the_subset() {
    let ok: &[(&str, usize, Option<i64>)] = &[
        ("up", 1, None),
        ("up{job=\"api\"}", 2, None),
        ("up{job!=\"a\", instance=~\"n.*\", x!~'y',}", 4, None),
        ("{__name__=~\"claude_.*\"}", 1, None),
        ("up[5m]", 1, Some(300_000)),
        ("up[86700000ms]", 1, Some(86_700_000)),
        ("up [1h30m]", 1, Some(5_400_000)),
        ("up[1w]", 1, Some(604_800_000)),
        ("namespace:rule:rate5m", 1, None),
    ];
    for (q, n, range) in ok {
        match parse_query(q) {
            Ok(Expr::Selector { matchers, range_ms }) => {
                assert_eq!(matchers.len(), *n, "case {q} failed");
                assert_eq!(range_ms, *range, "case {q} failed");
            }
            other => panic!("case {q} failed: {other:?}"),
        }
    }
    assert!(matches!(parse_query("1"), Ok(Expr::Number(v)) if v == 1.0));
    assert!(matches!(parse_query("-2.5e1"), Ok(Expr::Number(v)) if v == -25.0));
    assert!(matches!(parse_query("vector(3)"), Ok(Expr::Vector(v)) if v == 3.0));
    let bad: &[(&str, &str)] = &[
        ("rate(up[5m])", "function or aggregation \"rate\""),
        ("sum by (job) (up)", "unexpected"),
        ("up + 1", "unexpected \"+ 1\""),
        ("up offset 5m", "unexpected"),
        ("up[5m:1m]", "subqueries"),
        ("up[5x]", "range [5x]"),
        ("up{job=\"a}", "unterminated"),
        ("up{job}", "expected =, !=, =~ or !~"),
        ("{job=~\".*\"}", "at least one non-empty matcher"),
        ("up{job=~\"(\"}", "invalid regular expression"),
        ("", "empty"),
    ];
    for (q, want) in bad {
        let e = parse_query(q).unwrap_err().to_string();
        assert!(e.contains(want), "case {q} failed: {e}");
        assert!(e.contains("--prometheus URL"), "case {q} failed: {e}");
    }
}

#[test]
fn matchers_follow_prometheus() {
    let cases: &[(MatchOp, &str, &str, bool)] = &[
        (MatchOp::Equal, "a", "a", true),
        (MatchOp::Equal, "a", "ab", false),
        (MatchOp::NotEqual, "a", "", true),
        // Anchored at both ends: "a" does not match inside "ab".
        (MatchOp::Regex, "a", "ab", false),
        (MatchOp::Regex, "a|ab", "ab", true),
        (MatchOp::Regex, "a.*", "a\nb", true), // (?s): . matches a newline
        (MatchOp::Regex, ".*", "", true),
        (MatchOp::NotRegex, "b.*", "abc", true),
        (MatchOp::NotRegex, "a.*", "abc", false),
    ];
    for (op, value, input, want) in cases {
        let m = Matcher::new("l", *op, value).unwrap();
        assert_eq!(
            m.matches(input),
            *want,
            "case {op:?} {value} {input} failed"
        );
    }
}

#[test]
fn forms_are_decoded() {
    assert_eq!(
        parse_form("query=up%7Bjob%3D%22a+b%22%7D&match%5B%5D=x&match%5B%5D=y&e="),
        vec![
            ("query".to_owned(), "up{job=\"a b\"}".to_owned()),
            ("match[]".to_owned(), "x".to_owned()),
            ("match[]".to_owned(), "y".to_owned()),
            ("e".to_owned(), String::new()),
        ]
    );
    assert_eq!(percent_decode("a%2Fb+c%zz", false), "a/b+c%zz");
}

#[test]
fn history_and_extension() {
    let mut s = store();
    assert_eq!(s.first_ms(), T0);
    assert_eq!(s.last_ms(), T0 + 10 * MIN);
    let up = s.named("up").first().copied().unwrap();
    // Samples at T0 … T0+10m: 11 of them.
    assert_eq!(s.series()[up].len(), 11);
    s.extend_to(T0 + 12 * MIN + 59_999);
    assert_eq!(s.last_ms(), T0 + 12 * MIN);
    assert_eq!(s.series()[up].len(), 13);
    // A start between steps rounds up to the next step.
    let late = Store::new(&SimConfig::default(), T0 + 1, T0 + 2 * MIN).unwrap();
    assert_eq!(late.first_ms(), T0 + MIN);
}

#[test]
fn range_selectors_are_left_open() {
    let s = store();
    // (T0+5m, T0+10m]: T0+6m … T0+10m, five samples; T0+5m is excluded.
    let cases: &[(i64, i64, i64, usize)] = &[
        (T0 + 10 * MIN, 5 * MIN, T0 + 6 * MIN, 5),
        // (T0+5m30s, T0+10m30s]: still T0+6m … T0+10m.
        (T0 + 10 * MIN + 30_000, 5 * MIN, T0 + 6 * MIN, 5),
        // (T0+4m59.999s, T0+9m59.999s]: T0+5m … T0+9m.
        (T0 + 10 * MIN - 1, 5 * MIN, T0 + 5 * MIN, 5),
        // (T0-1m, T0+1m]: T0 and T0+1m.
        (T0 + MIN, 2 * MIN, T0, 2),
    ];
    for (at, range, first, n) in cases {
        let r = instant(&s, &format!("up[{range}ms]"), *at);
        assert_eq!(r.result_type, ResultType::Matrix);
        assert!(!r.series.is_empty());
        for series in &r.series {
            assert_eq!(series.time_ms.len(), *n, "case at {at} failed");
            assert_eq!(series.time_ms[0], *first, "case at {at} failed");
            assert_eq!(series.time_ms[n - 1], first + (*n as i64 - 1) * MIN);
        }
    }
}

#[test]
fn instant_selectors_look_back_five_minutes() {
    let s = store();
    let range = instant(&s, "up[1m]", T0 + 10 * MIN);
    let want: Vec<(String, f64)> = range
        .series
        .iter()
        .map(|x| (format!("{:?}", x.labels), *x.values.last().unwrap()))
        .collect();
    // The last sample is at T0+10m; it is seen until (but not at) T0+15m, stamped with the
    // evaluation time.
    for at in [T0 + 10 * MIN, T0 + 14 * MIN, T0 + 15 * MIN - 1] {
        let r = instant(&s, "up", at);
        assert_eq!(r.result_type, ResultType::Vector);
        let got: Vec<(String, f64)> = r
            .series
            .iter()
            .map(|x| {
                assert_eq!(x.time_ms, vec![at]);
                (format!("{:?}", x.labels), x.values[0])
            })
            .collect();
        assert_eq!(got, want, "case at {at} failed");
    }
    assert!(instant(&s, "up", T0 + 15 * MIN).series.is_empty());
    // Before the first sample there is nothing.
    assert!(instant(&s, "up", T0 - 1).series.is_empty());
}

#[test]
fn range_queries_evaluate_each_step() {
    let s = store();
    let params = form(&[
        ("query", "up".into()),
        ("start", secs(T0 + 30_000)),
        ("end", secs(T0 + 150_000)),
        ("step", "60".into()),
    ]);
    let r = handle(&s, "/api/v1/query_range", &params, T0);
    let d = decode(r.body.as_bytes()).unwrap();
    assert_eq!(d.result_type, ResultType::Matrix);
    for x in &d.series {
        // Steps T0+30s, T0+90s, T0+150s see the samples of T0, T0+1m and T0+2m.
        assert_eq!(x.time_ms, vec![T0 + 30_000, T0 + 90_000, T0 + 150_000]);
        let name = x.labels.get("instance").unwrap_or("");
        let q = format!(
            "up{{instance=\"{name}\",job=\"{}\"}}[3m]",
            x.labels.get("job").unwrap_or("")
        );
        let raw = instant(&s, &q, T0 + 2 * MIN);
        assert_eq!(raw.series[0].values, x.values);
    }
    // 11,000 points are allowed, 11,001 are not.
    let points = |n: i64| {
        form(&[
            ("query", "up".into()),
            ("start", secs(T0)),
            ("end", secs(T0 + (n - 1) * 1000)),
            ("step", "1s".into()),
        ])
    };
    assert_eq!(
        handle(&s, "/api/v1/query_range", &points(11_000), T0).status,
        200
    );
    let r = handle(&s, "/api/v1/query_range", &points(11_001), T0);
    assert_eq!(r.status, 400);
    assert!(r
        .body
        .contains("exceeded maximum resolution of 11,000 points per timeseries"));
    // A number literal is a constant series.
    let mut one = points(3);
    one[0].1 = "1".into();
    let d = decode(handle(&s, "/api/v1/query_range", &one, T0).body.as_bytes()).unwrap();
    assert_eq!(d.series.len(), 1);
    assert_eq!(d.series[0].values, vec![1.0, 1.0, 1.0]);
}

#[test]
fn histograms_expand_as_openmetrics_writes_them() {
    let s = store();
    let h = s
        .families()
        .iter()
        .find(|f| {
            f.kind == crate::simulate::MetricKind::Histogram
                && !s.named(&format!("{}_count", f.name)).is_empty()
        })
        .unwrap()
        .clone();
    let at = T0 + 10 * MIN;
    let count = instant(&s, &format!("{}_count", h.name), at);
    let inf = instant(&s, &format!("{}_bucket{{le=\"+Inf\"}}", h.name), at);
    assert_eq!(count.series.len(), inf.series.len());
    for (c, i) in count.series.iter().zip(&inf.series) {
        assert_eq!(c.values, i.values);
    }
    let buckets = instant(&s, &format!("{}_bucket", h.name), at);
    // One series per finite bound plus +Inf, per labelled histogram.
    assert_eq!(
        buckets.series.len(),
        count.series.len() * (h.buckets.len() + 1)
    );
}

#[test]
fn scalars_and_errors() {
    let s = store();
    let r = instant(&s, "2.5", T0);
    assert_eq!(r.result_type, ResultType::Scalar);
    assert_eq!(r.series[0].values, vec![2.5]);
    let r = handle(
        &s,
        "/api/v1/query",
        &form(&[("query", "rate(up[5m])".into())]),
        T0,
    );
    assert_eq!(r.status, 400);
    let e = decode(r.body.as_bytes()).unwrap_err().to_string();
    assert!(e.contains("prometheus error (bad_data)"), "{e}");
    assert!(
        e.contains("selectors only") && e.contains("--prometheus URL"),
        "{e}"
    );
    let r = handle(
        &s,
        "/api/v1/query",
        &form(&[("query", "up".into()), ("time", "x".into())]),
        T0,
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("cannot parse \\\"x\\\" to a valid timestamp"),
        "{}",
        r.body
    );
    assert_eq!(handle(&s, "/api/v1/nope", &[], T0).status, 404);
}

fn json(r: &Response) -> serde_json::Value {
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

#[test]
fn label_endpoints() {
    let s = store();
    let names = json(&handle(&s, "/api/v1/label/__name__/values", &[], T0));
    let names: Vec<&str> = names["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names, s.names().collect::<Vec<_>>());
    assert!(names.contains(&"up"));
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    // Only up's jobs, through match[].
    let jobs = json(&handle(
        &s,
        "/api/v1/label/job/values",
        &form(&[("match[]", "up".into())]),
        T0,
    ));
    let want: std::collections::BTreeSet<String> = s
        .named("up")
        .iter()
        .map(|&i| s.series()[i].label("job").to_owned())
        .collect();
    let got: std::collections::BTreeSet<String> = jobs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, want);
    // A window after the history holds no series.
    let later = form(&[("start", secs(T0 + 20 * MIN)), ("end", secs(T0 + 30 * MIN))]);
    assert_eq!(
        json(&handle(&s, "/api/v1/labels", &later, T0))["data"],
        serde_json::json!([])
    );
    let labels = json(&handle(
        &s,
        "/api/v1/labels",
        &form(&[("match[]", "up".into())]),
        T0,
    ));
    assert!(labels["data"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("__name__")));
    let series = json(&handle(
        &s,
        "/api/v1/series",
        &form(&[("match[]", "up".into())]),
        T0,
    ));
    assert_eq!(
        series["data"].as_array().unwrap().len(),
        s.named("up").len()
    );
    assert_eq!(series["data"][0]["__name__"], "up");
    let r = handle(&s, "/api/v1/series", &[], T0);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("no match[] parameter provided"));
    let build = json(&handle(&s, "/api/v1/status/buildinfo", &[], T0));
    assert_eq!(build["data"]["version"], BUILD_VERSION);
    let meta = json(&handle(
        &s,
        "/api/v1/metadata",
        &form(&[("metric", "up".into())]),
        T0,
    ));
    assert_eq!(meta["data"]["up"][0]["type"], "gauge");
    assert_eq!(meta["data"].as_object().unwrap().len(), 1);
}
