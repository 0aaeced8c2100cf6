/**
 * Test helper: the built engine (target/wasm-pkg, from `npm run build:wasm`), instantiated
 * synchronously from its bytes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
  checkViewConfig,
  decodePrometheus,
  defaultPrices,
  initSync,
  planView,
  sloPresets,
  sumLatest,
  version,
} from '../../target/wasm-pkg/fleetlens.js';
import type { Engine } from './engine';

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '../..');

/** Bytes of a file under tests/fixtures/prometheus/. */
export function promFixture(name: string): Uint8Array {
  return readFileSync(path.join(repoRoot, 'tests/fixtures/prometheus', name));
}

let ready = false;

/** The real engine; the glue must satisfy the interface the shims are written against. */
export function realEngine(): Engine {
  if (!ready) {
    initSync({ module: readFileSync(path.join(repoRoot, 'target/wasm-pkg/fleetlens_bg.wasm')) });
    ready = true;
  }
  return { checkViewConfig, decodePrometheus, defaultPrices, planView, sloPresets, sumLatest, version };
}
