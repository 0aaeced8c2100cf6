/**
 * A trapped engine (a panic compiles to `unreachable` in the wasm) is not reused: the call throws
 * to its caller and the next query runs on a fresh instance.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { Engine } from './engine';

const { instantiate } = vi.hoisted(() => ({ instantiate: vi.fn() }));
vi.mock('./wasm', () => ({ instantiate }));

/** An engine instance whose `planView` answers `answer`, or traps while `trapsLeft` > 0. */
function fakeInstance(answer: number, trap: { left: number }): Engine {
  const trapNow = () => {
    if (trap.left > 0) {
      trap.left -= 1;
      throw new WebAssembly.RuntimeError('unreachable');
    }
  };
  const planView = () => {
    trapNow();
    return {
      free: () => undefined,
      fetches: [],
      evaluate: () => {
        trapNow();
        return { free: () => undefined, frameCount: 1, fieldValues: () => new Float64Array([answer]) };
      },
    };
  };
  const checkViewConfig = (view: string) => {
    if (view !== 'slo') {
      throw new Error('view: "x" is not a view; use cost, slo or agents');
    }
  };
  return { planView, checkViewConfig, version: () => `instance ${answer}` } as unknown as Engine;
}

async function setup(traps: Array<{ left: number }>) {
  vi.resetModules();
  const mod = await import('./engine');
  let created = 0;
  instantiate.mockReset().mockImplementation(async (_fresh: boolean, onTrap: () => void) => {
    const instance = fakeInstance(created, traps[created] ?? { left: 0 });
    created += 1;
    return mod.guard(instance, onTrap);
  });
  return mod;
}

const query = (engine: Engine) => engine.planView('slo', '{}', { fromMs: 0, toMs: 1 }, new Float64Array([0, 0]), []).evaluate('').fieldValues(0, 0)[0];

describe('engine recovery after a trap', () => {
  beforeEach(() => instantiate.mockReset());

  it('replaces an instance whose call trapped and answers the next query from a fresh one', async () => {
    const { loadEngine, isTrap } = await setup([{ left: 1 }]);
    const first = await loadEngine();
    let thrown: unknown;
    try {
      query(first);
    } catch (err) {
      thrown = err;
    }
    expect(isTrap(thrown)).toBe(true);
    const second = await loadEngine();
    expect(instantiate).toHaveBeenCalledTimes(2);
    expect(instantiate.mock.calls.map((c) => c[0])).toEqual([false, true]);
    expect(second).not.toBe(first);
    expect(second.version()).toBe('instance 1');
    expect(query(second)).toBe(1);
    // And it stays: no further instance without another trap.
    expect(query(await loadEngine())).toBe(1);
    expect(instantiate).toHaveBeenCalledTimes(2);
  });

  it('watches the objects the engine returns too (a trap in evaluate)', async () => {
    const trap = { left: 0 };
    const { loadEngine, isTrap } = await setup([trap]);
    const plan = (await loadEngine()).planView('slo', '{}', { fromMs: 0, toMs: 1 }, new Float64Array([0, 0]), []);
    trap.left = 1;
    expect(() => plan.evaluate('')).toThrow(WebAssembly.RuntimeError);
    expect(isTrap(new WebAssembly.RuntimeError('unreachable'))).toBe(true);
    expect(query(await loadEngine())).toBe(1);
    expect(instantiate).toHaveBeenCalledTimes(2);
  });

  it('never falls back to the trapped instance when making a fresh one fails', async () => {
    const { loadEngine, isTrap } = await setup([{ left: 1 }]);
    const first = await loadEngine();
    const fresh = vi.fn().mockRejectedValueOnce(new Error('no reset in this build'));
    const real = instantiate.getMockImplementation();
    instantiate.mockImplementation((isFresh: boolean, onTrap: () => void) => (isFresh ? fresh() : real?.(isFresh, onTrap)));
    let thrown: unknown;
    try {
      query(first);
    } catch (err) {
      thrown = err;
    }
    expect(isTrap(thrown)).toBe(true);
    await expect(loadEngine()).rejects.toThrow('no reset in this build');
    // The next attempt asks for a fresh instance again, not the first one back.
    fresh.mockImplementationOnce(() => real?.(true, () => undefined));
    const second = await loadEngine();
    expect(instantiate.mock.calls.map((c) => c[0])).toEqual([false, true, true]);
    expect(query(second)).toBe(1);
  });

  it('keeps the instance on ordinary errors (a bad config is not a trap)', async () => {
    const { loadEngine } = await setup([]);
    const engine = await loadEngine();
    expect(() => engine.checkViewConfig('x', '{}')).toThrow('is not a view');
    expect(await loadEngine()).toBe(engine);
    expect(query(engine)).toBe(0);
    expect(instantiate).toHaveBeenCalledTimes(1);
  });
});
