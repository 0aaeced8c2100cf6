// @vitest-environment jsdom
import { DataQueryRequest, DataSourceInstanceSettings, dateTime } from '@grafana/data';
import { BackendSrvRequest, setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { Observable, lastValueFrom, of, throwError } from 'rxjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { FleetLensDataSource } from './datasource';
import { FleetLensOptions, FleetLensQuery } from './types';

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
setTemplateSrv({ replace: (text?: string) => (text ?? '').replace(/\$model/g, 'opus') } as never);

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

const ok = (data: ArrayBuffer) => of({ data, status: 200, ok: true });

describe('FleetLensDataSource.query', () => {
  beforeEach(() => fetch.mockReset());

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
  beforeEach(() => fetch.mockReset());

  it('succeeds when Prometheus answers the probe', async () => {
    fetch.mockReturnValue(ok(bytes('{"status":"success","data":{"resultType":"scalar","result":[1740338400,"1"]}}')));
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
