/**
 * The console's JSON API: what the backend (src/console/server) answers and the web page
 * (src/console/web) reads. Times are Unix seconds unless a name says `Ms`.
 * Every non-2xx answer is an ApiError; a source that is down is a 503 with code
 * VIGIL_ERR_SOURCE_UNREACHABLE, never an empty result.
 */

export interface ApiError {
  error: {
    code: string;
    message: string;
    /** Which source failed, when one did. */
    source?: SourceName;
    /** Prometheus' own error type (`bad_data`, `execution`, ...), passed through. */
    errorType?: string;
  };
}

export type SourceName = 'prometheus' | 'alertmanager' | 'pushgateway' | 'registry';

export interface SourceStatus {
  name: SourceName;
  /** null for the in-process registry. */
  url: string | null;
  configured: boolean;
  /** null when not configured. */
  reachable: boolean | null;
  latencyMs: number | null;
  /** Why it is unreachable, in words. */
  error: string | null;
}

/** GET /api/health */
export interface HealthResponse {
  status: 'ok' | 'degraded';
  /** Why degraded: one line per unreachable configured source. */
  reasons: string[];
  /** 'prometheus' when a Prometheus (or VictoriaMetrics) URL is configured, else 'embedded'. */
  mode: 'prometheus' | 'embedded';
  uptimeSeconds: number;
  cpuPercent: number;
  memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number };
  eventLoopDelaySeconds: { p50: number; p99: number; max: number };
  versions: { vigil: string; node: string; prometheus: string | null };
  sources: SourceStatus[];
}

export type Labels = Record<string, string>;

/** GET /api/metrics?search=text: the local registry, as it is now. */
export interface MetricsResponse {
  families: Array<{
    name: string;
    type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';
    help: string;
    unit: string;
    series: Array<{
      labels: Labels;
      /** counter/gauge value; null for histograms and summaries. */
      value: number | null;
      count?: number;
      sum?: number;
    }>;
  }>;
}

/** Prometheus' query result, passed through (`/api/query`, `/api/query_range`). */
export type QueryData =
  | { resultType: 'vector'; result: Array<{ metric: Labels; value: [number, string] }> }
  | { resultType: 'matrix'; result: Array<{ metric: Labels; values: Array<[number, string]> }> }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

/**
 * GET /api/query?query=&time= and /api/query_range?query=&start=&end=&step=.
 * source 'embedded' answers series selectors (`name{label="v"}`) from the in-memory
 * history; other PromQL there is a 400 that says to configure Prometheus.
 */
export interface QueryResponse {
  source: 'prometheus' | 'embedded';
  data: QueryData;
  warnings?: string[];
}

/** A line on a chart; `band` and `outside` are set when an anomaly band applies. */
export interface ChartSeries {
  labels: Labels;
  points: Array<[number, number]>;
  band?: { lower: Array<[number, number]>; upper: Array<[number, number]> };
  /** Timestamps of points outside the band. */
  outside?: number[];
}

export type OverviewPanel = 'requestRate' | 'errorRate' | 'latencyP95' | 'inFlight' | 'cpu' | 'memory' | 'eventLoop';

/** GET /api/overview?range=seconds (default 900): the overview page's charts in one call. */
export interface OverviewResponse {
  source: 'prometheus' | 'embedded';
  range: { start: number; end: number; step: number };
  panels: Record<OverviewPanel, ChartSeries[]>;
  /** Panels that could not be computed, and why (the rest still render). */
  errors: Partial<Record<OverviewPanel, string>>;
}

/** GET /api/series?match[]=&start=&end= */
export interface SeriesResponse {
  source: 'prometheus' | 'embedded';
  data: Labels[];
}

/** GET /api/labels */
export interface LabelsResponse {
  source: 'prometheus' | 'embedded';
  data: string[];
}

export interface Alert {
  name: string;
  state: 'firing' | 'pending' | 'suppressed' | 'inactive';
  severity: string | null;
  labels: Labels;
  annotations: Labels;
  /** When it started (Alertmanager startsAt, Prometheus activeAt), Unix seconds. */
  since: number | null;
  value: string | null;
}

/** GET /api/alerts: Alertmanager v2 when configured, else Prometheus /api/v1/alerts. */
export interface AlertsResponse {
  source: 'alertmanager' | 'prometheus';
  alerts: Alert[];
}

export type SpanStatus = 'ok' | 'error' | 'unset';

export interface TraceSummary {
  traceId: string;
  rootName: string;
  service: string;
  startTimeMs: number;
  durationMs: number;
  spanCount: number;
  status: SpanStatus;
}

/** GET /api/traces?service=&name=&minDurationMs=&status=&limit= (newest first) */
export interface TracesResponse {
  traces: TraceSummary[];
  /** What the span store holds and drops. */
  store: { spans: number; traces: number; maxSpans: number; maxAgeSeconds: number; dropped: number };
}

export interface SpanView {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  service: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  startTimeMs: number;
  durationMs: number;
  status: SpanStatus;
  statusMessage: string | null;
  attributes: Record<string, string | number | boolean | Array<string | number | boolean>>;
  events: Array<{ name: string; timeMs: number; attributes: Record<string, unknown> }>;
}

/** GET /api/traces/:traceId (404 ApiError when unknown): spans ordered by start time. */
export interface TraceResponse {
  traceId: string;
  spans: SpanView[];
}

export interface TestRun {
  /** The Pushgateway group's labels (job, instance, ...). */
  group: Labels;
  lastPushSeconds: number | null;
  passed: number;
  failed: number;
  skipped: number;
  durationSeconds: number | null;
  /** Slowest test cases, slowest first. */
  slowest: Array<{ file: string; test: string; seconds: number }>;
  /** In-test latency percentiles per operation (vigil_test_latency_seconds). */
  latency: Array<{ operation: string; p50: number | null; p95: number | null; p99: number | null }>;
  heapGrowthBytes: number | null;
  /** Earlier durations of this group from Prometheus, when one is configured. */
  durationTrend: Array<[number, number]>;
}

/** GET /api/tests: the latest runs from the Pushgateway's /api/v1/metrics. */
export interface TestsResponse {
  source: 'pushgateway';
  runs: TestRun[];
  /** Added by the backend: why a duration trend could not be read from Prometheus (the runs still show). */
  warnings?: string[];
}
