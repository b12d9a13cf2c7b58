import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from '../../../src/metrics/index.js';
import {
  exemplarFromActiveSpan,
  setupTracing,
  type TracingHandle,
  teardownTracing,
  withExemplars,
} from '../../../src/tracing/index.js';

let tracing: TracingHandle;
let registry: Registry;

beforeEach(() => {
  tracing = setupTracing({ endpoint: 'memory://', env: {} });
  tracing.resetForTesting();
  registry = new Registry();
});
afterAll(() => teardownTracing());

const exemplarOf = (text: string, line: string): string | undefined =>
  text
    .split('\n')
    .find((l) => l.startsWith(line))
    ?.split(' # ')[1];

describe('exemplarFromActiveSpan', () => {
  it('is undefined outside a span', () => {
    expect(exemplarFromActiveSpan()).toBeUndefined();
  });

  it('gives the ids of the active sampled span', () => {
    const ids = tracing.withSpan('s', (span) => [span.spanContext(), exemplarFromActiveSpan()] as const);
    expect(ids[1]).toEqual({ trace_id: ids[0].traceId, span_id: ids[0].spanId });
    expect(ids[1]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[1]?.span_id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is undefined for an unsampled span (nothing to link to)', () => {
    const unsampled = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 });
    context.with(trace.setSpan(context.active(), unsampled), () => {
      expect(exemplarFromActiveSpan()).toBeUndefined();
    });
  });
});

describe('withExemplars', () => {
  it('adds trace_id and span_id to counter increments inside a span, in OpenMetrics output', async () => {
    const jobs = withExemplars(new Counter({ name: 'jobs_total', help: 'Jobs.', registers: [registry] }));
    expect(jobs).toBeInstanceOf(Counter);
    const ids = tracing.withSpan('job', (span) => {
      jobs.inc();
      return span.spanContext();
    });
    const text = await registry.metrics('openmetrics');
    expect(exemplarOf(text, 'jobs_total ')).toMatch(
      new RegExp(`^\\{trace_id="${ids.traceId}",span_id="${ids.spanId}"\\} 1 \\d+(\\.\\d+)?$`),
    );
    // Text 0.0.4 has no exemplars.
    expect(await registry.metrics('text')).not.toContain('trace_id');
  });

  it('leaves increments outside a span without exemplar', async () => {
    const jobs = withExemplars(new Counter({ name: 'idle_total', help: 'Idle.', registers: [registry] }));
    jobs.inc(2);
    expect(jobs.get()).toBe(2);
    expect(await registry.metrics('openmetrics')).not.toContain('trace_id');
  });

  it('works for labelled counters, label handles, and keeps an explicit exemplar', async () => {
    const calls = withExemplars(
      new Counter({ name: 'calls_total', help: 'Calls.', labelNames: ['api'], registers: [registry] }),
    );
    const b = calls.labels({ api: 'b' });
    const ids = tracing.withSpan('call', (span) => {
      calls.inc({ api: 'a' });
      b.inc(3);
      calls.inc({ api: 'c' }, 1, { request_id: 'r1' });
      return span.spanContext();
    });
    expect(calls.get({ api: 'b' })).toBe(3);
    const text = await registry.metrics('openmetrics');
    expect(exemplarOf(text, 'calls_total{api="a"}')).toContain(`trace_id="${ids.traceId}"`);
    expect(exemplarOf(text, 'calls_total{api="b"}')).toMatch(new RegExp(`span_id="${ids.spanId}"\\} 3 `));
    expect(exemplarOf(text, 'calls_total{api="c"}')).toMatch(/^\{request_id="r1"\} 1 /);
  });

  it('adds exemplars to histogram buckets: observe, labels(), startTimer and time', async () => {
    const h = withExemplars(
      new Histogram({
        name: 'work_seconds',
        help: 'Work.',
        labelNames: ['kind'],
        buckets: [0.1, 1, 10],
        registers: [registry],
      }),
    );
    const ids = await tracing.withSpan('work', async (span) => {
      h.observe({ kind: 'observe' }, 0.05);
      h.labels({ kind: 'handle' }).observe(5);
      h.startTimer({ kind: 'timer' })();
      await h.time({ kind: 'time' }, async () => undefined);
      return span.spanContext();
    });
    const text = await registry.metrics('openmetrics');
    expect(exemplarOf(text, 'work_seconds_bucket{kind="observe",le="0.1"}')).toContain(`trace_id="${ids.traceId}"`);
    expect(exemplarOf(text, 'work_seconds_bucket{kind="handle",le="10.0"}')).toContain(`span_id="${ids.spanId}"`);
    expect(exemplarOf(text, 'work_seconds_bucket{kind="timer",le="0.1"}')).toContain(`trace_id="${ids.traceId}"`);
    expect(exemplarOf(text, 'work_seconds_bucket{kind="time",le="0.1"}')).toContain(`trace_id="${ids.traceId}"`);
  });

  it('wraps an unlabelled histogram and returns the same wrapper twice', async () => {
    const raw = new Histogram({ name: 'plain_seconds', help: 'Plain.', buckets: [1], registers: [registry] });
    const h = withExemplars(raw);
    expect(withExemplars(raw)).toBe(h);
    const ids = tracing.withSpan('p', (span) => {
      h.observe(0.5);
      return span.spanContext();
    });
    expect(exemplarOf(await registry.metrics('openmetrics'), 'plain_seconds_bucket{le="1.0"}')).toContain(ids.spanId);
  });
});
