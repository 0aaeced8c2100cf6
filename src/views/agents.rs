//! Agent performance: throughput, success, latency quantiles, load, heartbeats, cost per task.
