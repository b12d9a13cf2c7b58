import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Counter, Histogram, negotiateFormat, Registry } from '../../src/metrics/index.js';
import { setupTracing, teardownTracing, withExemplars } from '../../src/tracing/index.js';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp.js';
import { freePort } from '../support/ports.js';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';
import { ADAPTERS, type RunningApp } from '../unit/http/apps.js';

/**
 * Tracing against real components: spans through the official OTLP exporters (protobuf
 * and JSON) to a receiver on 127.0.0.1, an endpoint that is down and comes back, and
 * exemplars read back from a real Prometheus with exemplar storage.
 */

afterEach(() => teardownTracing());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe.each([
  ['http/protobuf', 'application/x-protobuf'],
  ['http/json', 'application/json'],
] as const)('OTLP %s', (protocol, contentType) => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.stop());

  it('delivers spans with ids, parents, names, attributes, status, events and resource', async () => {
    const tracing = setupTracing({
      serviceName: 'conformance',
      endpoint: receiver.url,
      protocol,
      headers: { 'x-tenant': 'vigil' },
      resourceAttributes: { 'deployment.environment': 'test' },
      scheduledDelayMillis: 50,
      env: {},
    });
    expect(tracing.status().exporter).toBe(protocol === 'http/json' ? 'otlp-json' : 'otlp-proto');
    const ids = await tracing.withSpan(
      'checkout',
      async (outer) => {
        tracing.withSpan('load-cart', () => undefined, { 'cart.items': 3, 'cart.express': true, 'cart.total': 9.5 });
        await tracing
          .withSpan('charge', async () => {
            throw new Error('card declined');
          })
          .catch(() => undefined);
        const inner = tracing.tracer.startSpan('queue', { kind: SpanKind.PRODUCER });
        inner.end();
        return outer.spanContext();
      },
      { 'http.route': '/checkout' },
    );
    await tracing.forceFlush();
    const spans = await receiver.waitForSpans(4);
    expect(receiver.requests.every((r) => r.contentType.startsWith(contentType))).toBe(true);
    expect(receiver.requests[0]?.headers['x-tenant']).toBe('vigil');

    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    const outer = byName.checkout;
    expect(outer).toMatchObject({
      traceId: ids.traceId,
      spanId: ids.spanId,
      parentSpanId: '',
      kind: SpanKind.INTERNAL + 1, // OTLP numbers kinds from 1 (INTERNAL); the API from 0
      attributes: { 'http.route': '/checkout' },
      status: { code: 0 },
      scope: 'vigil',
    });
    expect(outer?.resource).toMatchObject({
      'service.name': 'conformance',
      'deployment.environment': 'test',
      'telemetry.sdk.language': 'nodejs',
    });
    expect(byName['load-cart']).toMatchObject({
      traceId: ids.traceId,
      parentSpanId: ids.spanId,
      attributes: { 'cart.items': 3, 'cart.express': true, 'cart.total': 9.5 },
    });
    expect(byName.charge).toMatchObject({
      traceId: ids.traceId,
      parentSpanId: ids.spanId,
      status: { code: SpanStatusCode.ERROR, message: 'card declined' },
    });
    expect(byName.charge?.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.type': 'Error', 'exception.message': 'card declined' },
    });
    expect(byName.queue).toMatchObject({ parentSpanId: ids.spanId, kind: SpanKind.PRODUCER + 1 });

    expect(tracing.status()).toMatchObject({
      degraded: false,
      spansStarted: 4,
      spansExported: 4,
      spansDropped: 0,
      lastExportError: undefined,
    });
  });
});

describe('OTLP endpoint down, then back', () => {
  it('keeps running, bounds the queue, counts drops, degrades, and recovers on its own', async () => {
    const port = await freePort();
    const registry = new Registry();
    const tracing = setupTracing({
      endpoint: `http://127.0.0.1:${port}/v1/traces`,
      maxQueueSize: 50,
      maxExportBatchSize: 10,
      scheduledDelayMillis: 20,
      exportTimeoutMillis: 300,
      registry,
      env: {},
    });

    // A tight loop outruns the queue: it holds at most 50 spans, the rest are counted.
    for (let i = 0; i < 500; i++) tracing.withSpan('burst', () => i);
    let status = tracing.status();
    expect(status.spansStarted).toBe(500);
    expect(status.queued).toBeLessThanOrEqual(50);
    expect(status.droppedQueueFull).toBeGreaterThanOrEqual(440);

    // Exports to a closed port fail: degraded with the reason, and the app goes on.
    await until(() => tracing.status().degraded, 10_000, 'degraded');
    status = tracing.status();
    expect(status.degradationReason).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*failed`));
    expect(status.lastExportError).toMatch(/ECONNREFUSED|connect|failed/i);
    expect(tracing.withSpan('still-working', () => 'yes')).toBe('yes');
    // A flush while down resolves; the failure is in status(), not a rejection.
    await expect(tracing.forceFlush()).resolves.toBeUndefined();

    // Everything that left the queue is accounted for.
    await until(() => tracing.status().queued === 0, 20_000, 'queue drained');
    await sleep(400); // the last in-flight export settles
    status = tracing.status();
    expect(status.spansExported).toBe(0);
    expect(status.droppedQueueFull + status.droppedExportFailed).toBe(status.spansStarted);
    const metrics = await registry.metrics('text');
    expect(metrics).toContain(`vigil_spans_dropped_total{reason="queue_full"} ${status.droppedQueueFull}\n`);
    expect(metrics).toContain(`vigil_spans_dropped_total{reason="export_failed"} ${status.droppedExportFailed}\n`);
    expect(metrics).toContain('vigil_tracing_degraded 1\n');

    // The endpoint comes back: the next export succeeds and clears degraded without any call.
    const receiver = await startOtlpReceiver(port);
    try {
      tracing.withSpan('after-recovery', () => undefined);
      await until(() => !tracing.status().degraded, 10_000, 'recovered');
      const spans = await receiver.waitForSpans(1);
      expect(spans.map((s) => s.name)).toContain('after-recovery');
      expect(tracing.status()).toMatchObject({ degraded: false, degradationReason: undefined });
      expect(tracing.status().spansExported).toBeGreaterThanOrEqual(1);
      expect(tracing.status().lastExportError).toBeDefined(); // history is kept
      expect(await registry.metrics('text')).toContain('vigil_tracing_degraded 0\n');
    } finally {
      await receiver.stop();
    }
  }, 60_000);
});

describe('OTLP endpoint that accepts but never answers', () => {
  it('times the export out, degrades with the reason, and keeps span calls fast', async () => {
    const sockets = new Set<Socket>();
    const hanging = createServer(() => {
      // Reads the request, never answers.
    });
    hanging.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => hanging.listen({ host: '127.0.0.1', port: 0 }, r));
    const address = hanging.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const tracing = setupTracing({
        endpoint: `http://127.0.0.1:${address.port}/v1/traces`,
        maxQueueSize: 100,
        maxExportBatchSize: 10,
        scheduledDelayMillis: 20,
        exportTimeoutMillis: 300,
        env: {},
      });
      const start = performance.now();
      for (let i = 0; i < 1000; i++) tracing.withSpan('slow-backend', () => i);
      expect(performance.now() - start).toBeLessThan(2000);
      expect(tracing.status().queued).toBeLessThanOrEqual(100);
      await until(() => tracing.status().degraded, 10_000, 'degraded');
      expect(tracing.status().degradationReason).toMatch(/timeout|timed out/i);
      expect(tracing.status().spansExported).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => hanging.close(r));
    }
  }, 30_000);
});

describe('exemplars in a real Prometheus', () => {
  let prometheus: PrometheusHandle;
  let server: Server;
  const registry = new Registry();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const format = negotiateFormat(req.headers.accept);
      registry.metrics(format).then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType(format) }).end(body),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    prometheus = await startPrometheus({
      targets: [{ job: 'traced', url: `http://127.0.0.1:${address.port}/metrics` }],
      extraArgs: ['--enable-feature=exemplar-storage'],
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((r) => server?.close(r));
  });

  it('stores the trace_id and span_id of counter and histogram updates made inside spans', async () => {
    const tracing = setupTracing({ endpoint: 'memory://', env: {} });
    const jobs = withExemplars(new Counter({ name: 'traced_jobs_total', help: 'Jobs.', registers: [registry] }));
    const latency = withExemplars(
      new Histogram({ name: 'traced_job_seconds', help: 'Job latency.', buckets: [0.1, 1], registers: [registry] }),
    );
    const start = new Date(Date.now() - 60_000);
    const ids = tracing.withSpan('job', (span) => {
      jobs.inc();
      latency.observe(0.25);
      return span.spanContext();
    });

    const text = await registry.metrics('openmetrics');
    expect(text).toContain(`traced_jobs_total 1 # {trace_id="${ids.traceId}",span_id="${ids.spanId}"} 1 `);

    await prometheus.waitForScrape('traced');
    const end = new Date(Date.now() + 60_000);
    const counter = await prometheus.queryExemplars('traced_jobs_total', start, end);
    expect(counter).toHaveLength(1);
    expect(counter[0]?.exemplars[0]).toMatchObject({
      labels: { trace_id: ids.traceId, span_id: ids.spanId },
      value: 1,
    });
    const buckets = await prometheus.queryExemplars('traced_job_seconds_bucket', start, end);
    const bucket = buckets.find((s) => s.seriesLabels.le === '1.0' || s.seriesLabels.le === '1');
    expect(bucket?.exemplars[0]).toMatchObject({
      labels: { trace_id: ids.traceId, span_id: ids.spanId },
      value: 0.25,
    });
  });

  it('stores the server span of each HTTP middleware as exemplar of its request counter and duration', async () => {
    const tracing = setupTracing({ endpoint: 'memory://', env: {} });
    // The adapters record into the served registry, each on its own route.
    const routes = {
      node: '/users/:id',
      express: '/orgs/:org/repos/:repo',
      fastify: '/api/items/:item',
      hono: '/healthz',
      'hono-app': '/slow',
    };
    const paths = {
      node: '/users/7',
      express: '/orgs/a/repos/b',
      fastify: '/api/items/7',
      hono: '/healthz',
      'hono-app': '/slow',
    };
    const apps: RunningApp[] = [];
    const start = new Date(Date.now() - 60_000);
    try {
      for (const kit of ADAPTERS) {
        const app = await kit.start({ registry, tracing }, { slow: async () => {} }, true);
        apps.push(app);
        expect(await app.request('GET', paths[kit.name])).toBe(200);
      }
      const serverSpans = () => tracing.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
      await until(() => serverSpans().length === ADAPTERS.length, 3_000, 'a server span per adapter');
      const byRoute = new Map(serverSpans().map((s) => [s.attributes['http.route'], s.spanContext()]));

      await prometheus.waitForScrape('traced', { since: new Date() });
      const end = new Date(Date.now() + 60_000);
      const counters = await prometheus.queryExemplars('http_server_requests_total', start, end);
      const buckets = await prometheus.queryExemplars('http_server_request_duration_seconds_bucket', start, end);
      for (const kit of ADAPTERS) {
        const route = routes[kit.name];
        const ids = byRoute.get(route);
        expect(ids, kit.name).toBeDefined();
        const labels = { trace_id: ids?.traceId, span_id: ids?.spanId };
        const counter = counters.filter((s) => s.seriesLabels.route === route);
        expect(counter, kit.name).toHaveLength(1);
        expect(counter[0]?.seriesLabels).toMatchObject({ method: 'GET', status: '200' });
        expect(counter[0]?.exemplars, kit.name).toEqual([expect.objectContaining({ labels, value: 1 })]);
        const bucket = buckets.filter((s) => s.seriesLabels.route === route);
        expect(bucket, kit.name).toHaveLength(1);
        const seconds = bucket[0]?.exemplars[0]?.value as number;
        expect(bucket[0]?.exemplars[0]?.labels, kit.name).toEqual(labels);
        expect(seconds).toBeGreaterThan(0);
        expect(seconds).toBeLessThanOrEqual(Number(bucket[0]?.seriesLabels.le));
      }
    } finally {
      for (const app of apps) await app.close();
    }
  }, 40_000);
});
