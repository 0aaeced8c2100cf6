//! The agent cluster of `seeds/claude-code-cluster-monitoring.md`: a coordinator with a task
//! queue, agents that take tasks, call the Claude API and report heartbeats, and the business
//! gauges of its dashboards. Names are the seed's, which are also the defaults of the agents
//! view ([`crate::views::agents::MetricNames`]).

#![allow(
    clippy::arithmetic_side_effects,
    reason = "agent indices and counts are bounded by the validated fleet size; times move by the simulator's interval and task durations of at most hours"
)]

use super::config::SimConfig;
use super::rng::Rng;
use super::{FaultKind, MetricKind, Point, Registry, Slot, StepCtx};

/// Random stream of the cluster.
const STREAM: u64 = 2;

/// Task duration buckets, seconds (one minute to two hours).
pub const TASK_BUCKETS: [f64; 8] = [60.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0, 14_400.0];
/// Claude API request duration buckets, seconds.
pub const API_BUCKETS: [f64; 9] = [0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0];
/// Median task duration, seconds.
const TASK_MEDIAN_S: f64 = 900.0;
/// Median Claude API latency, seconds.
const API_MEDIAN_S: f64 = 6.0;
/// Claude API requests per minute of a busy agent.
const API_PER_MIN: f64 = 3.0;
/// Price of the cluster's model (Sonnet list price), USD per million input and output tokens.
const PRICE_IN: f64 = 3.0;
const PRICE_OUT: f64 = 15.0;
/// Mean tasks arriving per hour per agent at peak.
const TASKS_PER_AGENT_HOUR: f64 = 2.6;
const SPECIALTIES: [&str; 4] = ["backend", "frontend", "testing", "devops"];
const PRIORITIES: [&str; 3] = ["high", "medium", "low"];
const GIT_OPS: [&str; 3] = ["clone", "commit", "push"];

#[derive(Debug)]
struct Agent {
    specialty: usize,
    busy_until: Option<i64>,
    task_s: f64,
    heartbeat_s: f64,
    disk: f64,
    completed: Slot,
    failed: Slot,
    duration: Slot,
    load: Slot,
    heartbeat: Slot,
    api_requests: Slot,
    tokens: [Slot; 2],
    cost: Slot,
    disk_usage: Slot,
    active_tasks: Slot,
    git: [Slot; 3],
}

impl Agent {
    fn counters_mut(&mut self) -> impl Iterator<Item = &mut Slot> {
        [
            &mut self.completed,
            &mut self.failed,
            &mut self.duration,
            &mut self.api_requests,
            &mut self.cost,
        ]
        .into_iter()
        .chain(self.tokens.iter_mut())
        .chain(self.git.iter_mut())
    }

    fn slots(&self) -> impl Iterator<Item = &Slot> {
        [
            &self.completed,
            &self.failed,
            &self.duration,
            &self.load,
            &self.heartbeat,
            &self.api_requests,
            &self.cost,
            &self.disk_usage,
            &self.active_tasks,
        ]
        .into_iter()
        .chain(self.tokens.iter())
        .chain(self.git.iter())
    }
}

#[derive(Debug, Clone, Copy)]
struct Fams {
    completed: usize,
    failed: usize,
    duration: usize,
    load: usize,
    heartbeat: usize,
    api_requests: usize,
    tokens: usize,
    cost: usize,
    disk: usize,
    active_tasks: usize,
    git: usize,
}

/// The cluster's state.
#[derive(Debug)]
pub struct Cluster {
    rng: Rng,
    fams: Fams,
    agents: Vec<Agent>,
    queue: Vec<usize>,
    extra_agent_added: bool,
    /// Coordinator series (absent while the coordinator is down).
    tasks_total: Vec<Slot>,
    task_duration: Vec<Slot>,
    queue_size: Slot,
    active: Slot,
    agents_total: Slot,
    agents_available: Slot,
    api_duration: Slot,
    webhooks: Vec<Slot>,
    github_calls: Vec<Slot>,
    rate_limit: Slot,
    db_connections: Slot,
    db_duration: Slot,
    business: Vec<Slot>,
    cost_per_task: Slot,
    velocity: Slot,
    /// `up` of the coordinator and of PostgreSQL.
    up: [Slot; 2],
    /// Cost and tasks of the last hour, for the per-task cost (exponentially weighted).
    hour_cost: f64,
    hour_tasks: f64,
    coordinator_down: bool,
}

fn agent_id(i: usize) -> String {
    format!("agent-{:02}", i + 1)
}

impl Cluster {
    pub(crate) fn new(config: &SimConfig, reg: &mut Registry, t0: i64) -> Self {
        use MetricKind::{Counter, Gauge, Histogram};
        let fams = Fams {
            completed: reg.family(
                "claude_agent_tasks_completed_total",
                Counter,
                "Tasks completed",
                "",
                &[],
            ),
            failed: reg.family(
                "claude_agent_tasks_failed_total",
                Counter,
                "Tasks failed",
                "",
                &[],
            ),
            duration: reg.family(
                "claude_agent_task_duration_seconds",
                Histogram,
                "Agent task duration",
                "seconds",
                &TASK_BUCKETS,
            ),
            load: reg.family("claude_agent_load", Gauge, "Agent load percentage", "", &[]),
            heartbeat: reg.family(
                "claude_agent_last_heartbeat",
                Gauge,
                "Last heartbeat timestamp",
                "",
                &[],
            ),
            api_requests: reg.family(
                "claude_api_requests_total",
                Counter,
                "Claude API requests",
                "",
                &[],
            ),
            tokens: reg.family(
                "claude_api_tokens_total",
                Counter,
                "Claude API tokens used",
                "",
                &[],
            ),
            cost: reg.family(
                "claude_api_cost_usd_total",
                Counter,
                "Total Claude API cost",
                "",
                &[],
            ),
            disk: reg.family(
                "claude_workspace_disk_usage_bytes",
                Gauge,
                "Workspace disk usage",
                "bytes",
                &[],
            ),
            active_tasks: reg.family(
                "claude_workspace_active_tasks",
                Gauge,
                "Active tasks in workspace",
                "",
                &[],
            ),
            git: reg.family(
                "claude_git_operations_total",
                Counter,
                "Git operations",
                "",
                &[],
            ),
        };
        let f_tasks = reg.family(
            "claude_tasks_total",
            Counter,
            "Total tasks processed",
            "",
            &[],
        );
        let f_task_dur = reg.family(
            "claude_task_duration_seconds",
            Histogram,
            "Task execution time",
            "seconds",
            &TASK_BUCKETS,
        );
        let f_queue = reg.family(
            "claude_tasks_queue_size",
            Gauge,
            "Number of tasks in queue",
            "",
            &[],
        );
        let f_active = reg.family(
            "claude_tasks_active",
            Gauge,
            "Number of active tasks",
            "",
            &[],
        );
        let f_total = reg.family(
            "claude_agents_total",
            Gauge,
            "Total number of agents",
            "",
            &[],
        );
        let f_avail = reg.family(
            "claude_agents_available",
            Gauge,
            "Available agents (up and heartbeating)",
            "",
            &[],
        );
        let f_api_dur = reg.family(
            "claude_api_request_duration_seconds",
            Histogram,
            "Claude API request duration",
            "seconds",
            &API_BUCKETS,
        );
        let f_hooks = reg.family(
            "claude_github_webhooks_total",
            Counter,
            "GitHub webhooks received",
            "",
            &[],
        );
        let f_gh = reg.family(
            "claude_github_api_calls_total",
            Counter,
            "GitHub API calls",
            "",
            &[],
        );
        let f_rate = reg.family(
            "claude_github_rate_limit_remaining",
            Gauge,
            "GitHub API rate limit remaining",
            "",
            &[],
        );
        let f_db = reg.family(
            "claude_db_connections_active",
            Gauge,
            "Active database connections",
            "",
            &[],
        );
        let f_db_dur = reg.family(
            "claude_db_query_duration_seconds",
            Histogram,
            "Database query duration",
            "seconds",
            &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0],
        );
        let f_velocity = reg.family(
            "claude_development_velocity",
            Gauge,
            "PRs per hour",
            "",
            &[],
        );
        let f_cpt = reg.family(
            "claude_cost_per_task_usd",
            Gauge,
            "Cost per completed task",
            "",
            &[],
        );
        let f_infra = reg.family(
            "claude_infrastructure_cost_usd_daily",
            Gauge,
            "Daily infrastructure cost",
            "",
            &[],
        );
        let f_quality = reg.family(
            "claude_code_quality_score",
            Gauge,
            "Average code quality score",
            "",
            &[],
        );
        let f_bugs = reg.family(
            "claude_bug_detection_rate",
            Gauge,
            "Bugs detected per PR",
            "",
            &[],
        );
        let f_coverage = reg.family(
            "claude_test_coverage_percentage",
            Gauge,
            "Test coverage percentage",
            "",
            &[],
        );
        let f_approval = reg.family(
            "claude_pr_approval_rate",
            Gauge,
            "PR approval rate",
            "",
            &[],
        );
        let f_deploy = reg.family(
            "claude_deployment_success_rate",
            Gauge,
            "Deployment success rate",
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

        let mut tasks_total = Vec::new();
        for status in ["completed", "failed"] {
            for p in PRIORITIES {
                tasks_total.push(reg.slot(f_tasks, &[("status", status), ("priority", p)], t0));
            }
        }
        let task_duration = SPECIALTIES
            .iter()
            .map(|s| reg.slot(f_task_dur, &[("agent_type", s)], t0))
            .collect();
        let business = vec![
            {
                let mut s = reg.slot(f_infra, &[], t0);
                s.set(48.0 + 6.0 * config.agents as f64);
                s
            },
            reg.slot(f_quality, &[], t0),
            reg.slot(f_bugs, &[], t0),
            reg.slot(f_coverage, &[("repo", "fleetlens/api")], t0),
            reg.slot(f_coverage, &[("repo", "fleetlens/web")], t0),
            reg.slot(f_approval, &[], t0),
            reg.slot(f_deploy, &[], t0),
        ];
        let mut c = Self {
            rng: Rng::new(config.seed, STREAM),
            fams,
            agents: Vec::new(),
            queue: Vec::new(),
            extra_agent_added: false,
            tasks_total,
            task_duration,
            queue_size: reg.slot(f_queue, &[], t0),
            active: reg.slot(f_active, &[], t0),
            agents_total: reg.slot(f_total, &[], t0),
            agents_available: reg.slot(f_avail, &[], t0),
            api_duration: reg.slot(f_api_dur, &[], t0),
            webhooks: ["push", "pull_request", "issues"]
                .iter()
                .map(|e| reg.slot(f_hooks, &[("event_type", e)], t0))
                .collect(),
            github_calls: ["/repos/pulls", "/repos/issues"]
                .iter()
                .map(|e| reg.slot(f_gh, &[("endpoint", e)], t0))
                .collect(),
            rate_limit: reg.slot(f_rate, &[], t0),
            db_connections: reg.slot(f_db, &[], t0),
            db_duration: reg.slot(f_db_dur, &[], t0),
            business,
            cost_per_task: reg.slot(f_cpt, &[], t0),
            velocity: reg.slot(f_velocity, &[], t0),
            up: [
                reg.slot(
                    f_up,
                    &[
                        ("job", "claude-coordinator"),
                        ("instance", "coordinator:8000"),
                    ],
                    t0,
                ),
                reg.slot(
                    f_up,
                    &[
                        ("job", "postgresql"),
                        ("instance", "postgres-exporter:9187"),
                    ],
                    t0,
                ),
            ],
            hour_cost: 0.0,
            hour_tasks: 0.0,
            coordinator_down: false,
        };
        for i in 0..config.agents as usize {
            c.add_agent(reg, i, t0);
        }
        c.gauges(t0, false, false);
        c
    }

    fn add_agent(&mut self, reg: &mut Registry, i: usize, t: i64) {
        let id = agent_id(i);
        let specialty = i % SPECIALTIES.len();
        let sp = SPECIALTIES.get(specialty).copied().unwrap_or("backend");
        let f = self.fams;
        let a = [("agent_id", id.as_str())];
        self.agents.push(Agent {
            specialty,
            busy_until: None,
            task_s: 0.0,
            heartbeat_s: (t / 1000) as f64,
            disk: 2e9 + self.rng.range(0.0, 1e9),
            completed: reg.slot(f.completed, &a, t),
            failed: reg.slot(f.failed, &a, t),
            duration: reg.slot(f.duration, &a, t),
            load: reg.slot(f.load, &[("agent_id", &id), ("specialty", sp)], t),
            heartbeat: reg.slot(f.heartbeat, &a, t),
            api_requests: reg.slot(f.api_requests, &a, t),
            tokens: [
                reg.slot(f.tokens, &[("agent_id", &id), ("type", "input")], t),
                reg.slot(f.tokens, &[("agent_id", &id), ("type", "output")], t),
            ],
            cost: reg.slot(f.cost, &a, t),
            disk_usage: reg.slot(f.disk, &a, t),
            active_tasks: reg.slot(f.active_tasks, &a, t),
            git: GIT_OPS.map(|op| reg.slot(f.git, &[("agent_id", &id), ("operation", op)], t)),
        });
    }

    /// Sets the gauges that follow from the state.
    fn gauges(&mut self, t: i64, agents_down: bool, db_down: bool) {
        let busy = self
            .agents
            .iter()
            .filter(|a| a.busy_until.is_some())
            .count();
        let n = self.agents.len();
        self.queue_size.set(self.queue.len() as f64);
        self.active.set(busy as f64);
        self.agents_total.set(n as f64);
        // Available: up and heartbeating, busy or not (AllAgentsDown fires when none is; a
        // fully busy fleet is not down, `claude_tasks_active` counts the busy ones).
        self.agents_available
            .set(if agents_down { 0.0 } else { n as f64 });
        for a in &mut self.agents {
            if !agents_down {
                a.heartbeat_s = ((t / 1000) / 30 * 30) as f64;
            }
            a.heartbeat.set(a.heartbeat_s);
            a.disk_usage.set(a.disk.round());
            a.active_tasks
                .set(f64::from(u8::from(a.busy_until.is_some())));
        }
        if let Some(u) = self.up.get_mut(1) {
            u.set(if db_down { 0.0 } else { 1.0 });
        }
    }

    pub(crate) fn step(&mut self, ctx: &mut StepCtx<'_>) {
        let t = ctx.t_ms;
        let dt = ctx.dt_s;
        if ctx.active(FaultKind::NewAgent) && !self.extra_agent_added {
            self.extra_agent_added = true;
            let i = self.agents.len();
            self.add_agent(ctx.registry, i, t);
        }
        if ctx.restart {
            for a in &mut self.agents {
                for s in a.counters_mut() {
                    s.reset(t);
                }
            }
        }
        let agents_down = ctx.active(FaultKind::AgentsDown);
        let coordinator_down = ctx.active(FaultKind::CoordinatorDown);
        let slow_tasks = ctx.active(FaultKind::SlowTasks);
        let api_slow = ctx.active(FaultKind::ApiLatency);
        let one_slow = ctx.active(FaultKind::AgentLatency);
        // Arrivals.
        let mut rate = TASKS_PER_AGENT_HOUR * self.agents.len() as f64 * super::diurnal(t, 13.0);
        if ctx.active(FaultKind::QueueOverflow) {
            rate *= 20.0;
        }
        let arrivals = self.rng.poisson(rate * dt / 3600.0);
        for _ in 0..arrivals {
            let p = match self.rng.uniform() {
                x if x < 0.2 => 0,
                x if x < 0.7 => 1,
                _ => 2,
            };
            self.queue.push(p);
        }
        for s in &mut self.webhooks {
            s.add(self.rng.poisson(arrivals as f64 * 1.5 + 0.2 * dt / 60.0) as f64);
        }
        let mut completed_now = 0.0;
        let mut cost_now = 0.0;
        let mut api_calls = 0u64;
        for (i, a) in self.agents.iter_mut().enumerate() {
            let slow = if one_slow && i == 0 { 6.0 } else { 1.0 };
            // Finish.
            if let Some(end) = a.busy_until {
                if end <= t {
                    a.busy_until = None;
                    let ok = self.rng.chance(0.95);
                    let priority = self.rng.below(3);
                    let status = usize::from(!ok);
                    if let Some(s) = self.tasks_total.get_mut(status * 3 + priority) {
                        s.add(1.0);
                    }
                    if ok {
                        a.completed.add(1.0);
                        completed_now += 1.0;
                        a.git[1].add(1.0 + self.rng.poisson(1.5) as f64);
                        a.git[2].add(1.0);
                    } else {
                        a.failed.add(1.0);
                    }
                    // A task's duration is one observation at its median.
                    a.duration
                        .observe_lognormal(&TASK_BUCKETS, 1, a.task_s, 0.05);
                    if let Some(h) = self.task_duration.get_mut(a.specialty) {
                        h.observe_lognormal(&TASK_BUCKETS, 1, a.task_s, 0.05);
                    }
                }
            }
            // Start.
            if a.busy_until.is_none() && !agents_down && !self.queue.is_empty() {
                self.queue.remove(0);
                let mut secs = self.rng.lognormal(TASK_MEDIAN_S, 0.7) * slow;
                if slow_tasks {
                    secs = self.rng.lognormal(3.0 * 3600.0, 0.3);
                }
                a.task_s = secs;
                a.busy_until = Some(t + (secs * 1000.0) as i64);
                a.git[0].add(1.0);
                a.disk += self.rng.range(5e7, 3e8);
            }
            // Work: API calls while busy.
            let busy = a.busy_until.is_some();
            let load = if busy {
                self.rng.range(55.0, 88.0)
            } else {
                self.rng.range(3.0, 15.0)
            };
            a.load.set(if one_slow && i == 0 {
                self.rng.range(92.0, 99.0)
            } else {
                load
            });
            if busy {
                let n = self.rng.poisson(API_PER_MIN * dt / 60.0);
                api_calls += n;
                a.api_requests.add(n as f64);
                let input = (n as f64 * self.rng.lognormal(6000.0, 0.5)).round();
                let output = (n as f64 * self.rng.lognormal(1200.0, 0.6)).round();
                a.tokens[0].add(input);
                a.tokens[1].add(output);
                let cost = (input * PRICE_IN + output * PRICE_OUT) / 1e6;
                a.cost.add(cost);
                cost_now += cost;
                let median = API_MEDIAN_S * slow * if api_slow { 15.0 } else { 1.0 };
                self.api_duration
                    .observe_lognormal(&API_BUCKETS, n, median, 0.6);
            }
            // Workspaces are cleaned every night at 03:00 UTC.
            if (t.rem_euclid(86_400_000)) / 1000 < dt as i64 + 10_800
                && (t.rem_euclid(86_400_000)) / 1000 >= 10_800
            {
                a.disk = 2e9;
            }
        }
        for s in &mut self.github_calls {
            s.add(self.rng.poisson(api_calls as f64 * 0.5 + 0.5) as f64);
        }
        // Rate limit: 5000 per hour, reset on the hour.
        let used = (t.rem_euclid(3_600_000) as f64 / 3_600_000.0) * 3000.0;
        self.rate_limit.set(if ctx.active(FaultKind::RateLimit) {
            42.0
        } else {
            (5000.0 - used).round()
        });
        self.db_connections
            .set((8.0 + self.rng.range(0.0, 6.0)).round());
        self.db_duration.observe_lognormal(
            &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0],
            self.rng.poisson(dt * 5.0),
            0.004,
            0.8,
        );
        // Per-task cost over about the last hour.
        let keep = (-dt / 3600.0).exp();
        self.hour_cost = self.hour_cost * keep + cost_now;
        self.hour_tasks = self.hour_tasks * keep + completed_now;
        if self.hour_tasks > 0.05 {
            self.cost_per_task.set(self.hour_cost / self.hour_tasks);
        }
        let velocity = self.hour_tasks * 0.4;
        self.velocity.set(if ctx.active(FaultKind::HighVelocity) {
            12.0 + self.rng.range(0.0, 3.0)
        } else {
            velocity
        });
        let b = &mut self.business;
        for (i, (lo, hi)) in [
            (0.0, 0.0),
            (7.5, 9.0),
            (0.1, 0.4),
            (72.0, 80.0),
            (60.0, 70.0),
            (0.8, 0.95),
            (0.9, 0.99),
        ]
        .into_iter()
        .enumerate()
        .skip(1)
        {
            if let Some(s) = b.get_mut(i) {
                s.set(lo + (hi - lo) * self.rng.uniform());
            }
        }
        if let Some(u) = self.up.get_mut(0) {
            u.set(if coordinator_down { 0.0 } else { 1.0 });
        }
        self.gauges(t, agents_down, ctx.active(FaultKind::DatabaseDown));
        self.coordinator_down = coordinator_down;
    }

    pub(crate) fn visit(&self, _t_ms: i64, f: &mut dyn FnMut(Point<'_>)) {
        for a in &self.agents {
            for s in a.slots() {
                f(s.point());
            }
        }
        if !self.coordinator_down {
            for s in self
                .tasks_total
                .iter()
                .chain(&self.task_duration)
                .chain([
                    &self.queue_size,
                    &self.active,
                    &self.agents_total,
                    &self.agents_available,
                    &self.api_duration,
                    &self.rate_limit,
                    &self.db_connections,
                    &self.db_duration,
                    &self.cost_per_task,
                    &self.velocity,
                ])
                .chain(&self.webhooks)
                .chain(&self.github_calls)
                .chain(&self.business)
            {
                f(s.point());
            }
        }
        for u in &self.up {
            f(u.point());
        }
    }
}
