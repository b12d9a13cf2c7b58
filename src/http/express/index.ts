/**
 * vigil/http/express: HTTP server metrics middleware for Express 4 and 5. Express is only
 * referenced for its types: this module loads no package at runtime (node:events only).
 */
import { EventEmitter } from 'node:events';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ServerSpan } from '../../tracing/server-span.js';
import {
  CLIENT_CLOSED_STATUS,
  contentLength,
  type HttpMetricsOptions,
  HttpRecorder,
  invalidOption,
  now,
  pathOf,
  UNMATCHED_ROUTE,
} from '../core.js';
import { type BodyTally, responseBytes, tallyBody } from '../node-body.js';

export { CLIENT_CLOSED_STATUS } from '../core.js';
export * from '../public.js';

export interface ExpressHttpMetricsOptions extends HttpMetricsOptions<Request> {
  /**
   * Overrides the route template, asked when the response closes; `undefined` falls back
   * to Express' own (`req.baseUrl` + `req.route.path`). Needed for routers mounted on a
   * path with parameters (`app.use('/orgs/:org', router)`): Express reports such a mount
   * point with its values in `req.baseUrl`, not as a template.
   */
  getRoute?: (req: Request) => string | null | undefined;
}

/** `res.on` without looking `on` up on a response whose hidden class is new (see below). */
const addListener = EventEmitter.prototype.on;

/** Beyond this many (mount point, route) pairs, templates are joined per request instead of cached. */
const MAX_TEMPLATES = 2_000;

/**
 * Records every request in the HTTP server metrics. Mount it first, before routers, so it
 * sees every request; the route is the template Express matched (`/users/:id`, with the
 * router's mount path in front), `<unmatched>` when none did. A request counts once its
 * response is over: ended (its status; at once when the route answered synchronously, else
 * when the response closes), or abandoned by the client (499). Errors that
 * reach Express' final handler count as the 500 it sends.
 *
 * @example
 * import express from 'express';
 * import { httpMetrics } from 'vigil/http/express';
 *
 * const app = express();
 * app.use(httpMetrics({ excludePaths: ['/metrics', '/healthz'] }));
 * app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));
 */
export function httpMetrics(options: ExpressHttpMetricsOptions = {}): RequestHandler {
  const recorder = new HttpRecorder<Request>(options);
  const routeOf = routeResolver(options.getRoute);
  const excluded = recorder.isExcluded;
  const sizes = recorder.sizes;
  const traced = recorder.tracing !== null;
  function record(
    req: Request,
    res: Response,
    m: number,
    start: number,
    status: number,
    tally: BodyTally | null,
    span: ServerSpan | null,
  ): void {
    recorder.end(
      m,
      routeOf(req),
      status,
      start,
      req,
      sizes ? contentLength(req.headers['content-length']) : -1,
      tally === null ? -1 : responseBytes(res, req.method, tally),
      span,
    );
  }

  return function vigilHttpMetrics(req: Request, res: Response, next: NextFunction): void {
    // Express gives every request and response a fresh hidden class (it swaps their
    // prototypes per request), so each property read on them misses V8's inline caches and
    // costs a slow lookup: this reads as few of them as it can, each once.
    const url = req.originalUrl ?? req.url;
    if (excluded?.(pathOf(url))) {
      next();
      return;
    }
    const start = now();
    const m = recorder.begin(req.method);
    const span = traced ? recorder.startSpan(m, req.headers, pathOf(url)) : null;
    const tally = sizes ? tallyBody(res) : null;
    try {
      if (span === null) next();
      else span.run(next);
    } finally {
      // A route that answers synchronously has ended the response by now: recorded at once,
      // without a 'close' listener. Any other waits for 'close' (after this returns), with
      // its state in this closure rather than in properties added to `res`. `finished` is
      // what the `writableEnded` getter returns, without the getter's lookup.
      if (res.finished) {
        record(req, res, m, start, res.statusCode, tally, span);
      } else {
        addListener.call(res, 'close', () => {
          record(req, res, m, start, res.finished ? res.statusCode : CLIENT_CLOSED_STATUS, tally, span);
        });
      }
    }
  };
}

function routeResolver(getRoute: ExpressHttpMetricsOptions['getRoute']): (req: Request) => string {
  if (getRoute !== undefined && typeof getRoute !== 'function') {
    throw invalidOption('getRoute must be a function (req) => route template.');
  }
  // baseUrl -> route path -> joined template: no string is built per request.
  const templates = new Map<string, Map<unknown, string>>();
  let cached = 0;
  const expressRoute = (req: Request): string => {
    const route = (req as { route?: { path?: unknown } }).route;
    if (route === undefined || route === null) return UNMATCHED_ROUTE;
    const base = req.baseUrl ?? '';
    const path = route.path;
    let byPath = templates.get(base);
    let template = byPath?.get(path);
    if (template !== undefined) return template;
    template = base + describePath(path);
    if (cached < MAX_TEMPLATES) {
      if (byPath === undefined) {
        byPath = new Map();
        templates.set(base, byPath);
      }
      byPath.set(path, template);
      cached++;
    }
    return template;
  };
  if (getRoute === undefined) return expressRoute;
  return (req) => {
    let route: unknown;
    try {
      route = getRoute(req);
    } catch {
      route = undefined;
    }
    return typeof route === 'string' ? route : expressRoute(req);
  };
}

/** A route path as Express accepts it: a string, a RegExp, or an array of them. */
function describePath(path: unknown): string {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return path.source;
  if (Array.isArray(path)) return path.map(describePath).join('|');
  return UNMATCHED_ROUTE;
}
