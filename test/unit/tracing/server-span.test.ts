import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  injectTraceHeaders,
  serverTracing,
  setupTracing,
  startServerSpan,
  type TracingHandle,
  teardownTracing,
} from '../../../src/tracing/index.js';

let tracing: TracingHandle;
beforeEach(() => {
  tracing = setupTracing({ endpoint: 'memory://', env: {} });
  tracing.resetForTesting();
});
afterAll(() => teardownTracing());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

describe('startServerSpan', () => {
  it('continues the incoming W3C trace and names the span after the route template', async () => {
    const s = startServerSpan(tracing.tracer, {
      method: 'GET',
      route: '/users/:id',
      path: '/users/42',
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, tracestate: 'vendor=x' },
    });
    await context.with(s.context, async () => {
      expect(trace.getActiveSpan()).toBe(s.span);
      tracing.withSpan('db', () => undefined);
    });
    s.end(200);
    s.end(500); // once only
    const [db, server] = tracing.getFinishedSpans();
    expect(server).toMatchObject({ name: 'GET /users/:id', kind: SpanKind.SERVER });
    expect(server?.spanContext().traceId).toBe(TRACE_ID);
    expect(server?.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(server?.parentSpanContext?.isRemote).toBe(true);
    expect(server?.spanContext().traceState?.get('vendor')).toBe('x');
    expect(server?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/users/:id',
      'url.path': '/users/42',
      'http.response.status_code': 200,
    });
    expect(server?.status.code).toBe(SpanStatusCode.UNSET);
    expect(db?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
  });

  it('starts a new trace without traceparent and marks 5xx and errors as ERROR', () => {
    const a = startServerSpan(tracing.tracer, { method: 'POST', route: '/a', headers: {} });
    a.end(503);
    const b = startServerSpan(tracing.tracer, { method: 'POST', route: '/b', headers: { traceparent: 'garbage' } });
    b.end(500, new Error('handler failed'));
    const [sa, sb] = tracing.getFinishedSpans();
    expect(sa?.parentSpanContext).toBeUndefined();
    expect(sa?.status.code).toBe(SpanStatusCode.ERROR);
    expect(sb?.parentSpanContext).toBeUndefined();
    expect(sb?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler failed' });
    expect(sb?.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('takes the route later, runs code inside the span, and reads Fetch API headers', () => {
    const s = tracing.startServerSpan({
      method: 'GET',
      path: '/users/7',
      headers: new Headers({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` }),
    });
    expect(s.run(() => trace.getActiveSpan())).toBe(s.span);
    s.setRoute('/users/:id');
    s.end(200);
    const fromTracer = serverTracing(tracing.tracer).startServerSpan({ method: 'POST', headers: {} });
    fromTracer.end(201);
    const [a, b] = tracing.getFinishedSpans();
    expect(a?.name).toBe('GET /users/:id');
    expect(a?.attributes['http.route']).toBe('/users/:id');
    expect(a?.spanContext().traceId).toBe(TRACE_ID);
    expect(a?.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(b?.name).toBe('POST');
    expect(b?.attributes['http.route']).toBeUndefined();
  });

  it('injectTraceHeaders writes the active span as traceparent', () => {
    const headers = tracing.withSpan('client', (span) => {
      const h = injectTraceHeaders({});
      expect(h.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      return h;
    });
    expect(Object.keys(headers)).toContain('traceparent');
  });
});
