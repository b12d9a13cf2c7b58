// One real Prometheus scrapes four apps (node:http, Express, Fastify, Hono), each
// instrumented with Vigil's adapter and serving its own registry at /metrics. The test sends
// a known number of requests to known routes and 100 random unknown URLs; PromQL must
// return exactly those counts per route and status, and nothing for the random URLs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsHandler } from '../../src/exporter/index.js';
import { UNMATCHED_ROUTE } from '../../src/http/core.js';
import { Registry } from '../../src/metrics/index.js';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';
import { checkMetrics, PROMTOOL_OK } from '../support/promtool.js';
import { ADAPTERS, type AdapterName, type RunningApp } from '../unit/http/apps.js';
import { randomSegment, seeded } from '../unit/http/helpers.js';

interface Target {
  name: AdapterName;
  registry: Registry;
  app: RunningApp;
}

/** Requests per known route: [method, path for request i, route template, status, count]. */
const KNOWN: readonly [string, (i: number) => string, string, number, number][] = [
  ['GET', (i) => `/users/${i}`, '/users/:id', 200, 7],
  ['POST', () => '/users', '/users', 201, 3],
  ['DELETE', (i) => `/users/${100 + i}`, '/users/:id', 204, 2],
  ['GET', (i) => `/orgs/org${i}/repos/repo${i}`, '/orgs/:org/repos/:repo', 200, 4],
  ['GET', (i) => `/api/items/${i}?page=${i}`, '/api/items/:item', 200, 5],
  ['GET', () => '/boom', '/boom', 500, 2],
];
const RANDOM_URLS = 100;
/** Every random URL starts with this, so a query can look for any trace of them. */
const RANDOM_MARK = 'zq';

function expectedCounts(extraUsers = 0): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [method, , route, status, n] of KNOWN) {
    const key = `${method} ${route} ${status}`;
    out[key] = (out[key] ?? 0) + n;
  }
  out['GET /users/:id 200'] = (out['GET /users/:id 200'] ?? 0) + extraUsers;
  out[`GET ${UNMATCHED_ROUTE} 404`] = RANDOM_URLS;
  return out;
}

function byLabels(samples: { metric: Record<string, string>; value: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) out[`${s.metric.method} ${s.metric.route} ${s.metric.status}`] = s.value;
  return out;
}

describe('HTTP middleware scraped by a real Prometheus', () => {
  const targets: Target[] = [];
  let prometheus: PrometheusHandle;

  beforeAll(async () => {
    for (const kit of ADAPTERS) {
      const registry = new Registry();
      const app = await kit.start({ registry }, { slow: async () => {}, metrics: metricsHandler(registry) }, true);
      targets.push({ name: kit.name, registry, app });
    }
    prometheus = await startPrometheus({
      targets: targets.map((t) => ({ job: t.name, url: `${t.app.url}/metrics`, scrapeInterval: '1s' })),
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    for (const t of targets) await t.app.close();
  });

  it('exposes exactly the requests sent, per route and status, and no series for random URLs', async () => {
    const random = seeded(20_240_601);
    await Promise.all(
      targets.map(async ({ app }) => {
        for (const [method, path, , status, n] of KNOWN) {
          for (let i = 0; i < n; i++) {
            const init = method === 'POST' ? { body: 'hello' } : {};
            expect(await app.request(method, path(i), init)).toBe(status);
          }
        }
        for (let i = 0; i < RANDOM_URLS; i++) {
          const url = `/${RANDOM_MARK}${randomSegment(random)}/${randomSegment(random)}?${randomSegment(random)}=1`;
          expect(await app.request('GET', url)).toBe(404);
        }
      }),
    );
    const since = new Date();
    await Promise.all(targets.map((t) => prometheus.waitForScrape(t.name, { since })));

    for (const { name } of targets) {
      const requests = await prometheus.queryVector(`http_server_requests_total{job="${name}"}`);
      expect(byLabels(requests), name).toEqual(expectedCounts());
      const durations = await prometheus.queryVector(`http_server_request_duration_seconds_count{job="${name}"}`);
      expect(byLabels(durations), name).toEqual(expectedCounts());
      const inFlight = await prometheus.queryVector(`http_server_requests_in_flight{job="${name}"}`);
      expect(inFlight.length, name).toBeGreaterThan(0);
      for (const s of inFlight) expect(s.value, `${name} in flight ${s.metric.method}`).toBe(0);
      // Not one label value anywhere carries a random URL.
      const traces = await prometheus.queryVector(
        `{job="${name}", __name__=~"http_server_.+", route=~".*${RANDOM_MARK}.*"}`,
      );
      expect(traces, name).toEqual([]);
      // Every series belongs to one of the 7 expected label sets (two on /users/:id), each
      // a counter and a histogram (buckets, _sum, _count).
      const series = await prometheus.queryVector(
        `count by (route) ({job="${name}", __name__=~"http_server_requests_total|http_server_request_duration_seconds_.+"})`,
      );
      const perRoute = Object.fromEntries(series.map((s) => [s.metric.route, s.value]));
      const perSeries = 1 + 12 + 2; // _total, 11 buckets and +Inf, _sum, _count
      expect(perRoute, name).toEqual({
        '/users/:id': 2 * perSeries,
        '/users': perSeries,
        '/orgs/:org/repos/:repo': perSeries,
        '/api/items/:item': perSeries,
        '/boom': perSeries,
        [UNMATCHED_ROUTE]: perSeries,
      });
    }
  });

  it('follows new requests on the next scrape', async () => {
    await Promise.all(
      targets.map(async ({ app }) => {
        for (let i = 0; i < 5; i++) expect(await app.request('GET', `/users/again-${i}`)).toBe(200);
      }),
    );
    const since = new Date();
    await Promise.all(targets.map((t) => prometheus.waitForScrape(t.name, { since })));
    const all = await prometheus.queryVector(
      'sum by (job) (http_server_requests_total{route="/users/:id", status="200"})',
    );
    expect(Object.fromEntries(all.map((s) => [s.metric.job, s.value]))).toEqual({
      node: 12,
      express: 12,
      fastify: 12,
      hono: 12,
      'hono-app': 12,
    });
    for (const { name } of targets) {
      const requests = await prometheus.queryVector(`http_server_requests_total{job="${name}"}`);
      expect(byLabels(requests), name).toEqual(expectedCounts(5));
    }
  });

  it('writes an exposition promtool accepts without lint problems', async () => {
    for (const { name, registry } of targets) {
      const result = await checkMetrics(await registry.metrics());
      expect(result.code, `${name}: ${result.stdout}${result.stderr}`).toBe(PROMTOOL_OK);
    }
  });
});
