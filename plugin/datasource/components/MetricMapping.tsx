import React from 'react';
import { InlineField, Input } from '@grafana/ui';

import { testIds } from '../testIds';

/** The cost view's roles (the engine's `Role`), in the order the engine reports them. */
export const COST_ROLES: Array<{ key: string; label: string; example: string }> = [
  { key: 'cost', label: 'Cost (USD)', example: 'claude_code_cost_usage_USD_total' },
  { key: 'tokens', label: 'Tokens', example: 'claude_code_token_usage_tokens_total' },
  { key: 'commits', label: 'Commits', example: 'claude_code_commit_count_total' },
  { key: 'pullRequests', label: 'Pull requests', example: 'claude_code_pull_request_count_total' },
  { key: 'linesOfCode', label: 'Lines of code', example: 'claude_code_lines_of_code_count_total' },
  { key: 'sessions', label: 'Sessions', example: 'claude_code_session_count_total' },
  { key: 'activeTime', label: 'Active time (s)', example: 'claude_code_active_time_seconds_total' },
  { key: 'editDecisions', label: 'Edit decisions', example: 'claude_code_code_edit_tool_decision_total' },
  { key: 'clusterCost', label: 'Agent cluster cost', example: 'claude_api_cost_usd_total' },
  { key: 'clusterTasks', label: 'Agent cluster tasks', example: 'claude_agent_tasks_completed_total' },
];

interface Props {
  value: Record<string, string> | undefined;
  onChange: (value: Record<string, string>) => void;
}

/**
 * The metric each cost role reads, for a Prometheus whose names differ from Claude Code's (a
 * rename at ingestion, a recording rule). An empty field keeps auto-detection for that role.
 */
export function MetricMapping({ value, onChange }: Props) {
  const current = value ?? {};
  const set = (key: string, name: string) => {
    const next = { ...current };
    if (name.trim() === '') {
      delete next[key];
    } else {
      next[key] = name;
    }
    onChange(next);
  };
  return (
    <div data-testid={testIds.configEditor.mapping}>
      {COST_ROLES.map((role) => (
        <InlineField key={role.key} label={role.label} labelWidth={24} tooltip={`Empty = detect it (e.g. ${role.example})`}>
          <Input
            data-testid={`${testIds.configEditor.mapping}-${role.key}`}
            width={48}
            value={current[role.key] ?? ''}
            placeholder="detected"
            onChange={(e) => set(role.key, e.currentTarget.value)}
          />
        </InlineField>
      ))}
    </div>
  );
}
