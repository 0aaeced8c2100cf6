/**
 * Structure of the service configurations: the Collector's pipelines, Loki's storage and
 * retention, Alertmanager's routing, and Grafana's data source, plugin and dashboard provisioning.
 */
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { alertRules, readText, readYaml, repoPath } from './support';

describe('deploy/otel-collector/config.yaml', () => {
  const config = readYaml(repoPath('deploy', 'otel-collector', 'config.yaml'));
  const compose = readYaml(repoPath('docker-compose.yaml'));
  const prometheus = readYaml(repoPath('deploy', 'prometheus', 'prometheus.yml'));

  it('receives OTLP over gRPC on 4317 and HTTP on 4318', () => {
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
  });

  it('sends metrics to the Prometheus exporter, which Prometheus scrapes', () => {
    const pipeline = config.service.pipelines.metrics;
    expect(pipeline.receivers).toEqual(['otlp']);
    expect(pipeline.exporters).toEqual(['prometheus']);
    const endpoint = config.exporters.prometheus.endpoint;
    const port = endpoint.split(':')[1];
    expect(config.exporters.prometheus.resource_to_telemetry_conversion.enabled).toBe(true);
    const targets = prometheus.scrape_configs.flatMap((job: any) => job.static_configs.flatMap((s: any) => s.targets));
    expect(targets).toContain(`otel-collector:${port}`);
  });

  it("sends logs to Loki's OTLP endpoint", () => {
    const pipeline = config.service.pipelines.logs;
    expect(pipeline.receivers).toEqual(['otlp']);
    expect(pipeline.exporters).toHaveLength(1);
    const exporter = pipeline.exporters[0];
    expect(exporter).toMatch(/^otlphttp(\/.*)?$/);
    expect(config.exporters[exporter].endpoint).toBe('http://loki:3100/otlp');
  });

  it('declares every component a pipeline uses, and runs memory_limiter first', () => {
    for (const [name, pipeline] of Object.entries<any>(config.service.pipelines)) {
      for (const r of pipeline.receivers) expect(config.receivers, `${name}: ${r}`).toHaveProperty([r]);
      for (const p of pipeline.processors ?? []) expect(config.processors, `${name}: ${p}`).toHaveProperty([p]);
      for (const e of pipeline.exporters) expect(config.exporters, `${name}: ${e}`).toHaveProperty([e]);
      expect(pipeline.processors[0]).toBe('memory_limiter');
    }
    for (const ext of config.service.extensions) expect(config.extensions).toHaveProperty([ext]);
  });

  it('is the file compose mounts where the contrib image reads it', () => {
    const collector = compose.services['otel-collector'];
    expect(collector.volumes).toContain('./deploy/otel-collector/config.yaml:/etc/otelcol-contrib/config.yaml:ro');
    expect(collector.command).toEqual(['--config=/etc/otelcol-contrib/config.yaml']);
  });
});

describe('deploy/loki/config.yaml', () => {
  const config = readYaml(repoPath('deploy', 'loki', 'config.yaml'));

  it('listens on 3100 without multi-tenancy', () => {
    expect(config.server.http_listen_port).toBe(3100);
    expect(config.auth_enabled).toBe(false);
  });

  it('stores chunks and a TSDB index (schema v13) on the loki-data volume', () => {
    expect(config.common.path_prefix).toBe('/loki');
    expect(config.common.storage.filesystem.chunks_directory).toMatch(/^\/loki\//);
    const [schema] = config.schema_config.configs;
    expect(schema).toMatchObject({ store: 'tsdb', object_store: 'filesystem', schema: 'v13' });
    expect(schema.index.period).toBe('24h');
  });

  it('accepts OTLP structured metadata and enforces 30 days of retention', () => {
    expect(config.limits_config.allow_structured_metadata).toBe(true);
    expect(config.limits_config.retention_period).toBe('720h');
    expect(config.compactor.retention_enabled).toBe(true);
    expect(config.compactor.delete_request_store).toBe('filesystem');
  });
});

describe('deploy/alertmanager/alertmanager.yml', () => {
  const config = readYaml(repoPath('deploy', 'alertmanager', 'alertmanager.yml'));
  const receivers = new Set(config.receivers.map((r: any) => r.name));

  it('routes each severity the rules use to its own receiver', () => {
    const severities = new Set(alertRules().map(({ rule }) => rule.labels.severity));
    expect([...severities].sort()).toEqual(['critical', 'info', 'warning']);
    for (const severity of severities) {
      const route = config.route.routes.find((r: any) => r.matchers.includes(`severity="${severity}"`));
      expect(route, severity).toBeDefined();
      expect(receivers.has(route.receiver)).toBe(true);
    }
    expect(receivers.has(config.route.receiver)).toBe(true);
  });

  it('is the Alertmanager Prometheus sends to', () => {
    const prometheus = readYaml(repoPath('deploy', 'prometheus', 'prometheus.yml'));
    expect(prometheus.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
  });
});

describe('provisioning/', () => {
  const datasources = readYaml(repoPath('provisioning', 'datasources', 'datasources.yaml'));

  it('provisions the four data sources with their fixed uids and in-stack URLs', () => {
    const byUid = Object.fromEntries(datasources.datasources.map((ds: any) => [ds.uid, ds]));
    expect(datasources.apiVersion).toBe(1);
    expect(byUid.prometheus).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', access: 'proxy' });
    expect(byUid.loki).toMatchObject({ type: 'loki', url: 'http://loki:3100', access: 'proxy' });
    expect(byUid.alertmanager).toMatchObject({ type: 'alertmanager', url: 'http://alertmanager:9093' });
    expect(byUid.fleetlens).toMatchObject({
      type: 'fleetlens-views-datasource',
      name: 'FleetLens views',
      url: 'http://prometheus:9090',
      access: 'proxy',
    });
  });

  it("gives the FleetLens data source the query model's settings and the three preset SLOs", () => {
    const fleetlens = datasources.datasources.find((ds: any) => ds.uid === 'fleetlens');
    const json = fleetlens.jsonData;
    expect(Object.keys(json).sort()).toEqual(['monthlyBudgetUsd', 'naming', 'slos', 'tenant', 'timezone']);
    expect(json).toMatchObject({ naming: 'auto', monthlyBudgetUsd: 500, timezone: '', tenant: '' });
    expect(json.slos.map((s: any) => s.name)).toEqual(['API availability', 'API latency p95 <= 500 ms', 'Claude API error ratio']);
    // SloConfig is deny_unknown_fields: only its camelCase fields.
    const fields = ['name', 'objective', 'period', 'sli', 'groupBy', 'alerting', 'counterMode'];
    for (const slo of json.slos) {
      expect(Object.keys(slo).every((k) => fields.includes(k)), slo.name).toBe(true);
      expect(slo.objective).toBeGreaterThan(0);
      expect(slo.objective).toBeLessThan(1);
      expect(slo.period).toEqual({ rolling: '30d' });
      expect(Object.keys(slo.sli)).toHaveLength(1);
    }
    const [availability, latency, claude] = json.slos;
    expect(availability.objective).toBe(0.999);
    expect(availability.sli.ratio.bad).toEqual({ metric: 'http_requests_total', matchers: [{ label: 'status', op: '=~', value: '5..' }] });
    expect(latency.sli.latency).toEqual({ histogram: { metric: 'http_request_duration_seconds' }, thresholdSeconds: 0.5 });
    expect(claude.sli.ratio.bad.matchers).toEqual([{ label: 'status', op: '=~', value: '5..|429' }]);
    // Same shapes as the presets in the engine.
    const source = readText(repoPath('src', 'views', 'slo', 'config.rs'));
    for (const slo of json.slos) expect(source).toContain(`name: "${slo.name}".to_owned()`);
  });

  it('enables the FleetLens app', () => {
    const plugins = readYaml(repoPath('provisioning', 'plugins', 'fleetlens.yaml'));
    expect(plugins.apps).toEqual([{ type: 'fleetlens-app', org_id: 1, disabled: false, jsonData: {} }]);
  });

  it('loads the dashboards from their folder into the FleetLens folder', () => {
    const providers = readYaml(repoPath('provisioning', 'dashboards', 'fleetlens.yaml')).providers;
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ folder: 'FleetLens', type: 'file' });
    const inContainer = providers[0].options.path;
    expect(inContainer).toBe('/etc/grafana/provisioning/dashboards/fleetlens');
    const compose = readYaml(repoPath('docker-compose.yaml'));
    const home = compose.services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(home.startsWith(`${inContainer}/`)).toBe(true);
    expect(readText(repoPath('provisioning', 'dashboards', 'fleetlens', path.basename(home)))).toContain('"uid": "fleetlens-home"');
  });
});
