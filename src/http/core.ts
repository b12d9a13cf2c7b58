/**
 * What every HTTP adapter shares: bounded label values, the options, and a recorder that
 * turns "this request ended" into updates of cached series handles. The adapters only
 * find out the method, route, status and timing in their framework's way.
 *
 * Everything that can be decided when the middleware is built is decided then: which paths
 * are excluded, whether statuses are grouped, whether sizes and custom labels are recorded.
 * A request then pays one map lookup per route and one per method/status pair, one clock
 * read at each end and one histogram observation. The request counter and the in-flight
 * gauge are counted in plain numbers and added to their families when they are collected
 * (`flush`): their three updates per request cost about 2% of a small Fastify request's
 * throughput in place, ten times what they cost in a hot loop.
 */
import { type HttpServerMetrics, httpServerMetrics } from '../catalog/http.js';
import { flushBeforeCollect } from '../catalog/http-flush.js';
import type {
  CounterSeries,
  ExemplarLabels,
  GaugeSeries,
  HistogramSeries,
  LabelValue,
  Registry,
} from '../metrics/index.js';
import { VigilError } from '../metrics/index.js';
import type { FetchHeaders, IncomingHeaders, ServerSpan, ServerTracing } from '../tracing/server-span.js';

/**
 * The `performance` object, read once. Node defines the global as an accessor, and its
 * getter was a quarter of each clock read on the request path. (So fake timers installed
 * after this module loaded do not reach request durations; the metrics' own timers do
 * read the global.)
 */
const clock = globalThis.performance;

/** The adapters' clock: milliseconds, as `performance.now()`. */
export function now(): number {
  return clock.now();
}

/** The `route` of a request no route matched (404s, scans): one series, whatever the URL. */
export const UNMATCHED_ROUTE = '<unmatched>';
/** The `method` of every request whose method is not one of {@link STANDARD_METHODS}. */
export const OTHER_METHOD = 'OTHER';
/** The `status` of a status code outside 100-599. */
export const OTHER_STATUS = 'other';
/**
 * Status recorded when the client closed the connection before the application ended its
 * response (nginx's "client closed request"); with `statusGrouping` it is counted as `4xx`.
 */
export const CLIENT_CLOSED_STATUS = 499;
/** Excluded by default: the conventional metrics path, so scrapes do not count themselves. */
export const DEFAULT_EXCLUDE_PATHS: readonly string[] = Object.freeze(['/metrics']);
/** The request methods of RFC 9110 plus PATCH; any other method is recorded as {@link OTHER_METHOD}. */
export const STANDARD_METHODS = Object.freeze([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const);

const METHOD_LABELS: readonly string[] = Object.freeze([...STANDARD_METHODS, OTHER_METHOD]);
const EXACT_STATUS: readonly string[] = Object.freeze(
  Array.from({ length: 600 }, (_, code) => (code < 100 ? OTHER_STATUS : String(code))),
);
const GROUPED_STATUS: readonly string[] = Object.freeze([OTHER_STATUS, '1xx', '2xx', '3xx', '4xx', '5xx']);
/** Beyond this many distinct routes, handles are looked up per request instead of cached. */
const MAX_CACHED_ROUTES = 2_000;

/** A custom label: its value, computed from the request when the request ends. */
export type LabelFunction<Req> = (req: Req) => LabelValue | null | undefined;

export interface HttpMetricsOptions<Req> {
  /** Registry to record in; default: the default registry. */
  registry?: Registry;
  /** Duration buckets in seconds; default 5 ms to 10 s. */
  buckets?: readonly number[];
  /**
   * Requests whose path (without query string) equals one of these strings or matches one
   * of these patterns are not recorded. Default `['/metrics']`; `[]` records everything.
   */
  excludePaths?: readonly (string | RegExp)[];
  /** Record `2xx`, `4xx`, ... instead of the exact status code. Default false. */
  statusGrouping?: boolean;
  /**
   * Extra labels, by name, each computed from the request when it ends. Keep their values
   * bounded: past `maxSeries` label sets a family folds new ones into one overflow series.
   * `null`, `undefined` and a function that throws give the empty value.
   */
  customLabels?: Readonly<Record<string, LabelFunction<Req>>>;
  /**
   * Also record request sizes (from Content-Length) and response sizes (Content-Length, else
   * the body bytes counted as the application writes them: chunked and streamed bodies too).
   * Default false.
   */
  sizes?: boolean;
  /** Size buckets in bytes (with `sizes`). */
  sizeBuckets?: readonly number[];
  /** Series limit per family (default 10,000). */
  maxSeries?: number;
  /**
   * A SERVER span per request, continuing the caller's W3C `traceparent`, active while the
   * handler runs and named after the route template (`GET /users/:id`). Pass the handle of
   * `setupTracing()`, or `serverTracing(tracer)` (both from `vigil/tracing`). Default: none.
   */
  tracing?: ServerTracing;
}

/** The counter's label set, as the metric types want it. */
type CountLabels = Parameters<HttpServerMetrics<readonly string[]>['requests']['labels']>[0];

interface Handles {
  /**
   * The counter series; when batched, created by the first flush that adds to it, so that a
   * scrape never shows a new series at 0 for a request it has already counted elsewhere.
   */
  count: CounterSeries | undefined;
  labels: CountLabels;
  duration: HistogramSeries;
  requestSize: HistogramSeries | undefined;
  responseSize: HistogramSeries | undefined;
  /**
   * Requests recorded but not yet added to `count`, which happens at collect time; -1 for
   * handles that are not kept (custom labels, routes past the cache) or when the counter
   * cannot be flushed: those add to `count` at once.
   */
  pending: number;
}

/** The method's index in {@link METHOD_LABELS}: a fixed set of values, whatever the client sends. */
export function methodIndex(method: string | undefined): number {
  switch (method) {
    case 'GET':
      return 0;
    case 'HEAD':
      return 1;
    case 'POST':
      return 2;
    case 'PUT':
      return 3;
    case 'DELETE':
      return 4;
    case 'CONNECT':
      return 5;
    case 'OPTIONS':
      return 6;
    case 'TRACE':
      return 7;
    case 'PATCH':
      return 8;
    default:
      return 9;
  }
}

/** The `method` label value of a request method. */
export function methodLabel(method: string | undefined): string {
  return METHOD_LABELS[methodIndex(method)] as string;
}

/** The `status` label value of a status code: `'404'`, or `'4xx'` when grouped. */
export function statusLabel(code: number, grouped = false): string {
  return grouped ? (GROUPED_STATUS[groupedKey(code)] as string) : (EXACT_STATUS[exactKey(code)] as string);
}

function exactKey(code: number): number {
  return code >= 100 && code < 600 ? Math.trunc(code) : 0;
}

function groupedKey(code: number): number {
  return code >= 100 && code < 600 ? Math.trunc(code / 100) : 0;
}

/** The path of a request target: everything before `?`. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** A Content-Length header as a number of bytes; -1 when absent or not a length. */
export function contentLength(header: string | number | readonly string[] | null | undefined): number {
  if (typeof header === 'number') return header >= 0 ? header : -1;
  if (typeof header !== 'string' || header === '') return -1;
  const n = Number(header);
  return Number.isInteger(n) && n >= 0 ? n : -1;
}

/**
 * Records requests for one middleware instance. `begin` when a request arrives (counts it
 * in flight, returns the method index), `end` once when it is over (however it ended).
 */
export class HttpRecorder<Req> {
  /** Whether adapters should record request and response sizes. */
  readonly sizes: boolean;
  /** Tests a path against `excludePaths`; null when nothing is excluded. */
  readonly isExcluded: ((path: string) => boolean) | null;
  readonly metrics: HttpServerMetrics<readonly string[]>;
  /** Starts server spans; null without the `tracing` option (adapters check it once per request). */
  readonly tracing: ServerTracing | null;

  private readonly inFlight: (GaugeSeries | undefined)[] = new Array(METHOD_LABELS.length).fill(undefined);
  /** Requests in flight by method index, added to `inFlight` at collect time when batched. */
  private readonly active: number[] = new Array(METHOD_LABELS.length).fill(0);
  /** What `active` held when last added to `inFlight`. */
  private readonly reported: number[] = new Array(METHOD_LABELS.length).fill(0);
  /** Whether the counter and in-flight gauge are brought up to date at collect time. */
  private readonly batched: boolean;
  /** Handles whose `pending` went above 0 since the last flush: a flush visits only these. */
  private dirty: Handles[] = [];
  private readonly routes = new Map<string, Map<number, Handles>>();
  private lastKey = -1;
  private lastRoute = '';
  private lastHandles: Handles | undefined = undefined;
  private readonly statusText: readonly string[];
  private readonly statusKey: (code: number) => number;
  private readonly custom: readonly (readonly [string, LabelFunction<Req>])[] | null;

  constructor(options: HttpMetricsOptions<Req> = {}) {
    if (options === null || typeof options !== 'object') {
      throw invalidOption('options must be an object, e.g. { registry, excludePaths: ["/metrics"] }.');
    }
    this.custom = checkCustomLabels(options.customLabels);
    this.sizes = options.sizes === true;
    this.metrics = httpServerMetrics({
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.buckets === undefined ? {} : { buckets: options.buckets }),
      ...(options.sizeBuckets === undefined ? {} : { sizeBuckets: options.sizeBuckets }),
      ...(options.maxSeries === undefined ? {} : { maxSeries: options.maxSeries }),
      extraLabels: this.custom === null ? [] : this.custom.map(([name]) => name),
      sizes: this.sizes,
    });
    const grouped = options.statusGrouping === true;
    this.statusText = grouped ? GROUPED_STATUS : EXACT_STATUS;
    this.statusKey = grouped ? groupedKey : exactKey;
    this.isExcluded = excluder(options.excludePaths ?? DEFAULT_EXCLUDE_PATHS);
    this.tracing = checkTracing(options.tracing);
    this.batched = flushBeforeCollect(this.metrics, () => this.flush());
  }

  /** Starts a request's server span (with `tracing` only); the route is set when it ends. */
  startSpan(m: number, headers: IncomingHeaders | FetchHeaders, path: string): ServerSpan {
    const method = METHOD_LABELS[m] as string;
    return (this.tracing as ServerTracing).startServerSpan({ method, headers, path });
  }

  /** Counts a request in flight; pass the returned index to `end`. */
  begin(method: string | undefined): number {
    const m = methodIndex(method);
    let gauge = this.inFlight[m];
    if (gauge === undefined) {
      gauge = this.metrics.inFlight.labels({ method: METHOD_LABELS[m] as string });
      this.inFlight[m] = gauge;
    }
    if (this.batched) (this.active[m] as number)++;
    else gauge.inc();
    return m;
  }

  /**
   * Records a finished (or abandoned) request. `start` is the {@link now} of its
   * arrival; sizes are -1 when unknown. With `tracing`, `span` is the request's server span:
   * its `{trace_id, span_id}` becomes the exemplar of the count and duration (OpenMetrics
   * shows it; text 0.0.4 does not), then it is named after the route and ended with `status`.
   */
  end(
    m: number,
    route: string,
    status: number,
    start: number,
    req: Req,
    requestBytes = -1,
    responseBytes = -1,
    span: ServerSpan | null = null,
  ): void {
    const seconds = (now() - start) / 1000;
    if (this.batched) (this.active[m] as number)--;
    else (this.inFlight[m] as GaugeSeries).dec();
    const h =
      this.custom === null ? this.cached(m, route, this.statusKey(status)) : this.labelled(m, route, status, req);
    const exemplar = span === null ? undefined : (span.exemplar as ExemplarLabels | undefined);
    // An exemplar belongs to one increment: that one is added at once.
    if (h.pending < 0 || exemplar !== undefined) this.countOf(h).inc(1, exemplar);
    else if (h.pending++ === 0) this.dirty.push(h);
    h.duration.observe(seconds, exemplar);
    if (requestBytes >= 0) h.requestSize?.observe(requestBytes);
    if (responseBytes >= 0) h.responseSize?.observe(responseBytes);
    if (span !== null) {
      span.setRoute(route);
      span.end(status);
    }
  }

  private cached(m: number, route: string, sk: number): Handles {
    const key = sk * 16 + m;
    // Most requests repeat the previous one's route, method and status: two map lookups saved.
    if (key === this.lastKey && route === this.lastRoute) return this.lastHandles as Handles;
    let byKey = this.routes.get(route);
    if (byKey === undefined) {
      // A route value per URL (a getRoute callback gone wrong) must not grow this cache.
      if (this.routes.size >= MAX_CACHED_ROUTES) return this.create(m, route, sk, false);
      byKey = new Map();
      this.routes.set(route, byKey);
    }
    let h = byKey.get(key);
    if (h === undefined) {
      h = this.create(m, route, sk, true);
      byKey.set(key, h);
    }
    this.lastKey = key;
    this.lastRoute = route;
    this.lastHandles = h;
    return h;
  }

  private create(m: number, route: string, sk: number, kept: boolean): Handles {
    const labels = { method: METHOD_LABELS[m] as string, route, status: this.statusText[sk] as string };
    return this.handlesFor(labels, kept && this.batched);
  }

  /** With custom labels the values vary per request: no cache, the metrics' own lookup. */
  private labelled(m: number, route: string, status: number, req: Req): Handles {
    const labels: Record<string, LabelValue> = {
      method: METHOD_LABELS[m] as string,
      route,
      status: this.statusText[this.statusKey(status)] as string,
    };
    for (const [name, fn] of this.custom as readonly (readonly [string, LabelFunction<Req>])[]) {
      labels[name] = customValue(fn, req);
    }
    return this.handlesFor(labels, false);
  }

  /**
   * Adds the requests counted since the last collect to the counter and the in-flight
   * gauge. The catalog runs it when either family is collected (the second run of a
   * gather finds nothing to add).
   */
  private flush(): void {
    const dirty = this.dirty;
    this.dirty = [];
    for (const h of dirty) {
      this.countOf(h).inc(h.pending);
      h.pending = 0;
    }
    for (let m = 0; m < METHOD_LABELS.length; m++) {
      const delta = (this.active[m] as number) - (this.reported[m] as number);
      if (delta !== 0) {
        (this.inFlight[m] as GaugeSeries).inc(delta);
        this.reported[m] = this.active[m] as number;
      }
    }
  }

  private countOf(h: Handles): CounterSeries {
    h.count ??= this.metrics.requests.labels(h.labels);
    return h.count;
  }

  private handlesFor(labels: Record<string, LabelValue>, batched: boolean): Handles {
    // The metric types are generic over the declared labels; these objects always carry them all.
    const set = labels as unknown as CountLabels;
    const { requests, duration, requestSize, responseSize } = this.metrics;
    return {
      count: batched ? undefined : requests.labels(set),
      labels: set,
      duration: duration.labels(set),
      requestSize: requestSize?.labels(set),
      responseSize: responseSize?.labels(set),
      pending: batched ? 0 : -1,
    };
  }
}

function customValue<Req>(fn: LabelFunction<Req>, req: Req): LabelValue {
  let v: unknown;
  try {
    v = fn(req);
  } catch {
    // Recording runs when the response closes: a throw here would crash the server.
    return '';
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : '';
}

function checkCustomLabels<Req>(
  custom: HttpMetricsOptions<Req>['customLabels'],
): readonly (readonly [string, LabelFunction<Req>])[] | null {
  if (custom === undefined) return null;
  if (custom === null || typeof custom !== 'object') {
    throw invalidOption(
      'customLabels must be an object of functions, e.g. { tenant: (req) => req.headers["x-tenant"] }.',
    );
  }
  const entries = Object.entries(custom);
  for (const [name, fn] of entries) {
    if (typeof fn !== 'function') {
      throw invalidOption(`customLabels.${name} must be a function of the request that returns the label value.`);
    }
  }
  return entries.length === 0 ? null : entries;
}

function checkTracing(tracing: ServerTracing | undefined): ServerTracing | null {
  if (tracing === undefined) return null;
  if (tracing === null || typeof tracing.startServerSpan !== 'function') {
    throw invalidOption(
      'tracing must be the handle of setupTracing() or serverTracing(tracer), both from vigil/tracing.',
    );
  }
  return tracing;
}

function excluder(list: readonly (string | RegExp)[]): ((path: string) => boolean) | null {
  if (!Array.isArray(list)) {
    throw invalidOption(
      'excludePaths must be an array of paths or regular expressions, e.g. ["/metrics", /^\\/-\\//].',
    );
  }
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const p of list) {
    if (typeof p === 'string') exact.add(p);
    else if (p instanceof RegExp) patterns.push(new RegExp(p.source, p.flags.replace(/[gy]/g, '')));
    else throw invalidOption(`excludePaths holds ${typeof p}; use strings (exact paths) or regular expressions.`);
  }
  if (patterns.length === 0) {
    if (exact.size === 0) return null;
    if (exact.size === 1) {
      const only = [...exact][0] as string;
      return (path) => path === only;
    }
    return (path) => exact.has(path);
  }
  return (path) => exact.has(path) || patterns.some((re) => re.test(path));
}

export function invalidOption(message: string): VigilError {
  return new VigilError('VIGIL_ERR_INVALID_OPTION', `HTTP metrics: ${message}`);
}
