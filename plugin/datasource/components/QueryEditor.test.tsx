// @vitest-environment jsdom
import React, { useState } from 'react';
import ReactDOM from 'react-dom';
import { act } from 'react-dom/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { FleetLensDataSource } from '../datasource';
import { testIds } from '../testIds';
import { FleetLensQuery } from '../types';
import { QueryEditor } from './QueryEditor';
import { byTestId, click, type } from './testUtils';

vi.mock('../../shared/engine', async () => {
  const engine = (await import('../../shared/test-engine')).realEngine();
  return { loadEngine: () => Promise.resolve(engine), wasmSupported: () => true };
});

const ids = testIds.queryEditor;
let container: HTMLDivElement;
let changes: FleetLensQuery[];
let runs: number;
const groupByLabels = vi.fn(async (_query: FleetLensQuery) => ['model', 'user_email']);
const datasource = { sloNames: () => ['API availability', 'Latency'], groupByLabels } as unknown as FleetLensDataSource;

function Harness({ initial }: { initial: FleetLensQuery }) {
  const [query, setQuery] = useState(initial);
  return (
    <QueryEditor
      datasource={datasource}
      query={query}
      onChange={(q) => {
        changes.push(q);
        setQuery(q);
      }}
      onRunQuery={() => runs++}
    />
  );
}

async function render(initial: FleetLensQuery) {
  await act(async () => {
    ReactDOM.render(<Harness initial={initial} />, container);
  });
}

const last = () => changes[changes.length - 1];
const radio = (label: string) => Array.from(container.querySelectorAll('input[type="radio"] + label')).find((l) => l.textContent?.trim() === label) ?? null;

beforeEach(() => {
  changes = [];
  runs = 0;
  groupByLabels.mockClear();
  container = document.createElement('div');
  document.body.appendChild(container);
});
afterEach(() => {
  ReactDOM.unmountComponentAtNode(container);
  container.remove();
});

describe('QueryEditor', () => {
  it('keeps PromQL and legend, running the query on blur', async () => {
    await render({ refId: 'A', view: '', expr: '' });
    type(byTestId(container, ids.expr), 'sum(up)');
    expect(last()).toMatchObject({ view: '', expr: 'sum(up)' });
    expect(runs).toBe(0);
    act(() => {
      byTestId(container, ids.expr)?.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    });
    expect(runs).toBe(1);
    type(byTestId(container, ids.legend), '{{job}}');
    expect(last()).toMatchObject({ expr: 'sum(up)', legendFormat: '{{job}}' });
  });

  it('switches views, resets the output and runs at once', async () => {
    await render({ refId: 'A', view: 'cost', output: 'breakdown', groupBy: 'model' });
    expect(byTestId(container, ids.outputDescription)?.textContent).toBe('Cost and share by the group-by label');
    click(radio('SLO'));
    expect(last()).toMatchObject({ view: 'slo', output: '', groupBy: '' });
    expect(runs).toBe(1);
    expect(byTestId(container, ids.outputDescription)?.textContent).toBe('SLI, objective, budget remaining, time to exhaustion, alert level');
    click(radio('PromQL'));
    expect(last().view).toBe('');
    expect(byTestId(container, ids.expr)).not.toBeNull();
  });

  it("lists the group-by labels of the view's metrics", async () => {
    await render({ refId: 'A', view: 'cost', output: 'breakdown', groupBy: 'team_id' });
    expect(groupByLabels).toHaveBeenCalledWith(expect.objectContaining({ view: 'cost' }));
    // A label typed by hand is shown even when the upstream does not list it.
    expect(byTestId(container, ids.groupBy)?.textContent).toContain('team_id');
  });

  it('validates an inline SLO with the engine', async () => {
    await render({ refId: 'A', view: 'slo', output: 'summary', slo: '', sloInline: '{"name": "x"}' });
    await vi.waitFor(() => expect(byTestId(container, ids.error)?.textContent).toMatch(/missing field `objective`/));
    type(byTestId(container, ids.sloInline), '{"name":"x","objective":0.99,"period":{"rolling":"7d"},"sli":{"availability":{"gauge":{"metric":"up"}}}}');
    expect(byTestId(container, ids.error)).toBeNull();
    expect(last().sloInline).toContain('"rolling":"7d"');
    expect(runs).toBe(0);
  });

  it('shows the selected SLO of the settings', async () => {
    await render({ refId: 'A', view: 'slo', output: 'windows', slo: 'Latency' });
    expect(byTestId(container, ids.slo)?.textContent).toContain('Latency');
    expect(byTestId(container, ids.sloInline)).toBeNull();
    expect(byTestId(container, ids.outputDescription)?.textContent).toBe('Burn rate, factor and firing state of each window now');
  });
});
