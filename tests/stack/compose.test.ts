/**
 * docker-compose.yaml without a Docker engine: the Compose specification's schema, the files it
 * mounts, published ports, Grafana's security settings, pinned images, healthchecks, volumes and
 * the first-start order (backfill before Prometheus).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';

import { FLEETLENS_IDS, readJson, readText, readYaml, repoPath, sharedDir } from './support';

const compose = readYaml(repoPath('docker-compose.yaml'));
const services = compose.services as Record<string, any>;
const grafana = services.grafana;

/** Long and short volume syntax as { source, target, readOnly, createHostPath }. */
function mounts(service: any) {
  return (service.volumes ?? []).map((v: any) => {
    if (typeof v === 'string') {
      const [source, target, mode = ''] = v.split(':');
      return { source, target, readOnly: mode.split(',').includes('ro'), createHostPath: true };
    }
    return { source: v.source, target: v.target, readOnly: v.read_only === true, createHostPath: v.bind?.create_host_path !== false };
  });
}
const isHostPath = (source: string) => source.startsWith('.') || source.startsWith('/');

describe('docker-compose.yaml', () => {
  it('validates against the Compose specification schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    // The file names draft-07 as "https://json-schema.org/draft-07/schema", a spelling ajv does not
    // resolve; ajv's default meta-schema is that same draft.
    const { $schema, ...schema } = readJson(path.join(sharedDir!, 'schemas', 'compose-spec.json'));
    expect($schema).toMatch(/draft-07/);
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(valid ? [] : validate.errors).toEqual([]);
  });

  it('runs the stack the issue names', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['alertmanager', 'backfill', 'grafana', 'loki', 'node-exporter', 'otel-collector', 'prometheus', 'simulator'].sort(),
    );
  });

  it('pins every pulled image to a version, and Grafana to a 12.x release', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      if (!service.build) {
        expect(service.image, name).not.toMatch(/:(latest|main|nightly)$/);
        expect(service.image, name).toMatch(/:v?\d+\.\d+\.\d+$/);
      }
    }
    expect(grafana.image).toMatch(/^grafana\/grafana(-oss)?:12\.\d+\.\d+$/);
    expect(services['otel-collector'].image).toMatch(/^otel\/opentelemetry-collector-contrib:/);
  });

  it('mounts only host files and folders that exist, except the built dist/', () => {
    let checked = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const m of mounts(service).filter((m: any) => isHostPath(m.source))) {
        if (m.source === './dist') continue;
        expect(existsSync(path.resolve(repoPath(), m.source)), `${name}: ${m.source}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7);
  });

  it("mounts dist/, webpack's output folder, read-only as the fleetlens-app plugin, never creating it", () => {
    const dist = mounts(grafana).find((m: any) => m.source === './dist');
    expect(dist).toMatchObject({ target: '/var/lib/grafana/plugins/fleetlens-app', readOnly: true, createHostPath: false });
    const webpack = readText(repoPath('webpack.config.mjs'));
    expect(webpack).toMatch(/path\.join\(root, 'dist', out\)/);
    const pkg = readJson(repoPath('package.json'));
    expect(pkg.scripts.build).toContain('build:plugins');
    expect(readText(repoPath('.gitignore'))).toMatch(/^\/dist\/$/m);
  });

  it('mounts provisioning/ where Grafana reads it', () => {
    expect(mounts(grafana)).toContainEqual(
      expect.objectContaining({ source: './provisioning', target: '/etc/grafana/provisioning', readOnly: true }),
    );
  });

  it('binds every published port to 127.0.0.1', () => {
    let published = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        expect(typeof port, name).toBe('string');
        expect(port, name).toMatch(/^127\.0\.0\.1:/);
        published++;
      }
    }
    expect(published).toBe(6);
    expect(grafana.ports).toEqual(['127.0.0.1:${GRAFANA_PORT:-3000}:3000']);
    expect(services['otel-collector'].ports).toEqual([
      '127.0.0.1:${OTLP_GRPC_PORT:-4317}:4317',
      '127.0.0.1:${OTLP_HTTP_PORT:-4318}:4318',
    ]);
  });

  it('gives Grafana no anonymous access and requires an admin password from the env file', () => {
    const env = grafana.environment;
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env).not.toHaveProperty('GF_AUTH_ANONYMOUS_ORG_ROLE');
    expect(env).not.toHaveProperty('GF_AUTH_DISABLE_LOGIN_FORM');
    // ${VAR:?message}: compose refuses to start, with the message, while it is unset or empty.
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?.*\.env.*\}$/);
    const example = readText(repoPath('.env.example'));
    expect(example).toMatch(/^GRAFANA_ADMIN_PASSWORD=$/m);
    for (const variable of readText(repoPath('docker-compose.yaml')).matchAll(/\$\{([A-Z_]+)[:}]/g)) {
      expect(example, `${variable[1]} is documented in .env.example`).toMatch(new RegExp(`^${variable[1]}=`, 'm'));
    }
  });

  it('allows exactly the FleetLens plugin ids, which are all the ids plugin/ declares', () => {
    const allowed = grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',');
    expect(allowed.slice().sort()).toEqual(FLEETLENS_IDS.slice().sort());
    const declared = readdirSync(repoPath('plugin'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name === 'plugin.json')
      .map((e) => readJson(path.join(e.parentPath, e.name)).id);
    for (const id of declared) {
      expect(allowed).toContain(id);
    }
  });

  it('keeps Prometheus, Loki and Grafana data in named volumes', () => {
    const named = Object.keys(compose.volumes);
    for (const [service, target] of [
      ['prometheus', '/prometheus'],
      ['loki', '/loki'],
      ['grafana', '/var/lib/grafana'],
    ]) {
      const m = mounts(services[service]).find((m: any) => m.target === target);
      expect(m, service).toBeDefined();
      expect(named).toContain(m.source);
    }
  });

  it('health-checks every long-running service that has a shell to probe with', () => {
    for (const name of ['grafana', 'prometheus', 'loki', 'alertmanager', 'node-exporter']) {
      expect(services[name].healthcheck?.test?.join(' '), name).toMatch(/wget .*http:\/\/127\.0\.0\.1:\d+\//);
    }
    expect(grafana.depends_on.prometheus.condition).toBe('service_healthy');
  });

  it('backfills history into Prometheus’ volume before Prometheus starts', () => {
    const backfill = services.backfill;
    expect(services.prometheus.depends_on.backfill.condition).toBe('service_completed_successfully');
    expect(mounts(backfill)).toContainEqual(expect.objectContaining({ source: 'prometheus-data', target: '/prometheus' }));
    expect(backfill.restart).toBe('no');
    expect(backfill.build.dockerfile).toBe('deploy/simulator/Dockerfile');
    expect(services.simulator.build.dockerfile).toBe('deploy/simulator/Dockerfile');
    expect(services.simulator.command.slice(0, 3)).toEqual(['simulate', '--otlp', 'http://otel-collector:4318']);
    // Prometheus keeps more than the backfilled days by default.
    expect(services.prometheus.command).toContain('--storage.tsdb.retention.time=${PROMETHEUS_RETENTION:-45d}');
    expect(readText(repoPath('.env.example'))).toMatch(/^FLEETLENS_BACKFILL_DAYS=30$/m);
  });
});

describe('deploy/simulator', () => {
  const dockerfile = readText(repoPath('deploy', 'simulator', 'Dockerfile'));
  const script = readText(repoPath('deploy', 'simulator', 'backfill.sh'));

  it('builds the CLI in a Rust stage and ships promtool from the Prometheus release the stack runs', () => {
    expect(dockerfile).toMatch(/^FROM rust:[\d.]+-\w+ AS build$/m);
    expect(dockerfile).toContain('cargo build --release --locked --bin fleetlens');
    const prometheusImage = services.prometheus.image;
    expect(dockerfile).toContain(`FROM ${prometheusImage} AS prometheus`);
    expect(dockerfile).toContain('COPY --from=prometheus /bin/promtool');
    // Everything the build copies is let through the Dockerfile's own ignore file.
    const ignore = readText(repoPath('deploy', 'simulator', 'Dockerfile.dockerignore'));
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of m[1].split(/\s+/)) {
        expect(ignore, source).toContain(`!${source}`);
        expect(existsSync(repoPath(source)), source).toBe(true);
      }
    }
  });

  it('writes OpenMetrics history and turns it into blocks once, guarded by a marker', () => {
    expect(script).toMatch(/fleetlens simulate --openmetrics "\$work\/history\.om" --from "now-\$\{days\}d" --to now/);
    expect(script).toMatch(/promtool tsdb create-blocks-from openmetrics .*"\$work\/history\.om" "\$data"/);
    expect(script.indexOf('if [ -f "$marker" ]')).toBeLessThan(script.indexOf('fleetlens simulate'));
    expect(script.indexOf('promtool tsdb')).toBeLessThan(script.indexOf('> "$marker"'));
  });
});
