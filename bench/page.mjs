/**
 * The in-browser half of the benchmarks (bench/run.mjs drives it): times the engine and the
 * JavaScript baseline on the same workloads, phase by phase, and returns plain numbers.
 */
import init, { planView } from './pkg/fleetlens.js';
import { costAmounts, parseMatrix, sloFigures } from './baseline.js';
import * as w from './workload.mjs';

const CONFIGS = { cost: w.COST_CONFIG, slo: w.SLO_CONFIG };
const METRICS = { cost: [w.COST_METRIC], slo: [w.REQ_METRIC] };
const REQUEST = { fromMs: w.FROM_MS, toMs: w.TO_MS };
const UTC = new Float64Array([0, 0]);
const DAY_MS = 86_400_000;

let wasm = null;

/** Loads the engine (streaming compile of pkg/fleetlens_bg.wasm). */
export async function setup() {
  wasm = await init({ module_or_path: new URL('./pkg/fleetlens_bg.wasm', import.meta.url) });
  return { crossOriginIsolated: globalThis.crossOriginIsolated === true, timerResolutionUs: timerResolution() * 1000, memoryBytes: wasm.memory.buffer.byteLength };
}

/** The smallest step `performance.now()` shows, in ms. */
function timerResolution() {
  let best = Infinity;
  for (let i = 0; i < 200; i++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) {
      b = performance.now();
    }
    best = Math.min(best, b - a);
  }
  return best;
}

function collect() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
  }
}

/** Runs `fn` (returning phase durations in ms) `warmup` times unrecorded, then `samples` times. */
function measure(fn, { warmup, samples }) {
  for (let i = 0; i < warmup; i++) {
    collect();
    fn();
  }
  const runs = [];
  for (let i = 0; i < samples; i++) {
    collect();
    runs.push(fn());
  }
  const out = {};
  for (const phase of Object.keys(runs[0])) {
    out[phase] = stats(runs.map((r) => r[phase]));
  }
  return out;
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: rank(0.5), p95: rank(0.95), min: sorted[0], samples: sorted.length };
}

function plan(view) {
  return planView(view, CONFIGS[view], REQUEST, UTC, METRICS[view]);
}

/** Every frame's metadata and columns, as the data source reads them. */
function columnsOut(result) {
  let cells = 0;
  for (let i = 0; i < result.frameCount; i++) {
    const meta = result.frameMeta(i);
    if (meta.hasTime) {
      cells += result.frameTimes(i).length;
    }
    for (let j = 0; j < meta.fields.length; j++) {
      cells += result.fieldValues(i, j).length;
    }
  }
  return cells;
}

/** The baseline's clock for the cost view (UTC). */
function costClock() {
  const to = new Date(w.TO_MS);
  return {
    fromMs: w.FROM_MS,
    toMs: w.TO_MS,
    todayStartMs: Math.floor(w.TO_MS / DAY_MS) * DAY_MS,
    monthStartMs: Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1),
  };
}

/** The baseline's figures of `view` from series lists (one per fetch). */
function baselineFigures(view, lists) {
  if (view === 'cost') {
    return costAmounts(lists[0], costClock());
  }
  return sloFigures(lists[0], lists[1], w.TO_MS - 7 * DAY_MS, w.TO_MS, 0.99);
}

/**
 * One workload: `view` over about `points` samples in `series` series, from JSON bodies and
 * from typed arrays. Returns sizes and the timings of the engine, the copy floor and the
 * baseline.
 */
export function runWorkload({ view, points, series, warmup, samples, frames, outputs }) {
  const fetches = plan(view).fetches;
  const lists = w.workloadSeries(view, points, series, fetches);
  const bodies = lists.map(w.matrixBody);
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  const opts = { warmup, samples };
  const out = { view, points: w.pointCount(lists), series, bytes, fetches: fetches.length };

  out.engine = measure(() => {
    const t0 = performance.now();
    const p = plan(view);
    const t1 = performance.now();
    bodies.forEach((b, i) => p.addResponse(i, b));
    const t2 = performance.now();
    const r = p.evaluate('summary');
    const t3 = performance.now();
    columnsOut(r);
    const t4 = performance.now();
    r.free();
    p.free();
    return { plan: t1 - t0, inDecode: t2 - t1, compute: t3 - t2, out: t4 - t3, total: t4 - t0 };
  }, opts);

  // The floor: the same bytes copied into wasm memory, nothing else.
  const ptrs = bodies.map((b) => wasm.__wbindgen_malloc(b.length, 1) >>> 0);
  out.copy = measure(() => {
    const t0 = performance.now();
    bodies.forEach((b, i) => new Uint8Array(wasm.memory.buffer, ptrs[i], b.length).set(b));
    return { total: performance.now() - t0 };
  }, opts);
  bodies.forEach((b, i) => wasm.__wbindgen_free(ptrs[i], b.length, 1));

  out.baseline = measure(() => {
    const t0 = performance.now();
    const parsed = bodies.map(parseMatrix);
    const t1 = performance.now();
    baselineFigures(view, parsed);
    const t2 = performance.now();
    return { parse: t1 - t0, compute: t2 - t1, total: t2 - t0 };
  }, opts);

  if (frames) {
    out.frame = measure(() => {
      const t0 = performance.now();
      const p = plan(view);
      lists.forEach((list, i) => list.forEach((s) => p.addSeries(i, s.labels, s.times, s.values)));
      const t1 = performance.now();
      const r = p.evaluate('summary');
      const t2 = performance.now();
      columnsOut(r);
      const t3 = performance.now();
      r.free();
      p.free();
      return { in: t1 - t0, compute: t2 - t1, out: t3 - t2, total: t3 - t0 };
    }, opts);
    out.frameBaseline = measure(() => {
      const t0 = performance.now();
      baselineFigures(view, lists);
      return { total: performance.now() - t0 };
    }, opts);
  }

  if (outputs) {
    // Every output of the view on the same fed plan: evaluation and columns out.
    const p = plan(view);
    bodies.forEach((b, i) => p.addResponse(i, b));
    out.outputs = {};
    for (const name of outputs) {
      out.outputs[name] = measure(() => {
        const t0 = performance.now();
        const r = p.evaluate(name);
        const t1 = performance.now();
        columnsOut(r);
        const t2 = performance.now();
        r.free();
        return { compute: t1 - t0, out: t2 - t1, total: t2 - t0 };
      }, opts).total;
    }
    p.free();
  }
  out.memoryBytes = wasm.memory.buffer.byteLength;
  return out;
}

/** wasm memory before and after `repeats` evaluations of the same workload. */
export function memoryGrowth({ view, points, series, repeats }) {
  const lists = w.workloadSeries(view, points, series, plan(view).fetches);
  const bodies = lists.map(w.matrixBody);
  const once = () => {
    const p = plan(view);
    bodies.forEach((b, i) => p.addResponse(i, b));
    const r = p.evaluate('summary');
    columnsOut(r);
    r.free();
    p.free();
  };
  once();
  const before = wasm.memory.buffer.byteLength;
  for (let i = 0; i < repeats; i++) {
    once();
  }
  return { view, points: w.pointCount(lists), repeats, beforeBytes: before, afterBytes: wasm.memory.buffer.byteLength };
}

/** Checks, on a small workload, that the engine and the baseline agree (a harness self-test). */
export function agree(view) {
  const p = plan(view);
  const lists = w.workloadSeries(view, 2000, 10, p.fetches);
  lists.forEach((list, i) => p.addResponse(i, w.matrixBody(list)));
  const r = p.evaluate('summary');
  const engine = Array.from(r.fieldValues(0, 0));
  r.free();
  p.free();
  const b = baselineFigures(view, lists);
  return { engine: engine[0], baseline: view === 'cost' ? b.total : b.sli };
}

/**
 * Cold start in a fresh browser context: fetch, compile and instantiate the wasm, then plan,
 * feed and evaluate a small view (the first result a panel would show).
 */
export async function coldStart() {
  const t0 = performance.now();
  const exports = await init({ module_or_path: new URL('./pkg/fleetlens_bg.wasm', import.meta.url) });
  const t1 = performance.now();
  const p = plan('cost');
  const lists = w.workloadSeries('cost', 100, 2, p.fetches);
  lists.forEach((list, i) => p.addResponse(i, w.matrixBody(list)));
  const r = p.evaluate('summary');
  columnsOut(r);
  r.free();
  p.free();
  const t2 = performance.now();
  wasm = exports;
  return { instantiate: t1 - t0, firstResult: t2 - t1, total: t2 - t0 };
}
