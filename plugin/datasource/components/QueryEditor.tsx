import React, { ChangeEvent } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Input } from '@grafana/ui';

import type { FleetLensDataSource } from '../datasource';
import { testIds } from '../testIds';
import { FleetLensOptions, FleetLensQuery } from '../types';

type Props = QueryEditorProps<FleetLensDataSource, FleetLensQuery, FleetLensOptions>;

/** PromQL expression and legend template; the query runs when a field loses focus. */
export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const onExprChange = (event: ChangeEvent<HTMLInputElement>) => onChange({ ...query, expr: event.target.value });
  const onLegendChange = (event: ChangeEvent<HTMLInputElement>) =>
    onChange({ ...query, legendFormat: event.target.value });

  return (
    <InlineFieldRow>
      <InlineField label="PromQL" labelWidth={12} grow tooltip="Range query sent to the upstream Prometheus">
        <Input
          data-testid={testIds.queryEditor.expr}
          value={query.expr ?? ''}
          placeholder="sum by (model) (claude_code_cost_usage_USD_total)"
          onChange={onExprChange}
          onBlur={onRunQuery}
        />
      </InlineField>
      <InlineField label="Legend" labelWidth={10} tooltip="Series name, e.g. {{model}}; empty = name and labels">
        <Input
          data-testid={testIds.queryEditor.legend}
          value={query.legendFormat ?? ''}
          placeholder="{{model}}"
          width={24}
          onChange={onLegendChange}
          onBlur={onRunQuery}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
