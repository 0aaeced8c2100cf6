import { describe, expect, it } from 'vitest';

import { MAX_POINTS_PER_SERIES, rangeParams } from './range';

const HOUR_MS = 3_600_000;
const T0 = 1_740_338_400_000; // 2025-02-23T19:20:00Z, a whole minute

describe('rangeParams', () => {
  const cases: Array<{ name: string; from: number; to: number; interval: number; want: { start: number; end: number; step: number } }> = [
    // 1 h at 15 s: 240 steps, already aligned.
    { name: 'interval in whole seconds', from: T0, to: T0 + HOUR_MS, interval: 15_000, want: { start: 1_740_338_400, end: 1_740_342_000, step: 15 } },
    // 1.5 s rounds up to 2 s; 19:20:00.500 aligns down to :00, the end up to the next even second.
    { name: 'fractional interval rounds up, edges align', from: T0 + 500, to: T0 + 60_500, interval: 1_500, want: { start: 1_740_338_400, end: 1_740_338_462, step: 2 } },
    // A 200 ms interval would be finer than Prometheus' own resolution: 1 s.
    { name: 'interval below one second', from: T0, to: T0 + 60_000, interval: 200, want: { start: 1_740_338_400, end: 1_740_338_460, step: 1 } },
    { name: 'zero interval', from: T0, to: T0 + 60_000, interval: 0, want: { start: 1_740_338_400, end: 1_740_338_460, step: 1 } },
    { name: 'NaN interval', from: T0, to: T0 + 60_000, interval: NaN, want: { start: 1_740_338_400, end: 1_740_338_460, step: 1 } },
    // 30 days (2,592,000 s) at 1 s would be 2,592,000 points: the step grows to
    // ceil(2,592,000 / 11,000) = 236 s. Aligned: start = floor(1,740,338,400 / 236) × 236 =
    // 1,740,338,340; end = ceil(1,742,930,400 / 236) × 236 = 1,742,930,564; 10,984 steps ≤ 11,000.
    { name: '30 days at 1 s hits the point limit', from: T0, to: T0 + 720 * HOUR_MS, interval: 1_000, want: { start: 1_740_338_340, end: 1_742_930_564, step: 236 } },
    // 11,000 s starting half a second past T0: at 1 s the aligned edges span 11,001 steps, one
    // too many, so the step becomes 2 s (T0 is even: end = T0 + 11,002 s, 5,501 steps).
    { name: 'alignment past the limit raises the step', from: T0 + 500, to: T0 + 500 + 11_000_000, interval: 1_000, want: { start: 1_740_338_400, end: 1_740_349_402, step: 2 } },
    { name: 'reversed range is swapped', from: T0 + HOUR_MS, to: T0, interval: 60_000, want: { start: 1_740_338_400, end: 1_740_342_000, step: 60 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = rangeParams(c.from, c.to, c.interval);
      expect(got).toEqual(c.want);
      expect((got.end - got.start) / got.step).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    });
  }

  it('never exceeds 11,000 points, whatever the range', () => {
    for (const days of [1, 7, 31, 92, 366, 3650]) {
      for (const offset of [0, 1, 999, 12_345]) {
        const { start, end, step } = rangeParams(T0 + offset, T0 + offset + days * 24 * HOUR_MS, 1_000);
        expect((end - start) / step).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
        expect(start).toBeLessThanOrEqual((T0 + offset) / 1000);
        expect(end).toBeGreaterThanOrEqual((T0 + offset) / 1000 + days * 86_400);
      }
    }
  });
});
