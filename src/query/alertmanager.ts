import { type ClientOptions, getJson, QueryError, resolveClient } from './http.js';
import type { Labels, RequestOptions } from './prometheus.js';

/** One alert of Alertmanager's `GET /api/v2/alerts`. */
export interface AmAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  updatedAt?: string;
  generatorURL?: string;
  fingerprint: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
  receivers?: Array<{ name: string }>;
}

export interface AmStatus {
  cluster?: { status?: string };
  versionInfo?: { version?: string; [key: string]: unknown };
  uptime?: string;
  config?: { original?: string };
}

export interface AlertmanagerClient {
  readonly url: string;
  alerts(options?: RequestOptions & { active?: boolean; silenced?: boolean; inhibited?: boolean }): Promise<AmAlert[]>;
  status(options?: RequestOptions): Promise<AmStatus>;
}

/**
 * Read-only client for Alertmanager's v2 API.
 *
 * @example
 * const am = alertmanagerClient({ url: 'http://127.0.0.1:9093' });
 * const firing = await am.alerts({ active: true });
 */
export function alertmanagerClient(options: ClientOptions): AlertmanagerClient {
  const client = resolveClient('alertmanager', options);

  async function api<T>(path: string, params: Record<string, string | undefined>, signal?: AbortSignal): Promise<T> {
    const { status, body } = await getJson('alertmanager', client, path, params, signal);
    if (status >= 200 && status < 300) return body as T;
    const detail = typeof body === 'string' ? body : JSON.stringify(body);
    throw new QueryError(
      'VIGIL_ERR_QUERY_FAILED',
      `alertmanager ${path} failed (${status}): ${detail}`,
      status,
      undefined,
      detail,
    );
  }
  const flag = (v: boolean | undefined) => (v === undefined ? undefined : String(v));

  return {
    url: client.base,
    alerts: (o = {}) =>
      api<AmAlert[]>(
        '/api/v2/alerts',
        { active: flag(o.active), silenced: flag(o.silenced), inhibited: flag(o.inhibited) },
        o.signal,
      ),
    status: (o = {}) => api<AmStatus>('/api/v2/status', {}, o.signal),
  };
}
