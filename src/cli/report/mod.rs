//! `fleetlens report`: one of the derived views (cost, SLO, agents) evaluated on raw samples read
//! from Prometheus, printed as a table or as one JSON document (the view's typed result and its
//! frames).
//!
//! **Data path.** [`fleetlens::engine::plan`] says which raw samples the view needs (instant
//! queries of range selectors at `--to`); they are fetched here one request each, and
//! [`fleetlens::engine::Plan::evaluate`] computes the view, exactly as the data source does in
//! the browser. A fetch range longer than [`fleetlens::engine::MAX_FETCH_RANGE_MS`] is refused
//! before anything is sent.

mod agents;
mod cost;
mod slo;

use std::error::Error;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use fleetlens::engine::{self, Evaluation, Request, ViewConfig, ViewKind};
use fleetlens::time::{ms_to_seconds_text, parse_duration_ms};
use fleetlens::window::IanaZone;

use crate::http::{PromArgs, PromClient};
use crate::range::RangeArgs;

type Res<T> = Result<T, Box<dyn Error>>;

/// Which view to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum View {
    /// Cost efficiency: totals, breakdowns, cost per outcome, forecast.
    Cost,
    /// SLO error budget: SLI, budget, burn rates, alert state, backtest.
    Slo,
    /// Agent performance: leaderboard and fleet summary.
    Agents,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    prom: PromArgs,

    /// The view to evaluate.
    #[arg(long, value_enum)]
    view: View,

    /// The view's JSON configuration (the same shape the Grafana panels use). For the agents
    /// view, startMs/endMs/nowMs are set from --from/--to.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,

    #[command(flatten)]
    range: RangeArgs,

    /// IANA time zone for calendar periods, "today" and the month (e.g. Europe/Berlin).
    #[arg(long, value_name = "NAME", default_value = "UTC")]
    tz: String,

    /// SLO only: step of the alert backtest and burn-down (default: the range / 200, at least
    /// 1m, whole minutes).
    #[arg(long, value_name = "DURATION")]
    step: Option<String>,

    /// Print one JSON document (the view's result and its frames) instead of a table.
    #[arg(long)]
    json: bool,
}

/// What every view gets from the command line.
pub(crate) struct Ctx<'a> {
    args: &'a ReportArgs,
    from_ms: i64,
    to_ms: i64,
    zone: IanaZone,
}

impl Ctx<'_> {
    /// The config file's text.
    fn config_text(&self) -> Res<String> {
        std::fs::read_to_string(&self.args.config)
            .map_err(|e| format!("--config {}: {e}", self.args.config.display()).into())
    }

    /// A config error naming the file.
    fn config_error(&self, e: impl std::fmt::Display) -> Box<dyn Error> {
        config_error(&self.args.config, e)
    }

    fn client(&self) -> Res<PromClient> {
        Ok(PromClient::new(&self.args.prom)?)
    }

    /// `--step` in ms, if given.
    fn step_ms(&self) -> Res<Option<i64>> {
        self.args
            .step
            .as_deref()
            .map(|s| parse_duration_ms(s).map_err(|e| format!("--step: {e}").into()))
            .transpose()
    }

    /// Reads `--config` as the config of `kind`.
    fn view_config(&self, kind: ViewKind) -> Res<ViewConfig> {
        ViewConfig::from_json(kind, &self.config_text()?).map_err(|e| self.config_error(e))
    }
}

fn config_error(path: &Path, e: impl std::fmt::Display) -> Box<dyn Error> {
    format!("{}: {e}", path.display()).into()
}

pub(crate) fn run(args: &ReportArgs) -> Res<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let (from_ms, to_ms) = args.range.resolve(now)?;
    if to_ms <= from_ms {
        return Err("--to must be after --from".into());
    }
    let zone = IanaZone::from_name(&args.tz).map_err(|e| format!("--tz: {e}"))?;
    let ctx = Ctx {
        args,
        from_ms,
        to_ms,
        zone,
    };
    let mut out = io::stdout().lock();
    match args.view {
        View::Cost => cost::run(&ctx, &mut out),
        View::Slo => slo::run(&ctx, &mut out),
        View::Agents => agents::run(&ctx, &mut out),
    }
}

/// Plans `view` for the command line's range, fetches what the plan asks for and evaluates it.
fn evaluate(ctx: &Ctx<'_>, view: ViewConfig) -> Res<Evaluation> {
    let request = Request {
        from_ms: ctx.from_ms,
        to_ms: ctx.to_ms,
        step_ms: ctx.step_ms()?,
        group_by: None,
    };
    engine::validate(&view, &request, &ctx.zone).map_err(|e| match e {
        fleetlens::Error::InvalidConfig(_) => ctx.config_error(e),
        other => other.into(),
    })?;
    let client = ctx.client()?;
    let names = client.metric_names()?;
    let plan = engine::plan(view, request, &ctx.zone, &names)?;
    let mut fetched = Vec::with_capacity(plan.fetches().len());
    for f in plan.fetches() {
        let r = client
            .query(&f.promql, f.at_ms)
            .map_err(|e| format!("{}: {e}", f.promql))?;
        if r.result_type.as_str() != "matrix" {
            return Err(format!(
                "{}: expected raw samples (a matrix), got a {}",
                f.promql,
                r.result_type.as_str()
            )
            .into());
        }
        fetched.push(r.series);
    }
    Ok(plan.evaluate(&fetched)?)
}

/// Epoch milliseconds as RFC 3339 UTC.
fn time_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms_to_seconds_text(ms),
        |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// A number for tables: up to 4 decimals, trailing zeros removed.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// A share as a percentage.
fn pct(v: f64) -> String {
    format!("{}%", num(v * 100.0))
}

/// Seconds as a readable duration (`3.5h`, `12.1d`).
fn secs_text(s: f64) -> String {
    if s < 3600.0 {
        format!("{}m", num(s / 60.0))
    } else if s < 172_800.0 {
        format!("{}h", num(s / 3600.0))
    } else {
        format!("{}d", num(s / 86_400.0))
    }
}

/// An aligned table: the first column left-aligned, the others right-aligned.
fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i == 0 {
                line.push_str(&format!("{cell:<w$}"));
            } else {
                line.push_str(&format!("  {cell:>w$}"));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Writes `doc` as one line of JSON.
fn write_json(out: &mut impl Write, doc: &impl serde::Serialize) -> Res<()> {
    serde_json::to_writer(&mut *out, doc)?;
    writeln!(out)?;
    Ok(())
}
