//! Every view's entry point (`ViewConfig::from_json` → `plan` → `Plan::evaluate` →
//! `Evaluation::frames`) on a config from the input and series built with `arbitrary`.
//!
//! Input layout: byte 0 picks the view, then the config's JSON up to the first NUL byte, then
//! the bytes `arbitrary` reads the request, the zone and each fetch's series from. Seeds are
//! written in this layout (see fuzz/README.md).
#![no_main]

use arbitrary::{Arbitrary, Result, Unstructured};
use fleetlens::engine::{plan, Output, Request, ViewConfig, ViewKind};
use fleetlens::window::{FixedOffset, Utc, ZoneOffsets};
use fleetlens::{Labels, Series};
use libfuzzer_sys::fuzz_target;

/// 2026-03-10T00:00:00Z: requests are mostly near it, so calendar periods resolve.
const T0: i64 = 1_773_100_800_000;
const MINUTE: i64 = 60_000;
const MAX_SERIES: usize = 6;
const MAX_SAMPLES: usize = 200;

/// Label names and values the views group by, match on or read (`le`).
const NAMES: &[&str] = &[
    "job",
    "model",
    "user_email",
    "agent_id",
    "status",
    "code",
    "le",
    "instance",
    "type",
    "query_source",
    "outcome",
    "workspace",
];
const VALUES: &[&str] = &[
    "a",
    "b",
    "500",
    "200",
    "0.1",
    "0.5",
    "1",
    "+Inf",
    "-Inf",
    "NaN",
    "",
    "claude-sonnet-4-5",
    "input",
    "output",
    "cacheRead",
    "cacheCreation",
    "success",
    "error",
];

fn pick<'a>(u: &mut Unstructured<'_>, list: &[&'a str]) -> Result<String> {
    if u.ratio(1, 8)? {
        // Now and then a label text of the input's own.
        return Ok(<&str>::arbitrary(u)?.chars().take(24).collect());
    }
    Ok((*u.choose(list)?).to_owned())
}

fn request(u: &mut Unstructured<'_>) -> Result<Request> {
    let (from_ms, to_ms) = if u.ratio(1, 16)? {
        (i64::arbitrary(u)?, i64::arbitrary(u)?)
    } else {
        let to = T0 + i64::from(u.int_in_range(-50_000..=50_000)?) * MINUTE;
        let len = i64::from(u.int_in_range(-10..=200_000)?) * MINUTE;
        (to - len, to)
    };
    let step_ms = match u.int_in_range(0..=3)? {
        0 => Some(i64::arbitrary(u)?),
        1 => Some(i64::from(u.int_in_range(1..=1_440)?) * MINUTE),
        _ => None,
    };
    let group_by = if u.ratio(1, 4)? {
        Some(pick(u, NAMES)?)
    } else {
        None
    };
    Ok(Request {
        from_ms,
        to_ms,
        step_ms,
        group_by,
    })
}

fn series(u: &mut Unstructured<'_>, metric: &str, at_ms: i64, range_ms: i64) -> Result<Series> {
    let mut labels = Labels::new();
    labels.insert("__name__".to_owned(), metric.to_owned());
    for _ in 0..u.int_in_range(0..=4)? {
        labels.insert(pick(u, NAMES)?, pick(u, VALUES)?);
    }
    let n = u.int_in_range(0..=MAX_SAMPLES)?;
    let mut t = at_ms.saturating_sub(range_ms.max(0));
    let mut v = 0.0f64;
    let mut time_ms = Vec::with_capacity(n);
    let mut values = Vec::with_capacity(n);
    for _ in 0..n {
        if u.is_empty() {
            break;
        }
        // Mostly a steady scrape and a growing counter; sometimes anything (resets, NaN, ±Inf,
        // timestamps out of order or out of range).
        t = match u.int_in_range(0..=15)? {
            0 => i64::arbitrary(u)?,
            1 => t.saturating_sub(i64::from(u.int_in_range(0..=600_000)?)),
            _ => t.saturating_add(i64::from(u.int_in_range(1..=600_000)?)),
        };
        v = match u.int_in_range(0..=15)? {
            0 => f64::arbitrary(u)?,
            1 => 0.0,
            _ => v + f64::from(u.int_in_range(0..=1_000u16)?) / 100.0,
        };
        time_ms.push(t);
        values.push(v);
    }
    Ok(Series {
        labels,
        time_ms,
        values,
    })
}

/// Every string in the config (metric names among them): the names the data source "holds".
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => {
            out.push(s.clone());
            out.push(format!("{s}_bucket"));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The metric a selector (`name{...}`) reads.
fn metric_of(selector: &str) -> &str {
    selector.split('{').next().unwrap_or(selector)
}

fn run(kind: ViewKind, config: &str, u: &mut Unstructured<'_>) -> Result<()> {
    let Ok(view) = ViewConfig::from_json(kind, config) else {
        return Ok(());
    };
    let request = request(u)?;
    let fixed;
    let zone: &dyn ZoneOffsets = if u.ratio(1, 3)? {
        let minutes = i64::from(u.int_in_range(-1_000..=1_000)?);
        match FixedOffset::new(minutes * MINUTE) {
            Ok(z) => {
                fixed = z;
                &fixed
            }
            Err(_) => &Utc,
        }
    } else {
        &Utc
    };
    let mut names = vec![
        "claude_code_cost_usage_USD_total".to_owned(),
        "claude_code_token_usage_tokens_total".to_owned(),
        "claude_code_cost_usage_total".to_owned(),
        "claude_code_token_usage_total".to_owned(),
    ];
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(config) {
        strings(&json, &mut names);
    }
    if u.ratio(1, 8)? {
        names.truncate(u.int_in_range(0..=names.len())?);
    }
    let _ = fleetlens::engine::validate(&view, &request, zone);
    let Ok(plan) = plan(view, request, zone, &names) else {
        return Ok(());
    };
    let mut fetched = Vec::new();
    for fetch in plan.fetches() {
        let mut list = Vec::new();
        for _ in 0..u.int_in_range(0..=MAX_SERIES)? {
            list.push(series(
                u,
                metric_of(&fetch.selector),
                fetch.at_ms,
                fetch.range_ms,
            )?);
        }
        fetched.push(list);
    }
    if u.ratio(1, 32)? {
        fetched.pop();
    }
    let Ok(evaluation) = plan.evaluate(&fetched) else {
        return Ok(());
    };
    let _ = evaluation.warnings();
    let _ = serde_json::to_string(&evaluation);
    for output in Output::of(kind) {
        if let Ok(frames) = evaluation.frames(*output) {
            for frame in &frames {
                // Every column as long as the frame, as the data frame JSON requires.
                let rows = frame.rows();
                if frame.has_time() {
                    assert_eq!(frame.time_ms.len(), rows);
                }
                assert!(frame.text.iter().all(|t| t.values.len() == rows));
                assert!(frame.fields.iter().all(|f| f.values.len() == rows));
                let _ = serde_json::to_string(frame);
            }
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let kind = match which % 3 {
        0 => ViewKind::Cost,
        1 => ViewKind::Slo,
        _ => ViewKind::Agents,
    };
    let split = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    let (config, tail) = rest.split_at(split);
    let Ok(config) = std::str::from_utf8(config) else {
        return;
    };
    let mut u = Unstructured::new(tail.get(1..).unwrap_or_default());
    let _ = run(kind, config, &mut u);
});
