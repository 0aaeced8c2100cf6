/** Options of the SLO panel (declared with their defaults in `module.ts`). */
export interface SloPanelOptions {
  /** Raw series: a built-in SLO by name (`engine.sloPresets()`), used when `sloJson` is empty. */
  preset: string;
  /** Raw series: the SLO definition as JSON (name, objective, period, sli, groupBy, …); empty = the preset. */
  sloJson: string;
  /** Show the burn-down chart. */
  showBurnDown: boolean;
  /** Show the per-group list. */
  showGroups: boolean;
  /** Show the alert-backtest timeline. */
  showBacktest: boolean;
  /** Show the link to Explore. */
  showExploreLink: boolean;
}

/** Defaults of every option. */
export const DEFAULT_OPTIONS: SloPanelOptions = {
  preset: 'API availability',
  sloJson: '',
  showBurnDown: true,
  showGroups: true,
  showBacktest: true,
  showExploreLink: true,
};
