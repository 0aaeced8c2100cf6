/** `data-testid`s of the cost panel. */
export const testIds = {
  container: 'data-testid fleetlens-cost-panel',
  state: 'data-testid fleetlens-cost-state',
  headline: 'data-testid fleetlens-cost-headline',
  tile: (name: string) => `data-testid fleetlens-cost-tile ${name}`,
  budget: 'data-testid fleetlens-cost-budget',
  forecastChart: 'data-testid fleetlens-cost-forecast-chart',
  hourlyChart: 'data-testid fleetlens-cost-hourly-chart',
  anomalies: 'data-testid fleetlens-cost-anomalies',
  breakdown: (label: string) => `data-testid fleetlens-cost-breakdown ${label}`,
  warnings: 'data-testid fleetlens-cost-warnings',
  explore: 'data-testid fleetlens-cost-explore',
};
