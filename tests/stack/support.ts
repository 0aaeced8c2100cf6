/**
 * Shared helpers of the stack tests: where the repository and shared/ are, and readers for the
 * files the compose stack is made of.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import YAML from 'yaml';

export const repoRoot = path.resolve(__dirname, '../..');

/** shared/: `$FLEETLENS_SHARED_DIR`, else shared/ beside or inside the repository. */
export const sharedDir = [process.env.FLEETLENS_SHARED_DIR, path.resolve(repoRoot, '..', 'shared'), path.resolve(repoRoot, 'shared')]
  .filter((dir): dir is string => Boolean(dir))
  .find((dir) => existsSync(path.join(dir, 'schemas', 'dashboard.schema.json')));
if (!sharedDir) {
  throw new Error('shared/schemas not found: put shared/ beside the repository or set FLEETLENS_SHARED_DIR');
}

export const repoPath = (...parts: string[]) => path.join(repoRoot, ...parts);
export const readText = (file: string) => readFileSync(file, 'utf8');
export const readJson = (file: string) => JSON.parse(readText(file));
export const readYaml = (file: string) => YAML.parse(readText(file));

export const dashboardDir = repoPath('provisioning', 'dashboards', 'fleetlens');

/** Every provisioned dashboard, by file name. */
export function dashboards(): Array<{ file: string; json: any }> {
  return readdirSync(dashboardDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: readJson(path.join(dashboardDir, file)) }));
}

/** Panels of a dashboard, rows' children included. */
export function panelsOf(dashboard: any): any[] {
  return (dashboard.panels ?? []).flatMap((p: any) => (p.type === 'row' ? [p, ...(p.panels ?? [])] : [p]));
}

/** The 51 panel ids of shared/seeds/PANELS.md (S0-01 …). */
export function seedPanelIds(): string[] {
  const text = readText(path.join(sharedDir!, 'seeds', 'PANELS.md'));
  return [...text.matchAll(/^\| (S\d-\d{2}) \|/gm)].map((m) => m[1]);
}

/**
 * The alert names PANELS.md lists ("cluster — CoordinatorDown, …; hexabase — …"), deduplicated;
 * the k8s-cost seed's unnamed "cost above $1/min" rule comes back as its description.
 */
export function seedAlertNames(): string[] {
  const text = readText(path.join(sharedDir!, 'seeds', 'PANELS.md'));
  const start = text.indexOf('Alert rules the sources define');
  const paragraph = text.slice(start, text.indexOf('one rule serves both', start));
  const names = paragraph
    .split(';')
    .flatMap((part) => (part.split('—')[1] ?? '').split(','))
    .map((name) => name.replace(/\s+/g, ' ').trim().replace(/\. .*$/, ''));
  return [...new Set(names.filter((name) => name.length > 0))];
}

/** Every alerting rule in deploy/prometheus/rules, with its file. */
export function alertRules(): Array<{ file: string; rule: any }> {
  const dir = repoPath('deploy', 'prometheus', 'rules');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .flatMap((file) =>
      readYaml(path.join(dir, file)).groups.flatMap((group: any) =>
        group.rules.filter((rule: any) => rule.alert).map((rule: any) => ({ file, rule })),
      ),
    );
}

/** The five FleetLens plugin ids. */
export const FLEETLENS_IDS = [
  'fleetlens-app',
  'fleetlens-views-datasource',
  'fleetlens-cost-panel',
  'fleetlens-slo-panel',
  'fleetlens-agents-panel',
];
