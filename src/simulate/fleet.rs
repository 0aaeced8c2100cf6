//! The Claude Code fleet: users who run sessions, each session exporting every metric family of
//! `shared/TELEMETRY.md` with Claude Code's attributes.
//!
//! Cost is computed from the tokens drawn and the price table in force at each step
//! ([`crate::views::cost::PriceTable::at`]): for every cost series, the increase over a step is
//! Σ over the four token types of tokens × price / 10⁶, so cost = Σ tokens × price holds
//! exactly (up to floating-point addition) for every series, as long as no fault rewrites it.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "user indices bounded by the validated user count; session ends add at most hours to the simulator's clock"
)]

use super::config::{Naming, SimConfig};
use super::events::{self, Calls, Identity, Recorder};
use super::rng::Rng;
use super::{diurnal, FaultKind, MetricKind, OtelName, Point, Registry, Slot, StepCtx, Value};
use crate::error::Result;
use crate::views::cost::{default_prices, PriceTable};

/// Random stream of the fleet.
const STREAM: u64 = 1;

/// Mean sessions started per user per active hour at full activity.
const SESSIONS_PER_HOUR: f64 = 0.7;
/// Median session length, minutes.
const SESSION_MEDIAN_MIN: f64 = 75.0;
/// Longest session, minutes.
const SESSION_MAX_MIN: f64 = 360.0;
/// Mean API requests per minute of the main loop in a busy session.
const MAIN_REQUESTS_PER_MIN: f64 = 0.8;
/// Requests per minute during the `cost-spike` fault (Opus: about $0.3 each, so $6 per minute).
const SPIKE_REQUESTS_PER_MIN: f64 = 20.0;
/// Share of sessions whose `active_time` is never exported (a known data defect).
const ACTIVE_TIME_MISSING_SHARE: f64 = 0.25;
/// What the second writer of a colliding series reports, as a share of the first's value.
const COLLIDING_SHARE: f64 = 0.35;

/// The token types of `claude_code.token.usage`, in label order.
pub const TOKEN_TYPES: [&str; 4] = ["input", "output", "cacheRead", "cacheCreation"];

/// Preferred models with the fallbacks used before their release date (the price table knows
/// when each was released): primary Opus, primary Sonnet, auxiliary Haiku.
const MODELS: [&[&str]; 3] = [
    &["claude-opus-4-1-20250805", "claude-opus-4-20250514"],
    &[
        "claude-sonnet-4-5-20250929",
        "claude-sonnet-4-20250514",
        "claude-3-7-sonnet-20250219",
    ],
    &[
        "claude-haiku-4-5-20251001",
        "claude-3-5-haiku-20241022",
        "claude-3-haiku-20240307",
    ],
];

const TEAMS: [(&str, &str); 4] = [
    ("platform", "cc-1001"),
    ("web", "cc-1002"),
    ("data", "cc-1003"),
    ("mobile", "cc-1004"),
];
const TERMINALS: [&str; 5] = ["vscode", "iTerm.app", "tmux", "cursor", "Apple_Terminal"];
const LANGUAGES: [&str; 4] = ["TypeScript", "Rust", "Python", "Go"];
const START_TYPES: [&str; 3] = ["fresh", "resume", "continue"];

/// Families of the fleet, indices into the registry.
#[derive(Debug, Clone, Copy)]
struct Fams {
    session: usize,
    lines: usize,
    pr: usize,
    commit: usize,
    cost: usize,
    tokens: usize,
    decision: usize,
    active: usize,
}

/// The Prometheus name of a Claude Code metric under `naming`: `stem` is the OTel name after
/// `claude_code.` with dots as underscores, `unit` the unit suffix (`_USD`) or empty.
pub fn metric_name(naming: Naming, stem: &str, unit: &str) -> String {
    match (naming, stem) {
        (Naming::Legacy, "commit_count") => "claude_code_git_commit_count_total".to_owned(),
        (Naming::Legacy, "pull_request_count") => {
            "claude_code_git_pull_request_count_total".to_owned()
        }
        (Naming::Collector | Naming::Legacy, _) => format!("claude_code_{stem}{unit}_total"),
        (Naming::DoubledPrefix, _) => format!("claude_code_claude_code_{stem}{unit}_total"),
        (Naming::NoUnitSuffix, _) => format!("claude_code_{stem}_total"),
    }
}

#[derive(Debug, Clone)]
struct User {
    user_id: String,
    account_uuid: String,
    email: Option<String>,
    team: usize,
    terminal: &'static str,
    opus: bool,
    peak_hour: f64,
}

/// One query source of a session: its cost slot and four token slots.
#[derive(Debug, Clone)]
struct Source {
    model: String,
    main: bool,
    auxiliary: bool,
    rate_per_min: f64,
    cost: Slot,
    tokens: [Slot; 4],
}

#[derive(Debug, Clone)]
struct Session {
    user: usize,
    /// The session's resource and record attributes for its events.
    identity: Identity,
    end_ms: i64,
    intensity: f64,
    sources: Vec<Source>,
    /// Every other slot: session count, lines, commits, PRs, decisions, active time.
    other: Vec<Slot>,
    /// Indices into `other`.
    lines: [usize; 2],
    commit: usize,
    pr: usize,
    decisions: [usize; 4],
    active: Option<[usize; 2]>,
    /// The second writer's values (colliding writers), reported on odd steps.
    colliding: bool,
    odd: bool,
}

impl Session {
    fn slots(&self) -> impl Iterator<Item = &Slot> {
        self.sources
            .iter()
            .flat_map(|s| std::iter::once(&s.cost).chain(s.tokens.iter()))
            .chain(self.other.iter())
    }

    fn slots_mut(&mut self) -> impl Iterator<Item = &mut Slot> {
        self.sources
            .iter_mut()
            .flat_map(|s| std::iter::once(&mut s.cost).chain(s.tokens.iter_mut()))
            .chain(self.other.iter_mut())
    }

    fn other_add(&mut self, i: usize, x: f64) {
        if let Some(s) = self.other.get_mut(i) {
            s.add(x);
        }
    }
}

/// The fleet's state.
#[derive(Debug)]
pub struct Fleet {
    rng: Rng,
    fams: Fams,
    prices: PriceTable,
    org: String,
    users: Vec<User>,
    sessions: Vec<Session>,
    seed: u64,
    /// Claude Code's events, once recording is on.
    recorder: Option<Recorder>,
}

impl Fleet {
    pub(crate) fn new(config: &SimConfig, reg: &mut Registry, _t0: i64) -> Result<Self> {
        let n = config.naming;
        let mut fam =
            |stem: &str, unit: &str, help: &'static str, om_unit: &'static str, otel: OtelName| {
                let i = reg.family(
                    metric_name(n, stem, unit),
                    MetricKind::Counter,
                    help,
                    om_unit,
                    &[],
                );
                if let Some(f) = reg.families.get_mut(i) {
                    f.otel = Some(otel);
                }
                i
            };
        let (usd, secs) = match n {
            Naming::NoUnitSuffix => ("", ""),
            _ => ("USD", "seconds"),
        };
        let fams = Fams {
            session: fam(
                "session_count",
                "",
                "Count of CLI sessions started",
                "",
                OtelName {
                    name: "claude_code.session.count",
                    unit: "count",
                },
            ),
            lines: fam(
                "lines_of_code_count",
                "",
                "Count of lines of code modified",
                "",
                OtelName {
                    name: "claude_code.lines_of_code.count",
                    unit: "count",
                },
            ),
            pr: fam(
                "pull_request_count",
                "",
                "Number of pull requests created",
                "",
                OtelName {
                    name: "claude_code.pull_request.count",
                    unit: "count",
                },
            ),
            commit: fam(
                "commit_count",
                "",
                "Number of git commits created",
                "",
                OtelName {
                    name: "claude_code.commit.count",
                    unit: "count",
                },
            ),
            cost: fam(
                "cost_usage",
                "_USD",
                "Cost of the Claude Code session",
                usd,
                OtelName {
                    name: "claude_code.cost.usage",
                    unit: "USD",
                },
            ),
            tokens: fam(
                "token_usage",
                "_tokens",
                "Number of tokens used",
                "",
                OtelName {
                    name: "claude_code.token.usage",
                    unit: "tokens",
                },
            ),
            decision: fam(
                "code_edit_tool_decision",
                "",
                "Count of code editing tool permission decisions",
                "",
                OtelName {
                    name: "claude_code.code_edit_tool.decision",
                    unit: "count",
                },
            ),
            active: fam(
                "active_time",
                "_seconds",
                "Total active time in seconds",
                secs,
                OtelName {
                    name: "claude_code.active_time.total",
                    unit: "s",
                },
            ),
        };
        let mut rng = Rng::new(config.seed, STREAM);
        let org = rng.uuid();
        let users = (0..config.users as usize)
            .map(|i| User {
                user_id: rng.hex(64),
                account_uuid: rng.uuid(),
                // API-key users have no email: every fourth user.
                email: (i % 4 != 3).then(|| format!("dev{:02}@example.com", i + 1)),
                team: i % TEAMS.len(),
                terminal: TERMINALS
                    .get(rng.below(TERMINALS.len()))
                    .copied()
                    .unwrap_or("vscode"),
                opus: i % 5 == 0,
                peak_hour: 8.0 + (i % 3) as f64 * 3.0 + rng.range(0.0, 2.0),
            })
            .collect();
        Ok(Self {
            rng,
            fams,
            prices: PriceTable::new(&default_prices()?)?,
            org,
            users,
            sessions: Vec::new(),
            seed: config.seed,
            recorder: None,
        })
    }

    /// Records Claude Code's events from the next step on (nothing when already recording).
    pub(crate) fn record_events(&mut self) {
        if self.recorder.is_none() {
            self.recorder = Some(Recorder::new(self.seed));
        }
    }

    /// The events recorded since the last call (none when not recording).
    pub(crate) fn take_events(&mut self) -> Vec<events::Event> {
        self.recorder
            .as_mut()
            .map(Recorder::take)
            .unwrap_or_default()
    }

    /// The first model of `choices` priced at `t_ms`, else the last one.
    fn model(&self, choices: &[&str], t_ms: i64) -> String {
        choices
            .iter()
            .find(|m| self.prices.at(m, t_ms).is_some())
            .or(choices.last())
            .map(|m| (*m).to_owned())
            .unwrap_or_default()
    }

    fn start_session(&mut self, ctx: &mut StepCtx<'_>, u: usize, spike: bool) {
        let Some(user) = self.users.get(u).cloned() else {
            return;
        };
        let t = ctx.t_ms;
        let f = self.fams;
        let primary_choices = MODELS
            .get(usize::from(!(user.opus || spike)))
            .copied()
            .unwrap_or(&[]);
        let primary = self.model(primary_choices, t);
        let haiku = self.model(MODELS.get(2).copied().unwrap_or(&[]), t);
        let rng = &mut self.rng;
        let session_id = rng.uuid();
        let minutes = rng
            .lognormal(SESSION_MEDIAN_MIN, 0.6)
            .clamp(5.0, SESSION_MAX_MIN);
        let (team, cost_center) = TEAMS
            .get(user.team)
            .copied()
            .unwrap_or(("platform", "cc-1001"));
        let mut common: Vec<(String, String)> = vec![
            ("session_id".into(), session_id),
            ("organization_id".into(), self.org.clone()),
            ("user_account_uuid".into(), user.account_uuid.clone()),
            ("user_id".into(), user.user_id.clone()),
        ];
        if let Some(e) = user
            .email
            .as_ref()
            .filter(|_| !ctx.active(FaultKind::MissingEmail))
        {
            common.push(("user_email".into(), e.clone()));
        }
        common.extend([
            ("terminal_type".into(), user.terminal.to_owned()),
            ("service_name".into(), "claude-code".to_owned()),
            ("team_id".into(), team.to_owned()),
            ("cost_center".into(), cost_center.to_owned()),
        ]);
        let with = |extra: &[(&str, &str)]| {
            let mut l = common.clone();
            l.extend(
                extra
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            );
            l
        };
        let language = LANGUAGES
            .get(rng.below(LANGUAGES.len()))
            .copied()
            .unwrap_or("Rust");
        let start_type = START_TYPES.get(rng.below(3)).copied().unwrap_or("fresh");
        let intensity = if spike { 1.0 } else { rng.range(0.4, 1.4) };
        let reg = &mut *ctx.registry;
        let mut source = |model: &str, qs: &str, extra: &[(&str, &str)], rate: f64| {
            let mut base: Vec<(&str, &str)> = vec![("model", model), ("query_source", qs)];
            base.extend_from_slice(extra);
            let cost = reg.slot_owned(f.cost, with(&base), t);
            let tokens = TOKEN_TYPES.map(|ty| {
                let mut l = base.clone();
                l.push(("type", ty));
                reg.slot_owned(f.tokens, with(&l), t)
            });
            Source {
                model: model.to_owned(),
                main: qs == "main",
                auxiliary: qs == "auxiliary",
                rate_per_min: rate,
                cost,
                tokens,
            }
        };
        let main_rate = if spike {
            SPIKE_REQUESTS_PER_MIN
        } else {
            MAIN_REQUESTS_PER_MIN
        };
        let sources = vec![
            source(
                &primary,
                "main",
                &[("speed", "normal"), ("effort", "high")],
                main_rate,
            ),
            source(
                &primary,
                "subagent",
                &[
                    ("speed", "normal"),
                    ("effort", "medium"),
                    ("agent_name", "code-reviewer"),
                    ("skill_name", "pdf"),
                    ("plugin_name", "review-tools"),
                    ("mcp_server_name", "github"),
                ],
                main_rate * 0.3,
            ),
            source(&haiku, "auxiliary", &[("speed", "normal")], main_rate * 0.6),
        ];
        let mut other = Vec::new();
        let mut push = |s: Slot| {
            other.push(s);
            other.len() - 1
        };
        let mut count = reg.slot_owned(f.session, with(&[("start_type", start_type)]), t);
        count.add(1.0);
        push(count);
        let lines = [
            push(reg.slot_owned(f.lines, with(&[("type", "added"), ("model", &primary)]), t)),
            push(reg.slot_owned(
                f.lines,
                with(&[("type", "removed"), ("model", &primary)]),
                t,
            )),
        ];
        let commit = push(reg.slot_owned(f.commit, with(&[]), t));
        let pr = push(reg.slot_owned(f.pr, with(&[]), t));
        let mut decisions = [0; 4];
        for (i, (tool, decision, src)) in events::EDIT_SERIES.into_iter().enumerate() {
            let l = with(&[
                ("tool_name", tool),
                ("decision", decision),
                ("source", src),
                ("language", language),
            ]);
            if let Some(d) = decisions.get_mut(i) {
                *d = push(reg.slot_owned(f.decision, l, t));
            }
        }
        let active = (!rng.chance(ACTIVE_TIME_MISSING_SHARE)).then(|| {
            [
                push(reg.slot_owned(f.active, with(&[("type", "user")]), t)),
                push(reg.slot_owned(f.active, with(&[("type", "cli")]), t)),
            ]
        });
        let identity = super::otlp::identity(&common);
        self.sessions.push(Session {
            user: u,
            identity,
            end_ms: t + (minutes * 60_000.0) as i64,
            intensity,
            sources,
            other,
            lines,
            commit,
            pr,
            decisions,
            active,
            colliding: false,
            odd: false,
        });
    }

    pub(crate) fn step(&mut self, ctx: &mut StepCtx<'_>) {
        let t = ctx.t_ms;
        self.sessions.retain(|s| s.end_ms > t);
        // New sessions.
        let spike = ctx.active(FaultKind::CostSpike);
        for u in 0..self.users.len() {
            let running = self.sessions.iter().any(|s| s.user == u);
            let peak = self.users.get(u).map_or(10.0, |x| x.peak_hour);
            let p = diurnal(t, peak) * SESSIONS_PER_HOUR * ctx.dt_s / 3600.0;
            let forced = spike && u == 0 && !running;
            if forced || (!running && self.rng.chance(p)) {
                self.start_session(ctx, u, forced);
            }
        }
        let colliding = ctx.active(FaultKind::CollidingWriters);
        let dt_min = ctx.dt_s / 60.0;
        let dt_ms = (ctx.dt_s * 1000.0).round() as i64;
        let error_share = if ctx.active(FaultKind::ErrorBurst) {
            events::BURST_ERROR_SHARE
        } else {
            events::ERROR_SHARE
        };
        let prices = &self.prices;
        let rng = &mut self.rng;
        let mut recorder = self.recorder.as_mut();
        for s in &mut self.sessions {
            if ctx.restart {
                for slot in s.slots_mut() {
                    slot.reset(t);
                }
            }
            s.colliding = colliding && s.user == 0;
            s.odd = !s.odd;
            let level = s.intensity * diurnal(t, 13.0).max(0.5);
            let mut requests = 0u64;
            for src in &mut s.sources {
                let r = rng.poisson(src.rate_per_min * dt_min * level);
                if !src.auxiliary {
                    requests += r;
                }
                if r == 0 {
                    continue;
                }
                let rf = r as f64;
                let tokens: [f64; 4] = if src.auxiliary {
                    [
                        rng.lognormal(400.0, 0.4),
                        rng.lognormal(60.0, 0.5),
                        0.0,
                        0.0,
                    ]
                } else {
                    [
                        rng.lognormal(3000.0, 0.6),
                        rng.lognormal(800.0, 0.7),
                        rng.lognormal(40_000.0, 0.5),
                        rng.lognormal(2500.0, 0.8),
                    ]
                }
                .map(|x| (x * rf).round());
                let price = prices.at(&src.model, t);
                let per_type =
                    TOKEN_TYPES.map(|ty| price.and_then(|p| p.of_type(ty)).unwrap_or(0.0));
                let mut cost = 0.0;
                for ((slot, n), p) in src.tokens.iter_mut().zip(tokens).zip(per_type) {
                    slot.add(n);
                    cost += n * p / 1e6;
                }
                src.cost.add(cost);
                if let Some(rec) = recorder.as_deref_mut() {
                    if src.main {
                        rec.prompt();
                    }
                    rec.api_calls(&Calls {
                        model: &src.model,
                        requests: r,
                        tokens,
                        prices: per_type,
                        error_share,
                    });
                }
            }
            let rq = requests as f64;
            let added = rng.poisson(rq * 18.0) as f64;
            let removed = rng.poisson(rq * 6.0) as f64;
            let [la, lr] = s.lines;
            s.other_add(la, added);
            s.other_add(lr, removed);
            let edits = rng.poisson(rq * 0.9);
            let rejects = rng.poisson(edits as f64 * 0.08) as f64;
            let accepts = edits as f64 - rejects.min(edits as f64);
            let [ea, er, wa, wr] = s.decisions;
            let writes = (accepts * 0.2).round();
            let edit_rejects = (rejects * 0.7).round();
            let decided = [
                accepts - writes,
                edit_rejects,
                writes,
                rejects - edit_rejects,
            ];
            for (i, n) in [ea, er, wa, wr].into_iter().zip(decided) {
                s.other_add(i, n);
            }
            if let Some(rec) = recorder.as_deref_mut() {
                rec.tools(decided, requests);
                rec.end_session(&s.identity, t, dt_ms);
            }
            if rng.chance((rq * 0.04).min(1.0)) {
                let c = s.commit;
                s.other_add(c, 1.0);
                if rng.chance(0.3) {
                    let p = s.pr;
                    s.other_add(p, 1.0);
                }
            }
            if let Some([user, cli]) = s.active {
                let busy = (level * ctx.dt_s * 0.5).min(ctx.dt_s);
                s.other_add(user, busy);
                s.other_add(cli, (rq * 9.0).min(ctx.dt_s));
            }
        }
        if let Some(rec) = recorder {
            rec.end_step();
        }
    }

    pub(crate) fn visit(&self, _t_ms: i64, f: &mut dyn FnMut(Point<'_>)) {
        for s in &self.sessions {
            let second_writer = s.colliding && s.odd;
            for slot in s.slots() {
                if second_writer {
                    let v = Value::Number(slot.number() * COLLIDING_SHARE);
                    f(Point {
                        value: &v,
                        ..slot.point()
                    });
                } else {
                    f(slot.point());
                }
            }
        }
    }
}
