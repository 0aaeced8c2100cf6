// @vitest-environment jsdom
/**
 * The data source column of docs/bad-input.md: every class of bad input that can reach the data
 * source through Grafana's proxy or its settings, and the message the user sees for it. Each
 * request carries a healthy target A next to the bad one, which must still return its frames.
 */
import { DataQueryRequest, DataSourceInstanceSettings, dateTime } from '@grafana/data';
import { BackendSrvRequest, setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { Observable, lastValueFrom, of, throwError } from 'rxjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { FleetLensDataSource } from './datasource';
import { FleetLensOptions, FleetLensQuery, SloDefinition } from './types';

import { fieldValues } from '../shared/frames';

vi.mock('../shared/engine', async () => {
  const engine = (await import('../shared/test-engine')).realEngine();
  return { loadEngine: () => Promise.resolve(engine), wasmSupported: () => true };
});

const fetch = vi.fn<(options: BackendSrvRequest) => Observable<unknown>>();
setBackendSrv({ fetch } as never);
setTemplateSrv({ replace: (text?: string) => text ?? '' } as never);

const FROM = 1_740_338_400_000;
const TO = 1_740_342_000_000;
const DAY_MS = 86_400_000;

const buffer = (text: string): ArrayBuffer => Uint8Array.from(new TextEncoder().encode(text)).buffer;
const ok = (data: unknown) => of({ data, status: 200, ok: true });
const failure = (status: number, statusText: string, body = '') => throwError(() => ({ status, statusText, data: buffer(body) }));
const names = (list: string[]) => ok({ status: 'success', data: list });

/** A Prometheus matrix body of `series` ([labels, [[ms, value text], …]]). */
function matrix(series: Array<[Record<string, string>, Array<[number, string]>]>): ArrayBuffer {
  const result = series.map(([metric, samples]) => ({ metric, values: samples.map(([t, v]) => [t / 1000, v]) }));
  return buffer(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
}

const healthy = matrix([[{ __name__: 'up', job: 'api' }, [[FROM, '1'], [TO, '1']]]]);

function dataSource(jsonData: FleetLensOptions = {}): FleetLensDataSource {
  const settings = { id: 1, uid: 'fl', type: 'fleetlens-views-datasource', name: 'FleetLens', url: '/proxy', jsonData };
  return new FleetLensDataSource(settings as unknown as DataSourceInstanceSettings<FleetLensOptions>);
}

function request(targets: FleetLensQuery[], fromMs = FROM): DataQueryRequest<FleetLensQuery> {
  const from = dateTime(fromMs);
  const to = dateTime(TO);
  return {
    requestId: 'Q1',
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

/** Runs target A (`up`, healthy) and target B (`bad`, answered by `answer`). */
async function promqlPair(answer: () => Observable<unknown>) {
  fetch.mockImplementation((options) => (new URLSearchParams(options.data).get('query') === 'bad' ? answer() : ok(healthy)));
  const response = await lastValueFrom(dataSource().query(request([{ refId: 'A', expr: 'up' }, { refId: 'B', expr: 'bad' }])));
  const fromA = response.data.filter((f) => f.refId === 'A');
  expect(fromA, 'the healthy target still returns').toHaveLength(1);
  expect(fieldValues(fromA[0].fields[1])).toEqual([1, 1]);
  return response;
}

describe('data source: bodies that are not a Prometheus response', () => {
  beforeEach(() => {
    fetch.mockReset();
  });

  const cases: Array<{ name: string; body: string; status?: [number, string]; want: string | RegExp }> = [
    {
      name: 'malformed JSON',
      body: '{"status":"success","data":{"resultType":"matrix","result":[}]}}',
      // The `}` after `[` is byte 60 (0-based): 20 + 8 + 22 + 10 characters before it.
      want: "prometheus response: malformed JSON at byte 60: expected '{' in a series, found '}'",
    },
    {
      name: 'truncated JSON',
      body: '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[2,',
      // 94 bytes: 60 + 13 (`{"metric":{},`) + 10 (`"values":[`) + 8 (`[1,"2"],`) + 3 (`[2,`).
      want: 'prometheus response: the body ends at byte 94 in the middle of a sample (truncated response?)',
    },
    {
      name: 'an HTML page with 200 (a login page)',
      body: '<!DOCTYPE html><html><head><title>Sign in - SSO</title></head><body>…</body></html>',
      want: 'prometheus response: got an HTML page instead of JSON (is the URL a Prometheus API endpoint?): Sign in - SSO',
    },
    {
      name: "a proxy's HTML error page",
      body: '<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>',
      status: [502, 'Bad Gateway'],
      want: 'HTTP 502 Bad Gateway: HTML page "502 Bad Gateway"',
    },
    { name: 'an empty body', body: '', want: 'prometheus response: the body is empty' },
    { name: 'plain text', body: '404 page not found', want: 'prometheus response: expected a JSON object, the body starts with "404 page not found"' },
    {
      name: 'an unknown resultType',
      body: '{"status":"success","data":{"resultType":"table","result":[]}}',
      want: 'prometheus response: unsupported resultType "table" (expected matrix, vector, scalar or string)',
    },
    {
      name: 'a sample value that is not a number',
      body: '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}',
      want: /^prometheus response: sample value "abc" at byte \d+ is not a number$/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the target's error, the other target unharmed`, async () => {
      const response = await promqlPair(() => (c.status ? failure(c.status[0], c.status[1], c.body) : ok(buffer(c.body))));
      expect(response.error?.refId).toBe('B');
      if (typeof c.want === 'string') {
        expect(response.error?.message).toBe(c.want);
      } else {
        expect(response.error?.message).toMatch(c.want);
      }
    });
  }
});

describe('data source: HTTP statuses and timeouts', () => {
  beforeEach(() => {
    fetch.mockReset();
  });

  const cases: Array<{ status: number; text: string; body: string; want: string }> = [
    { status: 401, text: 'Unauthorized', body: '{"message":"invalid API key"}', want: 'HTTP 401 Unauthorized: invalid API key' },
    { status: 403, text: 'Forbidden', body: '{"message":"Access denied to this data source"}', want: 'HTTP 403 Forbidden: Access denied to this data source' },
    { status: 429, text: 'Too Many Requests', body: 'rate limit exceeded, retry in 10s', want: 'HTTP 429 Too Many Requests: rate limit exceeded, retry in 10s' },
    {
      status: 503,
      text: 'Service Unavailable',
      body: '{"status":"error","errorType":"unavailable","error":"too many queries in flight"}',
      want: 'HTTP 503 Service Unavailable: unavailable: too many queries in flight',
    },
    // Prometheus' own query timeout (--query.timeout) comes back as its error envelope.
    {
      status: 503,
      text: 'Service Unavailable',
      body: '{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}',
      want: 'HTTP 503 Service Unavailable: timeout: query timed out in expression evaluation',
    },
    // Grafana's proxy gives up on a slow upstream (dataproxy.timeout) with 504 and no body.
    { status: 504, text: 'Gateway Timeout', body: '', want: 'HTTP 504 Gateway Timeout' },
  ];
  for (const c of cases) {
    it(`${c.status} (${c.body || 'no body'})`, async () => {
      const response = await promqlPair(() => failure(c.status, c.text, c.body));
      expect(response.error).toEqual({ refId: 'B', message: c.want });
    });
  }

  it('a request cancelled by a refresh', async () => {
    const response = await promqlPair(() => throwError(() => ({ status: -1, cancelled: true, data: null })));
    expect(response.error).toEqual({ refId: 'B', message: 'Request cancelled' });
  });

  it('a network failure without a status', async () => {
    const response = await promqlPair(() => throwError(() => new TypeError('Failed to fetch')));
    expect(response.error).toEqual({ refId: 'B', message: 'Failed to fetch' });
  });

  it('a view whose metric listing is refused says which step failed', async () => {
    fetch.mockReturnValue(failure(403, 'Forbidden', '{"message":"Access denied"}'));
    const response = await lastValueFrom(dataSource().query(request([{ refId: 'A', view: 'cost', output: 'summary' }])));
    expect(response.error?.message).toBe('listing metric names failed: HTTP 403 Forbidden: Access denied');
  });
});

describe('data source: values and series', () => {
  beforeEach(() => {
    fetch.mockReset();
  });

  it('NaN and ±Inf samples arrive as NaN and ±Infinity, not as errors or zeros', async () => {
    const body = matrix([[{ __name__: 'ratio' }, [[FROM, 'NaN'], [FROM + 60_000, '+Inf'], [FROM + 120_000, '-Inf'], [FROM + 180_000, '0.5']]]]);
    const response = await promqlPair(() => ok(body));
    expect(response.error).toBeUndefined();
    const b = response.data.find((f) => f.refId === 'B');
    expect(fieldValues(b.fields[1])).toEqual([NaN, Infinity, -Infinity, 0.5]);
  });

  it('an empty result is no frames for that target and no error', async () => {
    const response = await promqlPair(() => ok(buffer('{"status":"success","data":{"resultType":"matrix","result":[]}}')));
    expect(response.error).toBeUndefined();
    expect(response.data.filter((f) => f.refId === 'B').every((f) => f.length === 0)).toBe(true);
  });

  it('series on different time grids keep their own timestamps', async () => {
    const body = matrix([
      [{ __name__: 'x', i: '15s' }, [[FROM, '1'], [FROM + 15_000, '2'], [FROM + 30_000, '3']]],
      [{ __name__: 'x', i: '20s' }, [[FROM + 7_000, '4'], [FROM + 27_000, '5']]],
    ]);
    const response = await promqlPair(() => ok(body));
    const b = response.data.filter((f) => f.refId === 'B');
    expect(b.map((f) => fieldValues(f.fields[0]))).toEqual([
      [FROM, FROM + 15_000, FROM + 30_000],
      [FROM + 7_000, FROM + 27_000],
    ]);
  });

  it('a label explosion (10^5 series) decodes into one frame per series', async () => {
    const result = Array.from({ length: 100_000 }, (_, i) => ({ metric: { __name__: 'x', id: String(i) }, values: [[FROM / 1000, String(i)]] }));
    const body = buffer(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
    const t0 = performance.now();
    const response = await promqlPair(() => ok(body));
    const elapsed = performance.now() - t0;
    const b = response.data.filter((f) => f.refId === 'B');
    expect(b).toHaveLength(100_000);
    expect(fieldValues(b[99_999].fields[1])).toEqual([99_999]);
    expect(b[99_999].fields[1].labels).toEqual({ __name__: 'x', id: '99999' });
    // Measured 3 s (8.5 s with two builds running) on the 2-core machine; a quadratic step
    // would take minutes.
    expect(elapsed).toBeLessThan(30_000);
  }, 60_000);
});

const availability: SloDefinition = {
  name: 'API availability',
  objective: 0.99,
  period: { rolling: '1d' },
  sli: { ratio: { bad: { metric: 'http_requests_total', matchers: [{ label: 'status', op: '=~', value: '5..' }] }, total: { metric: 'http_requests_total' } } },
};

/** Answers the metric listing with `held`, each instant query with `raw(query)`. */
function upstream(held: string[], raw: (query: string) => ArrayBuffer) {
  fetch.mockImplementation((options) => {
    if (options.url.includes('__name__')) {
      return names(held);
    }
    const query = new URLSearchParams(options.data).get('query') ?? '';
    return query === 'up' ? ok(healthy) : ok(raw(query));
  });
}

describe('data source: views on bad raw samples and bad settings', () => {
  beforeEach(() => {
    fetch.mockReset();
  });

  async function view(settings: FleetLensOptions, target: Partial<FleetLensQuery>, fromMs = FROM) {
    const response = await lastValueFrom(
      dataSource(settings).query(request([{ refId: 'A', expr: 'up' }, { refId: 'B', ...target } as FleetLensQuery], fromMs))
    );
    expect(response.data.filter((f) => f.refId === 'A'), 'the PromQL target still returns').toHaveLength(1);
    return response;
  }

  it('an unknown metric: what was looked for and what exists', async () => {
    upstream(['up', 'node_cpu_seconds_total'], () => healthy);
    const response = await view({}, { view: 'cost', output: 'summary' });
    expect(response.error?.refId).toBe('B');
    expect(response.error?.message).toMatch(/^cost view: metric not found: looked for claude_code_cost_usage_USD_total/);
    expect(response.error?.message).toContain('node_cpu_seconds_total');
  });

  it('an SLO objective outside (0, 1), inline', async () => {
    upstream(['http_requests_total'], () => healthy);
    const response = await view({}, { view: 'slo', output: 'summary', sloInline: JSON.stringify({ ...availability, objective: 99.9 }) });
    expect(response.error).toEqual({ refId: 'B', message: 'config: slo API availability: objective 99.9 is outside (0, 1) (write 99.9 % as 0.999)' });
  });

  it('an SLO window that is not a duration', async () => {
    upstream(['http_requests_total'], () => healthy);
    const response = await view({ slos: [{ ...availability, period: { rolling: '30 days' } }] }, { view: 'slo', output: 'summary', slo: 'API availability' });
    expect(response.error?.message).toBe('duration: "30 days" has an unknown unit (examples: 15s, 5m, 1h30m, 30d)');
  });

  it('an SLO name the settings do not define', async () => {
    upstream(['http_requests_total'], () => healthy);
    const response = await view({ slos: [availability] }, { view: 'slo', output: 'summary', slo: 'Latency' });
    expect(response.error?.message).toBe('SLO "Latency" is not defined in the data source settings (defined: API availability)');
  });

  it('a price table with a negative price', async () => {
    upstream(['claude_code_cost_usage_USD_total'], () => healthy);
    const prices = [{ model: 'opus', effectiveFrom: '2025-01-01', input: -15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }];
    const response = await view({ prices }, { view: 'cost', output: 'summary' });
    expect(response.error?.message).toBe('config: prices: input price -15 of opus (from 2025-01-01) must be a number ≥ 0');
    const prices2 = [{ model: 'opus', input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }];
    const response2 = await view({ prices: prices2 }, { view: 'cost', output: 'summary' });
    expect(response2.error?.message).toBe('config: cost: missing field `effectiveFrom` at line 1 column 85');
  });

  it('a price that is text', async () => {
    upstream(['claude_code_cost_usage_USD_total'], () => healthy);
    const prices = [{ model: 'opus', effectiveFrom: '2025-01-01', input: 'fifteen', output: 75, cacheWrite: 18.75, cacheRead: 1.5 }];
    const response = await view({ prices }, { view: 'cost', output: 'summary' });
    expect(response.error?.message).toBe('config: cost: invalid type: string "fifteen", expected f64 at line 1 column 73');
  });

  it('a time zone that does not exist', async () => {
    upstream(['claude_code_cost_usage_USD_total'], () => healthy);
    const response = await view({ timezone: 'Mars/Olympus' }, { view: 'cost', output: 'summary' });
    expect(response.error).toEqual({ refId: 'B', message: 'time zone "Mars/Olympus" does not exist (use an IANA name such as Europe/Berlin)' });
  });

  it('a range beyond what one fetch holds', async () => {
    upstream(['claude_code_cost_usage_USD_total'], () => healthy);
    const response = await view({}, { view: 'cost', output: 'summary' }, TO - 200 * DAY_MS);
    expect(response.error?.message).toMatch(/^range: the cost view .* more than the 100d fetched at once/);
  });

  it('a counter reset and a negative counter: the value counted as Prometheus does, plus a notice', async () => {
    // total: 0 → 1000 → 10 (a reset: +10) → 20 = 1000 + 10 + 10 = 1020 requests.
    // bad: 0 → 5 → 3 (reset: +3) → 5 (+2) → 3 (+3) → −2 (a drop to a negative value counts 0)
    // → 6 (+8) = 5 + 3 + 2 + 3 + 0 + 8 = 21. SLI = 1 − 21/1020.
    upstream(['http_requests_total'], (query) =>
      query.includes('status=~')
        ? matrix([[{ __name__: 'http_requests_total', status: '500' }, [[TO - DAY_MS - 60_000, '0'], [TO - 3_600_000, '5'], [TO - 3_590_000, '3'], [TO - 3_580_000, '5'], [TO - 3_570_000, '3'], [TO - 60_000, '-2'], [TO, '6']]]])
        : matrix([[{ __name__: 'http_requests_total' }, [[TO - DAY_MS - 60_000, '0'], [TO - 7_200_000, '1000'], [TO - 3_600_000, '10'], [TO, '20']]]])
    );
    const response = await view({ slos: [availability] }, { view: 'slo', output: 'summary', slo: 'API availability' });
    expect(response.error).toBeUndefined();
    const [frame] = response.data.filter((f) => f.refId === 'B');
    expect(fieldValues(frame.fields.find((f: { name: string }) => f.name === 'sli'))[0]).toBeCloseTo(1 - 21 / 1020, 12);
    expect(frame.meta.notices).toEqual([
      {
        severity: 'warning',
        text:
          'counter http_requests_total{status="500"} has 1 negative values; counters never go below zero. A drop is read as a reset ' +
          '(the new value counts from zero, as in Prometheus), so its increase may be wrong: check that the exporter does not write ' +
          "a gauge or a delta under a counter's name",
      },
    ]);
  });

  it('colliding writers: the cost view counts what increase() counts and names the cause', async () => {
    // Two writers of one series: A = 100, 102, …, 110 and B = 6, 8, …, 16, interleaved after a
    // baseline of 0. Each writer rises by 10: 20 in all, where the plain reset rule counts
    // 100 + 6 + 5 × 96 + (8 + 10 + … + 16) = 646.
    const a = [100, 102, 104, 106, 108, 110];
    const b = [6, 8, 10, 12, 14, 16];
    const samples: Array<[number, string]> = [[TO - 3_600_000 - 60_000, '0']];
    a.forEach((v, i) => {
      samples.push([TO - 3_000_000 + i * 120_000, String(v)]);
      samples.push([TO - 3_000_000 + i * 120_000 + 60_000, String(b[i])]);
    });
    upstream(['claude_code_cost_usage_USD_total'], () => matrix([[{ __name__: 'claude_code_cost_usage_USD_total', model: 'opus' }, samples]]));
    const response = await view({}, { view: 'cost', output: 'summary' });
    const [frame] = response.data.filter((f) => f.refId === 'B');
    expect(response.error).toBeUndefined();
    // The default (exact) mode counts what Prometheus' increase() counts, and names the cause.
    expect(fieldValues(frame.fields.find((f: { name: string }) => f.name === 'total cost'))[0]).toBe(646);
    expect(frame.meta.notices).toContainEqual({
      severity: 'warning',
      text:
        'cost series claude_code_cost_usage_USD_total{model="opus"}: 6 resets, 100.0 % of the exact total; several writers on one series ' +
        '(increase() overstates it; robust mode removes the phantom increases)',
    });
  });

  it('histogram buckets without +Inf: the error; buckets that are not monotone: raised, with a notice', async () => {
    const latency = { name: 'Latency', objective: 0.9, period: { rolling: '1d' }, sli: { latency: { histogram: { metric: 'rpc_seconds' }, thresholdSeconds: 0.3 } } } as unknown as SloDefinition;
    const bucket = (le: string, v: string): [Record<string, string>, Array<[number, string]>] => [{ __name__: 'rpc_seconds_bucket', le }, [[TO - DAY_MS - 60_000, '0'], [TO, v]]];
    upstream(['rpc_seconds_bucket'], () => matrix([bucket('0.1', '50'), bucket('0.3', '40'), bucket('1', '90')]));
    let response = await view({ slos: [latency] }, { view: 'slo', output: 'summary', slo: 'Latency' });
    expect(response.error).toEqual({ refId: 'B', message: 'histogram: histogram rpc_seconds has no +Inf bucket' });

    // le 0.3 holds 40 < 50 below it: raised to 50. Good = 50 of 100: SLI 0.5.
    upstream(['rpc_seconds_bucket'], () => matrix([bucket('0.1', '50'), bucket('0.3', '40'), bucket('1', '90'), bucket('+Inf', '100')]));
    response = await view({ slos: [latency] }, { view: 'slo', output: 'summary', slo: 'Latency' });
    expect(response.error).toBeUndefined();
    const [frame] = response.data.filter((f) => f.refId === 'B');
    expect(fieldValues(frame.fields.find((f: { name: string }) => f.name === 'sli'))[0]).toBeCloseTo(0.5, 12);
    const [notice] = frame.meta.notices;
    expect(notice.severity).toBe('warning');
    expect(notice.text).toMatch(/^histogram rpc_seconds: bucket counts decrease as le grows in \d+ of the windows evaluated \(le 0\.3 to 0\.3, by up to 10\); they were raised/);
    // One line of prose: no runs of spaces from a broken line continuation.
    expect(notice.text).not.toMatch(/\s{2}/);
  });
});
