/**
 * The lazily loaded side of `engine.ts`: the wasm-bindgen glue and its `.wasm` file.
 *
 * webpack turns `new URL('…_bg.wasm', import.meta.url)` into an asset written next to the chunk,
 * resolved at run time against the public path that `public-path.ts` set from the AMD module URL.
 */
import init, { checkViewConfig, decodePrometheus, defaultPrices, planView, sloPresets, sumLatest, version } from '../../target/wasm-pkg/fleetlens.js';
import type { Engine } from './engine';

const engine: Engine = { checkViewConfig, decodePrometheus, defaultPrices, planView, sloPresets, sumLatest, version };

/** Fetches, compiles and instantiates the wasm module; call it through `loadEngine()`. */
export async function instantiate(): Promise<Engine> {
  await init({ module_or_path: new URL('../../target/wasm-pkg/fleetlens_bg.wasm', import.meta.url) });
  return engine;
}
