import React, { useMemo, useState } from 'react';
import { css, cx } from '@emotion/css';
import { GrafanaTheme2, PanelProps } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';

import { ExploreLink, PanelStateMessage, Sparkline, Warnings, formatValue, isSmall, panelStyles } from '../../../shared/panel-ui';
import { PanelViewSpec, usePanelView } from '../../../shared/panel-view';
import { COLUMNS, FLEET, agentsConfig, agentsModel, isAgentsFrame, sortRows, sparklines } from '../model';
import { testIds } from '../testIds';
import { AgentsPanelOptions, DEFAULT_OPTIONS } from '../types';

type Props = PanelProps<AgentsPanelOptions>;

const HINTS = {
  noData: 'No agent samples in this time range. Check the query and the time range.',
  missingMetric:
    'Check that the query returns the raw agent metrics (e.g. {__name__=~"claude_agent_.*|claude_tasks_.*|claude_api_.*"} without rate() or sum()) and the metric names in the panel settings, or use the FleetLens data source.',
};

/** Agents: a sortable leaderboard with sparklines, outliers highlighted, and the fleet row. */
export function AgentsPanel({ data, width, height, options, timeZone }: Props) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const groupLabel = options.groupLabel?.trim() || DEFAULT_OPTIONS.groupLabel;
  const configKey = JSON.stringify([groupLabel, options.agentsConfig]);
  const spec = useMemo(
    (): PanelViewSpec => ({
      view: 'agents',
      needs: 'FleetLens agents frames (leaderboard, fleet) or raw series of the agent metrics',
      recognize: isAgentsFrame,
      config: () => agentsConfig(options),
      outputs: [
        { output: 'leaderboard', groupBy: groupLabel },
        { output: 'fleet', groupBy: groupLabel },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [configKey]
  );
  const state = usePanelView(data, spec, timeZone, configKey);
  const [sort, setSort] = useState<{ column: string; desc: boolean } | undefined>();
  const column = sort?.column ?? options.sortBy ?? DEFAULT_OPTIONS.sortBy;
  const desc = sort?.desc ?? options.sortDesc ?? true;
  const model = useMemo(() => (state.kind === 'ready' ? agentsModel(state.view.frames) : undefined), [state]);
  const trends = useMemo(() => (state.kind === 'ready' ? sparklines(state.view.series, groupLabel) : new Map<string, number[]>()), [state, groupLabel]);

  if (state.kind !== 'ready' || !model) {
    return (
      <div className={styles.wrapper} style={{ width, height }} data-testid={testIds.container}>
        <PanelStateMessage state={state.kind === 'ready' ? { kind: 'loading' } : state} hints={HINTS} testId={testIds.state} />
      </div>
    );
  }
  const healthy = model.rows.filter((r) => r.status === 'healthy').length;
  if (isSmall(width, height)) {
    const available = model.fleet?.['agents available'];
    const total = model.fleet?.['agents total'];
    const text = available !== undefined && available !== null ? `${formatValue(available, 'short', 0)} / ${formatValue(total, 'short', 0)}` : `${healthy} / ${model.rows.length}`;
    return (
      <div className={styles.small} style={{ width, height }} data-testid={testIds.container}>
        <div className={styles.headline} style={{ fontSize: Math.max(14, Math.min(height * 0.35, width / 6)) }} data-testid={testIds.headline}>
          {text}
        </div>
        <div className={styles.caption}>{available !== undefined && available !== null ? 'agents available' : 'agents healthy'}</div>
      </div>
    );
  }

  const rows = sortRows(model.rows, column, desc);
  const statusColor = (s: string) =>
    s === 'healthy' ? theme.colors.success.text : s === 'stale' ? theme.colors.warning.text : s === 'down' ? theme.colors.error.text : theme.colors.text.secondary;
  const header = (field: string, label: string) => (
    <th key={field}>
      <button
        className={styles.sort}
        data-testid={testIds.sort(field)}
        onClick={() => setSort({ column: field, desc: field === column ? !desc : field !== 'agent' && field !== 'status' })}
        aria-sort={field === column ? (desc ? 'descending' : 'ascending') : 'none'}
      >
        {label}
        {field === column ? (desc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  const showTrends = options.showSparklines !== false && trends.size > 0 && width > 500;
  return (
    <div className={styles.wrapper} style={{ width, height }} data-testid={testIds.container}>
      <table className={styles.table} data-testid={testIds.table}>
        <thead>
          <tr>
            {header('agent', 'agent')}
            {header('status', 'status')}
            {COLUMNS.map((c) => header(c.field, c.header))}
            {showTrends && <th>trend</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.agent} className={cx(r.outlier && styles.outlier)} title={r.outlier ? 'outlier: far from the fleet on at least one measure' : undefined}>
              <td>{r.agent}</td>
              <td style={{ color: statusColor(r.status) }}>{r.status}</td>
              {COLUMNS.map((c) => (
                <td key={c.field}>{formatValue(r.values[c.field], c.unit, c.decimals)}</td>
              ))}
              {showTrends && <td>{trends.has(r.agent) && <Sparkline values={trends.get(r.agent) ?? []} />}</td>}
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length + 2} className={styles.caption}>
                no agents in this range
              </td>
            </tr>
          )}
        </tbody>
        {options.showFleet !== false && model.fleet && (
          <tfoot>
            <tr data-testid={testIds.fleet}>
              <td colSpan={COLUMNS.length + 2 + (showTrends ? 1 : 0)}>
                fleet:{' '}
                {FLEET.map((f) => `${f.label} ${formatValue(model.fleet?.[f.field], f.unit, f.unit === 's' ? undefined : 0)}`).join(' · ')}
              </td>
            </tr>
          </tfoot>
        )}
      </table>
      <Warnings warnings={state.view.warnings} testId={testIds.warnings} />
      {options.showExploreLink !== false && <ExploreLink url={state.view.exploreUrl} testId={testIds.explore} />}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...panelStyles(theme),
  table: css`
    width: 100%;
    border-collapse: collapse;
    font-size: ${theme.typography.bodySmall.fontSize};
    th {
      text-align: left;
      border-bottom: 1px solid ${theme.colors.border.medium};
      white-space: nowrap;
    }
    td {
      padding: ${theme.spacing(0.25, 0.5)};
      border-bottom: 1px solid ${theme.colors.border.weak};
      white-space: nowrap;
    }
    tfoot td {
      color: ${theme.colors.text.secondary};
      border-bottom: none;
    }
  `,
  sort: css`
    background: none;
    border: none;
    color: ${theme.colors.text.secondary};
    font-weight: ${theme.typography.fontWeightMedium};
    padding: ${theme.spacing(0.25, 0.5)};
    cursor: pointer;
  `,
  outlier: css`
    background: ${theme.colors.warning.transparent};
  `,
});
