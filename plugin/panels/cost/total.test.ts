// @vitest-environment jsdom
import { FieldType, toDataFrame } from '@grafana/data';
import { describe, expect, it, vi } from 'vitest';

import { caption, formatTotal, latestTotal } from './total';

describe('formatTotal', () => {
  const cases = [
    { name: 'US dollars by default', value: 5.4896, unit: undefined, decimals: undefined, want: '$5.49' },
    { name: 'explicit decimals', value: 5.4896, unit: 'currencyUSD', decimals: 3, want: '$5.490' },
    { name: 'another unit', value: 1234, unit: 'short', decimals: 0, want: '1 K' },
    { name: 'euros', value: 12, unit: 'currencyEUR', decimals: 2, want: '€12.00' },
    { name: 'zero', value: 0, unit: null, decimals: null, want: '$0' },
  ];
  for (const c of cases) {
    it(c.name, () => expect(formatTotal(c.value, c.unit, c.decimals)).toBe(c.want));
  }
});

describe('caption', () => {
  it('says how many series were summed', () => {
    expect(caption({ sum: 1, seriesTotal: 3, seriesWithData: 2 })).toBe('sum of latest values across 3 series (2 with data)');
  });
});

describe('latestTotal', () => {
  it('hands every number field to the engine as one packed array', () => {
    const sumLatest = vi.fn(() => ({ sum: 3, seriesTotal: 2, seriesWithData: 2 }));
    const frames = [
      toDataFrame({ fields: [{ name: 'Time', type: FieldType.time, values: [1, 2] }, { name: 'a', type: FieldType.number, values: [1, 2] }] }),
      toDataFrame({ fields: [{ name: 'b', type: FieldType.number, values: [null] }] }),
    ];
    expect(latestTotal({ sumLatest }, frames)).toEqual({ sum: 3, seriesTotal: 2, seriesWithData: 2 });
    const [values, lengths] = sumLatest.mock.calls[0] as unknown as [Float64Array, Uint32Array];
    expect(Array.from(values)).toEqual([1, 2, NaN]);
    expect(Array.from(lengths)).toEqual([2, 1]);
  });
});
