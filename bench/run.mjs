#!/usr/bin/env node
/**
 * `npm run bench`: FleetLens' engine against a JavaScript baseline and a copy floor, in headless
 * Chromium. Serves bench/ and target/wasm-pkg/ on 127.0.0.1 with cross-origin isolation (fine
 * timers), drives bench/page.mjs through playwright-core, then writes bench/results.json and
 * docs/performance.md.
 *
 *   node bench/run.mjs                 the full run (about 10 minutes)
 *   node bench/run.mjs --smoke --out DIR   tiny sizes, few samples (the harness test)
 *
 * Needs the built engine (`npm run build:wasm`) and Chromium (/usr/bin/chromium, or
 * FLEETLENS_CHROMIUM).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? path.resolve(args[outAt + 1]) : null;
const chromiumPath = process.env.FLEETLENS_CHROMIUM ?? '/usr/bin/chromium';
const pkgAt = args.indexOf('--pkg');
const pkgDir = pkgAt >= 0 ? path.resolve(args[pkgAt + 1]) : path.join(root, 'target/wasm-pkg');
const wasmPath = path.join(pkgDir, 'fleetlens_bg.wasm');
const profileAt = args.indexOf('--profile');
const profileJob = profileAt >= 0 ? args[profileAt + 1] : null;

/** What one run measures. */
const PLAN = smoke
  ? { sweep: [1e3, 1e4], series: 10, warmup: 1, samples: 3, frameAt: 1e4, variants: [], memory: { points: 1e3, repeats: 10 }, cold: 2 }
  : {
      sweep: [1e4, 1e5, 1e6, 1e7],
      series: 100,
      warmup: 3,
      samples: 30,
      frameAt: 1e6,
      // 1e7 points: 330 MB bodies, seconds per sample on a shared 2-core machine.
      large: { points: 1e7, warmup: 1, samples: 10 },
      variants: [
        { view: 'cost', points: 1e6, series: 1 },
        { view: 'cost', points: 1e6, series: 1000 },
        { view: 'slo', points: 1e6, series: 10 },
        { view: 'slo', points: 1e6, series: 1000 },
      ],
      memory: { points: 1e5, repeats: 1000 },
      cold: 30,
    };
const OUTPUTS = {
  cost: ['summary', 'breakdown', 'hourly', 'cumulative', 'forecast'],
  slo: ['summary', 'burnRates', 'windows', 'budget', 'backtest', 'groups'],
};

const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** bench/ at `/`, the engine at `/pkg/`, bench/baseline.ts transpiled at `/baseline.js`. */
function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let file;
    let body;
    if (url.pathname === '/baseline.js') {
      const source = readFileSync(path.join(root, 'bench/baseline.ts'), 'utf8');
      body = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      file = 'baseline.js';
    } else if (url.pathname.startsWith('/pkg/')) {
      file = path.join(pkgDir, path.basename(url.pathname));
    } else {
      file = path.join(root, 'bench', path.basename(url.pathname === '/' ? 'index.html' : url.pathname));
    }
    if (body === undefined) {
      if (!existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      body = readFileSync(file);
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return { cpu: model, cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version };
}

/** Slope of log(time) against log(points): 1 is linear. */
function exponent(rows, pick) {
  const pts = rows.filter((r) => pick(r) > 0).map((r) => [Math.log(r.points), Math.log(pick(r))]);
  if (pts.length < 2) {
    return null;
  }
  const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  const sxy = pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const sxx = pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return sxy / sxx;
}

async function main() {
  if (!existsSync(wasmPath)) {
    throw new Error('bench: target/wasm-pkg/fleetlens_bg.wasm is missing: run npm run build:wasm');
  }
  const wasmBytes = readFileSync(wasmPath);
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--js-flags=--expose-gc'],
  });
  const log = (m) => process.stderr.write(`bench: ${m}\n`);
  if (profileJob) {
    try {
      await profile(browser, base, profileJob);
    } finally {
      await browser.close();
      server.close();
    }
    return;
  }
  try {
    const results = {
      date: new Date().toISOString(),
      smoke,
      machine: machine(),
      browser: `Chromium ${browser.version()}`,
      wasm: { rawBytes: wasmBytes.length, gzipBytes: gzipSync(wasmBytes, { level: 9 }).length },
      plan: PLAN,
    };

    const cold = [];
    for (let i = 0; i < PLAN.cold; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(base);
      await page.waitForFunction(() => window.benchReady === true);
      cold.push(await page.evaluate(() => window.bench.coldStart()));
      await context.close();
    }
    results.coldStart = Object.fromEntries(Object.keys(cold[0]).map((k) => [k, summary(cold.map((c) => c[k]))]));
    log(`cold start median ${results.coldStart.total.median.toFixed(1)} ms`);

    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && log(`page: ${m.text()}`));
    await page.goto(base);
    await page.waitForFunction(() => window.benchReady === true);
    results.page = await page.evaluate(() => window.bench.setup());
    results.agreement = { cost: await page.evaluate(() => window.bench.agree('cost')), slo: await page.evaluate(() => window.bench.agree('slo')) };

    const jobs = [];
    for (const view of ['cost', 'slo']) {
      for (const points of PLAN.sweep) {
        jobs.push({ view, points, series: PLAN.series, frames: points === PLAN.frameAt, outputs: points === PLAN.frameAt ? OUTPUTS[view] : null, sweep: true });
      }
    }
    for (const v of PLAN.variants) {
      jobs.push({ ...v, frames: false, outputs: null, sweep: false });
    }
    results.workloads = [];
    for (const job of jobs) {
      const t = Date.now();
      try {
        const big = PLAN.large && job.points >= PLAN.large.points;
        const counts = big ? { warmup: PLAN.large.warmup, samples: PLAN.large.samples } : { warmup: PLAN.warmup, samples: PLAN.samples };
        const r = await page.evaluate((j) => window.bench.runWorkload(j), { ...job, ...counts });
        results.workloads.push({ ...r, sweep: job.sweep });
        log(`${job.view} ${job.points} points / ${job.series} series: engine ${r.engine.total.median.toFixed(2)} ms, baseline ${r.baseline.total.median.toFixed(2)} ms (${((Date.now() - t) / 1000).toFixed(0)} s)`);
      } catch (e) {
        results.workloads.push({ view: job.view, points: job.points, series: job.series, sweep: job.sweep, error: String(e.message ?? e).split('\n')[0] });
        log(`${job.view} ${job.points} points: failed: ${e.message}`);
      }
    }
    results.memory = await page.evaluate((m) => window.bench.memoryGrowth(m), { view: 'cost', series: PLAN.series, ...PLAN.memory });
    results.scaling = {};
    for (const view of ['cost', 'slo']) {
      const rows = results.workloads.filter((r) => r.view === view && r.sweep && !r.error);
      results.scaling[view] = { engine: exponent(rows, (r) => r.engine.total.median), baseline: exponent(rows, (r) => r.baseline.total.median) };
    }
    await context.close();

    const resultsPath = outDir ? path.join(outDir, 'results.json') : path.join(root, 'bench/results.json');
    const docPath = outDir ? path.join(outDir, 'performance.md') : path.join(root, 'docs/performance.md');
    mkdirSync(path.dirname(resultsPath), { recursive: true });
    writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    const { renderMarkdown } = await import('./report.mjs');
    writeFileSync(docPath, renderMarkdown(results));
    log(`wrote ${path.relative(root, resultsPath) || resultsPath} and ${path.relative(root, docPath) || docPath}`);
  } finally {
    await browser.close();
    server.close();
  }
}

/**
 * `--profile view:points[:series]`: a CPU profile of five engine runs of one workload, printed
 * as the functions with the most self time (build the engine with names kept to read them:
 * `--pkg DIR` with a wasm-bindgen output that was not stripped).
 */
async function profile(browser, base, spec) {
  const [view, points, series = '100'] = spec.split(':');
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForFunction(() => window.benchReady === true);
  await page.evaluate(() => window.bench.setup());
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  await page.evaluate((j) => window.bench.runWorkload(j), { view, points: Number(points), series: Number(series), warmup: 0, samples: 5, frames: false, outputs: null });
  const { profile: p } = await cdp.send('Profiler.stop');
  const self = new Map();
  const dt = new Map();
  p.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  for (const node of p.nodes) {
    const name = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}`;
    self.set(name, (self.get(name) ?? 0) + (dt.get(node.id) ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  for (const [name, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: rank(0.5), p95: rank(0.95), min: sorted[0], samples: sorted.length };
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
