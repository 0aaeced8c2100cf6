/**
 * An SLO selector (`{metric, matchers}`) as PromQL text and back, for the SLO form.
 */
import type { SloMatcher, SloSelector } from '../types';

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;
const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{([\s\S]*)\})?\s*$/;

/** `metric{label="value", …}`. */
export function formatSelector(s: SloSelector): string {
  const matchers = (s.matchers ?? []).map((m) => `${m.label}${m.op}"${m.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return matchers.length > 0 ? `${s.metric}{${matchers.join(', ')}}` : s.metric;
}

/** Splits matchers on commas outside quotes. */
function splitMatchers(body: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && quoted) {
      current += c + (body[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') {
      quoted = !quoted;
    }
    if (c === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current.trim()) {
    parts.push(current);
  }
  return parts;
}

/** The selector of `metric{label="value", …}`; the text itself when it is not one (kept as typed). */
export function parseSelector(text: string): SloSelector | string | undefined {
  if (!text.trim()) {
    return undefined;
  }
  const m = SELECTOR.exec(text);
  if (!m) {
    return text;
  }
  const matchers: SloMatcher[] = [];
  for (const part of splitMatchers(m[2] ?? '')) {
    const mm = MATCHER.exec(part);
    if (!mm) {
      return text;
    }
    matchers.push({ label: mm[1], op: mm[2] as SloMatcher['op'], value: mm[3].replace(/\\(.)/g, '$1') });
  }
  return { metric: m[1], matchers };
}
