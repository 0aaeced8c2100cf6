/**
 * Deterministic benchmark workloads: counters as typed arrays (what a panel fed frames holds) and
 * the same series as the JSON body Prometheus answers an instant query of a range selector with
 * (a `matrix`; `query_range` bodies have the same shape). Runs in Node and in the browser.
 */

/** The evaluation time of every workload: 2025-02-24T12:00:00Z. */
export const TO_MS = Date.UTC(2025, 1, 24, 12);
/** The dashboard range: the 7 days before `TO_MS`. */
export const FROM_MS = TO_MS - 7 * 86_400_000;

/** The cost counter every cost workload writes. */
export const COST_METRIC = 'claude_code_cost_usage_USD_total';
/** The request counter of the SLO workloads. */
export const REQ_METRIC = 'req_total';

/** The cost view's config: the defaults. */
export const COST_CONFIG = '{}';
/** A ratio SLO over a rolling 7 days: errors are `code="500"`. */
export const SLO_CONFIG = JSON.stringify({
  name: 'api',
  objective: 0.99,
  period: { rolling: '7d' },
  sli: {
    ratio: {
      bad: { metric: REQ_METRIC, matchers: [{ label: 'code', op: '=', value: '500' }] },
      total: { metric: REQ_METRIC },
    },
  },
});

/** mulberry32: a small seeded generator, so every run sees the same numbers. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `points` samples evenly spread over `(atMs − rangeMs, atMs]` (whole milliseconds), a counter
 * rising by `lo..hi` units per sample (`scale` units per value), with one reset at 60 % of the
 * series when it has 10 samples or more.
 */
function counter(next, points, atMs, rangeMs, lo, hi, scale) {
  const times = new Float64Array(points);
  const values = new Float64Array(points);
  const reset = points >= 10 ? Math.floor(points * 0.6) : -1;
  let units = Math.floor(next() * 1000);
  for (let k = 0; k < points; k++) {
    times[k] = atMs - rangeMs + Math.round(((k + 1) * rangeMs) / points);
    const step = lo + Math.floor(next() * (hi - lo + 1));
    units = k === reset ? step : units + step;
    values[k] = units / scale;
  }
  return { times, values };
}

/**
 * The series of a workload of about `points` samples in `series` series, for the fetches of a
 * planned view (`fetches[i].atMs`, `.rangeMs`). Returns one list of series per fetch.
 *
 * * `cost`: one fetch; `series` cost counters in USD (6 decimals) with model, user and session
 *   labels;
 * * `slo`: two fetches (`bad`, then `total`); the total selector matches `series` request
 *   counters, every fourth of them `code="500"` (which the bad selector matches as well, so
 *   those samples are sent twice, as Prometheus would).
 */
export function workloadSeries(view, points, series, fetches, seed = 1) {
  const next = random(seed);
  const models = ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'];
  if (view === 'cost') {
    const per = Math.max(2, Math.round(points / series));
    const { atMs, rangeMs } = fetches[0];
    const list = [];
    for (let s = 0; s < series; s++) {
      const labels = {
        __name__: COST_METRIC,
        model: models[s % 3],
        query_source: 'main',
        session_id: `${(s * 2654435761 >>> 0).toString(16).padStart(8, '0')}-4a1b-9c2d`,
        user_email: `dev${s % 50}@example.com`,
      };
      list.push({ labels, ...counter(next, per, atMs, rangeMs, 1000, 20_000, 1e6) });
    }
    return [list];
  }
  if (view === 'slo') {
    const bad = Array.from({ length: series }, (_, s) => s % 4 === 0);
    const sent = series + bad.filter(Boolean).length;
    const per = Math.max(2, Math.round(points / sent));
    const [badFetch, totalFetch] = fetches;
    const total = [];
    for (let s = 0; s < series; s++) {
      const labels = { __name__: REQ_METRIC, code: bad[s] ? '500' : '200', instance: `10.0.${s >> 8}.${s & 255}:9090`, job: 'api' };
      const [lo, hi] = bad[s] ? [0, 3] : [50, 150];
      total.push({ labels, ...counter(next, per, totalFetch.atMs, totalFetch.rangeMs, lo, hi, 1) });
    }
    void badFetch;
    return [total.filter((_, s) => bad[s]), total];
  }
  throw new Error(`workload: unknown view ${view}`);
}

/** Samples over all lists. */
export function pointCount(lists) {
  let n = 0;
  for (const list of lists) {
    for (const s of list) {
      n += s.times.length;
    }
  }
  return n;
}

const encoder = new TextEncoder();

/**
 * The body Prometheus sends for `series` (a `matrix`): `[seconds, "value"]` pairs, seconds with
 * up to three decimals, values in the shortest decimal form. Encoded chunk by chunk straight
 * into one `Uint8Array`, so bodies of hundreds of MB need no string of that size.
 */
export function matrixBody(series) {
  const chunks = [];
  let size = 0;
  const push = (text) => {
    const bytes = encoder.encode(text);
    chunks.push(bytes);
    size += bytes.length;
  };
  push('{"status":"success","data":{"resultType":"matrix","result":[');
  series.forEach((s, i) => {
    let text = `${i > 0 ? ',' : ''}{"metric":${JSON.stringify(s.labels)},"values":[`;
    for (let k = 0; k < s.times.length; k++) {
      text += `${k > 0 ? ',' : ''}[${s.times[k] / 1000},"${s.values[k]}"]`;
      if (text.length > 1 << 20) {
        push(text);
        text = '';
      }
    }
    push(`${text}]}`);
  });
  push(']}}');
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return body;
}
