//! The SLO view: [`fleetlens::engine`] plans raw samples of the config's selectors over the
//! period (and the alert backtest's longest window before `--from`) and evaluates the SLO at
//! `--to` and its timeline from `--from` to `--to`; this module prints it.
//!
//! Raw samples rather than per-step `increase()` pushed into PromQL: the burn rates need seven
//! windows at every backtest step and the period SLI, all answered by one set of samples per
//! selector.

use std::io::Write;

use fleetlens::engine::{slo_warning_text, Evaluation, ViewKind};
use fleetlens::views::slo::{AlertInterval, AlertLevel, Exhaustion, GroupResult, SloReport};
use fleetlens::Frame;
use serde::Serialize;

use super::{evaluate, num, pct, secs_text, table, time_text, write_json, Ctx, Res};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDoc<'a> {
    view: &'static str,
    report: &'a SloReport,
    /// The alert backtest: intervals in `--from`..`--to` when page and ticket would have fired.
    alerts: &'a [AlertInterval],
    step_ms: i64,
    frames: Vec<Frame>,
}

pub(super) fn run(ctx: &Ctx<'_>, out: &mut impl Write) -> Res<()> {
    let view = ctx.view_config(ViewKind::Slo)?;
    let Evaluation::Slo {
        report,
        timeline,
        step_ms,
    } = evaluate(ctx, view)?
    else {
        return Err("internal: the SLO plan gave another view".into());
    };
    if ctx.args.json {
        return write_json(
            out,
            &JsonDoc {
                view: "slo",
                report: &report,
                alerts: &timeline.alerts,
                step_ms,
                frames: timeline.to_frames(),
            },
        );
    }
    write_table(out, &report, &timeline.alerts, step_ms)?;
    Ok(())
}

fn opt(v: Option<f64>, f: fn(f64) -> String) -> String {
    v.map_or_else(|| "no data".to_owned(), f)
}

fn level_text(l: AlertLevel) -> &'static str {
    match l {
        AlertLevel::NoData => "no data",
        AlertLevel::Ok => "ok",
        AlertLevel::Ticket => "TICKET",
        AlertLevel::Page => "PAGE",
    }
}

fn exhaustion_text(e: Exhaustion) -> String {
    match e {
        Exhaustion::NoData => "no data".to_owned(),
        Exhaustion::Exhausted => "exhausted".to_owned(),
        Exhaustion::Never => "never".to_owned(),
        Exhaustion::In { seconds } => secs_text(seconds),
    }
}

fn row(g: &GroupResult, name: String) -> Vec<String> {
    let mut r = vec![
        name,
        opt(g.sli, pct),
        opt(g.budget.map(|b| b.remaining), pct),
    ];
    r.extend(g.burn_rates.iter().map(|b| opt(b.burn_rate, num)));
    r.push(level_text(g.alert.level).to_owned());
    r.push(exhaustion_text(g.exhaustion_1h));
    r.push(exhaustion_text(g.exhaustion_6h));
    r
}

fn write_table(
    out: &mut impl Write,
    r: &SloReport,
    alerts: &[AlertInterval],
    step_ms: i64,
) -> Res<()> {
    let o = &r.overall;
    writeln!(
        out,
        "SLO {}: objective {}, period {} .. {}, counter mode {}",
        r.name,
        pct(r.objective),
        time_text(r.bounds.start_ms),
        time_text(r.bounds.end_ms),
        serde_json::to_string(&r.counter_mode)?
    )?;
    let events = o.budget.map_or_else(String::new, |b| {
        format!(
            " ({} of {} allowed bad events left)",
            num(b.remaining_events),
            num(b.allowed_events)
        )
    });
    writeln!(
        out,
        "SLI {}, error budget remaining {}{events}",
        opt(o.sli, pct),
        opt(o.budget.map(|b| b.remaining), pct)
    )?;
    let fired: Vec<String> = o
        .alert
        .fired
        .iter()
        .map(|f| format!("{:?} {} (factor {})", f.severity, f.windows, num(f.factor)))
        .collect();
    writeln!(
        out,
        "alert: {}{}; budget exhausted in {} at the 1h burn rate, {} at the 6h burn rate",
        level_text(o.alert.level),
        if fired.is_empty() {
            String::new()
        } else {
            format!(" [{}]", fired.join(", "))
        },
        exhaustion_text(o.exhaustion_1h),
        exhaustion_text(o.exhaustion_6h)
    )?;
    writeln!(out)?;
    let mut header = vec!["GROUP", "SLI", "BUDGET LEFT"];
    let burn_headers: Vec<String> = o
        .burn_rates
        .iter()
        .map(|b| format!("BURN {}", b.window))
        .collect();
    header.extend(burn_headers.iter().map(String::as_str));
    header.extend(["ALERT", "EXHAUST@1h", "EXHAUST@6h"]);
    let mut rows = vec![row(o, "(all)".to_owned())];
    rows.extend(r.groups.iter().map(|g| row(g, g.labels.to_string())));
    table(out, &header, &rows)?;
    writeln!(out)?;
    writeln!(
        out,
        "alert backtest (step {}): {} interval(s)",
        secs_text(step_ms as f64 / 1000.0),
        alerts.len()
    )?;
    for a in alerts {
        writeln!(
            out,
            "  {:?} {} .. {} ({})",
            a.severity,
            time_text(a.start_ms),
            time_text(a.end_ms),
            a.conditions.join(", ")
        )?;
    }
    for w in &r.warnings {
        writeln!(out, "warning: {}", slo_warning_text(w))?;
    }
    Ok(())
}
