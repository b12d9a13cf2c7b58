/** What `startMetricsServer(...).status()` reports; plain data, ready for a JSON status page. */
export interface MetricsServerStatus {
  /** False when `enabled: false` or `VIGIL_METRICS_ENABLED=false`: nothing was started. */
  enabled: boolean;
  /** True while the server listens. */
  serverStarted: boolean;
  host: string;
  /** The port listened on (the one the system chose when 0 was asked). */
  port: number;
  path: string;
  /** True when the server was asked for but could not start, or failed after starting. */
  degraded: boolean;
  /** Why it is degraded or disabled (e.g. `listen EADDRINUSE: address already in use 127.0.0.1:9464`); null otherwise. */
  degradationReason: string | null;
  /** Scrapes answered with metric data (status 200). */
  scrapesServed: number;
  /** Seconds the last scrape took to gather and encode; null before the first one. */
  lastScrapeDurationSeconds: number | null;
  /** Series in the last scrape. */
  seriesCount: number;
}

/** Values of `VIGIL_METRICS_ENABLED` that turn the server off. */
const OFF = new Set(['false', '0', 'no', 'off']);

/** Why the server must not start, or null when it may. The option and the variable can each turn it off. */
export function disabledReason(enabled: boolean | undefined, env: string | undefined): string | null {
  if (enabled === false) return 'disabled by the option enabled: false';
  if (env !== undefined && OFF.has(env.trim().toLowerCase())) return `disabled by VIGIL_METRICS_ENABLED=${env}`;
  return null;
}
