import type { Span } from '@opentelemetry/api';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { Counter, Histogram, Registry } from '../../../src/metrics/index.js';
import { setupTracing, teardownTracing, withExemplars } from '../../../src/tracing/index.js';

afterEach(() => teardownTracing());

describe('exporters and samplers', () => {
  it('console:// prints finished spans through the SDK ConsoleSpanExporter', async () => {
    const dir = vi.spyOn(console, 'dir').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const tracing = setupTracing({ endpoint: 'console://', env: {} });
      tracing.withSpan('printed', () => undefined);
      await tracing.forceFlush();
      const printed = [...dir.mock.calls, ...log.mock.calls].map((c) => JSON.stringify(c[0] ?? ''));
      expect(printed.some((p) => p.includes('printed'))).toBe(true);
      expect(tracing.status()).toMatchObject({ exporter: 'console', spansExported: 1 });
      expect(tracing.getFinishedSpans()).toEqual([]);
    } finally {
      dir.mockRestore();
      log.mockRestore();
    }
  });

  it('OTEL_TRACES_SAMPLER=always_off records nothing, and withSpan still runs the function', () => {
    const tracing = setupTracing({ endpoint: 'memory://', env: { OTEL_TRACES_SAMPLER: 'always_off' } });
    expect(tracing.withSpan('off', (span) => span.isRecording())).toBe(false);
    expect(tracing.getFinishedSpans()).toEqual([]);
    expect(tracing.status().spansStarted).toBe(0);
  });

  it('traceidratio with ratio 0 samples nothing; a sampled parent still wins with parentbased', () => {
    const tracing = setupTracing({
      endpoint: 'memory://',
      env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
    });
    expect(tracing.config.sampler).toBe('parentbased_traceidratio');
    expect(tracing.withSpan('root', (span) => span.isRecording())).toBe(false);
    expect(tracing.getFinishedSpans()).toEqual([]);
  });

  it('puts OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME on the resource', () => {
    const tracing = setupTracing({
      endpoint: 'memory://',
      env: { OTEL_SERVICE_NAME: 'svc', OTEL_RESOURCE_ATTRIBUTES: 'team=core,service.version=2' },
    });
    tracing.withSpan('r', () => undefined);
    expect(tracing.getFinishedSpans()[0]?.resource.attributes).toMatchObject({
      'service.name': 'svc',
      team: 'core',
      'service.version': '2',
    });
  });
});

describe('types', () => {
  it('withSpan returns what the function returns, sync or async', () => {
    const tracing = setupTracing({ endpoint: 'memory://', env: {} });
    expectTypeOf(tracing.withSpan('a', () => 1)).toEqualTypeOf<number>();
    expectTypeOf(tracing.withSpan('b', async () => 'x')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(tracing.withSpan).parameter(1).parameter(0).toEqualTypeOf<Span>();
  });

  it('withExemplars keeps the metric type and its label typing', () => {
    const registry = new Registry();
    const rawCounter = new Counter({ name: 't_total', help: 'T.', labelNames: ['a'] as const, registers: [registry] });
    const c = withExemplars(rawCounter);
    expectTypeOf(c).toEqualTypeOf(rawCounter);
    const rawHistogram = new Histogram({ name: 't_seconds', help: 'T.', registers: [registry] });
    expectTypeOf(withExemplars(rawHistogram)).toEqualTypeOf(rawHistogram);
    // Never called: only the compiler checks that the label set is still typed.
    const wrongLabel = () => {
      // @ts-expect-error label "b" is not declared
      c.inc({ b: 'x' });
    };
    expect(typeof wrongLabel).toBe('function');
  });
});

describe('memory:// span limit', () => {
  it('keeps only the newest maxMemorySpans finished spans', async () => {
    await teardownTracing();
    const handle = setupTracing({ endpoint: 'memory://', maxMemorySpans: 3 });
    for (let i = 0; i < 5; i++) handle.withSpan(`span-${i}`, () => i);
    await handle.forceFlush();
    expect(handle.getFinishedSpans().map((s) => s.name)).toEqual(['span-2', 'span-3', 'span-4']);
    await teardownTracing();
  });
});
