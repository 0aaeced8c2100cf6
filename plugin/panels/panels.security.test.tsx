// @vitest-environment jsdom
/**
 * Label values, metric names and frame names reach the screen as text, never as markup: each
 * panel is rendered with a payload in every place a string from Prometheus shows up (a group
 * label value, a metric name in the missing-metric message, a frame name in the wrong-shape
 * message). See docs/security.md.
 */
import React from 'react';
import { DataFrame, FieldType, toDataFrame } from '@grafana/data';
import { describe, expect, it, vi } from 'vitest';

import { TestSeries, counter, gauge, panelData, promFrames, renderPanel, mountPanels } from '../shared/panel-test-utils';
import { AgentsPanel } from './agents/components/AgentsPanel';
import { testIds as agentsIds } from './agents/testIds';
import { DEFAULT_OPTIONS as AGENTS_DEFAULTS } from './agents/types';
import { CostPanel } from './cost/components/CostPanel';
import { testIds as costIds } from './cost/testIds';
import { DEFAULT_OPTIONS as COST_DEFAULTS } from './cost/types';
import { SloPanel } from './slo/components/SloPanel';
import { testIds as sloIds } from './slo/testIds';
import { DEFAULT_OPTIONS as SLO_DEFAULTS } from './slo/types';

/** A script element and an image whose error handler runs script: either would run if parsed as HTML. */
const PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(1)>';

const loadEngine = vi.fn();
vi.mock('../shared/engine', () => ({ loadEngine: () => loadEngine(), wasmSupported: () => true }));

let container: HTMLDivElement;
mountPanels(loadEngine, (_engine, c) => {
  container = c;
});

const panels: Array<{ name: string; Panel: React.ComponentType<never>; defaults: object; options: object; state: string; series: TestSeries[] }> = [
  {
    name: 'cost',
    Panel: CostPanel as never,
    defaults: COST_DEFAULTS,
    options: { breakdownLabels: 'model' },
    state: costIds.state,
    series: [counter({ __name__: 'claude_code_cost_usage_USD_total', model: PAYLOAD }, 0.05), counter({ __name__: 'claude_code_cost_usage_USD_total', model: 'opus' }, 0.01)],
  },
  {
    name: 'slo',
    Panel: SloPanel as never,
    defaults: SLO_DEFAULTS,
    options: {
      sloJson: JSON.stringify({
        name: PAYLOAD,
        objective: 0.99,
        period: { rolling: '1d' },
        sli: { ratio: { bad: { metric: 'http_requests_total', matchers: [{ label: 'status', op: '=~', value: '5..' }] }, total: { metric: 'http_requests_total' } } },
        groupBy: ['job'],
      }),
    },
    state: sloIds.state,
    series: [
      counter({ __name__: 'http_requests_total', job: PAYLOAD, status: '200' }, 100),
      counter({ __name__: 'http_requests_total', job: PAYLOAD, status: '500' }, 2),
      counter({ __name__: 'http_requests_total', job: 'web', status: '200' }, 50),
    ],
  },
  {
    name: 'agents',
    Panel: AgentsPanel as never,
    defaults: AGENTS_DEFAULTS,
    options: {},
    state: agentsIds.state,
    series: [
      counter({ __name__: 'claude_agent_tasks_completed_total', agent_id: PAYLOAD }, 1),
      counter({ __name__: 'claude_agent_tasks_failed_total', agent_id: PAYLOAD }, 0),
      gauge({ __name__: 'claude_agent_load', agent_id: PAYLOAD }, 40),
      counter({ __name__: 'claude_agent_tasks_completed_total', agent_id: 'a2' }, 2),
    ],
  },
];

/** No element the payload would create exists, and the payload is on screen as typed. */
function expectInert(root: HTMLElement) {
  expect(root.querySelector('script')).toBeNull();
  expect(root.querySelector('img[onerror], img[src="x"]')).toBeNull();
  expect(Array.from(root.querySelectorAll('*')).some((el) => el.hasAttribute('onerror'))).toBe(false);
  expect(root.textContent).toContain(PAYLOAD);
}

for (const p of panels) {
  describe(`${p.name} panel renders strings from Prometheus as text`, () => {
    const stateOf = () => container.querySelector(`[data-testid="${p.state}"]`)?.getAttribute('data-state');
    async function render(frames: DataFrame[]) {
      await renderPanel(container, p.Panel, { data: panelData(frames), options: { ...p.defaults, ...p.options } }, () => stateOf() !== 'loading');
    }

    it('a label value (and an SLO name) with a script and an onerror image', async () => {
      await render(promFrames(p.series));
      expect(stateOf()).toBeUndefined();
      expectInert(container);
    });

    it('a metric name in the missing-metric message', async () => {
      await render(promFrames([counter({ __name__: PAYLOAD }, 1)]));
      expect(stateOf()).toBe('missingMetric');
      expectInert(container);
    });

    it('a frame and field name in the wrong-shape message', async () => {
      await render([toDataFrame({ name: PAYLOAD, fields: [{ name: PAYLOAD, type: FieldType.string, values: [PAYLOAD] }] })]);
      expect(stateOf()).toBe('wrongShape');
      expectInert(container);
    });
  });
}
