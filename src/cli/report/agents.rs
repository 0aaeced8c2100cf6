//! The agents view: raw samples of each configured metric that exists over `--from`..`--to`
//! (at least the heartbeat's `downAfterS` back, plus the lookback), and [`agents_view`] with
//! `startMs`/`endMs`/`nowMs` set from `--from`/`--to`.
//!
//! Raw samples: the view needs per-series increases with Prometheus' reset rule, time-weighted
//! load and the latest heartbeat, all from the same samples.

use std::io::Write;

use fleetlens::views::agents::{agents_view, AgentsConfig, AgentsView, HeartbeatStatus, Quantity};
use fleetlens::Frame;
use serde::Serialize;

use super::{
    check_range, fetch, not_found, num, pct, secs_text, table, time_text, write_json, Ctx, Res,
    LOOKBACK_MS,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDoc<'a> {
    view: &'static str,
    report: &'a AgentsView,
    frames: Vec<Frame>,
}

pub(super) fn run(ctx: &Ctx<'_>, out: &mut impl Write) -> Res<()> {
    let mut json: serde_json::Value = serde_json::from_str(&ctx.config_text()?)
        .map_err(|e| ctx.config_error(format!("agents view: {e}")))?;
    let obj = json
        .as_object_mut()
        .ok_or_else(|| ctx.config_error("agents view: expected a JSON object"))?;
    obj.insert("startMs".into(), ctx.from_ms.into());
    obj.insert("endMs".into(), ctx.to_ms.into());
    obj.insert("nowMs".into(), ctx.to_ms.into());
    let config = AgentsConfig::from_json(&json.to_string()).map_err(|e| ctx.config_error(e))?;
    let heartbeat_ms = (config.heartbeat.down_after_s * 1000.0).ceil() as i64;
    let range_ms = (ctx.to_ms - ctx.from_ms).max(heartbeat_ms) + LOOKBACK_MS;
    check_range("the agents view", range_ms)?;

    let m = &config.metrics;
    let wanted: Vec<String> = [
        m.tasks_completed.clone(),
        m.tasks_failed.clone(),
        format!("{}_bucket", m.task_duration),
        m.load.clone(),
        m.heartbeat.clone(),
        m.tokens.clone(),
        m.cost.clone(),
        m.queue_size.clone(),
        m.tasks_active.clone(),
        m.agents_total.clone(),
        m.agents_available.clone(),
        format!("{}_bucket", m.api_duration),
    ]
    .into_iter()
    .collect();
    let client = ctx.client()?;
    let names = client.metric_names()?;
    let present: Vec<&String> = wanted.iter().filter(|w| names.contains(w)).collect();
    if present.is_empty() {
        let looked: Vec<&str> = wanted.iter().map(String::as_str).collect();
        return Err(not_found("agents view", &looked, &names));
    }
    let mut series = Vec::new();
    let mut seen: Vec<&String> = Vec::new();
    for name in present {
        if !seen.contains(&name) {
            series.extend(fetch(&client, name, ctx.to_ms, range_ms)?);
            seen.push(name);
        }
    }
    let view = agents_view(&series, &config)?;
    if ctx.args.json {
        return write_json(
            out,
            &JsonDoc {
                view: "agents",
                report: &view,
                frames: view.to_frames(),
            },
        );
    }
    write_table(out, &view)
}

fn q(v: &Quantity, f: fn(f64) -> String) -> String {
    match v {
        Quantity::Value { value } => f(*value),
        Quantity::NoEvents { reason } => format!("no events: {reason}"),
        Quantity::Unavailable { reason } => format!("unavailable: {reason}"),
    }
}

/// A cell: the value, or `-` (the reasons are in the JSON output).
fn cell(v: &Quantity, f: fn(f64) -> String) -> String {
    v.value().map_or_else(|| "-".to_owned(), f)
}

fn secs(v: f64) -> String {
    format!("{}s", num(v))
}

fn write_table(out: &mut impl Write, v: &AgentsView) -> Res<()> {
    writeln!(
        out,
        "agents by {} over {} .. {}, counter mode {}",
        v.group_label,
        time_text(v.start_ms),
        time_text(v.end_ms),
        serde_json::to_string(&v.counter_mode)?
    )?;
    let f = &v.fleet;
    writeln!(
        out,
        "fleet: agents total {}; available {}; queue {}; active tasks {}",
        q(&f.agents_total.value, num),
        q(&f.agents_available.value, num),
        q(&f.queue_size, num),
        q(&f.tasks_active, num)
    )?;
    writeln!(
        out,
        "tasks completed: {} ({} per hour); API p50 {}, p95 {}",
        q(&f.tasks_completed, num),
        q(&f.tasks_per_hour, num),
        q(&f.api_p50, secs),
        q(&f.api_p95, secs)
    )?;
    writeln!(out)?;
    let rows: Vec<Vec<String>> = v
        .agents
        .iter()
        .map(|a| {
            let hb = match a.heartbeat.status {
                HeartbeatStatus::Healthy => "healthy",
                HeartbeatStatus::Stale => "stale",
                HeartbeatStatus::Down => "down",
                HeartbeatStatus::Unknown => "unknown",
            };
            let age = a
                .heartbeat
                .age_s
                .value()
                .map_or_else(String::new, |s| format!(" ({})", secs_text(s)));
            vec![
                a.rank.map_or("-".to_owned(), |r| r.to_string()),
                a.agent.clone(),
                cell(&a.score, num),
                cell(&a.tasks_completed, num),
                cell(&a.tasks_failed, num),
                cell(&a.tasks_per_hour, num),
                cell(&a.success_rate, pct),
                cell(&a.duration_p50, secs),
                cell(&a.duration_p95, secs),
                cell(&a.load_mean, num),
                format!("{hb}{age}"),
                cell(&a.cost_per_task, |c| format!("${}", num(c))),
                a.outliers
                    .iter()
                    .map(|o| o.measure)
                    .collect::<Vec<_>>()
                    .join(","),
            ]
        })
        .collect();
    table(
        out,
        &[
            "RANK",
            "AGENT",
            "SCORE",
            "DONE",
            "FAILED",
            "TASKS/H",
            "SUCCESS",
            "P50",
            "P95",
            "LOAD",
            "HEARTBEAT",
            "COST/TASK",
            "OUTLIER",
        ],
        &rows,
    )?;
    for m in &v.missing_metrics {
        writeln!(
            out,
            "missing: {} ({}): unavailable {}",
            m.metric,
            m.role,
            m.outputs.join(", ")
        )?;
    }
    for w in &v.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}
