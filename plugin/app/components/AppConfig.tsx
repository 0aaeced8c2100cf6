import React from 'react';
import { css } from '@emotion/css';
import { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { testIds } from '../testIds';

type Props = PluginConfigPageProps<AppPluginMeta>;

/** What the app bundles, and where to start. */
export function AppConfig({ plugin }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.page} data-testid={testIds.appConfig.container}>
      <p>FleetLens {plugin.meta.info.version} bundles:</p>
      <ul className={styles.list}>
        <li>
          <strong>FleetLens Views</strong>: a data source that runs PromQL against your Prometheus and decodes the
          answers in WebAssembly. Add it under Connections → Data sources.
        </li>
        <li>
          <strong>FleetLens Cost</strong>: a panel that sums the latest value of every series it is given, from any
          data source.
        </li>
      </ul>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css`
    max-width: 720px;
  `,
  list: css`
    margin-left: ${theme.spacing(3)};
    li {
      margin-bottom: ${theme.spacing(1)};
    }
  `,
});
