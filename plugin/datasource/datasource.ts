import {
  AnnotationQuery,
  AnnotationSupport,
  CoreApp,
  DataFrame,
  DataQueryError,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  MetricFindValue,
  ScopedVars,
} from '@grafana/data';
import { BackendSrvRequest, FetchResponse, getBackendSrv, getTemplateSrv } from '@grafana/runtime';
import { Observable, catchError, forkJoin, from, lastValueFrom, map, of, switchMap } from 'rxjs';

import { loadEngine } from '../shared/engine';
import { errorMessage } from '../shared/errors';
import { decodedToFrames } from '../shared/frames';
import { ViewName, evaluateView, isView } from '../shared/views';
import { zoneOffsets } from '../shared/zone';
import { framesToAnnotations } from './annotations';
import { coverage } from './health';
import { rangeParams } from './range';
import { sloNames, viewConfig } from './settings';
import { DEFAULT_QUERY, FleetLensOptions, FleetLensQuery } from './types';
import { parseVariableQuery } from './variables';

/** Metric names are listed once per this long per data source. */
const METRIC_NAMES_TTL_MS = 60_000;

/** Raw-sample bodies of one `query()` call by fetch (`atMs promql`). */
type BodyCache = Map<string, Promise<Uint8Array>>;

/** What one target contributes to the response. */
interface TargetResult {
  frames: DataFrame[];
  error?: DataQueryError;
}

/** `DataQueryResponse` as Grafana 10+ reads it (`errors`); 9.4 reads `error`. */
type Response = DataQueryResponse & { errors?: DataQueryError[] };

/** A Prometheus API JSON answer (labels, label values, metric names). */
interface ApiList {
  status: string;
  data?: string[];
  error?: string;
}

/** The window of the plans made to learn a view's metrics (variables, label lists). */
const HOUR_MS = 3_600_000;

/** Labels the variable functions list, and the view whose metrics they are read from. */
const VARIABLE_LABELS = {
  models: { view: 'cost', label: 'model' },
  users: { view: 'cost', label: 'user_email' },
  teams: { view: 'cost', label: 'team_id' },
} as const;

/** The result of "Save & test". */
export interface TestResult {
  status: 'success' | 'error';
  message: string;
}

/**
 * Frontend data source: runs PromQL range queries through Grafana's data source proxy and decodes
 * the raw response bytes with the wasm engine.
 */
export class FleetLensDataSource extends DataSourceApi<FleetLensQuery, FleetLensOptions> {
  readonly url: string;
  readonly settings: FleetLensOptions;
  private metricNamesCache?: { at: number; names: Promise<string[]> };

  /**
   * Annotations from the standard annotation editor (which shows this data source's query
   * editor): the SLO `backtest` output's alert intervals and the cost `hourly` output's anomalies.
   */
  annotations: AnnotationSupport<FleetLensQuery> = {
    prepareQuery: (anno: AnnotationQuery<FleetLensQuery>) => {
      const target = anno.target;
      if (!target || !isView(target.view) || target.view === 'agents') {
        return undefined;
      }
      const output = target.output || (target.view === 'slo' ? 'backtest' : 'hourly');
      return { ...target, refId: target.refId || 'Anno', output };
    },
    processEvents: (_anno, frames) => of(framesToAnnotations(frames)),
  };

  /** Raw-sample fetches in flight, by `atMs promql`, shared by concurrent queries; dropped once settled. */
  private readonly inFlight: BodyCache = new Map();

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
      view: replace(query.view) as FleetLensQuery['view'],
      output: replace(query.output),
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
    // Targets of one request that need the same raw samples (several outputs of one view) share
    // one HTTP request per fetch.
    const bodies: BodyCache = new Map();
    return forkJoin(targets.map((target) => this.runTarget(request, target, bodies))).pipe(map(mergeResults));
  }

  private runTarget(request: DataQueryRequest<FleetLensQuery>, target: FleetLensQuery, bodies: BodyCache = new Map()): Observable<TargetResult> {
    if (isView(target.view)) {
      return from(this.runView(request, target, target.view, bodies)).pipe(
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
              const asked = Math.max(1, Math.ceil(request.intervalMs / 1000) || 1);
              if (step > asked) {
                const meta = frames[0].meta ?? {};
                const text =
                  `The range needs more than 11,000 points per series at the ${asked}s interval, ` +
                  `Prometheus' limit: queried at a ${step}s step instead.`;
                frames[0].meta = { ...meta, notices: [...(meta.notices ?? []), { severity: 'info', text }] };
              }
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
  private async runView(
    request: DataQueryRequest<FleetLensQuery>,
    target: FleetLensQuery,
    view: ViewName,
    bodies: BodyCache
  ): Promise<TargetResult> {
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
        const key = `${fetch.atMs} ${fetch.promql}`;
        // Panels of a dashboard refresh with the same range, so their views often need the same
        // raw samples at the same instant: a fetch still in flight for another query is shared.
        let body = bodies.get(key) ?? this.inFlight.get(key);
        if (!body) {
          body = lastValueFrom(
            this.fetchBytes({
              url: `${this.url}/api/v1/query`,
              method: 'POST',
              data: new URLSearchParams({ query: fetch.promql, time: String(fetch.atMs / 1000) }).toString(),
              headers: this.headers({ 'Content-Type': 'application/x-www-form-urlencoded' }),
              requestId: `${request.requestId}-${target.refId}-${index}`,
            })
          );
          const shared = body;
          this.inFlight.set(key, shared);
          const forget = () => {
            if (this.inFlight.get(key) === shared) {
              this.inFlight.delete(key);
            }
          };
          shared.then(forget, forget);
        }
        bodies.set(key, body);
        plan.addResponse(index, await body);
      }
    );
    return { frames: result.frames };
  }

  /** The JSON config of `view` for `target`, from the data source settings. */
  viewConfig(view: ViewName, target: Pick<FleetLensQuery, 'slo' | 'sloInline'>): string {
    return viewConfig(this.settings, view, target);
  }

  /** Names of the SLOs defined in the settings. */
  sloNames(): string[] {
    return sloNames(this.settings);
  }

  /**
   * The selectors a view reads with these settings (planned in wasm over the last hour against
   * the metrics that exist); empty when the view cannot be planned (a metric missing, a bad config).
   */
  async viewSelectors(view: ViewName, target: Pick<FleetLensQuery, 'slo' | 'sloInline'> = {}): Promise<string[]> {
    const engine = await loadEngine();
    const names = await this.metricNames();
    const toMs = Date.now();
    const request = { fromMs: toMs - HOUR_MS, toMs };
    try {
      const plan = engine.planView(view, this.viewConfig(view, target), request, zoneOffsets('utc', request.fromMs, toMs), names);
      try {
        return Array.from(new Set(plan.fetches.map((f) => f.selector)));
      } finally {
        plan.free();
      }
    } catch {
      return [];
    }
  }

  /** Label names of the series matching `selectors` (all series when empty): `/api/v1/labels`. */
  labelNames(selectors: string[]): Promise<string[]> {
    return this.fetchList('/api/v1/labels', selectors);
  }

  /** Values of `label` on the series matching `selectors`: `/api/v1/label/<label>/values`. */
  labelValues(label: string, selectors: string[]): Promise<string[]> {
    return this.fetchList(`/api/v1/label/${encodeURIComponent(label)}/values`, selectors);
  }

  /** The group-by labels offered for a query: the label names of the view's metrics, without `__name__`. */
  async groupByLabels(target: FleetLensQuery): Promise<string[]> {
    if (!isView(target.view)) {
      return [];
    }
    const selectors = await this.viewSelectors(target.view, target);
    if (selectors.length === 0) {
      return [];
    }
    return (await this.labelNames(selectors)).filter((l) => l !== '__name__' && l !== 'le');
  }

  /**
   * Variable values: `agents()`, `models()`, `users()`, `teams()` (label values on the view's
   * metrics), `slos()` (the SLO names of the settings), `label_values([metric,] label)`.
   */
  async metricFindQuery(query: string, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]> {
    const parsed = parseVariableQuery(getTemplateSrv().replace(query, options?.scopedVars));
    let values: string[];
    if (parsed.kind === 'slos') {
      values = this.sloNames();
    } else if (parsed.kind === 'labelValues') {
      values = await this.labelValues(parsed.label, parsed.metric ? [parsed.metric] : []);
    } else if (parsed.kind === 'agents') {
      const label = this.settings.agents?.groupLabel?.trim() || 'agent_id';
      values = await this.labelValues(label, await this.viewSelectors('agents'));
    } else {
      const { view, label } = VARIABLE_LABELS[parsed.kind];
      values = await this.labelValues(label, await this.viewSelectors(view));
    }
    return values.map((text) => ({ text, value: text }));
  }

  /** GETs a Prometheus list endpoint through the proxy with one `match[]` per selector. */
  private fetchList(path: string, selectors: string[]): Promise<string[]> {
    const params = new URLSearchParams();
    selectors.forEach((s) => params.append('match[]', s));
    const query = params.toString();
    return lastValueFrom(
      getBackendSrv()
        .fetch<ApiList>({
          url: `${this.url}${path}${query ? `?${query}` : ''}`,
          method: 'GET',
          headers: this.headers({}),
          showErrorAlert: false,
        })
        .pipe(
          map((response) => {
            const body = response.data;
            if (!body || body.status !== 'success' || !Array.isArray(body.data)) {
              throw new Error(`${path} failed: ${body?.error ?? 'not a Prometheus API response'}`);
            }
            return body.data;
          })
        )
    );
  }

  /** The metric names the upstream holds, cached for a minute; a failed listing is not cached. */
  metricNames(fresh = false): Promise<string[]> {
    const now = Date.now();
    if (fresh || !this.metricNamesCache || now - this.metricNamesCache.at > METRIC_NAMES_TTL_MS) {
      const names = this.fetchList('/api/v1/label/__name__/values', []).catch((err: unknown) => {
        throw new Error(`listing metric names failed: ${errorMessage(err)}`);
      });
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

  /**
   * "Save & test": asks Prometheus for `1` through the proxy (reachability, credentials, an HTML
   * page instead of the API), then lists the metric names and plans every view against them to
   * say which metrics each finds, under which naming, and what is missing.
   */
  async testDatasource(): Promise<TestResult> {
    let engine;
    try {
      engine = await loadEngine();
      const bytes = await lastValueFrom(
        this.fetchBytes({ url: `${this.url}/api/v1/query`, method: 'GET', params: { query: '1' }, headers: this.headers({}) })
      );
      engine.decodePrometheus(bytes).free();
    } catch (err) {
      return { status: 'error', message: reachabilityMessage(err) };
    }
    let names: string[];
    try {
      names = await this.metricNames(true);
    } catch (err) {
      return { status: 'error', message: `Prometheus answered, but ${errorMessage(err)}` };
    }
    const found = coverage(engine, this.settings, names, Date.now());
    const naming = found.variants.length > 0 ? ` Naming: ${found.variants.join(', ')}.` : '';
    return {
      status: 'success',
      message: `Prometheus answered with ${names.length} metric names; FleetLens engine ${engine.version()} is ready.${naming} ${found.lines.join('; ')}`,
    };
  }
}

/** Why the probe failed, with what to check. */
function reachabilityMessage(err: unknown): string {
  const message = errorMessage(err);
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  if (status === 401 || status === 403) {
    return `Prometheus refused the request (${message}): check the credentials (basic auth user and password, or the bearer token) and the tenant.`;
  }
  if (/HTML page/.test(message)) {
    return (
      `Cannot query Prometheus: ${message}. The URL answers with a web page, not the Prometheus API: ` +
      'check the URL (the server root such as http://prometheus:9090, without /graph) and any proxy or login page in front of it.'
    );
  }
  return `Cannot query Prometheus: ${message}`;
}

function mergeResults(results: TargetResult[]): Response {
  const data = results.flatMap((result) => result.frames);
  const errors = results.flatMap((result) => (result.error ? [result.error] : []));
  return errors.length > 0 ? { data, error: errors[0], errors } : { data };
}
