// @vitest-environment jsdom
import React from 'react';
import ReactDOM from 'react-dom';
import { act } from 'react-dom/test-utils';
import { DataFrame, FieldType, LoadingState, toDataFrame } from '@grafana/data';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { testIds } from '../testIds';
import { CostPanel } from './CostPanel';

const loadEngine = vi.fn();
vi.mock('../../../shared/engine', () => ({ loadEngine: () => loadEngine(), wasmSupported: () => true }));

let container: HTMLDivElement;
beforeEach(async () => {
  const { realEngine } = await import('../../../shared/test-engine');
  loadEngine.mockReset().mockResolvedValue(realEngine());
  container = document.createElement('div');
  document.body.appendChild(container);
});
afterEach(() => {
  ReactDOM.unmountComponentAtNode(container);
  container.remove();
});

const series = (...columns: Array<Array<number | null>>): DataFrame[] =>
  columns.map((values) => toDataFrame({ fields: [{ name: 'Value', type: FieldType.number, values }] }));

async function render(frames: DataFrame[], unit = 'currencyUSD', showCaption = true) {
  const props = {
    data: { series: frames, state: LoadingState.Done },
    width: 400,
    height: 200,
    options: { showCaption, noDataText: 'Nothing to sum' },
    fieldConfig: { defaults: { unit }, overrides: [] },
  };
  await act(async () => {
    ReactDOM.render(<CostPanel {...(props as unknown as React.ComponentProps<typeof CostPanel>)} />, container);
  });
  await vi.waitFor(() => expect(container.querySelector(`[data-testid="${testIds.panel.container}"]`)?.textContent).not.toBe(''));
}

const byTestId = (id: string) => container.querySelector(`[data-testid="${id}"]`)?.textContent;

describe('CostPanel', () => {
  it('shows the sum of the latest values with its caption', async () => {
    await render(series([1, 2.5], [null, 3], [NaN]));
    expect(byTestId(testIds.panel.total)).toBe('$5.50');
    expect(byTestId(testIds.panel.caption)).toBe('sum of latest values across 3 series (2 with data)');
  });

  it('uses the unit of the field config and can hide the caption', async () => {
    await render(series([1200]), 'short', false);
    expect(byTestId(testIds.panel.total)).toBe('1.20 K');
    expect(byTestId(testIds.panel.caption)).toBeUndefined();
  });

  it('says there is no data when no series has a value', async () => {
    await render(series([null, NaN]));
    expect(byTestId(testIds.panel.noData)).toBe('Nothing to sum');
  });

  it('says there is no data without any series', async () => {
    await render([]);
    expect(byTestId(testIds.panel.noData)).toBe('Nothing to sum');
  });

  it('shows why the engine could not load instead of crashing', async () => {
    loadEngine.mockRejectedValue(new Error('HTTP 404 fleetlens_bg.wasm'));
    await render(series([1]));
    expect(byTestId(testIds.panel.error)).toBe('FleetLens engine error: HTTP 404 fleetlens_bg.wasm');
  });
});
