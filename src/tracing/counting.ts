import type { Context } from '@opentelemetry/api';
import { TraceFlags } from '@opentelemetry/api';
import core from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

type ExportResult = Parameters<SpanExporter['export']>[1] extends (r: infer R) => void ? R : never;

/**
 * What the SDK does not tell: how many spans started, reached the backend, or were lost.
 * One instance per provider; the wrappers below write it, `status()` and the registry
 * collector read it. Plain numbers: the span hot path pays one increment.
 */
export class TracingStats {
  spansStarted = 0;
  spansExported = 0;
  /** Sampled spans the batch queue refused because it was full. */
  droppedQueueFull = 0;
  /** Spans in export calls that failed (endpoint down, rejected, timed out). */
  droppedExportFailed = 0;
  exportsSucceeded = 0;
  exportsFailed = 0;
  /** Spans waiting in the batch queue, mirrored from what went in and what the exporter took. */
  queued = 0;
  degraded = false;
  degradationReason: string | undefined = undefined;
  lastExportError: string | undefined = undefined;
  lastExportErrorAt: Date | undefined = undefined;
  lastExportSuccessAt: Date | undefined = undefined;
  /** Bumped by reset(): exports still in flight from before it are not counted after it. */
  generation = 0;

  reset(): void {
    this.generation++;
    this.spansStarted = 0;
    this.spansExported = 0;
    this.droppedQueueFull = 0;
    this.droppedExportFailed = 0;
    this.exportsSucceeded = 0;
    this.exportsFailed = 0;
    // `queued` is not reset: it mirrors spans really waiting in the batch queue.
    this.degraded = false;
    this.degradationReason = undefined;
    this.lastExportError = undefined;
    this.lastExportErrorAt = undefined;
    this.lastExportSuccessAt = undefined;
  }
}

/**
 * Wraps the real exporter: counts exported and failed spans, and turns failures into
 * `degraded` with the reason; the first success clears it again (recovery needs no call).
 */
export class CountingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly stats: TracingStats,
    private readonly target: string,
    /** True behind a batch processor: each export call takes its spans off the queue. */
    private readonly batched: boolean,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const stats = this.stats;
    const n = spans.length;
    if (this.batched) stats.queued = Math.max(0, stats.queued - n);
    const generation = stats.generation;
    const done = (result: ExportResult): void => {
      if (generation !== stats.generation) {
        resultCallback(result);
        return;
      }
      if (result.code === core.ExportResultCode.SUCCESS) {
        stats.spansExported += n;
        stats.exportsSucceeded++;
        stats.lastExportSuccessAt = new Date();
        stats.degraded = false;
        stats.degradationReason = undefined;
      } else {
        const message = describe(result.error);
        stats.droppedExportFailed += n;
        stats.exportsFailed++;
        stats.lastExportError = message;
        stats.lastExportErrorAt = new Date();
        stats.degraded = true;
        stats.degradationReason = `span export to ${this.target} failed: ${message}`;
      }
      resultCallback(result);
    };
    try {
      this.inner.export(spans, done);
    } catch (error) {
      done({ code: core.ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * Wraps the span processor: counts started spans and, in front of a batch processor,
 * counts the spans it drops when its queue is full. The SDK drops them with one debug
 * log and a counter it resets; this mirror of the queue length keeps the total.
 */
export class CountingProcessor implements SpanProcessor {
  private stopped = false;

  constructor(
    private readonly inner: SpanProcessor,
    private readonly stats: TracingStats,
    /** The batch queue bound, or 0 for a processor without a queue. */
    private readonly maxQueueSize: number,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.stats.spansStarted++;
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (this.maxQueueSize > 0 && !this.stopped && (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) {
      const stats = this.stats;
      if (stats.queued >= this.maxQueueSize) stats.droppedQueueFull++;
      else stats.queued++;
    }
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return this.inner.shutdown();
  }
}

function describe(error: unknown): string {
  if (error === undefined || error === null) return 'export failed';
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const msg = error.message === '' && typeof code === 'string' ? code : error.message;
    return `${msg}${cause}`;
  }
  return String(error);
}
