import type { Attributes, Context, Span, TextMapGetter, Tracer } from '@opentelemetry/api';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/** Request headers as node:http gives them (lower-case names). */
export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ServerSpanRequest {
  method: string;
  /** The route template (`/users/:id`), not the path: it names the span and stays bounded. */
  route: string;
  headers: IncomingHeaders;
  /** The path, recorded as `url.path`. */
  path?: string;
}

export interface ServerSpan {
  readonly span: Span;
  /** The context to run the handler in: the span is active, the incoming trace continued. */
  readonly context: Context;
  /** Records the status code (ERROR status for 5xx or an error) and ends the span. */
  end(statusCode: number, error?: unknown): void;
}

const getter: TextMapGetter<IncomingHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const v = carrier[key.toLowerCase()];
    return typeof v === 'string' ? v : v?.[0];
  },
};

/**
 * A SERVER span for one HTTP request, continuing the caller's trace from W3C
 * `traceparent` / `tracestate` (and baggage) through the global propagator that
 * `setupTracing` installs. For the HTTP middleware: start at the request, run the
 * handler inside `context`, call `end(status)` when the response finishes.
 *
 * @example
 * const s = startServerSpan(tracing.tracer, { method: req.method, route: '/users/:id', headers: req.headers });
 * await context.with(s.context, () => handler(req, res));
 * s.end(res.statusCode);
 */
export function startServerSpan(tracer: Tracer, request: ServerSpanRequest): ServerSpan {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers, getter);
  const attributes: Attributes = { 'http.request.method': request.method, 'http.route': request.route };
  if (request.path !== undefined) attributes['url.path'] = request.path;
  const span = tracer.startSpan(`${request.method} ${request.route}`, { kind: SpanKind.SERVER, attributes }, parent);
  let ended = false;
  return {
    span,
    context: trace.setSpan(parent, span),
    end(statusCode: number, error?: unknown): void {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', statusCode);
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      } else if (statusCode >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

/** Writes `traceparent` (and `tracestate`, baggage) of the active context into outgoing headers. */
export function injectTraceHeaders(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}
