// @vitest-environment jsdom
/**
 * Secrets and markup (docs/security.md): the data source's secrets live only in secureJsonData,
 * which the browser writes but never reads back; no request the data source builds carries a
 * secret; the editors show strings from Prometheus and from the settings as text.
 */
import React, { useState } from 'react';
import ReactDOM from 'react-dom';
import { act } from 'react-dom/test-utils';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DataQueryRequest, DataSourceInstanceSettings, DataSourceSettings, dateTime } from '@grafana/data';
import { BackendSrvRequest, setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { Observable, lastValueFrom, of } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { byTestId, type } from './components/testUtils';
import { FleetLensDataSource } from './datasource';
import { testIds } from './testIds';
import { FleetLensOptions, FleetLensQuery, FleetLensSecureOptions } from './types';

vi.mock('../shared/engine', async () => {
  const engine = (await import('../shared/test-engine')).realEngine();
  return { loadEngine: () => Promise.resolve(engine), wasmSupported: () => true };
});

const SECRET = 's3cret-token-4711';
const PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(1)>';

const fetch = vi.fn<(options: BackendSrvRequest) => Observable<unknown>>();
setBackendSrv({ fetch } as never);
setTemplateSrv({ replace: (text?: string) => text ?? '' } as never);

const buffer = (text: string): ArrayBuffer => Uint8Array.from(new TextEncoder().encode(text)).buffer;

describe('secrets stay in secureJsonData', () => {
  it('only the auth editor and the settings types mention secureJsonData; nothing reads it back', () => {
    const root = join(__dirname, '..');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          walk(path);
        } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) {
          files.push(path);
        }
      }
    };
    walk(root);
    const mentioning = files.filter((f) => /secureJsonData/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(mentioning.sort()).toEqual(['datasource/components/AuthSettings.tsx', 'datasource/types.ts']);
    // The data source itself (what runs in every dashboard) never touches the secure settings.
    const datasource = readFileSync(join(root, 'datasource/datasource.ts'), 'utf8');
    expect(datasource).not.toMatch(/secureJson|basicAuthPassword|Authorization/);
  });

  it('no request the data source builds carries a secret or an Authorization header', async () => {
    // What Grafana hands the frontend: secureJsonFields (booleans) only. A secureJsonData here
    // stands for a leak elsewhere: even then nothing of it may reach a request.
    const instance = {
      id: 1,
      uid: 'fl',
      type: 'fleetlens-views-datasource',
      name: 'FleetLens',
      url: '/api/datasources/proxy/uid/fl',
      jsonData: { httpHeaderName1: 'Authorization', tenant: 'acme' },
      secureJsonFields: { httpHeaderValue1: true, basicAuthPassword: true },
      secureJsonData: { httpHeaderValue1: `Bearer ${SECRET}`, basicAuthPassword: SECRET },
    };
    const ds = new FleetLensDataSource(instance as unknown as DataSourceInstanceSettings<FleetLensOptions>);
    expect(JSON.stringify(ds.settings)).not.toContain(SECRET);
    fetch.mockImplementation((options) =>
      options.url.includes('/api/v1/label')
        ? of({ data: { status: 'success', data: ['claude_code_cost_usage_USD_total'] }, status: 200 })
        : of({ data: buffer('{"status":"success","data":{"resultType":"matrix","result":[]}}'), status: 200 })
    );
    const from = dateTime(1_740_338_400_000);
    const to = dateTime(1_740_342_000_000);
    const request = {
      requestId: 'Q',
      intervalMs: 15_000,
      range: { from, to, raw: { from, to } },
      scopedVars: {},
      timezone: 'utc',
      targets: [
        { refId: 'A', expr: 'up' },
        { refId: 'B', view: 'cost', output: 'summary' },
      ],
    } as unknown as DataQueryRequest<FleetLensQuery>;
    await lastValueFrom(ds.query(request));
    await ds.metricFindQuery('models()');
    await ds.testDatasource();
    expect(fetch.mock.calls.length).toBeGreaterThanOrEqual(4);
    for (const [options] of fetch.mock.calls) {
      expect(JSON.stringify(options)).not.toContain(SECRET);
      expect(Object.keys(options.headers ?? {}).map((h) => h.toLowerCase())).not.toContain('authorization');
      // Every request goes through Grafana's proxy, which adds the credentials server-side.
      expect(options.url.startsWith('/api/datasources/proxy/uid/fl/api/v1/')).toBe(true);
    }
  });
});

type Settings = DataSourceSettings<FleetLensOptions, FleetLensSecureOptions>;

function settings(jsonData: Record<string, unknown>, extra: Partial<Settings> = {}): Settings {
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
beforeEach(() => {
  saved = [];
  fetch.mockReset();
  container = document.createElement('div');
  document.body.appendChild(container);
});
afterEach(() => {
  ReactDOM.unmountComponentAtNode(container);
  container.remove();
});

function ConfigHarness({ initial }: { initial: Settings }) {
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

/** Renders the editor and waits until the engine has loaded (the SLO and price checks need it). */
async function renderConfig(initial: Settings) {
  await act(async () => {
    ReactDOM.render(<ConfigHarness initial={initial} />, container);
  });
  await vi.waitFor(() => expect(byTestId(container, testIds.configEditor.pricesAdd) ?? byTestId(container, testIds.configEditor.pricesEdit)).not.toBeNull());
  await vi.waitFor(() => expect(container.querySelector('[disabled][data-testid*="prices"]')).toBeNull());
}

/** No element the payload would create exists, and the payload is on screen as typed. */
function expectInert(root: HTMLElement, shown = true) {
  expect(root.querySelector('script')).toBeNull();
  expect(root.querySelector('img[src="x"]')).toBeNull();
  expect(Array.from(root.querySelectorAll('*')).some((el) => el.hasAttribute('onerror'))).toBe(false);
  if (shown) {
    const inputs = Array.from(root.querySelectorAll('input, textarea'), (el) => (el as HTMLInputElement).value);
    expect([root.textContent ?? '', ...inputs].some((t) => t.includes(PAYLOAD))).toBe(true);
  }
}

describe('the config editor', () => {
  it('never shows a stored secret and writes a typed one only into secureJsonData', async () => {
    await renderConfig(settings({ httpHeaderName1: 'Authorization' }, { secureJsonFields: { httpHeaderValue1: true, basicAuthPassword: true } }));
    const values = Array.from(container.querySelectorAll('input, textarea'), (el) => (el as HTMLInputElement).value);
    expect(values.filter((v) => /bearer|s3cret/i.test(v))).toEqual([]);
    // Reset, then type a new token: it goes to secureJsonData, never to jsonData.
    const reset = Array.from(container.querySelectorAll('button')).find((b) => b.textContent === 'Reset' && b.closest('div')?.querySelector(`[data-testid="${testIds.configEditor.bearer}"]`));
    await act(async () => reset?.click());
    type(byTestId(container, testIds.configEditor.bearer), SECRET);
    const last = saved[saved.length - 1];
    expect(last.secureJsonData?.httpHeaderValue1).toBe(`Bearer ${SECRET}`);
    expect(JSON.stringify({ ...last, secureJsonData: undefined })).not.toContain(SECRET);
  });

  it('shows SLO names, price models and a bad time zone from the settings as text', async () => {
    const slo = {
      name: PAYLOAD,
      objective: 0.99,
      period: { rolling: '1d' },
      sli: { ratio: { bad: { metric: PAYLOAD }, total: { metric: 'http_requests_total' } } },
    };
    const price = { model: PAYLOAD, effectiveFrom: '2025-01-01', input: 1, output: 2, cacheWrite: 3, cacheRead: 4 };
    await renderConfig(settings({ slos: [slo], prices: [price], timezone: PAYLOAD }));
    expect(byTestId(container, testIds.configEditor.timezoneError)?.textContent).toContain(PAYLOAD);
    expectInert(container);
  });
});

describe('the query editor', () => {
  it('shows SLO names and group-by labels from Prometheus as text', async () => {
    const datasource = { sloNames: () => [PAYLOAD], groupByLabels: async () => [PAYLOAD] } as unknown as FleetLensDataSource;
    const query: FleetLensQuery = { refId: 'A', view: 'slo', output: 'summary', slo: PAYLOAD, groupBy: PAYLOAD };
    await act(async () => {
      ReactDOM.render(<QueryEditor datasource={datasource} query={query} onChange={() => {}} onRunQuery={() => {}} />, container);
    });
    await vi.waitFor(() => expect(byTestId(container, testIds.queryEditor.slo)?.textContent).toContain(PAYLOAD));
    expectInert(container);
  });
});
