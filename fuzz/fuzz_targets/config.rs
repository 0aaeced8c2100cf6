//! The config parsers on arbitrary text: every view's config, the SLO period, the engine's
//! request, the simulator's config and the names the data source and panels pass (view, output,
//! SLO preset). Each must return a value or an error, never panic.
#![no_main]

use fleetlens::engine::{Output, Request, ViewConfig, ViewKind};
use fleetlens::simulate::config::SimConfig;
use fleetlens::window::PeriodConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for kind in [ViewKind::Cost, ViewKind::Slo, ViewKind::Agents] {
        if let Ok(config) = ViewConfig::from_json(kind, text) {
            assert_eq!(config.kind(), kind);
        }
        let _ = Output::parse(kind, text);
    }
    let _ = ViewKind::parse(text);
    let _ = fleetlens::views::slo::preset(text);
    if let Ok(period) = PeriodConfig::from_json(text) {
        let _ = period.period(None);
        let _ = period.period(Some(60_000));
    }
    let _ = serde_json::from_str::<Request>(text);
    if let Ok(sim) = serde_json::from_str::<SimConfig>(text) {
        let _ = sim.validate();
    }
});
