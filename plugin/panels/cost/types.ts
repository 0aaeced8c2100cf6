/** Options of the cost panel (declared with their defaults in `module.ts`). */
export interface CostPanelOptions {
  /** Monthly budget in US dollars for raw series; 0 = none. The data source's frames carry their own. */
  monthlyBudgetUsd: number;
  /** Raw series: one breakdown per label, comma-separated (e.g. `model, user_email, team`). */
  breakdownLabels: string;
  /** Raw series: further cost view settings as JSON (counterMode, prices, …); empty = defaults. */
  costConfig: string;
  /** Show the hourly cost chart with anomalies. */
  showHourly: boolean;
  /** Show the link to Explore. */
  showExploreLink: boolean;
}

/** Defaults of every option. */
export const DEFAULT_OPTIONS: CostPanelOptions = {
  monthlyBudgetUsd: 0,
  breakdownLabels: 'model',
  costConfig: '',
  showHourly: true,
  showExploreLink: true,
};

/** Unit of money values when the field config sets none. */
export const DEFAULT_UNIT = 'currencyUSD';
