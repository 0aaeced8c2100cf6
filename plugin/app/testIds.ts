/** `data-testid`s of the app's pages. */
export const testIds = {
  appConfig: { container: 'data-testid fleetlens-app-config' },
};
