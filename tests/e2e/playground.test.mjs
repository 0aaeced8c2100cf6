/**
 * End-to-end: the playground (`fleetlens playground`) hosting the built dist/ plugins in Debian's
 * Chromium, against a real Prometheus backfilled with the simulator's history. The numbers each
 * panel shows are compared with `fleetlens report` on the same Prometheus, range and settings.
 * Needs: `npm run build` (dist/, target/playground/), a built `fleetlens` binary, Debian's
 * prometheus/promtool and chromium. Screenshots land in tests/e2e/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { chromium } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS, backfill, freePort, repoRoot, report, scratch, startPlayground, startPrometheus } from './support.mjs';

const SHOTS = path.join(repoRoot, 'tests/e2e/screenshots');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PROXY = '/api/datasources/proxy/uid/fleetlens/api/v1/';

// The history ends a few minutes ago, so "now" is after the last sample, and every range
// below is absolute: the page and `fleetlens report` see exactly the same samples.
const END = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
const START = END - 26 * HOUR;
const FROM = END - 24 * HOUR;

let tmp;
let prometheus;
let promPort;
let dataDir;
let playground;
let browser;

/** A report amount: a number, or `{ value }` (`{ unavailable }` has none). */
const num = (v) => (typeof v === 'number' ? v : v?.value);

const relClose = (actual, expected, rel, what) => {
  const want = num(expected);
  assert.ok(typeof want === 'number' && Number.isFinite(actual), `${what}: page ${actual}, report ${JSON.stringify(expected)}`);
  assert.ok(Math.abs(actual - want) <= rel * Math.max(1, Math.abs(want)), `${what}: page ${actual}, report ${want}`);
};

/** A page of the playground, with its errors collected. */
async function open(query, init) {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1300 }, timezoneId: 'UTC', locale: 'en-US' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) {
      problems.push(`console.error: ${msg.text()}`);
    }
  });
  if (init) {
    await page.addInitScript(init.script, init.arg);
  }
  await page.goto(`${playground.url}?${new URLSearchParams(query)}`);
  return { page, context, problems };
}

/** Waits until every panel has finished its query (Done or Error). */
async function settled(page, timeout = 180_000) {
  await page.waitForFunction(
    () => {
      const panels = [...document.querySelectorAll('[data-testid=panel]')];
      return panels.length > 0 && panels.every((p) => p.dataset.state === 'Done' || p.dataset.state === 'Error');
    },
    undefined,
    { timeout, polling: 250 }
  );
}

const panel = (page, title) => page.locator(`[data-testid=panel][data-panel-title="${title}"]`);

/** The numbers a Grafana stat panel shows, by field title. */
async function stats(page, title) {
  return panel(page, title)
    .locator('[data-testid=stat-value]')
    .evaluateAll((nodes) => Object.fromEntries(nodes.map((n) => [n.dataset.title, Number(n.dataset.numeric)])));
}

const testId = (id) => `[data-testid="data-testid ${id}"]`;

/** A formatted amount such as `$68.6`, `$1.2K`, `512 K`, `99.967%` as a number. */
function parseShown(text) {
  const m = /(-?[\d.]+)\s*([KMB%])?/.exec(text.replace(/,/g, ''));
  assert.ok(m, `no number in ${JSON.stringify(text)}`);
  const scale = { K: 1e3, M: 1e6, B: 1e9, '%': 0.01 }[m[2]] ?? 1;
  return Number(m[1]) * scale;
}

/** The view settings the page's data source uses, written to a file for `fleetlens report`. */
async function viewConfigFile(page, view, target) {
  const json = await page.evaluate(([v, t]) => window.fleetlens.ds.viewConfig(v, t), [view, target]);
  const file = path.join(tmp.dir, `${view}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, json);
  return file;
}

async function shoot(locator, name) {
  mkdirSync(SHOTS, { recursive: true });
  await locator.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: 'disabled', timeout: 120_000 });
}

const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

before(async () => {
  tmp = scratch('fleetlens-e2e-');
  // The cost-spike fault keeps a Claude Code session running in the range whatever the hour of
  // the week (the fleet's users otherwise keep office hours).
  dataDir = backfill(tmp.dir, START, END, ['--fault', 'cost-spike@now-20h..now-8h']);
  promPort = await freePort();
  prometheus = await startPrometheus(dataDir, promPort);
  playground = await startPlayground(['--prometheus', prometheus.url]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await playground?.stop();
  await prometheus?.stop();
  tmp?.cleanup();
});

describe('the playground in Chromium against a real Prometheus', { timeout: 900_000 }, () => {
  it('shows, in every panel, the numbers fleetlens report computes for the range', async () => {
    const { page, context, problems } = await open({ dashboard: 'overview', from: String(FROM), to: String(END), theme: 'dark' });
    await settled(page);
    const errors = await page.locator('[data-testid=panel-error]').allTextContents();
    assert.deepEqual(errors, [], 'no panel reports an error');

    const cost = report(prometheus.url, 'cost', await viewConfigFile(page, 'cost', {}), FROM, END).report;
    const slo = report(prometheus.url, 'slo', await viewConfigFile(page, 'slo', { slo: 'API availability' }), FROM, END);
    const agents = report(prometheus.url, 'agents', await viewConfigFile(page, 'agents', {}), FROM, END).report;
    assert.ok(num(cost.rolling24hUsd) > 0 && num(cost.totalUsd) > 0, 'the simulated fleet spent money');

    // Grafana's stat panels over the data source's outputs: exact numbers.
    relClose((await stats(page, 'Daily cost (since midnight)')).today, cost.todayUsd, 1e-9, 'cost today');
    relClose((await stats(page, 'Rolling 24 h cost'))['rolling 24h'], cost.rolling24hUsd, 1e-9, 'rolling 24 h');
    const sli = await stats(page, 'Availability SLI');
    relClose(sli.sli, slo.report.overall.sli, 1e-9, 'availability SLI');
    relClose(sli.objective, 0.999, 1e-12, 'objective');
    const remaining = 1 - slo.report.overall.budget.consumed;
    relClose((await stats(page, 'Error budget remaining'))['budget remaining'], remaining, 1e-9, 'budget remaining');

    // The FleetLens cost panel: its tiles, as formatted (3 significant digits).
    const costPanel = panel(page, 'FleetLens cost');
    relClose(parseShown(await costPanel.locator(testId('fleetlens-cost-tile total cost')).innerText()), cost.totalUsd, 0.006, 'cost panel total');
    relClose(parseShown(await costPanel.locator(testId('fleetlens-cost-tile cost per commit')).innerText()), cost.efficiency.costPerCommit, 0.006, 'cost per commit');

    // The FleetLens SLO panel.
    const sloPanel = panel(page, 'FleetLens SLO');
    relClose(parseShown(await sloPanel.locator(testId('fleetlens-slo-tile budget remaining')).innerText()), remaining, 0.0006 / Math.max(remaining, 1e-9), 'SLO panel budget remaining');
    const sliText = await sloPanel.locator(testId('fleetlens-slo-tile sli')).innerText();
    const shownSli = /([\d.]+)%\s*\/\s*([\d.]+)%/.exec(sliText);
    assert.ok(shownSli, `SLI tile: ${sliText}`);
    relClose(Number(shownSli[1]) / 100, slo.report.overall.sli, 6e-6, 'SLO panel SLI');
    relClose(Number(shownSli[2]) / 100, 0.999, 1e-9, 'SLO panel objective');

    // The FleetLens agents panel and Grafana's table of the leaderboard: the report's ranking.
    const rankOf = (a) => (typeof a.rank === 'number' ? a.rank : Number.POSITIVE_INFINITY);
    const ranked = [...agents.agents].sort((a, b) => rankOf(a) - rankOf(b)).map((a) => a.agent);
    const shown = await panel(page, 'FleetLens agents').locator(`${testId('fleetlens-agents-table')} tbody tr td:first-child`).allInnerTexts();
    assert.deepEqual(shown, ranked, 'agents panel ranking');
    const tableText = await panel(page, 'Agent leaderboard').innerText();
    const order = ranked.map((a) => tableText.indexOf(a));
    assert.ok(order.every((i) => i >= 0), `every agent in the leaderboard table: ${tableText.slice(0, 300)}`);
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'leaderboard table order');

    // Burn rates (Grafana's time series): one legend entry per alert window of the report.
    const windows = new Set(slo.report.conditions.flatMap((c) => [c.longWindow, c.shortWindow]));
    const legend = await panel(page, 'Burn rates').innerText();
    for (const w of windows) {
      assert.ok(legend.includes(`burn rate ${w}`), `legend has burn rate ${w}: ${legend.slice(0, 300)}`);
    }
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('issues every data source request through the backend service, to the proxy', async () => {
    const { page, context, problems } = await open({ dashboard: 'overview', from: String(FROM), to: String(END) });
    const network = [];
    page.on('request', (req) => {
      if (req.url().includes('/api/')) {
        network.push({ url: req.url(), method: req.method(), body: req.postData() ?? '' });
      }
    });
    await settled(page);
    const recorded = await page.evaluate(() => window.fleetlens.recorded.map((r) => ({ url: new URL(r.url, location.href).href, method: r.method, status: r.status })));
    assert.ok(network.length > 0, 'the page queried Prometheus');
    for (const req of network) {
      assert.ok(new URL(req.url).pathname.startsWith(PROXY), `${req.url} goes through the data source proxy`);
      assert.ok(recorded.some((r) => r.url === req.url && r.method === req.method), `${req.method} ${req.url} went through getBackendSrv().fetch`);
    }
    const queries = network.filter((r) => r.url.endsWith('/api/v1/query'));
    assert.ok(queries.length > 0 && queries.every((r) => r.method === 'POST' && /query=.+&time=/.test(r.body)), 'raw samples are read with POSTed instant queries');
    assert.ok(recorded.every((r) => r.status === 200), JSON.stringify(recorded.filter((r) => r.status !== 200)));
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('re-renders on an option change, a new time range and a theme switch', async () => {
    const { page, context, problems } = await open({ dashboard: 'overview', from: String(FROM), to: String(END), edit: '5' });
    await settled(page);
    const costPanel = panel(page, 'FleetLens cost');
    await page.locator('[data-testid=options-pane]').waitFor();
    assert.equal(await costPanel.locator(testId('fleetlens-cost-hourly-chart')).count(), 1, 'hourly chart shown by default');
    // Switch "Cost per hour" off in the options pane: the chart goes, the rest stays.
    await page.locator('[data-testid=option-showHourly] input[type=checkbox]').evaluate((el) => el.click());
    await costPanel.locator(testId('fleetlens-cost-hourly-chart')).waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await costPanel.locator(testId('fleetlens-cost-tile total cost')).count(), 1);

    // A new absolute range through Grafana's time picker: the totals follow.
    const from = END - 6 * HOUR;
    const iso = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
    await page.getByTestId('data-testid TimePicker Open Button').click();
    await page.getByLabel('Time Range from field').fill(iso(from));
    await page.getByLabel('Time Range to field').fill(iso(END));
    await page.getByTestId('data-testid TimePicker submit button').click();
    await page.waitForFunction((f) => new URLSearchParams(location.search).get('from') === String(f), from, { timeout: 60_000, polling: 250 }).catch(async (err) => {
      throw new Error(`${err.message}: the page is at ${page.url()}, wanted from=${from}`);
    });
    await settled(page);
    const cost = report(prometheus.url, 'cost', await viewConfigFile(page, 'cost', {}), from, END).report;
    relClose(parseShown(await costPanel.locator(testId('fleetlens-cost-tile total cost')).innerText()), cost.totalUsd, 0.006, 'total after the range change');
    relClose((await stats(page, 'Rolling 24 h cost'))['rolling 24h'], cost.rolling24hUsd, 1e-9, 'rolling 24 h after the range change');

    // Theme: dark → light, the page background follows and the panels stay drawn.
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await background();
    await page.locator('[data-testid=theme-switch]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=playground]')?.getAttribute('data-theme') === 'light');
    const light = await background();
    assert.notEqual(light, dark, 'the background changes with the theme');
    await settled(page);
    assert.equal(await page.locator('[data-testid=panel-error]').count(), 0);
    assert.equal(await costPanel.locator(testId('fleetlens-cost-tile total cost')).count(), 1);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('saves a screenshot of every panel in both themes', async () => {
    for (const theme of ['dark', 'light']) {
      const { page, context, problems } = await open({ dashboard: 'overview', from: String(FROM), to: String(END), theme });
      await settled(page);
      await page.waitForTimeout(500);
      for (const title of await page.locator('[data-testid=panel]').evaluateAll((n) => n.map((p) => p.dataset.panelTitle))) {
        await shoot(panel(page, title), `${theme}-${slug(title)}`);
      }
      await shoot(page.locator('[data-testid=dashboard]'), `${theme}-overview`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  });

  it('says what is wrong in the panel that fails and keeps the others working', async () => {
    const badSlos = {
      script: (slos) => {
        window.FLEETLENS_PLAYGROUND = { jsonData: { slos } };
      },
      arg: [
        { name: 'API availability', objective: 1.5, period: { rolling: '30d' }, sli: { ratio: { bad: { metric: 'http_requests_total', matchers: [{ label: 'status', op: '=~', value: '5..' }] }, total: { metric: 'http_requests_total' } } } },
      ],
    };
    const bad = await open({ dashboard: 'overview', from: String(FROM), to: String(END) }, badSlos);
    await settled(bad.page);
    for (const title of ['Availability SLI', 'Error budget remaining', 'FleetLens SLO', 'Burn rates']) {
      const text = await panel(bad.page, title).innerText();
      assert.match(text, /objective/i, `${title} names the objective: ${text.slice(0, 200)}`);
    }
    for (const title of ['Rolling 24 h cost', 'FleetLens cost', 'FleetLens agents', 'Agent leaderboard']) {
      assert.equal(await panel(bad.page, title).getAttribute('data-state'), 'Done', `${title} keeps working`);
      assert.equal(await panel(bad.page, title).locator('[data-testid=panel-error]').count(), 0);
    }
    await bad.context.close();

    const missing = {
      script: (slos) => {
        window.FLEETLENS_PLAYGROUND = { jsonData: { slos } };
      },
      arg: [{ name: 'API availability', objective: 0.999, period: { rolling: '30d' }, sli: { ratio: { bad: { metric: 'no_such_requests_total' }, total: { metric: 'no_such_requests_total' } } } }],
    };
    const gone = await open({ dashboard: 'overview', from: String(FROM), to: String(END) }, missing);
    await settled(gone.page);
    const sloText = await panel(gone.page, 'FleetLens SLO').innerText();
    assert.match(sloText, /no_such_requests_total/, `the SLO panel names the missing metric: ${sloText.slice(0, 300)}`);
    assert.equal(await panel(gone.page, 'FleetLens cost').getAttribute('data-state'), 'Done');
    await gone.context.close();
  });

  it('shows a Prometheus outage in the panels and recovers when it is back', async () => {
    const { page, context } = await open({ dashboard: 'overview', from: String(FROM), to: String(END) });
    await settled(page);
    assert.equal(await page.locator('[data-testid=panel-error]').count(), 0);
    await prometheus.stop();
    await page.getByTestId('data-testid RefreshPicker run button').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=panel-error]').length === document.querySelectorAll('[data-testid=panel]').length, undefined, { timeout: 120_000 });
    const message = await page.locator('[data-testid=panel-error]').first().innerText();
    assert.match(message, /unreachable|refused|502/i, message);
    prometheus = await startPrometheus(dataDir, promPort);
    await page.getByTestId('data-testid RefreshPicker run button').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=panel-error]').length === 0, undefined, { timeout: 120_000 });
    await settled(page);
    assert.equal(await page.locator('[data-testid=panel-error]').count(), 0);
    await context.close();
  });
});

describe('the playground with its embedded fleet', { timeout: 300_000 }, () => {
  it('serves the simulator history without any Prometheus and the panels show it', async () => {
    // The cost-spike fault keeps a Claude Code session running whatever the hour of the week.
    const embedded = await startPlayground(['--history', '6h', '--fault', 'cost-spike@now-5h..']);
    const context = await browser.newContext({ viewport: { width: 1500, height: 1300 }, timezoneId: 'UTC' });
    try {
      const page = await context.newPage();
      await page.goto(`${embedded.url}?dashboard=overview&from=now-3h&to=now`);
      await settled(page);
      assert.equal(await page.locator('[data-testid=panel-error]').count(), 0, await page.locator('[data-testid=panel-error]').allInnerTexts().then(String));
      assert.match(await page.locator('[data-testid=mode]').innerText(), /embedded/);
      assert.ok((await stats(page, 'Rolling 24 h cost'))['rolling 24h'] > 0, 'the embedded fleet spends money');
    } finally {
      await context.close();
      await embedded.stop();
    }
  });
});
