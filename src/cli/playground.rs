//! `fleetlens playground`: serves the standalone playground page, the built plugins, and a
//! Prometheus API for them on one address: the embedded fleet (the simulator's history, kept
//! up to the clock) or a real Prometheus behind a transparent proxy.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use fleetlens::promapi::{self, parse_form, percent_decode, Store};
use fleetlens::simulate::SimConfig;
use fleetlens::time::{ms_to_seconds_text, parse_duration_ms};

use crate::serve::{serve, Request, Response};

/// Where Grafana serves a data source's proxy: `/api/datasources/proxy/uid/<uid>/…`.
const PROXY_PREFIX: &str = "/api/datasources/proxy/uid/";
/// How long a request to `--prometheus` may take.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest answer taken from `--prometheus`.
const MAX_UPSTREAM_BYTES: u64 = 1 << 30;

/// The folder under `dist/` of each plugin id, as Grafana serves `public/plugins/<id>/`.
const PLUGIN_DIRS: &[(&str, &str)] = &[
    ("fleetlens-app", ""),
    ("fleetlens-views-datasource", "datasource"),
    ("fleetlens-cost-panel", "panels/cost"),
    ("fleetlens-slo-panel", "panels/slo"),
    ("fleetlens-agents-panel", "panels/agents"),
];

#[derive(Debug, Args)]
pub(crate) struct PlaygroundArgs {
    /// Address to serve on: HOST:PORT, or a port (then 127.0.0.1); port 0 picks a free one.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: String,

    /// Proxy the API to this Prometheus (full PromQL) instead of the embedded fleet, e.g.
    /// http://127.0.0.1:9090.
    #[arg(long, value_name = "URL")]
    prometheus: Option<String>,

    /// The repository checkout to serve: www/, dist/, target/playground/, provisioning/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,

    /// Embedded fleet: how much history before now.
    #[arg(long, value_name = "DURATION", default_value = "7d")]
    history: String,

    /// Embedded fleet: one sample per series per interval (1s to 1h).
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    interval: String,

    /// Embedded fleet: seed of every random draw.
    #[arg(long, default_value_t = fleetlens::simulate::config::DEFAULT_SEED)]
    seed: u64,

    /// Embedded fleet: Claude Code users (1 to 500).
    #[arg(long, default_value_t = fleetlens::simulate::config::DEFAULT_USERS)]
    users: u32,

    /// Embedded fleet: inject a fault, NAME or NAME@START..END (repeatable), as
    /// `fleetlens simulate --fault`; e.g. cost-spike@now-2h.. keeps a Claude Code session running.
    #[arg(long = "fault", value_name = "FAULT")]
    faults: Vec<String>,
}

type BoxError = Box<dyn std::error::Error>;

/// Where the API answers come from.
enum Backend {
    Embedded(Box<Mutex<Store>>),
    Proxy { url: String, agent: ureq::Agent },
}

struct State {
    root: PathBuf,
    backend: Backend,
    info: String,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `HOST:PORT`, `:PORT` or `PORT` (then 127.0.0.1).
fn listen_addr(text: &str) -> String {
    if text.parse::<u16>().is_ok() {
        format!("127.0.0.1:{text}")
    } else if let Some(port) = text.strip_prefix(':') {
        format!("127.0.0.1:{port}")
    } else {
        text.to_owned()
    }
}

pub(crate) fn run(args: &PlaygroundArgs) -> Result<(), BoxError> {
    let addr = listen_addr(&args.listen);
    let listener = TcpListener::bind(&addr).map_err(|e| format!("--listen {addr}: {e}"))?;
    let root = args
        .root
        .canonicalize()
        .map_err(|e| format!("--root {}: {e}", args.root.display()))?;
    let (backend, info) = match &args.prometheus {
        Some(url) => {
            let url = url.trim_end_matches('/').to_owned();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(
                    format!("--prometheus {url}: expected an http:// or https:// URL").into(),
                );
            }
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(UPSTREAM_TIMEOUT))
                .http_status_as_error(false)
                .user_agent(concat!("fleetlens-playground/", env!("CARGO_PKG_VERSION")))
                .build()
                .into();
            let info = serde_json::json!({
                "mode": "prometheus",
                "prometheus": url,
                "historyFromMs": null,
                "historyToMs": null,
                "seed": null,
                "intervalMs": null,
            });
            (Backend::Proxy { url, agent }, info.to_string())
        }
        None => {
            let history =
                parse_duration_ms(&args.history).map_err(|e| format!("--history: {e}"))?;
            let interval =
                parse_duration_ms(&args.interval).map_err(|e| format!("--interval: {e}"))?;
            let now = now_ms();
            let faults = crate::simulate::parse_faults(&args.faults, now)?;
            let config = SimConfig {
                seed: args.seed,
                users: args.users,
                interval_ms: interval,
                faults,
                ..SimConfig::default()
            };
            config.validate()?;
            let began = Instant::now();
            let store = Store::new(&config, now - history, now)?;
            eprintln!(
                "embedded fleet: history {} to {} ({}) every {}, seed {}: {} series, {} samples, built in {:.1} s",
                fmt_time(store.first_ms()),
                fmt_time(store.last_ms()),
                args.history,
                args.interval,
                args.seed,
                store.series().len(),
                store.sample_count(),
                began.elapsed().as_secs_f64()
            );
            let info = serde_json::json!({
                "mode": "embedded",
                "prometheus": null,
                "historyFromMs": store.first_ms(),
                "historyToMs": store.last_ms(),
                "seed": args.seed,
                "intervalMs": interval,
            });
            (
                Backend::Embedded(Box::new(Mutex::new(store))),
                info.to_string(),
            )
        }
    };
    let local = listener.local_addr()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "FleetLens playground: http://{local}/")?;
    out.flush()?;
    drop(out);
    let state = Arc::new(State {
        root,
        backend,
        info,
    });
    serve(&listener, move |req| route(&state, req));
    Ok(())
}

fn fmt_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms_to_seconds_text(ms),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

fn route(state: &State, req: &Request) -> Response {
    if let Some(rest) = req.path.strip_prefix(PROXY_PREFIX) {
        let api_path = rest.find('/').map_or("/", |i| rest.get(i..).unwrap_or("/"));
        return api(state, req, api_path);
    }
    if req.method != "GET" {
        return Response::text(405, "method not allowed");
    }
    if req.path == "/playground/info" {
        // The history end moves with the clock.
        if let Backend::Embedded(store) = &state.backend {
            if let Ok(mut s) = store.lock() {
                s.extend_to(now_ms());
                let mut info: serde_json::Value =
                    serde_json::from_str(&state.info).unwrap_or_default();
                info["historyToMs"] = s.last_ms().into();
                return Response::json(200, info.to_string());
            }
        }
        return Response::json(200, state.info.clone());
    }
    let path = percent_decode(&req.path, false);
    if let Some(rest) = path.strip_prefix("/public/plugins/") {
        let (id, file) = rest.split_once('/').unwrap_or((rest, ""));
        let Some((_, dir)) = PLUGIN_DIRS.iter().find(|(p, _)| *p == id) else {
            return Response::text(404, &format!("no plugin {id}"));
        };
        return static_file(
            &state.root.join("dist").join(dir),
            file,
            "dist/",
            "the plugins",
        );
    }
    if let Some(rest) = path.strip_prefix("/build/") {
        return static_file(
            &state.root.join("target/playground"),
            rest,
            "target/playground/",
            "the playground's host bundle",
        );
    }
    if let Some(rest) = path.strip_prefix("/provisioning/") {
        return static_file(
            &state.root.join("provisioning"),
            rest,
            "provisioning/",
            "the provisioning",
        );
    }
    static_file(
        &state.root.join("www"),
        path.trim_start_matches('/'),
        "www/",
        "the page",
    )
}

/// The Prometheus API: the embedded fleet, or the proxy to `--prometheus`.
fn api(state: &State, req: &Request, api_path: &str) -> Response {
    match &state.backend {
        Backend::Embedded(store) => {
            let mut params = parse_form(&req.query);
            let form = req
                .header("content-type")
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
            if req.method == "POST" && form {
                params.extend(parse_form(&String::from_utf8_lossy(&req.body)));
            }
            let now = now_ms();
            let Ok(mut s) = store.lock() else {
                return Response::json(
                    500,
                    promapi::error(500, "internal", "the store is unavailable").body,
                );
            };
            s.extend_to(now);
            let r = promapi::handle(&s, api_path, &params, now);
            Response::json(r.status, r.body)
        }
        Backend::Proxy { url, agent } => proxy(url, agent, req, api_path),
    }
}

fn proxy(base: &str, agent: &ureq::Agent, req: &Request, api_path: &str) -> Response {
    let mut target = format!("{base}{api_path}");
    if !req.query.is_empty() {
        target.push('?');
        target.push_str(&req.query);
    }
    let content_type = req
        .header("content-type")
        .unwrap_or("application/x-www-form-urlencoded");
    let result = match req.method.as_str() {
        "GET" => agent.get(&target).call(),
        "POST" => agent
            .post(&target)
            .header("Content-Type", content_type)
            .send(&req.body[..]),
        _ => return Response::text(405, "the proxy forwards GET and POST"),
    };
    let unreachable = |reason: String| {
        let msg = serde_json::json!({
            "message": format!("Prometheus at {base} is unreachable: {reason}")
        });
        Response::json(502, msg.to_string())
    };
    match result {
        Ok(mut resp) => {
            let status = resp.status().as_u16();
            let ct = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/json")
                .to_owned();
            match resp
                .body_mut()
                .with_config()
                .limit(MAX_UPSTREAM_BYTES)
                .read_to_vec()
            {
                Ok(body) => Response::new(status, &ct, body),
                Err(e) => unreachable(e.to_string()),
            }
        }
        Err(e) => unreachable(e.to_string()),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "wasm" => "application/wasm",
        "yaml" | "yml" => "text/yaml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn not_built(folder: &str, what: &str) -> Response {
    Response::new(
        404,
        "text/html; charset=utf-8",
        format!(
            "<!doctype html><title>Not built</title><h1>{folder} is missing</h1><p>{what} are not built yet: run <code>npm run build</code> in the repository, then reload.</p>"
        ),
    )
}

/// A file under `base` (a folder's `index.html`), refusing anything that resolves outside it.
fn static_file(base: &Path, rel: &str, folder: &str, what: &str) -> Response {
    let Ok(base) = base.canonicalize() else {
        return not_built(folder, what);
    };
    if rel.contains('\0') || rel.split('/').any(|p| p == "..") {
        return Response::text(403, "forbidden: the path leaves the served folder");
    }
    let Ok(mut file) = base.join(rel).canonicalize() else {
        return Response::text(404, &format!("not found: {rel}"));
    };
    if !file.starts_with(&base) {
        return Response::text(403, "forbidden: the path leaves the served folder");
    }
    if file.is_dir() {
        file = file.join("index.html");
    }
    let mut body = Vec::new();
    match std::fs::File::open(&file).and_then(|mut f| f.read_to_end(&mut body)) {
        Ok(_) => Response::new(200, content_type(&file), body),
        Err(_) => Response::text(404, &format!("not found: {rel}")),
    }
}
