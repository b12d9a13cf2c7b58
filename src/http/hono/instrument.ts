/**
 * `instrument(app)`: Hono's HTTP server metrics without a middleware. Any `app.use()`
 * middleware takes every request off Hono's one-handler fast path (compose, an async chain,
 * and on @hono/node-server the asynchronous response path), which alone costs about a tenth
 * of a small app's throughput. This records the same series by wrapping each handler as
 * the app's router receives it, so a request still meets exactly the handlers it matched.
 */
import type { ServerResponse } from 'node:http';
import type { Context, Hono, Next } from 'hono';
import type { H, RouterRoute } from 'hono/types';
import type { ServerSpan } from '../../tracing/server-span.js';
import { CLIENT_CLOSED_STATUS, contentLength, HttpRecorder, invalidOption, now, UNMATCHED_ROUTE } from '../core.js';
import { type BodyTally, responseBytes, tallyBody } from '../node-body.js';
import { ByteTally, countingStream, measureBody } from './body.js';
import type { HonoHttpMetricsOptions } from './index.js';
import { nodeResponse, routeLabel } from './shared.js';

/** Where a request's state sits on its Hono Context (null: excluded path). */
const STATE = Symbol('vigil.http');

/** Marks an app whose router is already wrapped. */
const INSTRUMENTED = Symbol('vigil.http.instrumented');

/** The one router entry a request that matched nothing gets, so that it is seen too. */
const UNMATCHED: RouterRoute = {
  basePath: '/',
  path: '/*',
  method: 'ALL',
  // Returns nothing: Hono then answers with its not-found handler, synchronously.
  handler: () => undefined as unknown as Response,
};

type Router = Hono['router'];
type MatchResult = ReturnType<Router['match']>;
type FetchFn = Hono['fetch'];
type Env = Parameters<FetchFn>[1];
type ExecutionCtx = Parameters<FetchFn>[2];

/** A request being recorded: created by the first handler it reaches. */
class RequestState {
  readonly start = now();
  /** The route of the last handler the request reached: the one that answered. */
  route: RouterRoute;
  /** Node only, with `sizes`: the bytes written to the node:http response. */
  tally: BodyTally | null = null;
  constructor(
    readonly c: Context,
    readonly m: number,
    readonly span: ServerSpan | null,
    route: RouterRoute,
  ) {
    this.route = route;
  }
}

type Stateful = Context & { [STATE]?: RequestState | null };

/**
 * Records every request of `app` in the HTTP server metrics, like `app.use(httpMetrics())`
 * (same series, options and route rules) but without adding a middleware to each request.
 * Call it right after `new Hono()`, before any route, middleware, `basePath()` or
 * `route()`: it wraps handlers as they are added, and replaces `app.fetch` (take
 * `app.fetch` after this call). Returns `app`.
 *
 * On @hono/node-server a request counts when its node:http response closes (499 if the
 * client left first); elsewhere (`app.request()`, Bun, Deno, Workers) when `app.fetch`'s
 * response is ready, or for a streamed body with `sizes`, once it has been read.
 *
 * @example
 * import { Hono } from 'hono';
 * import { instrument } from 'vigil/http/hono';
 *
 * const app = instrument(new Hono(), { statusGrouping: true });
 * app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
 */
// biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its Env and schema
export function instrument<A extends Hono<any, any, any>>(app: A, options: HonoHttpMetricsOptions = {}): A {
  const target = app as unknown as Hono & { [INSTRUMENTED]?: true };
  if (target === null || typeof target !== 'object' || typeof target.router?.add !== 'function') {
    throw invalidOption('instrument(app) needs a Hono app (new Hono()).');
  }
  if (target[INSTRUMENTED]) throw invalidOption('this Hono app is instrumented already: call instrument(app) once.');
  if (target.routes.length > 0) {
    throw invalidOption(
      `instrument(app) must come before the app's routes and middleware (it has ${target.routes.length}): ` +
        'call it right after new Hono(), or use app.use(httpMetrics()) first instead.',
    );
  }
  const recorder = new HttpRecorder<Context>(options);
  const excluded = recorder.isExcluded;
  const sizes = recorder.sizes;
  const traced = recorder.tracing !== null;
  /** Off Node: the request the current `fetch` call began, handed from its first handler. */
  let begun: RequestState | null = null;

  function finish(state: RequestState, status: number, bytes: number): void {
    const route = state.route === UNMATCHED ? UNMATCHED_ROUTE : routeLabel(state.route, status);
    const c = state.c;
    const requestBytes = sizes ? contentLength(c.req.header('content-length')) : -1;
    recorder.end(state.m, route, status, state.start, c, requestBytes, bytes, state.span);
  }

  /** The close listener of a request on node:http; returned unnamed (see the Fastify adapter). */
  function onClose(state: RequestState, res: ServerResponse): () => void {
    return () => {
      const status = res.writableEnded ? res.statusCode : CLIENT_CLOSED_STATUS;
      const tally = state.tally;
      finish(state, status, tally === null ? -1 : responseBytes(res, state.c.req.method, tally));
    };
  }

  /** The first handler a request reaches starts recording it. */
  function begin(c: Stateful, next: Next, handler: H, route: RouterRoute): unknown {
    const path = c.req.path;
    if (excluded?.(path)) {
      c[STATE] = null;
      return handler(c, next);
    }
    const m = recorder.begin(c.req.method);
    const span = traced ? recorder.startSpan(m, c.req.raw.headers, path) : null;
    const state = new RequestState(c, m, span, route);
    c[STATE] = state;
    const res = nodeResponse(c.env);
    if (res === undefined) {
      begun = state;
    } else {
      if (sizes) state.tally = tallyBody(res);
      res.on('close', onClose(state, res));
    }
    // The rest of the request, later handlers included, runs inside the span.
    return span === null ? handler(c, next) : span.run(() => handler(c, next));
  }

  function wrap(handler: H, route: RouterRoute): H {
    return function vigilRecorded(c: Stateful, next: Next) {
      const state = c[STATE];
      if (state === undefined) return begin(c, next, handler, route);
      if (state !== null) state.route = route;
      return handler(c, next);
    } as H;
  }

  const router = target.router;
  const unmatched: MatchResult = [[[[wrap(UNMATCHED.handler, UNMATCHED), UNMATCHED], {}]]];
  target.router = {
    name: router.name,
    add(method, path, [handler, route]) {
      router.add(method, path, [wrap(handler, route), route]);
    },
    match(method, path) {
      const result = router.match(method, path);
      return result[0].length === 0 ? unmatched : result;
    },
  };

  /** Off Node: records the response `fetch` returns (a streamed body once it is read). */
  function complete(state: RequestState, response: Response): Response {
    const status = state.c.req.raw.signal.aborted ? CLIENT_CLOSED_STATUS : response.status;
    if (!sizes) {
      finish(state, status, -1);
      return response;
    }
    const measured = measureBody(response);
    if (typeof measured === 'number') {
      finish(state, status, measured);
      return response;
    }
    const tally = new ByteTally();
    tally.done = (bytes, whole) => finish(state, whole ? status : CLIENT_CLOSED_STATUS, bytes);
    return new Response(countingStream(measured, tally), response);
  }

  /** `fetch` recording the requests it begins; `app.basePath()` clones get one too. */
  function recordFetch(on: Hono): void {
    const fetch = on.fetch;
    on.fetch = (request: Request, env?: Env, executionCtx?: ExecutionCtx): Response | Promise<Response> => {
      // Saved and restored: a handler may call app.fetch itself (a sub-request).
      const outer = begun;
      begun = null;
      let out: Response | Promise<Response>;
      try {
        out = fetch(request, env, executionCtx);
      } catch (error) {
        // Only what Hono's error handler rethrows (not an Error) gets here.
        if (begun !== null) finish(begun, 500, -1);
        begun = outer;
        throw error;
      }
      const state = begun;
      begun = outer;
      if (state === null) return out;
      if (out instanceof Response) return complete(state, out);
      return out.then(
        (response) => complete(state, response),
        (error: unknown) => {
          finish(state, 500, -1);
          throw error;
        },
      );
    };
    const basePath = on.basePath;
    on.basePath = ((path: string) => {
      const clone = basePath.call(on, path) as Hono;
      recordFetch(clone);
      return clone;
    }) as Hono['basePath'];
  }
  recordFetch(target);
  target[INSTRUMENTED] = true;
  return app;
}
