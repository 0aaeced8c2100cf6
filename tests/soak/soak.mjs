#!/usr/bin/env node
/**
 * Soak: the playground's soak dashboard (50 FleetLens panels) refreshing every 5 s for
 * --minutes (default 10) against a real Prometheus holding a 30-day simulated fleet, then the same
 * with Prometheus stopped and restarted midway. Samples, every 15 s: panel states and errors, the
 * engine's wasm memory (every WebAssembly.Memory the page creates), the JS heap and DOM node
 * counts (Chrome DevTools' Performance.getMetrics). Writes tests/soak/results.json and prints a
 * summary. Not part of `npm test` (it takes twice --minutes); run `npm run soak`.
 *
 *   node tests/soak/soak.mjs [--minutes 10] [--days 30] [--panels 50] [--refresh 5s]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS, backfill, freePort, repoRoot, scratch, startPlayground, startPrometheus } from '../e2e/support.mjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    days: { type: 'string', default: '30' },
    panels: { type: 'string', default: '50' },
    refresh: { type: 'string', default: '5s' },
    out: { type: 'string', default: path.join(repoRoot, 'tests/soak/results.json') },
  },
});
const MINUTES = Number(args.minutes);
const DAYS = Number(args.days);
const SAMPLE_MS = 15_000;
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);

// Every wasm memory the page creates (the engine of the data source and of each panel plugin).
function trackWasm() {
  window.__wasmMemories = [];
  const keep = (result) => {
    const instance = result.instance ?? result;
    const memory = instance?.exports?.memory;
    if (memory instanceof WebAssembly.Memory) {
      window.__wasmMemories.push(memory);
    }
    return result;
  };
  const { instantiate, instantiateStreaming } = WebAssembly;
  WebAssembly.instantiate = (...a) => instantiate.apply(WebAssembly, a).then(keep);
  if (instantiateStreaming) {
    WebAssembly.instantiateStreaming = (...a) => instantiateStreaming.apply(WebAssembly, a).then(keep);
  }
}

async function sample(page, cdp) {
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const page_ = await page.evaluate(() => {
    const panels = [...document.querySelectorAll('[data-testid=panel]')];
    return {
      panels: panels.length,
      done: panels.filter((p) => p.dataset.state === 'Done').length,
      errored: panels.filter((p) => p.querySelector('[data-testid=panel-error]')).length,
      firstError: document.querySelector('[data-testid=panel-error]')?.textContent ?? null,
      wasmBytes: (window.__wasmMemories ?? []).reduce((sum, m) => sum + m.buffer.byteLength, 0),
      wasmModules: (window.__wasmMemories ?? []).length,
      domNodes: document.getElementsByTagName('*').length,
      requests: window.fleetlens?.recorded?.length ?? 0,
    };
  });
  return { atMs: Date.now(), jsHeapUsed: metrics.JSHeapUsedSize, nodes: metrics.Nodes, listeners: metrics.JSEventListeners, ...page_ };
}

const stats = (series, key) => {
  const values = series.map((s) => s[key]);
  return { start: values[0], end: values[values.length - 1], peak: Math.max(...values), min: Math.min(...values) };
};

async function phase(name, page, cdp, minutes) {
  const samples = [];
  const problems = [];
  const onError = (err) => problems.push(String(err.message ?? err));
  // Why a request failed at the network level (e.g. net::ERR_INSUFFICIENT_RESOURCES), by reason.
  const failures = {};
  const onFailed = (request) => {
    const reason = request.failure()?.errorText ?? 'unknown';
    if (reason !== 'net::ERR_ABORTED') {
      failures[reason] = (failures[reason] ?? 0) + 1;
    }
  };
  page.on('pageerror', onError);
  page.on('requestfailed', onFailed);
  const end = Date.now() + minutes * 60_000;
  while (Date.now() < end) {
    await page.waitForTimeout(SAMPLE_MS);
    const s = await sample(page, cdp);
    samples.push(s);
    log(name, `done ${s.done}/${s.panels}`, `errors ${s.errored}`, `wasm ${(s.wasmBytes / 2 ** 20).toFixed(1)} MiB in ${s.wasmModules}`, `heap ${(s.jsHeapUsed / 2 ** 20).toFixed(1)} MiB`, `dom ${s.domNodes}`, s.firstError ? `(${s.firstError.slice(0, 80)})` : '');
  }
  page.off('pageerror', onError);
  page.off('requestfailed', onFailed);
  return { samples, problems, failures };
}

const tmp = scratch('fleetlens-soak-');
const end = Math.floor(Date.now() / 60_000) * 60_000;
log(`backfilling ${DAYS} days`);
const dataDir = backfill(tmp.dir, end - DAYS * 86_400_000, end);
const port = await freePort();
let prometheus = await startPrometheus(dataDir, port);
const playground = await startPlayground(['--prometheus', prometheus.url]);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'] });
const results = { minutes: MINUTES, days: DAYS, panels: Number(args.panels), refresh: args.refresh, phases: {} };
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1200 }, timezoneId: 'UTC' });
  const page = await context.newPage();
  await page.addInitScript(trackWasm);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${playground.url}?dashboard=soak&panels=${args.panels}&from=now-24h&to=now&refresh=${args.refresh}`);

  const steady = await phase('steady', page, cdp, MINUTES);
  results.phases.steady = { ...steady, summary: summarize(steady.samples) };

  // Prometheus goes away for the middle third of the phase; the panels must recover by themselves.
  const third = (MINUTES * 60_000) / 3;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const outageWindow = {};
  const disruption = (async () => {
    await sleep(third);
    log('stopping Prometheus');
    outageWindow.stopMs = Date.now();
    await prometheus.stop();
    await sleep(third);
    log('starting Prometheus again');
    prometheus = await startPrometheus(dataDir, port);
    outageWindow.restartMs = Date.now();
  })();
  const outage = await phase('outage', page, cdp, MINUTES);
  await disruption;
  const during = outage.samples.filter((s) => s.atMs > outageWindow.stopMs + 30_000 && s.atMs < outageWindow.restartMs);
  const after = outage.samples.filter((s) => s.atMs > outageWindow.restartMs + 60_000);
  results.phases.outage = {
    ...outage,
    summary: {
      ...summarize(outage.samples),
      outageShownInEverySample: during.length > 0 && during.every((s) => s.errored === s.panels),
      recoveredAfterRestart: after.length > 0 && after.every((s) => s.errored === 0),
      samplesDuringOutage: during.length,
      samplesAfterRestart: after.length,
    },
  };
  await context.close();
} finally {
  await browser.close();
  await playground.stop();
  await prometheus.stop();
  tmp.cleanup();
}
writeFileSync(args.out, JSON.stringify(results, null, 1));
for (const [name, { summary, problems }] of Object.entries(results.phases)) {
  console.log(`\n${name}: page errors ${problems.length}`);
  console.log(JSON.stringify(summary, null, 1));
}

function summarize(samples) {
  return {
    samples: samples.length,
    panelErrorsSeen: samples.filter((s) => s.errored > 0).length,
    lastSample: { done: samples.at(-1)?.done, panels: samples.at(-1)?.panels, errored: samples.at(-1)?.errored },
    wasmBytes: stats(samples, 'wasmBytes'),
    jsHeapUsed: stats(samples, 'jsHeapUsed'),
    domNodes: stats(samples, 'domNodes'),
    listeners: stats(samples, 'listeners'),
  };
}
