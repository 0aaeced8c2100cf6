import { FieldConfigProperty, PanelPlugin } from '@grafana/data';

import { CostPanel } from './components/CostPanel';
import { CostPanelOptions, DEFAULT_OPTIONS, DEFAULT_UNIT } from './types';

export const plugin = new PanelPlugin<CostPanelOptions>(CostPanel)
  .useFieldConfig({
    standardOptions: {
      [FieldConfigProperty.Unit]: { defaultValue: DEFAULT_UNIT },
    },
    disableStandardOptions: [
      FieldConfigProperty.Min,
      FieldConfigProperty.Max,
      FieldConfigProperty.Thresholds,
      FieldConfigProperty.Mappings,
      FieldConfigProperty.Links,
      FieldConfigProperty.Color,
      FieldConfigProperty.NoValue,
      FieldConfigProperty.DisplayName,
    ],
  })
  .setPanelOptions((builder) =>
    builder
      .addBooleanSwitch({
        path: 'showHourly',
        name: 'Cost per hour',
        description: 'Chart the hourly cost with anomalies marked',
        defaultValue: DEFAULT_OPTIONS.showHourly,
      })
      .addBooleanSwitch({
        path: 'showExploreLink',
        name: 'Explore link',
        description: 'Link to Explore with the underlying PromQL',
        defaultValue: DEFAULT_OPTIONS.showExploreLink,
      })
      .addNumberInput({
        path: 'monthlyBudgetUsd',
        name: 'Monthly budget (USD)',
        description: 'For raw Prometheus series: the budget of the month-to-date forecast; 0 = none. FleetLens data source frames use the data source setting.',
        category: ['Raw Prometheus series'],
        defaultValue: DEFAULT_OPTIONS.monthlyBudgetUsd,
        settings: { min: 0 },
      })
      .addTextInput({
        path: 'breakdownLabels',
        name: 'Breakdown labels',
        description: 'For raw Prometheus series: one breakdown per label, comma-separated (e.g. model, user_email, team)',
        category: ['Raw Prometheus series'],
        defaultValue: DEFAULT_OPTIONS.breakdownLabels,
      })
      .addTextInput({
        path: 'costConfig',
        name: 'Cost view settings (JSON)',
        description: 'For raw Prometheus series: further settings, e.g. {"counterMode": "promql", "prices": […]}; empty = defaults',
        category: ['Raw Prometheus series'],
        defaultValue: DEFAULT_OPTIONS.costConfig,
        settings: { useTextarea: true, rows: 4 },
      })
  );
