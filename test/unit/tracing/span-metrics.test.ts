import { SpanKind } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { OVERFLOW_LABEL_VALUE, Registry } from '../../../src/metrics/index.js';
import { setupTracing, spanMetricsProcessor, teardownTracing } from '../../../src/tracing/index.js';

afterEach(() => teardownTracing());

describe('spanMetricsProcessor', () => {
  it('counts spans by name, kind and status and records their duration', async () => {
    const registry = new Registry();
    const tracing = setupTracing({
      endpoint: 'memory://',
      spanProcessors: [spanMetricsProcessor({ registry, buckets: [0.001, 10] })],
      env: {},
    });
    tracing.withSpan('GET /users', () => undefined);
    tracing.withSpan('GET /users', () => undefined);
    expect(() =>
      tracing.withSpan('GET /users', () => {
        throw new Error('x');
      }),
    ).toThrow();
    tracing.tracer.startSpan('db.query', { kind: SpanKind.CLIENT }).end();

    const snapshot = await registry.snapshot();
    const spans = snapshot.find((f) => f.name === 'traces_spans_total');
    expect(spans?.series).toEqual(
      expect.arrayContaining([
        { labels: { span_name: 'GET /users', span_kind: 'internal', status_code: 'unset' }, value: 2 },
        { labels: { span_name: 'GET /users', span_kind: 'internal', status_code: 'error' }, value: 1 },
        { labels: { span_name: 'db.query', span_kind: 'client', status_code: 'unset' }, value: 1 },
      ]),
    );
    const durations = snapshot.find((f) => f.name === 'traces_span_duration_seconds');
    const users = durations?.series.find((s) => s.labels.span_name === 'GET /users') as { count: number; sum: number };
    expect(users.count).toBe(3);
    expect(users.sum).toBeGreaterThanOrEqual(0);
    expect(users.sum).toBeLessThan(10);
  });

  it('folds span names past maxSeries into the overflow series', async () => {
    const registry = new Registry();
    const tracing = setupTracing({
      endpoint: 'memory://',
      spanProcessors: [spanMetricsProcessor({ registry, maxSeries: 3 })],
      env: {},
    });
    for (let i = 0; i < 10; i++) tracing.withSpan(`span-${i}`, () => undefined);
    const snapshot = await registry.snapshot();
    const spans = snapshot.find((f) => f.name === 'traces_spans_total');
    expect(spans?.series.length).toBeLessThanOrEqual(4);
    const overflow = spans?.series.find((s) => s.labels.span_name === OVERFLOW_LABEL_VALUE) as { value: number };
    expect(overflow.value).toBe(7);
    const total = ((spans?.series ?? []) as { value: number }[]).reduce((n, s) => n + s.value, 0);
    expect(total).toBe(10);
  });
});
