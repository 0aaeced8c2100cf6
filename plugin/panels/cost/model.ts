/**
 * The cost view's frames (src/engine/outputs.rs) as what the cost panel shows.
 */
import { DataFrame, FieldType } from '@grafana/data';

import { cell, hasFields, numberField, numbers, texts, timeField } from '../../shared/panel-frames';
import { DEFAULT_OPTIONS, CostPanelOptions } from './types';

/** Is `frame` one of the cost view's outputs? */
export function isCostFrame(frame: DataFrame): boolean {
  const name = frame.name ?? '';
  return (
    name === 'cost summary' ||
    name === 'cost per hour' ||
    name === 'cumulative cost' ||
    name === 'month to date and forecast' ||
    name.startsWith('cost by ') ||
    hasFields(frame, 'total cost', 'month to date') ||
    hasFields(frame, 'actual', 'forecast', 'forecast low', 'forecast high') ||
    (hasFields(frame, 'cost', 'share') && frame.fields.some((f) => f.type === FieldType.string))
  );
}

/** The headline tiles: field of the summary and its label. */
export const TILES: Array<{ field: string; label: string; unit?: string }> = [
  { field: 'total cost', label: 'Total' },
  { field: 'cost per commit', label: '$ / commit' },
  { field: 'cost per pull request', label: '$ / PR' },
  { field: 'cost per 1k lines', label: '$ / 1k lines' },
  { field: 'tokens per dollar', label: 'Tokens / $', unit: 'short' },
  { field: 'cache savings', label: 'Cache savings' },
];

/** One breakdown (cost by one label). */
export interface Breakdown {
  label: string;
  rows: Array<{ value: string; cost: number; share: number | null }>;
}

/** Month to date against the budget. */
export interface Forecast {
  monthStartMs: number;
  nowMs: number;
  monthEndMs: number;
  monthToDate: number | null;
  forecast: number | null;
  low: number | null;
  high: number | null;
  budget: number | null;
  /** When the forecast reaches the budget (linear from now to the month-end forecast); null if it does not. */
  runOutMs: number | null;
  /** Month to date is at or over the budget. */
  exceeded: boolean;
}

/** Everything the cost panel shows. */
export interface CostModel {
  summary: Record<string, number | null>;
  hasSummary: boolean;
  breakdowns: Breakdown[];
  hourly?: { times: number[]; cost: Array<number | null>; anomalies: number[] };
  forecast?: Forecast;
}

/** The date the budget runs out at the forecast's pace; null without a budget or when it lasts. */
export function runOut(nowMs: number, monthEndMs: number, mtd: number, forecast: number, budget: number): number | null {
  if (!(budget > 0) || mtd >= budget || forecast <= budget || forecast <= mtd) {
    return null;
  }
  return nowMs + ((budget - mtd) / (forecast - mtd)) * (monthEndMs - nowMs);
}

/** Reads the cost frames. */
export function costModel(frames: DataFrame[]): CostModel {
  const model: CostModel = { summary: {}, hasSummary: false, breakdowns: [] };
  for (const frame of frames) {
    const name = frame.name ?? '';
    if (hasFields(frame, 'total cost')) {
      model.hasSummary = true;
      for (const f of frame.fields) {
        if (f.type === FieldType.number) {
          model.summary[f.name] = cell(frame, f.name);
        }
      }
    } else if (hasFields(frame, 'actual', 'forecast high')) {
      const t = numbers(timeField(frame));
      const at = (field: string, i: number) => numbers(numberField(frame, field))[i] ?? null;
      if (t.length >= 3) {
        const mtd = at('actual', 1);
        const forecast = at('forecast', 2);
        const budget = at('budget', 0);
        model.forecast = {
          monthStartMs: t[0] ?? 0,
          nowMs: t[1] ?? 0,
          monthEndMs: t[2] ?? 0,
          monthToDate: mtd,
          forecast,
          low: at('forecast low', 2),
          high: at('forecast high', 2),
          budget,
          runOutMs: mtd !== null && forecast !== null && budget !== null ? runOut(t[1] ?? 0, t[2] ?? 0, mtd, forecast, budget) : null,
          exceeded: mtd !== null && budget !== null && budget > 0 && mtd >= budget,
        };
      }
    } else if (hasFields(frame, 'cost', 'anomaly') || name === 'cost per hour') {
      const times = numbers(timeField(frame)).map((v) => v ?? 0);
      const cost = numbers(numberField(frame, 'cost'));
      const flags = numbers(numberField(frame, 'anomaly'));
      model.hourly = { times, cost, anomalies: times.filter((_, i) => flags[i] === 1) };
    } else if (hasFields(frame, 'cost', 'share')) {
      const labelField = frame.fields.find((f) => f.type === FieldType.string);
      const label = labelField?.name ?? name.replace(/^cost by /, '');
      const values = texts(labelField);
      const cost = numbers(numberField(frame, 'cost'));
      const share = numbers(numberField(frame, 'share'));
      const rows = values.map((value, i) => ({ value, cost: cost[i] ?? 0, share: share[i] ?? null }));
      if (!model.breakdowns.some((b) => b.label === label)) {
        model.breakdowns.push({ label, rows });
      }
    }
  }
  return model;
}

/** The labels of `breakdownLabels` ("model, user_email"), trimmed, without duplicates. */
export function breakdownLabels(text: string | undefined): string[] {
  const labels = (text ?? DEFAULT_OPTIONS.breakdownLabels)
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return Array.from(new Set(labels.length > 0 ? labels : ['model']));
}

/** The cost view's config for raw series: `costConfig` JSON with the budget option applied. */
export function costConfig(options: Partial<CostPanelOptions>): string {
  const text = options.costConfig?.trim() ?? '';
  let config: Record<string, unknown> = {};
  if (text) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`cost view settings (panel option): not valid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('cost view settings (panel option): expected a JSON object such as {"counterMode": "promql"}');
    }
    config = parsed as Record<string, unknown>;
  }
  const budget = options.monthlyBudgetUsd ?? 0;
  if (Number.isFinite(budget) && budget > 0) {
    config.monthlyBudgetUsd = budget;
  }
  return JSON.stringify(config);
}
