import { FieldConfigProperty, PanelPlugin } from '@grafana/data';

import { CostPanel } from './components/CostPanel';
import { CostPanelOptions, DEFAULT_UNIT } from './types';

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
        path: 'showCaption',
        name: 'Show caption',
        description: 'Say how many series were summed and how many had data',
        defaultValue: true,
      })
      .addTextInput({
        path: 'noDataText',
        name: 'No data text',
        description: 'Shown when no series has a value',
        defaultValue: 'No data',
      })
  );
