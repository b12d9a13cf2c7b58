/**
 * vigil/http/node: HTTP server metrics for a plain node:http request listener.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
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
import { compileRoutes } from './routes.js';

export { CLIENT_CLOSED_STATUS } from '../core.js';
export * from '../public.js';
export { compileRoutes } from './routes.js';

/** A node:http request listener, sync or async. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface NodeHttpMetricsOptions extends HttpMetricsOptions<IncomingMessage> {
  /**
   * Route templates to match request paths against: `'/users/:id'`, `'/static/*'`.
   * A path that matches none is recorded as {@link UNMATCHED_ROUTE}.
   */
  routes?: readonly string[];
  /**
   * The route template of a request, asked when the request ends (so the listener may
   * have stored it on `req`). `undefined` falls back to `routes`, then to the unmatched value.
   */
  getRoute?: (req: IncomingMessage) => string | null | undefined;
  /**
   * Called when the listener throws or its promise rejects, after Vigil answered 500 (if
   * nothing was sent yet) and recorded it. Default: `console.error(error)`.
   */
  onError?: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Wraps a request listener so every request is recorded in the HTTP server metrics
 * (`http_server_requests_total`, `http_server_request_duration_seconds`,
 * `http_server_requests_in_flight`). A request counts once it is over: ended by the listener
 * (its status; recorded as the listener returns if it ended the response by then, else when
 * the response closes), abandoned by the client (499), or failed in the listener (500).
 *
 * @example
 * import { createServer } from 'node:http';
 * import { instrument } from 'vigil/http/node';
 *
 * const server = createServer(
 *   instrument((req, res) => res.end('ok'), { routes: ['/users/:id', '/health'] }),
 * );
 */
export function instrument(listener: RequestListener, options: NodeHttpMetricsOptions = {}): RequestListener {
  if (typeof listener !== 'function') throw invalidOption('instrument(listener) needs a request listener function.');
  const recorder = new HttpRecorder<IncomingMessage>(options);
  const routeOf = routeResolver(options);
  const excluded = recorder.isExcluded;
  const sizes = recorder.sizes;
  const onError = options.onError ?? defaultOnError;
  const traced = recorder.tracing !== null;
  function fail(error: unknown, req: IncomingMessage, res: ServerResponse): void {
    if (!res.writableEnded) {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    }
    onError(error, req, res);
  }

  function record(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    m: number,
    start: number,
    status: number,
    tally: BodyTally | null,
    span: ServerSpan | null,
  ): void {
    recorder.end(
      m,
      routeOf(req, path),
      status,
      start,
      req,
      sizes ? contentLength(req.headers['content-length']) : -1,
      tally === null ? -1 : responseBytes(res, req.method, tally),
      span,
    );
  }

  return function vigilInstrumented(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const path = pathOf(req.url);
    if (excluded?.(path)) return listener(req, res);
    const start = now();
    const m = recorder.begin(req.method);
    const span = traced ? recorder.startSpan(m, req.headers, path) : null;
    const tally = sizes ? tallyBody(res) : null;
    let result: void | Promise<void>;
    try {
      result = span === null ? listener(req, res) : span.run(() => listener(req, res));
    } catch (error) {
      const failed = !res.writableEnded;
      fail(error, req, res);
      record(req, res, path, m, start, failed ? 500 : res.statusCode, tally, span);
      return;
    }
    // Most listeners end their response before they return: the request is recorded now,
    // without a 'close' listener per request. Any other waits for 'close' (nothing can
    // close it before this function returns): ended (its status), abandoned (499) or
    // failed (500). Its state lives in the closure, not in properties added to `res`:
    // objects Node owns keep their shape, so its own http code stays monomorphic.
    let failed = false;
    if (res.writableEnded) {
      record(req, res, path, m, start, res.statusCode, tally, span);
    } else {
      res.on('close', () => {
        const status = failed ? 500 : res.writableEnded ? res.statusCode : CLIENT_CLOSED_STATUS;
        record(req, res, path, m, start, status, tally, span);
      });
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      return (result as Promise<void>).then(undefined, (error: unknown) => {
        failed = !res.writableEnded;
        fail(error, req, res);
      });
    }
    return result;
  };
}

function routeResolver(options: NodeHttpMetricsOptions): (req: IncomingMessage, path: string) => string {
  const { getRoute, routes } = options;
  if (getRoute !== undefined && typeof getRoute !== 'function') {
    throw invalidOption('getRoute must be a function (req) => route template.');
  }
  const match = routes === undefined ? undefined : compileRoutes(routes);
  const matched =
    match === undefined
      ? () => UNMATCHED_ROUTE
      : (_req: IncomingMessage, path: string) => match(path) ?? UNMATCHED_ROUTE;
  if (getRoute === undefined) return matched;
  return (req, path) => {
    let route: unknown;
    try {
      route = getRoute(req);
    } catch {
      route = undefined;
    }
    return typeof route === 'string' ? route : matched(req, path);
  };
}

function defaultOnError(error: unknown): void {
  console.error(error);
}
