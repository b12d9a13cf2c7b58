/**
 * vigil/http/hono: HTTP server metrics middleware for Hono 4, on any runtime. Hono is only
 * referenced for its types: this module loads no package at runtime.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { contentLength, endSpan, type HttpMetricsOptions, HttpRecorder, UNMATCHED_ROUTE } from '../core.js';

export * from '../public.js';

export type HonoHttpMetricsOptions = HttpMetricsOptions<Context>;

interface RouteInfo {
  path: string;
  handler: { length: number };
}

/**
 * Records every request in the HTTP server metrics. Register it first (`app.use(...)`)
 * so it wraps every handler. The route is the path of the handler that answered
 * (`/users/:id`, base paths included); when no handler matched, or the last one to run was
 * a middleware and the answer is 404 (Hono's not-found handler), it is `<unmatched>`. A
 * handler that throws counts as the status Hono's error handler answers (500 by default).
 *
 * @example
 * import { Hono } from 'hono';
 * import { httpMetrics } from 'vigil/http/hono';
 *
 * const app = new Hono();
 * app.use(httpMetrics({ customLabels: { tenant: (c) => c.req.header('x-tenant') ?? 'none' } }));
 * app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
 */
export function httpMetrics(options: HonoHttpMetricsOptions = {}): MiddlewareHandler {
  const recorder = new HttpRecorder<Context>(options);
  const excluded = recorder.isExcluded;
  const sizes = recorder.sizes;
  const traced = recorder.tracing !== null;

  return async function vigilHttpMetrics(c, next) {
    if (excluded?.(c.req.path)) {
      await next();
      return;
    }
    const start = performance.now();
    const m = recorder.begin(c.req.method);
    const span = traced ? recorder.startSpan(m, c.req.raw.headers, c.req.path) : null;
    const mine = c.req.routeIndex;
    let status = 500;
    try {
      await (span === null ? next() : span.run(next));
      status = c.res.status;
    } finally {
      const route = routeOf(c, mine, status);
      recorder.end(
        m,
        route,
        status,
        start,
        c,
        sizes ? contentLength(c.req.header('content-length')) : -1,
        sizes ? contentLength(c.res.headers.get('content-length')) : -1,
      );
      if (span !== null) endSpan(span, route, status);
    }
  };
}

function routeOf(c: Context, mine: number, status: number): string {
  const i = c.req.routeIndex;
  // Nothing after this middleware ran: no route matched, Hono's not-found handler answered.
  if (i === mine) return UNMATCHED_ROUTE;
  // `matchedRoutes` (rather than the `hono/route` helper) works on every Hono 4 and keeps
  // this module free of runtime imports.
  const route = (c.req.matchedRoutes as readonly RouteInfo[])[i];
  if (route === undefined) return UNMATCHED_ROUTE;
  // A later middleware called next() and nobody answered: not found, whatever its path.
  if (status === 404 && route.handler.length >= 2) return UNMATCHED_ROUTE;
  return route.path;
}
