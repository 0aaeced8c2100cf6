//! The SLO view: raw samples of the config's selectors over the period (and the alert backtest's
//! longest window before `--from`), [`evaluate_slo`] at `--to`, and [`slo_timeline`] from
//! `--from` to `--to` for the backtest and the frames.
//!
//! Raw samples rather than per-step `increase()` pushed into PromQL: the burn rates need seven
//! windows at every backtest step and the period SLI, all answered by one set of samples per
//! selector; the range is bounded by [`super::MAX_FETCH_RANGE_MS`].

use std::io::Write;

use fleetlens::views::slo::{
    evaluate_slo, slo_timeline, AlertInterval, AlertLevel, CalendarUnit, Exhaustion, GroupResult,
    Period, PeriodBounds, Selector, Sli, SliData, SloConfig, SloReport, SloWarning, Steps,
    BURN_WINDOWS,
};
use fleetlens::window::{self, period_bounds};
use fleetlens::Frame;
use serde::Serialize;

use super::{
    check_range, fetch, not_found, num, pct, secs_text, table, time_text, write_json, Ctx, Res,
    LOOKBACK_MS,
};
use fleetlens::time::parse_duration_ms;

/// Backtest steps aimed for when `--step` is not given.
const AUTO_STEPS: i64 = 200;
/// Most burn-down points (over the period) when `--step` is not given.
const AUTO_BURN_DOWN_POINTS: i64 = 2_000;
const MINUTE_MS: i64 = 60_000;

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

fn calendar(u: CalendarUnit) -> window::CalendarUnit {
    match u {
        CalendarUnit::Day => window::CalendarUnit::Day,
        CalendarUnit::Week => window::CalendarUnit::Week,
        CalendarUnit::Month => window::CalendarUnit::Month,
        CalendarUnit::Quarter => window::CalendarUnit::Quarter,
    }
}

/// The series to fetch: the `_bucket` series of a latency histogram.
fn selectors(sli: &Sli) -> Vec<Selector> {
    match sli {
        Sli::Ratio { good, bad, total } => good
            .iter()
            .chain(bad)
            .cloned()
            .chain([total.clone()])
            .collect(),
        Sli::Latency { histogram, .. } => {
            let mut s = histogram.clone();
            if !s.metric.ends_with("_bucket") {
                s.metric.push_str("_bucket");
            }
            vec![s]
        }
        Sli::Availability { gauge, .. } => vec![gauge.clone()],
    }
}

pub(super) fn run(ctx: &Ctx<'_>, out: &mut impl Write) -> Res<()> {
    let config = SloConfig::from_json(&ctx.config_text()?).map_err(|e| ctx.config_error(e))?;
    let (to, from) = (ctx.to_ms, ctx.from_ms);
    // A calendar period is the one holding the instant just before --to, so a report at
    // midnight on the 1st covers the month that just ended.
    let (start, period_ms) = match &config.period {
        Period::Rolling(_) => {
            let p = config
                .period
                .rolling_ms()
                .map_err(|e| ctx.config_error(e))?
                .unwrap_or_default();
            (to - p, p)
        }
        Period::Calendar(u) => {
            let b = period_bounds(calendar(*u), &ctx.zone, to - 1)?;
            (b.start_ms, b.len_ms())
        }
    };
    let bounds = PeriodBounds {
        start_ms: start,
        end_ms: to,
        period_ms,
    };
    let conditions = config
        .conditions(period_ms)
        .map_err(|e| ctx.config_error(e))?;
    let longest = conditions
        .iter()
        .map(|c| c.long_ms)
        .chain(BURN_WINDOWS.iter().map(|w| w.1))
        .max()
        .unwrap_or_default();
    let step_ms = match &ctx.args.step {
        Some(s) => parse_duration_ms(s).map_err(|e| format!("--step: {e}"))?,
        None => {
            let raw = ((to - from) / AUTO_STEPS)
                .max((to - start) / AUTO_BURN_DOWN_POINTS)
                .max(MINUTE_MS);
            (raw + MINUTE_MS - 1) / MINUTE_MS * MINUTE_MS
        }
    };
    let range_ms = to - start.min(from - longest) + LOOKBACK_MS;
    check_range("the SLO period and the backtest", range_ms)?;

    let client = ctx.client()?;
    let wanted = selectors(&config.sli);
    let names = client.metric_names()?;
    let missing: Vec<&str> = wanted
        .iter()
        .map(|s| s.metric.as_str())
        .filter(|m| !names.iter().any(|n| n == m))
        .collect();
    if !missing.is_empty() {
        return Err(not_found(&format!("slo {}", config.name), &missing, &names));
    }
    let mut fetched = Vec::new();
    for s in &wanted {
        fetched.push(fetch(&client, &s.to_promql(), to, range_ms)?);
    }
    let data = match (&config.sli, fetched.as_slice()) {
        (Sli::Ratio { .. }, [selected, total]) => SliData::Ratio { selected, total },
        (Sli::Latency { .. }, [buckets]) => SliData::Latency { buckets },
        (Sli::Availability { .. }, [gauge]) => SliData::Availability { gauge },
        _ => return Err("internal: selectors and SLI kind disagree".into()),
    };
    let report = evaluate_slo(&config, &data, bounds)?;
    let steps = Steps {
        start_ms: from,
        end_ms: to,
        step_ms,
    };
    let timeline = slo_timeline(&config, &data, bounds, steps)?;
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

fn warning_text(w: &SloWarning) -> String {
    match w {
        SloWarning::NoSeries {
            selector,
            consequence,
        } => format!("no series for {selector}: {consequence}"),
        SloWarning::NoData { group } => format!("no traffic over the period for {group}"),
        SloWarning::ThresholdInterpolated { message, .. } => message.clone(),
        SloWarning::GroupsCapped { found, kept } => {
            format!("{found} groups, only the first {kept} are listed")
        }
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
        writeln!(out, "warning: {}", warning_text(w))?;
    }
    Ok(())
}
