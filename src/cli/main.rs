//! `fleetlens`: the engine on the command line. It parses arguments and prints; the work is done
//! by the library.

mod http;
mod playground;
mod push;
mod query;
mod range;
mod report;
mod serve;
mod simulate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// FleetLens: cost efficiency, SLO error budgets and agent performance from raw Prometheus
/// telemetry.
#[derive(Debug, Parser)]
#[command(name = "fleetlens", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a range query against Prometheus and print the decoded series.
    Query(query::QueryArgs),
    /// Evaluate a view (cost, slo, agents) on raw samples from Prometheus and print it as a
    /// table or as JSON.
    ///
    /// --to is the evaluation time ("now" for the views). For the SLO view, --from starts the
    /// alert backtest; the SLO period comes from the config and ends at --to.
    Report(report::ReportArgs),
    /// Generate synthetic telemetry (a Claude Code fleet, an agent cluster, services), with
    /// faults on demand: OpenMetrics history for promtool, a live /metrics, or OTLP pushes.
    Simulate(simulate::SimulateArgs),
    /// Put the FleetLens dashboards into an existing Grafana through its HTTP API (idempotent:
    /// unchanged dashboards are left alone).
    PushDashboards(push::PushArgs),
    /// Serve the standalone playground on 127.0.0.1: the page, the built plugins, and a
    /// Prometheus API backed by the embedded simulated fleet (or --prometheus URL).
    Playground(playground::PlaygroundArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Query(args) => query::run(&args),
        Command::Report(args) => report::run(&args),
        Command::PushDashboards(args) => push::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Playground(args) => playground::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fleetlens: {e}");
            ExitCode::FAILURE
        }
    }
}
