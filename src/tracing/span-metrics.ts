import type { Context } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Counter, CounterSeries, Histogram, HistogramSeries, Registry } from '../metrics/index.js';

export interface SpanMetricsOptions {
  /** Where `traces_spans_total` and `traces_span_duration_seconds` are registered. */
  registry: Registry;
  /**
   * Cardinality guard per metric: past this many label sets, new span names fold into
   * one `__overflow__` series (counted in `vigil_series_overflow_total`). Default 1000.
   */
  maxSeries?: number;
  /** Histogram buckets in seconds. Default the registry's default buckets. */
  buckets?: number[];
}

const KIND_NAMES: Record<number, string> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const STATUS_NAMES: Record<number, string> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};

interface Handles {
  readonly count: CounterSeries;
  readonly duration: HistogramSeries;
}

/**
 * A span processor that records RED metrics per span name and kind: a counter
 * `traces_spans_total{span_name,span_kind,status_code}` and a histogram
 * `traces_span_duration_seconds{span_name,span_kind}`. Only recording spans reach a
 * processor, so an AlwaysOff sampler records nothing here.
 *
 * @example
 * setupTracing({ endpoint: 'memory://', spanProcessors: [spanMetricsProcessor({ registry })] });
 */
export function spanMetricsProcessor(options: SpanMetricsOptions): SpanProcessor {
  const maxSeries = options.maxSeries ?? 1000;
  const spans: Counter<readonly ['span_name', 'span_kind', 'status_code']> = options.registry.counter({
    name: 'traces_spans_total',
    help: 'Spans ended, by span name, kind and status code.',
    labelNames: ['span_name', 'span_kind', 'status_code'] as const,
    maxSeries,
  });
  const durations: Histogram<readonly ['span_name', 'span_kind']> = options.registry.histogram({
    name: 'traces_span_duration_seconds',
    help: 'Span duration in seconds, by span name and kind.',
    labelNames: ['span_name', 'span_kind'] as const,
    maxSeries,
    ...(options.buckets === undefined ? {} : { buckets: options.buckets }),
  });
  // Handles by name/kind/status so a known span pays one Map lookup; bounded like the
  // metrics, and past the bound updates go through the metric (which folds them).
  const handles = new Map<string, Handles>();

  return {
    onStart(_span: Span, _context: Context): void {},
    onEnd(span: ReadableSpan): void {
      const kind = KIND_NAMES[span.kind] ?? 'internal';
      const status = STATUS_NAMES[span.status.code] ?? 'unset';
      const seconds = span.duration[0] + span.duration[1] / 1e9;
      const key = `${kind}\u0000${status}\u0000${span.name}`;
      let h = handles.get(key);
      if (h === undefined) {
        if (handles.size >= maxSeries) {
          spans.inc({ span_name: span.name, span_kind: kind, status_code: status });
          durations.observe({ span_name: span.name, span_kind: kind }, seconds);
          return;
        }
        h = {
          count: spans.labels({ span_name: span.name, span_kind: kind, status_code: status }),
          duration: durations.labels({ span_name: span.name, span_kind: kind }),
        };
        handles.set(key, h);
      }
      h.count.inc();
      h.duration.observe(seconds);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
