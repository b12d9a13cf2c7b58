import { constants, type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { type Family, type HistogramSeries, type ValuePoint, VigilError } from '../metrics/index.js';
import { gauge, gauges, LabelTexts, prefixed } from './families.js';
import { type CollectorContext, type CollectorHandle, type CollectorOptions, install } from './install.js';

/** Node runtime metric names, as prom-client writes them. */
export const RUNTIME_METRICS = {
  eventLoopLag: 'nodejs_eventloop_lag_seconds',
  eventLoopLagMin: 'nodejs_eventloop_lag_min_seconds',
  eventLoopLagMax: 'nodejs_eventloop_lag_max_seconds',
  eventLoopLagMean: 'nodejs_eventloop_lag_mean_seconds',
  eventLoopLagStddev: 'nodejs_eventloop_lag_stddev_seconds',
  eventLoopLagP50: 'nodejs_eventloop_lag_p50_seconds',
  eventLoopLagP90: 'nodejs_eventloop_lag_p90_seconds',
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  eventLoopUtilization: 'nodejs_eventloop_utilization',
  gcDuration: 'nodejs_gc_duration_seconds',
  heapSpaceTotal: 'nodejs_heap_space_size_total_bytes',
  heapSpaceUsed: 'nodejs_heap_space_size_used_bytes',
  heapSpaceAvailable: 'nodejs_heap_space_size_available_bytes',
  heapTotal: 'nodejs_heap_size_total_bytes',
  heapUsed: 'nodejs_heap_size_used_bytes',
  externalMemory: 'nodejs_external_memory_bytes',
  activeResources: 'nodejs_active_resources',
  activeResourcesTotal: 'nodejs_active_resources_total',
  activeHandles: 'nodejs_active_handles',
  activeHandlesTotal: 'nodejs_active_handles_total',
  activeRequests: 'nodejs_active_requests',
  activeRequestsTotal: 'nodejs_active_requests_total',
  versionInfo: 'nodejs_version_info',
} as const;

/** prom-client's GC buckets, in seconds. */
export const DEFAULT_GC_BUCKETS: readonly number[] = [0.001, 0.01, 0.1, 1, 2, 5];

/** What to collect; every part is on unless set to false. */
export interface RuntimeSettings {
  /** Event-loop delay quantiles (monitorEventLoopDelay), scrape-time lag and utilization. */
  eventLoop?: boolean;
  /** GC pause histogram by kind (a PerformanceObserver on 'gc'). */
  gc?: boolean;
  /** V8 heap spaces, heap size and external memory. */
  heap?: boolean;
  /** Active resources, handles and requests by type (process.getActiveResourcesInfo). */
  resources?: boolean;
  /** nodejs_version_info. */
  version?: boolean;
  gcBuckets?: readonly number[];
  /** Sampling resolution of the event-loop delay histogram. Default 10 ms. */
  eventLoopResolutionMs?: number;
}

export type RuntimeOptions = CollectorOptions & RuntimeSettings;

/** libuv requests (as opposed to handles), by the type names getActiveResourcesInfo reports. */
const REQUEST_TYPE = /(?:Req|ReqWrap|ReqCallback|ReqPromise|WriteWrap|ShutdownWrap|ConnectWrap|SendWrap)$/;

const GC_KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Event loop, GC, V8 heap, active resources and version of this Node process.
 *
 * - `nodejs_eventloop_lag_seconds`: the delay of a setImmediate scheduled at scrape time;
 *   `nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`: the delay histogram
 *   since the previous scrape (it is reset at each scrape, as prom-client does).
 * - `nodejs_eventloop_utilization`: the share of time the loop was busy since the previous
 *   scrape (0..1). Two scrapers of one process each see their share of the interval.
 * - `nodejs_active_requests{type}`: resources whose type is a libuv request (`FSReqCallback`,
 *   `GetAddrInfoReqWrap`, `WriteWrap`...); `nodejs_active_handles{type}`: the others,
 *   timers included; `nodejs_active_resources{type}`: all of them.
 *
 * @example
 * const handle = collectRuntimeMetrics({ registry, gc: false });
 */
export function collectRuntimeMetrics(options: RuntimeOptions = {}): CollectorHandle {
  return install('runtime', options, (ctx) => {
    const n = prefixed(RUNTIME_METRICS, ctx.prefix);
    const parts: (() => Family[] | Promise<Family[]>)[] = [];
    const stops: (() => void)[] = [];
    const resolution = checkResolution(options.eventLoopResolutionMs ?? 10);
    // First: the one step that can throw (a conflicting histogram), before anything starts.
    if (options.gc !== false) stops.push(gc(ctx, n.gcDuration, options.gcBuckets ?? DEFAULT_GC_BUCKETS));
    if (options.heap !== false) parts.push(heap(n));
    if (options.resources !== false) parts.push(resources(n));
    if (options.version !== false) {
      const info = versionInfo(n.versionInfo);
      parts.push(() => info);
    }
    // Last: its setImmediate must not show among the active resources just counted.
    if (options.eventLoop !== false) {
      const loop = eventLoop(n, resolution);
      parts.push(loop.collect);
      stops.push(loop.stop);
    }
    return {
      sources: [],
      collector: {
        collect() {
          const out: Family[] = [];
          let pending: Promise<Family[]> | undefined;
          for (const part of parts) {
            const r = part();
            if (r instanceof Promise) pending = r;
            else out.push(...r);
          }
          return pending === undefined ? out : pending.then((more) => [...out, ...more]);
        },
      },
      stop() {
        for (const stop of stops) stop();
      },
    };
  });
}

type Names = typeof RUNTIME_METRICS;

function checkResolution(resolutionMs: number): number {
  if (!Number.isInteger(resolutionMs) || resolutionMs < 1) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_OPTION',
      `eventLoopResolutionMs must be a whole number of milliseconds >= 1, got ${String(resolutionMs)}.`,
    );
  }
  return resolutionMs;
}

function eventLoop(n: Names, resolutionMs: number) {
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  // min, max, mean, stddev, p50, p90, p99 in seconds; kept while no sample came in.
  let stats = [0, 0, 0, 0, 0, 0, 0];
  let lastUse = performance.eventLoopUtilization();
  const collect = (): Promise<Family[]> => {
    if (delay.count > 0) {
      stats = [
        delay.min,
        delay.max,
        delay.mean,
        delay.stddev,
        delay.percentile(50),
        delay.percentile(90),
        delay.percentile(99),
      ].map((ns) => ns / 1e9);
      delay.reset();
    }
    const use = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(use, lastUse).utilization;
    lastUse = use;
    const [min, max, mean, stddev, p50, p90, p99] = stats as [number, number, number, number, number, number, number];
    const families: Family[] = [
      gauge(n.eventLoopLagMin, 'The minimum recorded event loop delay.', min),
      gauge(n.eventLoopLagMax, 'The maximum recorded event loop delay.', max),
      gauge(n.eventLoopLagMean, 'The mean of the recorded event loop delays.', mean),
      gauge(n.eventLoopLagStddev, 'The standard deviation of the recorded event loop delays.', stddev),
      gauge(n.eventLoopLagP50, 'The 50th percentile of the recorded event loop delays.', p50),
      gauge(n.eventLoopLagP90, 'The 90th percentile of the recorded event loop delays.', p90),
      gauge(n.eventLoopLagP99, 'The 99th percentile of the recorded event loop delays.', p99),
      gauge(
        n.eventLoopUtilization,
        'Share of time the event loop was busy since the previous scrape (0 to 1).',
        Number.isFinite(utilization) ? utilization : 0,
      ),
    ];
    const start = performance.now();
    return new Promise((resolve) => {
      setImmediate(() => {
        const lag = (performance.now() - start) / 1000;
        families.unshift(gauge(n.eventLoopLag, 'Lag of event loop in seconds.', lag));
        resolve(families);
      });
    });
  };
  return { collect, stop: () => delay.disable() };
}

function gc(ctx: CollectorContext, name: string, buckets: readonly number[]): () => void {
  const histogram = ctx.registry.histogram({
    name,
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    buckets,
  });
  const byKind = new Map<number, HistogramSeries>();
  for (const [kind, label] of Object.entries(GC_KINDS)) byKind.set(Number(kind), histogram.labels({ kind: label }));
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } | null }).detail?.kind;
      const series = kind === undefined ? undefined : byKind.get(kind);
      series?.observe(entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    if (ctx.registry.getSingleMetric(name) === histogram) ctx.registry.removeSingleMetric(name);
  };
}

function heap(n: Names): () => Family[] {
  const spaces = new LabelTexts();
  return () => {
    const total: ValuePoint[] = [];
    const used: ValuePoint[] = [];
    const available: ValuePoint[] = [];
    for (const s of getHeapSpaceStatistics()) {
      const labelText = spaces.get(s.space_name, () => ({ space: s.space_name.replace(/_space$/, '') }));
      total.push({ labelText, value: s.space_size });
      used.push({ labelText, value: s.space_used_size });
      available.push({ labelText, value: s.space_available_size });
    }
    const h = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
    return [
      gauges(n.heapSpaceTotal, 'Process heap space size total from Node.js in bytes.', ['space'], total),
      gauges(n.heapSpaceUsed, 'Process heap space size used from Node.js in bytes.', ['space'], used),
      gauges(n.heapSpaceAvailable, 'Process heap space size available from Node.js in bytes.', ['space'], available),
      gauge(n.heapTotal, 'Process heap size from Node.js in bytes.', h.total_heap_size),
      gauge(n.heapUsed, 'Process heap size used from Node.js in bytes.', h.used_heap_size),
      gauge(
        n.externalMemory,
        'Node.js external memory size in bytes.',
        h.external_memory ?? process.memoryUsage().external,
      ),
    ];
  };
}

function resources(n: Names): () => Family[] {
  const types = new LabelTexts();
  return () => {
    const counts = new Map<string, number>();
    for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
    const all: ValuePoint[] = [];
    const handles: ValuePoint[] = [];
    const requests: ValuePoint[] = [];
    let handleCount = 0;
    let requestCount = 0;
    for (const [type, value] of counts) {
      const point = { labelText: types.get(type, () => ({ type })), value };
      all.push(point);
      if (REQUEST_TYPE.test(type)) {
        requests.push(point);
        requestCount += value;
      } else {
        handles.push(point);
        handleCount += value;
      }
    }
    const help = 'Number of active resources keeping the event loop alive, by type.';
    return [
      gauges(n.activeResources, help, ['type'], all),
      gauge(n.activeResourcesTotal, 'Total number of active resources.', handleCount + requestCount),
      gauges(n.activeHandles, 'Number of active libuv handles (timers included), by type.', ['type'], handles),
      gauge(n.activeHandlesTotal, 'Total number of active handles.', handleCount),
      gauges(n.activeRequests, 'Number of active libuv requests, by type.', ['type'], requests),
      gauge(n.activeRequestsTotal, 'Total number of active requests.', requestCount),
    ];
  };
}

function versionInfo(name: string): Family[] {
  const [major = '', minor = '', patch = ''] = process.versions.node.split('.');
  const labelText = new LabelTexts().get('', () => ({ version: process.version, major, minor, patch }));
  return [gauges(name, 'Node.js version info.', ['version', 'major', 'minor', 'patch'], [{ labelText, value: 1 }])];
}
