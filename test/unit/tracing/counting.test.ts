import { trace } from '@opentelemetry/api';
import core from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { CountingExporter, CountingProcessor, TracingStats } from '../../../src/tracing/counting.js';

type Callback = Parameters<SpanExporter['export']>[1];

/** An exporter that holds each batch until the test settles it. */
class HeldExporter implements SpanExporter {
  readonly pending: { spans: ReadableSpan[]; done: Callback }[] = [];
  export(spans: ReadableSpan[], done: Callback): void {
    this.pending.push({ spans, done });
  }
  settle(ok: boolean): void {
    for (const p of this.pending.splice(0)) {
      p.done(
        ok ? { code: core.ExportResultCode.SUCCESS } : { code: core.ExportResultCode.FAILED, error: new Error('503') },
      );
    }
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('counting wrappers around the SDK batch processor', () => {
  it('count exactly the spans the batch queue drops, and export outcomes', async () => {
    const stats = new TracingStats();
    const held = new HeldExporter();
    const exporter = new CountingExporter(held, stats, 'test://', true);
    const batch = new BatchSpanProcessor(exporter, {
      maxQueueSize: 5,
      maxExportBatchSize: 2,
      scheduledDelayMillis: 60_000,
    });
    const provider = new BasicTracerProvider({ spanProcessors: [new CountingProcessor(batch, stats, 5)] });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 20; i++) tracer.startSpan(`s${i}`).end();

    // 2 reached the batch size and went to the exporter at once (one export in flight);
    // 5 filled the queue; the other 13 were dropped by the SDK and counted here.
    expect(held.pending.map((p) => p.spans.length)).toEqual([2]);
    expect(stats).toMatchObject({ spansStarted: 20, queued: 5, droppedQueueFull: 13 });
    expect(trace.getTracerProvider()).not.toBe(provider); // nothing global here

    held.settle(false);
    await new Promise((r) => setTimeout(r, 0));
    expect(stats).toMatchObject({ droppedExportFailed: 2, degraded: true, lastExportError: '503' });
    expect(stats.degradationReason).toBe('span export to test:// failed: 503');

    // The endpoint is back: every batch from now on succeeds, and degraded clears.
    const flushed = provider.forceFlush();
    for (let i = 0; i < 20 && (held.pending.length > 0 || stats.queued > 0); i++) {
      held.settle(true);
      await new Promise((r) => setTimeout(r, 0));
    }
    await flushed;
    expect(stats).toMatchObject({ spansExported: 5, queued: 0, degraded: false, degradationReason: undefined });
    expect(stats.spansExported + stats.droppedExportFailed + stats.droppedQueueFull).toBe(20);
    await provider.shutdown();
  });

  it('turn a throwing exporter into a counted failure', () => {
    const stats = new TracingStats();
    const exporter = new CountingExporter(
      {
        export() {
          throw new Error('boom');
        },
        shutdown: () => Promise.resolve(),
      },
      stats,
      'x',
      false,
    );
    let result: unknown;
    exporter.export([{} as ReadableSpan], (r) => {
      result = r;
    });
    expect(result).toMatchObject({ code: core.ExportResultCode.FAILED });
    expect(stats).toMatchObject({ droppedExportFailed: 1, degraded: true, lastExportError: 'boom' });
  });
});
