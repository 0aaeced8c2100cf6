/**
 * The JavaScript baseline of the benchmarks: the views' core quantities written the way a panel
 * would compute them without the engine (`JSON.parse`, `parseFloat`, loops over arrays). Its
 * numbers equal the engine's on the same input (bench/baseline.test.ts), so the timing compares
 * like with like. What it computes (a subset of each view, see docs/performance.md):
 *
 * * cost: total, today, rolling 24 h and month to date, each the sum over series of the exact
 *   increase over the window;
 * * SLO: the SLI over the period and the error ratio and burn rate of every burn-rate window,
 *   from the exact increases of the bad and total counters.
 */

/** One series: labels, epoch-ms times and values. */
export interface BaselineSeries {
  labels: Record<string, string>;
  times: ArrayLike<number>;
  values: ArrayLike<number>;
}

interface MatrixBody {
  status: string;
  error?: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

/** Series of a Prometheus `matrix` body, as `fetch` gives it (`TextDecoder` + `JSON.parse`). */
export function parseMatrix(body: Uint8Array): BaselineSeries[] {
  const json = JSON.parse(new TextDecoder().decode(body)) as MatrixBody;
  if (json.status !== 'success' || json.data.resultType !== 'matrix') {
    throw new Error(`baseline: expected a matrix, got ${json.error ?? json.data.resultType}`);
  }
  return json.data.result.map((r) => {
    const times: number[] = [];
    const values: number[] = [];
    for (const [t, v] of r.values) {
      times.push(Math.round(t * 1000));
      values.push(parseFloat(v));
    }
    return { labels: r.metric, times, values };
  });
}

/** First index whose time is after `t`. */
function after(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * The exact increase over `(startMs, endMs]`: from the last finite sample at or before the start
 * to the last sample in the window, a rise counting fully and a drop (a reset) counting the new
 * value. `null` with fewer than two finite samples.
 */
export function exactIncreaseBetween(times: ArrayLike<number>, values: ArrayLike<number>, startMs: number, endMs: number): number | null {
  if (endMs <= startMs) {
    return null;
  }
  const lo = after(times, startMs);
  const hi = after(times, endMs);
  let previous: number | null = null;
  for (let k = lo - 1; k >= 0; k--) {
    if (Number.isFinite(values[k])) {
      previous = values[k];
      break;
    }
  }
  let samples = previous === null ? 0 : 1;
  let total = 0;
  for (let k = lo; k < hi; k++) {
    const v = values[k];
    if (!Number.isFinite(v)) {
      continue;
    }
    samples++;
    if (previous !== null) {
      total += v >= previous ? v - previous : Math.max(v, 0);
    }
    previous = v;
  }
  return samples >= 2 ? total : null;
}

/** Sum over series of their increases over `(startMs, endMs]`; `null` when none has one. */
export function sumIncrease(series: BaselineSeries[], startMs: number, endMs: number): number | null {
  let sum: number | null = null;
  for (const s of series) {
    const inc = exactIncreaseBetween(s.times, s.values, startMs, endMs);
    if (inc !== null) {
      sum = (sum ?? 0) + inc;
    }
  }
  return sum;
}

/** The cost view's clock in UTC. */
export interface CostClock {
  fromMs: number;
  toMs: number;
  todayStartMs: number;
  monthStartMs: number;
}

/** The cost summary's amounts (USD). */
export interface CostAmounts {
  total: number | null;
  today: number | null;
  rolling24h: number | null;
  monthToDate: number | null;
}

/** The cost summary's amounts from the cost counter's series. */
export function costAmounts(series: BaselineSeries[], c: CostClock): CostAmounts {
  return {
    total: sumIncrease(series, c.fromMs, c.toMs),
    today: sumIncrease(series, c.todayStartMs, c.toMs),
    rolling24h: sumIncrease(series, c.toMs - 86_400_000, c.toMs),
    monthToDate: sumIncrease(series, c.monthStartMs, c.toMs),
  };
}

/** The SLO's burn-rate windows. */
export const BURN_WINDOWS: Array<[string, number]> = [
  ['5m', 300_000],
  ['30m', 1_800_000],
  ['1h', 3_600_000],
  ['2h', 7_200_000],
  ['6h', 21_600_000],
  ['1d', 86_400_000],
  ['3d', 259_200_000],
];

/** The SLI and the burn rates of a ratio SLO. */
export interface SloFigures {
  sli: number | null;
  windows: Array<{ window: string; errorRatio: number | null; burnRate: number | null }>;
}

/** Error ratio `bad / total` over `(startMs, endMs]`; `null` without traffic. */
function errorRatio(bad: BaselineSeries[], total: BaselineSeries[], startMs: number, endMs: number): number | null {
  const t = sumIncrease(total, startMs, endMs);
  if (t === null || t <= 0) {
    return null;
  }
  return (sumIncrease(bad, startMs, endMs) ?? 0) / t;
}

/** SLI over `(periodStartMs, endMs]` and every burn-rate window ending at `endMs`. */
export function sloFigures(bad: BaselineSeries[], total: BaselineSeries[], periodStartMs: number, endMs: number, objective: number): SloFigures {
  const periodRatio = errorRatio(bad, total, periodStartMs, endMs);
  return {
    sli: periodRatio === null ? null : 1 - periodRatio,
    windows: BURN_WINDOWS.map(([window, ms]) => {
      const ratio = errorRatio(bad, total, endMs - ms, endMs);
      return { window, errorRatio: ratio, burnRate: ratio === null ? null : ratio / (1 - objective) };
    }),
  };
}
