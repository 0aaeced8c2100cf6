/**
 * The one way into the WebAssembly engine.
 *
 * Nothing here imports the wasm glue statically: `loadEngine()` imports `./wasm` on first use, so
 * each plugin's `module.js` stays small and exports `plugin` synchronously. The glue and the
 * `.wasm` file become a chunk and an asset beside that plugin's `module.js`.
 */

/**
 * The small metadata types are declared once, in the binding (`src/wasm.rs`), and reach
 * TypeScript through the generated declarations; type-only, so nothing of the glue is bundled
 * here.
 */
export type { FrameMeta, LatestSum, ViewFetch, ViewRequest } from '../../target/wasm-pkg/fleetlens';
import type { FrameMeta, LatestSum, ViewFetch, ViewRequest } from '../../target/wasm-pkg/fleetlens';

/** The decoded form of one Prometheus query API response, held in wasm memory until `free()`. */
export interface DecodedResponse {
  free(): void;
  /** `matrix`, `vector`, `scalar` or `string`. */
  readonly resultType: string;
  readonly seriesCount: number;
  /** Samples over all series. */
  readonly pointCount: number;
  /** Prometheus' warnings, then the decoder's notes. */
  warnings(): string[];
  /** Prometheus' infos. */
  infos(): string[];
  /** Labels of series `i`, `__name__` included when present. */
  labels(i: number): Record<string, string>;
  /** Sample times of series `i`, epoch milliseconds. */
  times(i: number): Float64Array;
  /** Sample values of series `i`; NaN and ±Infinity kept. */
  values(i: number): Float64Array;
  /** The text of a `string` result. */
  stringValue(): string | undefined;
}

/** A planned view waiting for its raw samples, held in wasm memory until `free()`. */
export interface ViewPlan {
  free(): void;
  /** The fetches to run, in order. */
  readonly fetches: ViewFetch[];
  /** Gives fetch `index` Prometheus' response body; throws for errors and non-matrix results. */
  addResponse(index: number, body: Uint8Array): void;
  /** Adds one series to fetch `index` from columns (frames from another data source). */
  addSeries(index: number, labels: Record<string, string>, times: Float64Array, values: Float64Array): void;
  /** Computes the view; `output` empty = the view's default. Throws when a fetch has no data given. */
  evaluate(output: string): ViewResult;
}

/** A view's result, held in wasm memory until `free()`. */
export interface ViewResult {
  free(): void;
  readonly frameCount: number;
  frameMeta(i: number): FrameMeta;
  /** Epoch ms; empty for a table. */
  frameTimes(i: number): Float64Array;
  /** Number field `j` of frame `i`; no value is NaN. */
  fieldValues(i: number, j: number): Float64Array;
  warnings(): string[];
  /** The whole typed report (`{view: 'cost' | 'slo' | 'agents', …}`). */
  report(): Record<string, unknown>;
}

/** The engine's functions, once its wasm module is instantiated. */
export interface Engine {
  version(): string;
  /** Throws an Error with a readable message on anything but a successful API response. */
  decodePrometheus(body: Uint8Array): DecodedResponse;
  /** `lengths[k]` values of `values` belong to series k; the lengths must add up. */
  sumLatest(values: Float64Array, lengths: Uint32Array): LatestSum;
  /**
   * Plans view `view` (`cost`, `slo`, `agents`) with its JSON `config`; `offsets` is the time zone
   * as `[fromMs, offsetMs, …]` pairs (see `zoneOffsets`), `metricNames` what the data source
   * holds. Throws for a bad config or range, a missing metric (naming what exists), a range
   * beyond what is fetched at once.
   */
  planView(view: string, config: string, request: ViewRequest, offsets: Float64Array, metricNames: string[]): ViewPlan;
  /** The shipped price table (`{model, effectiveFrom, effectiveUntil?, input, output, cacheWrite, cacheRead}`). */
  defaultPrices(): Array<Record<string, unknown>>;
  /** The built-in SLO definitions (SloConfig JSON objects). */
  sloPresets(): Array<Record<string, unknown>>;
  /** Throws with the first problem of a view's JSON config. */
  checkViewConfig(view: string, config: string): void;
}

/** True when this browser can compile and run WebAssembly. */
export function wasmSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
}

/**
 * True for a trap of the wasm module (`unreachable` after a panic, an out-of-bounds access): the
 * instance's memory may be left half-updated, so it must not answer another query.
 */
export function isTrap(err: unknown): boolean {
  return typeof WebAssembly === 'object' && err instanceof WebAssembly.RuntimeError;
}

let pending: Promise<Engine> | undefined;
/** The current instance trapped and no fresh one has been made yet. */
let poisoned = false;

function start(): Promise<Engine> {
  const fresh = poisoned;
  const attempt = wasmSupported()
    ? import(/* webpackChunkName: "engine" */ './wasm').then(async (glue) => {
        const engine = await glue.instantiate(fresh, recover);
        poisoned = false;
        return engine;
      })
    : Promise.reject(new Error('This browser cannot run WebAssembly, which FleetLens needs.'));
  pending = attempt;
  attempt.catch(() => {
    if (pending === attempt) {
      pending = undefined;
    }
  });
  return attempt;
}

/** After a trap: a fresh instance replaces the poisoned one, started now for the next query. */
function recover(): void {
  poisoned = true;
  start().catch(() => undefined);
}

/**
 * `target` with every call (its own and those of the wasm objects it returns) watched for traps;
 * a trap is rethrown to the caller after `onTrap` ran. `./wasm` wraps the engine in it.
 */
export function guard<T extends object>(target: T, onTrap: () => void): T {
  const watch = <R>(call: () => R): R => {
    try {
      return call();
    } catch (err) {
      if (isTrap(err)) {
        onTrap();
      }
      throw err;
    }
  };
  return new Proxy(target, {
    get(obj, key) {
      // Getters (`fetches`, `frameCount`) call into the module too.
      const value: unknown = watch(() => Reflect.get(obj, key, obj));
      if (typeof value !== 'function') {
        return value;
      }
      return (...args: unknown[]) => {
        const out: unknown = watch(() => value.apply(obj, args));
        const wasmObject = typeof out === 'object' && out !== null && typeof Reflect.get(out, 'free') === 'function';
        return wasmObject ? guard(out, onTrap) : out;
      };
    },
  });
}

/**
 * Loads and instantiates the engine once; every caller shares the same promise. A failed load is
 * forgotten, so a later call (a panel refresh, the next query) tries again. A call that traps
 * (`WebAssembly.RuntimeError`) throws to its caller and the next query gets a fresh instance.
 */
export function loadEngine(): Promise<Engine> {
  return pending ?? start();
}
