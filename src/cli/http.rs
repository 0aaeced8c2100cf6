//! A small blocking client for the Prometheus HTTP API, shared by every subcommand that reads
//! Prometheus.

use std::fmt;
use std::time::Duration;

use clap::Args;
use fleetlens::prom::{self, QueryResponse};

/// Largest response body read, so a runaway query cannot exhaust memory.
const MAX_BODY_BYTES: u64 = 1 << 30;

/// Connection options common to every subcommand that talks to Prometheus.
#[derive(Debug, Clone, Args)]
pub(crate) struct PromArgs {
    /// Base URL of a Prometheus-compatible API (Prometheus, Mimir, Thanos, VictoriaMetrics),
    /// e.g. http://127.0.0.1:9090 or https://mimir.example.com/prometheus.
    #[arg(long, value_name = "URL", env = "FLEETLENS_PROM_URL")]
    pub(crate) prom_url: String,

    /// Extra request header, `Name: value` (repeatable), e.g. `X-Scope-OrgID: tenant-1`.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub(crate) headers: Vec<String>,

    /// Bearer token for the Authorization header (prefer the environment variable).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "FLEETLENS_PROM_TOKEN",
        hide_env_values = true
    )]
    pub(crate) bearer_token: Option<String>,

    /// Request timeout in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub(crate) timeout: u64,
}

/// What can go wrong talking to Prometheus.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// The request did not complete (connection refused, DNS, timeout, TLS).
    Transport(String),
    /// A `--header` that is not `Name: value`.
    BadHeader(String),
    /// The response came back but could not be used.
    Response {
        status: u16,
        error: fleetlens::Error,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Transport(e) => write!(f, "request failed: {e}"),
            HttpError::BadHeader(h) => write!(f, "--header \"{h}\" is not \"Name: value\""),
            HttpError::Response { status, error } if (200..300).contains(status) => {
                write!(f, "{error}")
            }
            HttpError::Response {
                status: status @ (401 | 403),
                error,
            } => write!(
                f,
                "HTTP {status}: {error} (check the credentials: --bearer-token or --header)"
            ),
            HttpError::Response { status, error } => write!(f, "HTTP {status}: {error}"),
        }
    }
}

impl std::error::Error for HttpError {}

pub(crate) struct PromClient {
    base: String,
    headers: Vec<(String, String)>,
    agent: ureq::Agent,
}

impl PromClient {
    pub(crate) fn new(args: &PromArgs) -> Result<Self, HttpError> {
        let mut headers = Vec::new();
        for h in &args.headers {
            let (name, value) = h
                .split_once(':')
                .filter(|(n, _)| !n.trim().is_empty())
                .ok_or_else(|| HttpError::BadHeader(h.clone()))?;
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        if let Some(token) = &args.bearer_token {
            headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(args.timeout.max(1))))
            .http_status_as_error(false)
            .user_agent(concat!("fleetlens/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Self {
            base: args.prom_url.trim_end_matches('/').to_owned(),
            headers,
            agent,
        })
    }

    /// `POST /api/v1/query_range` (form-encoded, so long queries fit), decoded by the core.
    pub(crate) fn query_range(
        &self,
        query: &str,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<QueryResponse, HttpError> {
        use fleetlens::time::ms_to_seconds_text;
        let form = [
            ("query", query.to_owned()),
            ("start", ms_to_seconds_text(start_ms)),
            ("end", ms_to_seconds_text(end_ms)),
            ("step", ms_to_seconds_text(step_ms)),
        ];
        self.post_form("/api/v1/query_range", &form)
    }

    /// `POST /api/v1/query` (an instant query at `time_ms`), decoded by the core. An instant
    /// query of a range selector (`metric[1h]`) returns the raw samples.
    pub(crate) fn query(&self, query: &str, time_ms: i64) -> Result<QueryResponse, HttpError> {
        use fleetlens::time::ms_to_seconds_text;
        let form = [
            ("query", query.to_owned()),
            ("time", ms_to_seconds_text(time_ms)),
        ];
        self.post_form("/api/v1/query", &form)
    }

    /// `GET /api/v1/label/__name__/values`: every metric name Prometheus holds.
    pub(crate) fn metric_names(&self) -> Result<Vec<String>, HttpError> {
        #[derive(serde::Deserialize)]
        struct Envelope {
            status: String,
            #[serde(default)]
            data: Vec<String>,
            #[serde(default)]
            error: Option<String>,
        }
        let (status, body) = self.post_raw("/api/v1/label/__name__/values", &[], false)?;
        let fail = |msg: String| HttpError::Response {
            status,
            error: fleetlens::Error::InvalidInput(msg),
        };
        let env: Envelope = serde_json::from_slice(&body)
            .map_err(|e| fail(format!("label values: not a Prometheus response: {e}")))?;
        if env.status != "success" {
            return Err(fail(format!(
                "label values: {}",
                env.error.unwrap_or_else(|| env.status.clone())
            )));
        }
        Ok(env.data)
    }

    fn post_form(&self, path: &str, form: &[(&str, String)]) -> Result<QueryResponse, HttpError> {
        let (status, body) = self.post_raw(path, form, true)?;
        // Prometheus sends its JSON error envelope with 400/422/503: decode whatever came back,
        // so its error text reaches the user.
        prom::decode(&body).map_err(|error| HttpError::Response { status, error })
    }

    /// Sends `form` (POST) or nothing (GET) and returns the status and the body.
    fn post_raw(
        &self,
        path: &str,
        form: &[(&str, String)],
        post: bool,
    ) -> Result<(u16, Vec<u8>), HttpError> {
        let url = format!("{}{path}", self.base);
        let sent = if post {
            let mut req = self.agent.post(&url).header("Accept", "application/json");
            for (name, value) in &self.headers {
                req = req.header(name.as_str(), value.as_str());
            }
            req.send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
        } else {
            let mut req = self.agent.get(&url).header("Accept", "application/json");
            for (name, value) in &self.headers {
                req = req.header(name.as_str(), value.as_str());
            }
            req.call()
        };
        let mut resp = sent.map_err(|e| HttpError::Transport(format!("{url}: {e}")))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|e| HttpError::Transport(format!("{url}: reading the body: {e}")))?;
        Ok((status, body))
    }
}
