import { QueryError } from '../query/index.js';
import type { ChartSeries, Labels, OverviewPanel, OverviewResponse } from './api-types.js';
import { withBand } from './band.js';
import type { ConsoleContext } from './context.js';
import type { History, HistorySeries } from './history.js';

const PANELS: readonly OverviewPanel[] = [
  'requestRate',
  'errorRate',
  'latencyP95',
  'inFlight',
  'cpu',
  'memory',
  'eventLoop',
];
const BANDED: ReadonlySet<OverviewPanel> = new Set(['requestRate', 'errorRate', 'latencyP95']);

const REQUESTS = 'http_server_requests_total';
const DURATION = 'http_server_request_duration_seconds';
const IN_FLIGHT = 'http_server_requests_in_flight';
const CPU = 'process_cpu_seconds_total';
const RSS = 'process_resident_memory_bytes';
const HEAP = 'nodejs_heap_size_used_bytes';
const LOOP_P99 = 'nodejs_eventloop_lag_p99_seconds';
const LOOP = 'nodejs_eventloop_lag_seconds';

function empty(): Record<OverviewPanel, ChartSeries[]> {
  return { requestRate: [], errorRate: [], latencyP95: [], inFlight: [], cpu: [], memory: [], eventLoop: [] };
}

/** `/api/overview`: PromQL when Prometheus is configured, else the embedded history. */
export async function overview(ctx: ConsoleContext, range: number, signal: AbortSignal): Promise<OverviewResponse> {
  const result = ctx.prometheus ? await fromPrometheus(ctx, range, signal) : fromHistory(ctx.history as History, range);
  for (const panel of BANDED) result.panels[panel] = result.panels[panel].map((s) => withBand(s));
  return result;
}

// ---- Prometheus -----------------------------------------------------------------------

async function fromPrometheus(ctx: ConsoleContext, range: number, signal: AbortSignal): Promise<OverviewResponse> {
  const prometheus = ctx.prometheus;
  if (prometheus === undefined) throw new Error('no Prometheus');
  // Not rounded down: the newest step must include the newest sample.
  const end = Date.now() / 1000;
  const start = end - range;
  const step = Math.max(1, Math.ceil(range / 240));
  const w = `${Math.max(60, 4 * step)}s`;
  const queries: Record<OverviewPanel, string> = {
    requestRate: `sum by (route) (rate(${REQUESTS}[${w}]))`,
    errorRate: `sum by (route) (rate(${REQUESTS}{status=~"5.."}[${w}])) / sum by (route) (rate(${REQUESTS}[${w}]))`,
    latencyP95: `histogram_quantile(0.95, sum by (route, le) (rate(${DURATION}_bucket[${w}])))`,
    inFlight: `sum(${IN_FLIGHT})`,
    cpu: `rate(${CPU}[${w}]) * 100`,
    memory: RSS,
    eventLoop: `${LOOP_P99} or ${LOOP}`,
  };
  const panels = empty();
  const errors: OverviewResponse['errors'] = {};
  let unreachable: QueryError | undefined;
  await Promise.all(
    PANELS.map(async (panel) => {
      try {
        const { data } = await prometheus.queryRange(queries[panel], { start, end, step, signal });
        if (data.resultType !== 'matrix') return;
        panels[panel] = data.result.map((r) => ({
          labels: r.metric,
          points: r.values.map(([t, v]) => [t, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v)),
        }));
        if (panels[panel].length === 0) errors[panel] = `no data in Prometheus for ${queries[panel]}`;
      } catch (error) {
        if (error instanceof QueryError && error.code === 'VIGIL_ERR_SOURCE_UNREACHABLE') unreachable = error;
        errors[panel] = (error as Error).message;
      }
    }),
  );
  if (unreachable !== undefined) throw unreachable;
  return { source: 'prometheus', range: { start, end, step }, panels, errors };
}

// ---- embedded -------------------------------------------------------------------------

/** Sums the series by one label (or all into one group), per sample time. */
function sumBy(
  series: readonly HistorySeries[],
  since: number,
  key: (l: Labels) => string,
): Map<string, Map<number, number>> {
  const groups = new Map<string, Map<number, number>>();
  for (const s of series) {
    const k = key(s.labels);
    let group = groups.get(k);
    if (group === undefined) {
      group = new Map();
      groups.set(k, group);
    }
    for (const [t, v] of s.points()) if (t >= since) group.set(t, (group.get(t) ?? 0) + v);
  }
  return groups;
}

/** Per-second increase between consecutive samples; a drop is a counter reset. */
function rate(points: Map<number, number>): Array<[number, number]> {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (let i = 1; i < sorted.length; i++) {
    const [t0, v0] = sorted[i - 1] as [number, number];
    const [t1, v1] = sorted[i] as [number, number];
    if (t1 > t0) out.push([t1, (v1 >= v0 ? v1 - v0 : v1) / (t1 - t0)]);
  }
  return out;
}

const sorted = (points: Map<number, number>) => [...points].sort((a, b) => a[0] - b[0]);
const routeOf = (l: Labels) => l.route ?? '';

/** Prometheus' histogram_quantile over cumulative bucket increases. */
export function bucketQuantile(q: number, buckets: Array<[number, number]>): number | undefined {
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return prevLe;
      if (count === prevCount) return le;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

function fromHistory(history: History, range: number): OverviewResponse {
  const end = Date.now() / 1000;
  const start = end - range;
  const panels = empty();
  const errors: OverviewResponse['errors'] = {};
  const missing = (panel: OverviewPanel, names: string) => {
    errors[panel] =
      `no ${names} in the registry yet (recorded every ${history.intervalSeconds} s); instrument the service with Vigil's HTTP middleware and collectors.`;
  };

  const requests = history.byName(REQUESTS).length > 0 ? history.byName(REQUESTS) : history.byName(`${DURATION}_count`);
  if (requests.length === 0) {
    missing('requestRate', REQUESTS);
    missing('errorRate', REQUESTS);
  } else {
    const total = sumBy(requests, start, routeOf);
    const failed = sumBy(
      requests.filter((s) => (s.labels.status ?? '').startsWith('5')),
      start,
      routeOf,
    );
    for (const [route, points] of total) {
      const labels: Labels = requests[0]?.labels.route === undefined ? {} : { route };
      const totalRate = rate(points);
      panels.requestRate.push({ labels, points: totalRate });
      const failedRate = new Map(rate(failed.get(route) ?? new Map()));
      panels.errorRate.push({
        labels,
        points: totalRate.filter(([, v]) => v > 0).map(([t, v]) => [t, (failedRate.get(t) ?? 0) / v]),
      });
    }
  }

  const buckets = history.byName(`${DURATION}_bucket`);
  if (buckets.length === 0) missing('latencyP95', `${DURATION}_bucket`);
  else {
    const byRoute = new Map<string, HistorySeries[]>();
    for (const s of buckets) byRoute.set(routeOf(s.labels), [...(byRoute.get(routeOf(s.labels)) ?? []), s]);
    for (const [route, series] of byRoute) {
      const perLe = sumBy(series, start, (l) => l.le ?? '+Inf');
      const increases = new Map<number, Array<[number, number]>>();
      for (const [le, points] of perLe) {
        const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
        for (const [t, perSecond] of rate(points)) {
          increases.set(t, [...(increases.get(t) ?? []), [bound, perSecond]]);
        }
      }
      const points: Array<[number, number]> = [];
      for (const [t, b] of [...increases].sort((a, c) => a[0] - c[0])) {
        const q = bucketQuantile(0.95, b);
        if (q !== undefined) points.push([t, q]);
      }
      panels.latencyP95.push({ labels: buckets[0]?.labels.route === undefined ? {} : { route }, points });
    }
  }

  const gauge = (panel: OverviewPanel, name: string, labels: Labels) => {
    const series = history.byName(name);
    if (series.length === 0) return false;
    for (const points of sumBy(series, start, () => '').values())
      panels[panel].push({ labels, points: sorted(points) });
    return true;
  };
  if (!gauge('inFlight', IN_FLIGHT, {})) missing('inFlight', IN_FLIGHT);
  const cpu = history.byName(CPU);
  if (cpu.length === 0) missing('cpu', CPU);
  else
    for (const points of sumBy(cpu, start, () => '').values()) {
      panels.cpu.push({ labels: {}, points: rate(points).map(([t, v]) => [t, v * 100]) });
    }
  const rss = gauge('memory', RSS, { kind: 'rss' });
  const heap = gauge('memory', HEAP, { kind: 'heap_used' });
  if (!rss && !heap) missing('memory', `${RSS} or ${HEAP}`);
  if (!gauge('eventLoop', LOOP_P99, { quantile: '0.99' }) && !gauge('eventLoop', LOOP, {}))
    missing('eventLoop', `${LOOP_P99} or ${LOOP}`);
  return {
    source: 'embedded',
    range: { start, end, step: history.intervalSeconds },
    panels,
    errors,
  };
}
