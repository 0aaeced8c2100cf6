/**
 * The benchmark harness works end to end: `node bench/run.mjs --smoke` serves the page with
 * cross-origin isolation, runs every phase in headless Chromium and writes both outputs. The
 * speed figures are not checked. Needs the built engine and /usr/bin/chromium
 * (`node --test bench/smoke.test.mjs`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('a smoke run measures every workload and writes results.json and the markdown', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleetlens-bench-'));
  try {
    execFileSync(process.execPath, [path.join(root, 'bench/run.mjs'), '--smoke', '--out', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const r = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
    assert.equal(r.smoke, true);
    assert.equal(r.page.crossOriginIsolated, true, 'COOP/COEP make the page cross-origin isolated');
    assert.match(r.browser, /^Chromium \d+\./);
    // 2 views × 2 sizes, each with the engine, the copy floor and the baseline timed
    assert.equal(r.workloads.length, 4);
    for (const w of r.workloads) {
      assert.equal(w.error, undefined, `${w.view} ${w.points}: ${w.error}`);
      assert.ok(w.bytes > w.points * 10, 'a body of at least 10 bytes per sample');
      for (const s of [w.engine.total, w.copy.total, w.baseline.total]) {
        assert.equal(s.samples, r.plan.samples);
        assert.ok(s.median > 0 && s.p95 >= s.median);
      }
    }
    assert.ok(r.workloads.some((w) => w.frame && w.frameBaseline), 'a frame workload');
    // the page's self-check: engine and baseline agree on a small workload
    for (const view of ['cost', 'slo']) {
      const { engine, baseline } = r.agreement[view];
      assert.ok(Math.abs(engine - baseline) <= 1e-9 * Math.abs(baseline), `${view}: ${engine} vs ${baseline}`);
    }
    assert.equal(r.memory.repeats, r.plan.memory.repeats);
    assert.equal(r.coldStart.total.samples, r.plan.cold);
    assert.ok(r.wasm.gzipBytes > 0 && r.wasm.gzipBytes < r.wasm.rawBytes);
    const md = readFileSync(path.join(dir, 'performance.md'), 'utf8');
    assert.match(md, /## Against the targets/);
    assert.match(md, /\| cost \| 10k \| 10 \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
