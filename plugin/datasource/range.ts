/**
 * The `start`, `end` and `step` of a Prometheus range query for a dashboard time range.
 */

/** Prometheus refuses range queries with more than 11,000 points per series. */
export const MAX_POINTS_PER_SERIES = 11_000;

/** Smallest step sent, in seconds. */
export const MIN_STEP_SECONDS = 1;

/** Query range in Prometheus' units (seconds since the epoch, step in seconds). */
export interface RangeParams {
  start: number;
  end: number;
  step: number;
}

/**
 * Start, end and step (all whole seconds) for a range from `fromMs` to `toMs` at Grafana's
 * suggested `intervalMs`:
 * - step = the interval rounded up to whole seconds, at least 1 s (a missing, zero, negative or
 *   NaN interval counts as 1 s);
 * - start is rounded down and end up to multiples of the step, so a refresh asks for the same
 *   sample times and the series do not jitter;
 * - then the step grows until `(end - start) / step` ≤ 11,000, Prometheus' limit
 *   (re-aligning each time);
 * - a range that ends before it starts is swapped.
 */
export function rangeParams(fromMs: number, toMs: number, intervalMs: number): RangeParams {
  const from = Math.min(fromMs, toMs) / 1000;
  const to = Math.max(fromMs, toMs) / 1000;
  let step = Math.max(MIN_STEP_SECONDS, Math.ceil(intervalMs / 1000) || MIN_STEP_SECONDS);
  step = Math.max(step, Math.ceil((to - from) / MAX_POINTS_PER_SERIES));
  for (;;) {
    const start = Math.floor(from / step) * step;
    const end = Math.ceil(to / step) * step;
    if ((end - start) / step <= MAX_POINTS_PER_SERIES) {
      return { start, end, step };
    }
    step += 1;
  }
}
