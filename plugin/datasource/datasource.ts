import {
  CoreApp,
  DataFrame,
  DataQueryError,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  ScopedVars,
} from '@grafana/data';
import { BackendSrvRequest, FetchResponse, getBackendSrv, getTemplateSrv } from '@grafana/runtime';
import { Observable, catchError, forkJoin, from, lastValueFrom, map, of, switchMap } from 'rxjs';

import { loadEngine } from '../shared/engine';
import { errorMessage } from '../shared/errors';
import { decodedToFrames } from '../shared/frames';
import { rangeParams } from './range';
import { DEFAULT_QUERY, FleetLensOptions, FleetLensQuery } from './types';

/** What one target contributes to the response. */
interface TargetResult {
  frames: DataFrame[];
  error?: DataQueryError;
}

/** `DataQueryResponse` as Grafana 10+ reads it (`errors`); 9.4 reads `error`. */
type Response = DataQueryResponse & { errors?: DataQueryError[] };

/**
 * Frontend data source: runs PromQL range queries through Grafana's data source proxy and decodes
 * the raw response bytes with the wasm engine.
 */
export class FleetLensDataSource extends DataSourceApi<FleetLensQuery, FleetLensOptions> {
  readonly url: string;

  constructor(instanceSettings: DataSourceInstanceSettings<FleetLensOptions>) {
    super(instanceSettings);
    this.url = instanceSettings.url ?? '';
  }

  getDefaultQuery(_app: CoreApp): Partial<FleetLensQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: FleetLensQuery): boolean {
    return !query.hide && Boolean(query.expr?.trim());
  }

  /** Interpolates dashboard variables in the expression and legend. */
  applyTemplateVariables(query: FleetLensQuery, scopedVars: ScopedVars): FleetLensQuery {
    const templateSrv = getTemplateSrv();
    return {
      ...query,
      expr: templateSrv.replace(query.expr, scopedVars),
      legendFormat: query.legendFormat ? templateSrv.replace(query.legendFormat, scopedVars) : query.legendFormat,
    };
  }

  /** One range query per visible target; unsubscribing (a refresh) cancels the requests. */
  query(request: DataQueryRequest<FleetLensQuery>): Observable<DataQueryResponse> {
    const targets = request.targets
      .filter((target) => this.filterQuery(target))
      .map((target) => this.applyTemplateVariables(target, request.scopedVars));
    if (targets.length === 0) {
      return of({ data: [] });
    }
    return forkJoin(targets.map((target) => this.runTarget(request, target))).pipe(map(mergeResults));
  }

  private runTarget(request: DataQueryRequest<FleetLensQuery>, target: FleetLensQuery): Observable<TargetResult> {
    const { start, end, step } = rangeParams(request.range.from.valueOf(), request.range.to.valueOf(), request.intervalMs);
    const body = new URLSearchParams({ query: target.expr, start: String(start), end: String(end), step: String(step) });
    return from(loadEngine()).pipe(
      switchMap((engine) =>
        this.fetchBytes({
          url: `${this.url}/api/v1/query_range`,
          method: 'POST',
          data: body.toString(),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          requestId: `${request.requestId}-${target.refId}`,
        }).pipe(
          map((bytes): TargetResult => {
            const decoded = engine.decodePrometheus(bytes);
            try {
              const frames = decodedToFrames(decoded, {
                refId: target.refId,
                legendFormat: target.legendFormat,
                executedQueryString: `${target.expr} (step ${step}s)`,
              });
              return { frames };
            } finally {
              decoded.free();
            }
          })
        )
      ),
      catchError((err: unknown) => of({ frames: [], error: { refId: target.refId, message: errorMessage(err) } }))
    );
  }

  /** GET/POST through the proxy, keeping the body as bytes (the engine decodes it, not `JSON.parse`). */
  private fetchBytes(options: BackendSrvRequest): Observable<Uint8Array> {
    return getBackendSrv()
      .fetch<ArrayBuffer>({ ...options, responseType: 'arraybuffer', showErrorAlert: false })
      .pipe(map((response: FetchResponse<ArrayBuffer>) => new Uint8Array(response.data)));
  }

  /** Asks Prometheus for `1` through the proxy and decodes the answer with the engine. */
  async testDatasource(): Promise<{ status: 'success' | 'error'; message: string }> {
    try {
      const engine = await loadEngine();
      const bytes = await lastValueFrom(
        this.fetchBytes({ url: `${this.url}/api/v1/query`, method: 'GET', params: { query: '1' } })
      );
      engine.decodePrometheus(bytes).free();
      return { status: 'success', message: `Prometheus answered; FleetLens engine ${engine.version()} is ready.` };
    } catch (err) {
      return { status: 'error', message: `Cannot query Prometheus: ${errorMessage(err)}` };
    }
  }
}

function mergeResults(results: TargetResult[]): Response {
  const data = results.flatMap((result) => result.frames);
  const errors = results.flatMap((result) => (result.error ? [result.error] : []));
  return errors.length > 0 ? { data, error: errors[0], errors } : { data };
}
