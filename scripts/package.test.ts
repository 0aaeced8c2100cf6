import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { APP_ID, REQUIRED, checkDist, listArchive, listFiles, repoRoot, writeArchive } from './package.mjs';

const distDir = path.join(repoRoot, 'dist');
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const tmp = mkdtempSync(path.join(tmpdir(), 'fleetlens-package-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What a release archive of the current dist/ must list, whoever made it. */
function expectReleaseListing(names: string[]) {
  const roots = new Set(names.map((name) => name.split('/')[0]));
  expect([...roots]).toEqual([APP_ID]);
  expect(names.map((name) => name.slice(APP_ID.length + 1)).sort()).toEqual(listFiles(distDir));
  for (const file of [
    ...REQUIRED,
    'img/logo.svg',
    'datasource/plugin.json',
    'datasource/module.js',
    'datasource/img/logo.svg',
    'panels/cost/plugin.json',
    'panels/cost/module.js',
    'panels/cost/img/logo.svg',
  ]) {
    expect(names).toContain(`${APP_ID}/${file}`);
  }
  for (const dir of ['datasource', 'panels/cost']) {
    expect(names.some((name) => new RegExp(`^${APP_ID}/${dir}/fleetlens_bg\\.[0-9a-f]+\\.wasm$`).test(name)), dir).toBe(true);
  }
}

describe('release archive', () => {
  it('has a releasable dist/', () => {
    expect(() => checkDist(distDir, version)).not.toThrow();
  });

  it('holds dist/ under exactly one root folder named after the app', async () => {
    const file = path.join(tmp, `${APP_ID}-${version}.zip`);
    const written = await writeArchive(distDir, file);
    const listed = await listArchive(file);
    expect(listed).toEqual(written);
    expectReleaseListing(listed);
  });

  it('refuses a dist/ of another version', () => {
    expect(() => checkDist(distDir, '9.9.9')).toThrow(/expected fleetlens-app 9\.9\.9/);
  });
});
