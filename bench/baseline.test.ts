/**
 * The benchmark's JavaScript baseline computes the same numbers as the engine on the same
 * input, so timing one against the other compares like with like. Needs the built engine
 * (`npm run build:wasm`).
 */
import { describe, expect, it } from 'vitest';

import { realEngine } from '../plugin/shared/test-engine';
import { costAmounts, exactIncreaseBetween, parseMatrix, sloFigures, type BaselineSeries } from './baseline';
// A plain ES module shared with the browser page.
import * as w from './workload.mjs';

const DAY_MS = 86_400_000;
const UTC = new Float64Array([0, 0]);

function near(actual: number, expected: number | null) {
  expect(expected).not.toBeNull();
  expect(Math.abs(actual - (expected as number))).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected as number)));
}

/** Plans `view`, feeds the generated bodies, returns the fed lists (as the baseline parses them) and frames. */
function run(view: 'cost' | 'slo', output: string, points: number, series: number) {
  const engine = realEngine();
  const plan = engine.planView(view, view === 'cost' ? w.COST_CONFIG : w.SLO_CONFIG, { fromMs: w.FROM_MS, toMs: w.TO_MS }, UTC, [view === 'cost' ? w.COST_METRIC : w.REQ_METRIC]);
  try {
    const lists = w.workloadSeries(view, points, series, plan.fetches);
    const parsed: BaselineSeries[][] = lists.map((list: BaselineSeries[], i: number) => {
      const body = w.matrixBody(list);
      plan.addResponse(i, body);
      return parseMatrix(body);
    });
    const result = plan.evaluate(output);
    try {
      const meta = result.frameMeta(0);
      const fields: Record<string, number[]> = {};
      meta.fields.forEach((f, j) => (fields[f.name] = Array.from(result.fieldValues(0, j))));
      const text: Record<string, string[]> = Object.fromEntries(meta.text.map((t) => [t.name, t.values]));
      return { lists, parsed, fields, text };
    } finally {
      result.free();
    }
  } finally {
    plan.free();
  }
}

describe('the exact increase', () => {
  // Worked by hand: baseline 5 (the last sample at or before 10), then 7 (+2), a reset to 1
  // (+1), then 4 (+3): 6. The sample at 50 lies after the window.
  it('counts rises and resets over (start, end] from the sample before the start', () => {
    expect(exactIncreaseBetween([0, 10, 20, 30, 40, 50], [2, 5, 7, 1, 4, 9], 10, 40)).toBe(6);
    // a NaN is skipped: 5 → 7 → 4 is a reset after 7 (+2, then +4)
    expect(exactIncreaseBetween([10, 20, 30, 40], [5, 7, NaN, 4], 0, 40)).toBe(6);
    expect(exactIncreaseBetween([10], [5], 0, 40)).toBeNull();
    expect(exactIncreaseBetween([10, 20], [5, 6], 40, 40)).toBeNull();
  });
});

describe('the baseline equals the engine', () => {
  it('cost: total, today, rolling 24h and month to date', () => {
    const { parsed, lists, fields } = run('cost', 'summary', 20_000, 30);
    const to = new Date(w.TO_MS);
    const amounts = costAmounts(parsed[0], {
      fromMs: w.FROM_MS,
      toMs: w.TO_MS,
      todayStartMs: Math.floor(w.TO_MS / DAY_MS) * DAY_MS,
      monthStartMs: Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1),
    });
    near(fields['total cost'][0], amounts.total);
    near(fields['today'][0], amounts.today);
    near(fields['rolling 24h'][0], amounts.rolling24h);
    near(fields['month to date'][0], amounts.monthToDate);
    // the workload has resets, and the parsed JSON holds the typed arrays' numbers exactly
    expect(amounts.total).toBeGreaterThan(0);
    expect(parsed[0][3].values).toEqual(Array.from(lists[0][3].values));
    expect(parsed[0][3].times).toEqual(Array.from(lists[0][3].times));
  });

  it('slo: the SLI over the period and every window’s error ratio', () => {
    const summary = run('slo', 'summary', 20_000, 40);
    const figures = sloFigures(summary.parsed[0], summary.parsed[1], w.TO_MS - 7 * DAY_MS, w.TO_MS, 0.99);
    near(summary.fields['sli'][0], figures.sli);
    expect(figures.sli).toBeLessThan(1);
    const windows = run('slo', 'windows', 20_000, 40);
    const names = windows.text['window'];
    expect(names.length).toBeGreaterThanOrEqual(figures.windows.length);
    for (const f of figures.windows) {
      const k = names.indexOf(f.window);
      expect(k, f.window).toBeGreaterThanOrEqual(0);
      near(windows.fields['error ratio'][k], f.errorRatio);
      near(windows.fields['burn rate'][k], f.burnRate);
    }
  });
});
