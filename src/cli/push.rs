//! `fleetlens push-dashboards`: puts the provisioned dashboards into an existing Grafana through
//! its HTTP API with a service-account token, for installations that do not use file
//! provisioning.
//!
//! Idempotent: the folder is created only when missing, and a dashboard is saved only when its
//! JSON differs from what Grafana holds (ignoring `id` and `version`), so a second run changes
//! nothing and adds no dashboard versions. Works with Grafana 9.4 and later (`folderUid` on
//! `POST /api/dashboards/db`).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Largest response body read.
const MAX_BODY_BYTES: u64 = 64 << 20;

#[derive(Debug, Args)]
pub(crate) struct PushArgs {
    /// Grafana's base URL, e.g. http://127.0.0.1:3000 or https://grafana.example.com.
    #[arg(long, value_name = "URL", env = "FLEETLENS_GRAFANA_URL")]
    grafana_url: String,

    /// A service-account token with the Editor role (prefer the environment variable).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "FLEETLENS_GRAFANA_TOKEN",
        hide_env_values = true
    )]
    token: String,

    /// Folder holding the dashboards' JSON files.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "provisioning/dashboards/fleetlens"
    )]
    dir: PathBuf,

    /// Uid of the Grafana folder to put them in (created when missing).
    #[arg(long, value_name = "UID", default_value = "fleetlens")]
    folder_uid: String,

    /// Title of that folder when it is created.
    #[arg(long, value_name = "TITLE", default_value = "FleetLens")]
    folder_title: String,

    /// Request timeout in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
}

struct Grafana {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl Grafana {
    fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Res<(u16, Value)> {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token);
        let sent = match (method, body) {
            ("POST", Some(b)) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .send(b.to_string()),
            _ => self
                .agent
                .get(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .call(),
        };
        let mut resp = sent.map_err(|e| format!("{method} {url}: {e}"))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_string()
            .map_err(|e| format!("{method} {url}: reading the body: {e}"))?;
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if status == 401 || status == 403 {
            return Err(format!(
                "{method} {url}: HTTP {status}: {} (check --token: a service-account token with \
                 the Editor role)",
                message(&value)
            )
            .into());
        }
        Ok((status, value))
    }
}

/// Grafana's `message`, or the body text.
fn message(v: &Value) -> String {
    match v {
        Value::Object(o) => o
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| v.to_string(), str::to_owned),
        Value::String(s) => s.chars().take(200).collect(),
        other => other.to_string(),
    }
}

/// A dashboard without the fields Grafana assigns.
fn comparable(d: &Value) -> Value {
    let mut d = d.clone();
    if let Some(o) = d.as_object_mut() {
        o.remove("id");
        o.remove("version");
    }
    d
}

/// The dashboards under `dir`, sorted by file name.
fn read_dashboards(dir: &Path) -> Res<Vec<(PathBuf, Value)>> {
    let entries = fs::read_dir(dir).map_err(|e| format!("--dir {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("--dir {}: no dashboard JSON files", dir.display()).into());
    }
    let mut out = Vec::new();
    for f in files {
        let text = fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", f.display()))?;
        let uid = v.get("uid").and_then(Value::as_str).unwrap_or_default();
        if uid.trim().is_empty() {
            return Err(format!("{}: the dashboard has no uid", f.display()).into());
        }
        out.push((f, v));
    }
    Ok(out)
}

pub(crate) fn run(args: &PushArgs) -> Res<()> {
    let dashboards = read_dashboards(&args.dir)?;
    let g = Grafana {
        base: args.grafana_url.trim_end_matches('/').to_owned(),
        token: args.token.clone(),
        agent: ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(args.timeout.max(1))))
            .http_status_as_error(false)
            .user_agent(concat!("fleetlens/", env!("CARGO_PKG_VERSION")))
            .build()
            .into(),
    };

    let (status, folder) = g.send("GET", &format!("/api/folders/{}", args.folder_uid), None)?;
    match status {
        200 => println!("folder {}: exists", args.folder_uid),
        404 => {
            let body = json!({ "uid": args.folder_uid, "title": args.folder_title });
            let (status, created) = g.send("POST", "/api/folders", Some(&body))?;
            if status != 200 {
                return Err(format!(
                    "creating folder {}: HTTP {status}: {}",
                    args.folder_uid,
                    message(&created)
                )
                .into());
            }
            println!("folder {}: created", args.folder_uid);
        }
        _ => {
            return Err(format!(
                "folder {}: HTTP {status}: {}",
                args.folder_uid,
                message(&folder)
            )
            .into())
        }
    }

    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    for (path, dashboard) in dashboards {
        let uid = dashboard
            .get("uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let title = dashboard
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let (status, existing) = g.send("GET", &format!("/api/dashboards/uid/{uid}"), None)?;
        let state = match status {
            200 => {
                let same_folder = existing
                    .pointer("/meta/folderUid")
                    .and_then(Value::as_str)
                    .map_or(true, |f| f == args.folder_uid);
                let same = existing
                    .get("dashboard")
                    .is_some_and(|d| comparable(d) == comparable(&dashboard));
                if same && same_folder {
                    unchanged += 1;
                    println!("{uid} ({title}): unchanged");
                    continue;
                }
                "updated"
            }
            404 => "created",
            _ => {
                return Err(format!(
                    "{}: reading {uid}: HTTP {status}: {}",
                    path.display(),
                    message(&existing)
                )
                .into())
            }
        };
        let body = json!({
            "dashboard": comparable(&dashboard),
            "folderUid": args.folder_uid,
            "overwrite": true,
            "message": "fleetlens push-dashboards",
        });
        let (status, saved) = g.send("POST", "/api/dashboards/db", Some(&body))?;
        if status != 200 {
            return Err(format!(
                "{}: saving {uid}: HTTP {status}: {}",
                path.display(),
                message(&saved)
            )
            .into());
        }
        if state == "created" {
            created += 1;
        } else {
            updated += 1;
        }
        let version = saved.get("version").and_then(Value::as_i64).unwrap_or(0);
        println!("{uid} ({title}): {state}, version {version}");
    }
    println!("dashboards: {created} created, {updated} updated, {unchanged} unchanged");
    Ok(())
}
