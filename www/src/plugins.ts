/**
 * Plugin loading as Grafana 9.4 does it: the SystemJS 0.20 that `@grafana/runtime` bundles and
 * exports imports each built `module.js` as AMD, and the only modules a plugin may depend on are
 * Grafana's run-time libraries, registered here from the real npm packages.
 */
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';

/** The parts of SystemJS 0.20 the playground uses. */
interface SystemJs {
  config(config: Record<string, unknown>): void;
  registerDynamic(name: string, deps: string[], executingRequire: boolean, factory: (require: unknown, exports: unknown, module: { exports: unknown }) => void): void;
  import(name: string): Promise<Record<string, unknown>>;
}


/** What Grafana provides to plugins at run time, by module name. */
export const EXTERNALS: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
  '@grafana/runtime': grafanaRuntime,
  rxjs,
  'rxjs/operators': rxjsOperators,
  '@emotion/css': emotionCss,
};

/** Where each FleetLens plugin's module.js is served (Grafana 9.4's URLs: nested plugins under the app). */
export const PLUGIN_MODULES = {
  'fleetlens-app': 'public/plugins/fleetlens-app/module.js',
  'fleetlens-views-datasource': 'public/plugins/fleetlens-app/datasource/module.js',
  'fleetlens-cost-panel': 'public/plugins/fleetlens-app/panels/cost/module.js',
  'fleetlens-slo-panel': 'public/plugins/fleetlens-app/panels/slo/module.js',
  'fleetlens-agents-panel': 'public/plugins/fleetlens-app/panels/agents/module.js',
} as const;

export type PluginId = keyof typeof PLUGIN_MODULES;

let configured: SystemJs | undefined;

function systemJs(): SystemJs {
  if (configured) {
    return configured;
  }
  const system = grafanaRuntime.SystemJS as SystemJs;
  system.config({
    baseURL: '/',
    meta: { '/public/plugins/*': { format: 'amd' } },
  });
  for (const [name, value] of Object.entries(EXTERNALS)) {
    system.registerDynamic(name, [], true, (_require, _exports, module) => {
      module.exports = value;
    });
  }
  configured = system;
  return system;
}

const imports = new Map<string, Promise<Record<string, unknown>>>();

/** The exports of a plugin's module.js (its `plugin` object), imported once. */
export function importPlugin(id: PluginId): Promise<Record<string, unknown>> {
  let pending = imports.get(id);
  if (!pending) {
    pending = systemJs()
      .import(`/${PLUGIN_MODULES[id]}`)
      .catch((err: unknown) => {
        imports.delete(id);
        throw new Error(`Could not load ${id} from /${PLUGIN_MODULES[id]}: ${err instanceof Error ? err.message : String(err)}`);
      });
    imports.set(id, pending);
  }
  return pending;
}
