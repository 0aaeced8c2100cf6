//! What `fleetlens simulate` does with its flags, through the library functions it calls:
//! `--interval`, `--naming`, `--fault` (each), `--from`, `--users`, `--agents`, `--workspaces`,
//! then `SimConfig::validate` and, for a small valid fleet, the simulator's first steps.
//!
//! Input layout, one flag value a line: interval, naming, from, "USERS AGENTS WORKSPACES SEED",
//! then any number of fault specs. Times are relative to a fixed "now".
#![no_main]

use fleetlens::simulate::openmetrics::exposition_text;
use fleetlens::simulate::{Fault, Naming, SimConfig, Simulator};
use fleetlens::time::{ms_to_seconds_text, parse_duration_ms, parse_time_ms};
use libfuzzer_sys::fuzz_target;

/// 2026-03-10T00:00:00Z.
const NOW: i64 = 1_773_100_800_000;

fuzz_target!(|text: &str| {
    let mut lines = text.split('\n');
    let interval = lines.next().unwrap_or_default();
    let naming = lines.next().unwrap_or_default();
    let from = lines.next().unwrap_or_default();
    let counts: Vec<u32> = lines
        .next()
        .unwrap_or_default()
        .split(' ')
        .map(|n| n.parse().unwrap_or(1))
        .collect();
    let count = |i: usize| counts.get(i).copied().unwrap_or(1);
    let faults: Vec<Fault> = lines.filter_map(|f| Fault::parse(f, NOW).ok()).collect();
    for fault in &faults {
        if let (Some(a), Some(b)) = (fault.start_ms, fault.end_ms) {
            assert!(a < b, "{fault:?}");
        }
    }

    let interval_ms = parse_duration_ms(interval);
    if let Ok(ms) = interval_ms {
        assert!(ms > 0);
    }
    let start_ms = parse_time_ms(from, NOW).unwrap_or(NOW);
    let _ = ms_to_seconds_text(start_ms);
    let (Ok(interval_ms), Ok(naming)) = (interval_ms, Naming::parse(naming)) else {
        return;
    };
    let config = SimConfig {
        seed: u64::from(count(3)),
        users: count(0),
        agents: count(1),
        workspaces: count(2),
        interval_ms,
        naming,
        faults,
    };
    if config.validate().is_err() || config.users + config.agents + config.workspaces > 12 {
        return;
    }
    let Ok(mut sim) = Simulator::new(&config, start_ms) else {
        return;
    };
    for _ in 0..3 {
        sim.step();
    }
    let _ = exposition_text(&sim, &|_| false);
});
