/** `data-testid`s of the cost panel. */
export const testIds = {
  panel: {
    container: 'data-testid fleetlens-cost-panel',
    total: 'data-testid fleetlens-cost-total',
    caption: 'data-testid fleetlens-cost-caption',
    noData: 'data-testid fleetlens-cost-no-data',
    error: 'data-testid fleetlens-cost-error',
  },
};
