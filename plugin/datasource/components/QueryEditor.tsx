import React, { useEffect, useState } from 'react';
import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { FieldValidationMessage, InlineField, InlineFieldRow, Input, RadioButtonGroup, Select, TextArea } from '@grafana/ui';

import { errorMessage } from '../../shared/errors';
import { useEngine } from '../../shared/useEngine';
import { VIEW_OUTPUTS, isView } from '../../shared/views';
import type { FleetLensDataSource } from '../datasource';
import { testIds } from '../testIds';
import { FleetLensOptions, FleetLensQuery } from '../types';

type Props = QueryEditorProps<FleetLensDataSource, FleetLensQuery, FleetLensOptions>;

const VIEWS: Array<SelectableValue<string>> = [
  { value: 'cost', label: 'Cost' },
  { value: 'slo', label: 'SLO' },
  { value: 'agents', label: 'Agents' },
  { value: '', label: 'PromQL' },
];
/** The SLO select's entry for an inline definition. */
const INLINE = '__inline__';
const LABEL_WIDTH = 12;

/** The label names the query's view reads, listed from the upstream (empty while loading or on failure). */
function useGroupByOptions(datasource: FleetLensDataSource, query: FleetLensQuery): string[] {
  const [labels, setLabels] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    datasource.groupByLabels(query).then(
      (names) => live && setLabels(names),
      () => live && setLabels([])
    );
    return () => {
      live = false;
    };
    // Re-list when what decides the metrics changes, not on every keystroke elsewhere.
  }, [datasource, query.view, query.slo]);
  return labels;
}

/**
 * The view (cost, SLO, agents) with its output, group-by and SLO, or a plain PromQL query.
 * Choices run the query at once; text fields run it when they lose focus.
 */
export function QueryEditor({ datasource, query, onChange, onRunQuery }: Props) {
  const { engine } = useEngine();
  const labels = useGroupByOptions(datasource, query);
  const view = isView(query.view) ? query.view : '';
  const change = (patch: Partial<FleetLensQuery>, run = true) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };

  if (!view) {
    return (
      <>
        <ViewRow value="" onChange={(v) => change({ view: v as FleetLensQuery['view'], output: '' })} />
        <InlineFieldRow>
          <InlineField label="PromQL" labelWidth={LABEL_WIDTH} grow tooltip="Range query sent to the upstream Prometheus">
            <Input
              data-testid={testIds.queryEditor.expr}
              value={query.expr ?? ''}
              placeholder="sum by (model) (claude_code_cost_usage_USD_total)"
              onChange={(e) => change({ expr: e.currentTarget.value }, false)}
              onBlur={onRunQuery}
            />
          </InlineField>
          <InlineField label="Legend" labelWidth={10} tooltip="Series name, e.g. {{model}}; empty = name and labels">
            <Input
              data-testid={testIds.queryEditor.legend}
              value={query.legendFormat ?? ''}
              placeholder="{{model}}"
              width={24}
              onChange={(e) => change({ legendFormat: e.currentTarget.value }, false)}
              onBlur={onRunQuery}
            />
          </InlineField>
        </InlineFieldRow>
      </>
    );
  }

  const outputs = VIEW_OUTPUTS[view];
  const output = outputs.find((o) => o.value === query.output) ?? outputs[0];
  const slos = datasource.sloNames();
  const inline = view === 'slo' && !query.slo && (Boolean(query.sloInline) || slos.length === 0);
  let inlineError: string | undefined;
  if (inline && engine) {
    try {
      engine.checkViewConfig('slo', query.sloInline ?? '');
    } catch (err) {
      inlineError = errorMessage(err);
    }
  }
  const groupOptions = labels.map((l) => ({ value: l, label: l }));
  if (query.groupBy && !labels.includes(query.groupBy)) {
    groupOptions.push({ value: query.groupBy, label: query.groupBy });
  }

  return (
    <>
      <ViewRow value={view} onChange={(v) => change({ view: v as FleetLensQuery['view'], output: '', groupBy: '' })} />
      <InlineFieldRow>
        <InlineField label="Output" labelWidth={LABEL_WIDTH}>
          <div data-testid={testIds.queryEditor.output}>
            <Select width={24} options={outputs} value={output.value} onChange={(o) => change({ output: o.value })} />
          </div>
        </InlineField>
        <InlineField label="Group by" labelWidth={10} tooltip="Overrides the view's grouping label; type any label">
          <div data-testid={testIds.queryEditor.groupBy}>
            <Select
              width={24}
              isClearable
              allowCustomValue
              placeholder="view default"
              options={groupOptions}
              value={query.groupBy || null}
              onChange={(o) => change({ groupBy: o?.value ?? '' })}
            />
          </div>
        </InlineField>
      </InlineFieldRow>
      <span data-testid={testIds.queryEditor.outputDescription} style={{ opacity: 0.7, fontSize: 12 }}>
        {output.description}
      </span>
      {view === 'slo' && (
        <InlineField label="SLO" labelWidth={LABEL_WIDTH} tooltip="An SLO of the data source settings, or one written here as JSON">
          <div data-testid={testIds.queryEditor.slo}>
            <Select
              width={36}
              options={[...slos.map((s) => ({ value: s, label: s })), { value: INLINE, label: 'Inline SLO (JSON)…' }]}
              value={inline ? INLINE : query.slo || slos[0] || INLINE}
              onChange={(o) => change(o.value === INLINE ? { slo: '', sloInline: query.sloInline || '{\n  "name": "",\n  "objective": 0.99,\n  "period": {"rolling": "30d"},\n  "sli": {"availability": {"gauge": {"metric": "up"}}}\n}' } : { slo: o.value }, o.value !== INLINE)}
            />
          </div>
        </InlineField>
      )}
      {inline && (
        <TextArea data-testid={testIds.queryEditor.sloInline} rows={8} value={query.sloInline ?? ''} onChange={(e) => change({ sloInline: e.currentTarget.value }, false)} onBlur={onRunQuery} />
      )}
      {inlineError && (
        <div data-testid={testIds.queryEditor.error}>
          <FieldValidationMessage>{inlineError}</FieldValidationMessage>
        </div>
      )}
    </>
  );
}

function ViewRow({ value, onChange }: { value: string; onChange: (view: string) => void }) {
  return (
    <InlineField label="View" labelWidth={LABEL_WIDTH}>
      <div data-testid={testIds.queryEditor.view}>
        <RadioButtonGroup options={VIEWS} value={value} onChange={onChange} />
      </div>
    </InlineField>
  );
}
