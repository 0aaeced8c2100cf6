/**
 * Test helpers of the panels: render a panel component into jsdom with panel props, build raw
 * Prometheus-like frames, and evaluate a view directly in the engine from Prometheus response
 * bodies (the data source's path), to compare with what a panel computed from frames.
 */
import React from 'react';
import ReactDOM from 'react-dom';
import { act } from 'react-dom/test-utils';
import { DataFrame, FieldType, LoadingState, PanelData, PanelOptionsEditorBuilder, PanelPlugin, dateTime, standardEditorsRegistry, toDataFrame } from '@grafana/data';
import { type Mock, afterEach, beforeEach, expect, vi } from 'vitest';

import type { Engine } from './engine';
import { parseSelector, matches } from './panel-frames';
import { zoneOffsets } from './zone';

/** The time range of the tests: 2025-02-23 19:20 to 20:20 UTC. */
export const FROM_MS = 1_740_338_400_000;
export const TO_MS = 1_740_342_000_000;

/** One raw series as Grafana's Prometheus data source returns it: Time and Value with labels. */
export interface TestSeries {
  labels: Record<string, string>;
  times: number[];
  values: number[];
}

/** Frames of raw series, the way Grafana's Prometheus data source shapes a range query. */
export function promFrames(series: TestSeries[], refId = 'A'): DataFrame[] {
  return series.map((s) =>
    toDataFrame({
      refId,
      fields: [
        { name: 'Time', type: FieldType.time, config: {}, values: s.times },
        { name: 'Value', type: FieldType.number, labels: s.labels, config: {}, values: s.values },
      ],
    })
  );
}

/** A counter sampled every `stepMs` from `FROM_MS` going up by `perStep`. */
export function counter(labels: Record<string, string>, perStep: number, stepMs = 60_000, start = 0): TestSeries {
  const times: number[] = [];
  const values: number[] = [];
  for (let t = FROM_MS - 5 * stepMs, v = start; t <= TO_MS; t += stepMs, v += perStep) {
    times.push(t);
    values.push(v);
  }
  return { labels, times, values };
}

/** A gauge sampled every `stepMs` with constant `value`. */
export function gauge(labels: Record<string, string>, value: number | ((t: number) => number), stepMs = 60_000): TestSeries {
  const times: number[] = [];
  const values: number[] = [];
  for (let t = FROM_MS - 5 * stepMs; t <= TO_MS; t += stepMs) {
    times.push(t);
    values.push(typeof value === 'number' ? value : value(t));
  }
  return { labels, times, values };
}

/** Evaluates `view` from Prometheus JSON bodies built from `series` (what Prometheus would answer). */
export function evaluateDirect(
  engine: Engine,
  view: string,
  config: string,
  output: string,
  series: TestSeries[],
  groupBy?: string
): { frames: Array<{ name: string | null; fields: Record<string, number[]>; text: Record<string, string[]> }>; warnings: string[] } {
  const metricNames = Array.from(new Set(series.map((s) => s.labels.__name__)));
  const plan = engine.planView(view, config, { fromMs: FROM_MS, toMs: TO_MS, groupBy }, zoneOffsets('UTC', FROM_MS, TO_MS), metricNames);
  try {
    plan.fetches.forEach((f, i) => {
      const { metric, matchers } = parseSelector(f.selector);
      const result = series
        .filter((s) => s.labels.__name__ === metric && matches(s.labels, matchers))
        .map((s) => ({
          metric: s.labels,
          values: s.times.map((t, k) => [t / 1000, String(s.values[k])]).filter(([t]) => (t as number) * 1000 > f.atMs - f.rangeMs && (t as number) * 1000 <= f.atMs),
        }));
      plan.addResponse(i, new TextEncoder().encode(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } })));
    });
    const r = plan.evaluate(output);
    try {
      const frames = [];
      for (let i = 0; i < r.frameCount; i++) {
        const m = r.frameMeta(i);
        const fields: Record<string, number[]> = {};
        m.fields.forEach((f, j) => (fields[f.name] = Array.from(r.fieldValues(i, j))));
        frames.push({ name: m.name, fields, text: Object.fromEntries(m.text.map((t) => [t.name, t.values])) });
      }
      return { frames, warnings: r.warnings() };
    } finally {
      r.free();
    }
  } finally {
    plan.free();
  }
}

/** Panel data of `frames` over the test range. */
export function panelData(series: DataFrame[], state = LoadingState.Done, error?: { message: string }): PanelData {
  const from = dateTime(FROM_MS);
  const to = dateTime(TO_MS);
  return {
    series,
    state,
    error,
    timeRange: { from, to, raw: { from, to } },
    request: { targets: [{ refId: 'A', datasource: { uid: 'prom', type: 'prometheus' } }] },
  } as unknown as PanelData;
}

/** Renders panel component `Panel` into `container` and waits until `ready` says so. */
export async function renderPanel<O>(
  container: HTMLElement,
  Panel: React.ComponentType<never>,
  props: { data: PanelData; options: O; width?: number; height?: number; unit?: string },
  ready: () => boolean
): Promise<void> {
  const all = {
    id: 1,
    data: props.data,
    timeRange: props.data.timeRange,
    timeZone: 'utc',
    width: props.width ?? 800,
    height: props.height ?? 600,
    options: props.options,
    fieldConfig: { defaults: props.unit ? { unit: props.unit } : {}, overrides: [] },
    transparent: false,
    renderCounter: 0,
    title: 'test',
    eventBus: {},
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (s: string) => s,
    onChangeTimeRange: () => {},
  };
  await act(async () => {
    ReactDOM.render(React.createElement(Panel, all as never), container);
  });
  await vi.waitFor(() => expect(ready()).toBe(true));
}

/** Text of the element with `data-testid` `id` (undefined when absent). */
export const textOf = (root: ParentNode, id: string) => root.querySelector(`[data-testid="${id}"]`)?.textContent ?? undefined;

/**
 * The panel's option defaults as Grafana collects them from `setPanelOptions` (Grafana fills the
 * editor registry at start-up; here stand-in editors take their place).
 */
export function optionDefaults(plugin: PanelPlugin): Record<string, unknown> {
  for (const id of ['boolean', 'text', 'number', 'select', 'radio', 'custom']) {
    if (!standardEditorsRegistry.getIfExists(id)) {
      standardEditorsRegistry.register({ id, name: id, editor: () => null });
    }
  }
  return plugin.defaults as Record<string, unknown>;
}

/** The panel's option editors (path → settings), as the options pane builds them. */
export function optionItems(plugin: PanelPlugin): Record<string, { settings?: Record<string, unknown>; defaultValue?: unknown }> {
  optionDefaults(plugin);
  const builder = new PanelOptionsEditorBuilder();
  plugin.getPanelOptionsSupplier()(builder as never, { data: [] });
  return Object.fromEntries(builder.getItems().map((item) => [item.path, item]));
}

/**
 * Before each test: the real engine behind the mocked `loadEngine` and a fresh container in the
 * document, handed to `use`; after each: the panel unmounted and the container removed.
 */
export function mountPanels(loadEngine: Mock, use: (engine: Engine, container: HTMLDivElement) => void): void {
  let container: HTMLDivElement | undefined;
  beforeEach(async () => {
    const engine = (await import('./test-engine')).realEngine();
    loadEngine.mockReset().mockResolvedValue(engine);
    container = document.createElement('div');
    document.body.appendChild(container);
    use(engine, container);
  });
  afterEach(() => {
    if (container) {
      ReactDOM.unmountComponentAtNode(container);
      container.remove();
    }
  });
}
