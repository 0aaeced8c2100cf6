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
import { ViewName, evaluateView, isView } from '../shared/views';
import { rangeParams } from './range';
import { DEFAULT_QUERY, FleetLensOptions, FleetLensQuery, SloDefinition } from './types';

/** Metric names are listed once per this long per data source. */
const METRIC_NAMES_TTL_MS = 60_000;

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
  readonly settings: FleetLensOptions;
  private metricNamesCache?: { at: number; names: Promise<string[]> };

  constructor(instanceSettings: DataSourceInstanceSettings<FleetLensOptions>) {
    super(instanceSettings);
    this.url = instanceSettings.url ?? '';
    this.settings = instanceSettings.jsonData ?? {};
  }

  getDefaultQuery(_app: CoreApp): Partial<FleetLensQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: FleetLensQuery): boolean {
    return !query.hide && (isView(query.view) || Boolean(query.expr?.trim()));
  }

  /** Interpolates dashboard variables in every text a query holds. */
  applyTemplateVariables(query: FleetLensQuery, scopedVars: ScopedVars): FleetLensQuery {
    const templateSrv = getTemplateSrv();
    const replace = (text?: string) => (text ? templateSrv.replace(text, scopedVars) : text);
    return {
      ...query,
      expr: replace(query.expr),
      legendFormat: replace(query.legendFormat),
      groupBy: replace(query.groupBy),
      slo: replace(query.slo),
      sloInline: replace(query.sloInline),
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
    if (isView(target.view)) {
      return from(this.runView(request, target, target.view)).pipe(
        catchError((err: unknown) => of({ frames: [], error: { refId: target.refId, message: errorMessage(err) } }))
      );
    }
    const { start, end, step } = rangeParams(request.range.from.valueOf(), request.range.to.valueOf(), request.intervalMs);
    const body = new URLSearchParams({ query: target.expr ?? '', start: String(start), end: String(end), step: String(step) });
    return from(loadEngine()).pipe(
      switchMap((engine) =>
        this.fetchBytes({
          url: `${this.url}/api/v1/query_range`,
          method: 'POST',
          data: body.toString(),
          headers: this.headers({ 'Content-Type': 'application/x-www-form-urlencoded' }),
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

  /** A derived view: plan in wasm, fetch raw samples through the proxy, evaluate in wasm. */
  private async runView(request: DataQueryRequest<FleetLensQuery>, target: FleetLensQuery, view: ViewName): Promise<TargetResult> {
    const engine = await loadEngine();
    const metricNames = await this.metricNames();
    const fromMs = request.range.from.valueOf();
    const toMs = request.range.to.valueOf();
    const result = await evaluateView(
      engine,
      {
        view,
        config: this.viewConfig(view, target),
        request: { fromMs, toMs, groupBy: target.groupBy?.trim() || undefined },
        timeZone: this.settings.timezone?.trim() || request.timezone,
        output: target.output ?? '',
        metricNames,
        refId: target.refId,
      },
      async (plan, fetch, index) => {
        const bytes = await lastValueFrom(
          this.fetchBytes({
            url: `${this.url}/api/v1/query`,
            method: 'POST',
            data: new URLSearchParams({ query: fetch.promql, time: String(fetch.atMs / 1000) }).toString(),
            headers: this.headers({ 'Content-Type': 'application/x-www-form-urlencoded' }),
            requestId: `${request.requestId}-${target.refId}-${index}`,
          })
        );
        plan.addResponse(index, bytes);
      }
    );
    return { frames: result.frames };
  }

  /** The JSON config of `view` for `target`, from the data source settings. */
  viewConfig(view: ViewName, target: Pick<FleetLensQuery, 'slo' | 'sloInline'>): string {
    const s = this.settings;
    if (view === 'slo') {
      const inline = target.sloInline?.trim();
      const name = target.slo?.trim();
      if (name) {
        const found = (s.slos ?? []).find((slo) => slo.name === name);
        if (!found) {
          const known = (s.slos ?? []).map((slo) => slo.name);
          throw new Error(
            `SLO "${name}" is not defined in the data source settings` +
              (known.length > 0 ? ` (defined: ${known.join(', ')})` : ' (none are defined)')
          );
        }
        return JSON.stringify(found);
      }
      if (inline) {
        return inline;
      }
      const first: SloDefinition | undefined = s.slos?.[0];
      if (!first) {
        throw new Error('No SLO selected: define one in the data source settings or write one inline in the query');
      }
      return JSON.stringify(first);
    }
    if (view === 'cost') {
      const config: Record<string, unknown> = {};
      if (typeof s.monthlyBudgetUsd === 'number' && s.monthlyBudgetUsd > 0) {
        config.monthlyBudgetUsd = s.monthlyBudgetUsd;
      }
      if (s.prices && s.prices.length > 0) {
        config.prices = s.prices;
      }
      return JSON.stringify(config);
    }
    return JSON.stringify(s.agents ?? {});
  }

  /** The metric names the upstream holds, cached for a minute; a failed listing is not cached. */
  metricNames(): Promise<string[]> {
    const now = Date.now();
    if (!this.metricNamesCache || now - this.metricNamesCache.at > METRIC_NAMES_TTL_MS) {
      const names = lastValueFrom(
        getBackendSrv()
          .fetch<{ status: string; data?: string[]; error?: string }>({
            url: `${this.url}/api/v1/label/__name__/values`,
            method: 'GET',
            headers: this.headers({}),
            showErrorAlert: false,
          })
          .pipe(
            map((response) => {
              const body = response.data;
              if (!body || body.status !== 'success' || !Array.isArray(body.data)) {
                throw new Error(`listing metric names failed: ${body?.error ?? 'not a Prometheus API response'}`);
              }
              return body.data;
            })
          )
      );
      const entry = { at: now, names };
      this.metricNamesCache = entry;
      names.catch(() => {
        if (this.metricNamesCache === entry) {
          this.metricNamesCache = undefined;
        }
      });
    }
    return this.metricNamesCache.names;
  }

  /** Request headers; the tenant (`X-Scope-OrgID`) when one is configured. */
  private headers(base: Record<string, string>): Record<string, string> {
    const tenant = this.settings.tenant?.trim();
    return tenant ? { ...base, 'X-Scope-OrgID': tenant } : base;
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
