// @vitest-environment jsdom
import { DataQueryRequest, DataSourceInstanceSettings, FieldType, ScopedVars, dateTime, toDataFrame } from '@grafana/data';
import { BackendSrvRequest, setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { Observable, lastValueFrom, of, throwError } from 'rxjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { FleetLensDataSource } from './datasource';
import { FleetLensOptions, FleetLensQuery, SloDefinition } from './types';

import { fieldValues } from '../shared/frames';
import { promFixture } from '../shared/test-engine';

// The real engine, instantiated synchronously from the built wasm.
vi.mock('../shared/engine', async () => {
  const engine = (await import('../shared/test-engine')).realEngine();
  return { loadEngine: () => Promise.resolve(engine), wasmSupported: () => true };
});

const toArrayBuffer = (buf: Uint8Array): ArrayBuffer => Uint8Array.from(buf).buffer;
const fixture = toArrayBuffer(promFixture('cost_matrix.json'));
const bytes = (text: string) => toArrayBuffer(new TextEncoder().encode(text));

const fetch = vi.fn<(options: BackendSrvRequest) => Observable<unknown>>();
setBackendSrv({ fetch } as never);
// `$model` is a dashboard variable; `$__range` and friends come in the scoped vars, as Grafana passes them.
setTemplateSrv({
  replace: (text?: string, vars?: ScopedVars) =>
    (text ?? '').replace(/\$(\w+)/g, (whole, name: string) => (name === 'model' ? 'opus' : (vars?.[name]?.value as string | undefined) ?? whole)),
} as never);

const settings = { id: 1, uid: 'fl', type: 'fleetlens-views-datasource', name: 'FleetLens', url: '/api/datasources/proxy/uid/fl', jsonData: {} };
const ds = new FleetLensDataSource(settings as unknown as DataSourceInstanceSettings<FleetLensOptions>);

function request(targets: FleetLensQuery[]): DataQueryRequest<FleetLensQuery> {
  const from = dateTime(1_740_338_400_000);
  const to = dateTime(1_740_342_000_000);
  return {
    requestId: 'Q7',
    interval: '15s',
    intervalMs: 15_000,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  } as DataQueryRequest<FleetLensQuery>;
}

const ok = (data: unknown) => of({ data, status: 200, ok: true });

describe('FleetLensDataSource.query', () => {
  beforeEach(() => {
    fetch.mockReset();
  });

  it('posts one form-encoded range query per visible target and decodes the bytes', async () => {
    fetch.mockReturnValue(ok(fixture));
    const response = await lastValueFrom(
      ds.query(
        request([
          { refId: 'A', expr: 'sum by (model) (cost{model="$model"})', legendFormat: '{{model}}' },
          { refId: 'B', expr: '  ' },
          { refId: 'C', expr: 'up', hide: true },
        ])
      )
    );
    expect(fetch).toHaveBeenCalledTimes(1);
    const options = fetch.mock.calls[0][0];
    expect(options).toMatchObject({
      url: '/api/datasources/proxy/uid/fl/api/v1/query_range',
      method: 'POST',
      requestId: 'Q7-A',
      responseType: 'arraybuffer',
      showErrorAlert: false,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(Object.fromEntries(new URLSearchParams(options.data))).toEqual({
      query: 'sum by (model) (cost{model="opus"})',
      start: '1740338400',
      end: '1740342000',
      step: '15',
    });
    expect(response.error).toBeUndefined();
    expect(response.data).toHaveLength(3);
    expect(response.data.map((frame) => frame.refId)).toEqual(['A', 'A', 'A']);
    expect(response.data[0].fields[1].config.displayNameFromDS).toBe(response.data[0].fields[1].labels.model);
  });

  it('answers an empty response when no target has an expression', async () => {
    const response = await lastValueFrom(ds.query(request([{ refId: 'A', expr: '' }])));
    expect(response.data).toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("turns an HTTP error's Prometheus body into the target's error", async () => {
    const body = bytes('{"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected <EOF>"}');
    fetch.mockReturnValueOnce(ok(fixture)).mockReturnValueOnce(throwError(() => ({ status: 400, statusText: 'Bad Request', data: body })));
    const response = await lastValueFrom(ds.query(request([{ refId: 'A', expr: 'up' }, { refId: 'B', expr: 'sum(' }])));
    expect(response.data).toHaveLength(3);
    expect(response.error).toEqual({ refId: 'B', message: 'HTTP 400 Bad Request: bad_data: 1:4: parse error: unexpected <EOF>' });
    expect((response as { errors?: unknown[] }).errors).toHaveLength(1);
  });

  it('reports what the engine could not decode', async () => {
    fetch.mockReturnValue(ok(bytes('<html><title>Sign in</title></html>')));
    const response = await lastValueFrom(ds.query(request([{ refId: 'A', expr: 'up' }])));
    expect(response.error?.message).toMatch(/HTML page/);
    expect(response.data).toEqual([]);
  });

  it('cancels the request when the caller unsubscribes', async () => {
    const teardown = vi.fn();
    fetch.mockReturnValue(new Observable(() => teardown));
    const subscription = ds.query(request([{ refId: 'A', expr: 'up' }])).subscribe();
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    subscription.unsubscribe();
    expect(teardown).toHaveBeenCalledTimes(1);
  });
});

describe('FleetLensDataSource.testDatasource', () => {
  beforeEach(() => {
    fetch.mockReset();
  });

  it('succeeds when Prometheus answers the probe', async () => {
    fetch.mockImplementation((options) =>
      options.url.includes('__name__')
        ? ok({ status: 'success', data: ['up'] })
        : ok(bytes('{"status":"success","data":{"resultType":"scalar","result":[1740338400,"1"]}}'))
    );
    const result = await ds.testDatasource();
    expect(result.status).toBe('success');
    expect(result.message).toMatch(/engine \d+\.\d+\.\d+ is ready/);
    expect(fetch.mock.calls[0][0]).toMatchObject({ url: '/api/datasources/proxy/uid/fl/api/v1/query', params: { query: '1' } });
  });

  it('fails with the reason', async () => {
    fetch.mockReturnValue(throwError(() => ({ status: 502, statusText: 'Bad Gateway', data: bytes('{"message":"connection refused"}') })));
    expect(await ds.testDatasource()).toEqual({
      status: 'error',
      message: 'Cannot query Prometheus: HTTP 502 Bad Gateway: connection refused',
    });
  });
});

const T_TO = 1_740_342_000_000;
const DAY_MS = 86_400_000;
const json = (body: unknown) => ok(body);
const names = (list: string[]) => json({ status: 'success', data: list });

/** A matrix body: one series with `labels` and `[ms, value]` samples. */
function matrix(labels: Record<string, string>, samples: Array<[number, number]>): ArrayBuffer {
  const values = samples.map(([t, v]) => [t / 1000, String(v)]);
  return bytes(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: labels, values }] } }));
}

const availability: SloDefinition = {
  name: 'API availability',
  objective: 0.99,
  period: { rolling: '1d' },
  sli: { ratio: { bad: { metric: 'http_requests_total', matchers: [{ label: 'status', op: '=~', value: '5..' }] }, total: { metric: 'http_requests_total' } } },
};

function dataSource(jsonData: FleetLensOptions): FleetLensDataSource {
  return new FleetLensDataSource({ ...settings, jsonData } as unknown as DataSourceInstanceSettings<FleetLensOptions>);
}

const probeOk = () => ok(bytes('{"status":"success","data":{"resultType":"scalar","result":[1740338400,"1"]}}'));

describe('FleetLensDataSource.testDatasource coverage', () => {
  beforeEach(() => {
    fetch.mockReset();
  });

  it('names the metrics found, the naming variant and exactly the roles that are missing', async () => {
    const held = ['claude_code_cost_usage_USD_total', 'claude_code_token_usage_tokens_total', 'claude_code_commit_count_total', 'http_requests_total', 'up'];
    fetch.mockImplementation((options) => (options.url.includes('__name__') ? names(held) : probeOk()));
    const result = await dataSource({ slos: [availability, { ...availability, name: 'Latency', sli: { latency: { histogram: { metric: 'rpc_seconds' }, thresholdSeconds: 0.3 } } }] }).testDatasource();
    expect(result.status).toBe('success');
    const m = result.message;
    expect(m).toContain('with 5 metric names');
    expect(m).toContain('Naming: OTel Collector names.');
    expect(m).toContain('cost: found (claude_code_cost_usage_USD_total); tokens: found (claude_code_token_usage_tokens_total); commits: found (claude_code_commit_count_total)');
    expect(m).toContain('pull requests: missing — $/PR unavailable; no metric name among the 3 that exist contains "pull_request"');
    expect(m).toContain('lines of code: missing — $/1k lines unavailable;');
    expect(m).toContain('SLO "API availability": found (http_requests_total)');
    expect(m).toContain('SLO "Latency": missing rpc_seconds_bucket');
    expect(m).toContain('agents: missing — none of the agent metrics exist');
    // Four roles of the ten are neither found nor named missing: 3 found + 7 missing.
    expect(m.match(/: found \(claude/g)).toHaveLength(3);
    expect(m.match(/: missing — /g)).toHaveLength(8);
  });

  it('still lists the other roles when the cost counter is missing', async () => {
    fetch.mockImplementation((options) => (options.url.includes('__name__') ? names(['claude_code_commit_count_total', 'claude_agent_load']) : probeOk()));
    const { message } = await dataSource({}).testDatasource();
    expect(message).toMatch(/cost: missing — no cost figure can be shown \(cost view: metric not found: looked for claude_code_cost_usage_USD_total/);
    expect(message).toContain('commits: found (claude_code_commit_count_total)');
    expect(message).toContain('agents: 1 of 12 metrics found (missing: tasksCompleted, tasksFailed, taskDuration, heartbeat,');
  });

  it('says to check the credentials on 401 and 403', async () => {
    for (const status of [401, 403]) {
      fetch.mockReset().mockReturnValue(throwError(() => ({ status, statusText: 'Unauthorized', data: bytes('{"message":"invalid token"}') })));
      const result = await dataSource({}).testDatasource();
      expect(result.status).toBe('error');
      expect(result.message).toMatch(new RegExp(`^Prometheus refused the request \\(HTTP ${status} Unauthorized: invalid token\\): check the credentials`));
    }
  });

  it('points at the URL when an HTML page answers', async () => {
    fetch.mockReturnValue(ok(bytes('<!doctype html><html><title>Grafana</title></html>')));
    const { status, message } = await dataSource({}).testDatasource();
    expect(status).toBe('error');
    expect(message).toMatch(/web page, not the Prometheus API: check the URL/);
  });

  it('sends the tenant with the probe', async () => {
    fetch.mockImplementation((options) => (options.url.includes('__name__') ? names([]) : probeOk()));
    await dataSource({ tenant: 'acme' }).testDatasource();
    for (const [options] of fetch.mock.calls) {
      expect(options.headers).toMatchObject({ 'X-Scope-OrgID': 'acme' });
    }
  });
});

/**
 * A Prometheus with `http_requests_total`: 0 a day and a minute before T_TO, then 1000 requests
 * at T_TO, 5 of them `status="500"` (the series a query with `status=~` selects).
 */
function serveRequests(): void {
  const before = T_TO - DAY_MS - 60_000;
  fetch.mockImplementation((options) => {
    if (options.url.includes('__name__')) {
      return names(['http_requests_total']);
    }
    const query = new URLSearchParams(options.data).get('query') ?? '';
    const bad = query.includes('status=~');
    return ok(matrix({ __name__: 'http_requests_total', ...(bad ? { status: '500' } : {}) }, [[before, 0], [T_TO, bad ? 5 : 1000]]));
  });
}

describe('FleetLensDataSource views end to end', () => {
  beforeEach(() => {
    fetch.mockReset();
  });

  it('computes an SLO summary from raw samples fetched with the tenant header', async () => {
    // Rolling 1 d ending at T_TO. Both counters have a sample 60 s before the period (the
    // baseline, 0) and one at T_TO: total 1000, bad 5. SLI = 1 − 5/1000 = 0.995; budget = 1 −
    // 0.99 = 0.01; consumed = 0.005 / 0.01 = 0.5; remaining 0.5.
    serveRequests();
    const response = await lastValueFrom(dataSource({ tenant: 'acme', slos: [availability] }).query(request([{ refId: 'A', view: 'slo', output: 'summary', slo: 'API availability' }])));
    expect(response.error).toBeUndefined();
    const frame = response.data[0];
    const value = (name: string) => fieldValues(frame.fields.find((f: { name: string }) => f.name === name))[0];
    expect(value('sli')).toBeCloseTo(0.995, 12);
    expect(value('objective')).toBe(0.99);
    expect(value('budget consumed')).toBeCloseTo(0.5, 12);
    expect(value('budget remaining')).toBeCloseTo(0.5, 12);
    const posts = fetch.mock.calls.map(([o]) => o).filter((o) => o.url.endsWith('/api/v1/query'));
    expect(posts).toHaveLength(2);
    for (const o of [...posts, fetch.mock.calls[0][0]]) {
      expect(o.headers).toMatchObject({ 'X-Scope-OrgID': 'acme' });
    }
    expect(posts.every((o) => o.responseType === 'arraybuffer' && o.method === 'POST')).toBe(true);
  });

  it('fetches the raw samples once for several outputs of one view', async () => {
    serveRequests();
    const targets = ['summary', 'windows', 'budget', 'backtest'].map((output, i) => ({
      refId: String.fromCharCode(65 + i),
      view: 'slo' as const,
      output,
      slo: 'API availability',
    }));
    const response = await lastValueFrom(dataSource({ slos: [availability] }).query(request(targets)));
    expect(response.error).toBeUndefined();
    expect(new Set(response.data.map((f: { refId?: string }) => f.refId))).toEqual(new Set(['A', 'B', 'C', 'D']));
    const posts = fetch.mock.calls.map(([o]) => o).filter((o) => o.url.endsWith('/api/v1/query'));
    // Two selectors (bad, total): two requests, not eight.
    expect(posts).toHaveLength(2);
  });

  it('shares a fetch still in flight between concurrent queries, and fetches again once it settled', async () => {
    serveRequests();
    const shared = dataSource({ slos: [availability] });
    const panel = (refId: string, output: string) => lastValueFrom(shared.query(request([{ refId, view: 'slo', output, slo: 'API availability' }])));
    // Two panels refreshed together: one request per selector between them.
    const [a, b] = await Promise.all([panel('A', 'summary'), panel('B', 'windows')]);
    expect(a.error).toBeUndefined();
    expect(b.error).toBeUndefined();
    const posts = () => fetch.mock.calls.map(([o]) => o).filter((o) => o.url.endsWith('/api/v1/query'));
    expect(posts()).toHaveLength(2);
    // Settled fetches are not a cache: the next refresh asks Prometheus again.
    await panel('C', 'summary');
    expect(posts()).toHaveLength(4);
  });

  it("shows the engine's refusal of a range beyond 100 days as the query error", async () => {
    fetch.mockImplementation(() => names(['claude_code_cost_usage_USD_total']));
    const req = request([{ refId: 'A', view: 'cost', output: 'summary' }]);
    const from = dateTime(T_TO - 200 * DAY_MS);
    const response = await lastValueFrom(dataSource({}).query({ ...req, range: { ...req.range, from, raw: { ...req.range.raw, from } } }));
    expect(response.error?.message).toMatch(/^range: the cost view .* needs 200d5m of raw samples, more than the 100d fetched at once/);
  });

  it('says when a long PromQL range is queried at a coarser step', async () => {
    fetch.mockReturnValue(ok(fixture));
    const req = request([{ refId: 'A', expr: 'up' }]);
    // 30 days at a 15 s interval would be 172,800 points: the step becomes 236 s (range.test.ts).
    const from = dateTime(T_TO - 30 * DAY_MS);
    const response = await lastValueFrom(dataSource({}).query({ ...req, range: { ...req.range, from, raw: { ...req.range.raw, from } } }));
    expect(new URLSearchParams(fetch.mock.calls[0][0].data).get('step')).toBe('236');
    expect(response.data[0].meta.notices).toContainEqual({
      severity: 'info',
      text: "The range needs more than 11,000 points per series at the 15s interval, Prometheus' limit: queried at a 236s step instead.",
    });
  });

  it('interpolates dashboard variables and $__range in every view field', () => {
    const vars = { __range: { text: '1h', value: '1h' }, __interval: { text: '15s', value: '15s' } } as ScopedVars;
    const out = ds.applyTemplateVariables(
      { refId: 'A', view: 'slo', output: 'summary', groupBy: '$model', slo: 'SLO $model', sloInline: '{"period":{"rolling":"$__range"},"x":"$__interval"}', expr: 'rate(x[$__range])' },
      vars
    );
    expect(out).toMatchObject({ groupBy: 'opus', slo: 'SLO opus', sloInline: '{"period":{"rolling":"1h"},"x":"15s"}', expr: 'rate(x[1h])', view: 'slo', output: 'summary' });
  });
});

describe('FleetLensDataSource.metricFindQuery', () => {
  beforeEach(() => {
    fetch.mockReset();
  });

  it('lists the SLO names of the settings', async () => {
    const values = await dataSource({ slos: [availability, '{ not json', { ...availability, name: 'Second' }] }).metricFindQuery('slos()');
    expect(values).toEqual([
      { text: 'API availability', value: 'API availability' },
      { text: 'Second', value: 'Second' },
    ]);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('asks label values with match[] and the tenant', async () => {
    fetch.mockReturnValue(names(['api', 'db']));
    const values = await dataSource({ tenant: 't1' }).metricFindQuery('label_values(up{env="$model"}, job)');
    expect(values.map((v) => v.text)).toEqual(['api', 'db']);
    const options = fetch.mock.calls[0][0];
    expect(options.url).toBe(`/api/datasources/proxy/uid/fl/api/v1/label/job/values?${new URLSearchParams({ 'match[]': 'up{env="opus"}' })}`);
    expect(options.headers).toEqual({ 'X-Scope-OrgID': 't1' });
  });

  it("reads models from the cost view's metrics and agents from the agent label", async () => {
    fetch.mockImplementation((options) =>
      options.url.includes('__name__') ? names(['claude_code_cost_usage_USD_total', 'claude_code_token_usage_tokens_total', 'claude_agent_load']) : names(['opus', 'sonnet'])
    );
    const ds2 = dataSource({ agents: { groupLabel: 'agent_name' } });
    expect((await ds2.metricFindQuery('models()')).map((v) => v.value)).toEqual(['opus', 'sonnet']);
    const models = new URL(fetch.mock.calls[1][0].url, 'http://x');
    expect(models.pathname).toBe('/api/datasources/proxy/uid/fl/api/v1/label/model/values');
    expect(models.searchParams.getAll('match[]')).toEqual(['claude_code_cost_usage_USD_total', 'claude_code_token_usage_tokens_total']);
    await ds2.metricFindQuery('agents()');
    const agents = new URL(fetch.mock.calls[fetch.mock.calls.length - 1][0].url, 'http://x');
    expect(agents.pathname).toBe('/api/datasources/proxy/uid/fl/api/v1/label/agent_name/values');
    expect(agents.searchParams.getAll('match[]')).toEqual(['claude_agent_load']);
  });

  it('refuses an unknown query with the syntax', async () => {
    await expect(ds.metricFindQuery('costs()')).rejects.toThrow(/unknown function costs\(\); use agents\(\), models\(\)/);
    await expect(ds.metricFindQuery('label_values(up, 1x)')).rejects.toThrow(/expected label_values\(label\) or label_values\(metric, label\)/);
  });
});

describe('FleetLensDataSource.annotations', () => {
  const support = ds.annotations!;

  it('defaults the output to backtest or hourly and skips other targets', () => {
    const anno = (target?: FleetLensQuery) => ({ enable: true, name: 'x', iconColor: 'red', target });
    expect(support.prepareQuery!(anno({ refId: '', view: 'slo', slo: 'A' }))).toEqual({ refId: 'Anno', view: 'slo', slo: 'A', output: 'backtest' });
    expect(support.prepareQuery!(anno({ refId: 'B', view: 'cost' }))?.output).toBe('hourly');
    expect(support.prepareQuery!(anno({ refId: 'B', view: 'agents' }))).toBeUndefined();
    expect(support.prepareQuery!(anno(undefined))).toBeUndefined();
  });

  it('turns backtest rows into regions and anomalous hours into events', async () => {
    const backtest = toDataFrame({
      name: 'API availability alert backtest',
      fields: [
        { name: 'time', type: FieldType.time, values: [1000, 5000] },
        { name: 'timeEnd', type: FieldType.time, values: [3000, 5000] },
        { name: 'severity', type: FieldType.string, values: ['page', 'ticket'] },
        { name: 'text', type: FieldType.string, values: ['burn 14.4x', 'burn 3x'] },
      ],
    });
    const hourly = toDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [3_600_000, 7_200_000, 10_800_000] },
        { name: 'cost', type: FieldType.number, values: [1, 9.5, 1] },
        { name: 'anomaly', type: FieldType.number, values: [0, 1, 0] },
      ],
    });
    const events = await lastValueFrom(support.processEvents!({ enable: true, name: 'a', iconColor: 'red' }, [backtest, hourly]));
    expect(events).toEqual([
      { time: 1000, timeEnd: 3000, isRegion: true, title: 'API availability alert backtest: page', text: 'burn 14.4x', tags: ['slo', 'page'], color: 'red' },
      { time: 5000, timeEnd: 5000, isRegion: false, title: 'API availability alert backtest: ticket', text: 'burn 3x', tags: ['slo', 'ticket'], color: 'orange' },
      { time: 3_600_000, timeEnd: 7_200_000, isRegion: true, title: 'Cost anomaly', text: '$9.50 in the hour, far above the recent hourly median', tags: ['cost', 'anomaly'], color: 'purple' },
    ]);
  });
});
