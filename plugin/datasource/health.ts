/**
 * What "Save & test" reports beyond reachability: which metrics each view would read, found by
 * planning every view in wasm against the metric names the upstream holds (the engine's own
 * name detection and missing-metric messages, no second list of names here).
 */
import type { Engine, ViewPlan } from '../shared/engine';
import { errorMessage } from '../shared/errors';
import { zoneOffsets } from '../shared/zone';
import { agentsConfig, costConfig, sloName, sloText } from './settings';
import type { FleetLensOptions } from './types';

const HOUR_MS = 3_600_000;

/** Readable names of the engine's naming variants (`NamingVariant`). */
const VARIANT_TITLES: Record<string, string> = {
  collector: 'OTel Collector names',
  doubledPrefix: 'doubled claude_code_ prefix',
  noUnitSuffix: 'names without unit suffix',
  legacy: 'legacy dashboard names',
  cluster: 'agent cluster names',
};

/**
 * The agents view's roles (the engine's `plan_agents`), to name the ones whose metric is
 * missing; the metric names themselves come from the plan.
 */
const AGENT_ROLES = [
  'tasksCompleted',
  'tasksFailed',
  'taskDuration',
  'load',
  'heartbeat',
  'tokens',
  'cost',
  'queueSize',
  'tasksActive',
  'agentsTotal',
  'agentsAvailable',
  'apiDuration',
];

/** The Claude Code cost counter, added to the names only to learn the other roles when it is missing. */
const COST_PLACEHOLDER = 'claude_code_cost_usage_USD_total';

/** One role of the cost view as the engine's report names it. */
interface RoleName {
  role: string;
  found: string | null;
  variant: string | null;
  message: string;
}

/** The coverage report: one line per view or SLO, and the naming variants found. */
export interface Coverage {
  variants: string[];
  lines: string[];
}

function plan(engine: Engine, view: string, config: string, names: string[], nowMs: number): ViewPlan {
  const request = { fromMs: nowMs - HOUR_MS, toMs: nowMs };
  return engine.planView(view, config, request, zoneOffsets('utc', request.fromMs, request.toMs), names);
}

/**
 * The parts of a missing-metric role message after the looked-for names: what is lost, and which
 * similar names exist.
 */
function consequence(message: string): string {
  const parts = message.split('; ');
  return parts.length > 1 ? parts.slice(1).join('; ') : message;
}

/**
 * The cost view's roles: planned with the names, then evaluated on one empty series per fetch
 * (named after the metric), so the report's name detection says what each role reads.
 */
function costRoles(engine: Engine, options: FleetLensOptions, names: string[], nowMs: number): { roles: RoleName[]; costError?: string } {
  let costError: string | undefined;
  let p: ViewPlan;
  try {
    p = plan(engine, 'cost', costConfig(options), names, nowMs);
  } catch (err) {
    costError = errorMessage(err);
    if (!/metric not found/.test(costError)) {
      throw err;
    }
    p = plan(engine, 'cost', costConfig(options), [...names, COST_PLACEHOLDER], nowMs);
  }
  try {
    p.fetches.forEach((f, i) => p.addSeries(i, { __name__: f.selector }, new Float64Array(0), new Float64Array(0)));
    const result = p.evaluate('summary');
    try {
      const report = result.report() as { report?: { names?: { roles?: RoleName[] } } };
      return { roles: report.report?.names?.roles ?? [], costError };
    } finally {
      result.free();
    }
  } finally {
    p.free();
  }
}

function costLines(engine: Engine, options: FleetLensOptions, names: string[], nowMs: number, variants: Set<string>): string {
  try {
    const { roles, costError } = costRoles(engine, options, names, nowMs);
    const parts = roles.map((r) => {
      const title = r.message.slice(0, r.message.indexOf(':'));
      if (r.role === 'cost' && costError) {
        return `${title}: missing — no cost figure can be shown (${costError})`;
      }
      if (r.found) {
        if (r.variant) {
          variants.add(VARIANT_TITLES[r.variant] ?? r.variant);
        }
        return `${title}: found (${r.found})`;
      }
      return `${title}: missing — ${consequence(r.message)}`;
    });
    return parts.join('; ');
  } catch (err) {
    return `cost: ${errorMessage(err)}`;
  }
}

function sloLine(engine: Engine, setting: Parameters<typeof sloText>[0], index: number, names: string[], nowMs: number): string {
  const title = `SLO "${sloName(setting) ?? `#${index + 1}`}"`;
  try {
    const p = plan(engine, 'slo', sloText(setting), names, nowMs);
    try {
      const metrics = Array.from(new Set(p.fetches.map((f) => f.selector.replace(/\{.*$/, ''))));
      return `${title}: found (${metrics.join(', ')})`;
    } finally {
      p.free();
    }
  } catch (err) {
    const message = errorMessage(err);
    const missing = /metric not found: looked for (.*?); /.exec(message);
    return missing ? `${title}: missing ${missing[1]}` : `${title}: ${message}`;
  }
}

function agentsLine(engine: Engine, options: FleetLensOptions, names: string[], nowMs: number): string {
  try {
    const p = plan(engine, 'agents', agentsConfig(options), names, nowMs);
    try {
      const found = new Set(p.fetches.map((f) => f.role));
      const missing = AGENT_ROLES.filter((role) => !found.has(role));
      return `agents: ${found.size} of ${AGENT_ROLES.length} metrics found` + (missing.length > 0 ? ` (missing: ${missing.join(', ')})` : '');
    } finally {
      p.free();
    }
  } catch (err) {
    const message = errorMessage(err);
    return /metric not found/.test(message) ? 'agents: missing — none of the agent metrics exist' : `agents: ${message}`;
  }
}

/** What each view finds among `names` with these settings, at `nowMs`. */
export function coverage(engine: Engine, options: FleetLensOptions, names: string[], nowMs: number): Coverage {
  const variants = new Set<string>();
  const lines = [costLines(engine, options, names, nowMs, variants)];
  (options.slos ?? []).forEach((s, i) => lines.push(sloLine(engine, s, i, names, nowMs)));
  lines.push(agentsLine(engine, options, names, nowMs));
  return { variants: Array.from(variants), lines };
}
