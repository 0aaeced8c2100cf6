//! A real Prometheus for tests: Debian's `prometheus` on 127.0.0.1, backfilled from OpenMetrics
//! text with `promtool tsdb create-blocks-from openmetrics`, stopped when dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long Prometheus may take to load its blocks and answer `/-/ready`.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) struct Prometheus {
    child: Child,
    pub(crate) url: String,
    dir: PathBuf,
}

/// True when `prometheus` and `promtool` are installed. Without them the test is skipped, unless
/// `CI` or `FLEETLENS_REQUIRE_PROMETHEUS` is set: then their absence fails the test.
pub(crate) fn prometheus_available(test: &str) -> bool {
    let found = ["prometheus", "promtool"].iter().all(|bin| {
        Command::new(bin)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if !found {
        let required = std::env::var_os("CI").is_some()
            || std::env::var_os("FLEETLENS_REQUIRE_PROMETHEUS").is_some();
        assert!(
            !required,
            "{test}: prometheus and promtool are required (apt-get install prometheus)"
        );
        eprintln!(
            "{test}: skipped: prometheus/promtool not installed (apt-get install prometheus)"
        );
    }
    found
}

impl Prometheus {
    /// Backfills `openmetrics` (which must end with `# EOF`) and starts Prometheus on a free
    /// loopback port.
    pub(crate) fn start(name: &str, openmetrics: &str) -> Self {
        Self::start_with(name, &[], |input| {
            std::fs::write(input, openmetrics).unwrap()
        })
    }

    /// Like [`Prometheus::start`] for histories too large to hold as one string: `write` writes
    /// the OpenMetrics input to the path it is given, `promtool_args` go to `promtool tsdb
    /// create-blocks-from openmetrics` (e.g. `--max-block-duration=720h`), and the input is
    /// removed once backfilled.
    pub(crate) fn start_with(
        name: &str,
        promtool_args: &[&str],
        write: impl FnOnce(&std::path::Path),
    ) -> Self {
        let dir = std::env::temp_dir().join(format!("fleetlens-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        let input = dir.join("input.om");
        write(&input);
        let out = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .args(promtool_args)
            .arg(&input)
            .arg(&data)
            .output()
            .expect("promtool runs");
        assert!(
            out.status.success(),
            "promtool failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::remove_file(&input);
        let config = dir.join("prometheus.yml");
        std::fs::write(&config, "global:\n  scrape_interval: 1m\n").unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--storage.tsdb.retention.time=100y")
            .arg("--log.level=warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("prometheus starts");
        let prom = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        prom.wait_ready();
        prom
    }

    /// The Prometheus process id (to read its memory use).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + READY_TIMEOUT;
        let ready = format!("{}/-/ready", self.url);
        while Instant::now() < deadline {
            if ureq::get(&ready).call().is_ok_and(|r| r.status() == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default();
        panic!(
            "prometheus at {} not ready after {READY_TIMEOUT:?}:\n{log}",
            self.url
        );
    }

    /// POSTs `form` to the API `path` (`/api/v1/query`, `/api/v1/query_range`, …) and decodes the
    /// answer with FleetLens' own decoder.
    pub(crate) fn api(&self, path: &str, form: &[(&str, String)]) -> fleetlens::QueryResponse {
        self.try_api(path, form)
            .unwrap_or_else(|e| panic!("{path} {form:?}: {e}"))
    }

    /// [`Prometheus::api`], with a transport failure or a PromQL error (Prometheus' `status:
    /// error`) as `Err`.
    pub(crate) fn try_api(
        &self,
        path: &str,
        form: &[(&str, String)],
    ) -> Result<fleetlens::QueryResponse, String> {
        let url = format!("{}{path}", self.url);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut resp = agent
            .post(&url)
            .send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
            .map_err(|e| format!("{url}: {e}"))?;
        let body = resp
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .map_err(|e| format!("{url}: {e}"))?;
        fleetlens::decode(&body).map_err(|e| e.to_string())
    }

    /// An instant query at `at_ms` (epoch milliseconds, exact).
    pub(crate) fn instant_ms(&self, query: &str, at_ms: i64) -> fleetlens::QueryResponse {
        let time = fleetlens::time::ms_to_seconds_text(at_ms);
        self.api(
            "/api/v1/query",
            &[("query", query.to_owned()), ("time", time)],
        )
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// Runs the `fleetlens` binary with `args`, without the environment variables that would
/// supply a Prometheus URL or token behind the test's back.
pub(crate) fn fleetlens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fleetlens"))
        .args(args)
        .env_remove("FLEETLENS_PROM_URL")
        .env_remove("FLEETLENS_PROM_TOKEN")
        .output()
        .expect("fleetlens runs")
}

/// Standard output of a run that must have succeeded.
pub(crate) fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "fleetlens failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard error of a run that must have failed.
pub(crate) fn stderr(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "fleetlens succeeded: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// `series` as OpenMetrics text for [`Prometheus::start`]: each family's series together (a
/// stable sort by metric name), every sample with its timestamp, then `# EOF`. Label values are
/// written as they are (the tests' values need no escaping).
pub(crate) fn series_openmetrics(series: &[fleetlens::Series]) -> String {
    let mut sorted: Vec<&fleetlens::Series> = series.iter().collect();
    sorted.sort_by_key(|s| s.labels.metric_name().unwrap_or_default().to_owned());
    let mut om = String::new();
    for s in sorted {
        let name = s.labels.metric_name().expect("every series has a __name__");
        let pairs: Vec<String> = s
            .labels
            .iter()
            .filter(|(k, _)| *k != "__name__")
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        for (t, v) in s.time_ms.iter().zip(&s.values) {
            om.push_str(&format!(
                "{name}{{{}}} {v} {}\n",
                pairs.join(","),
                fleetlens::time::ms_to_seconds_text(*t)
            ));
        }
    }
    om.push_str("# EOF\n");
    om
}
