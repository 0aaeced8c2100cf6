/**
 * What the end-to-end tests run: a real Prometheus (Debian's) backfilled with the simulator's
 * history, the playground server (`fleetlens playground`) in front of it, and Debian's Chromium
 * driven by playwright-core. Every server binds 127.0.0.1.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CHROMIUM = process.env.FLEETLENS_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** The newest built `fleetlens` binary (debug from `cargo test`, or release). */
export function fleetlensBin() {
  if (process.env.FLEETLENS_BIN) {
    return process.env.FLEETLENS_BIN;
  }
  const candidates = ['target/debug/fleetlens', 'target/release/fleetlens']
    .map((p) => path.join(repoRoot, p))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (candidates.length === 0) {
    throw new Error('no fleetlens binary: run cargo build first');
  }
  return candidates[0];
}

/** A TCP port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200 or `timeoutMs` passes. */
export async function waitHttp(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) {
        return;
      }
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms: ${last}`);
}

/** A scratch folder removed by `cleanup()`. */
export function scratch(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes the simulator's history from `fromMs` to `toMs` and backfills a TSDB with promtool. */
export function backfill(dir, fromMs, toMs, extraArgs = []) {
  const om = path.join(dir, 'history.om');
  execFileSync(fleetlensBin(), ['simulate', '--openmetrics', om, '--from', String(fromMs / 1000), '--to', String(toMs / 1000), ...extraArgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const data = path.join(dir, 'data');
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, data, '--max-block-duration=2400h'], { stdio: 'ignore' });
  rmSync(om);
  return data;
}

/** A Prometheus serving `dataDir` on 127.0.0.1:`port`; `stop()` ends it. */
export async function startPrometheus(dataDir, port) {
  const child = spawn(
    'prometheus',
    [
      `--config.file=${path.join(repoRoot, 'tests/e2e/prometheus.yml')}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=3650d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let log = '';
  child.stderr.on('data', (chunk) => {
    log = (log + chunk).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${url}/-/ready`);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${log}`);
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** `fleetlens playground` with `args`, on a free port; resolves once it printed its URL. */
export function startPlayground(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(fleetlensBin(), ['playground', '--listen', '127.0.0.1:0', '--root', repoRoot, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the playground did not print its URL in 120 s:\n${out}\n${err}`));
    }, 120_000);
    child.stderr.on('data', (chunk) => {
      err = (err + chunk).slice(-4000);
    });
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /FleetLens playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) {
                done();
                return;
              }
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the playground exited (${code}) before printing its URL:\n${out}\n${err}`));
    });
  });
}

/** `fleetlens report` as JSON, for the same Prometheus, view config and range. */
export function report(promUrl, view, configFile, fromMs, toMs) {
  const out = execFileSync(
    fleetlensBin(),
    ['report', '--prom-url', promUrl, '--view', view, '--config', configFile, '--from', String(fromMs / 1000), '--to', String(toMs / 1000), '--tz', 'UTC', '--json'],
    { encoding: 'utf8', maxBuffer: 256 << 20 }
  );
  return JSON.parse(out);
}
