/** `data-testid`s of the agents panel. */
export const testIds = {
  container: 'data-testid fleetlens-agents-panel',
  state: 'data-testid fleetlens-agents-state',
  headline: 'data-testid fleetlens-agents-headline',
  table: 'data-testid fleetlens-agents-table',
  sort: (column: string) => `data-testid fleetlens-agents-sort ${column}`,
  fleet: 'data-testid fleetlens-agents-fleet',
  warnings: 'data-testid fleetlens-agents-warnings',
  explore: 'data-testid fleetlens-agents-explore',
};
