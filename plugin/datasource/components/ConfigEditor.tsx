import React from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { DataSourceHttpSettings, FieldSet, FieldValidationMessage, InlineField, Input, RadioButtonGroup } from '@grafana/ui';

import { errorMessage } from '../../shared/errors';
import { useEngine } from '../../shared/useEngine';
import { zoneOffsets } from '../../shared/zone';
import { agentsConfig } from '../settings';
import { testIds } from '../testIds';
import { FleetLensOptions, FleetLensSecureOptions, Naming } from '../types';
import { AgentsSettings } from './AgentsSettings';
import { AuthSettings } from './AuthSettings';
import { NumberInput } from './DraftInput';
import { PriceTable } from './PriceTable';
import { MetricMapping } from './MetricMapping';
import { SloList } from './SloList';

type Props = DataSourcePluginOptionsEditorProps<FleetLensOptions, FleetLensSecureOptions>;

const NAMINGS: Array<{ value: Naming; label: string; description: string }> = [
  { value: 'auto', label: 'Auto-detect', description: 'Read whichever spelling of each metric exists' },
  { value: 'claudeCode', label: 'Claude Code', description: "The agents view reads tokens and cost from Claude Code's metrics" },
  { value: 'agentCluster', label: 'Agent cluster', description: "The agents view reads the agent cluster's metrics" },
  { value: 'custom', label: 'Custom', description: 'Choose the metric each cost role reads; empty roles are detected' },
];

/** Why a time zone cannot be used; undefined when it can (or is empty: the dashboard's). */
function zoneError(zone: string | undefined): string | undefined {
  if (!zone?.trim()) {
    return undefined;
  }
  try {
    zoneOffsets(zone, 0, 1);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

/**
 * The data source settings: the upstream Prometheus (URL, auth and TLS through Grafana's HTTP
 * settings, a bearer token and a tenant), then what the views read. Every edit spreads the
 * existing settings, so fields this editor does not know are kept.
 */
export function ConfigEditor(props: Props) {
  const { options, onOptionsChange } = props;
  const { engine, error: engineError } = useEngine();
  const jsonData = options.jsonData ?? {};
  const set = (patch: Partial<FleetLensOptions>) => onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const tzError = zoneError(jsonData.timezone);

  return (
    <div data-testid={testIds.configEditor.container}>
      <DataSourceHttpSettings defaultUrl="http://localhost:9090" dataSourceConfig={options} onChange={onOptionsChange} showAccessOptions={false} />
      <FieldSet label="Token and tenant">
        <AuthSettings {...props} />
      </FieldSet>
      <FieldSet label="FleetLens">
        {engineError && <FieldValidationMessage>{`The engine did not load, settings cannot be checked: ${engineError}`}</FieldValidationMessage>}
        <InlineField label="Metric naming" labelWidth={20} tooltip={NAMINGS.find((n) => n.value === (jsonData.naming ?? 'auto'))?.description}>
          <div data-testid={testIds.configEditor.naming}>
            <RadioButtonGroup options={NAMINGS} value={jsonData.naming ?? 'auto'} onChange={(naming) => set({ naming })} />
          </div>
        </InlineField>
        {jsonData.naming === 'custom' && <MetricMapping value={jsonData.metricMapping} onChange={(metricMapping) => set({ metricMapping })} />}
        <InlineField label="Monthly budget (USD)" labelWidth={20} tooltip="For the month-end forecast and the run-out date; empty = no budget">
          <NumberInput data-testid={testIds.configEditor.budget} width={16} placeholder="e.g. 500" value={jsonData.monthlyBudgetUsd} onChange={(v) => set({ monthlyBudgetUsd: v })} />
        </InlineField>
        {typeof jsonData.monthlyBudgetUsd === 'string' && <FieldValidationMessage>{`"${jsonData.monthlyBudgetUsd}" is not a number`}</FieldValidationMessage>}
        <InlineField label="Time zone" labelWidth={20} tooltip="IANA name for today, the month and calendar SLO periods; empty = the dashboard's" invalid={Boolean(tzError)}>
          <Input data-testid={testIds.configEditor.timezone} width={32} value={jsonData.timezone ?? ''} placeholder="the dashboard's" onChange={(e) => set({ timezone: e.currentTarget.value })} />
        </InlineField>
        {tzError && (
          <div data-testid={testIds.configEditor.timezoneError}>
            <FieldValidationMessage>{tzError}</FieldValidationMessage>
          </div>
        )}
      </FieldSet>
      <FieldSet label="Prices (USD per million tokens)">
        <PriceTable engine={engine} prices={jsonData.prices} onChange={(prices) => set({ prices })} />
      </FieldSet>
      <FieldSet label="SLOs">
        <SloList engine={engine} slos={jsonData.slos ?? []} onChange={(slos) => set({ slos })} />
      </FieldSet>
      <FieldSet label="Agents">
        <AgentsSettings engine={engine} agents={jsonData.agents ?? {}} config={agentsConfig(jsonData)} onChange={(agents) => set({ agents })} />
      </FieldSet>
    </div>
  );
}
