import React, { useCallback, useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, PanelProps, dateTimeFormat } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';

import { BarList, ExploreLink, Heading, LineChart, PanelStateMessage, Tile, Tiles, Warnings, formatValue, isSmall, panelStyles } from '../../../shared/panel-ui';
import { PanelViewSpec, usePanelView } from '../../../shared/panel-view';
import { TILES, breakdownLabels, costConfig, costModel, isCostFrame } from '../model';
import { testIds } from '../testIds';
import { CostPanelOptions, DEFAULT_UNIT } from '../types';

type Props = PanelProps<CostPanelOptions>;

const HINTS = {
  noData: 'No cost samples in this time range. Check the query and the time range.',
  missingMetric:
    'Check that the query returns the raw cost counter (e.g. claude_code_cost_usage_USD_total, no rate() or sum()), or use the FleetLens data source.',
};

/** Cost: headline tiles, month to date against the budget, breakdowns, anomalies, meter health. */
export function CostPanel({ data, width, height, options, fieldConfig, timeZone }: Props) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const unit = fieldConfig.defaults.unit || DEFAULT_UNIT;
  const decimals = fieldConfig.defaults.decimals ?? undefined;
  const money = useCallback((v: number | null | undefined) => formatValue(v, unit, decimals), [unit, decimals]);

  const configKey = JSON.stringify([options.monthlyBudgetUsd, options.breakdownLabels, options.costConfig]);
  const spec = useMemo(
    (): PanelViewSpec => ({
      view: 'cost',
      needs: 'FleetLens cost frames (summary, breakdown, hourly, forecast) or raw series of the cost counter',
      recognize: isCostFrame,
      config: () => costConfig(options),
      outputs: [
        { output: 'summary' },
        { output: 'forecast' },
        { output: 'hourly' },
        ...breakdownLabels(options.breakdownLabels).map((groupBy) => ({ output: 'breakdown', groupBy })),
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [configKey]
  );
  const state = usePanelView(data, spec, timeZone, configKey);
  const model = useMemo(() => (state.kind === 'ready' ? costModel(state.view.frames) : undefined), [state]);

  if (state.kind !== 'ready' || !model) {
    return (
      <div className={styles.wrapper} style={{ width, height }} data-testid={testIds.container}>
        <PanelStateMessage state={state.kind === 'ready' ? { kind: 'loading' } : state} hints={HINTS} testId={testIds.state} />
      </div>
    );
  }
  const { summary, forecast, hourly } = model;
  const headline = summary['total cost'] ?? forecast?.monthToDate ?? null;

  if (isSmall(width, height)) {
    return (
      <div className={styles.small} style={{ width, height }} data-testid={testIds.container}>
        <div className={styles.headline} style={{ fontSize: Math.max(14, Math.min(height * 0.35, width / 6)) }} data-testid={testIds.headline}>
          {money(headline)}
        </div>
        <div className={styles.caption}>{model.hasSummary ? 'total cost' : 'month to date'}</div>
      </div>
    );
  }

  const chartWidth = width - 16;
  const date = (ms: number) => dateTimeFormat(ms, { format: 'YYYY-MM-DD', timeZone });
  return (
    <div className={styles.wrapper} style={{ width, height }} data-testid={testIds.container}>
      {model.hasSummary && (
        <Tiles>
          {TILES.map((t) => (
            <Tile key={t.field} label={t.label} value={t.unit ? formatValue(summary[t.field], t.unit) : money(summary[t.field])} testId={testIds.tile(t.field)} />
          ))}
        </Tiles>
      )}
      {forecast && (
        <>
          <Heading>Month to date</Heading>
          <div className={styles.line} data-testid={testIds.budget}>
            {money(forecast.monthToDate)}
            {forecast.budget !== null && forecast.budget > 0 && ` of ${money(forecast.budget)} budget (${formatValue((forecast.monthToDate ?? 0) / forecast.budget, 'percentunit', 0)})`}
            {forecast.forecast !== null && ` · month end ${money(forecast.forecast)} (${money(forecast.low)} – ${money(forecast.high)})`}
            {forecast.exceeded && <span className={styles.bad}> · budget exceeded</span>}
            {forecast.runOutMs !== null && <span className={styles.bad}> · runs out on {date(forecast.runOutMs)}</span>}
          </div>
          {height > 260 && (
            <LineChart
              width={chartWidth}
              height={Math.min(140, height / 4)}
              format={money}
              yMin={0}
              testId={testIds.forecastChart}
              lines={[
                {
                  name: 'forecast band',
                  color: theme.colors.primary.main,
                  points: [
                    [forecast.nowMs, forecast.monthToDate],
                    [forecast.monthEndMs, forecast.high],
                  ],
                  band: [
                    [forecast.nowMs, forecast.monthToDate],
                    [forecast.monthEndMs, forecast.low],
                  ],
                },
                {
                  name: 'actual',
                  color: theme.colors.primary.main,
                  points: [
                    [forecast.monthStartMs, 0],
                    [forecast.nowMs, forecast.monthToDate],
                  ],
                },
                {
                  name: 'forecast',
                  color: theme.colors.primary.main,
                  dashed: true,
                  points: [
                    [forecast.nowMs, forecast.monthToDate],
                    [forecast.monthEndMs, forecast.forecast],
                  ],
                },
                ...(forecast.budget !== null && forecast.budget > 0
                  ? [
                      {
                        name: 'budget',
                        color: theme.colors.error.main,
                        dashed: true,
                        points: [
                          [forecast.monthStartMs, forecast.budget],
                          [forecast.monthEndMs, forecast.budget],
                        ] as Array<[number, number | null]>,
                      },
                    ]
                  : []),
              ]}
            />
          )}
        </>
      )}
      {hourly && options.showHourly !== false && hourly.times.length > 1 && (
        <>
          <Heading>Cost per hour</Heading>
          <div className={styles.caption} data-testid={testIds.anomalies}>
            {hourly.anomalies.length === 0
              ? 'no anomalies'
              : `${hourly.anomalies.length} anomal${hourly.anomalies.length === 1 ? 'y' : 'ies'} marked: ${hourly.anomalies
                  .slice(0, 3)
                  .map((t) => dateTimeFormat(t, { format: 'MM-DD HH:mm', timeZone }))
                  .join(', ')}${hourly.anomalies.length > 3 ? ', …' : ''}`}
          </div>
          <LineChart
            width={chartWidth}
            height={Math.min(120, Math.max(60, height / 5))}
            format={money}
            yMin={0}
            markers={hourly.anomalies}
            testId={testIds.hourlyChart}
            lines={[{ name: 'cost per hour', color: theme.colors.primary.main, points: hourly.times.map((t, i) => [t, hourly.cost[i] ?? null]) }]}
          />
        </>
      )}
      {model.breakdowns.map((b) => {
        const max = Math.max(0, ...b.rows.map((r) => r.cost));
        return (
          <React.Fragment key={b.label}>
            <Heading>By {b.label}</Heading>
            <BarList
              testId={testIds.breakdown(b.label)}
              rows={b.rows.map((r) => ({
                label: r.value,
                fraction: max > 0 ? r.cost / max : 0,
                value: `${money(r.cost)}${r.share !== null ? ` · ${formatValue(r.share, 'percentunit', 0)}` : ''}`,
              }))}
            />
          </React.Fragment>
        );
      })}
      <Warnings warnings={state.view.warnings} testId={testIds.warnings} />
      {options.showExploreLink !== false && <ExploreLink url={state.view.exploreUrl} testId={testIds.explore} />}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...panelStyles(theme),
  line: css`
    font-size: ${theme.typography.body.fontSize};
  `,
  bad: css`
    color: ${theme.colors.error.text};
  `,
});
