//! The agents view: [`fleetlens::engine`] plans raw samples of each configured metric that
//! exists over `--from`..`--to` (at least the heartbeat's `downAfterS` back) and evaluates the
//! view with `startMs`/`endMs`/`nowMs` set from `--from`/`--to`; this module prints it.
//!
//! Raw samples: the view needs per-series increases with Prometheus' reset rule, time-weighted
//! load and the latest heartbeat, all from the same samples.

use std::io::Write;

use fleetlens::engine::{Evaluation, ViewKind};
use fleetlens::views::agents::{AgentsView, HeartbeatStatus, Quantity};
use fleetlens::Frame;
use serde::Serialize;

use super::{evaluate, num, pct, secs_text, table, time_text, write_json, Ctx, Res};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDoc<'a> {
    view: &'static str,
    report: &'a AgentsView,
    frames: Vec<Frame>,
}

pub(super) fn run(ctx: &Ctx<'_>, out: &mut impl Write) -> Res<()> {
    let view = ctx.view_config(ViewKind::Agents)?;
    let Evaluation::Agents(view) = evaluate(ctx, view)? else {
        return Err("internal: the agents plan gave another view".into());
    };
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
