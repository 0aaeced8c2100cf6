// @vitest-environment jsdom
import { act } from 'react-dom/test-utils';
import { DataFrame, FieldType, toDataFrame } from '@grafana/data';
import { describe, expect, it, vi } from 'vitest';

import type { Engine } from '../../../shared/engine';
import { TO_MS, counter, evaluateDirect, gauge, optionDefaults, panelData, promFrames, renderPanel, textOf, mountPanels } from '../../../shared/panel-test-utils';
import { formatValue } from '../../../shared/panel-ui';
import { plugin } from '../module';
import { agentsConfig, agentsModel, sortRows, sparklines } from '../model';
import { testIds } from '../testIds';
import { AgentsPanelOptions, DEFAULT_OPTIONS } from '../types';
import { AgentsPanel } from './AgentsPanel';

const loadEngine = vi.fn();
vi.mock('../../../shared/engine', () => ({ loadEngine: () => loadEngine(), wasmSupported: () => true }));

let engine: Engine;
let container: HTMLDivElement;
mountPanels(loadEngine, (e, c) => {
  engine = e;
  container = c;
});

const text = (id: string) => textOf(container, id);
const stateOf = () => container.querySelector(`[data-testid="${testIds.state}"]`)?.getAttribute('data-state');
const agentsInOrder = () => Array.from(container.querySelectorAll(`[data-testid="${testIds.table}"] tbody tr td:first-child`), (td) => td.textContent);

async function render(frames: DataFrame[], options: Partial<AgentsPanelOptions> = {}, size = { width: 900, height: 500 }) {
  await renderPanel(container, AgentsPanel as never, { data: panelData(frames), options: { ...DEFAULT_OPTIONS, ...options }, ...size }, () => stateOf() !== 'loading');
}

function precomputed(): DataFrame[] {
  const n = (name: string, values: Array<number | null>) => ({ name, type: FieldType.number, values });
  return [
    toDataFrame({
      name: 'leaderboard',
      fields: [
        { name: 'agent', type: FieldType.string, values: ['a1', '<script>alert(1)</script>', 'a3'] },
        { name: 'status', type: FieldType.string, values: ['healthy', 'down', 'stale'] },
        n('score', [0.9, 0.2, null]),
        n('tasks per hour', [12, 3, 6]),
        n('success rate', [0.95, 0.5, 1]),
        n('task duration p95', [30, 120, 45]),
        n('load mean', [40, 95, 10]),
        n('cost per task', [0.1, 0.4, 0.2]),
        n('heartbeat age', [5, 900, 90]),
        n('outlier', [0, 1, 0]),
      ],
    }),
    toDataFrame({
      name: 'fleet',
      fields: [
        { name: 'Time', type: FieldType.time, values: [TO_MS] },
        n('agents total', [3]),
        n('agents available', [2]),
        n('queue size', [7]),
        n('active tasks', [4]),
        n('tasks per hour', [21]),
        n('api p95', [1.5]),
      ],
    }),
  ];
}

describe('agents model and options', () => {
  it('maps the leaderboard and the fleet row', () => {
    const m = agentsModel(precomputed());
    expect(m.rows.map((r) => [r.agent, r.status, r.outlier, r.values['tasks per hour']])).toEqual([
      ['a1', 'healthy', false, 12],
      ['<script>alert(1)</script>', 'down', true, 3],
      ['a3', 'stale', false, 6],
    ]);
    expect(m.fleet?.['queue size']).toBe(7);
  });

  it('sorts with no value last both ways', () => {
    const rows = agentsModel(precomputed()).rows;
    expect(sortRows(rows, 'score', true).map((r) => r.agent)).toEqual(['a1', '<script>alert(1)</script>', 'a3']);
    expect(sortRows(rows, 'score', false).map((r) => r.agent)).toEqual(['<script>alert(1)</script>', 'a1', 'a3']);
    expect(sortRows(rows, 'agent', false).map((r) => r.agent)).toEqual(['<script>alert(1)</script>', 'a1', 'a3']);
  });

  it('draws the counter increases per agent, counting a reset from zero', () => {
    const trend = sparklines(
      [{ name: 'claude_agent_tasks_completed_total', labels: { agent_id: 'a' }, times: Float64Array.of(1, 2, 3, 4), values: Float64Array.of(1, 3, 6, 2) }],
      'agent_id'
    );
    expect(trend.get('a')).toEqual([2, 3, 2]);
  });

  it('has the documented defaults and checks its JSON', () => {
    expect(optionDefaults(plugin as never)).toEqual(DEFAULT_OPTIONS);
    expect(agentsConfig(DEFAULT_OPTIONS)).toBe('{}');
    expect(() => agentsConfig({ agentsConfig: '1' })).toThrow(/expected a JSON object/);
  });
});

describe('AgentsPanel with the data source frames', () => {
  it('renders the leaderboard sorted by score, outliers marked, label values as text, the fleet row', async () => {
    await render(precomputed());
    expect(agentsInOrder()).toEqual(['a1', '<script>alert(1)</script>', 'a3']);
    expect(container.querySelector('script')).toBeNull();
    const outlier = container.querySelectorAll(`[data-testid="${testIds.table}"] tbody tr`)[1];
    expect(outlier.getAttribute('title')).toContain('outlier');
    expect(text(testIds.fleet)).toBe(`fleet: available 2 · agents 3 · queue 7 · active 4 · tasks/h 21 · API p95 ${formatValue(1.5, 's')}`);
  });

  it('sorts by a clicked column, again for the other direction', async () => {
    await render(precomputed());
    const click = async () =>
      act(async () => {
        (container.querySelector(`[data-testid="${testIds.sort('tasks per hour')}"]`) as HTMLButtonElement).click();
      });
    await click();
    expect(agentsInOrder()).toEqual(['a1', 'a3', '<script>alert(1)</script>']);
    await click();
    expect(agentsInOrder()).toEqual(['<script>alert(1)</script>', 'a3', 'a1']);
  });

  it('collapses to agents available when small', async () => {
    await render(precomputed(), {}, { width: 200, height: 100 });
    expect(text(testIds.headline)).toBe('2 / 3');
  });
});

describe('AgentsPanel with raw Prometheus series', () => {
  const series = [
    counter({ __name__: 'claude_agent_tasks_completed_total', agent_id: 'a1' }, 1),
    counter({ __name__: 'claude_agent_tasks_completed_total', agent_id: 'a2' }, 0.25),
    counter({ __name__: 'claude_agent_tasks_failed_total', agent_id: 'a1' }, 0),
    counter({ __name__: 'claude_agent_tasks_failed_total', agent_id: 'a2' }, 0.25),
    gauge({ __name__: 'claude_agent_load', agent_id: 'a1' }, 50),
    gauge({ __name__: 'claude_agent_load', agent_id: 'a2' }, 20),
    gauge({ __name__: 'claude_agent_last_heartbeat', agent_id: 'a1' }, (t) => t / 1000),
    gauge({ __name__: 'claude_agent_last_heartbeat', agent_id: 'a2' }, (t) => t / 1000),
  ];

  it('computes what the engine computes from the same samples', async () => {
    const direct = evaluateDirect(engine, 'agents', '{}', 'leaderboard', series, 'agent_id').frames[0];
    // a1: 1 task a minute = 60 per hour.
    const a1 = direct.text.agent.indexOf('a1');
    expect(direct.fields['tasks per hour'][a1]).toBeCloseTo(60, 0);
    await render(promFrames(series), { sortBy: 'agent', sortDesc: false });
    expect(agentsInOrder()).toEqual(['a1', 'a2']);
    const cells = Array.from(container.querySelectorAll(`[data-testid="${testIds.table}"] tbody tr:first-child td`), (td) => td.textContent);
    expect(cells[3]).toBe(formatValue(direct.fields['tasks per hour'][a1], 'short', 1));
    expect(cells[4]).toBe(formatValue(direct.fields['success rate'][a1], 'percentunit', 1));
    expect(cells[1]).toBe('healthy');
    // Sparklines from the completed-task counter.
    expect(container.querySelectorAll(`[data-testid="${testIds.table}"] svg`)).toHaveLength(2);
  });

  it('names the metrics it looked for', async () => {
    await render(promFrames([counter({ __name__: 'up' }, 0)]));
    expect(stateOf()).toBe('missingMetric');
    expect(text(testIds.state)).toContain('claude_agent_tasks_completed_total');
  });

  it('says what it needs for a wrong frame, and when there is no data', async () => {
    await render([toDataFrame({ name: 'x', fields: [{ name: 'a', type: FieldType.string, values: ['b'] }] })]);
    expect(stateOf()).toBe('wrongShape');
    expect(text(testIds.state)).toContain('this panel needs FleetLens agents frames');
    await render([]);
    expect(stateOf()).toBe('noData');
  });
});
