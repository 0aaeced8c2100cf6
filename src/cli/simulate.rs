//! `fleetlens simulate`: synthetic telemetry from the library's simulator, written as
//! OpenMetrics history and JSON-lines events, served live on `/metrics`, or pushed as OTLP/HTTP
//! JSON (metrics and Claude Code's events as logs).

use std::io::{BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use fleetlens::simulate::{
    openmetrics, otlp, Chunks, EventChunks, Fault, Naming, SimConfig, Simulator,
    DEFAULT_CHUNK_STEPS,
};
use fleetlens::time::parse_duration_ms;

use crate::range::RangeArgs;

/// Largest HTTP request head read from a scraper.
const MAX_REQUEST_BYTES: usize = 8192;
/// How long a scraper may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the live loop looks for a scrape or a due push.
const POLL: Duration = Duration::from_millis(20);
/// Most log records in one OTLP logs request.
const MAX_RECORDS_PER_PUSH: usize = 1000;
/// A live run records the events of at most this much of its catch-up (ms): one day.
const EVENTS_CATCH_UP_MS: i64 = 86_400_000;

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// Write the history from --from to --to as OpenMetrics text to FILE ("-": standard
    /// output), for `promtool tsdb create-blocks-from openmetrics`.
    #[arg(long, value_name = "FILE")]
    openmetrics: Option<PathBuf>,

    /// Write Claude Code's events (api_request, api_error, tool_result, tool_decision,
    /// user_prompt) from --from to --to as JSON lines to FILE ("-": standard output); with
    /// --openmetrics or alone.
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,

    /// Serve the live values on http://ADDR/metrics (Prometheus text format); ADDR is
    /// HOST:PORT or a port (then 127.0.0.1).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,

    /// Push the Claude Code metrics and events as OTLP/HTTP JSON to URL (a Collector, e.g.
    /// http://127.0.0.1:4318): metrics to URL/v1/metrics, events to URL/v1/logs. With --listen
    /// as well, /metrics leaves the Claude Code families out (they reach Prometheus through the
    /// Collector).
    #[arg(long, value_name = "URL")]
    otlp: Option<String>,

    /// History: the range written. Live: --from is when the simulation starts (it catches up
    /// to the clock at once); --to is ignored.
    #[command(flatten)]
    range: RangeArgs,

    /// One sample per series per interval (1s to 1h).
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    interval: String,

    /// Time between OTLP pushes.
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    push_interval: String,

    /// Live modes: stop after this long (default: run until interrupted).
    #[arg(long, value_name = "DURATION")]
    duration: Option<String>,

    /// Seed of every random draw: the same seed gives the same telemetry.
    #[arg(long, default_value_t = fleetlens::simulate::config::DEFAULT_SEED)]
    seed: u64,

    /// Claude Code users (1 to 500).
    #[arg(long, default_value_t = fleetlens::simulate::config::DEFAULT_USERS)]
    users: u32,

    /// Agents in the agent cluster (1 to 64).
    #[arg(long, default_value_t = fleetlens::simulate::config::DEFAULT_AGENTS)]
    agents: u32,

    /// Hexabase workspaces (1 to 50).
    #[arg(long, default_value_t = fleetlens::simulate::config::DEFAULT_WORKSPACES)]
    workspaces: u32,

    /// Names of the Claude Code metrics: collector, doubled-prefix, no-unit-suffix or legacy.
    #[arg(long, value_name = "VARIANT", default_value = "collector")]
    naming: String,

    /// Inject a fault: NAME or NAME@START..END (repeatable), e.g. error-burst@now-3h..now-2h.
    /// Names: counter-reset, colliding-writers, outage, error-burst, slow-responses,
    /// missing-email, agent-latency, slow-tasks, api-latency, coordinator-down, database-down,
    /// agents-down, queue-overflow, new-agent, high-velocity, rate-limit, cpu-high,
    /// memory-high, disk-full, vcluster-down, deploy-failures, quota-exceeded, cost-spike.
    #[arg(long = "fault", value_name = "FAULT")]
    faults: Vec<String>,
}

type BoxError = Box<dyn std::error::Error>;

pub(crate) fn run(args: &SimulateArgs) -> Result<(), BoxError> {
    let now = chrono::Utc::now().timestamp_millis();
    let config = config(args, now)?;
    let modes = [
        args.openmetrics.is_some() || args.events.is_some(),
        args.listen.is_some() || args.otlp.is_some(),
    ];
    match modes {
        [true, true] => Err(
            "--openmetrics and --events write history; --listen and --otlp run live: use one or the other"
                .into(),
        ),
        [false, false] => Err(
            "nothing to do: give --openmetrics FILE or --events FILE (history), --listen ADDR or --otlp URL (live)"
                .into(),
        ),
        [true, false] => {
            let (from, to) = args.range.resolve(now)?;
            let stdout = |p: &Option<PathBuf>| p.as_ref().is_some_and(|p| p.as_os_str() == "-");
            if stdout(&args.openmetrics) && stdout(&args.events) {
                return Err(
                    "--openmetrics - and --events - would both write to standard output: give one of them a file"
                        .into(),
                );
            }
            if let Some(path) = &args.openmetrics {
                write_history(path, &config, from, to)?;
            }
            if let Some(path) = &args.events {
                write_events(path, &config, from, to)?;
            }
            Ok(())
        }
        [false, true] => {
            let (from, _) = args.range.resolve(now)?;
            run_live(args, &config, from, now)
        }
    }
}

/// The `--fault` flags, `NAME` or `NAME@START..END`, with times relative to `now`.
pub(crate) fn parse_faults(specs: &[String], now: i64) -> fleetlens::Result<Vec<Fault>> {
    specs.iter().map(|f| Fault::parse(f, now)).collect()
}

fn config(args: &SimulateArgs, now: i64) -> Result<SimConfig, BoxError> {
    let interval_ms = parse_duration_ms(&args.interval).map_err(|e| format!("--interval: {e}"))?;
    let faults = parse_faults(&args.faults, now)?;
    let config = SimConfig {
        seed: args.seed,
        users: args.users,
        agents: args.agents,
        workspaces: args.workspaces,
        interval_ms,
        naming: Naming::parse(&args.naming)?,
        faults,
    };
    config.validate()?;
    Ok(config)
}

/// A buffered writer to `path` ("-": standard output); errors name `flag`.
fn sink(flag: &str, path: &PathBuf) -> Result<BufWriter<Box<dyn Write>>, BoxError> {
    let sink: Box<dyn Write> = if path.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        let file =
            std::fs::File::create(path).map_err(|e| format!("{flag} {}: {e}", path.display()))?;
        Box::new(file)
    };
    Ok(BufWriter::with_capacity(1 << 20, sink))
}

fn write_history(path: &PathBuf, config: &SimConfig, from: i64, to: i64) -> Result<(), BoxError> {
    let chunks = Chunks::new(config, from, to, DEFAULT_CHUNK_STEPS)?;
    let families = chunks.families().to_vec();
    let mut out = sink("--openmetrics", path)?;
    for chunk in chunks {
        out.write_all(openmetrics::chunk_text(&families, &chunk).as_bytes())?;
    }
    out.write_all(openmetrics::EOF.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Claude Code's events of the range as JSON lines, one event per line, in time order.
fn write_events(path: &PathBuf, config: &SimConfig, from: i64, to: i64) -> Result<(), BoxError> {
    let chunks = EventChunks::new(config, from, to, DEFAULT_CHUNK_STEPS)?;
    let mut out = sink("--events", path)?;
    for chunk in chunks {
        for event in chunk {
            serde_json::to_writer(&mut out, &event.to_json())?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(())
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

/// The metrics and logs URLs of an OTLP/HTTP endpoint given as its base or as either URL.
fn otlp_urls(text: &str) -> (String, String) {
    let t = text.trim_end_matches('/');
    let base = t
        .strip_suffix("/v1/metrics")
        .or_else(|| t.strip_suffix("/v1/logs"))
        .unwrap_or(t);
    (format!("{base}/v1/metrics"), format!("{base}/v1/logs"))
}

/// POSTs a JSON body; failures are reported on standard error (the live loop goes on).
fn post(agent: &ureq::Agent, url: &str, body: &str) {
    match agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.as_bytes())
    {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => eprintln!(
            "fleetlens simulate: OTLP push to {url}: HTTP {}",
            r.status()
        ),
        Err(e) => eprintln!("fleetlens simulate: OTLP push to {url} failed: {e}"),
    }
}

fn run_live(args: &SimulateArgs, config: &SimConfig, from: i64, now: i64) -> Result<(), BoxError> {
    if from > now {
        return Err("--from is in the future: a live simulation starts at or before now".into());
    }
    let push_every = Duration::from_millis(
        u64::try_from(
            parse_duration_ms(&args.push_interval).map_err(|e| format!("--push-interval: {e}"))?,
        )
        .unwrap_or(10_000),
    );
    let deadline = match &args.duration {
        Some(d) => {
            let ms = parse_duration_ms(d).map_err(|e| format!("--duration: {e}"))?;
            Some(Instant::now() + Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
        }
        None => None,
    };
    let mut sim = Simulator::new(config, from)?;
    if args.otlp.is_some() {
        // Events of the last day of the catch-up are pushed at the first push.
        sim.advance_to(now - EVENTS_CATCH_UP_MS);
        sim.record_events();
    }
    sim.advance_to(now);
    let listener = match &args.listen {
        Some(a) => {
            let addr = listen_addr(a);
            let l = TcpListener::bind(&addr).map_err(|e| match e.kind() {
                std::io::ErrorKind::AddrInUse => format!("--listen {addr}: the port is in use (stop the other process or pick another port)"),
                _ => format!("--listen {addr}: {e}"),
            })?;
            l.set_nonblocking(true)?;
            eprintln!(
                "fleetlens simulate: serving http://{}/metrics",
                l.local_addr()?
            );
            Some(l)
        }
        None => None,
    };
    let otlp = args.otlp.as_deref().map(otlp_urls);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    let skip_pushed = otlp.is_some();
    let mut next_push = Instant::now();
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(());
        }
        let clock = chrono::Utc::now().timestamp_millis();
        if let Some((metrics_url, logs_url)) = &otlp {
            if Instant::now() >= next_push {
                next_push += push_every;
                sim.advance_to(clock);
                post(
                    &agent,
                    metrics_url,
                    &otlp::metrics_request(&sim).to_string(),
                );
                for batch in sim.take_events().chunks(MAX_RECORDS_PER_PUSH) {
                    post(&agent, logs_url, &otlp::logs_request(batch).to_string());
                }
            }
        }
        match listener.as_ref().map(TcpListener::accept) {
            Some(Ok((stream, _))) => {
                sim.advance_to(clock);
                if let Err(e) = serve(stream, &sim, skip_pushed) {
                    eprintln!("fleetlens simulate: a scrape failed: {e}");
                }
            }
            Some(Err(e)) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(POLL),
            Some(Err(e)) => eprintln!("fleetlens simulate: accept failed: {e}"),
            None => std::thread::sleep(POLL),
        }
    }
}

/// Answers one HTTP request: `GET /metrics` with the current values, anything else 404.
fn serve(mut stream: TcpStream, sim: &Simulator, skip_pushed: bool) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST_BYTES {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(&head);
    let mut first = text.lines().next().unwrap_or_default().split_whitespace();
    let (method, path) = (
        first.next().unwrap_or_default(),
        first.next().unwrap_or_default(),
    );
    let path = path.split('?').next().unwrap_or_default();
    let (status, content_type, body) = if method == "GET" && path == "/metrics" {
        let body = openmetrics::exposition_text(sim, &|f| skip_pushed && f.otel.is_some());
        ("200 OK", "text/plain; version=0.0.4; charset=utf-8", body)
    } else {
        (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "not found: the metrics are at /metrics\n".to_owned(),
        )
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_urls_are_completed() {
        assert_eq!(listen_addr("9464"), "127.0.0.1:9464");
        assert_eq!(listen_addr(":9464"), "127.0.0.1:9464");
        assert_eq!(listen_addr("0.0.0.0:9464"), "0.0.0.0:9464");
        let both = (
            "http://c:4318/v1/metrics".to_owned(),
            "http://c:4318/v1/logs".to_owned(),
        );
        assert_eq!(otlp_urls("http://c:4318"), both);
        assert_eq!(otlp_urls("http://c:4318/v1/metrics/"), both);
        assert_eq!(otlp_urls("http://c:4318/v1/logs"), both);
    }
}
