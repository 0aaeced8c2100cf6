/**
 * Building blocks of the FleetLens panels, drawn with Grafana's theme: state messages, tiles, a
 * bar list, an SVG line chart and sparkline, the Explore link. Every text is rendered by React as
 * text (label values are never markup).
 */
import React from 'react';
import { css, cx } from '@emotion/css';
import { GrafanaTheme2, formattedValueToString, getValueFormat } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';

import type { PanelViewState } from './panel-view';

/** `value` in Grafana unit `unit`; an em dash without a value. */
export function formatValue(value: number | null | undefined, unit = 'short', decimals?: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  return formattedValueToString(getValueFormat(unit)(value, decimals));
}

/** Panels at most this wide or high show only their headline. */
export const SMALL = { width: 260, height: 140 };

/** Is the panel too small for more than its headline? */
export const isSmall = (width: number, height: number) => width < SMALL.width || height < SMALL.height;

const stateStyles = (theme: GrafanaTheme2) => ({
  box: css`
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    height: 100%;
    padding: ${theme.spacing(1)};
    text-align: center;
    overflow: auto;
    gap: ${theme.spacing(0.5)};
  `,
  title: css`
    font-weight: ${theme.typography.fontWeightMedium};
  `,
  error: css`
    color: ${theme.colors.error.text};
  `,
  warning: css`
    color: ${theme.colors.warning.text};
  `,
  detail: css`
    color: ${theme.colors.text.secondary};
    font-size: ${theme.typography.bodySmall.fontSize};
    word-break: break-word;
  `,
});

/** The hints shown with each state. */
export interface StateHints {
  noData: string;
  missingMetric: string;
}

/** The panel's message for every state but `ready`; `testId` marks the box. */
export function PanelStateMessage({ state, hints, testId }: { state: Exclude<PanelViewState, { kind: 'ready' }>; hints: StateHints; testId: string }) {
  const s = useStyles2(stateStyles);
  let title: string;
  let detail: string | undefined;
  let tone: string | undefined;
  switch (state.kind) {
    case 'loading':
      title = 'Loading…';
      break;
    case 'noData':
      title = 'No data';
      detail = hints.noData;
      break;
    case 'error':
      title = 'Error';
      detail = state.message;
      tone = s.error;
      break;
    case 'missingMetric':
      title = 'Metric not found';
      detail = `${state.message}. ${hints.missingMetric}`;
      tone = s.warning;
      break;
    default:
      title = 'Unexpected data';
      detail = state.message;
      tone = s.warning;
  }
  return (
    <div className={s.box} data-testid={testId} data-state={state.kind}>
      <div className={cx(s.title, tone)}>{title}</div>
      {detail && <div className={s.detail}>{detail}</div>}
    </div>
  );
}

const uiStyles = (theme: GrafanaTheme2) => ({
  tiles: css`
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(110px, 1fr));
    gap: ${theme.spacing(1)};
  `,
  tile: css`
    background: ${theme.colors.background.secondary};
    border-radius: ${theme.shape.borderRadius(1)};
    padding: ${theme.spacing(0.75, 1)};
    min-width: 0;
  `,
  tileLabel: css`
    color: ${theme.colors.text.secondary};
    font-size: ${theme.typography.bodySmall.fontSize};
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  `,
  tileValue: css`
    font-size: ${theme.typography.h4.fontSize};
    font-weight: ${theme.typography.fontWeightMedium};
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  `,
  bars: css`
    display: flex;
    flex-direction: column;
    gap: ${theme.spacing(0.5)};
  `,
  barRow: css`
    display: grid;
    grid-template-columns: minmax(60px, 35%) 1fr auto;
    align-items: center;
    gap: ${theme.spacing(1)};
    font-size: ${theme.typography.bodySmall.fontSize};
  `,
  barLabel: css`
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  `,
  barTrack: css`
    background: ${theme.colors.background.secondary};
    height: 8px;
    border-radius: 4px;
    overflow: hidden;
  `,
  barFill: css`
    background: ${theme.colors.primary.main};
    height: 100%;
  `,
  warnings: css`
    color: ${theme.colors.warning.text};
    font-size: ${theme.typography.bodySmall.fontSize};
    margin: 0;
    padding-left: ${theme.spacing(2)};
  `,
  link: css`
    color: ${theme.colors.text.link};
    font-size: ${theme.typography.bodySmall.fontSize};
  `,
  heading: css`
    color: ${theme.colors.text.secondary};
    font-size: ${theme.typography.bodySmall.fontSize};
    text-transform: uppercase;
    letter-spacing: 0.05em;
    margin: ${theme.spacing(1, 0, 0.5)};
  `,
  pill: css`
    display: inline-block;
    padding: ${theme.spacing(0, 0.75)};
    border-radius: ${theme.shape.borderRadius(2)};
    font-size: ${theme.typography.bodySmall.fontSize};
    border: 1px solid currentColor;
    white-space: nowrap;
  `,
});

/** A headline figure. */
export function Tile({ label, value, testId, title }: { label: string; value: string; testId?: string; title?: string }) {
  const s = useStyles2(uiStyles);
  return (
    <div className={s.tile} data-testid={testId} title={title}>
      <div className={s.tileLabel}>{label}</div>
      <div className={s.tileValue}>{value}</div>
    </div>
  );
}

/** A grid of tiles. */
export function Tiles({ children }: { children: React.ReactNode }) {
  const s = useStyles2(uiStyles);
  return <div className={s.tiles}>{children}</div>;
}

/** A section heading. */
export function Heading({ children }: { children: React.ReactNode }) {
  const s = useStyles2(uiStyles);
  return <div className={s.heading}>{children}</div>;
}

/** Horizontal bars, longest first as given; `fraction` in [0, 1]. */
export function BarList({ rows, testId }: { rows: Array<{ label: string; fraction: number; value: string; marked?: boolean }>; testId?: string }) {
  const s = useStyles2(uiStyles);
  const theme = useTheme2();
  return (
    <div className={s.bars} data-testid={testId}>
      {rows.map((r, i) => (
        <div className={s.barRow} key={i}>
          <span className={s.barLabel} title={r.label}>
            {r.label}
          </span>
          <div className={s.barTrack}>
            <div
              className={s.barFill}
              style={{ width: `${Math.max(0, Math.min(1, r.fraction)) * 100}%`, background: r.marked ? theme.colors.warning.main : undefined }}
            />
          </div>
          <span>{r.value}</span>
        </div>
      ))}
    </div>
  );
}

/** Warnings of the view (missing outcome metrics, collided counters, capped groups). */
export function Warnings({ warnings, testId }: { warnings: string[]; testId?: string }) {
  const s = useStyles2(uiStyles);
  if (warnings.length === 0) {
    return null;
  }
  return (
    <ul className={s.warnings} data-testid={testId}>
      {warnings.map((w, i) => (
        <li key={i}>{w}</li>
      ))}
    </ul>
  );
}

/** "Explore the underlying PromQL". */
export function ExploreLink({ url, testId }: { url?: string; testId?: string }) {
  const s = useStyles2(uiStyles);
  if (!url) {
    return null;
  }
  return (
    <a className={s.link} href={url} data-testid={testId} target="_blank" rel="noopener noreferrer">
      Explore the underlying PromQL
    </a>
  );
}

/** A small rounded label in `color` (a theme color). */
export function Pill({ text, color, testId }: { text: string; color: string; testId?: string }) {
  const s = useStyles2(uiStyles);
  return (
    <span className={s.pill} style={{ color }} data-testid={testId}>
      {text}
    </span>
  );
}

/** One line of a chart: points (x, y) with gaps for null y. */
export interface ChartLine {
  name: string;
  points: Array<[number, number | null]>;
  color: string;
  dashed?: boolean;
  /** A filled band to `points2` instead of a line. */
  band?: Array<[number, number | null]>;
}

function path(points: Array<[number, number | null]>, x: (v: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const [px, py] of points) {
    if (py === null || !Number.isFinite(py)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(px).toFixed(1)},${y(py).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/**
 * A plain SVG line chart: lines, optional bands, vertical markers (e.g. anomalies), a horizontal
 * reference. Axis labels: min and max of y, formatted by `format`.
 */
export function LineChart({
  lines,
  width,
  height,
  format,
  markers = [],
  yMin,
  testId,
}: {
  lines: ChartLine[];
  width: number;
  height: number;
  format: (v: number) => string;
  markers?: number[];
  yMin?: number;
  testId?: string;
}) {
  const theme = useTheme2();
  const xs = lines.flatMap((l) => l.points.map((p) => p[0]));
  const ys = lines.flatMap((l) => [...l.points, ...(l.band ?? [])].map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v)));
  if (xs.length === 0 || ys.length === 0 || width < 40 || height < 30) {
    return null;
  }
  const left = 56;
  const pad = 6;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y0 = Math.min(yMin ?? Infinity, ...ys);
  const y1raw = Math.max(...ys);
  const y1 = y1raw === y0 ? y0 + 1 : y1raw;
  const x = (v: number) => left + ((v - x0) / (x1 - x0 || 1)) * (width - left - pad);
  const y = (v: number) => pad + (1 - (v - y0) / (y1 - y0)) * (height - 2 * pad);
  const axis = theme.colors.text.secondary;
  return (
    <svg width={width} height={height} data-testid={testId} role="img">
      <line x1={left} x2={left} y1={pad} y2={height - pad} stroke={theme.colors.border.medium} />
      <text x={left - 4} y={pad + 8} textAnchor="end" fontSize={10} fill={axis}>
        {format(y1)}
      </text>
      <text x={left - 4} y={height - pad} textAnchor="end" fontSize={10} fill={axis}>
        {format(y0)}
      </text>
      {markers.map((m, i) => (
        <line key={`m${i}`} x1={x(m)} x2={x(m)} y1={pad} y2={height - pad} stroke={theme.colors.warning.main} strokeDasharray="2,2" />
      ))}
      {lines.map((l, i) =>
        l.band ? (
          <path
            key={i}
            d={`${path(l.points, x, y)}${path([...l.band].reverse(), x, y).replace(/^M/, 'L')}Z`}
            fill={l.color}
            fillOpacity={0.15}
            stroke="none"
          >
            <title>{l.name}</title>
          </path>
        ) : (
          <path key={i} d={path(l.points, x, y)} fill="none" stroke={l.color} strokeWidth={1.5} strokeDasharray={l.dashed ? '4,3' : undefined}>
            <title>{l.name}</title>
          </path>
        )
      )}
    </svg>
  );
}

/** A tiny trend line without axes. */
export function Sparkline({ values, width = 80, height = 18 }: { values: number[]; width?: number; height?: number }) {
  const theme = useTheme2();
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) {
    return null;
  }
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pts: Array<[number, number | null]> = values.map((v, i) => [i, Number.isFinite(v) ? v : null]);
  const x = (i: number) => (i / (values.length - 1)) * (width - 2) + 1;
  const y = (v: number) => 1 + (1 - (v - lo) / (hi - lo || 1)) * (height - 2);
  return (
    <svg width={width} height={height} role="img" aria-label="trend">
      <path d={path(pts, x, y)} fill="none" stroke={theme.colors.primary.main} strokeWidth={1.2} />
    </svg>
  );
}

/**
 * Styles every FleetLens panel shares: a scrolling column whose sections keep their height
 * (charts and tables are not squeezed to nothing when the content is taller than the panel), the
 * small-size headline view, and captions.
 */
export const panelStyles = (theme: GrafanaTheme2) => ({
  wrapper: css`
    overflow: auto;
    padding: ${theme.spacing(0.5)};
    display: flex;
    flex-direction: column;
    gap: ${theme.spacing(0.5)};
    /* Sections keep their height and the panel scrolls, instead of charts and tables being
       squeezed to nothing when the content is taller than the panel. */
    & > * {
      flex-shrink: 0;
    }
  `,
  small: css`
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    overflow: hidden;
  `,
  headline: css`
    font-weight: ${theme.typography.fontWeightMedium};
    line-height: 1.1;
    white-space: nowrap;
  `,
  caption: css`
    color: ${theme.colors.text.secondary};
    font-size: ${theme.typography.bodySmall.fontSize};
  `,
});
