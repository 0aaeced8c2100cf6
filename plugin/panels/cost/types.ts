/** Options of the cost panel (declared with their defaults in `module.ts`). */
export interface CostPanelOptions {
  /** Show "sum of latest values across N series (M with data)" under the total. */
  showCaption: boolean;
  /** Text shown when no series has a finite value. */
  noDataText: string;
}

/** Unit of the total when the field config sets none. */
export const DEFAULT_UNIT = 'currencyUSD';
