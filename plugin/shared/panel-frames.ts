/**
 * What the FleetLens panels read from the frames Grafana hands them: the data source's
 * precomputed view frames (found by frame and field names, see src/engine/outputs.rs) or raw
 * Prometheus series, which the panel evaluates in wasm itself (`runRawView`).
 */
import { DataFrame, Field, FieldType, urlUtil } from '@grafana/data';

import type { Engine, ViewPlan } from './engine';
import { fieldValues } from './frames';
import { ViewName, resultToFrames } from './views';
import { zoneOffsets } from './zone';

/** A number field by exact name. */
export function numberField(frame: DataFrame, name: string): Field | undefined {
  return frame.fields.find((f) => f.name === name && f.type === FieldType.number);
}

/** Does `frame` have every one of `names` as a field? */
export function hasFields(frame: DataFrame, ...names: string[]): boolean {
  return names.every((n) => frame.fields.some((f) => f.name === n));
}

/** A number or null (null, undefined, NaN and non-numbers are null). */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The values of a field as plain numbers or null. */
export function numbers(field: Field | undefined): Array<number | null> {
  return field ? Array.from(fieldValues(field) as ArrayLike<unknown>, num) : [];
}

/** The values of a field as text (a label value is never markup: React renders it as text). */
export function texts(field: Field | undefined): string[] {
  return field ? Array.from(fieldValues(field) as ArrayLike<unknown>, (v) => (v === null || v === undefined ? '' : String(v))) : [];
}

/** The last value of number field `name` of a one-row frame (null without one). */
export function cell(frame: DataFrame | undefined, name: string): number | null {
  if (!frame) {
    return null;
  }
  const values = numbers(numberField(frame, name));
  return values.length > 0 ? values[values.length - 1] : null;
}

/** The time field of a frame. */
export function timeField(frame: DataFrame): Field | undefined {
  return frame.fields.find((f) => f.type === FieldType.time);
}

/** A frame in one line for "got …" messages: `"name" (fields a, b, c)`. */
export function describeFrames(frames: DataFrame[]): string {
  if (frames.length === 0) {
    return 'no frames';
  }
  const shown = frames.slice(0, 3).map((f) => {
    const fields = f.fields.map((x) => `${x.name} (${x.type})`).join(', ');
    return `${f.name ? `"${f.name}"` : 'a frame'} with ${fields || 'no fields'}`;
  });
  return shown.join('; ') + (frames.length > 3 ? `; and ${frames.length - 3} more frames` : '');
}

/** Does the panel have frames with at least one row? */
export function hasRows(frames: DataFrame[]): boolean {
  return frames.some((f) => f.fields.some((field) => fieldValues(field).length > 0));
}

// ---------------------------------------------------------------------------------------------
// Raw series

/** One raw series: its metric name, labels (without `__name__`) and samples. */
export interface RawSeries {
  name: string;
  labels: Record<string, string>;
  times: Float64Array;
  values: Float64Array;
}

/** The metric name of a series: `__name__`, else the frame or field name before `{`. */
function metricOf(frame: DataFrame, field: Field): string {
  const fromLabel = field.labels?.__name__;
  if (fromLabel) {
    return fromLabel;
  }
  for (const text of [frame.name, field.config?.displayNameFromDS, field.name]) {
    const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{.*)?$/.exec(text ?? '');
    if (m && m[1] !== 'Value' && m[1] !== 'value') {
      return m[1];
    }
  }
  return '';
}

/** Every (time, number) field pair of `frames` as a raw series; names may be empty. */
export function rawSeries(frames: DataFrame[]): RawSeries[] {
  const out: RawSeries[] = [];
  for (const frame of frames) {
    const time = timeField(frame);
    if (!time) {
      continue;
    }
    const times = Array.from(fieldValues(time) as ArrayLike<unknown>, (t) => (typeof t === 'number' ? t : Number(t)));
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) {
        continue;
      }
      const values = Array.from(fieldValues(field) as ArrayLike<unknown>, (v) => (typeof v === 'number' ? v : NaN));
      const keep = times.map((t, i) => Number.isFinite(t) && i < values.length);
      const { __name__: _name, ...labels } = field.labels ?? {};
      out.push({
        name: metricOf(frame, field),
        labels,
        times: Float64Array.from(times.filter((_, i) => keep[i])),
        values: Float64Array.from(values.filter((_, i) => keep[i])),
      });
    }
  }
  return out;
}

/** One label matcher of a selector. */
export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** `metric{a="x", b=~"y.*"}` as its metric and matchers; throws for text it cannot read. */
export function parseSelector(selector: string): { metric: string; matchers: Matcher[] } {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?\s*(?:\[[^\]]*\])?\s*$/s.exec(selector);
  if (!m) {
    throw new Error(`cannot read the selector ${selector}`);
  }
  const matchers: Matcher[] = [];
  let metric = m[1] ?? '';
  const body = m[2] ?? '';
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const part = re.exec(body);
    if (!part) {
      if (body.slice(pos).trim() === '') {
        break;
      }
      throw new Error(`cannot read the matchers of ${selector}`);
    }
    const value = JSON.parse(`"${part[3]}"`) as string;
    if (part[1] === '__name__' && part[2] === '=') {
      metric = value;
    } else {
      matchers.push({ label: part[1], op: part[2] as Matcher['op'], value });
    }
    pos = re.lastIndex;
  }
  return { metric, matchers };
}

/** Prometheus' semantics: regexes are anchored, a missing label is the empty string. */
export function matches(labels: Record<string, string>, matchers: Matcher[]): boolean {
  return matchers.every(({ label, op, value }) => {
    const v = labels[label] ?? '';
    switch (op) {
      case '=':
        return v === value;
      case '!=':
        return v !== value;
      case '=~':
        return new RegExp(`^(?:${value})$`).test(v);
      default:
        return !new RegExp(`^(?:${value})$`).test(v);
    }
  });
}

const EMPTY_MATRIX = new TextEncoder().encode('{"status":"success","data":{"resultType":"matrix","result":[]}}');

/** Gives each fetch of `plan` the raw series its selector picks, cut to its window. */
export function feedSeries(plan: ViewPlan, series: RawSeries[]): void {
  plan.fetches.forEach((fetch, index) => {
    const { metric, matchers } = parseSelector(fetch.selector);
    let given = 0;
    for (const s of series) {
      if (s.name !== metric || !matches(s.labels, matchers)) {
        continue;
      }
      const from = fetch.atMs - fetch.rangeMs;
      const keep: number[] = [];
      s.times.forEach((t, i) => {
        if (t > from && t <= fetch.atMs) {
          keep.push(i);
        }
      });
      plan.addSeries(
        index,
        { ...s.labels, __name__: s.name },
        Float64Array.from(keep, (i) => s.times[i]),
        Float64Array.from(keep, (i) => s.values[i])
      );
      given++;
    }
    if (given === 0) {
      plan.addResponse(index, EMPTY_MATRIX);
    }
  });
}

/** What a raw-series evaluation needs. */
export interface RawViewInput {
  view: ViewName;
  config: string;
  fromMs: number;
  toMs: number;
  timeZone?: string;
  /** The outputs to compute, each with an optional grouping label (a plan per distinct one). */
  outputs: Array<{ output: string; groupBy?: string }>;
}

/** The frames a raw-series evaluation produced, as the data source would have returned them. */
export interface RawViewResult {
  frames: DataFrame[];
  warnings: string[];
  /** The selectors fetched, for the Explore link. */
  selectors: string[];
  report: Record<string, unknown>;
}

/** Runs view `input.view` on `series` in wasm; throws the engine's message (e.g. a missing metric). */
export function runRawView(engine: Engine, input: RawViewInput, series: RawSeries[]): RawViewResult {
  const metricNames = Array.from(new Set(series.map((s) => s.name).filter((n) => n !== ''))).sort();
  const offsets = zoneOffsets(input.timeZone, input.fromMs, input.toMs);
  const frames: DataFrame[] = [];
  const warnings = new Set<string>();
  const selectors = new Set<string>();
  let report: Record<string, unknown> = {};
  const groups = Array.from(new Set(input.outputs.map((o) => o.groupBy ?? '')));
  for (const groupBy of groups) {
    const plan = engine.planView(
      input.view,
      input.config,
      { fromMs: input.fromMs, toMs: input.toMs, groupBy: groupBy || undefined },
      offsets,
      metricNames
    );
    try {
      plan.fetches.forEach((f) => selectors.add(f.selector));
      feedSeries(plan, series);
      for (const { output } of input.outputs.filter((o) => (o.groupBy ?? '') === groupBy)) {
        const result = plan.evaluate(output);
        try {
          result.warnings().forEach((w) => warnings.add(w));
          frames.push(...resultToFrames(result, output));
          if (groupBy === groups[0]) {
            report = result.report();
          }
        } finally {
          result.free();
        }
      }
    } finally {
      plan.free();
    }
  }
  return { frames, warnings: Array.from(warnings), selectors: Array.from(selectors), report };
}

// ---------------------------------------------------------------------------------------------
// Explore

/** The selectors in a query inspector text (`metric{…}[5m]` lines), without their ranges. */
export function selectorsOf(executed: string | undefined): string[] {
  return (executed ?? '')
    .split('\n')
    .map((line) => line.replace(/\[[^\]]*\]\s*$/, '').trim())
    .filter((line) => line !== '' && !/\(step \d/.test(line));
}

/** A relative Explore URL (Grafana 9.4's `left` form, which later versions still accept). */
export function exploreUrl(datasourceUid: string | undefined, exprs: string[], range: { from: unknown; to: unknown }): string {
  const left = {
    datasource: datasourceUid,
    queries: exprs.slice(0, 5).map((expr, i) => ({ refId: String.fromCharCode(65 + i), expr, ...(datasourceUid ? { datasource: { uid: datasourceUid } } : {}) })),
    range: { from: String(range.from), to: String(range.to) },
  };
  return urlUtil.renderUrl('/explore', { left: JSON.stringify(left) });
}
