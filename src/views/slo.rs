//! SLO error budgets: SLI, budget, burn rates, multi-window multi-burn-rate alerts, backtests.
