import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, PanelProps, ThresholdsConfig, ThresholdsMode, dateTimeFormat, getActiveThreshold } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';

import { ExploreLink, Heading, LineChart, PanelStateMessage, Pill, Tile, Tiles, Warnings, formatValue, isSmall, panelStyles } from '../../../shared/panel-ui';
import { PanelViewSpec, usePanelView } from '../../../shared/panel-view';
import { AlertLevel, isSloFrame, levelText, sloConfig, sloModel } from '../model';
import { testIds } from '../testIds';
import { SloPanelOptions } from '../types';

type Props = PanelProps<SloPanelOptions>;

const HINTS = {
  noData: 'No samples of the SLI in this time range. Check the query and the time range.',
  missingMetric:
    "Check that the query returns the raw series the SLO definition names (e.g. http_requests_total without rate() or sum()) and that the panel's SLO definition matches them, or use the FleetLens data source.",
};

/** Budget remaining colors when the field config has no thresholds: red, orange below 50 %, green. */
export const DEFAULT_THRESHOLDS: ThresholdsConfig = {
  mode: ThresholdsMode.Absolute,
  steps: [
    { value: -Infinity, color: 'red' },
    { value: 0.25, color: 'orange' },
    { value: 0.5, color: 'green' },
  ],
};

/** SLO: budget, SLI against objective, burn rates per window, burn-down, groups, backtest. */
export function SloPanel({ data, width, height, options, fieldConfig, timeZone }: Props) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const configKey = JSON.stringify([options.preset, options.sloJson]);
  const spec = useMemo(
    (): PanelViewSpec => ({
      view: 'slo',
      needs: 'FleetLens SLO frames (summary, windows, budget, backtest, groups) or raw series of the SLI metrics',
      recognize: isSloFrame,
      config: (engine) => sloConfig(engine, options),
      outputs: [{ output: 'summary' }, { output: 'windows' }, { output: 'budget' }, { output: 'backtest' }, { output: 'groups' }],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [configKey]
  );
  const state = usePanelView(data, spec, timeZone, configKey);
  const model = useMemo(() => (state.kind === 'ready' ? sloModel(state.view.frames, state.view.report) : undefined), [state]);

  if (state.kind !== 'ready' || !model) {
    return (
      <div className={styles.wrapper} style={{ width, height }} data-testid={testIds.container}>
        <PanelStateMessage state={state.kind === 'ready' ? { kind: 'loading' } : state} hints={HINTS} testId={testIds.state} />
      </div>
    );
  }

  const thresholds = fieldConfig.defaults.thresholds ?? DEFAULT_THRESHOLDS;
  const budgetColor = (v: number | null) =>
    v === null ? theme.colors.text.secondary : theme.visualization.getColorByName(getActiveThreshold(v, thresholds.steps).color);
  const levelColor = (l: AlertLevel) =>
    l === 2 ? theme.colors.error.text : l === 1 ? theme.colors.warning.text : l === 0 ? theme.colors.success.text : theme.colors.text.secondary;
  const pct = (v: number | null, d = 2) => formatValue(v, 'percentunit', d);
  const s = model.summary;
  const remaining = s?.remaining ?? model.burnDown?.remaining.filter((v) => v !== null).slice(-1)[0] ?? null;

  if (isSmall(width, height)) {
    return (
      <div className={styles.small} style={{ width, height }} data-testid={testIds.container}>
        <div
          className={styles.headline}
          style={{ fontSize: Math.max(14, Math.min(height * 0.35, width / 6)), color: budgetColor(remaining) }}
          data-testid={testIds.headline}
        >
          {pct(remaining, 1)}
        </div>
        <div className={styles.caption}>budget remaining{s ? ` · ${levelText(s.level)}` : ''}</div>
      </div>
    );
  }

  const exhaustion =
    s === undefined ? '–' : s.exhaustionS === null ? (s.remaining === null ? '–' : 'never at this pace') : s.exhaustionS === 0 ? 'exhausted' : formatValue(s.exhaustionS, 's');
  const chartWidth = width - 16;
  const range = { from: data.timeRange.from.valueOf(), to: data.timeRange.to.valueOf() };
  return (
    <div className={styles.wrapper} style={{ width, height }} data-testid={testIds.container}>
      <div className={styles.header}>
        {model.name && <span className={styles.name}>{model.name}</span>}
        {s && <Pill text={levelText(s.level)} color={levelColor(s.level)} testId={testIds.level} />}
      </div>
      {s && (
        <Tiles>
          <Tile label="Budget remaining" value={pct(s.remaining, 1)} testId={testIds.tile('budget remaining')} />
          <Tile label="SLI / objective" value={`${pct(s.sli, 3)} / ${pct(s.objective, 3)}`} testId={testIds.tile('sli')} />
          <Tile label="Budget consumed" value={pct(s.consumed, 1)} testId={testIds.tile('budget consumed')} />
          <Tile label="Time to exhaustion" value={exhaustion} testId={testIds.tile('time to exhaustion')} />
        </Tiles>
      )}
      {model.windows.length > 0 && (
        <>
          <Heading>Burn rate per window</Heading>
          <table className={styles.table} data-testid={testIds.windows}>
            <thead>
              <tr>
                <th>window</th>
                <th>burn rate</th>
                <th>threshold</th>
                <th>error ratio</th>
                <th>state</th>
              </tr>
            </thead>
            <tbody>
              {model.windows.map((w) => (
                <tr key={w.window}>
                  <td>{w.window}</td>
                  <td>{formatValue(w.burnRate, 'short', 2)}</td>
                  <td>{w.factor === null ? '–' : `${formatValue(w.factor, 'short', 1)} (${w.severity})`}</td>
                  <td>{pct(w.errorRatio, 3)}</td>
                  <td>{w.firing ? <Pill text={`${w.severity} firing`} color={w.severity === 'page' ? theme.colors.error.text : theme.colors.warning.text} /> : 'ok'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {options.showBurnDown !== false && model.burnDown && model.burnDown.times.length > 1 && (
        <>
          <Heading>Error budget burn-down</Heading>
          <LineChart
            width={chartWidth}
            height={Math.min(160, Math.max(70, height / 4))}
            format={(v) => pct(v, 0)}
            testId={testIds.burnDown}
            lines={[
              { name: 'ideal', color: theme.colors.text.secondary, dashed: true, points: model.burnDown.times.map((t, i) => [t, model.burnDown?.ideal[i] ?? null]) },
              { name: 'budget remaining', color: theme.colors.primary.main, points: model.burnDown.times.map((t, i) => [t, model.burnDown?.remaining[i] ?? null]) },
            ]}
          />
        </>
      )}
      {options.showBacktest !== false && (model.alerts.length > 0 || model.windows.length > 0) && (
        <>
          <Heading>Alert backtest</Heading>
          <div className={styles.timeline} data-testid={testIds.backtest}>
            {model.alerts.length === 0 && <span className={styles.caption}>no alert would have fired in this range</span>}
            {model.alerts.map((a, i) => {
              const span = range.to - range.from || 1;
              const left = Math.max(0, (a.startMs - range.from) / span);
              const right = Math.min(1, (a.endMs - range.from) / span);
              return (
                <div
                  key={i}
                  className={styles.segment}
                  title={`${a.text} · ${dateTimeFormat(a.startMs, { timeZone })} – ${dateTimeFormat(a.endMs, { timeZone })}`}
                  style={{
                    left: `${left * 100}%`,
                    width: `${Math.max(0.5, (right - left) * 100)}%`,
                    background: a.severity === 'page' ? theme.colors.error.main : theme.colors.warning.main,
                    top: a.severity === 'page' ? 0 : 10,
                  }}
                />
              );
            })}
          </div>
          {model.alerts.length > 0 && (
            <div className={styles.caption}>
              {model.alerts.filter((a) => a.severity === 'page').length} page and {model.alerts.filter((a) => a.severity !== 'page').length} ticket intervals
            </div>
          )}
        </>
      )}
      {options.showGroups !== false && model.groups.length > 0 && (
        <>
          <Heading>By group, least budget first</Heading>
          <table className={styles.table} data-testid={testIds.groups}>
            <thead>
              <tr>
                <th>group</th>
                <th>budget remaining</th>
                <th>SLI</th>
                <th>burn rate 1h</th>
                <th>state</th>
              </tr>
            </thead>
            <tbody>
              {model.groups.map((g, i) => (
                <tr key={i}>
                  <td>{g.labels}</td>
                  <td style={{ color: budgetColor(g.remaining) }}>{pct(g.remaining, 1)}</td>
                  <td>{pct(g.sli, 3)}</td>
                  <td>{formatValue(g.burn1h, 'short', 2)}</td>
                  <td style={{ color: levelColor(g.level) }}>{levelText(g.level)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <Warnings warnings={state.view.warnings} testId={testIds.warnings} />
      {options.showExploreLink !== false && <ExploreLink url={state.view.exploreUrl} testId={testIds.explore} />}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...panelStyles(theme),
  header: css`
    display: flex;
    gap: ${theme.spacing(1)};
    align-items: center;
  `,
  name: css`
    font-weight: ${theme.typography.fontWeightMedium};
  `,
  table: css`
    width: 100%;
    border-collapse: collapse;
    font-size: ${theme.typography.bodySmall.fontSize};
    th {
      color: ${theme.colors.text.secondary};
      font-weight: ${theme.typography.fontWeightMedium};
      text-align: left;
      border-bottom: 1px solid ${theme.colors.border.weak};
      padding: ${theme.spacing(0.25, 0.5)};
    }
    td {
      padding: ${theme.spacing(0.25, 0.5)};
      border-bottom: 1px solid ${theme.colors.border.weak};
    }
  `,
  timeline: css`
    position: relative;
    height: 20px;
    background: ${theme.colors.background.secondary};
    border-radius: ${theme.shape.borderRadius(1)};
  `,
  segment: css`
    position: absolute;
    height: 10px;
  `,
});
