/**
 * The FleetLens data source, set up as Grafana sets up a provisioned one: the settings come from
 * `provisioning/datasources/datasources.yaml` (the same file the compose stack provisions), the
 * instance from the built plugin's `DataSourcePlugin`, and requests go through the proxy URL
 * Grafana gives proxy-mode data sources (`/api/datasources/proxy/uid/<uid>`).
 */
import {
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  DataSourcePluginMeta,
  LoadingState,
  PanelData,
  TimeRange,
  rangeUtil,
} from '@grafana/data';
import { setDataSourceSrv } from '@grafana/runtime';
import { Observable, from, of } from 'rxjs';
import { catchError, map } from 'rxjs/operators';
import YAML from 'yaml';

import { importPlugin } from './plugins';

export const DATASOURCE_TYPE = 'fleetlens-views-datasource';

/** What a page (or a test) may override before the playground starts: `window.FLEETLENS_PLAYGROUND`. */
export interface PlaygroundOverrides {
  /** Merged over the provisioned data source's jsonData (e.g. another SLO list). */
  jsonData?: Record<string, unknown>;
}

declare global {
  interface Window {
    FLEETLENS_PLAYGROUND?: PlaygroundOverrides;
  }
}

interface ProvisionedDataSource {
  name: string;
  type: string;
  uid: string;
  jsonData?: Record<string, unknown>;
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.text();
}

/** The provisioned FleetLens data source, an instance of the built plugin, registered with the runtime. */
export async function loadDataSource(): Promise<DataSourceApi> {
  const provisioning = YAML.parse(await fetchText('/provisioning/datasources/datasources.yaml')) as { datasources?: ProvisionedDataSource[] };
  const entry = provisioning.datasources?.find((ds) => ds.type === DATASOURCE_TYPE);
  if (!entry) {
    throw new Error(`provisioning/datasources/datasources.yaml has no ${DATASOURCE_TYPE} data source`);
  }
  const meta = JSON.parse(await fetchText('/public/plugins/fleetlens-app/datasource/plugin.json')) as DataSourcePluginMeta;
  const settings: DataSourceInstanceSettings = {
    id: 1,
    uid: entry.uid,
    type: entry.type,
    name: entry.name,
    meta,
    url: `/api/datasources/proxy/uid/${entry.uid}`,
    access: 'proxy',
    readOnly: false,
    jsonData: { ...(entry.jsonData ?? {}), ...(window.FLEETLENS_PLAYGROUND?.jsonData ?? {}) },
  };
  const exports = await importPlugin('fleetlens-views-datasource');
  const plugin = exports.plugin as { DataSourceClass: new (s: DataSourceInstanceSettings) => DataSourceApi; components: unknown };
  const instance = new plugin.DataSourceClass(settings);
  instance.meta = meta;
  (instance as unknown as { components: unknown }).components = plugin.components;
  setDataSourceSrv({
    get: async () => instance,
    getList: () => [settings],
    getInstanceSettings: (ref?: string | { uid?: string } | null) => {
      const uid = typeof ref === 'string' ? ref : ref?.uid;
      return !uid || uid === settings.uid || uid === settings.name ? settings : undefined;
    },
    reload: () => undefined,
  } as never);
  return instance;
}

/** A panel's query part, as in dashboard JSON. */
export interface PanelQuerySpec {
  id: number;
  targets?: Array<Record<string, unknown>>;
  maxDataPoints?: number;
  interval?: string;
}

let requestCounter = 0;

/** Runs a panel's targets against the data source for `range`: the panel's `PanelData`, as Grafana's query runner gives it. */
export function runPanelQuery(ds: DataSourceApi, panel: PanelQuerySpec, range: TimeRange, timeZone: string, width: number): Observable<PanelData> {
  const maxDataPoints = panel.maxDataPoints ?? Math.max(100, Math.round(width));
  const { interval, intervalMs } = rangeUtil.calculateInterval(range, maxDataPoints, panel.interval ?? '15s');
  requestCounter += 1;
  const request: DataQueryRequest = {
    requestId: `Q${requestCounter}`,
    app: 'dashboard',
    panelId: panel.id,
    dashboardUID: 'playground',
    range,
    rangeRaw: range.raw,
    interval,
    intervalMs,
    maxDataPoints,
    scopedVars: {},
    targets: (panel.targets ?? []).map((t) => ({ refId: 'A', ...t })) as DataQueryRequest['targets'],
    timezone: timeZone,
    startTime: Date.now(),
  };
  if (request.targets.length === 0) {
    return of({ state: LoadingState.Done, series: [], timeRange: range });
  }
  return from(ds.query(request) as Observable<DataQueryResponse> | Promise<DataQueryResponse>).pipe(
    map((response) => {
      return {
        state: response.error ? LoadingState.Error : LoadingState.Done,
        series: response.data ?? [],
        error: response.error,
        timeRange: range,
        request,
      } as PanelData;
    }),
    catchError((err: unknown) =>
      of({
        state: LoadingState.Error,
        series: [],
        error: { message: errorText(err) },
        timeRange: range,
        request,
      } as PanelData)
    )
  );
}

/** A readable text for anything thrown or emitted as an error. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    return err.message;
  }
  if (typeof err === 'object' && err !== null) {
    const e = err as { message?: unknown; data?: { message?: unknown; error?: unknown }; status?: unknown; statusText?: unknown };
    const text = e.data?.error ?? e.data?.message ?? e.message ?? e.statusText;
    if (typeof text === 'string' && text) {
      return typeof e.status === 'number' && e.status > 0 ? `${text} (HTTP ${e.status})` : text;
    }
  }
  return String(err);
}
