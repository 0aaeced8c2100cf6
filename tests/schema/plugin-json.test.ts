/**
 * Every plugin.json, in plugin/ and in the built dist/, against Grafana's plugin schema
 * (shared/schemas beside the repository), plus the ids and versions that tie them together.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(__dirname, '../..');
/** Grafana's plugin.json schema: `$FLEETLENS_SHARED_DIR`, else shared/ beside or inside the repository. */
const schemaPath = [process.env.FLEETLENS_SHARED_DIR, path.resolve(repoRoot, '..', 'shared'), path.resolve(repoRoot, 'shared')]
  .filter((dir): dir is string => Boolean(dir))
  .map((dir) => path.join(dir, 'schemas', 'plugin.schema.json'))
  .find((file) => existsSync(file));
if (!schemaPath) {
  throw new Error('plugin.schema.json not found: put shared/ beside the repository or set FLEETLENS_SHARED_DIR');
}
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

/** Where each plugin lives, relative to plugin/ and to dist/. */
const PLUGINS = [
  { id: 'fleetlens-app', type: 'app', src: 'app', dist: '' },
  { id: 'fleetlens-views-datasource', type: 'datasource', src: 'datasource', dist: 'datasource' },
  { id: 'fleetlens-cost-panel', type: 'panel', src: 'panels/cost', dist: 'panels/cost' },
  { id: 'fleetlens-slo-panel', type: 'panel', src: 'panels/slo', dist: 'panels/slo' },
  { id: 'fleetlens-agents-panel', type: 'panel', src: 'panels/agents', dist: 'panels/agents' },
];

function findPluginJsons(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name === 'plugin.json')
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

// The schema's patterns escape '-' (valid JSON Schema / ECMA-262 without the u flag).
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));

describe.each([
  ['plugin', path.join(repoRoot, 'plugin'), 'src' as const],
  ['dist', path.join(repoRoot, 'dist'), 'dist' as const],
])('%s/', (label, dir, key) => {
  it('has a plugin.json for each plugin and no other', () => {
    expect(existsSync(dir), `${label}/ is missing (npm run build)`).toBe(true);
    const expected = PLUGINS.map((p) => path.join(dir, p[key], 'plugin.json')).sort();
    expect(findPluginJsons(dir)).toEqual(expected);
  });

  for (const plugin of PLUGINS) {
    describe(plugin.id, () => {
      const file = path.join(dir, plugin[key], 'plugin.json');

      it('validates against the plugin schema', () => {
        const json = read(file);
        const valid = validate(json);
        expect(valid ? [] : validate.errors).toEqual([]);
      });

      it('has its id, type, Grafana range and logos', () => {
        const json = read(file);
        expect(json.id).toBe(plugin.id);
        expect(json.type).toBe(plugin.type);
        expect(json.dependencies.grafanaDependency).toBe('>=9.4.0');
        expect(json.backend).toBeUndefined();
        for (const logo of Object.values<string>(json.info.logos)) {
          expect(existsSync(path.join(dir, plugin[key], logo)), logo).toBe(true);
        }
      });

      if (key === 'src') {
        it('takes version and date from the build', () => {
          expect(read(file).info).toMatchObject({ version: '%VERSION%', updated: '%TODAY%' });
        });
      } else {
        it("carries package.json's version and a build date", () => {
          const { info } = read(file);
          expect(info.version).toBe(pkg.version);
          expect(info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        });
      }
    });
  }

  it('has an app that includes the nested data source and panel by name and path', () => {
    const app = read(path.join(dir, PLUGINS[0][key], 'plugin.json'));
    const nested = PLUGINS.slice(1).map((p) => {
      const json = read(path.join(dir, p[key], 'plugin.json'));
      return { type: json.type, name: json.name, path: `${p.dist}/plugin.json` };
    });
    expect(app.includes).toEqual(nested);
  });
});

describe('the schema check itself', () => {
  it('rejects what Grafana would refuse', () => {
    const app = read(path.join(repoRoot, 'plugin/app/plugin.json'));
    expect(validate({ ...app, id: 'FleetLens' })).toBe(false);
    expect(validate({ ...app, dependencies: {} })).toBe(false);
    expect(validate({ ...app, info: { ...app.info, version: 'v1' } })).toBe(false);
  });
});

describe('one version number', () => {
  it('is the same in Cargo.toml, package.json and CHANGELOG.md', () => {
    const cargo = readFileSync(path.join(repoRoot, 'Cargo.toml'), 'utf8');
    const crateVersion = /^\[package\][^[]*?^version = "([^"]+)"/m.exec(cargo)?.[1];
    expect(crateVersion).toBe(pkg.version);
    const changelog = readFileSync(path.join(repoRoot, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(`## ${pkg.version}`);
  });
});
