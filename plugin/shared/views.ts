/**
 * The derived views in the browser: plan in wasm, fetch what the plan asks for, evaluate in wasm,
 * and shape the result as Grafana data frames. The data source fetches raw samples from
 * Prometheus; a panel fed frames by another data source hands them over with `addSeries`.
 */
import { DataFrame, FieldConfig, FieldType, QueryResultMetaNotice, toDataFrame } from '@grafana/data';

import type { Engine, ViewFetch, ViewPlan, ViewRequest, ViewResult } from './engine';
import { zoneOffsets } from './zone';

/** The three views. */
export type ViewName = 'cost' | 'slo' | 'agents';

/** Outputs of each view, the default first (the engine's `Output::of`). */
export const VIEW_OUTPUTS: Record<ViewName, Array<{ value: string; label: string; description: string }>> = {
  cost: [
    { value: 'summary', label: 'Summary', description: 'Totals, cost per outcome, tokens per dollar, cache savings' },
    { value: 'breakdown', label: 'Breakdown', description: 'Cost and share by the group-by label' },
    { value: 'hourly', label: 'Hourly', description: 'Cost per hour with anomalies flagged' },
    { value: 'cumulative', label: 'Cumulative', description: 'Running cost, reset-safe' },
    { value: 'forecast', label: 'Forecast', description: 'Month to date, month-end forecast band and budget' },
  ],
  slo: [
    { value: 'summary', label: 'Summary', description: 'SLI, objective, budget remaining, time to exhaustion, alert level' },
    { value: 'burnRates', label: 'Burn rates', description: 'Burn rate of every alert window over time' },
    { value: 'windows', label: 'Windows', description: 'Burn rate, factor and firing state of each window now' },
    { value: 'budget', label: 'Budget', description: 'Budget remaining over the period with the ideal line' },
    { value: 'backtest', label: 'Backtest', description: 'When page and ticket alerts would have fired' },
    { value: 'groups', label: 'Groups', description: 'SLI and budget per group-by value' },
  ],
  agents: [
    { value: 'leaderboard', label: 'Leaderboard', description: 'Throughput, success, latency, load, cost per agent' },
    { value: 'fleet', label: 'Fleet', description: 'Agents, queue, active tasks, throughput, API latency' },
  ],
};

/** Is `name` one of the views? */
export function isView(name: unknown): name is ViewName {
  return name === 'cost' || name === 'slo' || name === 'agents';
}

/** What a view evaluation needs besides the fetcher. */
export interface ViewInput {
  view: ViewName;
  /** The view's JSON config (an SLO definition, the cost or agents config). */
  config: string;
  request: ViewRequest;
  /** IANA zone, `browser` or empty (the browser's). */
  timeZone?: string;
  /** Output name; empty = the view's default. */
  output?: string;
  /** Metrics the data source holds. */
  metricNames: string[];
  refId?: string;
}

/** The frames of one evaluation, its warnings and the fetches it made (for the inspector). */
export interface ViewFrames {
  frames: DataFrame[];
  warnings: string[];
  fetches: ViewFetch[];
  /** The typed report (`{view, …}`). */
  report: Record<string, unknown>;
}

/**
 * Plans `input.view`, lets `feed` give each fetch its data (`plan.addResponse` or
 * `plan.addSeries`), evaluates and converts. Frees everything it allocated in wasm, also on
 * errors.
 */
export async function evaluateView(
  engine: Engine,
  input: ViewInput,
  feed: (plan: ViewPlan, fetch: ViewFetch, index: number) => Promise<void> | void
): Promise<ViewFrames> {
  const offsets = zoneOffsets(input.timeZone, input.request.fromMs, input.request.toMs);
  const plan = engine.planView(input.view, input.config, input.request, offsets, input.metricNames);
  try {
    const fetches = plan.fetches;
    await Promise.all(fetches.map((f, i) => feed(plan, f, i)));
    const result = plan.evaluate(input.output ?? '');
    try {
      const warnings = result.warnings();
      const frames = resultToFrames(result, input.refId ?? 'A', {
        executedQueryString: fetches.map((f) => f.promql).join('\n'),
        notices: warnings.map((text): QueryResultMetaNotice => ({ severity: 'warning', text })),
      });
      return { frames, warnings, fetches, report: result.report() };
    } finally {
      result.free();
    }
  } finally {
    plan.free();
  }
}

/** Grafana decimals that read well for a unit. */
function fieldConfig(unit: string | null, name: string): FieldConfig {
  const config: FieldConfig = { displayNameFromDS: name };
  if (unit) {
    config.unit = unit;
  }
  if (unit === 'percentunit') {
    config.decimals = 3;
  } else if (unit === 'currencyUSD') {
    config.decimals = 2;
  }
  return config;
}

/** The engine's frames as Grafana frames: time, string and number fields with units. */
export function resultToFrames(
  result: ViewResult,
  refId: string,
  meta: { executedQueryString?: string; notices?: QueryResultMetaNotice[] } = {}
): DataFrame[] {
  const frames: DataFrame[] = [];
  for (let i = 0; i < result.frameCount; i++) {
    const m = result.frameMeta(i);
    const fields = [];
    if (m.hasTime) {
      fields.push({ name: 'Time', type: FieldType.time, config: {}, values: Array.from(result.frameTimes(i)) });
    }
    for (const t of m.text) {
      fields.push({ name: t.name, type: FieldType.string, config: {}, values: t.values });
    }
    m.fields.forEach((f, j) => {
      const values = Array.from(result.fieldValues(i, j), (v) => (Number.isNaN(v) ? null : v));
      const labels = Object.keys(f.labels).length > 0 ? f.labels : undefined;
      const isTime = f.unit === 'dateTimeAsIso' && !m.hasTime;
      fields.push({
        name: f.name,
        type: isTime ? FieldType.time : FieldType.number,
        labels,
        config: isTime ? {} : fieldConfig(f.unit, f.name),
        values,
      });
    });
    frames.push(toDataFrame({ refId, name: m.name ?? undefined, fields }));
  }
  if (frames.length > 0) {
    frames[0].meta = { ...frames[0].meta, ...meta };
  }
  return frames;
}
