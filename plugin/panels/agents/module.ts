import { PanelPlugin } from '@grafana/data';

import { AgentsPanel } from './components/AgentsPanel';
import { COLUMNS } from './model';
import { AgentsPanelOptions, DEFAULT_OPTIONS } from './types';

export const plugin = new PanelPlugin<AgentsPanelOptions>(AgentsPanel).setPanelOptions((builder) =>
  builder
    .addSelect({
      path: 'sortBy',
      name: 'Sort by',
      description: 'Leaderboard column sorted at first (click a header to change)',
      defaultValue: DEFAULT_OPTIONS.sortBy,
      settings: { options: [{ value: 'agent', label: 'agent' }, { value: 'status', label: 'status' }, ...COLUMNS.map((c) => ({ value: c.field, label: c.field }))] },
    })
    .addBooleanSwitch({ path: 'sortDesc', name: 'Descending', defaultValue: DEFAULT_OPTIONS.sortDesc })
    .addBooleanSwitch({ path: 'showFleet', name: 'Fleet summary', description: 'Agents, queue, active tasks, throughput, API p95', defaultValue: DEFAULT_OPTIONS.showFleet })
    .addBooleanSwitch({ path: 'showSparklines', name: 'Sparklines', description: 'Trend per agent where series per agent are there', defaultValue: DEFAULT_OPTIONS.showSparklines })
    .addBooleanSwitch({ path: 'showExploreLink', name: 'Explore link', description: 'Link to Explore with the underlying PromQL', defaultValue: DEFAULT_OPTIONS.showExploreLink })
    .addTextInput({
      path: 'groupLabel',
      name: 'Agent label',
      description: 'The label that names an agent',
      defaultValue: DEFAULT_OPTIONS.groupLabel,
    })
    .addTextInput({
      path: 'agentsConfig',
      name: 'Agents view settings (JSON)',
      description: 'For raw Prometheus series: e.g. {"heartbeat": {"staleAfterS": 60, "downAfterS": 300}, "metrics": {…}}; empty = defaults',
      category: ['Raw Prometheus series'],
      defaultValue: DEFAULT_OPTIONS.agentsConfig,
      settings: { useTextarea: true, rows: 6 },
    })
);
