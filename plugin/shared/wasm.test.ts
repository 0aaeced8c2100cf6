/**
 * Boundary test: the built engine (target/wasm-pkg, from `npm run build:wasm`) behind the shims.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { decodedToFrames, fieldValues, packNumberFields } from './frames';
import { promFixture, realEngine, repoRoot } from './test-engine';

const bytes = (text: string) => new TextEncoder().encode(text);
const engine = realEngine();

describe('engine boundary', () => {
  it("reports package.json's version", () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(engine.version()).toBe(pkg.version);
  });

  it('decodes the cost fixture into frames whose latest values sum to 5.4896', () => {
    const decoded = engine.decodePrometheus(promFixture('cost_matrix.json'));
    try {
      expect(decoded.resultType).toBe('matrix');
      expect(decoded.seriesCount).toBe(3);
      expect(decoded.labels(0).__name__).toBe('claude_code_cost_usage_USD_total');
      const frames = decodedToFrames(decoded, { refId: 'A', legendFormat: '{{model}}' });
      expect(frames).toHaveLength(3);
      const points = frames.reduce((n, frame) => n + frame.length, 0);
      expect(points).toBe(decoded.pointCount);
      // Prometheus times are seconds; frames carry epoch milliseconds.
      expect(fieldValues(frames[0].fields[0])[0]).toBe(1_740_338_400_000);

      const { values, lengths } = packNumberFields(frames);
      const total = engine.sumLatest(values, lengths);
      expect(total.sum).toBeCloseTo(5.4896, 10);
      expect(total.seriesTotal).toBe(3);
      expect(total.seriesWithData).toBe(3);
    } finally {
      decoded.free();
    }
  });

  it('sums only finite latest values and says "no data" with null', () => {
    expect(engine.sumLatest(Float64Array.from([1, 2, NaN, 5, Infinity]), Uint32Array.from([3, 2]))).toEqual({
      sum: 7,
      seriesTotal: 2,
      seriesWithData: 2,
    });
    expect(engine.sumLatest(Float64Array.from([NaN]), Uint32Array.from([1, 0]))).toEqual({
      sum: null,
      seriesTotal: 2,
      seriesWithData: 0,
    });
  });

  it('rejects lengths that do not add up', () => {
    expect(() => engine.sumLatest(Float64Array.from([1, 2]), Uint32Array.from([3]))).toThrow(Error);
  });

  const bad: Array<{ name: string; body: string; says: RegExp }> = [
    { name: 'malformed JSON', body: '{"status":"success","data":', says: /\S/ },
    { name: 'an HTML page', body: '<!doctype html><html><title>Login</title></html>', says: /html/i },
    {
      name: 'a Prometheus error envelope',
      body: '{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected <EOF>"}',
      says: /bad_data.*parse error: unexpected <EOF>/,
    },
  ];
  for (const c of bad) {
    it(`throws a readable Error on ${c.name}`, () => {
      let thrown: unknown;
      try {
        engine.decodePrometheus(bytes(c.body)).free();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).message).toMatch(c.says);
    });
  }
});

describe('a fresh instance after a trap', () => {
  it('the glue can replace its instance (wasm-bindgen --experimental-reset-state-function) and the new one answers', async () => {
    const glue = await import('../../target/wasm-pkg/fleetlens.js');
    const engine = realEngine();
    const seriesOf = () => {
      const decoded = engine.decodePrometheus(promFixture('cost_matrix.json'));
      try {
        return decoded.seriesCount;
      } finally {
        decoded.free();
      }
    };
    const sum = () => engine.sumLatest(Float64Array.from([1, 2, NaN, 5, Infinity]), Uint32Array.from([3, 2]));
    expect(seriesOf()).toBe(3);
    const reset: unknown = Reflect.get(glue, '__wbg_reset_state');
    expect(typeof reset).toBe('function');
    (reset as () => void)();
    expect(seriesOf()).toBe(3);
    expect(sum()).toEqual({ sum: 7, seriesTotal: 2, seriesWithData: 2 });
  });
});
