/**
 * The sample names Vigil really exports, derived from the code that exports them: every
 * catalog set, the collectors, the test recorder and the tracing metrics are instantiated
 * in a scratch registry and their families expanded to the names Prometheus stores. A
 * renamed metric therefore breaks the dashboard and rule lint at once, with no list to keep.
 */
import {
  agentMetrics,
  cacheMetrics,
  databaseMetrics,
  httpServerMetrics,
  jobMetrics,
  llmMetrics,
  modelMetrics,
  outboundMetrics,
  workerMetrics,
} from '../catalog/index.js';
import { collectDefaultMetrics, HOST_METRICS, PROCESS_METRICS, RUNTIME_METRICS } from '../collectors/index.js';
import { SCRAPE_ERRORS_METRIC } from '../exporter/scrape.js';
import { type Collector, type Family, type MetricType, OVERFLOW_METRIC, Registry } from '../metrics/index.js';
import { TestRunRecorder } from '../testing/core.js';
import { TracingStats } from '../tracing/counting.js';
import { tracingFamilies } from '../tracing/self-metrics.js';
import { spanMetricsProcessor } from '../tracing/span-metrics.js';

/** Series other components write next to Vigil's: Prometheus per target and for alerts, the Pushgateway per group. */
export const EXTERNAL_METRIC_NAMES: readonly string[] = Object.freeze([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
  'push_time_seconds',
  'push_failure_time_seconds',
]);

/** The names Prometheus stores for one family (OpenMetrics: counters as `_total`). */
export function sampleNamesOf(name: string, type: MetricType | Family['type']): string[] {
  switch (type) {
    case 'counter': {
      const base = name.endsWith('_total') ? name.slice(0, -6) : name;
      return [`${base}_total`, `${base}_created`];
    }
    case 'gauge':
      return [name];
    case 'histogram':
      return [`${name}_bucket`, `${name}_sum`, `${name}_count`, `${name}_created`];
    default:
      return [name, `${name}_sum`, `${name}_count`, `${name}_created`];
  }
}

/** A registry that also keeps the collectors registered in it, to read their families synchronously. */
class RecordingRegistry extends Registry {
  readonly collectorList: Collector[] = [];
  override registerCollector(name: string, collector: Collector): void {
    super.registerCollector(name, collector);
    this.collectorList.push(collector);
  }
}

let cached: ReadonlySet<string> | undefined;

/**
 * Every sample name Vigil exports, plus Prometheus' and the Pushgateway's own series and
 * `extra` (recording-rule names, say). Counters appear as `_total` and `_created`, never
 * bare; histograms as `_bucket`, `_sum`, `_count`; summaries as the name, `_sum`, `_count`.
 *
 * @example
 * const known = knownMetricNames(['job:http_server_requests:rate5m']);
 * lintPromQL('rate(http_server_requests_total[5m])', known); // []
 */
export function knownMetricNames(extra: Iterable<string> = []): Set<string> {
  cached ??= deriveNames();
  return new Set([...cached, ...EXTERNAL_METRIC_NAMES, ...extra]);
}

function deriveNames(): ReadonlySet<string> {
  const names = new Set<string>();
  const add = (name: string, type: MetricType | Family['type']) => {
    for (const sample of sampleNamesOf(name, type)) names.add(sample);
  };

  const registry = new RecordingRegistry();
  httpServerMetrics({ registry, sizes: true });
  outboundMetrics({ registry });
  llmMetrics({ registry });
  agentMetrics({ registry });
  databaseMetrics({ registry });
  cacheMetrics({ registry });
  jobMetrics({ registry });
  modelMetrics({ registry });
  workerMetrics({ registry });
  spanMetricsProcessor({ registry });
  registry.counter({ name: SCRAPE_ERRORS_METRIC, help: 'Scrape errors.', labelNames: ['collector'] });
  add(OVERFLOW_METRIC, 'counter');
  for (const family of tracingFamilies(new TracingStats())) add(family.name, family.type);

  const registered = new Set<string>();
  const collectors = collectDefaultMetrics({ registry });
  try {
    for (const collector of registry.collectorList) {
      const families = collector.collect();
      // Parts that answer asynchronously (event loop, file systems) are covered by the name tables below.
      if (Array.isArray(families)) for (const family of families) add(family.name, family.type);
      else Promise.resolve(families).catch(() => {});
    }
    for (const metric of registry.getMetrics()) {
      registered.add(metric.name);
      add(metric.name, metric.type);
    }
  } finally {
    collectors.stop();
  }
  // Collector families are gauges and counters named in full (`..._total`), so each name is a sample name;
  // the one registered metric among them (the GC histogram) was expanded above.
  for (const name of [
    ...Object.values(PROCESS_METRICS),
    ...Object.values(RUNTIME_METRICS),
    ...Object.values(HOST_METRICS),
  ]) {
    if (!registered.has(name)) names.add(name);
  }

  for (const family of testRunFamilies()) add(family.name, family.type);
  return names;
}

/** A finished test run with one of everything, so every family of the recorder shows. */
function testRunFamilies(): Family[] {
  const run = new TestRunRecorder({
    testNameLabel: true,
    metadata: { branch: 'main', commit: '0', workflow: 'ci', runner: 'local' },
    warn: () => {},
    startedAt: 0,
  });
  const captured: Collector[] = [];
  // The recorder adds its measurement collector at finish(); keep it to read its families synchronously.
  const register = run.registry.registerCollector.bind(run.registry);
  run.registry.registerCollector = (name, collector) => {
    register(name, collector);
    captured.push(collector);
  };
  run.recordTest({
    file: 'a.test.ts',
    name: 'a',
    outcome: 'passed',
    durationMs: 1,
    retries: 1,
    flaky: true,
    heapDeltaBytes: 1,
  });
  run.recordMeasurements({ latency: { op: [1] }, throughput: { op: [1] }, values: [{ name: 'v', value: 1 }] });
  run.recordCoverage({ lines: { covered: 1, total: 1 } });
  run.finish(1);
  const families: Family[] = run.registry
    .getMetrics()
    .map((metric) => ({ name: metric.name, type: metric.type }) as Family);
  for (const collector of captured) {
    const collected = collector.collect();
    if (Array.isArray(collected)) families.push(...collected);
  }
  return families;
}
