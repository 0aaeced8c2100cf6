/**
 * The security review's checks on files (docs/security.md): the compose stack's defaults, the
 * provisioning files and the built bundles. The bundle check reads dist/, so `npm run build`
 * must have run (the test command builds before the JS tests).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { readText, readYaml, repoPath } from './support';

/** Files under `dir` (recursively) whose names end with one of `exts`. */
function filesUnder(dir: string, exts: string[]): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      return filesUnder(full, exts);
    }
    return exts.some((e) => name.endsWith(e)) ? [full] : [];
  });
}

/** Keys whose values are secrets. */
const SECRET_KEY = /pass(word)?|secret|token|api_?key|credential|private_?key|auth_?header/i;
/** A value taken from the environment or a file at start-up, not written in the file. */
const FROM_ENV = /^(\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}|\$[A-Z0-9_]+|\$__env\{[A-Z0-9_]+\}|\$__file\{[^}]+\})$/;

/** Every `key: value` pair of a parsed YAML document, with its path. */
function pairs(value: unknown, at = ''): Array<{ path: string; key: string; value: unknown }> {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => pairs(v, `${at}[${i}]`));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [{ path: `${at}.${k}`, key: k, value: v }, ...pairs(v, `${at}.${k}`)]);
  }
  return [];
}

const yamlFiles = [
  repoPath('docker-compose.yaml'),
  ...filesUnder(repoPath('provisioning'), ['.yaml', '.yml']),
  ...filesUnder(repoPath('deploy'), ['.yaml', '.yml']),
];

describe('no secret is written in a file', () => {
  it('reads the YAML files of the stack', () => {
    // docker-compose.yaml, the provisioning files and the configs under deploy/.
    expect(yamlFiles.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of yamlFiles) {
    it(`${path.relative(repoPath(), file)}: every secret-named key is empty or comes from the environment`, () => {
      const doc = readYaml(file);
      for (const p of pairs(doc)) {
        // Compose's `environment:` map: the variable name is the key.
        if (SECRET_KEY.test(p.key) && typeof p.value === 'string' && p.value !== '') {
          expect(p.value, `${p.path} holds a literal secret`).toMatch(FROM_ENV);
        }
        if (SECRET_KEY.test(p.key) && typeof p.value === 'number') {
          throw new Error(`${p.path} holds a literal secret`);
        }
      }
    });
  }

  it('.env.example leaves every secret empty', () => {
    const lines = readText(repoPath('.env.example'))
      .split('\n')
      .filter((l) => /^[A-Z0-9_]+=/.test(l));
    const secrets = lines.filter((l) => SECRET_KEY.test(l.split('=')[0]));
    expect(secrets.map((l) => l.split('=')[0])).toContain('GRAFANA_ADMIN_PASSWORD');
    for (const line of secrets) {
      expect(line, 'a secret in .env.example must be empty').toMatch(/^[A-Z0-9_]+=$/);
    }
  });

  it('provisioned data sources keep credentials in secureJsonData, each from the environment', () => {
    const { datasources } = readYaml(repoPath('provisioning/datasources/datasources.yaml'));
    for (const ds of datasources) {
      for (const [key, value] of Object.entries(ds.secureJsonData ?? {})) {
        expect(value, `${ds.name}: secureJsonData.${key}`).toMatch(FROM_ENV);
      }
      for (const key of Object.keys(ds.jsonData ?? {})) {
        expect(key, `${ds.name}: jsonData.${key} looks like a secret (it belongs in secureJsonData)`).not.toMatch(/password|secret|token|httpHeaderValue/i);
      }
      expect(ds, `${ds.name}: password outside secureJsonData`).not.toHaveProperty('password');
      expect(ds, `${ds.name}: basicAuthPassword outside secureJsonData`).not.toHaveProperty('basicAuthPassword');
    }
  });
});

describe('the compose stack is closed by default', () => {
  const compose = readYaml(repoPath('docker-compose.yaml'));
  const services = compose.services as Record<string, any>;
  const env = services.grafana.environment as Record<string, string>;

  it('Grafana: no anonymous access (and never as Admin), no sign-up, admin password required from the env', () => {
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE ?? 'Viewer').not.toMatch(/admin|editor/i);
    expect(env.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(env).not.toHaveProperty('GF_AUTH_DISABLE_LOGIN_FORM');
    expect(env).not.toHaveProperty('GF_AUTH_PROXY_ENABLED');
    // `:?` makes compose stop while the variable is unset or empty: no default password exists.
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$/);
  });

  it('every published port of every service binds 127.0.0.1', () => {
    let published = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        published++;
        if (typeof port === 'string' || typeof port === 'number') {
          expect(String(port), `${name}: ${port}`).toMatch(/^127\.0\.0\.1:/);
        } else {
          expect(port.host_ip, `${name}: ${JSON.stringify(port)}`).toBe('127.0.0.1');
        }
      }
      expect(service.network_mode, `${name} uses the host network`).not.toBe('host');
      expect(service.privileged ?? false, `${name} is privileged`).toBe(false);
    }
    // Grafana, Prometheus, Alertmanager, Loki and the collector's two OTLP ports.
    expect(published).toBeGreaterThanOrEqual(6);
  });
});

describe('the built bundles evaluate no strings as code', () => {
  const dist = repoPath('dist');
  const bundles = filesUnder(dist, ['.js']);

  it('dist/ holds the app, the data source and the three panels, each with its engine chunk', () => {
    expect(bundles.length, 'dist/ is empty: run `npm run build` first').toBeGreaterThan(0);
    const rel = bundles.map((f) => path.relative(dist, f)).sort();
    for (const module of ['module.js', 'datasource/module.js', 'panels/cost/module.js', 'panels/slo/module.js', 'panels/agents/module.js']) {
      expect(rel).toContain(module);
    }
    expect(rel.filter((f) => /engine\.[0-9a-f]+\.js$/.test(f))).toHaveLength(4);
  });

  // eval(…), new Function(…), Function(…) and string timers: what CSP's 'unsafe-eval' allows.
  const STRING_EVAL = [/(?<![\w$.])eval\s*\(/, /(?<![\w$.])new\s+Function\s*\(/, /(?<![\w$.])Function\s*\(/, /\bset(Timeout|Interval)\s*\(\s*["'`]/];

  it('no bundle calls eval, new Function, Function or a timer with a string', () => {
    for (const file of bundles) {
      const code = readText(file);
      for (const pattern of STRING_EVAL) {
        const m = pattern.exec(code);
        expect(m ? code.slice(Math.max(0, m.index - 80), m.index + 80) : null, `${path.relative(dist, file)} matches ${pattern}`).toBeNull();
      }
    }
  });

  it('the engine chunks compile WebAssembly, which needs only wasm-unsafe-eval', () => {
    const engines = bundles.filter((f) => /engine\.[0-9a-f]+\.js$/.test(f));
    for (const file of engines) {
      expect(readText(file)).toMatch(/WebAssembly\.instantiate/);
    }
  });

  it("no npm package is bundled: only FleetLens sources, the wasm-bindgen glue and webpack's runtime", () => {
    // Grafana provides React, @grafana/*, rxjs and emotion at run time (webpack externals), so an
    // npm advisory cannot reach the shipped plugin; the source maps list what each bundle holds.
    const maps = filesUnder(dist, ['.js.map']);
    expect(maps.length).toBe(bundles.length);
    for (const file of maps) {
      const sources: string[] = JSON.parse(readText(file)).sources;
      expect(sources.filter((s) => s.includes('node_modules/')), path.relative(dist, file)).toEqual([]);
    }
  });

  it('the pattern would catch each form of string evaluation', () => {
    const samples = ['x=eval("1")', 'new Function("return this")', 'var g=Function("return this")()', 'setTimeout("f()",1)'];
    for (const sample of samples) {
      expect(STRING_EVAL.some((p) => p.test(sample)), sample).toBe(true);
    }
    for (const fine of ['isFunction(x)', 'a.eval(x)', 'typeof x=="function"', 'setTimeout(f,1)']) {
      expect(STRING_EVAL.some((p) => p.test(fine)), fine).toBe(false);
    }
  });
});
