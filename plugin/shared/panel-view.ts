/**
 * One state machine for the three panels: precomputed FleetLens frames are used as they are; raw
 * series are evaluated in wasm; everything else becomes a state the panel explains.
 */
import { useMemo } from 'react';
import { DataFrame, LoadingState, PanelData } from '@grafana/data';

import type { Engine } from './engine';
import { errorMessage } from './errors';
import { RawSeries, RawViewInput, describeFrames, exploreUrl, hasRows, rawSeries, runRawView, selectorsOf } from './panel-frames';
import { useEngine } from './useEngine';
import type { ViewName } from './views';

/** What the panel can show. */
export type PanelViewState =
  | { kind: 'loading' }
  | { kind: 'noData' }
  | { kind: 'error'; message: string }
  | { kind: 'missingMetric'; message: string }
  | { kind: 'wrongShape'; message: string }
  | { kind: 'ready'; view: ReadyView };

/** Frames in the data source's shape, wherever they came from. */
export interface ReadyView {
  mode: 'precomputed' | 'raw';
  frames: DataFrame[];
  warnings: string[];
  /** Explore with the underlying selectors, when known. */
  exploreUrl?: string;
  /** The raw series (raw mode), e.g. for sparklines. */
  series: RawSeries[];
  /** The engine's report (raw mode only). */
  report?: Record<string, unknown>;
}

/** How a panel recognizes and computes its view. */
export interface PanelViewSpec {
  view: ViewName;
  /** What the panel needs, for the wrong-shape message ("FleetLens cost frames (…)"). */
  needs: string;
  /** Is this one of the view's precomputed frames? */
  recognize: (frame: DataFrame) => boolean;
  /** The view config JSON from the panel options (presets come from `engine`); may throw a readable error. */
  config: (engine: Engine) => string;
  outputs: RawViewInput['outputs'];
}

function notices(frames: DataFrame[]): string[] {
  const out = new Set<string>();
  for (const f of frames) {
    for (const n of f.meta?.notices ?? []) {
      if (n.severity !== 'info') {
        out.add(n.text);
      }
    }
  }
  return Array.from(out);
}

/** The data source of a query (a uid), from the panel's request. */
function datasourceUid(data: PanelData, refId?: string): string | undefined {
  const targets = data.request?.targets ?? [];
  const target = targets.find((t) => t.refId === refId) ?? targets[0];
  const ds = target?.datasource ?? data.request?.targets?.[0]?.datasource;
  return typeof ds === 'string' ? ds : ds?.uid ?? undefined;
}

/** Reads `data` as view `spec.view`; `timeZone` is the dashboard's. */
export function usePanelView(data: PanelData, spec: PanelViewSpec, timeZone: string, configKey: string): PanelViewState {
  const { engine, error: loadError } = useEngine();
  const frames = data.series;
  const range = data.timeRange;
  const fromMs = range.from.valueOf();
  const toMs = range.to.valueOf();

  const precomputed = useMemo(() => frames.filter(spec.recognize), [frames, spec.recognize]);
  const raw = useMemo(() => (precomputed.length > 0 ? [] : rawSeries(frames)), [frames, precomputed]);

  const computed = useMemo((): PanelViewState | undefined => {
    if (precomputed.length > 0 || raw.length === 0 || !engine) {
      return undefined;
    }
    if (raw.every((s) => s.name === '')) {
      return {
        kind: 'wrongShape',
        message: `the series carry no metric name (no __name__ label). Query raw selectors such as a counter without rate() or sum(), or use the FleetLens data source; got ${describeFrames(frames)}`,
      };
    }
    try {
      const result = runRawView(
        engine,
        { view: spec.view, config: spec.config(engine), fromMs, toMs, timeZone, outputs: spec.outputs },
        raw.filter((s) => s.name !== '')
      );
      const refId = frames[0]?.refId;
      return {
        kind: 'ready',
        view: {
          mode: 'raw',
          frames: result.frames,
          warnings: [...notices(frames), ...result.warnings],
          exploreUrl: result.selectors.length > 0 ? exploreUrl(datasourceUid(data, refId), result.selectors, { from: fromMs, to: toMs }) : undefined,
          series: raw,
          report: result.report,
        },
      };
    } catch (err) {
      const message = errorMessage(err);
      return { kind: /metric not found/.test(message) ? 'missingMetric' : 'error', message };
    }
    // `configKey` stands for `spec.config` and `spec.outputs`, which change with the options.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [engine, raw, precomputed, frames, fromMs, toMs, timeZone, configKey]);

  if (data.state === LoadingState.Error && !hasRows(frames)) {
    const err = data.error;
    return { kind: 'error', message: err?.message || err?.data?.message || 'the query failed' };
  }
  if (precomputed.length > 0) {
    const executed = precomputed.map((f) => f.meta?.executedQueryString).find((q) => q);
    const selectors = selectorsOf(executed);
    return {
      kind: 'ready',
      view: {
        mode: 'precomputed',
        frames: precomputed,
        warnings: notices(frames),
        exploreUrl: selectors.length > 0 ? exploreUrl(datasourceUid(data, precomputed[0].refId), selectors, { from: fromMs, to: toMs }) : undefined,
        series: rawSeries(frames.filter((f) => !spec.recognize(f))),
      },
    };
  }
  if (!hasRows(frames)) {
    return data.state === LoadingState.Loading ? { kind: 'loading' } : { kind: 'noData' };
  }
  if (raw.length === 0) {
    return { kind: 'wrongShape', message: `this panel needs ${spec.needs}; got ${describeFrames(frames)}` };
  }
  if (loadError) {
    return { kind: 'error', message: `the FleetLens engine did not load: ${loadError}` };
  }
  return computed ?? { kind: 'loading' };
}
