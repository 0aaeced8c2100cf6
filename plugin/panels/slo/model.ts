/**
 * The SLO view's frames (src/engine/outputs.rs) as what the SLO panel shows.
 */
import { DataFrame, FieldType } from '@grafana/data';

import type { Engine } from '../../shared/engine';
import { cell, hasFields, numberField, numbers, texts, timeField } from '../../shared/panel-frames';
import { SloPanelOptions } from './types';

/** `0` ok, `1` ticket, `2` page, null no data. */
export type AlertLevel = number | null;

/** Text of an alert level. */
export function levelText(level: AlertLevel): 'ok' | 'ticket' | 'page' | 'no data' {
  return level === 2 ? 'page' : level === 1 ? 'ticket' : level === 0 ? 'ok' : 'no data';
}

const isTable = (f: DataFrame) => !f.fields.some((x) => x.type === FieldType.time && x.name === 'Time');

/** Is `frame` one of the SLO view's outputs? */
export function isSloFrame(frame: DataFrame): boolean {
  const name = frame.name ?? '';
  return (
    hasFields(frame, 'sli', 'objective', 'budget remaining') ||
    hasFields(frame, 'window', 'burn rate', 'factor', 'firing') ||
    hasFields(frame, 'budget remaining', 'ideal') ||
    (name === 'error budget' && hasFields(frame, 'ideal')) ||
    hasFields(frame, 'time', 'timeEnd', 'severity') ||
    hasFields(frame, 'sli', 'budget remaining', 'burn rate 1h') ||
    (name === 'burn rates' && frame.fields.some((f) => f.name.startsWith('burn rate ')))
  );
}

/** One alert window now. */
export interface WindowRow {
  window: string;
  burnRate: number | null;
  errorRatio: number | null;
  factor: number | null;
  firing: boolean;
  /** Page or ticket (the most urgent condition using the window); `info` when no condition uses it. */
  severity: 'page' | 'ticket' | 'info';
}

/** Everything the SLO panel shows. */
export interface SloModel {
  name?: string;
  summary?: {
    sli: number | null;
    objective: number | null;
    remaining: number | null;
    consumed: number | null;
    exhaustionS: number | null;
    level: AlertLevel;
  };
  windows: WindowRow[];
  burnDown?: { times: number[]; remaining: Array<number | null>; ideal: Array<number | null> };
  groups: Array<{ labels: string; sli: number | null; remaining: number | null; burn1h: number | null; level: AlertLevel }>;
  alerts: Array<{ startMs: number; endMs: number; severity: string; text: string }>;
}

/** Severities per window from a report's `conditions` (`{severity, longWindow, shortWindow}`). */
function severities(report: Record<string, unknown> | undefined): Map<string, 'page' | 'ticket'> {
  const out = new Map<string, 'page' | 'ticket'>();
  const inner = report?.report as { conditions?: Array<Record<string, unknown>> } | undefined;
  for (const c of inner?.conditions ?? []) {
    const sev = String(c.severity).toLowerCase() === 'page' ? 'page' : 'ticket';
    for (const w of [c.longWindow, c.shortWindow]) {
      if (typeof w === 'string' && out.get(w) !== 'page') {
        out.set(w, sev);
      }
    }
  }
  return out;
}

/** The engine's `severity` column when the frame has it, else the report's conditions. */
function windowSeverity(fromFrame: string | undefined, fromReport: 'page' | 'ticket' | undefined): 'page' | 'ticket' | 'info' {
  if (fromFrame === 'page' || fromFrame === 'ticket') {
    return fromFrame;
  }
  if (fromFrame === '') {
    return 'info';
  }
  return fromReport ?? 'info';
}

/** Reads the SLO frames; `report` (raw mode) gives each window's severity. */
export function sloModel(frames: DataFrame[], report?: Record<string, unknown>): SloModel {
  const model: SloModel = { windows: [], groups: [], alerts: [] };
  const sev = severities(report);
  for (const frame of frames) {
    if (hasFields(frame, 'sli', 'objective', 'budget remaining')) {
      model.name = frame.name ?? undefined;
      model.summary = {
        sli: cell(frame, 'sli'),
        objective: cell(frame, 'objective'),
        remaining: cell(frame, 'budget remaining'),
        consumed: cell(frame, 'budget consumed'),
        exhaustionS: cell(frame, 'time to exhaustion'),
        level: cell(frame, 'alert level'),
      };
    } else if (hasFields(frame, 'window', 'burn rate', 'factor', 'firing')) {
      const windows = texts(frame.fields.find((f) => f.name === 'window'));
      const rate = numbers(numberField(frame, 'burn rate'));
      const ratio = numbers(numberField(frame, 'error ratio'));
      const factor = numbers(numberField(frame, 'factor'));
      const firing = numbers(numberField(frame, 'firing'));
      const severityOf = texts(frame.fields.find((f) => f.name === 'severity'));
      model.windows = windows.map((window, i) => ({
        window,
        burnRate: rate[i] ?? null,
        errorRatio: ratio[i] ?? null,
        factor: factor[i] ?? null,
        firing: firing[i] === 1,
        severity: windowSeverity(severityOf[i], sev.get(window)),
      }));
      model.name = model.name ?? frame.name?.replace(/ burn rates$/, '');
    } else if (hasFields(frame, 'ideal') && (hasFields(frame, 'budget remaining') || hasFields(frame, 'remaining'))) {
      model.burnDown = {
        times: numbers(timeField(frame)).map((t) => t ?? 0),
        remaining: numbers(numberField(frame, 'budget remaining') ?? numberField(frame, 'remaining')),
        ideal: numbers(numberField(frame, 'ideal')),
      };
    } else if (hasFields(frame, 'time', 'timeEnd', 'severity')) {
      const start = numbers(frame.fields.find((f) => f.name === 'time'));
      const end = numbers(frame.fields.find((f) => f.name === 'timeEnd'));
      const severity = texts(frame.fields.find((f) => f.name === 'severity'));
      const text = texts(frame.fields.find((f) => f.name === 'text'));
      model.alerts = start.map((s, i) => ({ startMs: s ?? 0, endMs: end[i] ?? s ?? 0, severity: severity[i] ?? '', text: text[i] ?? '' }));
    } else if (hasFields(frame, 'sli', 'budget remaining', 'burn rate 1h') && isTable(frame)) {
      const labelFields = frame.fields.filter((f) => f.type === FieldType.string);
      const labelValues = labelFields.map((f) => texts(f));
      const sli = numbers(numberField(frame, 'sli'));
      const remaining = numbers(numberField(frame, 'budget remaining'));
      const burn = numbers(numberField(frame, 'burn rate 1h'));
      const level = numbers(numberField(frame, 'alert level'));
      model.groups = sli.map((s, i) => ({
        labels: labelFields.map((f, k) => `${f.name}=${labelValues[k][i] ?? ''}`).join(', ') || '(all)',
        sli: s,
        remaining: remaining[i] ?? null,
        burn1h: burn[i] ?? null,
        level: level[i] ?? null,
      }));
      // Least budget left first; no data last.
      model.groups.sort((a, b) => (a.remaining ?? Infinity) - (b.remaining ?? Infinity));
    }
  }
  return model;
}

/** The SLO definition for raw series: `sloJson`, else the preset named by `preset`. */
export function sloConfig(engine: Pick<Engine, 'sloPresets'>, options: Partial<SloPanelOptions>): string {
  const text = options.sloJson?.trim();
  if (text) {
    try {
      JSON.parse(text);
    } catch (err) {
      throw new Error(`SLO definition (panel option): not valid JSON: ${(err as Error).message}`);
    }
    return text;
  }
  const presets = engine.sloPresets();
  const name = options.preset?.trim() ?? '';
  const found = name === '' ? presets[0] : presets.find((p) => String(p.name).toLowerCase() === name.toLowerCase());
  if (!found) {
    throw new Error(`SLO preset "${name}" does not exist; use one of ${presets.map((p) => String(p.name)).join(', ')} or write a definition`);
  }
  return JSON.stringify(found);
}
