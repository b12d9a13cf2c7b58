import { type ClientOptions, getJson, type Params, QueryError, resolveClient } from './http.js';

export type Labels = Record<string, string>;

/** Prometheus' result of `/api/v1/query` and `/api/v1/query_range`, as it sends it. */
export type PromQueryData =
  | { resultType: 'vector'; result: Array<{ metric: Labels; value: [number, string] }> }
  | { resultType: 'matrix'; result: Array<{ metric: Labels; values: Array<[number, string]> }> }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

export interface PromResult<T> {
  data: T;
  warnings: string[];
}

/** One rule alert of `/api/v1/alerts`. */
export interface PromAlert {
  labels: Labels;
  annotations: Labels;
  state: 'firing' | 'pending' | 'inactive';
  activeAt?: string;
  value?: string;
}

export interface PromBuildInfo {
  version: string;
  revision?: string;
  branch?: string;
  goVersion?: string;
  [key: string]: unknown;
}

/** A time as a Date or Unix seconds. */
export type Time = Date | number;

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface PrometheusClient {
  readonly url: string;
  query(promql: string, options?: RequestOptions & { time?: Time }): Promise<PromResult<PromQueryData>>;
  queryRange(
    promql: string,
    range: RequestOptions & { start: Time; end: Time; step: number },
  ): Promise<PromResult<PromQueryData>>;
  series(
    match: readonly string[],
    options?: RequestOptions & { start?: Time; end?: Time },
  ): Promise<PromResult<Labels[]>>;
  labels(
    options?: RequestOptions & { match?: readonly string[]; start?: Time; end?: Time },
  ): Promise<PromResult<string[]>>;
  alerts(options?: RequestOptions): Promise<PromResult<PromAlert[]>>;
  buildinfo(options?: RequestOptions): Promise<PromResult<PromBuildInfo>>;
}

interface Envelope {
  status?: string;
  data?: unknown;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

const seconds = (t: Time | undefined): string | undefined =>
  t === undefined ? undefined : String(typeof t === 'number' ? t : t.getTime() / 1000);

/**
 * A typed, read-only client for Prometheus' HTTP API (also VictoriaMetrics, which speaks
 * it). Prometheus' `{status:"error", errorType, error}` becomes a QueryError
 * VIGIL_ERR_QUERY_FAILED carrying `errorType` and the HTTP `status`; no answer (refused,
 * timeout) becomes VIGIL_ERR_SOURCE_UNREACHABLE. Only GET endpoints exist here.
 *
 * @example
 * const prom = prometheusClient({ url: 'http://127.0.0.1:9090', timeoutMs: 5000 });
 * const { data } = await prom.query('up', { signal: AbortSignal.timeout(1000) });
 */
export function prometheusClient(options: ClientOptions): PrometheusClient {
  const client = resolveClient('prometheus', options);

  async function api<T>(path: string, params: Params, signal: AbortSignal | undefined): Promise<PromResult<T>> {
    const { status, body } = await getJson('prometheus', client, path, params, signal);
    const envelope = (body ?? {}) as Envelope;
    if (envelope.status === 'success') {
      return { data: envelope.data as T, warnings: envelope.warnings ?? [] };
    }
    const detail = envelope.error ?? `HTTP ${status}`;
    throw new QueryError(
      'VIGIL_ERR_QUERY_FAILED',
      `prometheus ${path} failed (${status}${envelope.errorType ? ` ${envelope.errorType}` : ''}): ${detail}`,
      status,
      envelope.errorType,
      detail,
    );
  }

  return {
    url: client.base,
    query: (promql, o = {}) => api('/api/v1/query', { query: promql, time: seconds(o.time) }, o.signal),
    queryRange: (promql, o) =>
      api(
        '/api/v1/query_range',
        { query: promql, start: seconds(o.start), end: seconds(o.end), step: o.step },
        o.signal,
      ),
    series: (match, o = {}) =>
      api('/api/v1/series', { 'match[]': match, start: seconds(o.start), end: seconds(o.end) }, o.signal),
    labels: (o = {}) =>
      api('/api/v1/labels', { 'match[]': o.match, start: seconds(o.start), end: seconds(o.end) }, o.signal),
    alerts: async (o = {}) => {
      const result = await api<{ alerts: PromAlert[] }>('/api/v1/alerts', {}, o.signal);
      return { data: result.data.alerts ?? [], warnings: result.warnings };
    },
    buildinfo: (o = {}) => api('/api/v1/status/buildinfo', {}, o.signal),
  };
}
