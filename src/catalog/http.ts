/**
 * The HTTP server metric set (RED: rate, errors, duration). Every middleware adapter in
 * `src/http/` records exactly these families, and dashboards and alert rules name them
 * through the constants below: change a name here and everything follows.
 */
import type { Counter, Gauge, Histogram, Registry } from '../metrics/index.js';
import { DEFAULT_BUCKETS, defaultRegistry, VigilError } from '../metrics/index.js';
import { runFlushes } from './http-flush.js';

export const HTTP_SERVER_REQUESTS_TOTAL = 'http_server_requests_total';
export const HTTP_SERVER_REQUEST_DURATION_SECONDS = 'http_server_request_duration_seconds';
export const HTTP_SERVER_REQUESTS_IN_FLIGHT = 'http_server_requests_in_flight';
export const HTTP_SERVER_REQUEST_SIZE_BYTES = 'http_server_request_size_bytes';
export const HTTP_SERVER_RESPONSE_SIZE_BYTES = 'http_server_response_size_bytes';

/** Labels of the request counter and the duration and size histograms, in this order. */
export const HTTP_SERVER_LABELS = ['method', 'route', 'status'] as const;

/** Bytes: 100 B to 10 MB, one bucket per power of ten. */
export const HTTP_SIZE_BUCKETS: readonly number[] = Object.freeze([100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]);

/** `method, route, status`, then the extra labels. */
export type HttpServerLabels<E extends readonly string[]> = readonly [...typeof HTTP_SERVER_LABELS, ...E];

export interface HttpServerMetricsOptions<E extends readonly string[] = []> {
  /** Where the metrics live; default: the default registry. */
  registry?: Registry;
  /** Duration buckets in seconds; default Prometheus' 5 ms to 10 s. */
  buckets?: readonly number[];
  /** Size buckets in bytes; default {@link HTTP_SIZE_BUCKETS}. */
  sizeBuckets?: readonly number[];
  /** Labels after `method, route, status` (e.g. `['tenant']`); their values must be bounded. */
  extraLabels?: E;
  /** Also create the request and response size histograms. Default false. */
  sizes?: boolean;
  /** Series limit of each family; label sets beyond it fold into one overflow series. */
  maxSeries?: number;
}

export interface HttpServerMetrics<E extends readonly string[] = []> {
  requests: Counter<HttpServerLabels<E>>;
  duration: Histogram<HttpServerLabels<E>>;
  inFlight: Gauge<readonly ['method']>;
  /** Present when `sizes` is true. */
  requestSize: Histogram<HttpServerLabels<E>> | undefined;
  /** Present when `sizes` is true. */
  responseSize: Histogram<HttpServerLabels<E>> | undefined;
}

/**
 * Get-or-create the HTTP server metrics in a registry. Calling it again with the same
 * options returns the same metrics; different buckets or labels for the same registry throw
 * `VIGIL_ERR_ALREADY_REGISTERED`, whose message names both definitions.
 *
 * @example
 * const http = httpServerMetrics({ registry, extraLabels: ['tenant'] });
 * http.requests.inc({ method: 'GET', route: '/users/:id', status: '200', tenant: 'acme' });
 */
export function httpServerMetrics<const E extends readonly string[] = []>(
  options: HttpServerMetricsOptions<E> = {},
): HttpServerMetrics<E> {
  const registry = options.registry ?? defaultRegistry;
  const extra = (options.extraLabels ?? []) as E;
  if (!Array.isArray(extra)) {
    throw new VigilError('VIGIL_ERR_INVALID_OPTION', 'extraLabels must be an array of label names, e.g. ["tenant"].');
  }
  for (const name of extra) {
    if ((HTTP_SERVER_LABELS as readonly string[]).includes(name)) {
      throw new VigilError(
        'VIGIL_ERR_INVALID_OPTION',
        `extra label "${name}" is one of the HTTP labels [${HTTP_SERVER_LABELS.join(', ')}]; choose another name.`,
      );
    }
  }
  const labelNames = [...HTTP_SERVER_LABELS, ...extra] as unknown as HttpServerLabels<E>;
  const limit = options.maxSeries === undefined ? {} : { maxSeries: options.maxSeries };
  const sizeBuckets = options.sizeBuckets ?? HTTP_SIZE_BUCKETS;
  const sized = (name: string, help: string) =>
    registry.histogram<HttpServerLabels<E>>({ name, help, labelNames, unit: 'bytes', buckets: sizeBuckets, ...limit });
  return {
    requests: registry.counter<HttpServerLabels<E>>({
      name: HTTP_SERVER_REQUESTS_TOTAL,
      help: 'HTTP requests served, by method, matched route template and status code.',
      labelNames,
      ...limit,
      collect: runFlushes,
    }),
    duration: registry.histogram<HttpServerLabels<E>>({
      name: HTTP_SERVER_REQUEST_DURATION_SECONDS,
      help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
      labelNames,
      unit: 'seconds',
      buckets: options.buckets ?? DEFAULT_BUCKETS,
      ...limit,
    }),
    inFlight: registry.gauge<readonly ['method']>({
      name: HTTP_SERVER_REQUESTS_IN_FLIGHT,
      help: 'HTTP requests being served right now, by method.',
      labelNames: ['method'],
      collect: runFlushes,
    }),
    requestSize:
      options.sizes === true
        ? sized(HTTP_SERVER_REQUEST_SIZE_BYTES, 'HTTP request body size from its Content-Length header, in bytes.')
        : undefined,
    responseSize:
      options.sizes === true
        ? sized(HTTP_SERVER_RESPONSE_SIZE_BYTES, 'HTTP response body size from its Content-Length header, in bytes.')
        : undefined,
  };
}
