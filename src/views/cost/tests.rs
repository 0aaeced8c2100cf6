#![allow(clippy::arithmetic_side_effects, reason = "test data")]

use super::*;

const H: i64 = HOUR_MS;

fn series(name: &str, labels: &[(&str, &str)], values: &[f64]) -> Series {
    let mut l = Labels::from_pairs(labels.iter().copied());
    l.insert("__name__".into(), name.into());
    Series {
        labels: l,
        time_ms: (0..values.len() as i64).map(|k| k * H).collect(),
        values: values.to_vec(),
    }
}

fn ramp(to: f64) -> Vec<f64> {
    (0..=10).map(|k| to * f64::from(k) / 10.0).collect()
}

fn clock() -> CostClock {
    CostClock {
        from_ms: 0,
        to_ms: 10 * H,
        now_ms: 10 * H,
        today_start_ms: 0,
        month_start_ms: 0,
        month_end_ms: 30 * DAY_MS,
    }
}

const COST: &str = "claude_code_cost_usage_USD_total";
const TOKENS: &str = "claude_code_token_usage_tokens_total";

/// Two cost series over 10 h: m1 (user a) climbs 0 → 10; m2 (no user) climbs 0, 2, …, 8, resets
/// to 1 and climbs to 11: 8 + 1 + 10 = 19. Total 29.
fn fleet() -> Vec<Series> {
    vec![
        series(COST, &[("model", "m1"), ("user_email", "a")], &ramp(10.0)),
        series(
            COST,
            &[("model", "m2")],
            &[0., 2., 4., 6., 8., 1., 3., 5., 7., 9., 11.],
        ),
        series("claude_code_commit_count_total", &[], &ramp(4.0)),
        series(
            "claude_code_lines_of_code_count_total",
            &[("type", "added")],
            &ramp(800.0),
        ),
        series(
            "claude_code_lines_of_code_count_total",
            &[("type", "removed")],
            &ramp(200.0),
        ),
        series("claude_code_session_count_total", &[], &[3.0; 11]),
        series(
            "claude_code_active_time_seconds_total",
            &[("type", "user")],
            &ramp(7200.0),
        ),
        series(TOKENS, &[("model", "m1"), ("type", "input")], &ramp(1e6)),
        series(
            TOKENS,
            &[("model", "m1"), ("type", "cacheRead")],
            &ramp(3e6),
        ),
        series(
            TOKENS,
            &[("model", "m1"), ("type", "cacheCreation")],
            &ramp(1e6),
        ),
        series(TOKENS, &[("model", "m1"), ("type", "output")], &ramp(5e5)),
    ]
}

fn prices() -> Vec<ModelPrice> {
    let p = |model: &str, input: f64, output: f64, cw: f64, cr: f64| ModelPrice {
        model: model.into(),
        effective_from: "1970-01-01".into(),
        effective_until: None,
        input,
        output,
        cache_write: cw,
        cache_read: cr,
    };
    vec![
        p("m1", 3.0, 15.0, 3.75, 0.3),
        p("cheap", 1.0, 5.0, 1.25, 0.1),
    ]
}

fn config() -> CostConfig {
    CostConfig {
        prices: Some(prices()),
        monthly_budget_usd: Some(100.0),
        ..CostConfig::default()
    }
}

fn v(q: &Quantity) -> f64 {
    q.value().unwrap_or(f64::NAN)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn every_formula_on_a_hand_computed_fleet() {
    let r = evaluate_cost(&fleet(), &config(), &clock()).unwrap();
    let unavailable = |q: &Quantity| match q {
        Quantity::Unavailable { unavailable } => unavailable.clone(),
        Quantity::Value { value } => format!("value {value}"),
    };
    let e = &r.efficiency;
    let cases: &[(&str, f64, f64)] = &[
        ("total", v(&r.total_usd), 29.0),
        // 29 / 4 commits
        ("per commit", v(&e.cost_per_commit), 7.25),
        // 800 + 200 lines = 1k lines
        ("per 1k lines", v(&e.cost_per_1k_lines), 29.0),
        // 7200 s = 2 h
        ("per active hour", v(&e.cost_per_active_hour), 14.5),
        // (1 + 3 + 1 + 0.5) M tokens / $29
        ("tokens per dollar", v(&e.tokens_per_dollar), 5.5e6 / 29.0),
        // 3 / (3 + 1 + 1)
        ("cache hit ratio", v(&e.cache_hit_ratio), 0.6),
        // 3 M cache reads × ($3 − $0.30) per M
        ("cache savings", v(&e.cache_savings_usd), 8.1),
        ("today", v(&r.today_usd), 29.0),
        ("month to date", v(&r.month_to_date_usd), 29.0),
        // only m1's series has a user: 10 of 29
        ("user known", v(&r.coverage.user_known_share), 10.0 / 29.0),
    ];
    for (name, got, want) in cases {
        assert!(close(*got, *want), "case {name} failed: {got} != {want}");
    }
    assert_eq!(
        unavailable(&e.cost_per_pull_request),
        "pull requests metric missing"
    );
    assert_eq!(unavailable(&e.cost_per_session), "no sessions in range");
    assert_eq!(
        unavailable(&e.cost_per_accepted_edit),
        "edit decisions metric missing"
    );
    let by_model = &r.breakdowns[0];
    assert_eq!(by_model.label, "model");
    assert_eq!(by_model.rows[0].value.as_deref(), Some("m2"));
    assert!(close(by_model.rows[0].cost_usd, 19.0));
    let by_user = &r.breakdowns[1];
    assert_eq!(by_user.rows[0].value, None, "the series without user_email");
    // What-if: month to date's tokens on "cheap": 1 M × 1 + 3 M × 0.1 + 1 M × 1.25 + 0.5 M × 5.
    let cheap = r.what_if.iter().find(|w| w.model == "cheap").unwrap();
    assert!(close(v(&cheap.cost_usd), 1.0 + 0.3 + 1.25 + 2.5));
    // Hourly: 1 + 2 per hour, except the reset hour (1 + 1); cumulative ends at the total.
    assert_eq!(r.hourly_cost_usd, [3., 3., 3., 3., 2., 3., 3., 3., 3., 3.]);
    assert_eq!(r.cumulative_cost_usd.last(), Some(&29.0));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("pull requests: missing — looked for")));
    let frames = r.to_frames();
    assert_eq!(frames[0].fields[0].unit.as_deref(), Some("currencyUSD"));
    assert_eq!(frames[1].time_ms.len(), 10);
}

#[test]
fn promql_mode_extrapolates_and_is_reported() {
    let mut c = config();
    c.counter_mode = CounterMode::Promql;
    c.promql_compat = PromqlCompat::V2;
    let r = evaluate_cost(&fleet(), &c, &clock()).unwrap();
    // Samples cover the whole closed range [0, 10 h]: no extrapolation, same total as exact.
    assert!(close(v(&r.total_usd), 29.0));
    assert_eq!(r.promql_compat, Some(PromqlCompat::V2));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["counterMode"], "promql");
    assert_eq!(
        json["efficiency"]["costPerSession"]["unavailable"],
        "no sessions in range"
    );
    assert_eq!(json["totalUsd"]["value"], 29.0);
}

#[test]
fn missing_cost_metric_is_no_data_not_zero() {
    let r = evaluate_cost(&fleet()[2..], &config(), &clock()).unwrap();
    assert_eq!(r.total_usd.value(), None);
    assert!(r.warnings.iter().any(|w| w.starts_with(
        "cost: missing — looked for claude_code_cost_usage_USD_total, claude_code_claude_code_cost_usage_USD_total, claude_code_cost_usage_total"
    )));
    assert!(r.hourly_cost_usd.is_empty());
    let empty = evaluate_cost(&[], &config(), &clock()).unwrap();
    assert_eq!(empty.efficiency.cost_per_commit.value(), None);
}

#[test]
fn bad_config_is_refused() {
    type Case = (&'static str, &'static str, &'static str);
    let cases: &[Case] = &[
        (
            "unknown field",
            r#"{"budget": 3}"#,
            "unknown field `budget`",
        ),
        (
            "robust promql",
            r#"{"robust": true, "counterMode": "promql"}"#,
            "robust mode",
        ),
        (
            "negative budget",
            r#"{"monthlyBudgetUsd": -1}"#,
            "monthlyBudgetUsd -1",
        ),
        ("zero groups", r#"{"maxGroups": 0}"#, "maxGroups"),
        (
            "negative price",
            r#"{"prices": [{"model":"m","effectiveFrom":"2025-01-01","input":-1,"output":1,"cacheWrite":1,"cacheRead":1}]}"#,
            "input price -1",
        ),
    ];
    for (name, json, want) in cases {
        let err = match serde_json::from_str::<CostConfig>(json) {
            Err(e) => e.to_string(),
            Ok(c) => evaluate_cost(&fleet(), &c, &clock())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
        };
        assert!(err.contains(want), "case {name} failed: {err}");
    }
    let mut bad = clock();
    bad.now_ms = 31 * DAY_MS;
    assert!(evaluate_cost(&fleet(), &config(), &bad).is_err());
    // cacheCreation is accepted as the cache-write price's other name.
    let c: CostConfig = serde_json::from_str(
        r#"{"prices": [{"model":"m","effectiveFrom":"2025-01-01","input":1,"output":1,"cacheCreation":2,"cacheRead":1}]}"#,
    )
    .unwrap();
    assert_eq!(c.prices.unwrap()[0].cache_write, 2.0);
}

#[test]
fn breakdowns_are_capped_with_a_warning() {
    let mut c = config();
    c.max_groups = 1;
    let r = evaluate_cost(&fleet(), &c, &clock()).unwrap();
    let rows = &r.breakdowns[0].rows;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].other && close(rows[0].cost_usd, 29.0));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("summed into \"other\"")));
    c.group_by = vec!["team_id".into()];
    let r = evaluate_cost(&fleet(), &c, &clock()).unwrap();
    assert!(r.warnings.iter().any(|w| w.starts_with(
        "group by team_id: no cost series has this label; labels there: model, user_email"
    )));
}

#[test]
fn negative_and_all_nan_counters_are_named() {
    let mut input = fleet();
    input.push(series(
        "claude_code_commit_count_total",
        &[("user_email", "z")],
        &[f64::NAN; 11],
    ));
    input.push(series(
        COST,
        &[("model", "m3")],
        &[0., -1., 2., 3., 3., 3., 3., 3., 3., 3., 3.],
    ));
    let r = evaluate_cost(&input, &config(), &clock()).unwrap();
    assert!(r.warnings.contains(
        &"series claude_code_commit_count_total{user_email=\"z\"} has 11 samples and none is a \
          finite number (all NaN or ±Inf): it contributes nothing; check the exporter or the \
          recording rule that writes it"
            .to_owned()
    ));
    assert!(r.warnings.iter().any(|w| w.starts_with(
        "counter claude_code_cost_usage_USD_total{model=\"m3\"} has 1 negative values; counters \
         never go below zero."
    )));
    // The drop to −1 is a reset that counts nothing; −1 → 2 counts 3, 2 → 3 counts 1: 29 + 4.
    assert!(close(v(&r.total_usd), 33.0));
    // The NaN series adds nothing: 29 + 4 over the same 4 commits.
    assert!(close(v(&r.efficiency.cost_per_commit), 33.0 / 4.0));
    assert!(r
        .health
        .flagged
        .iter()
        .any(|f| f.labels.get("model") == Some("m3")));
}

#[test]
fn unknown_metric_names_say_what_exists() {
    let input = vec![
        series("my_claude_cost_dollars_total", &[], &ramp(3.0)),
        series("up", &[], &[1.0; 11]),
    ];
    let r = evaluate_cost(&input, &config(), &clock()).unwrap();
    assert_eq!(r.total_usd.value(), None);
    assert!(r.warnings.contains(
        &"cost: missing — looked for claude_code_cost_usage_USD_total, \
          claude_code_claude_code_cost_usage_USD_total, claude_code_cost_usage_total, \
          claude_code_cost_usage_usd_total; no cost figure can be shown; names that exist with \
          \"cost\": my_claude_cost_dollars_total"
            .to_owned()
    ));
    assert!(r.warnings.iter().any(|w| w.starts_with("commits: missing")
        && w.ends_with("no metric name among the 2 that exist contains \"commit\"")));
}

#[test]
fn breakdown_cap_defaults_to_the_named_constant() {
    assert_eq!(CostConfig::default().max_groups, DEFAULT_MAX_GROUPS);
    let c: CostConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(c.max_groups, DEFAULT_MAX_GROUPS);
    // DEFAULT_MAX_GROUPS + 1 users: the smallest two are summed into "other".
    let mut input = Vec::new();
    for u in 0..=DEFAULT_MAX_GROUPS {
        let user = format!("u{u:03}");
        input.push(series(
            COST,
            &[("model", "m1"), ("user_email", user.as_str())],
            &ramp(1.0 + u as f64),
        ));
    }
    let r = evaluate_cost(&input, &config(), &clock()).unwrap();
    let by_user = r
        .breakdowns
        .iter()
        .find(|b| b.label == "user_email")
        .unwrap();
    assert_eq!(by_user.rows.len(), DEFAULT_MAX_GROUPS);
    let other = by_user.rows.last().unwrap();
    assert!(other.other && close(other.cost_usd, 1.0 + 2.0));
    assert!(r.warnings.contains(
        &"group by user_email: 51 values; the smallest 2 are summed into \"other\" (raise \
          maxGroups to see them)"
            .to_owned()
    ));
}

#[test]
fn forecast_and_budget() {
    // Daily costs 1, 2, 3, 10: median 2.5; deviations 1.5, 0.5, 0.5, 7.5 → MAD 1; spread 1.4826.
    // Month to date 5, 10 days left: 5 + 2.5·10 = 30; band 5 + 1.0174·10 and 5 + 3.9826·10.
    // Budget 20: (20 − 5) / 2.5 = 6 days from now.
    let f = forecast(&[1.0, 2.0, 3.0, 10.0], &Ok(5.0), Some(20.0), 0, 10 * DAY_MS);
    assert!(close(v(&f.month_end_usd), 30.0));
    assert!(close(v(&f.month_end_low_usd), 15.174));
    assert!(close(v(&f.month_end_high_usd), 44.826));
    assert_eq!(
        f.budget_runout,
        BudgetRunout::At {
            time_ms: 6 * DAY_MS
        }
    );
    type Case = (&'static str, &'static [f64], f64, Option<f64>, BudgetRunout);
    let cases: &[Case] = &[
        (
            "exceeded",
            &[1.0, 1.0],
            25.0,
            Some(20.0),
            BudgetRunout::AlreadyExceeded,
        ),
        (
            "lasts",
            &[1.0, 1.0],
            5.0,
            Some(20.0),
            BudgetRunout::NotWithinMonth,
        ),
        (
            "idle",
            &[0.0, 0.0],
            5.0,
            Some(20.0),
            BudgetRunout::NotWithinMonth,
        ),
        (
            "one day",
            &[1.0],
            5.0,
            Some(20.0),
            BudgetRunout::Unavailable {
                reason: "fewer than 2 days of cost data before now".into(),
            },
        ),
        (
            "no budget",
            &[1.0, 1.0],
            5.0,
            None,
            BudgetRunout::Unavailable {
                reason: "no monthlyBudgetUsd configured".into(),
            },
        ),
    ];
    for (name, daily, mtd, budget, want) in cases {
        let f = forecast(daily, &Ok(*mtd), *budget, 0, 10 * DAY_MS);
        assert_eq!(&f.budget_runout, want, "case {name} failed");
    }
}

#[test]
fn anomalies_need_a_robust_excess() {
    // Six hours at $1: median 1, MAD 0, threshold 1. $1.20 is above it but less than
    // ANOMALY_MIN_EXCESS_USD over the median; $10 is an anomaly (baseline now 1 ×6 and 1.2:
    // median 1, MAD 0).
    let t: Vec<i64> = (1..=8).map(|k| k * H).collect();
    let a = anomalies(&t, &[1., 1., 1., 1., 1., 1., 1.2, 10.]);
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].time_ms, a[0].threshold_usd), (8 * H, 1.0));
    // Five hours of baseline are not enough.
    assert!(anomalies(&t[..6], &[1., 1., 1., 1., 1., 50.]).is_empty());
    // Baseline 1..=6: median 3.5, MAD 1.5, threshold 3.5 + 3.5 / 0.6745 · 1.5 ≈ 11.28, so 12 is
    // an anomaly. Then baseline 1..=6, 12: median 4, MAD 2, threshold ≈ 14.38: 13 is not.
    let b = anomalies(&t, &[1., 2., 3., 4., 5., 6., 12., 13.]);
    assert_eq!(b.iter().map(|a| a.time_ms).collect::<Vec<_>>(), [7 * H]);
}

#[test]
fn medians() {
    let cases: &[(&str, &[f64], Option<f64>)] = &[
        ("empty", &[], None),
        ("odd", &[3., 1., 2.], Some(2.0)),
        ("even", &[4., 1., 2., 3.], Some(2.5)),
        ("nan skipped", &[f64::NAN, 1.0], Some(1.0)),
    ];
    for (name, values, want) in cases {
        assert_eq!(median(values), *want, "case {name} failed");
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cumulative_cost_never_decreases_and_ratios_are_finite(
            values in proptest::collection::vec(0.0f64..100.0, 2..40),
            commits in proptest::collection::vec(0.0f64..5.0, 2..40),
        ) {
            let n = values.len() as i64;
            let c = CostClock { from_ms: 0, to_ms: (n - 1) * H, now_ms: (n - 1) * H, today_start_ms: 0, month_start_ms: 0, month_end_ms: 60 * DAY_MS };
            let input = vec![
                series(COST, &[("model", "m1")], &values),
                series("claude_code_commit_count_total", &[], &commits),
            ];
            let r = evaluate_cost(&input, &config(), &c).unwrap();
            prop_assert!(r.cumulative_cost_usd.windows(2).all(|w| w[1] >= w[0]));
            let e = serde_json::to_value(&r.efficiency).unwrap();
            for (_, q) in e.as_object().unwrap() {
                let ok = q.get("value").is_some_and(|v| v.as_f64().is_some_and(f64::is_finite))
                    || q.get("unavailable").is_some_and(|u| u.is_string());
                prop_assert!(ok, "{q}");
            }
        }
    }
}
