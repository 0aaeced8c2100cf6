import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, PanelProps } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { LatestSum } from '../../../shared/engine';
import { errorMessage } from '../../../shared/errors';
import { useEngine } from '../../../shared/useEngine';
import { testIds } from '../testIds';
import { caption, formatTotal, latestTotal } from '../total';
import { CostPanelOptions } from '../types';

type Props = PanelProps<CostPanelOptions>;

/** Outcome of summing the panel's data once the engine is there. */
type Result = { total: LatestSum; error?: undefined } | { total?: undefined; error: string };

/**
 * One big number: the sum of every series' latest value, from whatever data source feeds the
 * panel, in the unit of the field config.
 */
export function CostPanel({ data, width, height, options, fieldConfig }: Props) {
  const styles = useStyles2(getStyles);
  const { engine, error: loadError } = useEngine();

  const result = useMemo((): Result | undefined => {
    if (!engine) {
      return undefined;
    }
    try {
      return { total: latestTotal(engine, data.series) };
    } catch (err) {
      return { error: errorMessage(err) };
    }
  }, [engine, data.series]);

  const error = loadError ?? result?.error;
  let body: React.ReactNode = null;
  if (error) {
    body = (
      <div className={styles.error} data-testid={testIds.panel.error}>
        FleetLens engine error: {error}
      </div>
    );
  } else if (result?.total && result.total.sum === null) {
    body = (
      <div className={styles.caption} data-testid={testIds.panel.noData}>
        {options.noDataText || 'No data'}
      </div>
    );
  } else if (result?.total && result.total.sum !== null) {
    const text = formatTotal(result.total.sum, fieldConfig.defaults.unit, fieldConfig.defaults.decimals);
    const fontSize = Math.max(12, Math.min(height * 0.4, (width * 1.6) / Math.max(text.length, 4)));
    body = (
      <>
        <div className={styles.total} style={{ fontSize }} data-testid={testIds.panel.total}>
          {text}
        </div>
        {options.showCaption && (
          <div className={styles.caption} data-testid={testIds.panel.caption}>
            {caption(result.total)}
          </div>
        )}
      </>
    );
  }

  return (
    <div className={styles.wrapper} style={{ width, height }} data-testid={testIds.panel.container}>
      {body}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css`
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    overflow: hidden;
    text-align: center;
  `,
  total: css`
    font-weight: ${theme.typography.fontWeightMedium};
    line-height: 1.1;
    white-space: nowrap;
  `,
  caption: css`
    color: ${theme.colors.text.secondary};
    font-size: ${theme.typography.bodySmall.fontSize};
  `,
  error: css`
    color: ${theme.colors.error.text};
    padding: ${theme.spacing(1)};
  `,
});
