import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectDefaultMetrics } from '../../src/collectors/index.js';
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
  TracesResponse,
} from '../../src/console/api-types.js';
import { type RunningConsole, startConsole } from '../../src/console/index.js';
import { instrument } from '../../src/http/node/index.js';
import { Registry } from '../../src/metrics/index.js';
import { finishRun, TestRunRecorder } from '../../src/testing/index.js';
import { type AlertmanagerHandle, startAlertmanager } from '../support/alertmanager.js';
import { freePort } from '../support/ports.js';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';
import { type PushgatewayHandle, startPushgateway } from '../support/pushgateway.js';

/**
 * Every console API route, in Prometheus mode (real Prometheus, Alertmanager, Pushgateway)
 * and in embedded mode (the registry's own history), plus sources that are down. Numbers
 * are checked against what the registry and Prometheus hold.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ORDERS = 20;
const FAILS = 5;
/** Requests per route, warm-up included. */
const TOTAL_ORDERS = ORDERS + 1;
const TOTAL_FAILS = FAILS + 1;

const registry = new Registry();
const collectors = collectDefaultMetrics({ registry });
let app: Server;
let appUrl: string;
let prometheus: PrometheusHandle;
let am: AlertmanagerHandle;
let gateway: PushgatewayHandle;
let promConsole: RunningConsole;
let embedded: RunningConsole;
let down: RunningConsole;

async function get<T>(server: RunningConsole, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as T };
}

/** The registry's current value of one counter series. */
async function registryValue(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const family = (await registry.snapshot()).find((f) => f.name === name);
  const series = family?.series.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return series && 'value' in series ? series.value : undefined;
}

beforeAll(async () => {
  app = createServer(
    instrument(
      async (req, res) => {
        if (req.url === '/metrics') {
          const text = await registry.metrics();
          res.writeHead(200, { 'content-type': registry.contentType() });
          res.end(text);
          return;
        }
        res.statusCode = req.url === '/fail' ? 500 : 200;
        res.end('x');
      },
      { registry, routes: ['/orders/:id', '/fail', '/metrics'] },
    ),
  );
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const address = app.address();
  appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  [am, gateway] = await Promise.all([startAlertmanager(), startPushgateway()]);
  // Embedded mode samples from before the traffic, so its history sees every request.
  embedded = await startConsole({
    port: 0,
    registry,
    sampleIntervalMs: 200,
    pushgatewayUrl: gateway.url,
    prometheusUrl: '',
  });
  // One request per route first: a series' first sample has no rate (as in Prometheus).
  await (await fetch(`${appUrl}/orders/0`)).text();
  await (await fetch(`${appUrl}/fail`)).text();
  await sleep(600);
  for (let i = 0; i < ORDERS; i++) await (await fetch(`${appUrl}/orders/${i}`)).text();
  for (let i = 0; i < FAILS; i++) await (await fetch(`${appUrl}/fail`)).text();
  await sleep(600);

  const recorder = new TestRunRecorder({
    metadata: { branch: 'main', runner: 'ci-7', commit: 'abc', workflow: 'w' },
    testNameLabel: true,
  });
  recorder.recordTest({ file: 'test/a.test.ts', name: 'adds', outcome: 'passed', durationMs: 12 });
  recorder.recordTest({ file: 'test/a.test.ts', name: 'slow one', outcome: 'failed', durationMs: 900 });
  recorder.recordTest({ file: 'test/b.test.ts', name: 'todo', outcome: 'skipped', durationMs: 0 });
  recorder.recordMeasurements({ latency: { 'db.query': [3, 4, 9] } });
  expect((await finishRun(recorder, { gateway: gateway.url, job: 'unit-tests' })).pushed).toBe(true);
  const posted = await fetch(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      { labels: { alertname: 'DiskFull', severity: 'warning' }, annotations: { summary: 'disk' } },
    ]),
  });
  expect(posted.status).toBe(200);

  prometheus = await startPrometheus({
    targets: [
      { job: 'app', url: `${appUrl}/metrics` },
      { job: 'pushgateway', url: `${gateway.url}/metrics`, honorLabels: true },
    ],
  });
  await prometheus.waitForScrape('pushgateway');
  // Two scrapes of the app, so rate() has two samples.
  const first = await prometheus.waitForScrape('app');
  await prometheus.waitForScrape('app', { since: new Date(Date.parse(first.lastScrape) + 1) });
  promConsole = await startConsole({
    port: 0,
    registry,
    prometheusUrl: prometheus.url,
    alertmanagerUrl: am.url,
    pushgatewayUrl: gateway.url,
  });
  const closed = await freePort();
  down = await startConsole({
    port: 0,
    registry,
    prometheusUrl: `http://127.0.0.1:${closed}`,
    alertmanagerUrl: `http://127.0.0.1:${closed}`,
    pushgatewayUrl: `http://127.0.0.1:${closed}`,
    sourceTimeoutMs: 2000,
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([promConsole?.close(), embedded?.close(), down?.close()]);
  await Promise.all([prometheus?.stop(), am?.stop(), gateway?.stop()]);
  collectors.stop();
  await new Promise((resolve) => app?.close(resolve));
});

describe('Prometheus mode', () => {
  it('/api/health reports every source reachable with its latency and the Prometheus version', async () => {
    const { status, body } = await get<HealthResponse>(promConsole, 'api/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', reasons: [], mode: 'prometheus' });
    expect(body.versions.prometheus).toMatch(/^2\.42/);
    expect(body.versions.node).toBe(process.version);
    for (const name of ['prometheus', 'alertmanager', 'pushgateway'] as const) {
      const source = body.sources.find((s) => s.name === name);
      expect(source).toMatchObject({ configured: true, reachable: true, error: null });
      expect(source?.latencyMs).toBeGreaterThan(0);
    }
    expect(body.memory.rssBytes).toBeGreaterThan(1e6);
    expect(body.uptimeSeconds).toBeGreaterThan(0);
  });

  it('/api/query and /api/query_range answer what Prometheus holds', async () => {
    const q = 'vigil_tests_total{job="unit-tests",outcome="failed"}';
    const { status, body } = await get<QueryResponse>(promConsole, `api/query?query=${encodeURIComponent(q)}`);
    expect(status).toBe(200);
    expect(body.source).toBe('prometheus');
    const held = await prometheus.queryVector(q);
    expect(body.data.resultType).toBe('vector');
    if (body.data.resultType === 'vector') {
      expect(body.data.result.map((r) => r.value[1])).toEqual(held.map((s) => s.valueText));
      expect(body.data.result[0]?.value[1]).toBe('1');
    }
    const end = Date.now() / 1000;
    const range = await get<QueryResponse>(
      promConsole,
      `api/query_range?query=${encodeURIComponent(q)}&start=${end - 30}&end=${end}&step=5s`,
    );
    expect(range.status).toBe(200);
    expect(range.body.data.resultType).toBe('matrix');
    if (range.body.data.resultType === 'matrix') {
      expect(range.body.data.result[0]?.values.every(([, v]) => v === '1')).toBe(true);
    }
  });

  it("passes Prometheus' errorType and message through for bad PromQL", async () => {
    const { status, body } = await get<ApiError>(promConsole, `api/query?query=${encodeURIComponent('sum(')}`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'VIGIL_ERR_QUERY_FAILED', errorType: 'bad_data', source: 'prometheus' });
    expect(body.error.message).toContain('unclosed left parenthesis');
    const missing = await get<ApiError>(promConsole, 'api/query');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('"query"');
  });

  it('/api/series and /api/labels come from Prometheus', async () => {
    const series = await get<SeriesResponse>(
      promConsole,
      `api/series?match[]=${encodeURIComponent('vigil_tests_total')}`,
    );
    expect(series.body.source).toBe('prometheus');
    expect(series.body.data.length).toBeGreaterThanOrEqual(2);
    expect(series.body.data.every((s) => s.__name__ === 'vigil_tests_total' && s.job === 'unit-tests')).toBe(true);
    const labels = await get<LabelsResponse>(promConsole, 'api/labels');
    expect(labels.body).toMatchObject({ source: 'prometheus' });
    expect(labels.body.data).toEqual(expect.arrayContaining(['__name__', 'outcome', 'runner']));
    expect((await get(promConsole, 'api/series')).status).toBe(400);
  });

  it('/api/overview runs PromQL: its numbers are what Prometheus answers', async () => {
    const { status, body } = await get<OverviewResponse>(promConsole, 'api/overview?range=300');
    expect(status).toBe(200);
    expect(body.source).toBe('prometheus');
    expect(body.range.end - body.range.start).toBeCloseTo(300, 6);
    const orders = body.panels.requestRate.find((s) => s.labels.route === '/orders/:id');
    const last = orders?.points.at(-1);
    expect(last).toBeDefined();
    const [t, v] = last as [number, number];
    const held = await prometheus.queryVector(
      'sum by (route) (rate(http_server_requests_total{route="/orders/:id"}[60s]))',
      t,
    );
    expect(v).toBe(held[0]?.value);
    // Memory: the app's and the Pushgateway's own resident memory, as scraped.
    expect(body.panels.memory.map((s) => s.labels.job).sort()).toEqual(['app', 'pushgateway']);
    const rss = body.panels.memory.find((s) => s.labels.job === 'app')?.points.at(-1) as [number, number];
    const rssHeld = await prometheus.queryVector('process_resident_memory_bytes{job="app"}', rss[0]);
    expect(rss[1]).toBe(rssHeld[0]?.value);
    expect(body.panels.cpu.length).toBeGreaterThan(0);
    // A panel without samples says why instead of showing zeros.
    for (const panel of ['latencyP95', 'eventLoop', 'inFlight'] as const) {
      expect(body.panels[panel].length > 0 || typeof body.errors[panel] === 'string', panel).toBe(true);
    }
  });

  it('/api/alerts reads Alertmanager', async () => {
    const { status, body } = await get<AlertsResponse>(promConsole, 'api/alerts');
    expect(status).toBe(200);
    expect(body.source).toBe('alertmanager');
    expect(body.alerts).toHaveLength(1);
    expect(body.alerts[0]).toMatchObject({
      name: 'DiskFull',
      state: 'firing',
      severity: 'warning',
      annotations: { summary: 'disk' },
    });
    expect(body.alerts[0]?.since).toBeGreaterThan(Date.now() / 1000 - 120);
  });

  it('/api/tests builds the run from the Pushgateway and its duration trend from Prometheus', async () => {
    const { status, body } = await get<TestsResponse>(promConsole, 'api/tests');
    expect(status).toBe(200);
    const run = body.runs.find((r) => r.group.job === 'unit-tests');
    expect(run).toMatchObject({
      group: { job: 'unit-tests', branch: 'main', runner: 'ci-7' },
      passed: 1,
      failed: 1,
      skipped: 1,
    });
    expect(run?.slowest[0]).toEqual({ file: 'test/a.test.ts', test: 'slow one', seconds: 0.9 });
    expect(run?.latency).toEqual([{ operation: 'db.query', p50: 0.004, p95: 0.009, p99: 0.009 }]);
    expect(run?.durationSeconds).toBeGreaterThanOrEqual(0);
    const held = await prometheus.queryVector('vigil_test_run_duration_seconds{job="unit-tests"}');
    expect(run?.durationTrend.length).toBeGreaterThan(0);
    expect(run?.durationTrend.at(-1)?.[1]).toBe(held[0]?.value);
    expect(run?.durationSeconds).toBe(held[0]?.value);
  });

  it('/api/metrics and /api/traces read the process itself', async () => {
    const metrics = await get<MetricsResponse>(promConsole, 'api/metrics?search=http_server_requests');
    const family = metrics.body.families.find((f) => f.name === 'http_server_requests_total');
    const orders = family?.series.find((s) => s.labels.route === '/orders/:id');
    expect(orders?.value).toBe(await registryValue('http_server_requests_total', { route: '/orders/:id' }));
    expect(orders?.value).toBe(TOTAL_ORDERS);
    const histogram = (await get<MetricsResponse>(promConsole, 'api/metrics?search=request_duration')).body.families[0];
    expect(histogram?.type).toBe('histogram');
    expect(histogram?.series.find((s) => s.labels.route === '/fail')).toMatchObject({
      value: null,
      count: TOTAL_FAILS,
    });
    const traces = await get<TracesResponse>(promConsole, 'api/traces');
    expect(traces.body).toMatchObject({ traces: [], store: { spans: 0, dropped: 0 } });
    expect((await get(promConsole, 'api/nothing')).status).toBe(404);
  });
});

describe('embedded mode', () => {
  it('/api/health says embedded and lists Prometheus as not configured', async () => {
    const { body } = await get<HealthResponse>(embedded, 'api/health');
    expect(body).toMatchObject({ status: 'ok', mode: 'embedded' });
    expect(body.sources.find((s) => s.name === 'prometheus')).toMatchObject({ configured: false, reachable: null });
    expect(body.sources.find((s) => s.name === 'registry')).toMatchObject({ configured: true, reachable: true });
    expect(body.versions.prometheus).toBeNull();
  });

  it('/api/query and /api/query_range answer series selectors from the history with registry values', async () => {
    const q = 'http_server_requests_total{route="/orders/:id",status="200"}';
    const { body } = await get<QueryResponse>(embedded, `api/query?query=${encodeURIComponent(q)}`);
    expect(body.source).toBe('embedded');
    const now = await registryValue('http_server_requests_total', { route: '/orders/:id', status: '200' });
    expect(now).toBe(TOTAL_ORDERS);
    if (body.data.resultType !== 'vector') throw new Error('not a vector');
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0]?.metric).toMatchObject({
      __name__: 'http_server_requests_total',
      route: '/orders/:id',
      method: 'GET',
    });
    expect(body.data.result[0]?.value[1]).toBe(String(TOTAL_ORDERS));

    const end = Date.now() / 1000;
    const range = await get<QueryResponse>(
      embedded,
      `api/query_range?query=${encodeURIComponent(q)}&start=${end - 60}&end=${end}&step=0.2`,
    );
    if (range.body.data.resultType !== 'matrix') throw new Error('not a matrix');
    const values = range.body.data.result[0]?.values ?? [];
    expect(values.length).toBeGreaterThan(3);
    // The warm-up request, then the burst (maybe sampled mid-way): whole counts that only grow.
    expect(values.at(-1)?.[1]).toBe(String(TOTAL_ORDERS));
    const counts = values.map(([, v]) => Number(v));
    expect(counts[0]).toBe(1);
    counts.forEach((c, i) => {
      expect(Number.isInteger(c)).toBe(true);
      if (i > 0) expect(c).toBeGreaterThanOrEqual(counts[i - 1] as number);
    });

    const regex = await get<QueryResponse>(
      embedded,
      `api/query?query=${encodeURIComponent('http_server_requests_total{status=~"5.."}')}`,
    );
    if (regex.body.data.resultType !== 'vector') throw new Error('not a vector');
    expect(regex.body.data.result.map((r) => [r.metric.route, r.value[1]])).toEqual([['/fail', String(TOTAL_FAILS)]]);
  });

  it('refuses PromQL beyond selectors with bad_data, saying to configure Prometheus', async () => {
    const { status, body } = await get<ApiError>(
      embedded,
      `api/query?query=${encodeURIComponent('rate(http_server_requests_total[1m])')}`,
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'VIGIL_ERR_QUERY_FAILED', errorType: 'bad_data' });
    expect(body.error.message).toMatch(/configure Prometheus/);
    const broken = await get<ApiError>(embedded, `api/query_range?query=${encodeURIComponent('up{')}`);
    expect(broken.status).toBe(400);
  });

  it('/api/series and /api/labels list the sampled series', async () => {
    const series = await get<SeriesResponse>(
      embedded,
      `api/series?match[]=${encodeURIComponent('http_server_requests_total')}`,
    );
    expect(series.body.source).toBe('embedded');
    // Prometheus' scrapes of the app's unknown path count as an unmatched route.
    expect(series.body.data.map((s) => s.route)).toEqual(expect.arrayContaining(['/fail', '/orders/:id']));
    const labels = await get<LabelsResponse>(embedded, 'api/labels');
    expect(labels.body.data).toEqual(expect.arrayContaining(['__name__', 'route', 'status', 'method', 'le']));
  });

  it('/api/overview computes rates, error ratio and p95 from the history, matching the traffic', async () => {
    const { status, body } = await get<OverviewResponse>(embedded, 'api/overview?range=60');
    expect(status).toBe(200);
    expect(body.source).toBe('embedded');
    const orders = body.panels.requestRate.find((s) => s.labels.route === '/orders/:id');
    const points = orders?.points ?? [];
    // Integrating the per-second rate over the samples gives back exactly the requests sent.
    let integral = 0;
    for (let i = 0; i < points.length; i++) {
      const previous = i === 0 ? undefined : points[i - 1];
      const [t, v] = points[i] as [number, number];
      if (previous !== undefined) integral += v * (t - previous[0]);
      else if (v > 0) throw new Error('the first rate point comes from before the window');
    }
    expect(integral).toBeCloseTo(ORDERS, 6);
    const fails = body.panels.errorRate.find((s) => s.labels.route === '/fail');
    expect(fails?.points.length).toBeGreaterThan(0);
    expect(fails?.points.every(([, v]) => v === 1)).toBe(true);
    const orderErrors = body.panels.errorRate.find((s) => s.labels.route === '/orders/:id');
    expect(orderErrors?.points.every(([, v]) => v === 0)).toBe(true);
    const p95 = body.panels.latencyP95.find((s) => s.labels.route === '/orders/:id');
    expect(p95?.points.length).toBeGreaterThan(0);
    for (const [, v] of p95?.points ?? []) expect(v).toBeGreaterThan(0);
    expect(body.panels.cpu[0]?.points.length).toBeGreaterThan(2);
    expect(body.panels.memory.map((s) => s.labels.kind).sort()).toEqual(['heap_used', 'rss']);
    expect(body.panels.inFlight[0]?.points.length).toBeGreaterThan(0);
    expect(body.errors).toEqual({});
  });

  it('/api/tests reads the Pushgateway without a trend, /api/alerts says nothing is configured', async () => {
    const tests = await get<TestsResponse>(embedded, 'api/tests');
    expect(tests.status).toBe(200);
    expect(tests.body.runs.find((r) => r.group.job === 'unit-tests')).toMatchObject({
      passed: 1,
      failed: 1,
      durationTrend: [],
    });
    const alerts = await get<ApiError>(embedded, 'api/alerts');
    expect(alerts.status).toBe(503);
    expect(alerts.body.error).toMatchObject({ code: 'VIGIL_ERR_SOURCE_UNREACHABLE', source: 'alertmanager' });
    expect(alerts.body.error.message).toMatch(/--alertmanager/);
  });
});

describe('sources down', () => {
  it('/api/health is degraded with one reason per source', async () => {
    const { status, body } = await get<HealthResponse>(down, 'api/health');
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.reasons).toHaveLength(3);
    expect(body.reasons.join('\n')).toMatch(/prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable: .*ECONNREFUSED/);
    for (const s of body.sources.filter((x) => x.name !== 'registry')) {
      expect(s).toMatchObject({ configured: true, reachable: false, latencyMs: null });
    }
    expect(body.versions.prometheus).toBeNull();
  });

  it('every source-backed route is a 503 naming the source, never empty data', async () => {
    for (const [path, source] of [
      ['api/query?query=up', 'prometheus'],
      ['api/query_range?query=up', 'prometheus'],
      ['api/series?match[]=up', 'prometheus'],
      ['api/labels', 'prometheus'],
      ['api/overview', 'prometheus'],
      ['api/alerts', 'alertmanager'],
      ['api/tests', 'pushgateway'],
    ] as const) {
      const { status, body } = await get<ApiError & Record<string, unknown>>(down, path);
      expect(status, path).toBe(503);
      expect(body.error.code, path).toBe('VIGIL_ERR_SOURCE_UNREACHABLE');
      expect(body.error.source, path).toBe(source);
      expect(body.data, path).toBeUndefined();
      expect(body.error.message, path).toMatch(/unreachable/);
    }
  });
});
