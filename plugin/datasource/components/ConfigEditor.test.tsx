// @vitest-environment jsdom
import React, { useState } from 'react';
import ReactDOM from 'react-dom';
import { act } from 'react-dom/test-utils';
import { DataSourceSettings } from '@grafana/data';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { realEngine } from '../../shared/test-engine';
import { testIds } from '../testIds';
import { FleetLensOptions, FleetLensSecureOptions } from '../types';
import { costConfig } from '../settings';
import { ConfigEditor } from './ConfigEditor';
import { byTestId, click, type } from './testUtils';

vi.mock('../../shared/engine', async () => {
  const engine = (await import('../../shared/test-engine')).realEngine();
  return { loadEngine: () => Promise.resolve(engine), wasmSupported: () => true };
});

type Settings = DataSourceSettings<FleetLensOptions, FleetLensSecureOptions>;
const ids = testIds.configEditor;

function settings(jsonData: Record<string, unknown> = {}, extra: Partial<Settings> = {}): Settings {
  return {
    id: 1,
    uid: 'fl',
    orgId: 1,
    name: 'FleetLens',
    type: 'fleetlens-views-datasource',
    typeName: 'FleetLens',
    typeLogoUrl: '',
    access: 'proxy',
    url: 'http://prometheus:9090',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    jsonData: jsonData as FleetLensOptions,
    secureJsonFields: {},
    ...extra,
  } as Settings;
}

let container: HTMLDivElement;
let saved: Settings[];

/** Grafana's role: keeps the options and hands every change back as the new props. */
function Harness({ initial }: { initial: Settings }) {
  const [options, setOptions] = useState(initial);
  return (
    <ConfigEditor
      options={options}
      onOptionsChange={(next) => {
        saved.push(next);
        setOptions(next);
      }}
    />
  );
}

async function render(initial: Settings) {
  await act(async () => {
    ReactDOM.render(<Harness initial={initial} />, container);
  });
  // The engine loads asynchronously; the shipped prices appear once it has.
  await vi.waitFor(() => expect(byTestId(container, ids.pricesEdit)?.hasAttribute('disabled')).toBe(false));
}

const last = () => saved[saved.length - 1];
const field = (id: string) => byTestId(container, id) as HTMLInputElement;

beforeEach(() => {
  saved = [];
  container = document.createElement('div');
  document.body.appendChild(container);
});
afterEach(() => {
  ReactDOM.unmountComponentAtNode(container);
  container.remove();
});

describe('ConfigEditor', () => {
  it('keeps unknown settings and everything typed, including numbers that are not numbers', async () => {
    await render(settings({ somethingNewer: { keep: true }, tenant: 'a' }));
    type(field(ids.budget), '500');
    expect(last().jsonData.monthlyBudgetUsd).toBe(500);
    type(field(ids.budget), '5x0');
    expect(last().jsonData.monthlyBudgetUsd).toBe('5x0');
    expect(field(ids.budget).value).toBe('5x0');
    expect(container.textContent).toContain('"5x0" is not a number');
    type(field(ids.tenant), 'acme');
    type(field(ids.timezone), 'Mars/Olympus');
    expect(byTestId(container, ids.timezoneError)?.textContent).toMatch(/time zone "Mars\/Olympus" does not exist/);
    const json = last().jsonData as unknown as Record<string, unknown>;
    expect(json).toMatchObject({ somethingNewer: { keep: true }, tenant: 'acme', timezone: 'Mars/Olympus', monthlyBudgetUsd: '5x0' });
  });

  it('puts the bearer token only in secureJsonData, under the Authorization header', async () => {
    await render(settings({ httpHeaderName1: 'X-Other' }, { secureJsonFields: { httpHeaderValue1: true } }));
    type(field(ids.bearer), 's3cret');
    const s = last();
    expect(s.jsonData.httpHeaderName2).toBe('Authorization');
    expect(s.jsonData.httpHeaderName1).toBe('X-Other');
    expect(s.secureJsonData).toEqual({ httpHeaderValue2: 'Bearer s3cret' });
    expect(JSON.stringify(s.jsonData)).not.toContain('s3cret');
  });

  it('shows a saved token as configured, never its value, and resets it', async () => {
    await render(settings({ httpHeaderName1: 'Authorization' }, { secureJsonFields: { httpHeaderValue1: true } }));
    const input = field(ids.bearer);
    expect(input.value).toBe('configured');
    expect(input.disabled).toBe(true);
    // The Reset button beside the token field (the custom headers section has its own).
    let box: HTMLElement | null = input;
    while (box && !box.querySelector('button')) {
      box = box.parentElement;
    }
    const reset = box?.querySelector('button') ?? null;
    expect(reset?.textContent).toBe('Reset');
    click(reset);
    expect(last().secureJsonFields.httpHeaderValue1).toBe(false);
    expect(last().secureJsonData?.httpHeaderValue1).toBe('');
  });

  it('copies the shipped prices on edit and keeps a bad cell with the engine’s message', async () => {
    await render(settings());
    const shipped = realEngine().defaultPrices();
    expect(byTestId(container, ids.pricesDefaults)?.textContent).toContain(String(shipped[0].model));
    click(byTestId(container, ids.pricesEdit));
    expect(last().jsonData.prices).toEqual(shipped);
    type(field(ids.priceCell(0, 'input')), '5,5');
    expect(last().jsonData.prices?.[0].input).toBe('5,5');
    expect(field(ids.priceCell(0, 'input')).value).toBe('5,5');
    expect(byTestId(container, ids.pricesError)?.textContent).toMatch(/invalid type: string "5,5", expected f64/);
    type(field(ids.priceCell(0, 'input')), '5.5');
    expect(last().jsonData.prices?.[0].input).toBe(5.5);
    expect(byTestId(container, ids.pricesError)).toBeNull();
    click(byTestId(container, ids.pricesReset));
    expect(last().jsonData.prices).toBeUndefined();
  });

  it('edits an SLO as a form and as JSON without losing invalid text', async () => {
    await render(settings());
    click(byTestId(container, ids.sloAddBlank));
    type(field(ids.sloField(0, 'name')), 'Checkout');
    type(field(ids.sloField(0, 'objective')), '1.5');
    type(field(ids.sloField(0, 'bad')), 'http_requests_total{status=~"5.."}');
    type(field(ids.sloField(0, 'total')), 'http_requests_total');
    const slo = last().jsonData.slos?.[0];
    expect(slo).toMatchObject({
      name: 'Checkout',
      objective: 1.5,
      sli: { ratio: { bad: { metric: 'http_requests_total', matchers: [{ label: 'status', op: '=~', value: '5..' }] }, total: { metric: 'http_requests_total', matchers: [] } } },
    });
    expect(byTestId(container, ids.sloError(0))?.textContent).toMatch(/objective/);
    type(field(ids.sloField(0, 'objective')), '0.995');
    expect(byTestId(container, ids.sloError(0))).toBeNull();

    click(byTestId(container, ids.sloField(0, 'mode')));
    const text = '{"name": "Checkout", "objective": 0.99,';
    type(field(ids.sloField(0, 'json')), text);
    expect(last().jsonData.slos?.[0]).toBe(text);
    expect(field(ids.sloField(0, 'json')).value).toBe(text);
    expect(byTestId(container, ids.sloError(0))?.textContent).toMatch(/\S/);
    expect((byTestId(container, ids.sloField(0, 'mode')) as HTMLButtonElement).disabled).toBe(true);
  });

  it('maps cost roles to metrics with the custom naming, and the cost config carries them', async () => {
    await render(settings({ naming: 'custom', metricMapping: { commits: 'git_commits_total' } }));
    expect(field(`${ids.mapping}-commits`).value).toBe('git_commits_total');
    type(field(`${ids.mapping}-cost`), 'team_ai_spend_usd_total');
    type(field(`${ids.mapping}-commits`), '');
    expect(last().jsonData.metricMapping).toEqual({ cost: 'team_ai_spend_usd_total' });
    const config = JSON.parse(costConfig(last().jsonData));
    expect(config.metrics).toEqual({ cost: 'team_ai_spend_usd_total' });
    // The engine accepts it as the cost view's config.
    expect(() => realEngine().checkViewConfig('cost', JSON.stringify(config))).not.toThrow();
    // Another naming ignores a mapping left in the settings.
    expect(JSON.parse(costConfig({ ...last().jsonData, naming: 'auto' })).metrics).toBeUndefined();
  });

  it('keeps the agents settings it does not edit', async () => {
    await render(settings({ agents: { metrics: { load: 'my_load' } } }));
    type(field(ids.agentsGroupLabel), 'agent_name');
    type(field(ids.agentsDown), '600');
    expect(last().jsonData.agents).toEqual({ metrics: { load: 'my_load' }, groupLabel: 'agent_name', heartbeat: { downAfterS: 600 } });
    expect(byTestId(container, ids.agentsError)).toBeNull();
  });
});
