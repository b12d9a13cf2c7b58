// Every dashboard query runs against a real Prometheus 2.42 that scrapes
// - a real Vigil registry with every catalog set, the process/runtime/host collectors and
//   the tracing span metrics, served by vigil/exporter (counters arrive as OpenMetrics
//   `_total` samples), with activity recorded every 100 ms;
// - a real Pushgateway (honor_labels) holding a finished test run and a batch worker's
//   metrics pushed with vigil/push, plus one push the gateway refused.
// Grafana's variables are replaced by concrete values ($job by the job, $__rate_interval by
// 1m). Each expression must run without error and return data, and the core panels
// (request rate, p95 latency, memory, event loop, tests...) must return positive numbers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from '../../src/catalog/index.js';
import { type CollectorHandle, collectDefaultMetrics } from '../../src/collectors/index.js';
import { metricsHandler } from '../../src/exporter/index.js';
import { Registry } from '../../src/metrics/index.js';
import { push, pushText } from '../../src/push/index.js';
import { parseStackConfig } from '../../src/stack/config.js';
import { dashboardExpressions, expandGrafanaVariables, grafanaFiles } from '../../src/stack/grafana/index.js';
import { TestRunRecorder } from '../../src/testing/core.js';
import { TracingStats } from '../../src/tracing/counting.js';
import { registerTracingMetrics } from '../../src/tracing/self-metrics.js';
import { spanMetricsProcessor } from '../../src/tracing/span-metrics.js';
import { type PrometheusHandle, type QueryResult, startPrometheus } from '../support/prometheus.js';
import { type PushgatewayHandle, startPushgateway } from '../support/pushgateway.js';

const APP_JOB = 'vigil-app';
const TESTS_JOB = 'vigil-tests';
const BATCH_JOB = 'vigil-batch';
/** The `$job` each dashboard is looked at with; several values are joined as Grafana does. */
const JOB_OF: Record<string, string> = {
  'test-runs': TESTS_JOB,
  pushgateway: `${TESTS_JOB}|${BATCH_JOB}`,
};
/** Panels that may rightly be empty here, and why. */
const MAY_BE_EMPTY: Record<string, string> = {
  'Active requests by type': 'a libuv request is in flight at scrape time only by chance',
};

/** Records one round of activity in every catalog set. */
function activity(registry: Registry): () => void {
  const http = httpServerMetrics({ registry, sizes: true });
  const outbound = outboundMetrics({ registry });
  const llm = llmMetrics({ registry, prices: { 'gpt-x': { input: 1, output: 2 } } });
  const agents = agentMetrics({ registry });
  const db = databaseMetrics({ registry });
  const cache = cacheMetrics({ registry });
  const jobs = jobMetrics({ registry });
  const models = modelMetrics({ registry });
  const workers = workerMetrics({ registry });
  db.setPool('primary', { size: 5, available: 3, max: 10 });
  cache.memory.set({ cache: 'sessions' }, 4096);
  jobs.inProgress.set({ type: 'send-email' }, 2);
  agents.inProgress.set({ agent: 'researcher' }, 1);
  registerTracingMetrics(registry, new TracingStats());
  const tracer = new BasicTracerProvider({ spanProcessors: [spanMetricsProcessor({ registry })] }).getTracer('test');
  let round = 0;
  return () => {
    round++;
    for (const [route, status, seconds] of [
      ['/users/:id', '200', 0.02],
      ['/users/:id', '500', 0.3],
      ['/users/:id', '404', 0.005],
      ['/health', '200', 0.001],
    ] as const) {
      const labels = { method: 'GET', route, status };
      http.requests.inc(labels);
      http.duration.observe(labels, seconds * (1 + (round % 3)));
      http.requestSize?.observe(labels, 200);
      http.responseSize?.observe(labels, 5_000 + round);
    }
    tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER }).end();
    http.inFlight.set({ method: 'GET' }, round % 4);
    outbound.record({ provider: 'stripe', endpoint: '/v1/charges' }, round % 5 === 0 ? 'error' : 'success', 0.2, {
      status: 429,
    });
    const call = llm.start({ provider: 'openai', model: 'gpt-x' });
    call.firstToken();
    call.tokens({ input: 100, output: 50 });
    if (round % 4 === 0) call.rateLimited();
    call.end('success');
    agents.record({ agent: 'researcher' }, round % 4 === 0 ? 'error' : 'success', 12);
    db.record({ operation: 'select', table: 'users' }, round % 5 === 0 ? 'error' : 'success', 0.004);
    cache.record({ cache: 'sessions', operation: 'get' }, round % 3 === 0 ? 'miss' : 'hit', 0.0003);
    cache.entries.set({ cache: 'sessions' }, 100 + round);
    cache.evictions.inc({ cache: 'sessions' });
    jobs.enqueue({ queue: 'mail', priority: 'high' });
    jobs.record({ type: 'send-email' }, 'success', 0.5);
    for (const event of ['load', 'inference', 'unload', 'error'] as const) models.record('m1', event, 0.08);
    recordWorkerRun(workers, round);
  };
}

function recordWorkerRun(workers: ReturnType<typeof workerMetrics>, round: number): void {
  workers.record({ worker: 'nightly', trigger: 'schedule' }, round % 3 === 0 ? 'error' : 'success', 30, {
    code: 'ETIMEDOUT',
  });
  workers.fileProcessed({ worker: 'nightly' }, 3);
}

/** A batch job's run, as it would push it. */
function batchRun(): Registry {
  const registry = new Registry();
  const workers = workerMetrics({ registry });
  for (let round = 0; round < 3; round++) recordWorkerRun(workers, round);
  return registry;
}

function finishedTestRun(): TestRunRecorder {
  const run = new TestRunRecorder({
    testNameLabel: true,
    metadata: { branch: 'main', commit: 'abc123', workflow: 'ci', runner: 'local' },
    warn: () => {},
  });
  run.recordTest({ file: 'test/a.test.ts', name: 'adds', outcome: 'passed', durationMs: 12, heapDeltaBytes: 2e6 });
  run.recordTest({ file: 'test/a.test.ts', name: 'slow', outcome: 'passed', durationMs: 900, heapDeltaBytes: 8e6 });
  run.recordTest({ file: 'test/b.test.ts', name: 'fails', outcome: 'failed', durationMs: 40, retries: 1 });
  run.recordMeasurements({ latency: { 'db.query': [3, 4, 9, 12] }, throughput: { 'db.query': [250] } });
  run.recordCoverage({ lines: { covered: 80, total: 100 } });
  run.finish();
  return run;
}

const jobFor = (dashboard: string) => JOB_OF[dashboard] ?? APP_JOB;

/** Numbers a query returned: vector values, the last value of each matrix series, or a scalar. */
function numbers(result: QueryResult): number[] {
  switch (result.resultType) {
    case 'vector':
      return result.result.map((s) => s.value);
    case 'matrix':
      return result.result.map((s) => s.values.at(-1)?.value ?? Number.NaN);
    case 'scalar':
      return [result.result.value];
    default:
      return [];
  }
}

describe('the generated dashboards against a real Prometheus', () => {
  const registry = new Registry();
  const record = activity(registry);
  let collectors: CollectorHandle;
  let timer: NodeJS.Timeout;
  let server: Server;
  let prometheus: PrometheusHandle;
  let pushgateway: PushgatewayHandle;
  let refusedPush: unknown;
  const files = grafanaFiles(parseStackConfig({}));
  const queries = Object.entries(files)
    .filter(([path]) => path.endsWith('.json'))
    .flatMap(([path, text]) => {
      const dashboard = path.replace(/^grafana\/dashboards\/|\.json$/g, '');
      return dashboardExpressions(text).map((q) => ({
        dashboard,
        ...q,
        promql: expandGrafanaVariables(q.expr, { job: jobFor(dashboard) }),
      }));
    });

  beforeAll(async () => {
    collectors = collectDefaultMetrics({ registry });
    record();
    timer = setInterval(record, 100);
    server = createServer(metricsHandler(registry));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    pushgateway = await startPushgateway();
    await push({ gateway: pushgateway.url, job: TESTS_JOB, registry: finishedTestRun().registry });
    await push({ gateway: pushgateway.url, job: BATCH_JOB, registry: batchRun() });
    // A type that contradicts the pushed counter: the gateway refuses it and sets push_failure_time_seconds.
    refusedPush = await pushText({
      gateway: pushgateway.url,
      job: BATCH_JOB,
      method: 'POST',
      retries: 0,
      text: '# TYPE vigil_tests_total gauge\nvigil_tests_total 1\n',
    }).then(
      () => undefined,
      (error: unknown) => error,
    );

    prometheus = await startPrometheus({
      targets: [
        { job: APP_JOB, url: `http://127.0.0.1:${port}/metrics` },
        { job: 'pushgateway', url: `${pushgateway.url}/metrics`, honorLabels: true },
      ],
    });
    await Promise.all([prometheus.waitForScrape(APP_JOB), prometheus.waitForScrape('pushgateway')]);
    // A second scrape after the first one gives every rate() two samples.
    await prometheus.waitForScrape(APP_JOB, { since: new Date(Date.now() + 100) });
  }, 40_000);

  afterAll(async () => {
    clearInterval(timer);
    collectors?.stop();
    await prometheus?.stop();
    await pushgateway?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('has the refused push it needs for the failed-push panels', () => {
    expect(refusedPush).toBeInstanceOf(Error);
  });

  it('runs every expression of every dashboard without an error, and each returns a number', async () => {
    expect(queries.length).toBeGreaterThan(100);
    const failures: string[] = [];
    const empty: string[] = [];
    for (const { dashboard, panel, promql } of queries) {
      const result = await prometheus.query(promql).catch((error: Error) => {
        failures.push(`${dashboard} "${panel}": ${promql}\n  ${error.message}`);
      });
      if (result === undefined || panel in MAY_BE_EMPTY) continue;
      if (!numbers(result).some(Number.isFinite)) empty.push(`${dashboard} "${panel}": ${promql}`);
    }
    expect(failures).toEqual([]);
    expect(empty).toEqual([]);
  });

  it.each([
    ['service-overview', 'Request rate', 'positive'],
    ['service-overview', 'Request rate by route', 'positive'],
    ['service-overview', 'Error ratio (5xx)', 'positive'],
    ['service-overview', 'p95 latency', 'positive'],
    ['service-overview', 'p95 latency by route', 'positive'],
    ['runtime', 'Resident memory', 'positive'],
    ['runtime', 'Memory', 'positive'],
    ['runtime', 'Event loop lag', 'finite'],
    ['runtime', 'CPU (cores)', 'finite'],
    ['dependencies', 'Requests by provider and endpoint', 'positive'],
    ['dependencies', 'Hit ratio by cache', 'positive'],
    ['test-runs', 'Success rate', 'positive'],
    ['test-runs', 'Tests by outcome', 'finite'],
    ['test-runs', 'Slowest tests (needs testNameLabel)', 'positive'],
    ['test-runs', 'Latency percentiles by operation', 'positive'],
    ['test-runs', 'Heap growth per test p95 by file', 'positive'],
    ['llm-agents', 'Tokens by model and type', 'positive'],
    ['llm-agents', 'Success ratio by agent', 'positive'],
    ['pushgateway', 'Groups', 'positive'],
    ['pushgateway', 'Groups whose last push failed', 'positive'],
    ['pushgateway', 'Time since the last successful run', 'positive'],
  ] as const)('%s "%s" returns data', async (dashboard, title, expected) => {
    const panel = queries.filter((q) => q.dashboard === dashboard && q.panel === title);
    expect(panel.length, `${dashboard} has a panel "${title}"`).toBeGreaterThan(0);
    for (const { promql } of panel) {
      const values = numbers(await prometheus.query(promql));
      expect(values.length, promql).toBeGreaterThan(0);
      for (const value of values) {
        expect(Number.isFinite(value), `${promql} = ${value}`).toBe(true);
        if (expected === 'positive') expect(value, promql).toBeGreaterThan(0);
      }
    }
  });
});
