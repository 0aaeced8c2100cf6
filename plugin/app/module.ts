import { AppPlugin } from '@grafana/data';

import { AppConfig } from './components/AppConfig';

export const plugin = new AppPlugin<{}>().addConfigPage({
  title: 'About',
  icon: 'info-circle',
  body: AppConfig,
  id: 'about',
});
