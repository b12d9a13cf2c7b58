// A real Prometheus 2.42 scrapes a rich Vigil registry in both formats, and every sample,
// label value, metadata entry and exemplar it stores is exactly what the model of the
// registry (rich-registry.ts) says. One server, two paths, one Prometheus:
// - /metrics/text always answers text 0.0.4, whatever the Accept header (Prometheus
//   prefers OpenMetrics, so negotiation alone would never exercise its text parser);
// - /metrics/openmetrics always answers OpenMetrics 1.0, gzipped when Prometheus allows it.
// The two jobs (`job` label) keep the two copies of the registry apart in Prometheus.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsGzip, CONTENT_TYPE_OPENMETRICS, CONTENT_TYPE_TEXT } from '../../src/metrics/index.js';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';
import { buildRichRegistry, type Format, type Labels } from './rich-registry.js';

const JOBS: Record<Format, string> = { text: 'vigil_text', openmetrics: 'vigil_openmetrics' };
const SELECTOR = '__name__=~"conf_.*"';

/** A series as Prometheus stores it: empty label values are no labels at all. */
function stored(labels: Labels, job: string, instance: string): Labels {
  const out: Labels = { job, instance };
  for (const [name, value] of Object.entries(labels)) if (value !== '') out[name] = value;
  return out;
}

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
const byKey = <T extends { labels: Labels }>(a: T, b: T) => (key(a.labels) < key(b.labels) ? -1 : 1);

describe('Prometheus 2.42 scrapes Vigil', () => {
  const rich = buildRichRegistry();
  let server: Server;
  let prometheus: PrometheusHandle;
  let instance: string;
  const requests: { path: string; headers: IncomingHttpHeaders; gzip: boolean }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const format: Format | undefined =
        req.url === '/metrics/text' ? 'text' : req.url === '/metrics/openmetrics' ? 'openmetrics' : undefined;
      if (format === undefined) {
        res.writeHead(404).end();
        return;
      }
      const gzip = format === 'openmetrics' && acceptsGzip(req.headers['accept-encoding']);
      requests.push({ path: req.url as string, headers: req.headers, gzip });
      rich.registry.metrics(format).then(
        (body) => {
          const headers: Record<string, string> = {
            'Content-Type': format === 'text' ? CONTENT_TYPE_TEXT : CONTENT_TYPE_OPENMETRICS,
          };
          if (gzip) headers['Content-Encoding'] = 'gzip';
          res.writeHead(200, headers).end(gzip ? gzipSync(body) : body);
        },
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = `127.0.0.1:${port}`;
    prometheus = await startPrometheus({
      targets: [
        { job: JOBS.text, url: `http://${instance}/metrics/text` },
        { job: JOBS.openmetrics, url: `http://${instance}/metrics/openmetrics` },
      ],
      extraArgs: ['--enable-feature=exemplar-storage'],
    });
    await Promise.all(Object.values(JOBS).map((job) => prometheus.waitForScrape(job, { timeoutMs: 30_000 })));
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('reports both targets up, with no scrape error', async () => {
    const targets = await prometheus.targets();
    expect(targets.map((t) => [t.scrapePool, t.health, t.lastError, t.scrapeUrl]).sort()).toEqual([
      [JOBS.openmetrics, 'up', '', `http://${instance}/metrics/openmetrics`],
      [JOBS.text, 'up', '', `http://${instance}/metrics/text`],
    ]);
    // Prometheus asked for OpenMetrics first on both paths; the text path answered text anyway.
    for (const r of requests) expect(r.headers.accept).toMatch(/^application\/openmetrics-text;version=1\.0\.0,/);
    expect(requests.some((r) => r.path === '/metrics/text')).toBe(true);
    expect(requests.some((r) => r.path === '/metrics/openmetrics' && r.gzip)).toBe(true);
  });

  for (const format of ['text', 'openmetrics'] as const) {
    it(`stores every ${format} sample with its exact labels and value`, async () => {
      const job = JOBS[format];
      const got = (await prometheus.queryVector(`{${SELECTOR},job="${job}"}`)).map((s) => ({
        labels: s.metric,
        value: s.value,
      }));
      const want = rich
        .expected(format)
        .flatMap((f) => f.samples)
        .map((s) => ({ labels: stored({ __name__: s.name, ...s.labels }, job, instance), value: s.value }));
      expect(want.length).toBeGreaterThan(100);
      expect(got.sort(byKey)).toEqual(want.sort(byKey));
    });

    it(`stores the ${format} metadata: type, help with its escapes, unit`, async () => {
      const url = new URL('/api/v1/targets/metadata', prometheus.url);
      url.searchParams.set('match_target', `{job="${JOBS[format]}"}`);
      const body = (await (await fetch(url)).json()) as {
        status: string;
        data: { metric: string; type: string; help: string; unit: string }[];
      };
      expect(body.status).toBe('success');
      const got = body.data
        .filter((m) => m.metric.startsWith('conf_'))
        .map(({ metric, type, help, unit }) => ({ metric, type, help, unit }))
        .sort((a, b) => (a.metric < b.metric ? -1 : 1));
      const want = rich
        .expected(format)
        .map((f) => ({ metric: f.name, type: f.type, help: f.help, unit: f.unit }))
        .sort((a, b) => (a.metric < b.metric ? -1 : 1));
      expect(got).toEqual(want);
    });
  }

  it('stores the OpenMetrics exemplars with their labels and values, and none from text', async () => {
    const now = Date.now() / 1000;
    const series = await prometheus.queryExemplars(`{${SELECTOR},job="${JOBS.openmetrics}"}`, now - 600, now + 60);
    const got = series
      .map((s) => ({
        labels: s.seriesLabels,
        exemplars: s.exemplars.map((e) => ({ labels: e.labels, value: e.value })),
        timestamps: s.exemplars.map((e) => e.timestamp),
      }))
      .sort(byKey);
    const want = rich
      .expected('openmetrics')
      .flatMap((f) => f.samples)
      .flatMap((s) => (s.exemplar === null ? [] : [s]))
      .map((s) => ({
        labels: stored({ __name__: s.name, ...s.labels }, JOBS.openmetrics, instance),
        exemplars: [s.exemplar],
      }))
      .sort(byKey);
    expect(want).toHaveLength(5);
    expect(got.map(({ labels, exemplars }) => ({ labels, exemplars }))).toEqual(want);
    for (const t of got.flatMap((s) => s.timestamps)) {
      expect(t).toBeGreaterThanOrEqual(Math.floor(rich.startedMs) / 1000);
      expect(t).toBeLessThanOrEqual(rich.finishedMs / 1000);
    }

    const text = await prometheus.queryExemplars(`{${SELECTOR},job="${JOBS.text}"}`, now - 600, now + 60);
    expect(text).toEqual([]);
  });
});
