/**
 * One dashboard panel: Grafana's panel chrome around either a FleetLens panel plugin (its
 * `panel` component from the built module.js) or, for the data source's outputs shown in
 * Grafana's own visualizations, the matching @grafana/ui component (BigValue, Table, TimeSeries).
 */
import {
  DataFrame,
  EventBusSrv,
  FieldConfigSource,
  GrafanaTheme2,
  LoadingState,
  PanelData,
  PanelPlugin,
  TimeRange,
  applyFieldOverrides,
  getFieldDisplayValues,
  ReducerID,
  FieldColorModeId,
} from '@grafana/data';
import { BigValue, BigValueColorMode, BigValueGraphMode, BigValueJustifyMode, BigValueTextMode, ErrorBoundaryAlert, LegendDisplayMode, Table, TimeSeries } from '@grafana/ui';
import { css } from '@emotion/css';
import React, { useEffect, useMemo, useRef, useState } from 'react';
import { Subscription } from 'rxjs';

import type { DataSourceApi } from '@grafana/data';
import { errorText, runPanelQuery } from './datasource';

/** A panel of dashboard JSON (the parts the playground reads). */
export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<Record<string, unknown>>;
  options?: Record<string, unknown>;
  fieldConfig?: FieldConfigSource;
  maxDataPoints?: number;
  interval?: string;
  description?: string;
}

export const FLEETLENS_PANELS = ['fleetlens-cost-panel', 'fleetlens-slo-panel', 'fleetlens-agents-panel'] as const;

/** The element's content size, followed as it changes. */
function useSize<T extends HTMLElement>(): [React.RefObject<T>, { width: number; height: number }] {
  const ref = useRef<T>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const node = ref.current;
    if (!node) {
      return undefined;
    }
    const observer = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      setSize((old) => (Math.abs(old.width - width) < 1 && Math.abs(old.height - height) < 1 ? old : { width: Math.floor(width), height: Math.floor(height) }));
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return [ref, size];
}

const EMPTY_FIELD_CONFIG: FieldConfigSource = { defaults: {}, overrides: [] };

/** Frames with field config and display processors applied, as Grafana hands them to a panel. */
function processFrames(frames: DataFrame[], fieldConfig: FieldConfigSource | undefined, theme: GrafanaTheme2, timeZone: string, type: string, plugin?: PanelPlugin): DataFrame[] {
  if (frames.length === 0) {
    return frames;
  }
  // Grafana's time series panel colours each series from the classic palette by default.
  const data =
    type !== 'timeseries'
      ? frames
      : frames.map((frame) => ({
        ...frame,
        fields: frame.fields.map((field) => ({ ...field, config: { color: { mode: FieldColorModeId.PaletteClassic }, ...field.config } })),
      }));
  return applyFieldOverrides({
    data,
    fieldConfig: fieldConfig ?? EMPTY_FIELD_CONFIG,
    fieldConfigRegistry: plugin?.fieldConfigRegistry,
    replaceVariables: (value: string) => value,
    theme,
    timeZone,
  });
}

interface VizProps {
  panel: DashboardPanel;
  frames: DataFrame[];
  width: number;
  height: number;
  timeRange: TimeRange;
  timeZone: string;
  theme: GrafanaTheme2;
}

/** Stat, gauge, pie chart and bar gauge: the reduced values as Grafana's BigValue. */
function StatViz({ panel, frames, width, height, theme, timeZone }: VizProps) {
  const reduceOptions = (panel.options?.reduceOptions as { calcs?: string[]; values?: boolean; fields?: string }) ?? {};
  const values = getFieldDisplayValues({
    data: frames,
    reduceOptions: { calcs: reduceOptions.calcs ?? [ReducerID.lastNotNull], values: reduceOptions.values ?? false, fields: reduceOptions.fields },
    fieldConfig: panel.fieldConfig ?? EMPTY_FIELD_CONFIG,
    replaceVariables: (value: string) => value,
    theme,
    timeZone,
  });
  if (values.length === 0) {
    return <div className="no-data">No data</div>;
  }
  const columns = Math.min(values.length, Math.max(1, Math.floor(width / 140)));
  const rows = Math.ceil(values.length / columns);
  const cellWidth = Math.floor(width / columns);
  const cellHeight = Math.floor(height / rows);
  return (
    <div className="stat-grid" style={{ gridTemplateColumns: `repeat(${columns}, ${cellWidth}px)` }}>
      {values.map((value, i) => (
        <div key={i} data-testid="stat-value" data-title={value.display.title ?? ''} data-numeric={String(value.display.numeric)}>
          <BigValue
            theme={theme}
            value={value.display}
            width={cellWidth}
            height={cellHeight}
            colorMode={BigValueColorMode.Value}
            graphMode={BigValueGraphMode.None}
            justifyMode={BigValueJustifyMode.Auto}
            textMode={values.length > 1 ? BigValueTextMode.ValueAndName : BigValueTextMode.Value}
          />
        </div>
      ))}
    </div>
  );
}

function TableViz({ frames, width, height }: VizProps) {
  const frame = frames[0];
  return frame ? <Table data={frame} width={width} height={height} /> : <div className="no-data">No data</div>;
}

/** Grafana's time series panel defaults for a field's drawing style (the panel plugin sets them in Grafana). */
const LINE_DEFAULTS = {
  drawStyle: 'line',
  lineInterpolation: 'linear',
  lineWidth: 1,
  fillOpacity: 0,
  gradientMode: 'none',
  showPoints: 'never',
  pointSize: 4,
  spanNulls: false,
  axisPlacement: 'auto',
  barAlignment: 0,
  stacking: { mode: 'none', group: 'A' },
  scaleDistribution: { type: 'linear' },
};

function TimeSeriesViz({ frames, width, height, timeRange, timeZone }: VizProps) {
  const graphable = frames
    .filter((f) => f.fields.some((field) => field.type === 'time') && f.fields.some((field) => field.type === 'number'))
    .map((f) => ({ ...f, fields: f.fields.map((field) => ({ ...field, config: { ...field.config, custom: { ...LINE_DEFAULTS, ...(field.config.custom ?? {}) } } })) }));
  if (graphable.length === 0) {
    return <div className="no-data">No data</div>;
  }
  return (
    <TimeSeries
      frames={graphable}
      width={width}
      height={height}
      timeRange={timeRange}
      timeZone={timeZone}
      legend={{ displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: true, calcs: [] }}
    >
      {() => null}
    </TimeSeries>
  );
}

const BUILT_IN: Record<string, React.ComponentType<VizProps>> = {
  stat: StatViz,
  gauge: StatViz,
  piechart: StatViz,
  bargauge: StatViz,
  table: TableViz,
  timeseries: TimeSeriesViz,
};

interface PanelViewProps {
  panel: DashboardPanel;
  plugin?: PanelPlugin;
  ds: DataSourceApi;
  range: TimeRange;
  refresh: number;
  timeZone: string;
  theme: GrafanaTheme2;
  selected: boolean;
  onSelect: () => void;
  onOptionsChange: (options: Record<string, unknown>) => void;
  onData: (data: PanelData) => void;
}

/** A panel with its header (title, error, edit), its data and its visualization. */
export function PanelView({ panel, plugin, ds, range, refresh, timeZone, theme, selected, onSelect, onOptionsChange, onData }: PanelViewProps) {
  const [contentRef, size] = useSize<HTMLDivElement>();
  const [data, setData] = useState<PanelData | undefined>();
  const eventBus = useMemo(() => new EventBusSrv(), []);
  const renderCounter = useRef(0);
  const targetsKey = JSON.stringify(panel.targets ?? []);

  // The running query. A refresh that finds the same query (same range text, targets and zone)
  // still running lets it finish instead of cancelling it: with a refresh interval shorter than
  // the query, cancel-and-restart would never show data. Anything else restarts the query.
  const running = useRef<{ subscription: Subscription; done: boolean; key: string } | undefined>(undefined);
  useEffect(() => () => running.current?.subscription.unsubscribe(), []);
  const rawKey = `${String(range.raw.from)}|${String(range.raw.to)}`;
  useEffect(() => {
    if (size.width === 0) {
      return;
    }
    const key = `${rawKey}|${targetsKey}|${timeZone}`;
    if (running.current && !running.current.done && running.current.key === key) {
      return;
    }
    running.current?.subscription.unsubscribe();
    setData((old) => (old ? { ...old, state: LoadingState.Loading } : old));
    const current = { done: false, key, subscription: Subscription.EMPTY };
    running.current = current;
    current.subscription = runPanelQuery(ds, panel, range, timeZone, size.width).subscribe({
      next: (next) => {
        setData(next);
        onData(next);
      },
      complete: () => {
        current.done = true;
      },
      error: () => {
        current.done = true;
      },
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ds, range, refresh, timeZone, targetsKey, size.width > 0]);

  const processed = useMemo(() => {
    try {
      return { frames: processFrames(data?.series ?? [], panel.fieldConfig, theme, timeZone, panel.type, plugin) };
    } catch (err) {
      return { frames: [] as DataFrame[], error: errorText(err) };
    }
  }, [data, panel.fieldConfig, panel.type, theme, timeZone, plugin]);

  const error = data?.error?.message || processed.error;
  const loading = !data || data.state === LoadingState.Loading;
  renderCounter.current += 1;

  let body: React.ReactNode = null;
  if (size.width > 0 && size.height > 0 && data) {
    const panelData: PanelData = { ...data, series: processed.frames };
    if (plugin?.panel) {
      const PanelComponent = plugin.panel;
      body = (
        <PanelComponent
          id={panel.id}
          data={panelData}
          timeRange={data.timeRange ?? range}
          timeZone={timeZone}
          options={panel.options ?? {}}
          fieldConfig={panel.fieldConfig ?? EMPTY_FIELD_CONFIG}
          transparent={false}
          width={size.width}
          height={size.height}
          renderCounter={renderCounter.current}
          title={panel.title}
          eventBus={eventBus}
          onOptionsChange={onOptionsChange}
          onFieldConfigChange={() => undefined}
          replaceVariables={(value: string) => value}
          onChangeTimeRange={() => undefined}
        />
      );
    } else if (BUILT_IN[panel.type]) {
      const Viz = BUILT_IN[panel.type];
      body = <Viz panel={panel} frames={processed.frames} width={size.width} height={size.height} timeRange={range} timeZone={timeZone} theme={theme} />;
    } else {
      body = <div className="no-data">Grafana's {panel.type} panel is not part of the playground</div>;
    }
  }

  return (
    <section
      className={css`
        grid-column: ${panel.gridPos.x + 1} / span ${panel.gridPos.w};
        grid-row: ${panel.gridPos.y + 1} / span ${panel.gridPos.h};
        background: ${theme.colors.background.primary};
        border: 1px solid ${selected ? theme.colors.primary.border : theme.colors.border.weak};
        border-radius: ${theme.shape.borderRadius(1)};
        display: flex;
        flex-direction: column;
        min-width: 0;
        min-height: 0;
      `}
      data-testid="panel"
      data-panel-id={panel.id}
      data-panel-type={panel.type}
      data-panel-title={panel.title}
      data-state={data?.state ?? 'NotStarted'}
      aria-label={`Panel ${panel.title}`}
    >
      <header className="panel-header">
        <h2 className="panel-title" title={panel.description ?? panel.title}>{panel.title}</h2>
        {loading && <span className="panel-loading" aria-label="loading">loading…</span>}
        <button type="button" className="panel-edit" onClick={onSelect} aria-pressed={selected} data-testid="panel-edit">
          {selected ? 'Editing' : 'Edit'}
        </button>
      </header>
      {error && (
        <div className="panel-error" role="alert" data-testid="panel-error" title={error}>
          {error}
        </div>
      )}
      <div ref={contentRef} className="panel-content">
        <ErrorBoundaryAlert dependencies={[data, panel.options]}>{body}</ErrorBoundaryAlert>
      </div>
    </section>
  );
}
