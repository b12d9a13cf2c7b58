import type { Attributes, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { INVALID_SPAN_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * Runs `fn` inside a new active span named `name` and ends the span when `fn` returns or,
 * for a promise, settles. A throw or rejection is recorded as an exception event, sets the
 * span status to ERROR with the message, and is re-thrown unchanged.
 */
export type WithSpan = <T>(name: string, fn: (span: Span) => T, attributes?: Attributes) => T;

const NO_OPTIONS: SpanOptions = {};

export function makeWithSpan(tracer: Tracer): WithSpan {
  return function withSpan<T>(name: string, fn: (span: Span) => T, attributes?: Attributes): T {
    return tracer.startActiveSpan(name, attributes === undefined ? NO_OPTIONS : { attributes }, (span) => {
      let result: T;
      try {
        result = fn(span);
      } catch (error) {
        fail(span, error);
        span.end();
        throw error;
      }
      if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        return (result as unknown as PromiseLike<unknown>).then(
          (value) => {
            span.end();
            return value;
          },
          (error: unknown) => {
            fail(span, error);
            span.end();
            throw error;
          },
        ) as T;
      }
      span.end();
      return result;
    });
  };
}

/** When tracing is disabled: the function runs with a non-recording span, nothing else. */
export const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export function noopWithSpan<T>(_name: string, fn: (span: Span) => T): T {
  return fn(NOOP_SPAN);
}

export function fail(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    const message = String(error);
    span.recordException(message);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
}
