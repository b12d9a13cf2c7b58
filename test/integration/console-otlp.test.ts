import { gzipSync } from 'node:zlib';
import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceResponse, TracesResponse } from '../../src/console/api-types.js';
import { consoleSpanProcessor, type RunningConsole, SpanStore, startConsole } from '../../src/console/index.js';
import { Registry } from '../../src/metrics/index.js';

/**
 * The console's OTLP/HTTP receiver fed by the official OpenTelemetry exporters (protobuf
 * and JSON, plain and gzip); the traces API shows what they sent, as a tree.
 */
let server: RunningConsole;

beforeAll(async () => {
  server = await startConsole({
    port: 0,
    registry: new Registry(),
    sampleIntervalMs: 60_000,
    maxOtlpBodyBytes: 64 * 1024,
  });
});
afterAll(async () => {
  await server?.close();
});

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as T };
}

/** Sends one trace (root → child → grandchild, the child failing) through `exporter`. */
async function sendTrace(exporter: SpanExporter, service: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('console-otlp-test');
  const root = tracer.startSpan('GET /orders', {
    kind: 1,
    attributes: { 'http.route': '/orders', 'http.status_code': 200 },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const child: Span = tracer.startSpan('db.query', { kind: 2, attributes: { 'db.rows': 3, cached: false } }, inRoot);
  child.addEvent('retry', { attempt: 2 });
  const grandchild = tracer.startSpan('pool.acquire', {}, trace.setSpan(inRoot, child));
  await new Promise((r) => setTimeout(r, 20));
  grandchild.end();
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock' });
  child.end();
  root.setStatus({ code: SpanStatusCode.OK });
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

async function checkTree(traceId: string, service: string): Promise<void> {
  const list = await get<TracesResponse>(`api/traces?service=${service}`);
  expect(list.status).toBe(200);
  const summary = list.body.traces.find((t) => t.traceId === traceId);
  expect(summary).toMatchObject({ rootName: 'GET /orders', service, spanCount: 3, status: 'error' });
  expect(summary?.durationMs).toBeGreaterThanOrEqual(15);

  const one = await get<TraceResponse>(`api/traces/${traceId}`);
  expect(one.status).toBe(200);
  const [root, child, grandchild] = one.body.spans;
  expect(root).toMatchObject({ name: 'GET /orders', parentSpanId: null, kind: 'server', status: 'ok', service });
  expect(root?.attributes).toEqual({ 'http.route': '/orders', 'http.status_code': 200 });
  expect(child).toMatchObject({ name: 'db.query', parentSpanId: root?.spanId, kind: 'client', status: 'error' });
  expect(child?.statusMessage).toBe('deadlock');
  expect(child?.attributes).toEqual({ 'db.rows': 3, cached: false });
  expect(child?.events).toMatchObject([{ name: 'retry', attributes: { attempt: 2 } }]);
  expect(grandchild).toMatchObject({ name: 'pool.acquire', parentSpanId: child?.spanId, kind: 'internal' });
  expect(grandchild?.durationMs).toBeGreaterThanOrEqual(15);
  expect(Math.abs((root?.startTimeMs ?? 0) - Date.now())).toBeLessThan(10_000);
}

describe('OTLP receiver with the official exporters', () => {
  it('takes protobuf from @opentelemetry/exporter-trace-otlp-proto', async () => {
    const id = await sendTrace(new ProtoExporter({ url: `${server.url}v1/traces` }), 'proto-svc');
    await checkTree(id, 'proto-svc');
  });

  it('takes JSON from @opentelemetry/exporter-trace-otlp-http', async () => {
    const id = await sendTrace(new JsonExporter({ url: `${server.url}v1/traces` }), 'json-svc');
    await checkTree(id, 'json-svc');
  });

  it('takes gzip-compressed bodies from both', async () => {
    const a = await sendTrace(
      new ProtoExporter({ url: `${server.url}v1/traces`, compression: 'gzip' as never }),
      'gz-proto',
    );
    const b = await sendTrace(
      new JsonExporter({ url: `${server.url}v1/traces`, compression: 'gzip' as never }),
      'gz-json',
    );
    await checkTree(a, 'gz-proto');
    await checkTree(b, 'gz-json');
  });

  it('filters traces by service, name, minimum duration and status', async () => {
    const byName = await get<TracesResponse>('api/traces?name=pool.acquire');
    expect(byName.body.traces.length).toBeGreaterThanOrEqual(2);
    const none = await get<TracesResponse>('api/traces?name=no-such-span');
    expect(none.body.traces).toEqual([]);
    const slow = await get<TracesResponse>('api/traces?minDurationMs=60000');
    expect(slow.body.traces).toEqual([]);
    const ok = await get<TracesResponse>('api/traces?status=ok');
    expect(ok.body.traces).toEqual([]);
    const errors = await get<TracesResponse>('api/traces?status=error&limit=1');
    expect(errors.body.traces).toHaveLength(1);
    expect((await get('api/traces?status=bad')).status).toBe(400);
    expect((await get('api/traces/0123456789abcdef0123456789abcdef')).status).toBe(404);
  });

  it('answers 415, 413 and 400 for what is not OTLP', async () => {
    const post = (body: string | Buffer, headers: Record<string, string>) =>
      fetch(`${server.url}v1/traces`, { method: 'POST', body, headers, signal: AbortSignal.timeout(5000) });
    const text = await post('hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { code: string } }).error.code).toBe('VIGIL_ERR_OTLP_PAYLOAD');
    const big = await post(Buffer.alloc(100 * 1024, 1), { 'content-type': 'application/x-protobuf' });
    expect(big.status).toBe(413);
    // A small gzip body that inflates past the limit is refused too.
    const bomb = await post(gzipSync(Buffer.alloc(1024 * 1024, 0x20)), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(bomb.status).toBe(413);
    const garbage = await post(Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]), {
      'content-type': 'application/x-protobuf',
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { message: string } }).error.message).toMatch(/protobuf/);
    const badJson = await post('{"resourceSpans":', { 'content-type': 'application/json' });
    expect(badJson.status).toBe(400);
    const wrongShape = await post('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x"}]}]}]}', {
      'content-type': 'application/json',
    });
    expect(wrongShape.status).toBe(400);
    expect((await fetch(`${server.url}v1/traces`)).status).toBe(405);
  });
});

describe('span store limits', () => {
  it('drops the oldest spans beyond the count limit', async () => {
    const small = await startConsole({ port: 0, registry: new Registry(), maxSpans: 4, sampleIntervalMs: 60_000 });
    try {
      const exporter = () => new ProtoExporter({ url: `${small.url}v1/traces` });
      const first = await sendTrace(exporter(), 'limit');
      const second = await sendTrace(exporter(), 'limit');
      const res = await fetch(`${small.url}api/traces`);
      const body = (await res.json()) as TracesResponse;
      expect(body.store).toMatchObject({ spans: 4, maxSpans: 4, dropped: 2 });
      // The first trace lost its two oldest spans (root ended last, so it stays); the second is whole.
      const ids = body.traces.map((t) => [t.traceId, t.spanCount]);
      expect(ids).toContainEqual([second, 3]);
      expect(ids).toContainEqual([first, 1]);
    } finally {
      await small.close();
    }
  });

  it('drops spans older than the age limit', async () => {
    const store = new SpanStore({ maxSpans: 100, maxAgeSeconds: 0.3 });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'in-process' }),
      spanProcessors: [consoleSpanProcessor(store)],
    });
    provider.getTracer('t').startSpan('old').end();
    expect(store.stats()).toMatchObject({ spans: 1, traces: 1 });
    expect(store.list()[0]).toMatchObject({ rootName: 'old', service: 'in-process', spanCount: 1 });
    await new Promise((r) => setTimeout(r, 400));
    provider.getTracer('t').startSpan('new').end();
    expect(store.stats()).toMatchObject({ spans: 1, dropped: 1 });
    expect(store.list().map((t) => t.rootName)).toEqual(['new']);
    await provider.shutdown();
  });
});
