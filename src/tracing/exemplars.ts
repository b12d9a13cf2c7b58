import { isSpanContextValid, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import type { Counter, CounterSeries, Histogram, HistogramSeries } from '../metrics/index.js';

/** The exemplar labels Vigil attaches: OpenMetrics' conventional names. */
export interface TraceExemplar {
  readonly trace_id: string;
  readonly span_id: string;
}

/**
 * `{ trace_id, span_id }` of the active span when it is valid and sampled, else undefined
 * (an unsampled trace is not stored, so an exemplar would point at nothing).
 *
 * @example
 * requests.inc({ route: '/users' }, 1, exemplarFromActiveSpan());
 */
export function exemplarFromActiveSpan(): TraceExemplar | undefined {
  const span = trace.getActiveSpan();
  return span === undefined ? undefined : exemplarOf(span.spanContext());
}

/** `{ trace_id, span_id }` of a span context when it is valid and sampled, else undefined. */
export function exemplarOf(ctx: SpanContext): TraceExemplar | undefined {
  if ((ctx.traceFlags & TraceFlags.SAMPLED) === 0 || !isSpanContextValid(ctx)) return undefined;
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}

type AnyCounter = Counter<readonly string[]>;
type AnyHistogram = Histogram<readonly string[]>;

const wrapped = new WeakMap<object, object>();

/**
 * The same counter or histogram, whose `inc` / `observe` (also through `labels()` handles,
 * `startTimer` and `time`) attach the active span's `trace_id` and `span_id` as an
 * exemplar when called inside a sampled span. An exemplar given explicitly wins. The
 * metric itself stays dependency-free: the link to OpenTelemetry lives in this wrapper.
 *
 * @example
 * const latency = withExemplars(registry.histogram({ name: 'job_seconds', help: '...' }));
 * tracing.withSpan('job', () => latency.observe(0.3)); // bucket carries # {trace_id="...",span_id="..."}
 */
export function withExemplars<M extends AnyCounter | AnyHistogram>(metric: M): M {
  const cached = wrapped.get(metric);
  if (cached !== undefined) return cached as M;
  const proxy = metric.type === 'counter' ? counterProxy(metric as AnyCounter) : histogramProxy(metric as AnyHistogram);
  wrapped.set(metric, proxy);
  return proxy as M;
}

function isLabels(a: unknown): a is Record<string, unknown> {
  return a !== null && typeof a === 'object';
}

function counterProxy(counter: AnyCounter): AnyCounter {
  const c = counter as unknown as {
    inc(a?: unknown, b?: unknown, c?: unknown): void;
    labels(...args: unknown[]): CounterSeries;
  };
  const inc = (a?: unknown, b?: unknown, e?: unknown): void => {
    if (isLabels(a)) c.inc(a, b ?? 1, e ?? exemplarFromActiveSpan());
    else c.inc(a ?? 1, b ?? exemplarFromActiveSpan());
  };
  const labels = (...args: unknown[]): CounterSeries => seriesProxy(c.labels(...args), 'inc');
  return new Proxy(counter, {
    get(target, prop, receiver) {
      if (prop === 'inc') return inc;
      if (prop === 'labels') return labels;
      return Reflect.get(target, prop, receiver);
    },
  });
}

function histogramProxy(histogram: AnyHistogram): AnyHistogram {
  const h = histogram as unknown as {
    observe(a: unknown, b?: unknown, c?: unknown): void;
    labels(...args: unknown[]): HistogramSeries;
  };
  const observe = (a: unknown, b?: unknown, e?: unknown): void => {
    if (isLabels(a)) h.observe(a, b, e ?? exemplarFromActiveSpan());
    else h.observe(a, b ?? exemplarFromActiveSpan());
  };
  const labels = (...args: unknown[]): HistogramSeries => seriesProxy(h.labels(...args), 'observe');
  // The metric's own startTimer/time observe through a series it looks up, past the
  // proxy; these observe through `observe` above so the exemplar is the span at the end.
  const startTimer = (labelSet?: unknown): (() => number) => {
    const start = performance.now();
    return () => {
      const seconds = (performance.now() - start) / 1000;
      if (isLabels(labelSet)) observe(labelSet, seconds);
      else observe(seconds);
      return seconds;
    };
  };
  const time = (a: unknown, b?: unknown): unknown => {
    const fn = (typeof a === 'function' ? a : b) as () => unknown;
    const end = startTimer(typeof a === 'function' ? undefined : a);
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      end();
      throw error;
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      return (result as PromiseLike<unknown>).then(
        (value) => {
          end();
          return value;
        },
        (error: unknown) => {
          end();
          throw error;
        },
      );
    }
    end();
    return result;
  };
  return new Proxy(histogram, {
    get(target, prop, receiver) {
      if (prop === 'observe') return observe;
      if (prop === 'labels') return labels;
      if (prop === 'startTimer') return startTimer;
      if (prop === 'time') return time;
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * A series handle whose `inc` or `observe` adds the exemplar. Its own `startTimer` and
 * `time` call `this.observe`, which is the proxy's when called through it.
 */
function seriesProxy<S extends CounterSeries | HistogramSeries>(series: S, method: 'inc' | 'observe'): S {
  const cached = wrapped.get(series);
  if (cached !== undefined) return cached as S;
  const raw = series as unknown as Record<string, (v?: unknown, e?: unknown) => void>;
  const update = (value?: unknown, exemplar?: unknown): void => {
    (raw[method] as (v?: unknown, e?: unknown) => void).call(
      series,
      method === 'inc' ? (value ?? 1) : value,
      exemplar ?? exemplarFromActiveSpan(),
    );
  };
  const proxy = new Proxy(series, {
    get(target, prop, receiver) {
      if (prop === method) return update;
      return Reflect.get(target, prop, receiver);
    },
  });
  wrapped.set(series, proxy);
  return proxy;
}
