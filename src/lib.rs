//! FleetLens' engine: turns raw Prometheus telemetry from AI coding agents and services into cost
//! efficiency, SLO error budget and agent performance views.
//!
//! The core is plain Rust, tested with `cargo test`: the Prometheus HTTP API decoder ([`prom`]),
//! the columnar frame model ([`frame`]), reductions ([`reduce`]), time parsing ([`time`]) and one
//! error type ([`Error`]). The WebAssembly boundary is one module, compiled only for `wasm32`, that
//! converts typed arrays in and out and turns errors into JavaScript `Error`s.

// Library code indexes and slices only through checked accessors; its integer arithmetic is
// checked, saturating, or allowed where it is with the reason it cannot overflow (tests:
// clippy.toml and their modules' own allows).
#![warn(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

pub mod align;
pub mod counter;
pub mod engine;
pub mod error;
pub mod frame;
pub mod histogram;
pub mod prom;
#[cfg(not(target_arch = "wasm32"))]
pub mod promapi;
pub mod reduce;
pub mod simulate;
pub mod time;
pub mod views;
pub mod window;

// Its `pub` items are exported to JavaScript by `#[wasm_bindgen]`, not to Rust callers.
#[cfg(target_arch = "wasm32")]
#[allow(unreachable_pub)]
mod wasm;

pub use error::{Error, Result};
pub use frame::{Field, Frame, Labels, Series, TextField};
pub use prom::{decode, QueryResponse, ResultType};
pub use reduce::{sum_latest, sum_latest_flat, LatestSum};

/// The crate's version, the same in `Cargo.toml`, `package.json` and every `plugin.json`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
