//! OTLP/HTTP JSON of what Claude Code exports, shaped as Claude Code sends it.
//!
//! Metrics (`POST /v1/metrics`, [`metrics_request`]): cumulative monotonic sums with OTel
//! instrument names and units, attributes with dotted names (`session.id`, `user.email`), and the
//! resource attributes `service.name`, `service.version` and the `OTEL_RESOURCE_ATTRIBUTES` keys
//! teams set (`team_id`, `cost_center`). Histograms and gauges (explicit bounds, `asDouble`) are
//! encoded too, for any family given an OTel name.
//!
//! Events (`POST /v1/logs`, [`logs_request`]): log records with the event name as body
//! (`claude_code.api_request`), string attributes (`event.name`, `event.timestamp`, the session's
//! and the event's own), under the same resources and scope as the metrics.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "nanoseconds are computed in i128"
)]

use serde_json::{json, Map, Value as Json};

use super::events::{Event, Identity};
use super::{LabelPairs, MetricKind, Simulator, Value};

/// The instrumentation scope Claude Code reports.
pub const SCOPE_NAME: &str = "com.anthropic.claude_code";
/// The `service.version` resource attribute sent.
pub const SERVICE_VERSION: &str = "2.0.0";
/// Labels that are resource attributes in OTLP (the Collector turns them back into labels).
const RESOURCE_KEYS: [(&str, &str); 3] = [
    ("service_name", "service.name"),
    ("team_id", "team_id"),
    ("cost_center", "cost_center"),
];
/// Labels whose OTel attribute name has a dot.
const DOTTED: [(&str, &str); 6] = [
    ("session_id", "session.id"),
    ("organization_id", "organization.id"),
    ("user_account_uuid", "user.account_uuid"),
    ("user_id", "user.id"),
    ("user_email", "user.email"),
    ("terminal_type", "terminal.type"),
];
/// `aggregationTemporality` for cumulative data.
const CUMULATIVE: u8 = 2;

/// Data points per family index, in the order first seen.
type FamilyPoints = Vec<(usize, Vec<Json>)>;

fn attr(key: &str, value: &str) -> Json {
    json!({ "key": key, "value": { "stringValue": value } })
}

/// The resource and record attributes of series labels, in OTel names: resource attributes
/// sorted, `service.version` among them; record attributes in label order.
pub(crate) fn identity(labels: &[(String, String)]) -> Identity {
    let mut resource: LabelPairs = vec![("service.version".into(), SERVICE_VERSION.into())];
    let mut attributes = Vec::new();
    for (k, v) in labels {
        if let Some((_, rk)) = RESOURCE_KEYS.iter().find(|(l, _)| l == k) {
            resource.push(((*rk).to_owned(), v.clone()));
        } else {
            let key = DOTTED
                .iter()
                .find(|(l, _)| l == k)
                .map_or(k.as_str(), |(_, d)| d);
            attributes.push((key.to_owned(), v.clone()));
        }
    }
    resource.sort();
    Identity {
        resource,
        attributes,
    }
}

/// The OTLP JSON request body for `events`: one `resourceLogs` per resource (in the order first
/// seen), one scope, the records in the order given. Each record has `timeUnixNano`,
/// `observedTimeUnixNano` (the same: the simulation has no delivery delay), `severityNumber`,
/// `severityText`, a string `body` and string attributes. An empty `resourceLogs` for no events.
pub fn logs_request(events: &[Event]) -> Json {
    let mut resources: Vec<(&LabelPairs, Vec<Json>)> = Vec::new();
    for e in events {
        let (number, text) = e.kind.severity();
        let record = json!({
            "timeUnixNano": e.time_ns.to_string(),
            "observedTimeUnixNano": e.time_ns.to_string(),
            "severityNumber": number,
            "severityText": text,
            "body": { "stringValue": e.kind.body() },
            "attributes": e.attributes.iter().map(|(k, v)| attr(k, v)).collect::<Vec<_>>(),
        });
        match resources.iter_mut().find(|(r, _)| **r == e.resource) {
            Some((_, records)) => records.push(record),
            None => resources.push((&e.resource, vec![record])),
        }
    }
    let resource_logs: Vec<Json> = resources
        .into_iter()
        .map(|(res, records)| {
            json!({
                "resource": { "attributes": res.iter().map(|(k, v)| attr(k, v)).collect::<Vec<_>>() },
                "scopeLogs": [{ "scope": { "name": SCOPE_NAME, "version": SERVICE_VERSION }, "logRecords": records }]
            })
        })
        .collect();
    json!({ "resourceLogs": resource_logs })
}

fn nanos(ms: i64) -> String {
    (i128::from(ms) * 1_000_000).to_string()
}

/// The OTLP JSON request body for every series of the families with an OTel name at the
/// current step of `sim`: one `resourceMetrics` per resource (service and team), one scope,
/// one metric per family. An empty `resourceMetrics` when there is nothing to send.
pub fn metrics_request(sim: &Simulator) -> Json {
    let families = sim.families();
    let now = nanos(sim.time_ms());
    let mut resources: Vec<(LabelPairs, FamilyPoints)> = Vec::new();
    sim.visit(&mut |p| {
        let Some(f) = families.get(p.family) else {
            return;
        };
        if f.otel.is_none() {
            return;
        }
        let mut res: Vec<(String, String)> =
            vec![("service.version".into(), SERVICE_VERSION.into())];
        let mut attrs = Vec::new();
        for (k, v) in p.labels {
            if let Some((_, rk)) = RESOURCE_KEYS.iter().find(|(l, _)| l == k) {
                res.push(((*rk).to_owned(), v.clone()));
            } else {
                let key = DOTTED
                    .iter()
                    .find(|(l, _)| l == k)
                    .map_or(k.as_str(), |(_, d)| d);
                attrs.push(attr(key, v));
            }
        }
        res.sort();
        let mut point = Map::new();
        point.insert("attributes".into(), Json::Array(attrs));
        point.insert("startTimeUnixNano".into(), json!(nanos(p.start_ms)));
        point.insert("timeUnixNano".into(), json!(now));
        match p.value {
            Value::Number(v) => {
                point.insert("asDouble".into(), json!(v));
            }
            Value::Histogram(h) => {
                let mut prev = 0.0;
                let mut counts: Vec<Json> = h
                    .cumulative
                    .iter()
                    .map(|c| {
                        let n = (c - prev).max(0.0);
                        prev = *c;
                        json!((n as u64).to_string())
                    })
                    .collect();
                counts.push(json!(((h.count - prev).max(0.0) as u64).to_string()));
                point.insert("count".into(), json!((h.count as u64).to_string()));
                point.insert("sum".into(), json!(h.sum));
                point.insert("bucketCounts".into(), Json::Array(counts));
                point.insert("explicitBounds".into(), json!(f.buckets));
            }
        }
        let entry = match resources.iter_mut().position(|(r, _)| *r == res) {
            Some(i) => resources.get_mut(i),
            None => {
                resources.push((res, Vec::new()));
                resources.last_mut()
            }
        };
        if let Some((_, fams)) = entry {
            match fams.iter_mut().find(|(i, _)| *i == p.family) {
                Some((_, points)) => points.push(Json::Object(point)),
                None => fams.push((p.family, vec![Json::Object(point)])),
            }
        }
    });
    let resource_metrics: Vec<Json> = resources
        .into_iter()
        .map(|(res, fams)| {
            let metrics: Vec<Json> = fams
                .into_iter()
                .filter_map(|(i, points)| {
                    let f = families.get(i)?;
                    let otel = f.otel.as_ref()?;
                    let data = match f.kind {
                        MetricKind::Counter => ("sum", json!({ "aggregationTemporality": CUMULATIVE, "isMonotonic": true, "dataPoints": points })),
                        MetricKind::Histogram => ("histogram", json!({ "aggregationTemporality": CUMULATIVE, "dataPoints": points })),
                        MetricKind::Gauge => ("gauge", json!({ "dataPoints": points })),
                    };
                    let mut m = Map::new();
                    m.insert("name".into(), json!(otel.name));
                    m.insert("unit".into(), json!(otel.unit));
                    m.insert("description".into(), json!(f.help));
                    m.insert(data.0.into(), data.1);
                    Some(Json::Object(m))
                })
                .collect();
            json!({
                "resource": { "attributes": res.iter().map(|(k, v)| attr(k, v)).collect::<Vec<_>>() },
                "scopeMetrics": [{ "scope": { "name": SCOPE_NAME, "version": SERVICE_VERSION }, "metrics": metrics }]
            })
        })
        .collect();
    json!({ "resourceMetrics": resource_metrics })
}
