import type { DataQuery, DataSourceJsonData } from '@grafana/data';

import type { ViewName } from '../shared/views';

/**
 * One FleetLens query. With `view` set it is a derived view (cost, SLO, agents) computed in wasm
 * from raw samples; without, `expr` is a PromQL range query decoded in wasm.
 */
export interface FleetLensQuery extends DataQuery {
  /** The derived view; absent or empty = a plain PromQL query (`expr`). */
  view?: ViewName | '';
  /** The output within the view (`summary`, `breakdown`, `burnRates`, `leaderboard`, …); empty = the default. */
  output?: string;
  /** Overrides the view's grouping label (cost breakdown, SLO group-by, agents' group label). */
  groupBy?: string;
  /** SLO view: the name of an SLO defined in the data source settings. */
  slo?: string;
  /** SLO view: an inline SLO definition (JSON), used when `slo` is empty. */
  sloInline?: string;
  /** PromQL for the plain query; dashboard variables are interpolated before sending. */
  expr?: string;
  /** Series name template for the plain query, e.g. `{{model}}`; empty = `name{label="value", …}`. */
  legendFormat?: string;
}

export const DEFAULT_QUERY: Partial<FleetLensQuery> = {
  view: 'cost',
  output: 'summary',
  expr: '',
  legendFormat: '',
};

/** Metric naming: auto-detect (default) or one variant. */
export type Naming = 'auto' | 'claudeCode' | 'agentCluster';

/** An SLO definition as the engine reads it (`SloConfig`: name, objective, period, sli, …). */
export interface SloDefinition {
  name: string;
  objective: number;
  period: { rolling: string } | { calendar: 'day' | 'week' | 'month' | 'quarter' };
  sli: Record<string, unknown>;
  groupBy?: string[];
  [key: string]: unknown;
}

/** One model's prices, USD per million tokens, from an effective date. */
export interface ModelPriceSetting {
  model: string;
  effectiveFrom?: string;
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/** Non-secret settings (the URL and basic-auth user live on the instance settings themselves). */
export interface FleetLensOptions extends DataSourceJsonData {
  /** Which metric names to read; `auto` detects them from the label names. */
  naming?: Naming;
  /** Monthly budget in USD for the cost view's forecast and run-out date. */
  monthlyBudgetUsd?: number;
  /** IANA zone for "today", the month and calendar SLO periods; empty = the dashboard's. */
  timezone?: string;
  /** Sent as `X-Scope-OrgID` (Mimir, Cortex, Loki tenants) through Grafana's proxy; empty = none. */
  tenant?: string;
  /** Price table overriding the shipped one; empty = the shipped defaults. */
  prices?: ModelPriceSetting[];
  /** SLO definitions, selectable by name in the query editor. */
  slos?: SloDefinition[];
  /** The agents view's config (JSON object: groupLabel, metrics, heartbeat thresholds). */
  agents?: Record<string, unknown>;
  /** Grafana's proxy adds `Authorization: Bearer <bearerToken>` when true. */
  bearerAuth?: boolean;
  /** Header names Grafana's proxy adds from `secureJsonData.httpHeaderValueN`. */
  httpHeaderName1?: string;
  httpHeaderName2?: string;
}

/** Secrets, write-only from the browser: Grafana's proxy adds them to upstream requests. */
export interface FleetLensSecureOptions {
  basicAuthPassword?: string;
  /** For `Authorization: Bearer …` (sent as httpHeaderValue1 with httpHeaderName1 `Authorization`). */
  httpHeaderValue1?: string;
  httpHeaderValue2?: string;
}
