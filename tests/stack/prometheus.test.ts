/**
 * Prometheus' configuration and the 22 alert rules, checked by the real promtool
 * (/usr/bin/promtool, Debian's prometheus package): `check config`, `check rules` and the rule
 * unit tests in deploy/prometheus/tests, plus what promtool cannot know: ids, severities, the
 * seeds' alert names, and a firing test for every rule.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import YAML from 'yaml';
import { describe, expect, it } from 'vitest';

import { alertRules, readText, readYaml, repoPath, seedAlertNames } from './support';

const PROMTOOL = '/usr/bin/promtool';
const rulesDir = repoPath('deploy', 'prometheus', 'rules');
const testsDir = repoPath('deploy', 'prometheus', 'tests');

function promtool(...args: string[]) {
  const run = spawnSync(PROMTOOL, args, { encoding: 'utf8' });
  if (run.error) {
    throw new Error(`${PROMTOOL} could not run (${run.error.message}); install Debian's prometheus package`);
  }
  return { status: run.status, output: run.stdout + run.stderr };
}

/** Where two seeds define the same alert under different names, the rule that serves both. */
const SAME_ALERT: Record<string, string> = {
  DiskSpaceRunningOut: 'LowDiskSpace',
  'cost above $1/min': 'ClaudeCodeCostHigh',
};

const rules = alertRules();
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.yml')).sort();
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.test.yml')).sort();

describe('promtool', () => {
  it('check config: prometheus.yml with its rule files', () => {
    // The config names the rules by their path in the container; point it at the repository's.
    const config = readYaml(repoPath('deploy', 'prometheus', 'prometheus.yml'));
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    config.rule_files = [path.join(rulesDir, '*.yml')];
    const dir = mkdtempSync(path.join(tmpdir(), 'fleetlens-prometheus-'));
    const file = path.join(dir, 'prometheus.yml');
    writeFileSync(file, YAML.stringify(config));
    const { status, output } = promtool('check', 'config', file);
    expect(output).toContain('is valid prometheus config file syntax');
    const found = [...output.matchAll(/SUCCESS: (\d+) rules found/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(found).toBe(22);
    expect(status).toBe(0);
  });

  it('check rules: every rule file', () => {
    const { status, output } = promtool('check', 'rules', ...ruleFiles.map((f) => path.join(rulesDir, f)));
    expect(output).not.toMatch(/FAILED/);
    expect(status).toBe(0);
  });

  it.each(testFiles)('test rules: %s', (file) => {
    const { status, output } = promtool('test', 'rules', path.join(testsDir, file));
    expect(output).toContain('SUCCESS');
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });
});

describe('the alert rules', () => {
  it('are 22, with ids A-01 … A-22 in the seed_id label, each once', () => {
    const ids = rules.map(({ rule }) => rule.labels.seed_id).sort();
    expect(ids).toEqual(Array.from({ length: 22 }, (_, i) => `A-${String(i + 1).padStart(2, '0')}`));
  });

  it('cover every alert the seeds define, one rule per alert', () => {
    const names = new Set(rules.map(({ rule }) => rule.alert));
    expect(names.size).toBe(22);
    const seeds = seedAlertNames();
    expect(seeds).toHaveLength(23);
    const served = new Set(seeds.map((name) => SAME_ALERT[name] ?? name));
    expect([...served].sort()).toEqual([...names].sort());
  });

  it('have a severity Alertmanager routes, a hold time where a blip is not an incident, and text', () => {
    for (const { rule } of rules) {
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.description, rule.alert).toBeTruthy();
      if (rule.alert !== 'NewAgentRegistered') {
        expect(rule.for, rule.alert).toMatch(/^\d+[mh]$/);
      }
    }
  });

  it('read counters only through rate() or increase(), and quantiles from buckets summed by le', () => {
    for (const { rule } of rules) {
      const expr: string = rule.expr;
      for (const m of expr.matchAll(/([a-zA-Z_:][\w:]*_(?:total|bucket)\b|\{__name__=~"[^"]*_total"\})(\{[^}]*\})?(\[[^\]]+\])?/g)) {
        if (m[1] === 'claude_agents_total') continue; // a gauge despite its name
        expect(m[3], `${rule.alert}: ${m[0]}`).toBeDefined();
        expect(expr.slice(0, m.index), `${rule.alert}: ${m[0]}`).toMatch(/(rate|increase)\($/);
      }
      for (const m of expr.matchAll(/histogram_quantile\([^,]+,\s*sum by \(([^)]*)\)/g)) {
        expect(m[1].split(',').map((s) => s.trim()), rule.alert).toContain('le');
      }
      if (expr.includes('histogram_quantile')) expect(expr, rule.alert).toMatch(/sum by \([^)]*\ble\b/);
    }
  });

  it('each fire in a unit test built to trigger them, and most stay quiet in one that is healthy', () => {
    const fired = new Set<string>();
    const quiet = new Set<string>();
    for (const file of testFiles) {
      const suite = readYaml(path.join(testsDir, file));
      for (const test of suite.tests) {
        for (const check of test.alert_rule_test ?? []) {
          (check.exp_alerts?.length ? fired : quiet).add(check.alertname);
        }
      }
    }
    expect([...fired].sort()).toEqual(rules.map(({ rule }) => rule.alert).sort());
    expect(quiet.size).toBeGreaterThanOrEqual(15);
  });

  it('are listed with their ids in docs/dashboards.md', () => {
    const docs = readText(repoPath('docs', 'dashboards.md'));
    for (const { rule } of rules) {
      expect(docs).toMatch(new RegExp(`^\\| ${rule.labels.seed_id} \\| ${rule.alert} \\|`, 'm'));
    }
  });
});
