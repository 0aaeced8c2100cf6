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

/** Metric naming: auto-detect (default), one variant, or a custom role → metric mapping. */
export type Naming = 'auto' | 'claudeCode' | 'agentCluster' | 'custom';

/** A label matcher of an SLO selector. */
export interface SloMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A metric and label matchers (the engine's `Selector`). */
export interface SloSelector {
  metric: string;
  matchers?: SloMatcher[];
}

/** A selector as stored: the object, or the PromQL text typed when it does not parse. */
export type TypedSelector = SloSelector | string;

/** The SLI of an SLO: exactly one kind. */
export type SloSli =
  | { ratio: { good?: TypedSelector | null; bad?: TypedSelector | null; total: TypedSelector } }
  | { latency: { histogram: TypedSelector; thresholdSeconds: number | string } }
  | { availability: { gauge: TypedSelector; sampleInterval?: string } };

/**
 * An SLO definition as the engine reads it (`SloConfig`: name, objective, period, sli, …).
 * A number the user typed that is not a number is kept as the text typed, so nothing is lost;
 * the engine's check then names the field.
 */
export interface SloDefinition {
  name: string;
  objective: number | string;
  period: { rolling: string } | { calendar: 'day' | 'week' | 'month' | 'quarter' };
  sli: SloSli;
  groupBy?: string[];
  [key: string]: unknown;
}

/**
 * One entry of the SLO list: a definition, or the JSON text the user is writing (kept as typed,
 * also when it does not parse; the data source hands it to the engine as it is).
 */
export type SloSetting = SloDefinition | string;

/** One model's prices, USD per million tokens, from an effective date (numbers kept as typed when not numbers). */
export interface ModelPriceSetting {
  model: string;
  effectiveFrom?: string;
  effectiveUntil?: string;
  input: number | string;
  output: number | string;
  cacheWrite: number | string;
  cacheRead: number | string;
  [key: string]: unknown;
}

/** The agents view's settings (the engine's `AgentsConfig` without the clock). */
export interface AgentsSetting {
  /** The label naming an agent; default `agent_id`. */
  groupLabel?: string;
  /** Heartbeat ages in seconds: stale from `staleAfterS` (default 60), down from `downAfterS` (default 300). */
  heartbeat?: { staleAfterS?: number | string; downAfterS?: number | string };
  /** Metric names per role (`tasksCompleted`, `tokens`, `cost`, …). */
  metrics?: Record<string, string>;
  [key: string]: unknown;
}

/** Non-secret settings (the URL and basic-auth user live on the instance settings themselves). */
export interface FleetLensOptions extends DataSourceJsonData {
  /** Which metric names to read; `auto` detects them from the metric names that exist. */
  naming?: Naming;
  /** With naming `custom`: the metric each cost role reads (`cost`, `tokens`, `commits`, …); missing roles are detected. */
  metricMapping?: Record<string, string>;
  /** Monthly budget in USD for the cost view's forecast and run-out date (kept as typed when not a number). */
  monthlyBudgetUsd?: number | string;
  /** IANA zone for "today", the month and calendar SLO periods; empty = the dashboard's. */
  timezone?: string;
  /** Sent as `X-Scope-OrgID` (Mimir, Cortex, Loki tenants) through Grafana's proxy; empty = none. */
  tenant?: string;
  /** Price table overriding the shipped one; empty = the shipped defaults. */
  prices?: ModelPriceSetting[];
  /** SLO definitions, selectable by name in the query editor. */
  slos?: SloSetting[];
  /** The agents view's config (groupLabel, metrics, heartbeat thresholds). */
  agents?: AgentsSetting;
  /**
   * Header names Grafana's proxy adds from `secureJsonData.httpHeaderValueN`; the bearer token
   * is the one named `Authorization`.
   */
  [httpHeaderName: `httpHeaderName${number}`]: string | undefined;
}

/** Secrets, write-only from the browser: Grafana's proxy adds them to upstream requests. */
export interface FleetLensSecureOptions {
  basicAuthPassword?: string;
  /** `Bearer <token>` for the header named `Authorization` among `jsonData.httpHeaderNameN`; other custom header values. */
  [httpHeaderValue: `httpHeaderValue${number}`]: string | undefined;
}
