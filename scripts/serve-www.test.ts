import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createServer, resolvePath } from './serve-www.mjs';

const server = createServer();
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('serve-www', () => {
  const cases = [
    { path: '/', type: 'text/html; charset=utf-8' },
    { path: '/main.js', type: 'text/javascript; charset=utf-8' },
    { path: '/pkg/fleetlens.js', type: 'text/javascript; charset=utf-8' },
    { path: '/pkg/fleetlens_bg.wasm', type: 'application/wasm' },
    { path: '/samples/cost_matrix.json', type: 'application/json' },
  ];
  for (const c of cases) {
    it(`serves ${c.path} as ${c.type}`, async () => {
      const response = await fetch(base + c.path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(c.type);
    });
  }

  it('answers 404 for missing files and paths outside its folders', async () => {
    expect((await fetch(`${base}/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/pkg/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
    expect(resolvePath('/../package.json')).toBeUndefined();
    expect(resolvePath('/pkg/../../Cargo.toml')).toBeUndefined();
    expect(resolvePath('/%E0%A4%A')).toBeUndefined();
  });

  it('refuses to write', async () => {
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });
});
