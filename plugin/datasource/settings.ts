/**
 * The data source settings (jsonData) as the engine's view configs, and the small rules the
 * config editor and the data source share: SLO entries kept as typed, the bearer token's header.
 */
import type { ViewName } from '../shared/views';
import type { AgentsSetting, FleetLensOptions, SloDefinition, SloSetting } from './types';

/** The header Grafana's proxy sends the bearer token in. */
export const AUTHORIZATION = 'Authorization';

/**
 * The agents view's token and cost metrics under Claude Code's names (the engine's
 * `MetricNames::claude_code`), used when the naming is `claudeCode` and the settings name no
 * metric for those roles.
 */
const CLAUDE_CODE_AGENT_METRICS = { tokens: 'claude_code_token_usage_tokens_total', cost: 'claude_code_cost_usage_USD_total' };

/** An SLO entry as an object, or undefined when it is JSON text that does not parse to one. */
export function sloObject(setting: SloSetting | undefined): SloDefinition | undefined {
  if (typeof setting !== 'string') {
    return setting ?? undefined;
  }
  try {
    const parsed: unknown = JSON.parse(setting);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as SloDefinition) : undefined;
  } catch {
    return undefined;
  }
}

/** The name of an SLO entry; undefined when it has none (or its JSON does not parse). */
export function sloName(setting: SloSetting | undefined): string | undefined {
  const name = sloObject(setting)?.name;
  return typeof name === 'string' && name.trim() ? name : undefined;
}

/** The JSON text of an SLO entry, as the engine reads it. */
export function sloText(setting: SloSetting): string {
  return typeof setting === 'string' ? setting : JSON.stringify(setting);
}

/** Names of the SLOs defined in the settings, in order (entries without a name left out). */
export function sloNames(options: FleetLensOptions): string[] {
  return (options.slos ?? []).flatMap((s) => {
    const name = sloName(s);
    return name ? [name] : [];
  });
}

/**
 * The SLO view's config for a query: the SLO named `name` in the settings; else `inline` (JSON);
 * else the first SLO of the settings. Throws a readable message when none applies.
 */
export function sloConfig(options: FleetLensOptions, name?: string, inline?: string): string {
  const slos = options.slos ?? [];
  const wanted = name?.trim();
  if (wanted) {
    const found = slos.find((s) => sloName(s) === wanted);
    if (found === undefined) {
      const known = sloNames(options);
      throw new Error(
        `SLO "${wanted}" is not defined in the data source settings` +
          (known.length > 0 ? ` (defined: ${known.join(', ')})` : ' (none are defined)')
      );
    }
    return sloText(found);
  }
  if (inline?.trim()) {
    return inline;
  }
  if (slos.length === 0) {
    throw new Error('No SLO selected: define one in the data source settings or write one inline in the query');
  }
  return sloText(slos[0]);
}

/**
 * The cost view's config: the budget and the price table when set. A budget typed as text that
 * is not a number is passed on as it is, so the engine's message names it.
 */
export function costConfig(options: FleetLensOptions): string {
  const config: Record<string, unknown> = {};
  const budget = options.monthlyBudgetUsd;
  if (typeof budget === 'string' ? budget.trim() !== '' : typeof budget === 'number' && budget > 0) {
    config.monthlyBudgetUsd = budget;
  }
  if (options.prices && options.prices.length > 0) {
    config.prices = options.prices;
  }
  if (options.naming === 'custom' && options.metricMapping) {
    const metrics = Object.fromEntries(Object.entries(options.metricMapping).filter(([, name]) => typeof name === 'string' && name.trim() !== ''));
    if (Object.keys(metrics).length > 0) {
      config.metrics = metrics;
    }
  }
  return JSON.stringify(config);
}

/** The agents view's config; with the `claudeCode` naming, tokens and cost read Claude Code's metrics. */
export function agentsConfig(options: FleetLensOptions): string {
  const agents: AgentsSetting = { ...(options.agents ?? {}) };
  if (options.naming === 'claudeCode') {
    agents.metrics = { ...CLAUDE_CODE_AGENT_METRICS, ...(agents.metrics ?? {}) };
  }
  if (typeof agents.groupLabel === 'string' && !agents.groupLabel.trim()) {
    delete agents.groupLabel;
  }
  return JSON.stringify(agents);
}

/** The config of `view` for a query with these SLO fields. */
export function viewConfig(options: FleetLensOptions, view: ViewName, target: { slo?: string; sloInline?: string } = {}): string {
  if (view === 'slo') {
    return sloConfig(options, target.slo, target.sloInline);
  }
  return view === 'cost' ? costConfig(options) : agentsConfig(options);
}

/**
 * The index N of the custom header carrying the bearer token: the one named `Authorization`,
 * else the first free `httpHeaderNameN`.
 */
export function bearerHeaderIndex(jsonData: FleetLensOptions): number {
  let firstFree = 0;
  for (let n = 1; n < 100; n++) {
    const name = jsonData[`httpHeaderName${n}`];
    if (typeof name === 'string' && name.trim().toLowerCase() === AUTHORIZATION.toLowerCase()) {
      return n;
    }
    if (!name && firstFree === 0) {
      firstFree = n;
    }
    if (name === undefined && firstFree !== 0) {
      break;
    }
  }
  return firstFree || 1;
}
