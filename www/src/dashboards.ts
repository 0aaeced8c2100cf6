/**
 * The dashboards the playground shows: FleetLens' provisioned dashboards (the files the compose
 * stack installs), reduced to the panels that read the FleetLens data source, and an overview
 * composed from them. Nothing is copied: every panel comes from provisioning/dashboards/.
 */
import type { DashboardPanel } from './panels';

const FOLDER = '/provisioning/dashboards/fleetlens';
const FLEETLENS_UID = 'fleetlens';

/** A dashboard the picker offers. */
export interface DashboardChoice {
  id: string;
  title: string;
  /** Provisioned dashboard files the panels come from. */
  files: string[];
}

export const DASHBOARDS: DashboardChoice[] = [
  { id: 'overview', title: 'FleetLens overview', files: ['claude-code-cost.json', 'slos.json', 'cluster-agents.json'] },
  { id: 'claude-code-cost', title: 'Claude Code cost', files: ['claude-code-cost.json'] },
  { id: 'slos', title: 'SLOs', files: ['slos.json'] },
  { id: 'cluster-agents', title: 'Cluster agents', files: ['cluster-agents.json'] },
  { id: 'soak', title: 'Soak: 50 FleetLens panels', files: ['claude-code-cost.json', 'slos.json', 'cluster-agents.json'] },
];

/** Panels of the soak dashboard (`?dashboard=soak&panels=N`, default 50). */
export const SOAK_PANELS = 50;

interface DashboardJson {
  title: string;
  time?: { from: string; to: string };
  panels?: Array<DashboardPanel & { datasource?: { uid?: string }; panels?: DashboardPanel[] }>;
}

/** The overview: which provisioned panels it shows (by file and title) and where. */
const OVERVIEW: Array<{ file: string; title: string; gridPos: DashboardPanel['gridPos'] }> = [
  { file: 'claude-code-cost.json', title: 'Daily cost (since midnight)', gridPos: { x: 0, y: 0, w: 6, h: 5 } },
  { file: 'claude-code-cost.json', title: 'Rolling 24 h cost', gridPos: { x: 6, y: 0, w: 6, h: 5 } },
  { file: 'slos.json', title: 'Availability SLI', gridPos: { x: 12, y: 0, w: 6, h: 5 } },
  { file: 'slos.json', title: 'Error budget remaining', gridPos: { x: 18, y: 0, w: 6, h: 5 } },
  { file: 'claude-code-cost.json', title: 'FleetLens cost', gridPos: { x: 0, y: 5, w: 24, h: 10 } },
  { file: 'slos.json', title: 'FleetLens SLO', gridPos: { x: 0, y: 15, w: 24, h: 16 } },
  { file: 'cluster-agents.json', title: 'FleetLens agents', gridPos: { x: 0, y: 31, w: 24, h: 9 } },
  { file: 'slos.json', title: 'Burn rates', gridPos: { x: 0, y: 40, w: 12, h: 9 } },
  { file: 'cluster-agents.json', title: 'Agent leaderboard', gridPos: { x: 12, y: 40, w: 12, h: 9 } },
];

async function loadJson(file: string): Promise<DashboardJson> {
  const response = await fetch(`${FOLDER}/${file}`);
  if (!response.ok) {
    throw new Error(`${FOLDER}/${file}: HTTP ${response.status}`);
  }
  return response.json();
}

function flatten(panels: DashboardJson['panels'] = []): NonNullable<DashboardJson['panels']> {
  return panels.flatMap((p) => (p.type === 'row' ? flatten(p.panels as DashboardJson['panels']) : [p]));
}

/** Moves each panel up while it overlaps nothing, as Grafana's grid does after panels are removed. */
export function compact(panels: DashboardPanel[]): DashboardPanel[] {
  const placed: DashboardPanel[] = [];
  const overlaps = (a: DashboardPanel['gridPos'], b: DashboardPanel['gridPos']) =>
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  for (const panel of [...panels].sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x)) {
    const pos = { ...panel.gridPos };
    while (pos.y > 0 && !placed.some((p) => overlaps({ ...pos, y: pos.y - 1 }, p.gridPos))) {
      pos.y -= 1;
    }
    placed.push({ ...panel, gridPos: pos });
  }
  return placed;
}

/** A dashboard's title, default time range and panels (FleetLens data source panels only). */
export async function loadDashboard(choice: DashboardChoice): Promise<{ title: string; time: { from: string; to: string }; panels: DashboardPanel[] }> {
  const files = new Map<string, DashboardJson>();
  for (const file of choice.files) {
    files.set(file, await loadJson(file));
  }
  const ofFleetLens = (file: string) =>
    flatten(files.get(file)?.panels).filter((p) => p.datasource?.uid === FLEETLENS_UID || p.type.startsWith('fleetlens-'));
  let panels: DashboardPanel[];
  let time = { from: 'now-24h', to: 'now' };
  if (choice.id === 'soak') {
    // Every FleetLens data source panel of the three dashboards, repeated to N panels, 4 a row.
    const all = choice.files.flatMap((file) => ofFleetLens(file));
    const wanted = Number(new URLSearchParams(window.location.search).get('panels')) || SOAK_PANELS;
    panels = Array.from({ length: Math.min(Math.max(1, wanted), 500) }, (_, i) => ({
      ...all[i % all.length],
      title: `${all[i % all.length].title} #${i + 1}`,
      gridPos: { x: (i % 4) * 6, y: Math.floor(i / 4) * 8, w: 6, h: 8 },
    }));
  } else if (choice.id === 'overview') {
    panels = OVERVIEW.flatMap(({ file, title, gridPos }) => {
      const found = ofFleetLens(file).find((p) => p.title === title);
      return found ? [{ ...found, gridPos }] : [];
    });
  } else {
    const json = files.get(choice.files[0]);
    time = json?.time ?? time;
    panels = compact(ofFleetLens(choice.files[0]));
  }
  return { title: choice.title, time, panels: panels.map((p, i) => ({ ...p, id: i + 1 })) };
}
