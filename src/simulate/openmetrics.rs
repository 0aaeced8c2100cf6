//! OpenMetrics text with timestamps, for `promtool tsdb create-blocks-from openmetrics`, and the
//! Prometheus text exposition format (0.0.4) of one step, for a live `/metrics`.
//!
//! In the OpenMetrics text each chunk lists its families in registry order, each family once
//! with its `# HELP` and `# TYPE`, each series' samples together in time order (a histogram's
//! buckets, count and sum per timestamp). A family therefore appears once per chunk; the text
//! ends with `# EOF` ([`EOF`]). Timestamps are seconds, with milliseconds when needed.

use std::fmt::Write as _;

use super::{Family, MetricKind, SeriesChunk, Value};
use crate::time::ms_to_seconds_text;

/// The last line of an OpenMetrics text.
pub const EOF: &str = "# EOF\n";

/// A number as both formats spell it: `NaN`, `+Inf`, `-Inf`, or the shortest decimal that
/// reads back to the same f64.
pub fn number_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v == f64::INFINITY {
        "+Inf".to_owned()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        format!("{v:?}").trim_end_matches(".0").to_owned()
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `{a="1",b="2"}` plus `extra` (`le`), or nothing when there are no labels.
fn label_text(labels: &[(String, String)], extra: Option<(&str, &str)>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    if let Some((k, v)) = extra {
        parts.push(format!("{k}=\"{v}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

/// The family name an OpenMetrics `# TYPE` line uses: a counter without its `_total`.
fn om_family_name(f: &Family) -> &str {
    match f.kind {
        MetricKind::Counter => f.name.strip_suffix("_total").unwrap_or(&f.name),
        _ => &f.name,
    }
}

fn type_text(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Counter => "counter",
        MetricKind::Gauge => "gauge",
        MetricKind::Histogram => "histogram",
    }
}

/// Appends the lines of one series' value; `ts` is the timestamp text with its leading space,
/// or empty.
fn value_lines(out: &mut String, f: &Family, labels: &[(String, String)], value: &Value, ts: &str) {
    match value {
        Value::Number(v) => {
            let _ = writeln!(
                out,
                "{}{} {}{ts}",
                f.name,
                label_text(labels, None),
                number_text(*v)
            );
        }
        Value::Histogram(h) => {
            for (b, c) in f.buckets.iter().zip(&h.cumulative) {
                let le = number_text(*b);
                let _ = writeln!(
                    out,
                    "{}_bucket{} {}{ts}",
                    f.name,
                    label_text(labels, Some(("le", &le))),
                    number_text(*c)
                );
            }
            let l = label_text(labels, None);
            let _ = writeln!(
                out,
                "{}_bucket{} {}{ts}",
                f.name,
                label_text(labels, Some(("le", "+Inf"))),
                number_text(h.count)
            );
            let _ = writeln!(out, "{}_count{l} {}{ts}", f.name, number_text(h.count));
            let _ = writeln!(out, "{}_sum{l} {}{ts}", f.name, number_text(h.sum));
        }
    }
}

/// One chunk as OpenMetrics text (without the final `# EOF`). `series` must be sorted by
/// family (as [`super::Chunks`] yields them); a family index out of range is skipped.
pub fn chunk_text(families: &[Family], series: &[SeriesChunk]) -> String {
    let mut out = String::new();
    let mut current: Option<usize> = None;
    for s in series {
        let Some(f) = families.get(s.family) else {
            continue;
        };
        if current != Some(s.family) {
            current = Some(s.family);
            let name = om_family_name(f);
            let _ = writeln!(out, "# HELP {name} {}", f.help);
            let _ = writeln!(out, "# TYPE {name} {}", type_text(f.kind));
            if !f.unit.is_empty() && name.ends_with(&format!("_{}", f.unit)) {
                let _ = writeln!(out, "# UNIT {name} {}", f.unit);
            }
        }
        for (t, v) in &s.samples {
            let ts = format!(" {}", ms_to_seconds_text(*t));
            value_lines(&mut out, f, &s.labels, v, &ts);
        }
    }
    out
}

/// The current step of `sim` in the Prometheus text exposition format 0.0.4 (no timestamps:
/// the scraper stamps them), families in registry order, each once. `skip` leaves out the
/// families for which it returns true (e.g. the ones pushed through OTLP instead).
pub fn exposition_text(sim: &super::Simulator, skip: &dyn Fn(&Family) -> bool) -> String {
    let families = sim.families();
    let mut per_family: Vec<String> = vec![String::new(); families.len()];
    sim.visit(&mut |p| {
        if let (Some(f), Some(buf)) = (families.get(p.family), per_family.get_mut(p.family)) {
            if !skip(f) {
                value_lines(buf, f, p.labels, p.value, "");
            }
        }
    });
    let mut out = String::new();
    for (f, body) in families.iter().zip(per_family) {
        if body.is_empty() {
            continue;
        }
        let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
        let _ = writeln!(out, "# TYPE {} {}", f.name, type_text(f.kind));
        out.push_str(&body);
    }
    out
}
