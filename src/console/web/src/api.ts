import type {
  AlertsResponse,
  ApiError,
  HealthResponse,
  LabelsResponse,
  MetricsResponse,
  OverviewResponse,
  QueryResponse,
  SeriesResponse,
  TestsResponse,
  TraceResponse,
  TracesResponse,
} from '../../api-types.js';

/**
 * Typed calls to the console API (src/console/api-types.ts). Same origin, so the access
 * token travels as the cookie the backend set; nothing to add here.
 */

/** A failed call: the API's own code and message, or a network/format failure. */
export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null,
    readonly source: string | undefined,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

type Params = Record<string, string | number | undefined | string[]>;

const TIMEOUT_MS = 20_000;

function urlOf(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  const query = search.toString();
  // Relative to the page, so the console works under a path prefix too.
  return `./api/${path}${query === '' ? '' : `?${query}`}`;
}

export async function getJson<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  let res: Response;
  try {
    res = await fetch(urlOf(path, params), { headers: { accept: 'application/json' }, signal: combined });
  } catch (error) {
    if (signal?.aborted) throw error;
    const why = timeout.aborted ? `no answer within ${TIMEOUT_MS / 1000} s` : String(error);
    throw new ApiFailure('NETWORK', `The console API did not answer /api/${path}: ${why}.`, null, undefined);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiFailure(
      'BAD_RESPONSE',
      `/api/${path} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`,
      res.status,
      undefined,
    );
  }
  if (!res.ok) {
    const error = (body as Partial<ApiError>).error;
    throw new ApiFailure(
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? `/api/${path} answered ${res.status}.`,
      res.status,
      error?.source,
    );
  }
  return body as T;
}

export const api = {
  health: (signal?: AbortSignal) => getJson<HealthResponse>('health', {}, signal),
  overview: (range: number, signal?: AbortSignal) => getJson<OverviewResponse>('overview', { range }, signal),
  metrics: (search: string, signal?: AbortSignal) => getJson<MetricsResponse>('metrics', { search }, signal),
  query: (query: string, time?: number, signal?: AbortSignal) =>
    getJson<QueryResponse>('query', { query, time }, signal),
  queryRange: (query: string, start: number, end: number, step: number, signal?: AbortSignal) =>
    getJson<QueryResponse>('query_range', { query, start, end, step }, signal),
  series: (match: string[], signal?: AbortSignal) => getJson<SeriesResponse>('series', { 'match[]': match }, signal),
  labels: (signal?: AbortSignal) => getJson<LabelsResponse>('labels', {}, signal),
  alerts: (signal?: AbortSignal) => getJson<AlertsResponse>('alerts', {}, signal),
  traces: (
    filter: { service?: string; name?: string; minDurationMs?: number; status?: string; limit?: number },
    signal?: AbortSignal,
  ) => getJson<TracesResponse>('traces', filter, signal),
  trace: (traceId: string, signal?: AbortSignal) =>
    getJson<TraceResponse>(`traces/${encodeURIComponent(traceId)}`, {}, signal),
  tests: (signal?: AbortSignal) => getJson<TestsResponse>('tests', {}, signal),
};
