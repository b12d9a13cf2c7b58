import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanStatus, SpanView, TraceResponse, TraceSummary, TracesResponse } from './api-types.js';

/** A span as the store keeps it: the API's view plus where it belongs. */
export interface StoredSpan extends SpanView {
  traceId: string;
  /** When the store received it (ms); the age limit counts from here. */
  receivedMs: number;
}

export interface SpanStoreOptions {
  /** Default 10 000. */
  maxSpans?: number;
  /** Default 900 (15 minutes). */
  maxAgeSeconds?: number;
}

export interface TraceFilter {
  service?: string;
  name?: string;
  minDurationMs?: number;
  status?: SpanStatus;
  /** Default 100. */
  limit?: number;
}

/**
 * The newest spans in memory, bounded by count and by age: the oldest are dropped first and
 * counted in `dropped`. Fed by the OTLP receiver and by `consoleSpanProcessor`.
 */
export class SpanStore {
  readonly maxSpans: number;
  readonly maxAgeSeconds: number;
  private readonly order: StoredSpan[] = [];
  private head = 0;
  private readonly traces = new Map<string, StoredSpan[]>();
  private droppedCount = 0;

  constructor(options: SpanStoreOptions = {}) {
    this.maxSpans = options.maxSpans ?? 10_000;
    this.maxAgeSeconds = options.maxAgeSeconds ?? 900;
  }

  add(spans: readonly StoredSpan[]): void {
    for (const span of spans) {
      this.order.push(span);
      const list = this.traces.get(span.traceId);
      if (list === undefined) this.traces.set(span.traceId, [span]);
      else list.push(span);
    }
    this.evict(Date.now());
  }

  get size(): number {
    return this.order.length - this.head;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** Drops spans over the count limit and spans older than the age limit, oldest first. */
  private evict(nowMs: number): void {
    const oldest = nowMs - this.maxAgeSeconds * 1000;
    while (this.head < this.order.length) {
      const span = this.order[this.head] as StoredSpan;
      if (this.size <= this.maxSpans && span.receivedMs >= oldest) break;
      this.head++;
      this.droppedCount++;
      const list = this.traces.get(span.traceId);
      if (list !== undefined) {
        const i = list.indexOf(span);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.traces.delete(span.traceId);
      }
    }
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  stats(): TracesResponse['store'] {
    this.evict(Date.now());
    return {
      spans: this.size,
      traces: this.traces.size,
      maxSpans: this.maxSpans,
      maxAgeSeconds: this.maxAgeSeconds,
      dropped: this.droppedCount,
    };
  }

  /** Traces newest first, filtered. */
  list(filter: TraceFilter = {}): TraceSummary[] {
    this.evict(Date.now());
    const name = filter.name?.toLowerCase();
    const out: TraceSummary[] = [];
    for (const [traceId, spans] of this.traces) {
      const summary = summarize(traceId, spans);
      if (filter.service && !spans.some((s) => s.service === filter.service)) continue;
      if (name && !spans.some((s) => s.name.toLowerCase().includes(name))) continue;
      if (filter.minDurationMs !== undefined && summary.durationMs < filter.minDurationMs) continue;
      if (filter.status && summary.status !== filter.status) continue;
      out.push(summary);
    }
    out.sort((a, b) => b.startTimeMs - a.startTimeMs);
    return out.slice(0, filter.limit ?? 100);
  }

  trace(traceId: string): TraceResponse | undefined {
    this.evict(Date.now());
    const spans = this.traces.get(traceId.toLowerCase());
    if (spans === undefined) return undefined;
    // Start time first; a parent before its children when they start in the same instant.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const depth = (span: StoredSpan): number => {
      let d = 0;
      for (let p = span.parentSpanId; p !== null && d < 1000; p = byId.get(p)?.parentSpanId ?? null) d++;
      return d;
    };
    const ordered = [...spans].sort((a, b) => a.startTimeMs - b.startTimeMs || depth(a) - depth(b));
    return { traceId, spans: ordered.map(({ traceId: _t, receivedMs: _r, ...view }) => view) };
  }

  clear(): void {
    this.order.length = 0;
    this.head = 0;
    this.traces.clear();
  }
}

function summarize(traceId: string, spans: readonly StoredSpan[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  let root: StoredSpan | undefined;
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let error = false;
  for (const span of spans) {
    const isRoot = span.parentSpanId === null || !ids.has(span.parentSpanId);
    if (isRoot && (root === undefined || span.startTimeMs < root.startTimeMs)) root = span;
    start = Math.min(start, span.startTimeMs);
    end = Math.max(end, span.startTimeMs + span.durationMs);
    if (span.status === 'error') error = true;
  }
  const first = root ?? (spans[0] as StoredSpan);
  return {
    traceId,
    rootName: first.name,
    service: first.service,
    startTimeMs: start,
    durationMs: end - start,
    spanCount: spans.length,
    status: error ? 'error' : first.status,
  };
}

const KINDS: readonly SpanView['kind'][] = ['internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES: readonly SpanStatus[] = ['unset', 'ok', 'error'];
const hrMs = (t: readonly [number, number]) => t[0] * 1000 + t[1] / 1e6;

/** An SDK span (in-process) in the store's shape. */
export function storedFromReadable(span: ReadableSpan, nowMs = Date.now()): StoredSpan {
  const context = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: parent === undefined || parent === '' ? null : parent,
    name: span.name,
    service: String(span.resource.attributes['service.name'] ?? 'unknown_service'),
    kind: KINDS[span.kind] ?? 'internal',
    startTimeMs: hrMs(span.startTime),
    durationMs: hrMs(span.duration),
    status: STATUSES[span.status.code] ?? 'unset',
    statusMessage: span.status.message ?? null,
    attributes: { ...(span.attributes as SpanView['attributes']) },
    events: span.events.map((e) => ({ name: e.name, timeMs: hrMs(e.time), attributes: { ...e.attributes } })),
    receivedMs: nowMs,
  };
}

/**
 * Feeds the console's span store from this process's tracer, without OTLP.
 *
 * @example
 * const consoleHandle = await startConsole();
 * setupTracing({ serviceName: 'api', spanProcessors: [consoleSpanProcessor(consoleHandle.spanStore)] });
 */
export function consoleSpanProcessor(store: SpanStore): SpanProcessor {
  return {
    onStart(_span: Span, _context: Context): void {},
    onEnd(span: ReadableSpan): void {
      store.add([storedFromReadable(span)]);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
