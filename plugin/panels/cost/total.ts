import { DataFrame, formattedValueToString, getValueFormat } from '@grafana/data';

import type { Engine, LatestSum } from '../../shared/engine';
import { packNumberFields } from '../../shared/frames';
import { DEFAULT_UNIT } from './types';

/** Sum of the latest finite value of every number field (one series each) of `frames`. */
export function latestTotal(engine: Pick<Engine, 'sumLatest'>, frames: DataFrame[]): LatestSum {
  const { values, lengths } = packNumberFields(frames);
  return engine.sumLatest(values, lengths);
}

/** The total as text in `unit` (default US dollars); `decimals` null or undefined = automatic. */
export function formatTotal(value: number, unit?: string | null, decimals?: number | null): string {
  const format = getValueFormat(unit || DEFAULT_UNIT);
  return formattedValueToString(format(value, decimals ?? undefined));
}

/** "sum of latest values across N series (M with data)". */
export function caption({ seriesTotal, seriesWithData }: LatestSum): string {
  return `sum of latest values across ${seriesTotal} series (${seriesWithData} with data)`;
}
