//! The cost view: [`fleetlens::engine`] detects the metric names, plans raw samples of each
//! name found from the earliest of `--from`, the month start and `--to − forecastDays`, and
//! evaluates the view with "now" = `--to`, today and the month resolved in `--tz`; this module
//! prints it.
//!
//! Raw samples rather than per-step `increase()`: the view reads every series at several window
//! bounds (range, today, 24 h, month, forecast days, each hour), which one set of samples per
//! name answers.

use std::io::Write;

use fleetlens::engine::{Evaluation, ViewKind};
use fleetlens::views::cost::{Breakdown, BudgetRunout, CostClock, CostReport, Quantity};
use fleetlens::Frame;
use serde::Serialize;

use super::{evaluate, num, pct, table, time_text, write_json, Ctx, Res};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDoc<'a> {
    view: &'static str,
    clock: &'a CostClock,
    report: &'a CostReport,
    frames: Vec<Frame>,
}

pub(super) fn run(ctx: &Ctx<'_>, out: &mut impl Write) -> Res<()> {
    let view = ctx.view_config(ViewKind::Cost)?;
    let Evaluation::Cost { clock, report } = evaluate(ctx, view)? else {
        return Err("internal: the cost plan gave another view".into());
    };
    if ctx.args.json {
        return write_json(
            out,
            &JsonDoc {
                view: "cost",
                clock: &clock,
                report: &report,
                frames: report.to_frames(),
            },
        );
    }
    write_table(out, &report, &clock)
}

fn q(v: &Quantity, f: fn(f64) -> String) -> String {
    match v {
        Quantity::Value { value } => f(*value),
        Quantity::Unavailable { unavailable } => format!("unavailable: {unavailable}"),
    }
}

fn usd(v: f64) -> String {
    format!("${v:.2}")
}

fn usd4(v: f64) -> String {
    format!("${}", num(v))
}

fn write_breakdown(out: &mut impl Write, b: &Breakdown) -> Res<()> {
    writeln!(out, "cost by {}:", b.label)?;
    let rows: Vec<Vec<String>> = b
        .rows
        .iter()
        .map(|r| {
            let name = if r.other {
                "(other)".to_owned()
            } else {
                r.value.clone().unwrap_or_else(|| "(none)".to_owned())
            };
            vec![name, usd(r.cost_usd), r.share.map_or("-".to_owned(), pct)]
        })
        .collect();
    table(out, &[&b.label.to_uppercase(), "COST", "SHARE"], &rows)?;
    Ok(())
}

fn write_table(out: &mut impl Write, r: &CostReport, clock: &CostClock) -> Res<()> {
    writeln!(
        out,
        "cost {} .. {}, counter mode {}{}",
        time_text(clock.from_ms),
        time_text(clock.to_ms),
        serde_json::to_string(&r.counter_mode)?,
        r.promql_compat
            .map(|c| format!(" ({})", serde_json::to_string(&c).unwrap_or_default()))
            .unwrap_or_default()
    )?;
    writeln!(out, "total: {}", q(&r.total_usd, usd))?;
    writeln!(
        out,
        "today: {}   rolling 24h: {}   month to date: {}",
        q(&r.today_usd, usd),
        q(&r.rolling_24h_usd, usd),
        q(&r.month_to_date_usd, usd)
    )?;
    let f = &r.forecast;
    let runout = match &f.budget_runout {
        BudgetRunout::AlreadyExceeded => "already exceeded".to_owned(),
        BudgetRunout::At { time_ms } => format!("runs out {}", time_text(*time_ms)),
        BudgetRunout::NotWithinMonth => "lasts the month".to_owned(),
        BudgetRunout::Unavailable { reason } => format!("unavailable: {reason}"),
    };
    let forecast = match (f.month_end_low_usd.value(), f.month_end_high_usd.value()) {
        (Some(lo), Some(hi)) => {
            format!("{} [{} .. {}]", q(&f.month_end_usd, usd), usd(lo), usd(hi))
        }
        _ => q(&f.month_end_usd, usd),
    };
    writeln!(
        out,
        "month-end forecast: {forecast}; budget {}: {runout}",
        f.budget_usd.map_or("none".to_owned(), usd)
    )?;
    writeln!(
        out,
        "cluster cost: {}   tokens: {}",
        q(&r.cluster_cost_usd, usd),
        q(&r.total_tokens, num)
    )?;
    writeln!(out)?;
    let e = &r.efficiency;
    let rows: Vec<Vec<String>> = [
        ("cost per commit", q(&e.cost_per_commit, usd4)),
        ("cost per pull request", q(&e.cost_per_pull_request, usd4)),
        ("cost per 1k lines", q(&e.cost_per_1k_lines, usd4)),
        ("cost per active hour", q(&e.cost_per_active_hour, usd4)),
        ("cost per session", q(&e.cost_per_session, usd4)),
        (
            "cost per completed task",
            q(&e.cost_per_completed_task, usd4),
        ),
        ("cost per accepted edit", q(&e.cost_per_accepted_edit, usd4)),
        ("tokens per dollar", q(&e.tokens_per_dollar, num)),
        ("cache hit ratio", q(&e.cache_hit_ratio, pct)),
        ("cache savings", q(&e.cache_savings_usd, usd)),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_owned(), v])
    .collect();
    table(out, &["PER OUTCOME", "VALUE"], &rows)?;
    // Model first: the breakdown most asked for.
    let mut breakdowns: Vec<&Breakdown> = r.breakdowns.iter().collect();
    breakdowns.sort_by_key(|b| b.label != "model");
    for b in breakdowns {
        writeln!(out)?;
        write_breakdown(out, b)?;
    }
    writeln!(out)?;
    writeln!(out, "anomalous hours: {}", r.anomalies.len())?;
    for a in &r.anomalies {
        writeln!(
            out,
            "  hour ending {}: {} (baseline median {})",
            time_text(a.time_ms),
            usd(a.cost_usd),
            usd(a.baseline_median_usd)
        )?;
    }
    for w in &r.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}
