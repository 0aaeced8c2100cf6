import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const instantiate = vi.fn();
vi.mock('./wasm', () => ({ instantiate }));

/** A fresh copy of engine.ts (its memo is module state). */
async function freshEngineModule() {
  vi.resetModules();
  return import('./engine');
}

describe('loadEngine', () => {
  beforeEach(() => instantiate.mockReset());
  afterEach(() => vi.unstubAllGlobals());

  it('instantiates once for concurrent and later callers', async () => {
    const engine = { version: () => '0.1.0' };
    instantiate.mockResolvedValue(engine);
    const { loadEngine } = await freshEngineModule();
    const [a, b] = await Promise.all([loadEngine(), loadEngine()]);
    const c = await loadEngine();
    expect(a).toBe(engine);
    expect(b).toBe(engine);
    expect(c).toBe(engine);
    expect(instantiate).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed load so the next call retries', async () => {
    instantiate.mockRejectedValueOnce(new Error('404 fleetlens_bg.wasm')).mockResolvedValueOnce({ version: () => '0.1.0' });
    const { loadEngine } = await freshEngineModule();
    await expect(loadEngine()).rejects.toThrow('404 fleetlens_bg.wasm');
    await expect(loadEngine()).resolves.toHaveProperty('version');
    expect(instantiate).toHaveBeenCalledTimes(2);
  });

  it('refuses without WebAssembly, with a readable reason', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    const { loadEngine, wasmSupported } = await freshEngineModule();
    expect(wasmSupported()).toBe(false);
    await expect(loadEngine()).rejects.toThrow('This browser cannot run WebAssembly');
    expect(instantiate).not.toHaveBeenCalled();
  });

  it('sees WebAssembly in Node', async () => {
    const { wasmSupported } = await freshEngineModule();
    expect(wasmSupported()).toBe(true);
  });
});
