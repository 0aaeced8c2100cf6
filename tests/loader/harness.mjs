/**
 * A Node stand-in for the browser side of Grafana's plugin loader, for the built dist/:
 *
 * - a jsdom document whose base URL is Grafana's root (`<base href="/">`);
 * - `module.js` evaluated as a classic script with a global `define` that captures the AMD
 *   dependencies and factory; the factory gets Grafana's externals from the real npm packages and
 *   `module` = `{ uri, id }`, the URL Grafana would load that module.js from;
 * - `<script>` elements appended to the document (webpack's chunk loading) and `fetch` (the wasm)
 *   served from dist/ through a route table like Grafana's `/public/plugins/<id>/…`: each plugin
 *   id maps to its folder, nested ids to nested folders; anything else is a 404.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

import { JSDOM } from 'jsdom';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const distDir = path.join(repoRoot, 'dist');
export const GRAFANA_ROOT = 'http://127.0.0.1:3000/';

/** Each plugin id and the dist/ folder Grafana serves at `/public/plugins/<id>/`. */
export const PLUGIN_DIRS = {
  'fleetlens-app': '',
  'fleetlens-views-datasource': 'datasource',
  'fleetlens-cost-panel': 'panels/cost',
  'fleetlens-slo-panel': 'panels/slo',
  'fleetlens-agents-panel': 'panels/agents',
};

/** Where Grafana loads each nested module.js from, per version. */
export const SCHEMES = {
  'Grafana 9.4–12.0 (parent path + sub-folder)': {
    'fleetlens-app': 'public/plugins/fleetlens-app/module.js',
    'fleetlens-views-datasource': 'public/plugins/fleetlens-app/datasource/module.js',
    'fleetlens-cost-panel': 'public/plugins/fleetlens-app/panels/cost/module.js',
    'fleetlens-slo-panel': 'public/plugins/fleetlens-app/panels/slo/module.js',
    'fleetlens-agents-panel': 'public/plugins/fleetlens-app/panels/agents/module.js',
  },
  'Grafana ≥ 12.1 (nested id)': {
    'fleetlens-app': 'public/plugins/fleetlens-app/module.js',
    'fleetlens-views-datasource': 'public/plugins/fleetlens-views-datasource/module.js',
    'fleetlens-cost-panel': 'public/plugins/fleetlens-cost-panel/module.js',
    'fleetlens-slo-panel': 'public/plugins/fleetlens-slo-panel/module.js',
    'fleetlens-agents-panel': 'public/plugins/fleetlens-agents-panel/module.js',
  },
};

const CONTENT_TYPES = { '.js': 'application/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' };

// ---- the browser globals, before any Grafana package is loaded ----
const dom = new JSDOM('<!doctype html><html><head><base href="/"></head><body></body></html>', {
  url: GRAFANA_ROOT,
  pretendToBeVisual: true,
});
const win = dom.window;
win.matchMedia = (media) => ({ matches: false, media, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {} });
for (const key of Object.getOwnPropertyNames(win)) {
  if (!(key in globalThis) && !['window', 'self', 'top', 'parent', 'frames', 'globalThis'].includes(key)) {
    Object.defineProperty(globalThis, key, { configurable: true, writable: true, value: win[key] });
  }
}
for (const key of ['Event', 'CustomEvent', 'EventTarget', 'KeyboardEvent', 'MouseEvent', 'navigator']) {
  Object.defineProperty(globalThis, key, { configurable: true, writable: true, value: win[key] });
}
globalThis.window = win;
globalThis.self = win;

const require = createRequire(import.meta.url);

// React's scheduler would keep a Node MessagePort open (and the process alive); without
// MessageChannel at load time it schedules with setTimeout, as in older browsers.
const { MessageChannel } = globalThis;
delete globalThis.MessageChannel;

/** Grafana's run-time libraries, from the npm packages (the only things a module.js may import). */
export const externals = {
  react: require('react'),
  'react-dom': require('react-dom'),
  '@grafana/data': require('@grafana/data'),
  '@grafana/ui': require('@grafana/ui'),
  '@grafana/runtime': require('@grafana/runtime'),
  rxjs: require('rxjs'),
  '@emotion/css': require('@emotion/css'),
};

globalThis.MessageChannel = MessageChannel;

/** Every URL the page asked for, with the status it got. */
export const requests = [];

/** Files the route table pretends are absent (dist-relative paths), for negative tests. */
export const hidden = new Set();

/** The dist/ file Grafana would serve for a URL, or undefined (404). */
export function route(url) {
  const { pathname } = new URL(url, GRAFANA_ROOT);
  const m = /^\/public\/plugins\/([^/]+)\/(.+)$/.exec(pathname);
  if (!m || !(m[1] in PLUGIN_DIRS) || m[2].split('/').includes('..')) {
    return undefined;
  }
  const rel = path.posix.join(PLUGIN_DIRS[m[1]], m[2]);
  const file = path.join(distDir, rel);
  return !hidden.has(rel) && existsSync(file) && statSync(file).isFile() ? file : undefined;
}

function serve(url) {
  const file = route(url);
  requests.push({ url: new URL(url, GRAFANA_ROOT).href, status: file ? 200 : 404 });
  return file;
}

// Chunk loading: webpack appends <script src> to <head>; evaluate the file as a classic script.
const appendChild = win.document.head.appendChild.bind(win.document.head);
win.document.head.appendChild = (node) => {
  if (node.tagName !== 'SCRIPT' || !node.src) {
    return appendChild(node);
  }
  const file = serve(node.src);
  setTimeout(() => {
    if (!file) {
      node.onerror?.({ type: 'error', target: node });
      return;
    }
    vm.runInThisContext(readFileSync(file, 'utf8'), { filename: file });
    node.onload?.({ type: 'load', target: node });
  }, 0);
  return node;
};

// The wasm: a Response typed the way Grafana's server types it.
globalThis.fetch = async (input) => {
  const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
  const file = serve(url);
  if (!file) {
    return new Response('404 page not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  }
  const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
  return new Response(readFileSync(file), { status: 200, headers: { 'Content-Type': type } });
};

/**
 * Evaluates dist/<folder>/module.js as Grafana would load it from `moduleUrl` (root-relative) and
 * returns its AMD dependencies and exports. Forgets chunks a previous evaluation registered.
 */
export function loadModule(pluginId, moduleUrl) {
  for (const scope of [globalThis, win]) {
    for (const key of Object.keys(scope)) {
      if (key.startsWith('webpackChunk')) {
        delete scope[key];
      }
    }
  }
  const file = path.join(distDir, PLUGIN_DIRS[pluginId], 'module.js');
  let captured;
  globalThis.define = (deps, factory) => {
    captured = { deps, factory };
  };
  try {
    vm.runInThisContext(readFileSync(file, 'utf8'), { filename: file });
  } finally {
    delete globalThis.define;
  }
  if (!captured) {
    throw new Error(`${file} did not call define()`);
  }
  const uri = new URL(`${moduleUrl}?_cache=0.1.0`, GRAFANA_ROOT).href;
  const args = captured.deps.map((dep) => {
    if (dep === 'module') {
      return { uri, id: moduleUrl.replace(/\.js$/, '') };
    }
    if (!(dep in externals)) {
      throw new Error(`${file} depends on ${dep}, which Grafana does not provide`);
    }
    return externals[dep];
  });
  return { deps: captured.deps, exports: captured.factory(...args), uri };
}

/** Closes the document so the process can exit. */
export function closeDom() {
  win.close();
}
