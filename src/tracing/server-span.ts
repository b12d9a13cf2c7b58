import type { Attributes, Context, Span, TextMapGetter, Tracer } from '@opentelemetry/api';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { exemplarOf, type TraceExemplar } from './exemplars.js';

/** Request headers as node:http gives them (lower-case names). */
export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;
/** Request headers of the Fetch API (Hono, Request objects). */
export interface FetchHeaders {
  get(name: string): string | null;
  keys(): Iterable<string>;
}

export interface ServerSpanRequest {
  method: string;
  /**
   * The route template (`/users/:id`), not the path: it names the span and stays bounded.
   * Leave it out when it is known only later, and pass it to `setRoute`.
   */
  route?: string;
  headers: IncomingHeaders | FetchHeaders;
  /** The path, recorded as `url.path`. */
  path?: string;
}

export interface ServerSpan {
  readonly span: Span;
  /** The context to run the handler in: the span is active, the incoming trace continued. */
  readonly context: Context;
  /**
   * `{ trace_id, span_id }` of this span for metric exemplars; undefined when the trace is
   * not sampled (it would point at nothing). The HTTP middleware attaches it to the request
   * counter and duration histogram it records for the request.
   */
  readonly exemplar: TraceExemplar | undefined;
  /** Names the span `METHOD route` and sets `http.route`, for a route known once the handler ran. */
  setRoute(route: string): void;
  /** Calls `fn` with the span active, so spans (and exemplars) made inside it are its children. */
  run<T>(fn: () => T): T;
  /** Records the status code (ERROR status for 5xx or an error) and ends the span. */
  end(statusCode: number, error?: unknown): void;
}

/**
 * What the HTTP middleware's `tracing` option needs: the handle `setupTracing`
 * returns is one; {@link serverTracing} makes one of any other tracer.
 */
export interface ServerTracing {
  startServerSpan(request: ServerSpanRequest): ServerSpan;
}

const getter: TextMapGetter<IncomingHeaders | FetchHeaders> = {
  keys: (carrier) => (isFetchHeaders(carrier) ? [...carrier.keys()] : Object.keys(carrier)),
  get: (carrier, key) => {
    if (isFetchHeaders(carrier)) return carrier.get(key) ?? undefined;
    const v = carrier[key.toLowerCase()];
    return typeof v === 'string' ? v : v?.[0];
  },
};

function isFetchHeaders(headers: IncomingHeaders | FetchHeaders): headers is FetchHeaders {
  return typeof headers.get === 'function';
}

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
  const { method, route, path } = request;
  const attributes: Attributes = { 'http.request.method': method };
  if (route !== undefined) attributes['http.route'] = route;
  if (path !== undefined) attributes['url.path'] = path;
  const name = route === undefined ? method : `${method} ${route}`;
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  const active = trace.setSpan(parent, span);
  let ended = false;
  return {
    span,
    context: active,
    exemplar: exemplarOf(span.spanContext()),
    setRoute(template: string): void {
      span.updateName(`${method} ${template}`);
      span.setAttribute('http.route', template);
    },
    run: (fn) => context.with(active, fn),
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

/**
 * Server spans from any tracer, for the HTTP middleware's `tracing` option (the handle
 * of `setupTracing` does this with its own tracer).
 *
 * @example
 * app.use(httpMetrics({ tracing: serverTracing(trace.getTracer('api')) }));
 */
export function serverTracing(tracer: Tracer): ServerTracing {
  return { startServerSpan: (request) => startServerSpan(tracer, request) };
}

/** Writes `traceparent` (and `tracestate`, baggage) of the active context into outgoing headers. */
export function injectTraceHeaders(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}
