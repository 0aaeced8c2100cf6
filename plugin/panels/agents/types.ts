/** Options of the agents panel (declared with their defaults in `module.ts`). */
export interface AgentsPanelOptions {
  /** The label that names an agent (raw series; also picks sparkline series). */
  groupLabel: string;
  /** Raw series: further agents view settings as JSON (metrics, heartbeat thresholds); empty = defaults. */
  agentsConfig: string;
  /** Column the leaderboard is sorted by at first. */
  sortBy: string;
  /** Sort descending at first. */
  sortDesc: boolean;
  /** Show the fleet summary row. */
  showFleet: boolean;
  /** Show trend sparklines where series per agent are there. */
  showSparklines: boolean;
  /** Show the link to Explore. */
  showExploreLink: boolean;
}

/** Defaults of every option. */
export const DEFAULT_OPTIONS: AgentsPanelOptions = {
  groupLabel: 'agent_id',
  agentsConfig: '',
  sortBy: 'score',
  sortDesc: true,
  showFleet: true,
  showSparklines: true,
  showExploreLink: true,
};
