import type { DataQuery, DataSourceJsonData } from '@grafana/data';

/** One FleetLens query: a PromQL expression run as a range query against the upstream Prometheus. */
export interface FleetLensQuery extends DataQuery {
  /** PromQL; dashboard variables are interpolated before sending. */
  expr: string;
  /** Series name template, e.g. `{{model}}`; empty = `name{label="value", …}`. */
  legendFormat?: string;
}

export const DEFAULT_QUERY: Partial<FleetLensQuery> = {
  expr: '',
  legendFormat: '',
};

/** Non-secret settings (the URL and basic-auth user live on the instance settings themselves). */
export interface FleetLensOptions extends DataSourceJsonData {}

/** Secrets, write-only from the browser: Grafana's proxy adds them to upstream requests. */
export interface FleetLensSecureOptions {
  basicAuthPassword?: string;
}
