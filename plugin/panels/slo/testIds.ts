/** `data-testid`s of the SLO panel. */
export const testIds = {
  container: 'data-testid fleetlens-slo-panel',
  state: 'data-testid fleetlens-slo-state',
  headline: 'data-testid fleetlens-slo-headline',
  level: 'data-testid fleetlens-slo-level',
  tile: (name: string) => `data-testid fleetlens-slo-tile ${name}`,
  windows: 'data-testid fleetlens-slo-windows',
  burnDown: 'data-testid fleetlens-slo-burn-down',
  groups: 'data-testid fleetlens-slo-groups',
  backtest: 'data-testid fleetlens-slo-backtest',
  warnings: 'data-testid fleetlens-slo-warnings',
  explore: 'data-testid fleetlens-slo-explore',
};
