/**
 * The lazily loaded side of `engine.ts`: the wasm-bindgen glue and its `.wasm` file.
 *
 * webpack turns `new URL('…_bg.wasm', import.meta.url)` into an asset written next to the chunk,
 * resolved at run time against the public path that `public-path.ts` set from the AMD module URL.
 */
import * as glue from '../../target/wasm-pkg/fleetlens.js';
import init, { checkViewConfig, decodePrometheus, defaultPrices, planView, sloPresets, sumLatest, version } from '../../target/wasm-pkg/fleetlens.js';
import { guard, type Engine } from './engine';

const engine: Engine = { checkViewConfig, decodePrometheus, defaultPrices, planView, sloPresets, sumLatest, version };

/**
 * Fetches, compiles and instantiates the wasm module; call it through `loadEngine()`. `fresh`:
 * the current instance trapped, replace it with a new one (the glue's `__wbg_reset_state`, from
 * wasm-bindgen's `--experimental-reset-state-function`). `onTrap` runs when a call traps.
 */
export async function instantiate(fresh: boolean, onTrap: () => void): Promise<Engine> {
  if (fresh) {
    const reset: unknown = Reflect.get(glue, '__wbg_reset_state');
    if (typeof reset !== 'function') {
      throw new Error('The FleetLens engine stopped after an internal error; reload the page to restart it.');
    }
    reset();
  } else {
    await init({ module_or_path: new URL('../../target/wasm-pkg/fleetlens_bg.wasm', import.meta.url) });
  }
  return guard(engine, onTrap);
}
