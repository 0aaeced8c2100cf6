//! The derived views: each a pure function of input series and a serde configuration, returning
//! typed results (with their warnings) that the data source, the panels and the CLI share.

pub mod agents;
pub mod cost;
pub mod slo;
