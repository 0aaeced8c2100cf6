//! Cost efficiency: totals, breakdowns, cost per outcome, cache savings, budgets and forecasts.
