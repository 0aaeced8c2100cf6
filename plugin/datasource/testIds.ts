/** `data-testid`s of the data source's editors. */
export const testIds = {
  configEditor: { container: 'data-testid fleetlens-config-editor' },
  queryEditor: {
    expr: 'data-testid fleetlens-query-expr',
    legend: 'data-testid fleetlens-query-legend',
  },
};
