/**
 * The provisioned dashboards: Grafana's dashboard schema, data source uids, panel types, the seed
 * panel ids, the FleetLens query model, and every PromQL expression parsed by the real promtool.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';

import { FLEETLENS_IDS, dashboards, panelsOf, readJson, readYaml, repoPath, seedPanelIds, sharedDir } from './support';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(readJson(path.join(sharedDir!, 'schemas', 'dashboard.schema.json')));

const provisioned = readYaml(repoPath('provisioning', 'datasources', 'datasources.yaml')).datasources as any[];
const provisionedUids = new Map(provisioned.map((ds) => [ds.uid, ds.type]));
/** Grafana's own pseudo data sources (built-in annotations). */
const BUILT_IN_UIDS = new Map([['-- Grafana --', 'grafana']]);

/** Panel types Grafana ships with. */
const CORE_PANELS = new Set([
  'alertlist', 'annolist', 'barchart', 'bargauge', 'candlestick', 'canvas', 'dashlist', 'flamegraph', 'gauge',
  'geomap', 'heatmap', 'histogram', 'logs', 'news', 'nodeGraph', 'piechart', 'row', 'stat', 'state-timeline',
  'status-history', 'table', 'text', 'timeseries', 'traces', 'trend', 'xychart',
]);

/** Outputs per view, from the FleetLens query model. */
const OUTPUTS: Record<string, string[]> = {
  cost: ['summary', 'breakdown', 'hourly', 'cumulative', 'forecast'],
  slo: ['summary', 'burnRates', 'windows', 'budget', 'backtest', 'groups'],
  agents: ['leaderboard', 'fleet'],
};

const all = dashboards();
const fleetlensDs = provisioned.find((ds) => ds.uid === 'fleetlens');
const sloNames = new Set((fleetlensDs?.jsonData?.slos ?? []).map((slo: any) => slo.name));

/** Data source references of a panel and its targets. */
function refs(panel: any): any[] {
  return [panel.datasource, ...(panel.targets ?? []).map((t: any) => t.datasource)].filter(Boolean);
}

describe('the dashboard set', () => {
  it('holds the nine documented dashboards and the home dashboard, with fixed unique uids', () => {
    const uids = all.map((d) => d.json.uid);
    expect(uids.sort()).toEqual(
      [
        'fleetlens-ai-models', 'fleetlens-claude-code', 'fleetlens-claude-code-cost', 'fleetlens-cluster-agents',
        'fleetlens-cluster-executive', 'fleetlens-cluster-operations', 'fleetlens-home', 'fleetlens-platform-overview',
        'fleetlens-slos', 'fleetlens-system-overview',
      ].sort(),
    );
  });

  it('carries every panel id of PANELS.md exactly once', () => {
    const ids = seedPanelIds();
    expect(ids).toHaveLength(51);
    const found = all.flatMap((d) =>
      panelsOf(d.json).flatMap((p) => [...String(p.description ?? '').matchAll(/\bSeed (S\d-\d{2})\./g)].map((m) => m[1])),
    );
    expect(found.slice().sort()).toEqual(ids.slice().sort());
  });

  it('puts the three FleetLens panels on the cost, agent performance and SLO dashboards', () => {
    const where = (type: string) =>
      all.filter((d) => panelsOf(d.json).some((p) => p.type === type)).map((d) => d.json.uid);
    expect(where('fleetlens-cost-panel')).toEqual(['fleetlens-claude-code-cost']);
    expect(where('fleetlens-agents-panel')).toEqual(['fleetlens-cluster-agents']);
    expect(where('fleetlens-slo-panel')).toEqual(['fleetlens-slos']);
    for (const d of all) {
      for (const p of panelsOf(d.json).filter((p) => p.type.startsWith('fleetlens-'))) {
        expect(p.datasource, `${d.file}: ${p.title}`).toEqual({ type: 'fleetlens-views-datasource', uid: 'fleetlens' });
        expect(p.options).toEqual({});
      }
    }
  });

  it('home links every other dashboard', () => {
    const home = all.find((d) => d.json.uid === 'fleetlens-home')!.json;
    const text = panelsOf(home).map((p) => p.options?.content ?? '').join('\n');
    for (const d of all.filter((d) => d.json.uid !== 'fleetlens-home')) {
      expect(text).toContain(`(/d/${d.json.uid})`);
    }
  });
});

describe.each(all)('$file', ({ json }) => {
  it('validates against the dashboard schema', () => {
    const valid = validate(json);
    expect(valid ? [] : validate.errors).toEqual([]);
  });

  it('has a fixed uid, no id, a schemaVersion Grafana 9.4 to 12 load, and the FleetLens tag', () => {
    expect(json.uid).toMatch(/^fleetlens-[a-z0-9-]+$/);
    expect(json.uid.length).toBeLessThanOrEqual(40);
    expect(json).not.toHaveProperty('id');
    expect(json).not.toHaveProperty('__inputs');
    expect(json.schemaVersion).toBe(39);
    expect(json.tags).toContain('fleetlens');
  });

  it('refers only to provisioned data sources, by uid and matching type', () => {
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/\$\{DS_/);
    const used = [
      ...panelsOf(json).flatMap(refs),
      ...json.annotations.list.map((a: any) => a.datasource).filter(Boolean),
    ];
    expect(used.length).toBeGreaterThan(0);
    for (const ref of used) {
      const type = provisionedUids.get(ref.uid) ?? BUILT_IN_UIDS.get(ref.uid);
      expect(type, `uid ${ref.uid}`).toBeDefined();
      expect(ref.type, `uid ${ref.uid}`).toBe(type);
    }
  });

  it('uses only Grafana core panels and FleetLens panels', () => {
    for (const p of panelsOf(json)) {
      expect(CORE_PANELS.has(p.type) || FLEETLENS_IDS.includes(p.type), p.type).toBe(true);
    }
  });

  it('gives every panel a title, a description and a place on the grid without overlaps', () => {
    const cells = new Set<string>();
    for (const p of panelsOf(json)) {
      expect(p.title).toBeTruthy();
      expect(p.description).toBeTruthy();
      const { x, y, w, h } = p.gridPos;
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          const cell = `${i},${j}`;
          expect(cells.has(cell), `${p.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });

  it('queries the FleetLens data source with the fixed query model', () => {
    for (const p of panelsOf(json)) {
      for (const t of (p.targets ?? []).filter((t: any) => t.datasource?.uid === 'fleetlens')) {
        expect(Object.keys(t).every((k) => ['refId', 'datasource', 'view', 'output', 'groupBy', 'slo'].includes(k))).toBe(true);
        expect(OUTPUTS[t.view], `${p.title}: view ${t.view}`).toBeDefined();
        expect(OUTPUTS[t.view]).toContain(t.output);
        if (t.view === 'slo') {
          expect(sloNames.has(t.slo), `${p.title}: slo "${t.slo}" is not in the data source settings`).toBe(true);
        } else {
          expect(t.slo).toBeUndefined();
        }
      }
    }
  });

  it('keeps PromQL reset-safe: counters only inside rate()/increase(), histograms summed by le', () => {
    for (const p of panelsOf(json)) {
      for (const t of (p.targets ?? []).filter((t: any) => t.datasource?.uid === 'prometheus')) {
        const expr: string = t.expr;
        // Each counter selector (…_total or _bucket) must be the argument of rate or increase.
        // claude_agents_total is a gauge despite its name (seeds/claude-code-cluster-monitoring.md).
        for (const m of expr.matchAll(/([a-zA-Z_:][\w:]*_(?:total|bucket)\b|\{__name__=~"[^"]*_total"[^}]*\})(\{[^}]*\})?(\[[^\]]+\])?/g)) {
          if (m[1] === 'claude_agents_total') continue;
          const before = expr.slice(0, m.index);
          expect(m[3], `${p.title}: ${m[0]} without a range`).toBeDefined();
          expect(before, `${p.title}: ${m[0]}`).toMatch(/(rate|increase)\($/);
        }
        for (const m of expr.matchAll(/histogram_quantile\([^,]+,\s*sum by \(([^)]*)\)/g)) {
          expect(m[1].split(',').map((s) => s.trim())).toContain('le');
        }
        expect(expr).not.toMatch(/git_commit_count/);
      }
    }
  });
});

describe('PromQL of every Prometheus target', () => {
  it('parses with promtool (as recording rules, Grafana variables filled in)', () => {
    const exprs = all.flatMap((d) =>
      panelsOf(d.json).flatMap((p) =>
        (p.targets ?? []).filter((t: any) => t.datasource?.uid === 'prometheus').map((t: any) => t.expr as string),
      ),
    );
    expect(exprs.length).toBeGreaterThan(30);
    const filled = exprs.map((e) =>
      e.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '1d').replaceAll('$__range', '1h'),
    );
    for (const e of filled) {
      expect(e).not.toMatch(/\$/);
    }
    const rules = { groups: [{ name: 'dashboards', rules: filled.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) }] };
    const dir = mkdtempSync(path.join(tmpdir(), 'fleetlens-promql-'));
    const file = path.join(dir, 'dashboards.yml');
    writeFileSync(file, YAML.stringify(rules));
    const run = spawnSync('/usr/bin/promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.stdout + run.stderr).toContain(`SUCCESS: ${filled.length} rules found`);
    expect(run.status).toBe(0);
  });
});
