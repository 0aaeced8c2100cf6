/**
 * The agents view's frames (src/engine/outputs.rs) as the leaderboard the agents panel shows.
 */
import { DataFrame } from '@grafana/data';

import { RawSeries, cell, hasFields, numberField, numbers, texts } from '../../shared/panel-frames';
import { AgentsPanelOptions } from './types';

/** Is `frame` one of the agents view's outputs? */
export function isAgentsFrame(frame: DataFrame): boolean {
  return hasFields(frame, 'agent', 'status', 'score') || hasFields(frame, 'agents total', 'agents available');
}

/** Leaderboard columns: field, header, unit, decimals. */
export const COLUMNS: Array<{ field: string; header: string; unit: string; decimals?: number }> = [
  { field: 'score', header: 'score', unit: 'short', decimals: 2 },
  { field: 'tasks per hour', header: 'tasks/h', unit: 'short', decimals: 1 },
  { field: 'success rate', header: 'success', unit: 'percentunit', decimals: 1 },
  { field: 'task duration p95', header: 'p95', unit: 's' },
  { field: 'load mean', header: 'load', unit: 'percent', decimals: 0 },
  { field: 'cost per task', header: '$/task', unit: 'currencyUSD', decimals: 3 },
  { field: 'heartbeat age', header: 'heartbeat', unit: 's', decimals: 0 },
];

/** One agent. */
export interface AgentRow {
  agent: string;
  status: string;
  outlier: boolean;
  values: Record<string, number | null>;
}

/** The fleet summary fields. */
export const FLEET: Array<{ field: string; label: string; unit: string }> = [
  { field: 'agents available', label: 'available', unit: 'short' },
  { field: 'agents total', label: 'agents', unit: 'short' },
  { field: 'queue size', label: 'queue', unit: 'short' },
  { field: 'active tasks', label: 'active', unit: 'short' },
  { field: 'tasks per hour', label: 'tasks/h', unit: 'short' },
  { field: 'api p95', label: 'API p95', unit: 's' },
];

/** Everything the agents panel shows. */
export interface AgentsModel {
  rows: AgentRow[];
  fleet?: Record<string, number | null>;
}

/** Reads the agents frames. */
export function agentsModel(frames: DataFrame[]): AgentsModel {
  const model: AgentsModel = { rows: [] };
  for (const frame of frames) {
    if (hasFields(frame, 'agent', 'status', 'score')) {
      const agents = texts(frame.fields.find((f) => f.name === 'agent'));
      const status = texts(frame.fields.find((f) => f.name === 'status'));
      const outlier = numbers(numberField(frame, 'outlier'));
      const columns = Object.fromEntries(COLUMNS.map((c) => [c.field, numbers(numberField(frame, c.field))]));
      model.rows = agents.map((agent, i) => ({
        agent,
        status: status[i] ?? '',
        outlier: outlier[i] === 1,
        values: Object.fromEntries(COLUMNS.map((c) => [c.field, columns[c.field][i] ?? null])),
      }));
    } else if (hasFields(frame, 'agents total')) {
      model.fleet = Object.fromEntries(FLEET.map((f) => [f.field, cell(frame, f.field)]));
    }
  }
  return model;
}

/** Rows sorted by `column` (`agent`, `status` or a measure); no value sorts last either way. */
export function sortRows(rows: AgentRow[], column: string, desc: boolean): AgentRow[] {
  const sign = desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    if (column === 'agent' || column === 'status') {
      return sign * a[column].localeCompare(b[column]);
    }
    const x = a.values[column] ?? null;
    const y = b.values[column] ?? null;
    if (x === null || y === null) {
      return x === y ? 0 : x === null ? 1 : -1;
    }
    return sign * (x - y);
  });
}

/**
 * A trend per agent from series labelled `groupLabel`: the completed-task counter's increases per
 * sample (resets count from zero), else the first gauge's values.
 */
export function sparklines(series: RawSeries[], groupLabel: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const mine = series.filter((s) => s.labels[groupLabel] !== undefined && s.values.length > 1);
  const rank = (s: RawSeries) => (/tasks_completed_total$/.test(s.name) ? 0 : /_total$/.test(s.name) ? 2 : 1);
  for (const s of [...mine].sort((a, b) => rank(a) - rank(b))) {
    const agent = s.labels[groupLabel];
    if (out.has(agent)) {
      continue;
    }
    const v = Array.from(s.values);
    out.set(agent, /_total$/.test(s.name) ? v.slice(1).map((x, i) => (x >= v[i] ? x - v[i] : x)) : v);
  }
  return out;
}

/** The agents view's config for raw series: `agentsConfig` JSON (an object). */
export function agentsConfig(options: Partial<AgentsPanelOptions>): string {
  const text = options.agentsConfig?.trim() ?? '';
  if (!text) {
    return '{}';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`agents view settings (panel option): not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('agents view settings (panel option): expected a JSON object such as {"heartbeat": {"staleAfterS": 60}}');
  }
  return JSON.stringify(parsed);
}
