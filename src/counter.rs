//! Counters: increases and rates from raw samples with Prometheus' reset rule.
