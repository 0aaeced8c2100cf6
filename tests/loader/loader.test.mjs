/**
 * Loads each built module.js under dist/ the way Grafana does (see harness.mjs), under both URL
 * schemes Grafana uses for nested plugins, and drives each plugin until the wasm engine runs.
 * Run after `npm run build`.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';

import { SCHEMES, closeDom, distDir, externals, hidden, loadModule, repoRoot, requests } from './harness.mjs';

const { AppPlugin, DataSourcePlugin, PanelPlugin, FieldType, LoadingState, dateTime, toDataFrame } = externals['@grafana/data'];
const runtime = externals['@grafana/runtime'];
const React = externals.react;
const ReactDOM = externals['react-dom'];
const { lastValueFrom, of } = externals.rxjs;

const FIXTURE = readFileSync(path.join(repoRoot, 'tests/fixtures/prometheus/cost_matrix.json'));
const FIXTURE_SUM = 5.4896;

const values = (field) => (typeof field.values.toArray === 'function' ? field.values.toArray() : Array.from(field.values));
const folderOf = (uri) => uri.slice(0, uri.lastIndexOf('/') + 1);
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

async function waitFor(check, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await settle();
  }
}

/** Requests since `start`, as [url, status] pairs. */
const requestsSince = (start) => requests.slice(start).map(({ url, status }) => [url, status]);

/** Asserts the engine chunk and the wasm were fetched, with 200, from `folder` and nowhere else. */
function assertEngineFrom(folder, start) {
  const seen = requestsSince(start);
  const chunk = seen.filter(([url]) => /\/engine\.[0-9a-f]+\.js$/.test(url));
  const wasm = seen.filter(([url]) => /\.wasm$/.test(url));
  assert.equal(chunk.length, 1, `one engine chunk request: ${JSON.stringify(seen)}`);
  assert.equal(wasm.length, 1, `one wasm request: ${JSON.stringify(seen)}`);
  for (const [url, status] of [...chunk, ...wasm]) {
    assert.ok(url.startsWith(folder), `${url} should be under ${folder}`);
    assert.equal(status, 200, `${url} answered ${status}`);
  }
}

runtime.setTemplateSrv({ replace: (text) => text ?? '' });

/** A backendSrv whose Prometheus answers every range query with the fixture's bytes. */
function fakeBackend() {
  const calls = [];
  runtime.setBackendSrv({
    fetch(options) {
      calls.push(options);
      const bytes = FIXTURE.buffer.slice(FIXTURE.byteOffset, FIXTURE.byteOffset + FIXTURE.byteLength);
      return of({ data: bytes, status: 200, ok: true });
    },
  });
  return calls;
}

async function runDatasource(pluginId, moduleUrl) {
  const { exports, uri } = loadModule(pluginId, moduleUrl);
  assert.ok(exports.plugin instanceof DataSourcePlugin, 'plugin is a DataSourcePlugin');
  const calls = fakeBackend();
  const ds = new exports.plugin.DataSourceClass({
    id: 1,
    uid: 'fl',
    type: 'fleetlens-views-datasource',
    name: 'FleetLens',
    url: '/api/datasources/proxy/uid/fl',
    jsonData: {},
    meta: {},
  });
  const from = dateTime(1_740_338_400_000);
  const to = dateTime(1_740_342_000_000);
  const response = await lastValueFrom(
    ds.query({
      requestId: 'Q1',
      interval: '60s',
      intervalMs: 60_000,
      range: { from, to, raw: { from, to } },
      scopedVars: {},
      targets: [{ refId: 'A', expr: 'claude_code_cost_usage_USD_total' }],
      timezone: 'utc',
      app: 'dashboard',
      startTime: Date.now(),
    })
  );
  return { uri, response, calls };
}

/** Each panel, frames of raw series it computes from, and what its rendered text must match. */
const PANELS = [
  { id: 'fleetlens-cost-panel', dir: 'panels/cost', frames: () => fixtureFrames(), expect: /Total\$\d+\.\d\d/ },
  { id: 'fleetlens-slo-panel', dir: 'panels/slo', frames: () => counterFrames('http_requests_total', { status: '200', endpoint: '/a' }), expect: /Budget remaining/ },
  { id: 'fleetlens-agents-panel', dir: 'panels/agents', frames: () => counterFrames('claude_agent_tasks_completed_total', { agent_id: 'a1' }), expect: /a1/ },
];

/** One counter over the fixture's hour, one sample a minute. */
function counterFrames(name, labels) {
  const times = Array.from({ length: 61 }, (_, i) => 1740338400000 + i * 60000);
  return [
    toDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: times },
        { name: 'Value', type: FieldType.number, labels: { __name__: name, ...labels }, values: times.map((_, i) => i * 10) },
      ],
    }),
  ];
}

async function renderPanel(pluginId, moduleUrl, series) {
  const { exports, uri } = loadModule(pluginId, moduleUrl);
  assert.ok(exports.plugin instanceof PanelPlugin, 'plugin is a PanelPlugin');
  const container = document.createElement('div');
  document.body.appendChild(container);
  const times = series.flatMap((frame) => values(frame.fields[0]));
  const timeRange = { from: dateTime(Math.min(...times)), to: dateTime(Math.max(...times)), raw: { from: 'now-1h', to: 'now' } };
  const props = {
    id: 1,
    data: { series, state: LoadingState.Done, timeRange },
    timeRange,
    timeZone: 'utc',
    width: 400,
    height: 200,
    title: 'Cost',
    transparent: false,
    renderCounter: 0,
    options: {},
    fieldConfig: { defaults: { unit: 'currencyUSD' }, overrides: [] },
    replaceVariables: (s) => s,
    onOptionsChange() {},
    onFieldConfigChange() {},
    onChangeTimeRange() {},
    eventBus: {},
  };
  ReactDOM.render(React.createElement(exports.plugin.panel, props), container);
  const text = await waitFor(() => {
    const t = container.textContent;
    return t && !/^\s*$/.test(t) && !/^Loading/.test(t) ? t : undefined;
  }, 'the panel to render');
  ReactDOM.unmountComponentAtNode(container);
  container.remove();
  return { uri, text };
}

const fixtureFrames = () => {
  const prom = JSON.parse(FIXTURE.toString('utf8'));
  return prom.data.result.map((series) =>
    toDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: series.values.map(([t]) => t * 1000) },
        { name: 'Value', type: FieldType.number, labels: series.metric, values: series.values.map(([, v]) => Number(v)) },
      ],
    })
  );
};

afterEach(() => hidden.clear());
after(() => closeDom());

describe('dist bundles', () => {
  const jsFiles = readdirSync(distDir, { recursive: true }).filter((f) => f.endsWith('.js'));

  it('contain no import.meta and no build-machine paths', () => {
    assert.ok(jsFiles.length >= 5, `expected module.js files and chunks, got ${jsFiles}`);
    for (const file of jsFiles) {
      const code = readFileSync(path.join(distDir, file), 'utf8');
      assert.ok(!code.includes('import.meta'), `${file} contains import.meta`);
      assert.ok(!code.includes('file://'), `${file} contains a file:// URL`);
      assert.ok(!code.includes(repoRoot), `${file} contains the build path`);
    }
  });

  it('put a wasm beside each nested module.js and none at the app root', () => {
    const wasm = readdirSync(distDir, { recursive: true }).filter((f) => f.endsWith('.wasm')).sort();
    assert.equal(wasm.length, 1 + PANELS.length, String(wasm));
    assert.match(wasm[0], /^datasource\/fleetlens_bg\.[0-9a-f]+\.wasm$/);
    for (const { dir } of PANELS) {
      assert.ok(
        wasm.some((f) => new RegExp(`^${dir}/fleetlens_bg\\.[0-9a-f]+\\.wasm$`).test(f)),
        `${dir}: ${wasm}`
      );
    }
  });
});

for (const [scheme, urls] of Object.entries(SCHEMES)) {
  describe(scheme, () => {
    it('app: module.js exports an AppPlugin and imports only Grafana externals', () => {
      const { exports, deps } = loadModule('fleetlens-app', urls['fleetlens-app']);
      assert.ok(exports.plugin instanceof AppPlugin);
      assert.deepEqual(deps.filter((d) => d !== 'module' && !(d in externals)), []);
    });

    it(`data source: engine loads from ${path.dirname(urls['fleetlens-views-datasource'])}/ and decodes the query`, async () => {
      const start = requests.length;
      const { uri, response, calls } = await runDatasource('fleetlens-views-datasource', urls['fleetlens-views-datasource']);
      assert.equal(response.error, undefined, JSON.stringify(response.error));
      assert.equal(calls.length, 1);
      assert.equal(calls[0].url, '/api/datasources/proxy/uid/fl/api/v1/query_range');
      assert.equal(calls[0].responseType, 'arraybuffer');
      assert.equal(response.data.length, 3);
      const latest = response.data.map((frame) => values(frame.fields[1]).at(-1));
      assert.ok(Math.abs(latest.reduce((a, b) => a + b, 0) - FIXTURE_SUM) < 1e-9, `latest values ${latest}`);
      assertEngineFrom(folderOf(uri), start);
    });

    for (const panel of PANELS) {
      it(`${panel.id}: engine loads from ${path.dirname(urls[panel.id])}/ and the panel computes from raw series`, async () => {
        const start = requests.length;
        const { uri, text } = await renderPanel(panel.id, urls[panel.id], panel.frames());
        assert.match(text, panel.expect);
        assert.doesNotMatch(text, /^(Error|Unexpected data|Metric not found)/);
        assertEngineFrom(folderOf(uri), start);
      });
    }
  });
}

describe('the create-plugin layout (grafana/plugin-tools#2172) is caught', () => {
  // As if webpack had written the engine chunk and wasm to the app root only: the nested folders
  // lack them, so what a nested module.js asks for beside itself is a 404.
  const hideNested = () => {
    for (const dir of ['datasource', ...PANELS.map((p) => p.dir)]) {
      for (const file of readdirSync(path.join(distDir, dir))) {
        if (/^engine\..*\.js$|\.wasm$/.test(file)) {
          hidden.add(`${dir}/${file}`);
        }
      }
    }
  };

  for (const [scheme, urls] of Object.entries(SCHEMES)) {
    it(`${scheme}: the data source reports the failed load as a query error`, async () => {
      hideNested();
      const start = requests.length;
      const { response } = await runDatasource('fleetlens-views-datasource', urls['fleetlens-views-datasource']);
      assert.match(response.error?.message ?? '', /Loading chunk .* failed/);
      assert.ok(requestsSince(start).some(([, status]) => status === 404));
    });

    for (const panel of PANELS) {
      it(`${scheme}: ${panel.id} shows the failed load instead of its figures`, async () => {
        hideNested();
        const { text } = await renderPanel(panel.id, urls[panel.id], panel.frames());
        assert.match(text, /the FleetLens engine did not load: .*Loading chunk .* failed/);
      });
    }
  }
});
