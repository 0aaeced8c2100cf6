//! `fleetlens query`: a range query, decoded by the core, printed as a table or as JSON frames.

use std::io::{self, Write};

use clap::Args;
use fleetlens::time::parse_duration_ms;
use fleetlens::{Frame, QueryResponse};
use serde::Serialize;

use crate::http::{PromArgs, PromClient};
use crate::range::RangeArgs;

/// Prometheus refuses range queries of more than this many points per series.
const MAX_POINTS_PER_SERIES: i64 = 11_000;

#[derive(Debug, Args)]
pub(crate) struct QueryArgs {
    #[command(flatten)]
    prom: PromArgs,

    /// The PromQL expression.
    #[arg(long, value_name = "PROMQL")]
    query: String,

    #[command(flatten)]
    range: RangeArgs,

    /// Resolution: a duration (15s, 1m) or seconds.
    #[arg(long, value_name = "DURATION", default_value = "1m")]
    step: String,

    /// Print the result as JSON data frames instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &QueryArgs) -> Result<(), Box<dyn std::error::Error>> {
    let now = chrono::Utc::now().timestamp_millis();
    let (start, end) = args.range.resolve(now)?;
    let step = parse_duration_ms(&args.step).map_err(|e| format!("--step: {e}"))?;
    if end < start {
        return Err("--to is before --from".into());
    }
    let points = (end - start) / step + 1;
    if points > MAX_POINTS_PER_SERIES {
        let min_step_ms = (end - start) / (MAX_POINTS_PER_SERIES - 1) + 1;
        let min_step_s = (min_step_ms + 999) / 1000;
        return Err(format!(
            "--step {} gives {points} points per series; Prometheus allows {MAX_POINTS_PER_SERIES}: use --step {min_step_s}s or more",
            args.step
        )
        .into());
    }
    let client = PromClient::new(&args.prom)?;
    let response = client.query_range(&args.query, start, end, step)?;
    let mut out = io::stdout().lock();
    if args.json {
        write_json(&mut out, &response)?;
    } else {
        write_table(&mut out, &response)?;
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonOutput<'a> {
    result_type: &'static str,
    frames: Vec<Frame>,
    #[serde(skip_serializing_if = "Option::is_none")]
    string: Option<&'a str>,
    warnings: &'a [String],
    infos: &'a [String],
}

fn write_json(out: &mut impl Write, r: &QueryResponse) -> io::Result<()> {
    let doc = JsonOutput {
        result_type: r.result_type.as_str(),
        frames: r.series.iter().map(|s| s.to_frame()).collect(),
        string: r.string.as_ref().map(|(_, s)| s.as_str()),
        warnings: &r.warnings,
        infos: &r.infos,
    };
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}

fn write_table(out: &mut impl Write, r: &QueryResponse) -> io::Result<()> {
    for w in &r.warnings {
        writeln!(out, "warning: {w}")?;
    }
    for i in &r.infos {
        writeln!(out, "info: {i}")?;
    }
    if let Some((_, text)) = &r.string {
        return writeln!(out, "string: {text}");
    }
    writeln!(
        out,
        "{}: {} series, {} points",
        r.result_type.as_str(),
        r.series.len(),
        r.point_count()
    )?;
    if r.series.is_empty() {
        return writeln!(out, "no series matched");
    }
    let rows: Vec<[String; 4]> = r
        .series
        .iter()
        .map(|s| {
            [
                s.labels.to_string(),
                s.len().to_string(),
                sample_text(s.first()),
                sample_text(s.last()),
            ]
        })
        .collect();
    let header = ["SERIES", "POINTS", "FIRST", "LAST"].map(str::to_owned);
    let mut widths = header.each_ref().map(String::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let [a, b, c, d] = row;
        let [wa, wb, wc, _] = widths;
        writeln!(out, "{a:<wa$}  {b:>wb$}  {c:<wc$}  {d}")?;
    }
    Ok(())
}

fn sample_text(sample: Option<(i64, f64)>) -> String {
    match sample {
        None => "-".to_owned(),
        Some((t, v)) => {
            let time = chrono::DateTime::from_timestamp_millis(t).map_or_else(
                || t.to_string(),
                |d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            );
            format!("{} @ {time}", value_text(v))
        }
    }
}

/// Values as Prometheus writes them: `NaN`, `+Inf`, `-Inf`, shortest round-trip decimals.
fn value_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v == f64::INFINITY {
        "+Inf".to_owned()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        v.to_string()
    }
}
