/**
 * Variable queries (`metricFindQuery`): `agents()`, `models()`, `users()`, `teams()`, `slos()`,
 * `label_values(label)` and `label_values(metric, label)`.
 */

/** A parsed variable query. */
export type VariableQuery =
  | { kind: 'agents' | 'models' | 'users' | 'teams' | 'slos' }
  | { kind: 'labelValues'; label: string; metric?: string };

const FUNCTIONS = ['agents', 'models', 'users', 'teams', 'slos'] as const;

/** A Prometheus label name. */
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Syntax reminder used in error messages. */
export const VARIABLE_SYNTAX = 'agents(), models(), users(), teams(), slos(), label_values(label) or label_values(metric, label)';

/**
 * Parses a variable query; throws a message naming the accepted forms. The metric of
 * `label_values(metric, label)` may be any series selector (`up{job="api"}`).
 */
export function parseVariableQuery(text: string): VariableQuery {
  const query = text.trim();
  const call = /^([a-z_]+)\s*\(([\s\S]*)\)$/.exec(query);
  if (!call) {
    throw new Error(`variable query "${query}": expected ${VARIABLE_SYNTAX}`);
  }
  const [, name, rawArgs] = call;
  const args = rawArgs.trim();
  const fn = FUNCTIONS.find((f) => f === name);
  if (fn) {
    if (args !== '') {
      throw new Error(`variable query "${query}": ${fn}() takes no arguments`);
    }
    return { kind: fn };
  }
  if (name === 'label_values') {
    const comma = args.lastIndexOf(',');
    const label = (comma >= 0 ? args.slice(comma + 1) : args).trim();
    const metric = comma >= 0 ? args.slice(0, comma).trim() : undefined;
    if (!LABEL.test(label) || metric === '') {
      throw new Error(`variable query "${query}": expected label_values(label) or label_values(metric, label)`);
    }
    return metric ? { kind: 'labelValues', label, metric } : { kind: 'labelValues', label };
  }
  throw new Error(`variable query "${query}": unknown function ${name}(); use ${VARIABLE_SYNTAX}`);
}
