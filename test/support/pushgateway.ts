import { requireBinary } from './components.js';
import { freePort } from './ports.js';
import { type ManagedProcess, spawnManaged, waitForHttpReady } from './process.js';

/**
 * A real Pushgateway (Debian prometheus-pushgateway 1.5) for tests: 127.0.0.1, a free port
 * (or the given one, to restart a gateway where clients expect it), no persistence file,
 * stopped by PID. Ready in well under a second.
 */

export interface StartPushgatewayOptions {
  /** Listen on this port (e.g. to restart a stopped gateway); default a free port. */
  port?: number;
  /** Appended to the command line. */
  extraArgs?: readonly string[];
  /** Default 10 000 ms. */
  readyTimeoutMs?: number;
}

/** One metric family of a group, as `/api/v1/metrics` shows it. */
export interface PushedFamily {
  time_stamp: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  help?: string;
  metrics: Array<{
    labels: Record<string, string>;
    /** Counters, gauges, untyped: the value as text. */
    value?: string;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }>;
}

/** One group (a grouping key) held by the gateway. */
export interface PushedGroup {
  /** The grouping key, `job` included, decoded. */
  labels: Record<string, string>;
  lastPushSuccessful: boolean;
  /** Pushed families by name, plus the gateway's own `push_time_seconds` and `push_failure_time_seconds`. */
  families: Record<string, PushedFamily>;
}

export interface PushgatewayHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  pid: number;
  /** Every group, from `GET /api/v1/metrics`. */
  metrics(): Promise<PushedGroup[]>;
  /** The group whose grouping key equals `labels` exactly, or undefined. */
  group(labels: Record<string, string>): Promise<PushedGroup | undefined>;
  /** The gateway's log so far. */
  logs(): string;
  /** SIGTERM, SIGKILL after 5 s. Idempotent. */
  stop(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 5_000;

export async function startPushgateway(options: StartPushgatewayOptions = {}): Promise<PushgatewayHandle> {
  const binary = requireBinary('/usr/bin/prometheus-pushgateway', 'prometheus-pushgateway');
  // A free port may be taken between freePort() and the bind: retry (only when we chose it).
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    let proc: ManagedProcess | undefined;
    try {
      proc = spawnManaged(binary, [
        `--web.listen-address=127.0.0.1:${port}`,
        '--persistence.file=',
        ...(options.extraArgs ?? []),
      ]);
      await waitForHttpReady(proc, `${url}/-/ready`, { timeoutMs: options.readyTimeoutMs ?? 10_000 });
      return handle(proc, url, port);
    } catch (error) {
      lastError = error;
      await proc?.stop().catch(() => {});
      if (options.port !== undefined || !/address already in use/i.test(String(error))) break;
    }
  }
  throw lastError;
}

function handle(proc: ManagedProcess, url: string, port: number): PushgatewayHandle {
  async function metrics(): Promise<PushedGroup[]> {
    const res = await fetch(`${url}/api/v1/metrics`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = await res.text();
    let parsed: { status?: string; data?: Array<Record<string, unknown>> };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new Error(`pushgateway /api/v1/metrics answered ${res.status} with non-JSON: ${body.slice(0, 500)}`);
    }
    if (parsed.status !== 'success' || !Array.isArray(parsed.data)) {
      throw new Error(`pushgateway /api/v1/metrics failed (${res.status}): ${body.slice(0, 500)}`);
    }
    return parsed.data.map((raw) => {
      const { labels, last_push_successful, ...families } = raw;
      return {
        labels: labels as Record<string, string>,
        lastPushSuccessful: last_push_successful as boolean,
        families: families as Record<string, PushedFamily>,
      };
    });
  }

  async function group(labels: Record<string, string>): Promise<PushedGroup | undefined> {
    const key = canonical(labels);
    return (await metrics()).find((g) => canonical(g.labels) === key);
  }

  return { url, port, pid: proc.pid, metrics, group, logs: proc.logs, stop: () => proc.stop() };
}

function canonical(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
