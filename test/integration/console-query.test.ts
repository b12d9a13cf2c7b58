import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../src/metrics/index.js';
import { alertmanagerClient, prometheusClient, pushgatewayClient, QueryError } from '../../src/query/index.js';
import { finishRun, TestRunRecorder } from '../../src/testing/index.js';
import { type AlertmanagerHandle, startAlertmanager } from '../support/alertmanager.js';
import { requireBinary } from '../support/components.js';
import { freePort } from '../support/ports.js';
import { type ManagedProcess, spawnManaged, waitForHttpReady } from '../support/process.js';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';
import { type PushgatewayHandle, startPushgateway } from '../support/pushgateway.js';

/**
 * vigil/query against the real thing: Prometheus 2.42 and VictoriaMetrics scraping one
 * registry, Alertmanager 0.25 holding a posted alert, a Pushgateway holding a test run
 * pushed by Vigil's own recorder.
 */

async function startVictoriaMetrics(target: string): Promise<{ url: string; proc: ManagedProcess }> {
  const binary = requireBinary('/usr/bin/victoria-metrics', 'victoria-metrics');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-vm-'));
  const config = join(dir, 'scrape.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s' },
      scrape_configs: [{ job_name: 'app', static_configs: [{ targets: [target] }] }],
    }),
  );
  const port = await freePort();
  const proc = spawnManaged(
    binary,
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir, 'data')}`,
      `-promscrape.config=${config}`,
      '-search.latencyOffset=0s',
      '-search.disableCache',
    ],
    { cwd: dir, dir },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttpReady(proc, `${url}/health`, { timeoutMs: 15_000 });
  return { url, proc };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const registry = new Registry();
const requests = registry.counter({ name: 'shop_requests_total', help: 'Requests.', labelNames: ['path'] });
requests.inc({ path: '/a' }, 7);
requests.inc({ path: '/b' }, 2);
let app: Server;
let appTarget: string;
let prometheus: PrometheusHandle;
let am: AlertmanagerHandle;
let vm: { url: string; proc: ManagedProcess };
let gateway: PushgatewayHandle;

beforeAll(async () => {
  app = createServer((_req, res) => {
    void registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType() });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const address = app.address();
  appTarget = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  [am, gateway] = await Promise.all([startAlertmanager(), startPushgateway()]);
  [prometheus, vm] = await Promise.all([
    startPrometheus({
      targets: [{ job: 'app', url: `http://${appTarget}/metrics` }],
      rules: [
        JSON.stringify({
          groups: [
            {
              name: 'g',
              rules: [
                {
                  alert: 'ShopBusy',
                  expr: 'shop_requests_total{path="/a"} > 5',
                  labels: { severity: 'page' },
                  annotations: { summary: 'busy' },
                },
              ],
            },
          ],
        }),
      ],
    }),
    startVictoriaMetrics(appTarget),
  ]);
  await prometheus.waitForScrape('app');
}, 60_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), am?.stop(), vm?.proc.stop(), gateway?.stop()]);
  await new Promise((resolve) => app?.close(resolve));
});

describe('prometheusClient against Prometheus', () => {
  it('queries instant vectors, ranges, series, labels and build info with what the registry holds', async () => {
    const prom = prometheusClient({ url: prometheus.url, timeoutMs: 5000 });
    const { data } = await prom.query('shop_requests_total', { signal: AbortSignal.timeout(5000) });
    expect(data.resultType).toBe('vector');
    if (data.resultType !== 'vector') return;
    const byPath = Object.fromEntries(data.result.map((r) => [r.metric.path, r.value[1]]));
    expect(byPath).toEqual({ '/a': '7', '/b': '2' });

    const end = Date.now() / 1000;
    const range = await prom.queryRange('sum(shop_requests_total)', { start: end - 30, end, step: 1 });
    expect(range.data.resultType).toBe('matrix');
    if (range.data.resultType === 'matrix') {
      const values = range.data.result[0]?.values ?? [];
      expect(values.length).toBeGreaterThan(0);
      for (const [, v] of values) expect(v).toBe('9');
    }
    const series = await prom.series(['shop_requests_total']);
    expect(series.data.map((s) => s.path).sort()).toEqual(['/a', '/b']);
    expect(series.data[0]).toMatchObject({ __name__: 'shop_requests_total', job: 'app' });
    const labels = await prom.labels();
    expect(labels.data).toEqual(expect.arrayContaining(['__name__', 'job', 'path', 'instance']));
    const info = await prom.buildinfo();
    expect(info.data.version).toMatch(/^2\./);
  });

  it("passes Prometheus' own errorType, message and status through", async () => {
    const prom = prometheusClient({ url: prometheus.url });
    const error = await prom.query('sum(', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_QUERY_FAILED', errorType: 'bad_data', status: 400 });
    expect((error as QueryError).detail).toMatch(/parse error: unclosed left parenthesis/);
    const range = await prom.queryRange('up', { start: 100, end: 50, step: 1 }).catch((e: unknown) => e as QueryError);
    expect(range).toMatchObject({ errorType: 'bad_data' });
    expect((range as QueryError).detail).toMatch(/end timestamp must not be before start time/);
  });

  it('lists rule alerts with their state and value', async () => {
    const prom = prometheusClient({ url: prometheus.url });
    const alert = await until('a firing ShopBusy', async () => {
      const { data } = await prom.alerts();
      return data.find((a) => a.labels.alertname === 'ShopBusy' && a.state === 'firing');
    });
    expect(alert).toMatchObject({ labels: { severity: 'page' }, annotations: { summary: 'busy' }, value: '7e+00' });
  });

  it('stops on AbortSignal, and reports a closed port as unreachable', async () => {
    const prom = prometheusClient({ url: prometheus.url });
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));
    await expect(prom.query('up', { signal: controller.signal })).rejects.toThrow('caller gave up');
    const port = await freePort();
    const down = prometheusClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
    await expect(down.query('up')).rejects.toMatchObject({ code: 'VIGIL_ERR_SOURCE_UNREACHABLE' });
  });
});

describe('prometheusClient against VictoriaMetrics', () => {
  it('reads the same values through the Prometheus query API', async () => {
    const client = prometheusClient({ url: vm.url, timeoutMs: 5000 });
    const data = await until('VictoriaMetrics to scrape', async () => {
      const { data } = await client.query('shop_requests_total');
      return data.resultType === 'vector' && data.result.length === 2 ? data : undefined;
    });
    if (data.resultType !== 'vector') return;
    expect(Object.fromEntries(data.result.map((r) => [r.metric.path, Number(r.value[1])]))).toEqual({
      '/a': 7,
      '/b': 2,
    });
    const series = await client.series(['shop_requests_total']);
    expect(series.data.map((s) => s.path).sort()).toEqual(['/a', '/b']);
    const error = await client.query('sum(').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_QUERY_FAILED', status: 422 });
  });
});

describe('alertmanagerClient', () => {
  it('reads a posted alert from /api/v2/alerts and the status', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const posted = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'DiskFull', severity: 'warning', instance: 'db1' },
          annotations: { summary: 'disk' },
          startsAt,
        },
      ]),
    });
    expect(posted.status).toBe(200);
    const client = alertmanagerClient({ url: am.url });
    const alerts = await client.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      labels: { alertname: 'DiskFull', severity: 'warning', instance: 'db1' },
      annotations: { summary: 'disk' },
      status: { state: 'active' },
    });
    expect(Date.parse(alerts[0]?.startsAt ?? '')).toBe(Date.parse(startsAt));
    const status = await client.status();
    expect(status.versionInfo?.version).toBe('0.25.0');
  });
});

describe('pushgatewayClient', () => {
  it("parses the groups Vigil's test recorder pushed", async () => {
    const recorder = new TestRunRecorder({
      metadata: { branch: 'main', runner: 'ci-7', commit: 'abc', workflow: 'w' },
      testNameLabel: true,
    });
    recorder.recordTest({ file: 'test/a.test.ts', name: 'adds', outcome: 'passed', durationMs: 12 });
    recorder.recordTest({ file: 'test/a.test.ts', name: 'fails', outcome: 'failed', durationMs: 300 });
    recorder.recordTest({ file: 'test/b.test.ts', name: 'later', outcome: 'skipped', durationMs: 0 });
    recorder.recordMeasurements({ latency: { 'db.query': [3, 4, 9] } });
    const report = await finishRun(recorder, { gateway: gateway.url, job: 'unit-tests' });
    expect(report.pushed).toBe(true);

    const groups = await pushgatewayClient({ url: gateway.url }).groups();
    const group = groups.find((g) => g.labels.job === 'unit-tests');
    expect(group?.labels).toEqual({ job: 'unit-tests', branch: 'main', runner: 'ci-7' });
    expect(group?.lastPushSuccessful).toBe(true);
    expect(group?.lastPushSeconds).toBeGreaterThan(Date.now() / 1000 - 60);
    const tests = group?.families.get('vigil_tests_total');
    expect(tests?.type).toBe('counter');
    const outcome = (o: string) =>
      tests?.series.find((s) => s.labels.outcome === o && s.labels.file === 'test/a.test.ts');
    expect(outcome('passed')?.value).toBe(1);
    expect(outcome('failed')?.value).toBe(1);
    const durations = group?.families.get('vigil_test_duration_seconds');
    expect(durations?.type).toBe('histogram');
    expect(durations?.series.find((s) => s.labels.outcome === 'failed')?.sum).toBeCloseTo(0.3);
    const latency = group?.families.get('vigil_test_latency_seconds')?.series[0];
    expect(latency?.labels.operation).toBe('db.query');
    expect(latency?.quantiles?.['0.5']).toBe(0.004);
  });

  it('reports a closed port as unreachable', async () => {
    const port = await freePort();
    await expect(pushgatewayClient({ url: `http://127.0.0.1:${port}` }).groups()).rejects.toMatchObject({
      code: 'VIGIL_ERR_SOURCE_UNREACHABLE',
    });
  });
});
