import React from 'react';
import { Alert, InlineField, InlineFieldRow, Input } from '@grafana/ui';

import type { Engine } from '../../shared/engine';
import { errorMessage } from '../../shared/errors';
import { testIds } from '../testIds';
import { AgentsSetting } from '../types';
import { NumberInput } from './DraftInput';

interface Props {
  engine?: Engine;
  agents: AgentsSetting;
  /** The agents view's config JSON as queries will send it (for the engine's check). */
  config: string;
  onChange: (agents: AgentsSetting) => void;
}

/** The agents view: the label naming an agent and the heartbeat thresholds; other fields kept. */
export function AgentsSettings({ engine, agents, config, onChange }: Props) {
  let error: string | undefined;
  try {
    engine?.checkViewConfig('agents', config);
  } catch (err) {
    error = errorMessage(err);
  }
  const heartbeat = agents.heartbeat ?? {};
  const setHeartbeat = (patch: Record<string, number | string | undefined>) => {
    const next: Record<string, number | string | undefined> = { ...heartbeat, ...patch };
    Object.keys(next).forEach((k) => next[k] === undefined && delete next[k]);
    onChange({ ...agents, heartbeat: next });
  };
  return (
    <>
      <InlineField label="Agent label" labelWidth={20} tooltip="The label that names an agent: agent_id (default), agent_name, session_id, …">
        <Input
          data-testid={testIds.configEditor.agentsGroupLabel}
          width={24}
          value={agents.groupLabel ?? ''}
          placeholder="agent_id"
          onChange={(e) => onChange({ ...agents, groupLabel: e.currentTarget.value })}
        />
      </InlineField>
      <InlineFieldRow>
        <InlineField label="Stale after (s)" labelWidth={20} tooltip="Heartbeat age from which an agent is stale; default 60">
          <NumberInput data-testid={testIds.configEditor.agentsStale} width={10} placeholder="60" value={heartbeat.staleAfterS} onChange={(v) => setHeartbeat({ staleAfterS: v })} />
        </InlineField>
        <InlineField label="Down after (s)" labelWidth={16} tooltip="Heartbeat age from which an agent is down; default 300">
          <NumberInput data-testid={testIds.configEditor.agentsDown} width={10} placeholder="300" value={heartbeat.downAfterS} onChange={(v) => setHeartbeat({ downAfterS: v })} />
        </InlineField>
      </InlineFieldRow>
      {error && (
        <Alert severity="error" title="Agents settings" data-testid={testIds.configEditor.agentsError}>
          {error}
        </Alert>
      )}
    </>
  );
}
