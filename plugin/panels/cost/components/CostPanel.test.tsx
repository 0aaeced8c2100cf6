// @vitest-environment jsdom
import { DataFrame, FieldType, LoadingState, formattedValueToString, getValueFormat, toDataFrame } from '@grafana/data';
import { describe, expect, it, vi } from 'vitest';

import type { Engine } from '../../../shared/engine';
import { FROM_MS, TO_MS, counter, evaluateDirect, optionDefaults, panelData, promFrames, renderPanel, textOf, mountPanels } from '../../../shared/panel-test-utils';
import { plugin } from '../module';
import { breakdownLabels, costConfig, costModel, runOut } from '../model';
import { testIds } from '../testIds';
import { CostPanelOptions, DEFAULT_OPTIONS } from '../types';
import { CostPanel } from './CostPanel';

const loadEngine = vi.fn();
vi.mock('../../../shared/engine', () => ({ loadEngine: () => loadEngine(), wasmSupported: () => true }));

let engine: Engine;
let container: HTMLDivElement;
mountPanels(loadEngine, (e, c) => {
  engine = e;
  container = c;
});

const usd = (v: number) => formattedValueToString(getValueFormat('currencyUSD')(v));
const text = (id: string) => textOf(container, id);
const stateOf = () => container.querySelector(`[data-testid="${testIds.state}"]`)?.getAttribute('data-state');

async function render(frames: DataFrame[], options: Partial<CostPanelOptions> = {}, size = { width: 800, height: 600 }, data = panelData(frames)) {
  await renderPanel(container, CostPanel as never, { data, options: { ...DEFAULT_OPTIONS, ...options }, ...size }, () => {
    const s = stateOf();
    return s !== 'loading';
  });
}

/** The data source's frames, by hand: a summary, a forecast, a breakdown, an hourly series. */
function precomputed(): DataFrame[] {
  const t = TO_MS;
  const num = (name: string, v: number | null) => ({ name, type: FieldType.number, config: { unit: 'currencyUSD' }, values: [v] });
  const monthStart = Date.UTC(2025, 1, 1);
  const monthEnd = Date.UTC(2025, 2, 1);
  return [
    toDataFrame({
      refId: 'A',
      name: 'cost summary',
      meta: { notices: [{ severity: 'warning', text: 'cost: 2 series collided' }], executedQueryString: 'claude_code_cost_usage_USD_total[3600000ms]' },
      fields: [
        { name: 'Time', type: FieldType.time, values: [t] },
        num('total cost', 12.5),
        num('cost per commit', 2.5),
        num('cost per pull request', null),
        num('cost per 1k lines', 0.75),
        { name: 'tokens per dollar', type: FieldType.number, values: [40000] },
        num('cache savings', 3.25),
      ],
    }),
    toDataFrame({
      refId: 'B',
      name: 'month to date and forecast',
      fields: [
        { name: 'Time', type: FieldType.time, values: [monthStart, t, monthEnd] },
        { name: 'actual', type: FieldType.number, values: [0, 300, null] },
        { name: 'forecast', type: FieldType.number, values: [null, 300, 700] },
        { name: 'forecast low', type: FieldType.number, values: [null, 300, 600] },
        { name: 'forecast high', type: FieldType.number, values: [null, 300, 800] },
        { name: 'budget', type: FieldType.number, values: [500, 500, 500] },
      ],
    }),
    toDataFrame({
      refId: 'C',
      name: 'cost by model',
      fields: [
        { name: 'model', type: FieldType.string, values: ['opus', '<script>alert(1)</script>'] },
        { name: 'cost', type: FieldType.number, values: [10, 2.5] },
        { name: 'share', type: FieldType.number, values: [0.8, 0.2] },
      ],
    }),
    toDataFrame({
      refId: 'D',
      name: 'cost per hour',
      fields: [
        { name: 'Time', type: FieldType.time, values: [FROM_MS, FROM_MS + 3_600_000, FROM_MS + 7_200_000] },
        { name: 'cost', type: FieldType.number, values: [1, 9, 1] },
        { name: 'anomaly', type: FieldType.number, values: [0, 1, 0] },
      ],
    }),
  ];
}

describe('cost model', () => {
  it('reads the run-out date off the forecast line', () => {
    // 300 spent at day 23.8; 700 forecast at month end: budget 500 is reached after (500-300)/(700-300) = 1/2 of the rest.
    expect(runOut(1000, 3000, 300, 700, 500)).toBe(2000);
    expect(runOut(1000, 3000, 300, 450, 500)).toBeNull();
    expect(runOut(1000, 3000, 600, 700, 500)).toBeNull();
    expect(runOut(1000, 3000, 300, 700, 0)).toBeNull();
  });

  it('maps every precomputed frame', () => {
    const m = costModel(precomputed());
    expect(m.summary['total cost']).toBe(12.5);
    expect(m.summary['cost per pull request']).toBeNull();
    expect(m.breakdowns).toEqual([{ label: 'model', rows: [{ value: 'opus', cost: 10, share: 0.8 }, { value: '<script>alert(1)</script>', cost: 2.5, share: 0.2 }] }]);
    expect(m.hourly?.anomalies).toEqual([FROM_MS + 3_600_000]);
    expect(m.forecast?.runOutMs).toBe(TO_MS + ((500 - 300) / (700 - 300)) * (Date.UTC(2025, 2, 1) - TO_MS));
  });

  it('builds the raw-series config from the options', () => {
    expect(costConfig(DEFAULT_OPTIONS)).toBe('{}');
    expect(JSON.parse(costConfig({ monthlyBudgetUsd: 250, costConfig: '{"counterMode":"exact"}' }))).toEqual({ counterMode: 'exact', monthlyBudgetUsd: 250 });
    expect(() => costConfig({ costConfig: '{nope' })).toThrow(/not valid JSON/);
    expect(() => costConfig({ costConfig: '[1]' })).toThrow(/expected a JSON object/);
    expect(breakdownLabels(' model, team ,model,')).toEqual(['model', 'team']);
    expect(breakdownLabels('')).toEqual(['model']);
  });

  it('declares its options with the documented defaults', () => {
    expect(optionDefaults(plugin as never)).toEqual(DEFAULT_OPTIONS);
  });
});

describe('CostPanel with the data source frames', () => {
  it('shows the tiles, budget line, anomalies, breakdown, warnings and the Explore link', async () => {
    await render(precomputed());
    expect(text(testIds.tile('total cost'))).toBe(`Total${usd(12.5)}`);
    expect(text(testIds.tile('cost per commit'))).toBe(`$ / commit${usd(2.5)}`);
    expect(text(testIds.tile('cost per pull request'))).toBe('$ / PR–');
    expect(text(testIds.tile('tokens per dollar'))).toBe('Tokens / $40 K');
    expect(text(testIds.budget)).toContain(`${usd(300)} of ${usd(500)} budget (60%)`);
    expect(text(testIds.budget)).toContain(`month end ${usd(700)} (${usd(600)} – ${usd(800)})`);
    // Feb 23 20:20 + half of the remaining ~4.15 days = Feb 26.
    expect(text(testIds.budget)).toContain('runs out on 2025-02-26');
    expect(text(testIds.anomalies)).toBe('1 anomaly marked: 02-23 20:20');
    expect(container.querySelector(`[data-testid="${testIds.hourlyChart}"]`)).not.toBeNull();
    expect(text(testIds.warnings)).toBe('cost: 2 series collided');
    const link = container.querySelector(`[data-testid="${testIds.explore}"]`)?.getAttribute('href') ?? '';
    expect(JSON.parse(new URLSearchParams(link.split('?')[1]).get('left') ?? '{}').queries[0].expr).toBe('claude_code_cost_usage_USD_total');
  });

  it('renders a label value as text, never as markup', async () => {
    await render(precomputed());
    const breakdown = container.querySelector(`[data-testid="${testIds.breakdown('model')}"]`);
    expect(breakdown?.textContent).toContain('<script>alert(1)</script>');
    expect(container.querySelector('script')).toBeNull();
  });

  it('collapses to the headline when small', async () => {
    await render(precomputed(), {}, { width: 200, height: 100 });
    expect(text(testIds.headline)).toBe(usd(12.5));
    expect(container.querySelector(`[data-testid="${testIds.tile('total cost')}"]`)).toBeNull();
  });
});

describe('CostPanel with raw Prometheus series', () => {
  const series = [
    counter({ __name__: 'claude_code_cost_usage_USD_total', model: 'opus', user_email: 'a@x' }, 0.05),
    counter({ __name__: 'claude_code_cost_usage_USD_total', model: 'sonnet', user_email: 'b@x' }, 0.01),
  ];

  it('computes what the engine computes from the same samples as Prometheus responses', async () => {
    const direct = evaluateDirect(engine, 'cost', '{}', 'summary', series);
    const total = direct.frames[0].fields['total cost'][0];
    // 60 minutes at 0.06 $/min: about 3.60 $ (PromQL extrapolation may differ slightly).
    expect(total).toBeGreaterThan(3.4);
    expect(total).toBeLessThan(3.8);
    const byModel = evaluateDirect(engine, 'cost', '{}', 'breakdown', series, 'model').frames[0];
    await render(promFrames(series), { breakdownLabels: 'model' });
    expect(text(testIds.tile('total cost'))).toBe(`Total${usd(total)}`);
    const rows = container.querySelector(`[data-testid="${testIds.breakdown('model')}"]`)?.textContent ?? '';
    expect(byModel.text.model).toEqual(['opus', 'sonnet']);
    expect(rows).toContain(`opus${usd(byModel.fields.cost[0])}`);
    expect(rows).toContain(`sonnet${usd(byModel.fields.cost[1])}`);
    const link = container.querySelector(`[data-testid="${testIds.explore}"]`)?.getAttribute('href') ?? '';
    const left = JSON.parse(new URLSearchParams(link.split('?')[1]).get('left') ?? '{}');
    expect(left.datasource).toBe('prom');
    expect(left.queries[0].expr).toContain('claude_code_cost_usage_USD_total');
  });

  it('says which metric is missing and what to check', async () => {
    await render(promFrames([counter({ __name__: 'http_requests_total' }, 1)]));
    expect(stateOf()).toBe('missingMetric');
    expect(text(testIds.state)).toMatch(/metric not found: looked for .*cost/);
    expect(text(testIds.state)).toContain('raw cost counter');
  });

  it('explains a bad settings option', async () => {
    await render(promFrames(series), { costConfig: '{oops' });
    expect(stateOf()).toBe('error');
    expect(text(testIds.state)).toContain('not valid JSON');
  });
});

describe('CostPanel states', () => {
  it('says there is no data', async () => {
    await render([]);
    expect(stateOf()).toBe('noData');
    await render([toDataFrame({ fields: [{ name: 'Value', type: FieldType.number, values: [] }] })]);
    expect(stateOf()).toBe('noData');
  });

  it('shows the query error', async () => {
    await render([], {}, undefined, panelData([], LoadingState.Error, { message: 'HTTP 401 Unauthorized' }));
    expect(stateOf()).toBe('error');
    expect(text(testIds.state)).toContain('HTTP 401 Unauthorized');
  });

  it('names what it needs for a frame of the wrong shape', async () => {
    await render([toDataFrame({ name: 'hosts', fields: [{ name: 'host', type: FieldType.string, values: ['a'] }] })]);
    expect(stateOf()).toBe('wrongShape');
    expect(text(testIds.state)).toContain('this panel needs FleetLens cost frames');
    expect(text(testIds.state)).toContain('got "hosts" with host (string)');
  });

  it('shows why the engine could not load', async () => {
    loadEngine.mockReset().mockRejectedValue(new Error('HTTP 404 fleetlens_bg.wasm'));
    await render(promFrames(series()));
    expect(stateOf()).toBe('error');
    expect(text(testIds.state)).toContain('HTTP 404 fleetlens_bg.wasm');
  });
});

function series() {
  return [counter({ __name__: 'claude_code_cost_usage_USD_total', model: 'opus' }, 0.05)];
}
