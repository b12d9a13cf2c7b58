/**
 * vigil/http/hono: HTTP server metrics for Hono 4, on any runtime: a middleware, and
 * `instrument(app)` (./instrument.ts), which records the same without one. Hono is only
 * referenced for its types: this module loads no package at runtime.
 */
import type { ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { ServerSpan } from '../../tracing/server-span.js';
import {
  CLIENT_CLOSED_STATUS,
  contentLength,
  type HttpMetricsOptions,
  HttpRecorder,
  now,
  UNMATCHED_ROUTE,
} from '../core.js';
import { ByteTally, countingStream, measureBody } from './body.js';
import { nodeResponse, type RouteInfo, routeLabel } from './shared.js';

export { CLIENT_CLOSED_STATUS } from '../core.js';
export * from '../public.js';
export { instrument } from './instrument.js';

export type HonoHttpMetricsOptions = HttpMetricsOptions<Context>;

/** `responseSize` of a streamed body: its bytes are being counted as they pass. */
const COUNTING = -2;

/**
 * Records every request in the HTTP server metrics. Register it first (`app.use(...)`)
 * so it wraps every handler. The route is the path of the handler that answered
 * (`/users/:id`, base paths included); when no handler matched, or the last one to run was
 * a middleware and the answer is 404 (Hono's not-found handler), it is `<unmatched>`. A
 * handler that throws counts as the status Hono's error handler answers (500 by default).
 *
 * On Node (@hono/node-server) a request counts when its response closes, as with the
 * node:http, Express and Fastify adapters: the duration runs to the last byte (streamed
 * bodies included), and a client that leaves before the response ended counts as 499. On
 * other runtimes it counts when the handlers return (499 if the request's signal was
 * aborted by then); with `sizes`, a streamed body counts when it has been read to its end
 * (499 if cancelled first). With `sizes`, bodies without Content-Length are measured:
 * strings and buffers directly, streams by counting the bytes as they pass.
 *
 * Any middleware takes Hono off its one-handler fast path; {@link instrument} records the
 * same series without one, where throughput matters.
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

  /** On @hono/node-server: recorded when the node response closes, like the node:http adapter. */
  async function onNode(
    c: Context,
    next: Next,
    res: ServerResponse,
    m: number,
    span: ServerSpan | null,
  ): Promise<void> {
    const start = now();
    const mine = c.req.routeIndex;
    let responseBytes = -1;
    let tally: ByteTally | undefined;
    res.on('close', () => {
      const status = res.writableEnded ? res.statusCode : CLIENT_CLOSED_STATUS;
      const route = routeOf(c, mine, status);
      const requestBytes = sizes ? contentLength(c.req.header('content-length')) : -1;
      // A stream cut short by the client: the bytes that passed before it left.
      const bytes = tally === undefined ? responseBytes : tally.bytes;
      recorder.end(m, route, status, start, c, requestBytes, bytes, span);
    });
    // Resolves to nothing, like any middleware: what next() resolves to is Hono's own.
    await (span === null ? next() : span.run(next));
    // A streamed body is counted as it is written; 'close' comes after its last byte.
    if (sizes) {
      const counter = new ByteTally();
      responseBytes = responseSize(c, counter);
      if (responseBytes === COUNTING) tally = counter;
    }
  }

  /** Records a request of `onFetch`: 499 when the client's signal was aborted by then. */
  function record(
    c: Context,
    mine: number,
    m: number,
    start: number,
    span: ServerSpan | null,
    status: number,
    bytes: number,
  ): void {
    const code = status !== CLIENT_CLOSED_STATUS && c.req.raw.signal.aborted ? CLIENT_CLOSED_STATUS : status;
    const route = routeOf(c, mine, code);
    const requestBytes = sizes ? contentLength(c.req.header('content-length')) : -1;
    recorder.end(m, route, code, start, c, requestBytes, bytes, span);
  }

  /** Elsewhere (Bun, Deno, Workers, `app.request`): recorded when the handlers return. */
  async function onFetch(c: Context, next: Next, m: number, span: ServerSpan | null): Promise<void> {
    const start = now();
    const mine = c.req.routeIndex;
    try {
      await (span === null ? next() : span.run(next));
    } catch (error) {
      // Something other than an Error escaped Hono's error handler: counted as a 500, rethrown.
      record(c, mine, m, start, span, 500, -1);
      throw error;
    }
    const status = c.res.status;
    if (!sizes) return record(c, mine, m, start, span, status, -1);
    const tally = new ByteTally();
    const bytes = responseSize(c, tally);
    if (bytes !== COUNTING) return record(c, mine, m, start, span, status, bytes);
    // A streamed body counts once it has been read to its end, or as 499 if cancelled first.
    tally.done = (counted, complete) =>
      record(c, mine, m, start, span, complete ? status : CLIENT_CLOSED_STATUS, counted);
  }

  return function vigilHttpMetrics(c, next) {
    if (excluded?.(c.req.path)) return next();
    const m = recorder.begin(c.req.method);
    const span = traced ? recorder.startSpan(m, c.req.raw.headers, c.req.path) : null;
    const res = nodeResponse(c.env);
    return res === undefined ? onFetch(c, next, m, span) : onNode(c, next, res, m, span);
  };
}

/**
 * The response's size in bytes: Content-Length, else the body's own size. A streamed body
 * is wrapped to count its bytes into `tally` as they pass: COUNTING.
 */
function responseSize(c: Context, tally: ByteTally): number {
  const res = c.res;
  const measured = measureBody(res);
  if (typeof measured === 'number') return measured;
  // Unset first: assigning over a response would copy it once more to merge headers.
  c.res = undefined;
  c.res = new Response(countingStream(measured, tally), res);
  return COUNTING;
}

function routeOf(c: Context, mine: number, status: number): string {
  const i = c.req.routeIndex;
  // Nothing after this middleware ran: no route matched, Hono's not-found handler answered.
  if (i === mine) return UNMATCHED_ROUTE;
  const route = matchedRoute(c, i);
  return route === undefined ? UNMATCHED_ROUTE : routeLabel(route, status);
}

/** The symbol of HonoRequest's match-result getter; null once known to be absent. */
let matchResultKey: symbol | null | undefined;

/**
 * The i-th matched route of a request. `c.req.matchedRoutes` (and the `hono/route` helper)
 * build an array of every matched route on each call; this reads the one entry from the
 * match result that getter maps over (`[[handler, route], params][]`), found once by its
 * symbol. `matchedRoutes` stays the fallback, so any Hono 4 works and this module imports
 * nothing at runtime.
 */
function matchedRoute(c: Context, i: number): RouteInfo | undefined {
  if (matchResultKey === undefined) matchResultKey = findMatchResultKey(c.req);
  if (matchResultKey !== null) {
    const result = (c.req as unknown as Record<symbol, [[[unknown, RouteInfo], unknown][]] | undefined>)[
      matchResultKey
    ];
    const entry = result?.[0][i];
    if (entry !== undefined) return entry[0][1];
  }
  return (c.req.matchedRoutes as readonly RouteInfo[])[i];
}

function findMatchResultKey(req: object): symbol | null {
  const proto = Object.getPrototypeOf(req) as object;
  for (const key of Object.getOwnPropertySymbols(proto)) {
    if (typeof Object.getOwnPropertyDescriptor(proto, key)?.get !== 'function') continue;
    // The match result is [[[handler, route], params], ...] (plus stash): check the shape.
    const result = (req as Record<symbol, unknown>)[key];
    const first = Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as unknown[])[0] : undefined;
    const pair = Array.isArray(first) ? first[0] : undefined;
    if (Array.isArray(pair) && typeof (pair[1] as RouteInfo | undefined)?.path === 'string') return key;
  }
  return null;
}
