/**
 * The one way into the WebAssembly engine.
 *
 * Nothing here imports the wasm glue statically: `loadEngine()` imports `./wasm` on first use, so
 * each plugin's `module.js` stays small and exports `plugin` synchronously. The glue and the
 * `.wasm` file become a chunk and an asset beside that plugin's `module.js`.
 */

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

/** Sum of each series' latest finite value; `sum` is null when no series has one. */
export interface LatestSum {
  sum: number | null;
  seriesTotal: number;
  seriesWithData: number;
}

/** The engine's functions, once its wasm module is instantiated. */
export interface Engine {
  version(): string;
  /** Throws an Error with a readable message on anything but a successful API response. */
  decodePrometheus(body: Uint8Array): DecodedResponse;
  /** `lengths[k]` values of `values` belong to series k; the lengths must add up. */
  sumLatest(values: Float64Array, lengths: Uint32Array): LatestSum;
}

/** True when this browser can compile and run WebAssembly. */
export function wasmSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
}

let pending: Promise<Engine> | undefined;

/**
 * Loads and instantiates the engine once; every caller shares the same promise. A failed load is
 * forgotten, so a later call (a panel refresh, the next query) tries again.
 */
export function loadEngine(): Promise<Engine> {
  if (!pending) {
    const attempt = wasmSupported()
      ? import(/* webpackChunkName: "engine" */ './wasm').then((glue) => glue.instantiate())
      : Promise.reject(new Error('This browser cannot run WebAssembly, which FleetLens needs.'));
    pending = attempt;
    attempt.catch(() => {
      if (pending === attempt) {
        pending = undefined;
      }
    });
  }
  return pending;
}
