import React from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { DataSourceHttpSettings } from '@grafana/ui';

import { testIds } from '../testIds';
import { FleetLensOptions, FleetLensSecureOptions } from '../types';

type Props = DataSourcePluginOptionsEditorProps<FleetLensOptions, FleetLensSecureOptions>;

/**
 * The upstream Prometheus: URL, auth and TLS through Grafana's own HTTP settings, so the basic-auth
 * password goes to `secureJsonData` and every other edit is passed on whole.
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  return (
    <div data-testid={testIds.configEditor.container}>
      <DataSourceHttpSettings
        defaultUrl="http://localhost:9090"
        dataSourceConfig={options}
        onChange={onOptionsChange}
        showAccessOptions={false}
      />
    </div>
  );
}
