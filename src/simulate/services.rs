//! Services: the Conea API (`seeds/conea-monitoring-guide.md`: HTTP and AI-model metrics),
//! Hexabase workspaces (`seeds/hexabase-monitoring-setup.md`: HTTP by workspace, vClusters,
//! resource usage, deployments) and the node-exporter gauges of three nodes that both seeds'
//! CPU, memory and disk panels and alerts read.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "indices into per-workspace and per-service tables sized from the validated counts"
)]

use super::config::SimConfig;
use super::rng::Rng;
use super::{diurnal, FaultKind, MetricKind, Point, Registry, Slot, StepCtx};

/// Random stream of the services.
const STREAM: u64 = 3;

/// The Conea seed's HTTP duration buckets, seconds.
pub const HTTP_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// The Hexabase seed's HTTP duration buckets, seconds.
pub const HEXABASE_BUCKETS: [f64; 7] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// AI processing time buckets, seconds.
pub const AI_BUCKETS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
/// Conea API requests per second at peak, over all endpoints.
const CONEA_PEAK_RPS: f64 = 12.0;
/// Hexabase requests per second at peak per workspace.
const HEXABASE_PEAK_RPS: f64 = 3.0;
/// Baseline 5xx share: 0.03 %, inside the 0.1 % error budget.
const BASE_5XX: f64 = 0.0003;
/// 5xx share during an `error-burst`: 8 %, above both seeds' 5 % alert thresholds.
const BURST_5XX: f64 = 0.08;
/// Median latency, seconds, normally and during `slow-responses` (p95 then about 6 s).
const LATENCY_MEDIAN_S: f64 = 0.06;
const SLOW_MEDIAN_S: f64 = 2.5;

const ENDPOINTS: [(&str, &str, f64); 5] = [
    ("GET", "/api/v1/products", 0.35),
    ("POST", "/api/v1/orders", 0.15),
    ("GET", "/api/v1/users", 0.2),
    ("POST", "/api/v1/ai/generate", 0.1),
    ("GET", "/health", 0.2),
];
const STATUSES: [&str; 4] = ["200", "400", "500", "503"];
const AI_MODELS: [(&str, &str, f64); 4] = [
    ("gpt-4o", "openai", 2.0),
    ("claude-sonnet-4-5", "anthropic", 2.5),
    ("claude-haiku-4-5", "anthropic", 0.8),
    ("gemini-1.5-pro", "google", 1.8),
];
const HEX_ENDPOINTS: [(&str, &str); 2] = [
    ("GET", "/api/v1/workspaces"),
    ("POST", "/api/v1/deployments"),
];
const RESOURCES: [&str; 3] = ["cpu", "memory", "storage"];
/// Conea's user accounts (`user_id` of `user_activity_total`): at most this many are active.
const CONEA_USERS: usize = 200;
const NODES: [&str; 3] = ["node-1:9100", "node-2:9100", "node-3:9100"];
/// Node memory and disk sizes, bytes.
const MEM_TOTAL: f64 = 16.0 * 1024.0 * 1024.0 * 1024.0;
const DISK_SIZE: f64 = 200.0 * 1024.0 * 1024.0 * 1024.0;

/// The HTTP request counter's status split for `n` requests and a 5xx share.
fn split_statuses(rng: &mut Rng, n: u64, share_5xx: f64) -> [f64; 4] {
    let nf = n as f64;
    let e5 = rng.poisson(nf * share_5xx).min(n) as f64;
    let e503 = (e5 * 0.3).round();
    let e4 = (rng.poisson(nf * 0.01) as f64).min(nf - e5);
    [nf - e5 - e4, e4, e5 - e503, e503]
}

#[derive(Debug)]
struct Conea {
    requests: Vec<Slot>,
    durations: Vec<Slot>,
    ai_requests: Vec<Slot>,
    ai_tokens: Vec<Slot>,
    ai_duration: Vec<Slot>,
    /// `user_activity_total` per user, `u-001` … (the first `active_users` are active).
    activity: Vec<Slot>,
    active_users: Slot,
    jobs: Vec<Slot>,
    up: Slot,
    down: bool,
}

#[derive(Debug)]
struct Workspace {
    requests: Vec<Slot>,
    durations: Vec<Slot>,
    vclusters: Vec<Slot>,
    usage: Vec<Slot>,
    sessions: Slot,
    connections: Slot,
    deployments: [Slot; 2],
    aiops: [Slot; 2],
}

#[derive(Debug)]
struct Node {
    cpu: Vec<Slot>,
    mem_avail: Slot,
    mem_total: Slot,
    fs_avail: Slot,
    fs_free: Slot,
    fs_size: Slot,
    rx: Slot,
    tx: Slot,
    load1: Slot,
    up: Slot,
    used_disk: f64,
}

/// The services' state.
#[derive(Debug)]
pub struct Services {
    rng: Rng,
    conea: Conea,
    workspaces: Vec<Workspace>,
    db_connections: Vec<Slot>,
    nodes: Vec<Node>,
}

impl Services {
    pub(crate) fn new(config: &SimConfig, reg: &mut Registry, t: i64) -> Self {
        use MetricKind::{Counter, Gauge, Histogram};
        let f_req = reg.family(
            "http_requests_total",
            Counter,
            "Total number of HTTP requests",
            "",
            &[],
        );
        let f_dur = reg.family(
            "http_request_duration_seconds",
            Histogram,
            "HTTP request latency",
            "seconds",
            &HTTP_BUCKETS,
        );
        let f_ai = reg.family(
            "ai_model_requests_total",
            Counter,
            "Total AI model requests",
            "",
            &[],
        );
        let f_ai_tok = reg.family("ai_tokens_total", Counter, "Total AI model tokens", "", &[]);
        let f_ai_dur = reg.family(
            "ai_processing_duration_seconds",
            Histogram,
            "AI model processing time",
            "seconds",
            &AI_BUCKETS,
        );
        let f_act = reg.family("user_activity_total", Counter, "User actions", "", &[]);
        let f_users = reg.family(
            "active_users",
            Gauge,
            "Users active in the last five minutes",
            "",
            &[],
        );
        let f_jobs = reg.family(
            "data_processing_jobs_total",
            Counter,
            "Total data processing jobs",
            "",
            &[],
        );
        let f_up = reg.family(
            "up",
            Gauge,
            "Whether the target answered its last scrape",
            "",
            &[],
        );
        let mut requests = Vec::new();
        let mut durations = Vec::new();
        for (m, e, _) in ENDPOINTS {
            for s in STATUSES {
                requests.push(reg.slot(f_req, &[("method", m), ("endpoint", e), ("status", s)], t));
            }
            durations.push(reg.slot(f_dur, &[("method", m), ("endpoint", e)], t));
        }
        let mut ai_requests = Vec::new();
        for (m, p, _) in AI_MODELS {
            for s in ["success", "error"] {
                ai_requests.push(reg.slot(
                    f_ai,
                    &[("model", m), ("provider", p), ("status", s)],
                    t,
                ));
            }
        }
        let conea = Conea {
            requests,
            durations,
            ai_requests,
            ai_tokens: AI_MODELS
                .iter()
                .map(|(m, _, _)| reg.slot(f_ai_tok, &[("model", m)], t))
                .collect(),
            ai_duration: AI_MODELS
                .iter()
                .map(|(m, _, _)| reg.slot(f_ai_dur, &[("model", m)], t))
                .collect(),
            activity: (1..=CONEA_USERS)
                .map(|i| reg.slot(f_act, &[("user_id", &format!("u-{i:03}"))], t))
                .collect(),
            active_users: reg.slot(f_users, &[], t),
            jobs: [
                ("etl", "success"),
                ("etl", "failure"),
                ("export", "success"),
                ("export", "failure"),
            ]
            .iter()
            .map(|(j, s)| reg.slot(f_jobs, &[("job_type", j), ("status", s)], t))
            .collect(),
            up: reg.slot(
                f_up,
                &[("job", "conea-api"), ("instance", "conea-api:8080")],
                t,
            ),
            down: false,
        };
        let h_req = reg.family(
            "hexabase_http_requests_total",
            Counter,
            "Total HTTP requests",
            "",
            &[],
        );
        let h_dur = reg.family(
            "hexabase_http_request_duration_seconds",
            Histogram,
            "HTTP request duration in seconds",
            "seconds",
            &HEXABASE_BUCKETS,
        );
        let h_vc = reg.family(
            "hexabase_vcluster_status",
            Gauge,
            "vCluster status (1=healthy, 0=unhealthy)",
            "",
            &[],
        );
        let h_usage = reg.family(
            "hexabase_resource_usage_ratio",
            Gauge,
            "Resource usage ratio (0-1)",
            "ratio",
            &[],
        );
        let h_sess = reg.family(
            "hexabase_active_user_sessions",
            Gauge,
            "Number of active user sessions",
            "",
            &[],
        );
        let h_conn = reg.family(
            "hexabase_active_connections",
            Gauge,
            "Number of active connections",
            "",
            &[],
        );
        let h_dep = reg.family(
            "hexabase_workspace_deployments_total",
            Counter,
            "Total number of deployments per workspace",
            "",
            &[],
        );
        let h_aiops = reg.family(
            "hexabase_aiops_operations_total",
            Counter,
            "Total AIOps operations",
            "",
            &[],
        );
        let h_db = reg.family(
            "hexabase_database_connections",
            Gauge,
            "Number of database connections",
            "",
            &[],
        );
        let workspaces = (0..config.workspaces as usize)
            .map(|i| {
                let ws = format!("ws-{:02}", i + 1);
                let w = ws.as_str();
                let mut requests = Vec::new();
                let mut durations = Vec::new();
                for (m, e) in HEX_ENDPOINTS {
                    for s in ["200", "500"] {
                        requests.push(reg.slot(
                            h_req,
                            &[
                                ("method", m),
                                ("endpoint", e),
                                ("status_code", s),
                                ("workspace_id", w),
                            ],
                            t,
                        ));
                    }
                    durations.push(reg.slot(
                        h_dur,
                        &[("method", m), ("endpoint", e), ("workspace_id", w)],
                        t,
                    ));
                }
                Workspace {
                    requests,
                    durations,
                    vclusters: ["vc-main", "vc-staging"]
                        .iter()
                        .map(|v| reg.slot(h_vc, &[("workspace_id", w), ("vcluster_name", v)], t))
                        .collect(),
                    usage: RESOURCES
                        .iter()
                        .map(|r| reg.slot(h_usage, &[("workspace_id", w), ("resource_type", r)], t))
                        .collect(),
                    sessions: reg.slot(h_sess, &[("workspace_id", w)], t),
                    connections: reg.slot(h_conn, &[("workspace_id", w)], t),
                    deployments: ["success", "failure"].map(|s| {
                        reg.slot(
                            h_dep,
                            &[
                                ("workspace_id", w),
                                ("deployment_type", "helm"),
                                ("status", s),
                            ],
                            t,
                        )
                    }),
                    aiops: ["success", "failure"].map(|s| {
                        reg.slot(
                            h_aiops,
                            &[
                                ("workspace_id", w),
                                ("operation_type", "scale"),
                                ("agent_name", "aiops-agent"),
                                ("status", s),
                            ],
                            t,
                        )
                    }),
                }
            })
            .collect();
        let db_connections = ["active", "idle"]
            .iter()
            .map(|c| {
                reg.slot(
                    h_db,
                    &[("database_name", "hexabase"), ("connection_type", c)],
                    t,
                )
            })
            .collect();
        let n_cpu = reg.family(
            "node_cpu_seconds_total",
            Counter,
            "Seconds the CPUs spent in each mode",
            "seconds",
            &[],
        );
        let n_mavail = reg.family(
            "node_memory_MemAvailable_bytes",
            Gauge,
            "Memory information field MemAvailable_bytes",
            "bytes",
            &[],
        );
        let n_mtotal = reg.family(
            "node_memory_MemTotal_bytes",
            Gauge,
            "Memory information field MemTotal_bytes",
            "bytes",
            &[],
        );
        let n_avail = reg.family(
            "node_filesystem_avail_bytes",
            Gauge,
            "Filesystem space available to non-root users in bytes",
            "bytes",
            &[],
        );
        let n_free = reg.family(
            "node_filesystem_free_bytes",
            Gauge,
            "Filesystem free space in bytes",
            "bytes",
            &[],
        );
        let n_size = reg.family(
            "node_filesystem_size_bytes",
            Gauge,
            "Filesystem size in bytes",
            "bytes",
            &[],
        );
        let n_rx = reg.family(
            "node_network_receive_bytes_total",
            Counter,
            "Network device statistic receive_bytes",
            "bytes",
            &[],
        );
        let n_tx = reg.family(
            "node_network_transmit_bytes_total",
            Counter,
            "Network device statistic transmit_bytes",
            "bytes",
            &[],
        );
        let n_load = reg.family("node_load1", Gauge, "1m load average", "", &[]);
        let nodes = NODES
            .iter()
            .map(|inst| {
                let mut cpu = Vec::new();
                for c in ["0", "1"] {
                    for m in ["idle", "user", "system"] {
                        cpu.push(reg.slot(
                            n_cpu,
                            &[("instance", inst), ("job", "node"), ("cpu", c), ("mode", m)],
                            t,
                        ));
                    }
                }
                let fs = [
                    ("instance", *inst),
                    ("job", "node"),
                    ("device", "/dev/vda1"),
                    ("mountpoint", "/"),
                    ("fstype", "ext4"),
                ];
                let net = [("instance", *inst), ("job", "node"), ("device", "eth0")];
                let node = [("instance", *inst), ("job", "node")];
                Node {
                    cpu,
                    mem_avail: reg.slot(n_mavail, &node, t),
                    mem_total: reg.slot(n_mtotal, &node, t),
                    fs_avail: reg.slot(n_avail, &fs, t),
                    fs_free: reg.slot(n_free, &fs, t),
                    fs_size: reg.slot(n_size, &fs, t),
                    rx: reg.slot(n_rx, &net, t),
                    tx: reg.slot(n_tx, &net, t),
                    load1: reg.slot(n_load, &node, t),
                    up: reg.slot(f_up, &node, t),
                    used_disk: 0.45 * DISK_SIZE,
                }
            })
            .collect();
        let mut s = Self {
            rng: Rng::new(config.seed, STREAM),
            conea,
            workspaces,
            db_connections,
            nodes,
        };
        s.conea.up.set(1.0);
        s
    }

    pub(crate) fn step(&mut self, ctx: &mut StepCtx<'_>) {
        let t = ctx.t_ms;
        let dt = ctx.dt_s;
        let rng = &mut self.rng;
        let share_5xx = if ctx.active(FaultKind::ErrorBurst) {
            BURST_5XX
        } else {
            BASE_5XX
        };
        let median = if ctx.active(FaultKind::SlowResponses) {
            SLOW_MEDIAN_S
        } else {
            LATENCY_MEDIAN_S
        };
        let level = diurnal(t, 14.0);
        // Conea API.
        let c = &mut self.conea;
        let down = ctx.active(FaultKind::Outage);
        let back_up = c.down && !down;
        c.down = down;
        c.up.set(if down { 0.0 } else { 1.0 });
        if back_up || ctx.restart {
            for s in c
                .requests
                .iter_mut()
                .chain(&mut c.durations)
                .chain(&mut c.ai_requests)
                .chain(&mut c.ai_tokens)
                .chain(&mut c.ai_duration)
                .chain(&mut c.activity)
                .chain(&mut c.jobs)
            {
                s.reset(t);
            }
        }
        if !down {
            for (i, (_, _, share)) in ENDPOINTS.iter().enumerate() {
                let n = rng.poisson(CONEA_PEAK_RPS * share * level * dt);
                let split = split_statuses(rng, n, share_5xx);
                for (j, x) in split.iter().enumerate() {
                    if let Some(s) = c.requests.get_mut(i * 4 + j) {
                        s.add(*x);
                    }
                }
                if let Some(d) = c.durations.get_mut(i) {
                    d.observe_lognormal(&HTTP_BUCKETS, n, median * rng.range(0.9, 1.1), 0.8);
                }
            }
            for (i, (_, _, secs)) in AI_MODELS.iter().enumerate() {
                let n = rng.poisson(0.4 * level * dt);
                let errors = rng.poisson(n as f64 * 0.01).min(n);
                if let Some(s) = c.ai_requests.get_mut(2 * i) {
                    s.add((n - errors) as f64);
                }
                if let Some(s) = c.ai_requests.get_mut(2 * i + 1) {
                    s.add(errors as f64);
                }
                if let Some(s) = c.ai_tokens.get_mut(i) {
                    s.add((n as f64 * rng.lognormal(1500.0, 0.5)).round());
                }
                if let Some(s) = c.ai_duration.get_mut(i) {
                    s.observe_lognormal(&AI_BUCKETS, n, *secs, 0.6);
                }
            }
            let users = (150.0 * level * rng.range(0.9, 1.1)).round();
            c.active_users.set(users);
            // Each active user acts about once every five minutes.
            for s in c.activity.iter_mut().take(users as usize) {
                s.add(rng.poisson(0.2 * dt / 60.0) as f64);
            }
            for (i, s) in c.jobs.iter_mut().enumerate() {
                let rate = if i % 2 == 0 { 0.02 } else { 0.0005 };
                s.add(rng.poisson(rate * dt) as f64);
            }
        }
        // Hexabase workspaces.
        for (wi, w) in self.workspaces.iter_mut().enumerate() {
            let first = wi == 0;
            for (i, d) in w.durations.iter_mut().enumerate() {
                let n =
                    rng.poisson(HEXABASE_PEAK_RPS * level * dt * if i == 0 { 0.8 } else { 0.2 });
                let e = rng.poisson(n as f64 * share_5xx).min(n);
                if let Some(s) = w.requests.get_mut(2 * i) {
                    s.add((n - e) as f64);
                }
                if let Some(s) = w.requests.get_mut(2 * i + 1) {
                    s.add(e as f64);
                }
                d.observe_lognormal(&HEXABASE_BUCKETS, n, median * 2.0, 0.7);
            }
            for (i, v) in w.vclusters.iter_mut().enumerate() {
                let bad = first && i == 0 && ctx.active(FaultKind::VclusterDown);
                v.set(if bad { 0.0 } else { 1.0 });
            }
            for (i, u) in w.usage.iter_mut().enumerate() {
                let base = [0.45, 0.6, 0.35].get(i).copied().unwrap_or(0.5);
                let quota = first && i == 0 && ctx.active(FaultKind::QuotaExceeded);
                u.set(if quota {
                    0.98
                } else {
                    (base + 0.25 * level + rng.range(-0.03, 0.03)).clamp(0.0, 0.94)
                });
            }
            w.sessions.set((40.0 * level * rng.range(0.8, 1.2)).round());
            w.connections
                .set((120.0 * level * rng.range(0.8, 1.2)).round());
            let failing = first && ctx.active(FaultKind::DeployFailures);
            let [ok, fail] = &mut w.deployments;
            ok.add(rng.poisson(0.002 * dt) as f64);
            fail.add(rng.poisson(if failing { 0.3 * dt } else { 0.0001 * dt }) as f64);
            let [aok, afail] = &mut w.aiops;
            aok.add(rng.poisson(0.003 * dt) as f64);
            afail.add(rng.poisson(0.0002 * dt) as f64);
        }
        for (i, s) in self.db_connections.iter_mut().enumerate() {
            s.set((if i == 0 { 12.0 } else { 8.0 } * rng.range(0.7, 1.3)).round());
        }
        // Nodes.
        for (ni, n) in self.nodes.iter_mut().enumerate() {
            let hot = ni == 0;
            let busy = if hot && ctx.active(FaultKind::CpuHigh) {
                0.95
            } else {
                (0.2 + 0.45 * level + rng.range(-0.05, 0.05)).clamp(0.02, 0.9)
            };
            for cpu in n.cpu.chunks_mut(3) {
                if let [idle, user, system] = cpu {
                    idle.add(dt * (1.0 - busy));
                    user.add(dt * busy * 0.8);
                    system.add(dt * busy * 0.2);
                }
            }
            let mem_used = if hot && ctx.active(FaultKind::MemoryHigh) {
                0.93
            } else {
                0.5 + 0.2 * level
            };
            n.mem_total.set(MEM_TOTAL);
            n.mem_avail.set((MEM_TOTAL * (1.0 - mem_used)).round());
            n.used_disk = (n.used_disk + rng.range(0.0, 2e5) * dt).min(0.7 * DISK_SIZE);
            let used = if hot && ctx.active(FaultKind::DiskFull) {
                0.95 * DISK_SIZE
            } else {
                n.used_disk
            };
            n.fs_size.set(DISK_SIZE);
            n.fs_free.set((DISK_SIZE - used).round());
            // ext4 reserves 5 % for root: available to users is less than free.
            n.fs_avail.set((DISK_SIZE * 0.95 - used).max(0.0).round());
            n.rx.add((rng.range(2e5, 8e5) * level * dt).round());
            n.tx.add((rng.range(1e5, 4e5) * level * dt).round());
            n.load1.set(busy * 2.0 * rng.range(0.9, 1.1));
            n.up.set(1.0);
        }
    }

    pub(crate) fn visit(&self, _t_ms: i64, f: &mut dyn FnMut(Point<'_>)) {
        let c = &self.conea;
        if !c.down {
            for s in c
                .requests
                .iter()
                .chain(&c.durations)
                .chain(&c.ai_requests)
                .chain(&c.ai_tokens)
                .chain(&c.ai_duration)
                .chain(&c.activity)
                .chain([&c.active_users])
                .chain(&c.jobs)
            {
                f(s.point());
            }
        }
        f(c.up.point());
        for w in &self.workspaces {
            for s in w
                .requests
                .iter()
                .chain(&w.durations)
                .chain(&w.vclusters)
                .chain(&w.usage)
                .chain([&w.sessions, &w.connections])
                .chain(&w.deployments)
                .chain(&w.aiops)
            {
                f(s.point());
            }
        }
        for s in &self.db_connections {
            f(s.point());
        }
        for n in &self.nodes {
            for s in n.cpu.iter().chain([
                &n.mem_avail,
                &n.mem_total,
                &n.fs_avail,
                &n.fs_free,
                &n.fs_size,
                &n.rx,
                &n.tx,
                &n.load1,
                &n.up,
            ]) {
                f(s.point());
            }
        }
    }
}
