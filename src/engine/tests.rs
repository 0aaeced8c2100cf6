#![allow(clippy::arithmetic_side_effects, reason = "test data")]

use super::*;
use crate::window::Utc;
use crate::Labels;

const H: i64 = 3_600_000;
const MIN: i64 = 60_000;
/// 2026-03-10T00:00:00Z.
const T0: i64 = 1_773_100_800_000;

fn counter(name: &str, labels: &[(&str, &str)], start: i64, step: i64, values: &[f64]) -> Series {
    let mut l = Labels::from_pairs(labels.iter().copied());
    l.insert("__name__".into(), name.into());
    Series {
        labels: l,
        time_ms: (0..values.len() as i64).map(|k| start + k * step).collect(),
        values: values.to_vec(),
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn slo_config() -> ViewConfig {
    ViewConfig::from_json(
        ViewKind::Slo,
        r#"{"name": "api", "objective": 0.99, "period": {"rolling": "1d"},
            "sli": {"ratio": {"bad": {"metric": "req_total", "matchers": [{"label": "code", "op": "=~", "value": "5.."}]},
                              "total": {"metric": "req_total"}}}}"#,
    )
    .unwrap()
}

fn request(from_ms: i64, to_ms: i64) -> Request {
    Request {
        from_ms,
        to_ms,
        step_ms: None,
        group_by: None,
    }
}

#[test]
fn slo_plan_fetches_each_selector_back_to_the_period_start() {
    let to = T0 + 2 * 86_400_000;
    let plan = plan(
        slo_config(),
        request(to - 6 * H, to),
        &Utc,
        &names(&["req_total"]),
    )
    .unwrap();
    let f = plan.fetches();
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].role, "bad");
    assert_eq!(f[0].selector, "req_total{code=~\"5..\"}");
    assert_eq!(f[1].role, "total");
    // The fetch reaches back to the earlier of the period start and the backtest start minus
    // the longest burn window, plus the lookback.
    let (bounds, steps) = plan.slo_period().unwrap();
    assert_eq!(bounds.start_ms, to - 86_400_000);
    assert_eq!(steps.start_ms, to - 6 * H);
    assert!(f[0].range_ms >= 86_400_000 + LOOKBACK_MS);
    assert_eq!(
        f[0].promql,
        format!("req_total{{code=~\"5..\"}}[{}ms]", f[0].range_ms)
    );
    // Auto step: 6 h / 200 = 108 s, rounded up to 2 min, shorter than the 5 m window.
    assert_eq!(steps.step_ms, 2 * MIN);
}

#[test]
fn the_auto_step_stays_within_the_shortest_window_when_affordable() {
    const DAY: i64 = 86_400_000;
    let cases = [
        // (range, period, shortest window, step, why)
        (6 * H, DAY, 5 * MIN, 2 * MIN, "range / 200 rounded up"),
        (
            DAY,
            30 * DAY,
            5 * MIN,
            5 * MIN,
            "432 s capped at the 5 m window",
        ),
        (
            7 * DAY,
            30 * DAY,
            5 * MIN,
            5 * MIN,
            "2016 steps, 8640 over the period",
        ),
        (
            30 * DAY,
            90 * DAY,
            5 * MIN,
            13 * MIN,
            "90 d / 10,000 = 777.6 s: 13 min, coarser than the window",
        ),
        (H, DAY, 30_000, MIN, "never below a minute"),
        (
            H,
            30 * DAY,
            5 * MIN,
            5 * MIN,
            "a short range still keeps the 30 d burn-down within 10,000 points",
        ),
    ];
    for (range, period, shortest, want, why) in cases {
        assert_eq!(auto_step(range, period, shortest), want, "{why}");
    }
}

#[test]
fn missing_metrics_are_named_with_what_exists() {
    let err = plan(
        slo_config(),
        request(T0, T0 + H),
        &Utc,
        &names(&["up", "node_load1"]),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::MetricNotFound { .. }), "{text}");
    assert!(
        text.contains("slo api: metric not found: looked for req_total"),
        "{text}"
    );
    assert!(
        text.contains("metrics that exist: node_load1, up"),
        "{text}"
    );

    let err = plan(slo_config(), request(T0, T0 + H), &Utc, &[]).unwrap_err();
    assert!(
        err.to_string().contains("the data source holds no metrics"),
        "{err}"
    );

    let cost = ViewConfig::from_json(ViewKind::Cost, "{}").unwrap();
    let err = plan(cost, request(T0, T0 + H), &Utc, &names(&["up"])).unwrap_err();
    assert!(
        err.to_string().contains("claude_code_cost_usage_USD_total"),
        "{err}"
    );
}

#[test]
fn ranges_beyond_the_fetch_limit_and_bad_requests_are_refused_before_fetching() {
    let cases: Vec<(&str, ViewConfig, Request, &str)> = vec![
        (
            "a year of agents",
            ViewConfig::from_json(ViewKind::Agents, "{}").unwrap(),
            request(T0 - 365 * 86_400_000, T0),
            "more than the 100d fetched at once",
        ),
        (
            "end before start",
            slo_config(),
            request(T0, T0 - 1),
            "must be after the start",
        ),
        (
            "zero step",
            slo_config(),
            Request {
                step_ms: Some(0),
                ..request(T0 - H, T0)
            },
            "step: must be positive",
        ),
    ];
    for (name, view, req, want) in cases {
        let err = validate(&view, &req, &Utc).unwrap_err().to_string();
        assert!(err.contains(want), "{name}: {err}");
    }
    assert!(validate(&slo_config(), &request(T0 - H, T0), &Utc).is_ok());
}

#[test]
fn outputs_parse_with_defaults_and_list_the_valid_names() {
    assert_eq!(Output::parse(ViewKind::Cost, "").unwrap(), Output::Summary);
    assert_eq!(
        Output::parse(ViewKind::Agents, " ").unwrap(),
        Output::Leaderboard
    );
    assert_eq!(
        Output::parse(ViewKind::Slo, "burnRates").unwrap(),
        Output::BurnRates
    );
    let err = Output::parse(ViewKind::Slo, "leaderboard")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("not an output of the slo view; use one of summary, burnRates"),
        "{err}"
    );
    assert!(ViewKind::parse("latency").is_err());
}

/// 1 bad in 100 total over the last hour; 0 bad before: over the 1 d period (24 h of 100
/// requests each) the SLI is 1 − 1/2400.
fn slo_series(to: i64) -> Vec<Vec<Series>> {
    let start = to - 86_400_000 - 10 * MIN;
    let n = (86_400_000 + 10 * MIN) / MIN + 1;
    let total: Vec<f64> = (0..n).map(|k| k as f64 * 100.0 / 60.0).collect();
    let bad: Vec<f64> = (0..n)
        .map(|k| {
            let t = start + k * MIN;
            if t > to - H {
                (t - (to - H)) as f64 / H as f64
            } else {
                0.0
            }
        })
        .collect();
    vec![
        vec![counter("req_total", &[("code", "500")], start, MIN, &bad)],
        vec![counter("req_total", &[], start, MIN, &total)],
    ]
}

#[test]
fn slo_outputs_are_frames_with_units() {
    let to = T0 + 2 * 86_400_000;
    let plan = plan(
        slo_config(),
        request(to - 6 * H, to),
        &Utc,
        &names(&["req_total"]),
    )
    .unwrap();
    let e = plan.evaluate(&slo_series(to)).unwrap();
    assert_eq!(e.kind(), ViewKind::Slo);

    let summary = e.frames(Output::Summary).unwrap();
    let f = &summary[0];
    assert_eq!(f.time_ms, [to]);
    let get = |name: &str| f.fields.iter().find(|x| x.name == name).unwrap();
    // 1 bad event out of 2400 over the day.
    let sli = get("sli").values[0];
    assert!((sli - (1.0 - 1.0 / 2400.0)).abs() < 1e-9, "{sli}");
    assert_eq!(get("sli").unit.as_deref(), Some("percentunit"));
    assert_eq!(get("objective").values, [0.99]);
    // Budget: 1 % of 2400 = 24 events; 1 consumed: remaining 23/24.
    let remaining = get("budget remaining").values[0];
    assert!((remaining - 23.0 / 24.0).abs() < 1e-9, "{remaining}");
    // The page condition consumes 2 % of the budget in 1 h: for a 1 d period its factor is
    // 0.02 · 24 h / 1 h = 0.48, below the burn rate of 1 over both 1 h and 5 m: level 2 (page).
    assert_eq!(get("alert level").values, [2.0]);

    let windows = &e.frames(Output::Windows).unwrap()[0];
    assert!(!windows.has_time());
    let names: Vec<&str> = windows.text[0].values.iter().map(String::as_str).collect();
    assert!(names.contains(&"1h") && names.contains(&"5m"), "{names:?}");
    let i1h = names.iter().position(|w| *w == "1h").unwrap();
    // 1 bad of 100 in the last hour: error ratio 1 %, burn rate 1.
    let burn = windows.fields[0].values[i1h];
    assert!((burn - 1.0).abs() < 1e-9, "{burn}");
    let factor = windows.fields[2].values[i1h];
    assert!((factor - 0.48).abs() < 1e-9, "{factor}");
    assert_eq!(windows.fields[3].values[i1h], 1.0);
    assert_eq!(windows.text[1].name, "severity");
    assert_eq!(windows.text[1].values[i1h], "page");

    let rates = &e.frames(Output::BurnRates).unwrap()[0];
    assert_eq!(rates.time_ms.len(), 6 * 30 + 1);
    assert!(rates.fields.iter().any(|f| f.name == "burn rate 1h"));
    let budget = &e.frames(Output::Budget).unwrap()[0];
    assert_eq!(budget.fields[0].name, "budget remaining");
    // The backtest shows the page firing in the last hour and not before the errors began.
    let backtest = &e.frames(Output::Backtest).unwrap()[0];
    assert!(backtest.rows() >= 1);
    let page = backtest.text[0]
        .values
        .iter()
        .position(|s| s == "page")
        .unwrap();
    assert!(backtest.fields[0].values[page] >= (to - H) as f64);
    assert_eq!(backtest.fields[1].values[page], to as f64);
    assert!(backtest.text[1].values[page].starts_with("api: page would have fired"));
    assert!(e.frames(Output::Leaderboard).is_err());
}

#[test]
fn evaluate_checks_the_number_of_fetched_lists() {
    let to = T0 + 2 * 86_400_000;
    let plan = plan(
        slo_config(),
        request(to - H, to),
        &Utc,
        &names(&["req_total"]),
    )
    .unwrap();
    let err = plan.evaluate(&[Vec::new()]).unwrap_err().to_string();
    assert!(err.contains("2 fetches but 1 results"), "{err}");
}

#[test]
fn cost_summary_and_breakdown_frames_carry_the_report() {
    const COST: &str = "claude_code_cost_usage_USD_total";
    let to = T0 + 10 * H;
    let cost = ViewConfig::from_json(ViewKind::Cost, r#"{"groupBy": ["model"]}"#).unwrap();
    let req = Request {
        group_by: Some("user_email".into()),
        ..request(T0, to)
    };
    let plan = plan(cost, req, &Utc, &names(&[COST, "up"])).unwrap();
    assert_eq!(plan.fetches().len(), 1);
    assert_eq!(plan.fetches()[0].role, "cost");
    let ramp = |top: f64| -> Vec<f64> { (0..=10).map(|k| top * f64::from(k) / 10.0).collect() };
    let fetched = vec![vec![
        counter(
            COST,
            &[("model", "m1"), ("user_email", "a")],
            T0,
            H,
            &ramp(10.0),
        ),
        counter(
            COST,
            &[("model", "m2"), ("user_email", "b")],
            T0,
            H,
            &ramp(30.0),
        ),
    ]];
    let e = plan.evaluate(&fetched).unwrap();
    let summary = &e.frames(Output::Summary).unwrap()[0];
    let total = summary
        .fields
        .iter()
        .find(|f| f.name == "total cost")
        .unwrap();
    assert!((total.values[0] - 40.0).abs() < 1e-9, "{:?}", total.values);
    // No commits metric: the ratio is unavailable, carried as NaN (null in JSON), never Inf.
    let per_commit = summary
        .fields
        .iter()
        .find(|f| f.name == "cost per commit")
        .unwrap();
    assert!(per_commit.values[0].is_nan());

    // The request's group-by replaces the config's.
    let b = &e.frames(Output::Breakdown).unwrap()[0];
    assert_eq!(b.text[0].name, "user_email");
    assert_eq!(b.text[0].values, ["b", "a"]);
    assert_eq!(b.fields[0].values, [30.0, 10.0]);
    assert_eq!(b.fields[1].values, [0.75, 0.25]);

    let forecast = &e.frames(Output::Forecast).unwrap()[0];
    assert_eq!(forecast.time_ms.len(), 3);
    assert_eq!(forecast.fields[0].name, "actual");
}

#[test]
fn a_custom_metric_mapping_replaces_detection_for_its_roles() {
    let to = T0 + 10 * H;
    let cost = ViewConfig::from_json(
        ViewKind::Cost,
        r#"{"metrics": {"cost": "team_ai_spend_usd_total", "commits": "git_commits_total"}}"#,
    )
    .unwrap();
    // The Claude Code name exists too, but the mapping says which one is the truth.
    let available = names(&[
        "team_ai_spend_usd_total",
        "git_commits_total",
        "claude_code_cost_usage_USD_total",
    ]);
    let planned = plan(cost, request(T0, to), &Utc, &available).unwrap();
    let selectors: Vec<&str> = planned
        .fetches()
        .iter()
        .map(|f| f.selector.as_str())
        .collect();
    assert_eq!(selectors, ["team_ai_spend_usd_total", "git_commits_total"]);
    let ramp = |top: f64| -> Vec<f64> { (0..=10).map(|k| top * f64::from(k) / 10.0).collect() };
    let fetched = vec![
        vec![counter(
            "team_ai_spend_usd_total",
            &[("model", "m")],
            T0,
            H,
            &ramp(12.0),
        )],
        vec![counter("git_commits_total", &[], T0, H, &ramp(4.0))],
    ];
    let e = planned.evaluate(&fetched).unwrap();
    let summary = &e.frames(Output::Summary).unwrap()[0];
    let get = |n: &str| summary.fields.iter().find(|f| f.name == n).unwrap().values[0];
    assert!((get("total cost") - 12.0).abs() < 1e-9);
    // 12 USD over 4 commits.
    assert!((get("cost per commit") - 3.0).abs() < 1e-9);

    // A mapped name that does not exist is missing, named as configured.
    let cost =
        ViewConfig::from_json(ViewKind::Cost, r#"{"metrics": {"cost": "nope_total"}}"#).unwrap();
    let err = plan(cost, request(T0, to), &Utc, &available)
        .unwrap_err()
        .to_string();
    assert!(err.contains("looked for nope_total"), "{err}");
    // Unknown roles are refused with the valid ones.
    let err = ViewConfig::from_json(ViewKind::Cost, r#"{"metrics": {"price": "x"}}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown variant `price`"), "{err}");
}
