import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/metrics/index.js';
import { setupTracing, type TracingHandle, teardownTracing } from '../../../src/tracing/index.js';

let tracing: TracingHandle;

describe('memory mode', () => {
  beforeEach(() => {
    tracing = setupTracing({ serviceName: 'unit', endpoint: 'memory://', env: {} });
    tracing.resetForTesting();
  });
  afterAll(() => teardownTracing());

  it('keeps the finished spans of this test only (first test)', () => {
    tracing.withSpan('first', () => 1);
    expect(tracing.getFinishedSpans().map((s) => s.name)).toEqual(['first']);
  });

  it('keeps the finished spans of this test only (second test)', () => {
    tracing.withSpan('second', () => 2);
    expect(tracing.getFinishedSpans().map((s) => s.name)).toEqual(['second']);
    expect(tracing.status().spansStarted).toBe(1);
  });

  it('reuses the provider on the next call and says so', () => {
    const again = setupTracing({ endpoint: 'memory://', env: {} });
    expect(again.reused).toBe(true);
    expect(again.tracer).toBe(tracing.tracer);
    again.withSpan('from-second-handle', () => undefined);
    expect(tracing.getFinishedSpans().map((s) => s.name)).toEqual(['from-second-handle']);
    expect(tracing.status().setupCalls).toBeGreaterThanOrEqual(2);
    expect(tracing.status().warnings).toEqual([]);
  });

  it('makes a reused setup with different options visible', async () => {
    const warnings: Error[] = [];
    const listener = (w: Error) => warnings.push(w);
    process.on('warning', listener);
    try {
      const other = setupTracing({ serviceName: 'other', endpoint: 'console://', env: {} });
      expect(other.reused).toBe(true);
      expect(other.status().exporter).toBe('memory');
      expect(other.status().warnings.at(-1)).toMatch(/serviceName: unit kept, other ignored/);
      const withProcessor = setupTracing({ spanProcessors: [new NoopSpanProcessor()], env: {} });
      expect(withProcessor.status().warnings.at(-1)).toMatch(/spanProcessors: 1 not added/);
      await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
      expect(warnings.map((w) => (w as Error & { code?: string }).code)).toEqual([
        'VIGIL_WARN_TRACING_REUSED',
        'VIGIL_WARN_TRACING_REUSED',
      ]);
    } finally {
      process.off('warning', listener);
    }
  });

  it('puts the resource and parent ids on nested spans', () => {
    tracing.withSpan('outer', () => tracing.withSpan('inner', () => undefined, { 'job.id': 7 }));
    const [inner, outer] = tracing.getFinishedSpans();
    expect(inner?.name).toBe('inner');
    expect(inner?.attributes).toEqual({ 'job.id': 7 });
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(inner?.spanContext().traceId).toBe(outer?.spanContext().traceId);
    expect(outer?.resource.attributes['service.name']).toBe('unit');
  });

  it('makes the span active inside the function', () => {
    tracing.withSpan('active', (span) => {
      expect(trace.getActiveSpan()).toBe(span);
    });
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

describe('withSpan', () => {
  beforeEach(() => {
    tracing = setupTracing({ endpoint: 'memory://', env: {} });
    tracing.resetForTesting();
  });
  afterAll(() => teardownTracing());

  it('returns the value of a sync function and ends the span', () => {
    expect(tracing.withSpan('sync', () => 42)).toBe(42);
    const [span] = tracing.getFinishedSpans();
    expect(span?.ended).toBe(true);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.events).toEqual([]);
  });

  it('records a sync throw, sets ERROR, ends the span and rethrows the same error', () => {
    const error = new TypeError('bad input');
    let caught: unknown;
    try {
      tracing.withSpan('throws', () => {
        throw error;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(error);
    const [span] = tracing.getFinishedSpans();
    expect(span?.ended).toBe(true);
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad input' });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
    expect(span?.events[0]?.attributes?.['exception.type']).toBe('TypeError');
    expect(span?.events[0]?.attributes?.['exception.message']).toBe('bad input');
  });

  it('ends an async span only when the promise settles', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const result = tracing.withSpan('async', async () => {
      await gate;
      return 'done';
    });
    expect(tracing.getFinishedSpans()).toHaveLength(0);
    release();
    await expect(result).resolves.toBe('done');
    const [span] = tracing.getFinishedSpans();
    expect(span?.name).toBe('async');
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records an async rejection and rejects with the same error', async () => {
    const error = new Error('remote down');
    await expect(
      tracing.withSpan('rejects', async () => {
        await Promise.resolve();
        throw error;
      }),
    ).rejects.toBe(error);
    const [span] = tracing.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'remote down' });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('records a non-Error throw as a string', () => {
    expect(() =>
      tracing.withSpan('odd', () => {
        throw 'plain string';
      }),
    ).toThrow('plain string');
    const [span] = tracing.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'plain string' });
  });

  it('keeps the async context across awaits so children get the right parent', async () => {
    await tracing.withSpan('parent', async () => {
      await new Promise((r) => setTimeout(r, 1));
      await tracing.withSpan('child', async () => undefined);
    });
    const spans = tracing.getFinishedSpans();
    const child = spans.find((s) => s.name === 'child');
    const parent = spans.find((s) => s.name === 'parent');
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
  });

  it('counts started and exported spans', async () => {
    tracing.withSpan('a', () => undefined);
    tracing.withSpan('b', () => undefined);
    await tracing.forceFlush();
    expect(tracing.status()).toMatchObject({
      enabled: true,
      exporter: 'memory',
      spansStarted: 2,
      spansExported: 2,
      spansDropped: 0,
      degraded: false,
    });
  });
});

describe('globals', () => {
  afterEach(() => teardownTracing());

  it('teardownTracing releases the global so the next setup is a fresh provider', async () => {
    const first = setupTracing({ endpoint: 'memory://', env: {} });
    await teardownTracing();
    const second = setupTracing({ endpoint: 'memory://', env: {} });
    expect(second.reused).toBe(false);
    expect(second.tracer).not.toBe(first.tracer);
    expect(second.status().globalRegistered).toBe(true);
    second.withSpan('x', () => undefined);
    expect(second.getFinishedSpans()).toHaveLength(1);
  });

  it('says so when another provider already holds the OpenTelemetry global', async () => {
    const foreign = new BasicTracerProvider();
    expect(trace.setGlobalTracerProvider(foreign)).toBe(true);
    const handle = setupTracing({ endpoint: 'memory://', env: {} });
    expect(handle.status().globalRegistered).toBe(false);
    expect(handle.status().warnings.join('\n')).toMatch(/another tracer provider/);
    // The handle's tracer still records into Vigil.
    handle.withSpan('mine', () => undefined);
    expect(handle.getFinishedSpans().map((s) => s.name)).toEqual(['mine']);
    await foreign.shutdown();
  });

  it('OTEL_SDK_DISABLED makes withSpan a plain call', () => {
    const handle = setupTracing({ env: { OTEL_SDK_DISABLED: 'true' } });
    expect(handle.status()).toMatchObject({ enabled: false, exporter: 'none' });
    const seen = handle.withSpan('noop', (span) => span.isRecording());
    expect(seen).toBe(false);
    expect(() =>
      handle.withSpan('noop', () => {
        throw new Error('still thrown');
      }),
    ).toThrow('still thrown');
    expect(handle.getFinishedSpans()).toEqual([]);
  });

  it('shutdown() of a handle ends the setup; setup afterwards starts afresh', async () => {
    const handle = setupTracing({ endpoint: 'memory://', env: {} });
    await handle.shutdown();
    await handle.shutdown();
    expect(setupTracing({ endpoint: 'memory://', env: {} }).reused).toBe(false);
  });

  it('uses the async-hooks context manager', () => {
    const handle = setupTracing({ endpoint: 'memory://', env: {} });
    handle.withSpan('ctx', () => {
      expect(trace.getSpan(context.active())).toBeDefined();
    });
  });
});

describe('metrics of the tracer', () => {
  afterEach(() => teardownTracing());

  it('exposes started, exported, dropped and degraded into a registry', async () => {
    const registry = new Registry();
    const handle = setupTracing({ endpoint: 'memory://', registry, env: {} });
    handle.withSpan('a', () => undefined);
    await handle.forceFlush();
    const text = await registry.metrics('openmetrics');
    expect(text).toContain('vigil_spans_started_total 1\n');
    expect(text).toContain('vigil_spans_exported_total 1\n');
    expect(text).toContain('vigil_spans_dropped_total{reason="queue_full"} 0\n');
    expect(text).toContain('vigil_tracing_degraded 0\n');
    await teardownTracing();
    expect(await registry.metrics('text')).not.toContain('vigil_spans');
  });

  it('attaches a registry given on a reused setup', async () => {
    setupTracing({ endpoint: 'memory://', env: {} });
    const registry = new Registry();
    const again = setupTracing({ registry, env: {} });
    expect(again.reused).toBe(true);
    expect(await registry.metrics('text')).toContain('vigil_spans_started_total 0');
  });
});
