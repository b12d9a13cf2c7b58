import { type ClientOptions, getJson, QueryError, resolveClient } from './http.js';
import type { Labels, RequestOptions } from './prometheus.js';

/** One series of a pushed family; numbers are parsed from the gateway's strings. */
export interface PushedSeries {
  labels: Labels;
  /** Counter, gauge and untyped value. */
  value?: number;
  /** Histogram: cumulative count per upper bound (`"+Inf"` included). */
  buckets?: Record<string, number>;
  /** Summary: value per quantile (`"0.5"`, ...). */
  quantiles?: Record<string, number>;
  count?: number;
  sum?: number;
}

export interface PushedFamily {
  name: string;
  type: string;
  help: string;
  series: PushedSeries[];
}

/** A grouping key's metrics, as the Pushgateway holds them. */
export interface PushGroup {
  labels: Labels;
  /** `push_time_seconds` of the group; null before any successful push. */
  lastPushSeconds: number | null;
  lastPushSuccessful: boolean;
  families: Map<string, PushedFamily>;
}

export interface PushgatewayClient {
  readonly url: string;
  groups(options?: RequestOptions): Promise<PushGroup[]>;
}

interface RawSeries {
  labels?: Labels;
  value?: string;
  buckets?: Record<string, string>;
  quantiles?: Record<string, string>;
  count?: string;
  sum?: string;
}

interface RawFamily {
  type?: string;
  help?: string;
  metrics?: RawSeries[];
}

const numberOf = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const numbers = (o: Record<string, string> | undefined) =>
  o === undefined ? undefined : Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v)]));

function parseSeries(raw: RawSeries): PushedSeries {
  const series: PushedSeries = { labels: raw.labels ?? {} };
  const value = numberOf(raw.value);
  if (value !== undefined) series.value = value;
  const buckets = numbers(raw.buckets);
  if (buckets !== undefined) series.buckets = buckets;
  const quantiles = numbers(raw.quantiles);
  if (quantiles !== undefined) series.quantiles = quantiles;
  const count = numberOf(raw.count);
  if (count !== undefined) series.count = count;
  const sum = numberOf(raw.sum);
  if (sum !== undefined) series.sum = sum;
  return series;
}

function parseGroup(raw: Record<string, unknown>): PushGroup {
  const families = new Map<string, PushedFamily>();
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'labels' || name === 'last_push_successful' || value === null || typeof value !== 'object') continue;
    const family = value as RawFamily;
    families.set(name, {
      name,
      type: (family.type ?? 'UNTYPED').toLowerCase(),
      help: family.help ?? '',
      series: (family.metrics ?? []).map(parseSeries),
    });
  }
  const pushTime = families.get('push_time_seconds')?.series[0]?.value;
  return {
    labels: (raw.labels as Labels | undefined) ?? {},
    lastPushSeconds: pushTime === undefined || pushTime === 0 ? null : pushTime,
    lastPushSuccessful: raw.last_push_successful !== false,
    families,
  };
}

/**
 * Reads what a Pushgateway holds (`GET /api/v1/metrics`), parsed into groups.
 *
 * @example
 * const groups = await pushgatewayClient({ url: 'http://127.0.0.1:9091' }).groups();
 */
export function pushgatewayClient(options: ClientOptions): PushgatewayClient {
  const client = resolveClient('pushgateway', options);
  return {
    url: client.base,
    async groups(o = {}) {
      const { status, body } = await getJson('pushgateway', client, '/api/v1/metrics', {}, o.signal);
      const envelope = body as { status?: string; data?: Array<Record<string, unknown>>; error?: string };
      if (status !== 200 || envelope.status !== 'success' || !Array.isArray(envelope.data)) {
        const detail = envelope.error ?? `HTTP ${status}`;
        throw new QueryError(
          'VIGIL_ERR_QUERY_FAILED',
          `pushgateway /api/v1/metrics failed: ${detail}`,
          status,
          undefined,
          detail,
        );
      }
      return envelope.data.map(parseGroup);
    },
  };
}
