//! Time windows: rolling windows and calendar periods (day, week, month, quarter) in a time zone.
