// @vitest-environment jsdom
import { DataFrame, FieldType, toDataFrame } from '@grafana/data';
import { describe, expect, it, vi } from 'vitest';

import type { Engine } from '../../../shared/engine';
import { FROM_MS, TO_MS, counter, evaluateDirect, optionDefaults, optionItems, panelData, promFrames, renderPanel, textOf, mountPanels } from '../../../shared/panel-test-utils';
import { formatValue } from '../../../shared/panel-ui';
import { plugin } from '../module';
import { sloConfig, sloModel } from '../model';
import { testIds } from '../testIds';
import { DEFAULT_OPTIONS, SloPanelOptions } from '../types';
import { SloPanel } from './SloPanel';

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

async function render(frames: DataFrame[], options: Partial<SloPanelOptions> = {}, size = { width: 800, height: 700 }) {
  await renderPanel(container, SloPanel as never, { data: panelData(frames), options: { ...DEFAULT_OPTIONS, ...options }, ...size }, () => stateOf() !== 'loading');
}

function precomputed(): DataFrame[] {
  return [
    toDataFrame({
      name: 'api availability',
      fields: [
        { name: 'Time', type: FieldType.time, values: [TO_MS] },
        { name: 'sli', type: FieldType.number, values: [0.995] },
        { name: 'objective', type: FieldType.number, values: [0.99] },
        { name: 'budget remaining', type: FieldType.number, values: [0.5] },
        { name: 'budget consumed', type: FieldType.number, values: [0.5] },
        { name: 'time to exhaustion', type: FieldType.number, values: [7200] },
        { name: 'alert level', type: FieldType.number, values: [2] },
      ],
    }),
    toDataFrame({
      name: 'api availability burn rates',
      fields: [
        { name: 'window', type: FieldType.string, values: ['5m', '1h', '6h'] },
        { name: 'severity', type: FieldType.string, values: ['page', 'page', 'ticket'] },
        { name: 'burn rate', type: FieldType.number, values: [20, 15, 2] },
        { name: 'error ratio', type: FieldType.number, values: [0.2, 0.15, 0.02] },
        { name: 'factor', type: FieldType.number, values: [14.4, 14.4, 3] },
        { name: 'firing', type: FieldType.number, values: [1, 1, 0] },
      ],
    }),
    toDataFrame({
      name: 'error budget',
      fields: [
        { name: 'Time', type: FieldType.time, values: [FROM_MS, TO_MS] },
        { name: 'budget remaining', type: FieldType.number, values: [1, 0.5] },
        { name: 'ideal', type: FieldType.number, values: [1, 0.9] },
      ],
    }),
    toDataFrame({
      name: 'api availability alert backtest',
      fields: [
        { name: 'severity', type: FieldType.string, values: ['page', 'ticket'] },
        { name: 'text', type: FieldType.string, values: ['page fired', 'ticket fired'] },
        { name: 'time', type: FieldType.time, values: [FROM_MS + 600_000, FROM_MS] },
        { name: 'timeEnd', type: FieldType.time, values: [FROM_MS + 1_200_000, TO_MS] },
      ],
    }),
    toDataFrame({
      name: 'api availability by group',
      fields: [
        { name: 'job', type: FieldType.string, values: ['web', '<script>alert(1)</script>', 'idle'] },
        { name: 'sli', type: FieldType.number, values: [0.999, 0.98, null] },
        { name: 'budget remaining', type: FieldType.number, values: [0.9, -1, null] },
        { name: 'burn rate 1h', type: FieldType.number, values: [0.1, 2, null] },
        { name: 'alert level', type: FieldType.number, values: [0, 2, null] },
      ],
    }),
  ];
}

describe('SLO model and options', () => {
  it('maps every precomputed frame, groups sorted by remaining budget', () => {
    const m = sloModel(precomputed());
    expect(m.name).toBe('api availability');
    expect(m.summary).toEqual({ sli: 0.995, objective: 0.99, remaining: 0.5, consumed: 0.5, exhaustionS: 7200, level: 2 });
    expect(m.windows.map((w) => [w.window, w.firing, w.severity])).toEqual([
      ['5m', true, 'page'],
      ['1h', true, 'page'],
      ['6h', false, 'ticket'],
    ]);
    expect(m.groups.map((g) => g.labels)).toEqual(['job=<script>alert(1)</script>', 'job=web', 'job=idle']);
    expect(m.alerts).toHaveLength(2);
    expect(m.burnDown?.ideal).toEqual([1, 0.9]);
  });

  it('defaults to the first preset and checks a written definition', () => {
    expect(optionDefaults(plugin as never)).toEqual(DEFAULT_OPTIONS);
    expect(JSON.parse(sloConfig(engine, DEFAULT_OPTIONS)).name).toBe(engine.sloPresets()[0].name);
    expect(() => sloConfig(engine, { preset: 'nope' })).toThrow(/does not exist; use one of API availability/);
    // The editor's choices are the engine's presets.
    const names = engine.sloPresets().map((p) => p.name);
    const preset = optionItems(plugin as never).preset.settings as { options: Array<{ value: string }> };
    expect(preset.options.map((o) => o.value)).toEqual(names);
    expect(JSON.parse(sloConfig(engine, { preset: String(names[1]) })).name).toBe(names[1]);
    expect(() => sloConfig(engine, { sloJson: '{' })).toThrow(/not valid JSON/);
  });
});

describe('SloPanel with the data source frames', () => {
  it('shows budget, SLI against objective, windows, burn-down, backtest and groups', async () => {
    await render(precomputed());
    expect(text(testIds.level)).toBe('page');
    expect(text(testIds.tile('budget remaining'))).toBe('Budget remaining50.0%');
    expect(text(testIds.tile('sli'))).toBe('SLI / objective99.500% / 99.000%');
    expect(text(testIds.tile('time to exhaustion'))).toBe(`Time to exhaustion${formatValue(7200, 's')}`);
    const rows = Array.from(container.querySelectorAll(`[data-testid="${testIds.windows}"] tbody tr`), (r) => r.textContent);
    expect(rows).toEqual(['5m20.0014.4 (page)20.000%page firing', '1h15.0014.4 (page)15.000%page firing', '6h2.003.0 (ticket)2.000%ok']);
    expect(container.querySelector(`[data-testid="${testIds.burnDown}"]`)).not.toBeNull();
    expect(container.querySelectorAll(`[data-testid="${testIds.backtest}"] div`)).toHaveLength(2);
    const groups = Array.from(container.querySelectorAll(`[data-testid="${testIds.groups}"] tbody tr td:first-child`), (r) => r.textContent);
    expect(groups).toEqual(['job=<script>alert(1)</script>', 'job=web', 'job=idle']);
    expect(container.querySelector('script')).toBeNull();
  });

  it('collapses to the budget when small', async () => {
    await render(precomputed(), {}, { width: 150, height: 100 });
    expect(text(testIds.headline)).toBe('50.0%');
  });
});

describe('SloPanel with raw Prometheus series', () => {
  const slo = JSON.stringify({
    name: 'api availability',
    objective: 0.99,
    period: { rolling: '1d' },
    sli: { ratio: { bad: { metric: 'http_requests_total', matchers: [{ label: 'status', op: '=~', value: '5..' }] }, total: { metric: 'http_requests_total' } } },
    groupBy: ['job'],
  });
  const series = [
    counter({ __name__: 'http_requests_total', job: 'api', status: '200' }, 100),
    counter({ __name__: 'http_requests_total', job: 'api', status: '500' }, 2),
    counter({ __name__: 'http_requests_total', job: 'web', status: '200' }, 50),
  ];

  it('computes what the engine computes from the same samples', async () => {
    const summary = evaluateDirect(engine, 'slo', slo, 'summary', series).frames[0].fields;
    // 2 bad of 152 per minute: SLI = 1 - 2/152 ≈ 0.98684.
    expect(summary.sli[0]).toBeCloseTo(1 - 2 / 152, 4);
    const groups = evaluateDirect(engine, 'slo', slo, 'groups', series).frames[0];
    await render(promFrames(series), { sloJson: slo });
    expect(text(testIds.tile('sli'))).toBe(`SLI / objective${formatValue(summary.sli[0], 'percentunit', 3)} / 99.000%`);
    expect(text(testIds.tile('budget remaining'))).toBe(`Budget remaining${formatValue(summary['budget remaining'][0], 'percentunit', 1)}`);
    const shown = Array.from(container.querySelectorAll(`[data-testid="${testIds.groups}"] tbody tr td:first-child`), (r) => r.textContent);
    expect(shown.sort()).toEqual(groups.text.job.map((j) => `job=${j}`).sort());
    // api spends budget, web does not: api first.
    expect(shown[0]).toBe('job=api');
  });

  it('names the missing metric', async () => {
    await render(promFrames(series));
    // The default preset reads http_requests_total too; a latency SLO needs the histogram.
    await render(promFrames(series), { preset: 'API latency p95 <= 500 ms' });
    expect(stateOf()).toBe('missingMetric');
    expect(text(testIds.state)).toContain('http_request_duration_seconds');
    expect(text(testIds.state)).toContain("panel's SLO definition");
  });

  it('says what it needs for a wrong frame', async () => {
    await render([toDataFrame({ name: 'x', fields: [{ name: 'a', type: FieldType.string, values: ['b'] }] })]);
    expect(stateOf()).toBe('wrongShape');
    expect(text(testIds.state)).toContain('this panel needs FleetLens SLO frames');
  });

  it('says there is no data', async () => {
    await render([]);
    expect(stateOf()).toBe('noData');
  });
});
