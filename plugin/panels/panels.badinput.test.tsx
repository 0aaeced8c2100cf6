// @vitest-environment jsdom
/**
 * The panel column of docs/bad-input.md: each of the three panels fed the bad inputs a panel can
 * get (frames of the wrong shape, series without a metric name, NaN/±Inf, empty frames, a query
 * error, an unknown metric, bad options) shows a state with a readable message and never throws.
 */
import React from 'react';
import ReactDOM from 'react-dom';
import { act } from 'react-dom/test-utils';
import { DataFrame, FieldType, LoadingState, toDataFrame } from '@grafana/data';
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

const loadEngine = vi.fn();
vi.mock('../shared/engine', () => ({ loadEngine: () => loadEngine(), wasmSupported: () => true }));

let container: HTMLDivElement;
mountPanels(loadEngine, (_engine, c) => {
  container = c;
});

interface PanelCase {
  name: string;
  Panel: React.ComponentType<never>;
  defaults: object;
  ids: { container: string; state: string; warnings: string };
  /** Raw series the panel's view computes from, with `value` as a label value. */
  series: (value?: number) => TestSeries[];
  /** Panel options that are not valid, and the message they give. */
  badOptions: { options: object; want: RegExp };
}

const panels: PanelCase[] = [
  {
    name: 'cost',
    Panel: CostPanel as never,
    defaults: COST_DEFAULTS,
    ids: costIds,
    series: (v = 0.05) => [counter({ __name__: 'claude_code_cost_usage_USD_total', model: 'opus' }, v)],
    badOptions: { options: { costConfig: '{"prices": [{"model": "opus"}]}' }, want: /config: cost: missing field `effectiveFrom` at line 1 column 27/ },
  },
  {
    name: 'slo',
    Panel: SloPanel as never,
    defaults: SLO_DEFAULTS,
    ids: sloIds,
    series: (v = 100) => [counter({ __name__: 'http_requests_total', status: '200' }, v), counter({ __name__: 'http_requests_total', status: '500' }, 1)],
    badOptions: {
      options: { sloJson: JSON.stringify({ name: 'x', objective: 99.9, period: { rolling: '1d' }, sli: { ratio: { bad: { metric: 'http_requests_total' }, total: { metric: 'http_requests_total' } } } }) },
      want: /objective 99\.9 is outside \(0, 1\)/,
    },
  },
  {
    name: 'agents',
    Panel: AgentsPanel as never,
    defaults: AGENTS_DEFAULTS,
    ids: agentsIds,
    series: (v = 1) => [
      counter({ __name__: 'claude_agent_tasks_completed_total', agent_id: 'a1' }, v),
      counter({ __name__: 'claude_agent_tasks_failed_total', agent_id: 'a1' }, 0),
      gauge({ __name__: 'claude_agent_load', agent_id: 'a1' }, 40),
    ],
    badOptions: { options: { agentsConfig: '{"groupLabel": 5}' }, want: /groupLabel|invalid type/ },
  },
];

/** The props Grafana passes a panel, with the dashboard's time zone `timeZone`. */
function panelProps(frames: DataFrame[], options: object, timeZone: string) {
  const data = panelData(frames);
  return {
    id: 1,
    data,
    timeRange: data.timeRange,
    timeZone,
    width: 800,
    height: 600,
    options,
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    renderCounter: 0,
    title: 'test',
    eventBus: {},
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (s: string) => s,
    onChangeTimeRange: () => {},
  };
}

for (const p of panels) {
  describe(`${p.name} panel on bad input`, () => {
    const state = () => container.querySelector(`[data-testid="${p.ids.state}"]`);
    async function render(frames: DataFrame[], options: object = {}, data = panelData(frames)) {
      await renderPanel(container, p.Panel, { data, options: { ...p.defaults, ...options } }, () => state()?.getAttribute('data-state') !== 'loading');
    }
    const shown = () => ({ kind: state()?.getAttribute('data-state') ?? 'ready', text: (state() ?? container).textContent ?? '' });

    it('a frame of the wrong shape names what the panel needs and what it got', async () => {
      await render([toDataFrame({ name: 'hosts', fields: [{ name: 'host', type: FieldType.string, values: ['a'] }] })]);
      expect(shown().kind).toBe('wrongShape');
      expect(shown().text).toContain('got "hosts" with host (string)');
    });

    it('series without a metric name (a rate() or sum() result) ask for raw selectors', async () => {
      const unnamed = p.series().map((s) => ({ ...s, labels: Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== '__name__')) }));
      await render(promFrames(unnamed));
      expect(shown().kind).toBe('wrongShape');
      expect(shown().text).toContain('the series carry no metric name (no __name__ label)');
    });

    it('no frames, and frames without rows, say there is no data', async () => {
      await render([]);
      expect(shown().kind).toBe('noData');
      await render(promFrames(p.series().map((s) => ({ ...s, times: [], values: [] }))));
      expect(shown().kind).toBe('noData');
    });

    it('a query error shows the error text', async () => {
      await render([], {}, panelData([], LoadingState.Error, { message: 'HTTP 429 Too Many Requests: slow down' }));
      expect(shown()).toEqual({ kind: 'error', text: expect.stringContaining('HTTP 429 Too Many Requests: slow down') });
    });

    it('an unknown metric names what the panel looked for', async () => {
      await render(promFrames([counter({ __name__: 'node_cpu_seconds_total' }, 1)]));
      expect(shown().kind).toBe('missingMetric');
      expect(shown().text).toContain('metric not found: looked for');
    });

    it('options that are not valid give the engine’s message', async () => {
      await render(promFrames(p.series()), p.badOptions.options);
      expect(shown().kind).toBe('error');
      expect(shown().text).toMatch(p.badOptions.want);
    });

    it('a dashboard time zone that does not exist is named', async () => {
      await act(async () => {
        ReactDOM.render(React.createElement(p.Panel, panelProps(promFrames(p.series()), p.defaults, 'Mars/Olympus') as never), container);
      });
      await vi.waitFor(() => expect(state()?.getAttribute('data-state')).toBe('error'));
      expect(shown().text).toContain('time zone "Mars/Olympus" does not exist (use an IANA name such as Europe/Berlin)');
    });

    it('NaN and ±Inf samples: the panel renders, never throws', async () => {
      const series = p.series().map((s) => ({ ...s, values: s.values.map((v, i) => (i % 3 === 0 ? NaN : i % 3 === 1 ? v : Infinity)) }));
      await render(promFrames(series));
      // Non-finite samples are skipped (the engine counts only finite ones): the view renders.
      expect(shown().kind).toBe('ready');
      expect(container.querySelector(`[data-testid="${p.ids.container}"]`)).not.toBeNull();
      expect(shown().text).not.toMatch(/\bNaN\b|Infinity/);
    });
  });
}

describe('cost panel on a label explosion', () => {
  it('computes 10^4 raw series (one per user) into a capped breakdown', async () => {
    const series = Array.from({ length: 10_000 }, (_, i) => ({
      labels: { __name__: 'claude_code_cost_usage_USD_total', model: 'opus', user_email: `u${i}@x` },
      times: [1_740_338_400_000 - 60_000, 1_740_342_000_000],
      values: [0, 1],
    }));
    const t0 = performance.now();
    await renderPanel(container, CostPanel as never, { data: panelData(promFrames(series)), options: { ...COST_DEFAULTS, breakdownLabels: 'user_email' } }, () => {
      const s = container.querySelector(`[data-testid="${costIds.state}"]`)?.getAttribute('data-state');
      return s !== 'loading';
    });
    const elapsed = performance.now() - t0;
    const names = Array.from(container.querySelectorAll(`[data-testid="${costIds.breakdown('user_email')}"] span[title]`), (e) => e.textContent);
    const warnings = container.querySelector(`[data-testid="${costIds.warnings}"]`)?.textContent ?? '';
    // 10,000 users at $1 each; the breakdown keeps 49 users and sums the other 9,951 (the
    // engine's DEFAULT_MAX_GROUPS of 50 rows), and says so.
    expect(container.querySelector(`[data-testid="${costIds.tile('total cost')}"]`)?.textContent).toBe('Total$10K');
    expect(names).toHaveLength(50);
    expect(names[49]).toBe('(other)');
    expect(warnings).toContain('group by user_email: 10000 values; the smallest 9951 are summed into "other" (raise maxGroups to see them)');
    // Measured 3–4.5 s in jsdom on the 2-core machine.
    expect(elapsed).toBeLessThan(60_000);
  }, 120_000);
});

describe('panels on bad samples in raw series', () => {
  const FROM = 1_740_338_400_000;
  const at = (minute: number) => FROM + minute * 60_000;
  const stateOf = (id: string) => container.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-state');
  const warningsOf = (id: string) => container.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';

  async function renderCost(series: TestSeries[]) {
    await renderPanel(container, CostPanel as never, { data: panelData(promFrames(series)), options: COST_DEFAULTS }, () => stateOf(costIds.state) !== 'loading');
  }

  it('cost: a reset and a negative value are counted as Prometheus does, and named', async () => {
    // 0 → 5 (+5) → 2 (a reset: +2) → −1 (a drop to a negative value counts 0) → 3 (+4) = $11.
    await renderCost([{ labels: { __name__: 'claude_code_cost_usage_USD_total', model: 'opus' }, times: [1, 2, 3, 4, 5].map(at), values: [0, 5, 2, -1, 3] }]);
    expect(container.querySelector(`[data-testid="${costIds.tile('total cost')}"]`)?.textContent).toBe('Total$11');
    expect(warningsOf(costIds.warnings)).toContain('counter claude_code_cost_usage_USD_total{model="opus"} has 1 negative values; counters never go below zero.');
  });

  it('cost: colliding writers are named', async () => {
    const values = [100, 6, 102, 8, 104, 10, 106, 12, 108, 14, 110, 16];
    await renderCost([{ labels: { __name__: 'claude_code_cost_usage_USD_total', model: 'opus' }, times: values.map((_, i) => at(i + 1)), values }]);
    expect(warningsOf(costIds.warnings)).toContain('several writers on one series (increase() overstates it; robust mode removes the phantom increases)');
  });

  it('cost: series on different time grids add up', async () => {
    // opus every 60 s from minute 1: 0 → 10; sonnet every 45 s from 7 s: 0 → 3. Total $13.
    const opus = { labels: { __name__: 'claude_code_cost_usage_USD_total', model: 'opus' }, times: [1, 2, 3, 4, 5, 6].map(at), values: [0, 2, 4, 6, 8, 10] };
    const sonnetTimes = [0, 1, 2, 3].map((k) => FROM + 7_000 + k * 45_000);
    const sonnet = { labels: { __name__: 'claude_code_cost_usage_USD_total', model: 'sonnet' }, times: sonnetTimes, values: [0, 1, 2, 3] };
    await renderCost([opus, sonnet]);
    expect(container.querySelector(`[data-testid="${costIds.tile('total cost')}"]`)?.textContent).toBe('Total$13');
  });

  it('slo: buckets without +Inf are an error; buckets that are not monotone are raised and named', async () => {
    const sloJson = JSON.stringify({ name: 'Latency', objective: 0.9, period: { rolling: '1h' }, sli: { latency: { histogram: { metric: 'rpc_seconds' }, thresholdSeconds: 0.3 } } });
    const bucket = (le: string, v: number): TestSeries => ({ labels: { __name__: 'rpc_seconds_bucket', le }, times: [at(-2), at(59)], values: [0, v] });
    const render = (series: TestSeries[]) =>
      renderPanel(container, SloPanel as never, { data: panelData(promFrames(series)), options: { ...SLO_DEFAULTS, sloJson } }, () => stateOf(sloIds.state) !== 'loading');
    await render([bucket('0.1', 50), bucket('0.3', 40), bucket('1', 90)]);
    expect(stateOf(sloIds.state)).toBe('error');
    expect(warningsOf(sloIds.state)).toContain('histogram: histogram rpc_seconds has no +Inf bucket');
    await render([bucket('0.1', 50), bucket('0.3', 40), bucket('1', 90), bucket('+Inf', 100)]);
    expect(stateOf(sloIds.state)).toBeUndefined();
    expect(warningsOf(sloIds.warnings)).toMatch(/histogram rpc_seconds: bucket counts decrease as le grows in \d+ of the windows evaluated \(le 0\.3 to 0\.3, by up to 10\)/);
  });
});

describe('slo panel on an SLO window that is not a duration', () => {
  it('names the text and the units it accepts', async () => {
    const sloJson = JSON.stringify({ name: 'x', objective: 0.99, period: { rolling: '30 days' }, sli: { ratio: { bad: { metric: 'http_requests_total' }, total: { metric: 'http_requests_total' } } } });
    const stateOf = () => container.querySelector(`[data-testid="${sloIds.state}"]`);
    await renderPanel(container, SloPanel as never, { data: panelData(promFrames([counter({ __name__: 'http_requests_total' }, 1)])), options: { ...SLO_DEFAULTS, sloJson } }, () => stateOf()?.getAttribute('data-state') !== 'loading');
    expect(stateOf()?.getAttribute('data-state')).toBe('error');
    expect(stateOf()?.textContent).toContain('duration: "30 days" has an unknown unit (examples: 15s, 5m, 1h30m, 30d)');
  });
});
