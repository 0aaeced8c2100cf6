import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { FleetLensDataSource } from './datasource';
import { FleetLensOptions, FleetLensQuery } from './types';

export const plugin = new DataSourcePlugin<FleetLensDataSource, FleetLensQuery, FleetLensOptions>(FleetLensDataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
