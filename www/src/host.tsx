/**
 * The FleetLens playground: a page that hosts the built plugins in dist/ the way Grafana hosts
 * them (SystemJS, Grafana's run-time libraries as the only externals, a backend service for the
 * data source's requests) and lays their panels out as a dashboard, with a time-range picker,
 * refresh, a light/dark switch and the options editor of a selected panel.
 */
import {
  DataSourceApi,
  GrafanaTheme2,
  PanelData,
  PanelPlugin,
  RawTimeRange,
  TimeRange,
  createTheme,
  rangeUtil,
} from '@grafana/data';
import { config, setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { GlobalStyles, RefreshPicker, Select, ThemeContext, TimeRangePicker, ToolbarButton } from '@grafana/ui';
import React, { useCallback, useEffect, useMemo, useState } from 'react';
import ReactDOM from 'react-dom';

import { backendSrv, recorded } from './backend';
import { DASHBOARDS, loadDashboard } from './dashboards';
import { errorText, loadDataSource } from './datasource';
import { OptionsPane, registerStandardEditors, withDefaults } from './options';
import { DashboardPanel, FLEETLENS_PANELS, PanelView } from './panels';
import { PluginId, importPlugin } from './plugins';

const REFRESH_INTERVALS = ['5s', '10s', '30s', '1m', '5m', '15m'];

/** The page's state in its URL, so a view can be linked (and tests can open one). */
interface UrlState {
  dashboard: string;
  from?: string;
  to?: string;
  theme: 'dark' | 'light';
  refresh: string;
  edit?: number;
}

function readUrl(): UrlState {
  const params = new URLSearchParams(window.location.search);
  return {
    dashboard: params.get('dashboard') ?? 'overview',
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
    theme: params.get('theme') === 'light' ? 'light' : 'dark',
    refresh: params.get('refresh') ?? '',
    edit: params.has('edit') ? Number(params.get('edit')) : undefined,
  };
}

function writeUrl(state: UrlState): void {
  // Parameters the page does not manage (e.g. the soak dashboard's `panels`) are kept.
  const params = new URLSearchParams(window.location.search);
  for (const key of ['dashboard', 'from', 'to', 'theme', 'refresh', 'edit']) {
    params.delete(key);
  }
  params.set('dashboard', state.dashboard);
  if (state.from) params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  params.set('theme', state.theme);
  if (state.refresh) params.set('refresh', state.refresh);
  if (state.edit !== undefined) params.set('edit', String(state.edit));
  window.history.replaceState(null, '', `${window.location.pathname}?${params}`);
}

/** A raw range as the picker gives it: relative text stays relative, absolute times become epoch ms text. */
function rawText(value: RawTimeRange['from']): string {
  return typeof value === 'string' ? value : String(value.valueOf());
}

function toRange(raw: { from: string; to: string }, timeZone: string): TimeRange {
  const parse = (text: string) => (/^\d+$/.test(text) ? Number(text) : text);
  const from = parse(raw.from);
  const to = parse(raw.to);
  const range = rangeUtil.convertRawToRange(
    {
      from: typeof from === 'number' ? (new Date(from) as never) : from,
      to: typeof to === 'number' ? (new Date(to) as never) : to,
    },
    timeZone
  );
  return { ...range, raw: { from: typeof from === 'number' ? range.from : from, to: typeof to === 'number' ? range.to : to } };
}

interface PlaygroundInfo {
  mode: 'embedded' | 'prometheus';
  prometheus: string | null;
}

function applyTheme(theme: GrafanaTheme2): void {
  const runtimeConfig = config as unknown as { theme2: GrafanaTheme2; theme: unknown; bootData: { user: { lightTheme: boolean } } };
  runtimeConfig.theme2 = theme;
  runtimeConfig.theme = theme.v1;
  if (runtimeConfig.bootData?.user) {
    runtimeConfig.bootData.user.lightTheme = theme.isLight;
  }
  document.body.dataset.theme = theme.isLight ? 'light' : 'dark';
}

function App({ ds, plugins, info }: { ds: DataSourceApi; plugins: Record<string, PanelPlugin>; info?: PlaygroundInfo }) {
  const initial = useMemo(readUrl, []);
  const [urlState, setUrlState] = useState<UrlState>(initial);
  const [dashboard, setDashboard] = useState<{ title: string; panels: DashboardPanel[] } | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [raw, setRaw] = useState<{ from: string; to: string } | undefined>(
    initial.from && initial.to ? { from: initial.from, to: initial.to } : undefined
  );
  const [refreshCount, setRefreshCount] = useState(0);
  const [panelData, setPanelData] = useState<Record<number, PanelData>>({});
  const timeZone = 'browser';
  const theme = useMemo(() => createTheme({ colors: { mode: urlState.theme } }), [urlState.theme]);
  applyTheme(theme);

  useEffect(() => {
    const choice = DASHBOARDS.find((d) => d.id === urlState.dashboard) ?? DASHBOARDS[0];
    setDashboard(undefined);
    setLoadError(undefined);
    loadDashboard(choice)
      .then((loaded) => {
        setDashboard({
          title: loaded.title,
          panels: loaded.panels.map((p) => (plugins[p.type] ? { ...p, options: withDefaults(plugins[p.type], p.options ?? {}) } : p)),
        });
        setRaw((old) => old ?? loaded.time);
      })
      .catch((err) => setLoadError(errorText(err)));
  }, [urlState.dashboard, plugins]);

  const range = useMemo(() => (raw ? toRange(raw, timeZone) : undefined), [raw, refreshCount]);

  useEffect(() => {
    writeUrl({ ...urlState, from: raw?.from, to: raw?.to });
  }, [urlState, raw]);

  useEffect(() => {
    if (!urlState.refresh) {
      return undefined;
    }
    const ms = rangeUtil.intervalToMs(urlState.refresh);
    const timer = window.setInterval(() => setRefreshCount((n) => n + 1), ms);
    return () => window.clearInterval(timer);
  }, [urlState.refresh]);

  const onData = useCallback((id: number, data: PanelData) => setPanelData((old) => ({ ...old, [id]: data })), []);
  const setOptions = (id: number, options: Record<string, unknown>) =>
    setDashboard((old) => old && { ...old, panels: old.panels.map((p) => (p.id === id ? { ...p, options } : p)) });

  const selected = dashboard?.panels.find((p) => p.id === urlState.edit);
  const selectedPlugin = selected ? plugins[selected.type] : undefined;

  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div className="playground" data-testid="playground" data-theme={theme.isLight ? 'light' : 'dark'}>
        <nav className="toolbar" aria-label="Dashboard toolbar">
          <h1>FleetLens playground</h1>
          <span className="mode" data-testid="mode" title={info?.prometheus ?? 'the simulator’s fleet, served by the playground'}>
            {info?.mode === 'prometheus' ? `Prometheus ${info.prometheus}` : 'embedded fleet'}
          </span>
          <div className="dashboard-picker" data-testid="dashboard-picker">
            <Select
              width={26}
              value={urlState.dashboard}
              options={DASHBOARDS.map((d) => ({ label: d.title, value: d.id }))}
              onChange={(v) => {
                setRaw(undefined);
                setUrlState((s) => ({ ...s, dashboard: v.value ?? 'overview', edit: undefined }));
              }}
            />
          </div>
          <span className="spacer" />
          {range && (
            <TimeRangePicker
              value={range}
              timeZone={timeZone}
              onChangeTimeZone={() => undefined}
              onChange={(next) => setRaw({ from: rawText(next.raw.from), to: rawText(next.raw.to) })}
              onMoveBackward={() => {
                const span = range.to.valueOf() - range.from.valueOf();
                setRaw({ from: String(range.from.valueOf() - span / 2), to: String(range.to.valueOf() - span / 2) });
              }}
              onMoveForward={() => {
                const span = range.to.valueOf() - range.from.valueOf();
                setRaw({ from: String(range.from.valueOf() + span / 2), to: String(range.to.valueOf() + span / 2) });
              }}
              onZoom={() => {
                const span = range.to.valueOf() - range.from.valueOf();
                setRaw({ from: String(range.from.valueOf() - span / 2), to: String(range.to.valueOf() + span / 2) });
              }}
            />
          )}
          <RefreshPicker
            value={urlState.refresh}
            intervals={REFRESH_INTERVALS}
            onRefresh={() => setRefreshCount((n) => n + 1)}
            onIntervalChanged={(interval) => setUrlState((s) => ({ ...s, refresh: interval }))}
          />
          <ToolbarButton
            icon="adjust-circle"
            tooltip="Switch between the light and the dark theme"
            aria-label="Switch theme"
            data-testid="theme-switch"
            onClick={() => setUrlState((s) => ({ ...s, theme: s.theme === 'dark' ? 'light' : 'dark' }))}
          >
            {theme.isLight ? 'Dark' : 'Light'}
          </ToolbarButton>
        </nav>
        {loadError && (
          <div className="page-error" role="alert">
            {loadError}
          </div>
        )}
        <div className="body">
          <main className="grid" data-testid="dashboard" aria-label={dashboard?.title}>
            {dashboard && range &&
              dashboard.panels.map((panel) => (
                <PanelView
                  key={`${urlState.dashboard}-${panel.id}`}
                  panel={panel}
                  plugin={plugins[panel.type]}
                  ds={ds}
                  range={range}
                  refresh={refreshCount}
                  timeZone={timeZone}
                  theme={theme}
                  selected={panel.id === urlState.edit}
                  onSelect={() => setUrlState((s) => ({ ...s, edit: s.edit === panel.id ? undefined : panel.id }))}
                  onOptionsChange={(options) => setOptions(panel.id, options)}
                  onData={(data) => onData(panel.id, data)}
                />
              ))}
          </main>
          {selected && (
            <aside className="editor" aria-label="Panel editor" data-testid="panel-editor">
              <header>
                <h3>{selected.title}</h3>
                <button type="button" onClick={() => setUrlState((s) => ({ ...s, edit: undefined }))}>
                  Close
                </button>
              </header>
              {selectedPlugin ? (
                <OptionsPane
                  plugin={selectedPlugin}
                  title={selected.title}
                  options={selected.options ?? {}}
                  data={panelData[selected.id]?.series ?? []}
                  onChange={(options) => setOptions(selected.id, options)}
                />
              ) : (
                <p className="muted">
                  A {selected.type} panel: Grafana’s own visualization, configured in Grafana. Its query: <code>{JSON.stringify(selected.targets)}</code>
                </p>
              )}
            </aside>
          )}
        </div>
      </div>
    </ThemeContext.Provider>
  );
}

async function start(): Promise<void> {
  const root = document.getElementById('root');
  if (!root) {
    return;
  }
  try {
    registerStandardEditors();
    setBackendSrv(backendSrv);
    setTemplateSrv({
      getVariables: () => [],
      replace: (text?: string) => text ?? '',
      containsTemplate: () => false,
      updateTimeRange: () => undefined,
    } as never);
    const info = await fetch('/playground/info')
      .then((r) => (r.ok ? (r.json() as Promise<PlaygroundInfo>) : undefined))
      .catch(() => undefined);
    const ds = await loadDataSource();
    const plugins: Record<string, PanelPlugin> = {};
    for (const id of FLEETLENS_PANELS) {
      const exports = await importPlugin(id as PluginId);
      plugins[id] = exports.plugin as PanelPlugin;
    }
    await importPlugin('fleetlens-app');
    (window as unknown as { fleetlens: unknown }).fleetlens = { recorded, ds, plugins };
    ReactDOM.render(<App ds={ds} plugins={plugins} info={info} />, root);
  } catch (err) {
    root.innerHTML = '';
    const message = document.createElement('div');
    message.className = 'page-error';
    message.setAttribute('role', 'alert');
    message.textContent = `The playground could not start: ${errorText(err)}`;
    root.appendChild(message);
  }
}

void start();
