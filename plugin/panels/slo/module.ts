import { FieldConfigProperty, PanelPlugin } from '@grafana/data';

import { DEFAULT_THRESHOLDS, SloPanel } from './components/SloPanel';
import { DEFAULT_OPTIONS, SloPanelOptions } from './types';

export const plugin = new PanelPlugin<SloPanelOptions>(SloPanel)
  .useFieldConfig({
    standardOptions: {
      [FieldConfigProperty.Thresholds]: { defaultValue: DEFAULT_THRESHOLDS },
    },
    disableStandardOptions: [
      FieldConfigProperty.Unit,
      FieldConfigProperty.Decimals,
      FieldConfigProperty.Min,
      FieldConfigProperty.Max,
      FieldConfigProperty.Mappings,
      FieldConfigProperty.Links,
      FieldConfigProperty.Color,
      FieldConfigProperty.NoValue,
      FieldConfigProperty.DisplayName,
    ],
  })
  .setPanelOptions((builder) =>
    builder
      .addBooleanSwitch({ path: 'showBurnDown', name: 'Burn-down chart', description: 'Budget remaining over the period with the ideal line', defaultValue: DEFAULT_OPTIONS.showBurnDown })
      .addBooleanSwitch({ path: 'showBacktest', name: 'Alert backtest', description: 'When page and ticket alerts would have fired', defaultValue: DEFAULT_OPTIONS.showBacktest })
      .addBooleanSwitch({ path: 'showGroups', name: 'Groups', description: 'Per-group list, least budget remaining first', defaultValue: DEFAULT_OPTIONS.showGroups })
      .addBooleanSwitch({ path: 'showExploreLink', name: 'Explore link', description: 'Link to Explore with the underlying PromQL', defaultValue: DEFAULT_OPTIONS.showExploreLink })
      .addSelect({
        path: 'preset',
        name: 'SLO preset',
        description: 'For raw Prometheus series: a built-in SLO (by name), used when the definition below is empty',
        category: ['Raw Prometheus series'],
        defaultValue: DEFAULT_OPTIONS.preset,
        settings: {
          options: [
            { value: 'API availability', label: 'API availability', description: '99.9 % non-5xx of http_requests_total over 30 d, by endpoint' },
            { value: 'API latency p95 <= 500 ms', label: 'API latency p95 <= 500 ms', description: '95 % of http_request_duration_seconds ≤ 0.5 s over 30 d' },
            { value: 'Claude API error ratio', label: 'Claude API error ratio', description: '99 % of claude_api_requests_total without 5xx or 429 over 30 d' },
          ],
          allowCustomValue: true,
        },
      })
      .addTextInput({
        path: 'sloJson',
        name: 'SLO definition (JSON)',
        description: 'For raw Prometheus series: {"name", "objective", "period", "sli", "groupBy"}, as in the data source settings; empty = the preset',
        category: ['Raw Prometheus series'],
        defaultValue: DEFAULT_OPTIONS.sloJson,
        settings: { useTextarea: true, rows: 8 },
      })
  );
