/**
 * vigil/http/fastify: HTTP server metrics as a Fastify 4/5 plugin. Fastify is only
 * referenced for its types: this module loads no package at runtime (the plugin carries
 * fastify-plugin's marker itself).
 */
import type { ServerResponse } from 'node:http';
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import type { ServerSpan } from '../../tracing/server-span.js';
import {
  CLIENT_CLOSED_STATUS,
  contentLength,
  type HttpMetricsOptions,
  HttpRecorder,
  now,
  pathOf,
  UNMATCHED_ROUTE,
} from '../core.js';
import { type BodyTally, responseBytes, tallyBody } from '../node-body.js';

export { CLIENT_CLOSED_STATUS } from '../core.js';
export * from '../public.js';

export type FastifyHttpMetricsOptions = HttpMetricsOptions<FastifyRequest>;

/**
 * A Fastify plugin recording every request in the HTTP server metrics, app-wide (it skips
 * Fastify's encapsulation, like plugins wrapped in fastify-plugin). Register it before the
 * routes. The route is `request.routeOptions.url` (prefixes included), `<unmatched>` for the
 * not-found handler. A request counts once its response is over: sent (its status; at once
 * when the handler replied synchronously, else when the response closes), or abandoned by
 * the client (499). `await app.inject()` sees it at once.
 *
 * @example
 * import Fastify from 'fastify';
 * import { httpMetrics } from 'vigil/http/fastify';
 *
 * const app = Fastify();
 * await app.register(httpMetrics({ statusGrouping: true }));
 * app.get('/users/:id', async (request) => ({ id: request.params }));
 */
export function httpMetrics(options: FastifyHttpMetricsOptions = {}): FastifyPluginCallback {
  const recorder = new HttpRecorder<FastifyRequest>(options);
  const excluded = recorder.isExcluded;
  const sizes = recorder.sizes;
  const traced = recorder.tracing !== null;
  function record(
    request: FastifyRequest,
    res: ServerResponse,
    m: number,
    start: number,
    status: number,
    tally: BodyTally | null,
    span: ServerSpan | null,
  ): void {
    recorder.end(
      m,
      routeOf(request),
      status,
      start,
      request,
      sizes ? contentLength(request.headers['content-length']) : -1,
      tally === null ? -1 : responseBytes(res, request.raw.method, tally),
      span,
    );
  }

  /**
   * The 'close' listener of a request still open when its hooks and handler have returned.
   * Its state lives in this closure, not in properties added to the raw response (objects
   * Node owns keep their shape). It is returned unnamed: bundlers that keep function names
   * (esbuild's keepNames, used by tsx) would otherwise rename every closure at creation.
   */
  function onCloseOf(
    request: FastifyRequest,
    res: ServerResponse,
    m: number,
    start: number,
    tally: BodyTally | null,
    span: ServerSpan | null,
  ): () => void {
    return () => record(request, res, m, start, res.writableEnded ? res.statusCode : CLIENT_CLOSED_STATUS, tally, span);
  }

  function onRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (excluded?.(pathOf(request.raw.url))) {
      done();
      return;
    }
    const start = now();
    const m = recorder.begin(request.raw.method);
    const span = traced ? recorder.startSpan(m, request.headers, pathOf(request.raw.url)) : null;
    const res = reply.raw;
    const tally = sizes ? tallyBody(res) : null;
    try {
      // The rest of the lifecycle (handler included) runs from done(): inside the span.
      if (span === null) done();
      else span.run(done);
    } finally {
      // A synchronous handler has sent its reply by now: recorded at once, without a
      // 'close' listener. Any other (async handlers, streams) is recorded on 'close', when
      // the response is done or the client left. Under inject() too: light-my-request emits
      // it from the same tick queue as the callback that settles inject's promise, so
      // before code awaiting that promise resumes.
      if (res.writableEnded) record(request, res, m, start, res.statusCode, tally, span);
      else res.on('close', onCloseOf(request, res, m, start, tally, span));
    }
  }

  function vigilHttpMetrics(fastify: FastifyInstance, _opts: unknown, done: (err?: Error) => void): void {
    fastify.addHook('onRequest', onRequest);
    done();
  }
  // fastify-plugin's markers, set by hand: apply to the whole app, show a readable name.
  Object.assign(vigilHttpMetrics, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'vigil-http-metrics',
    [Symbol.for('plugin-meta')]: { name: 'vigil-http-metrics' },
  });
  return vigilHttpMetrics as FastifyPluginCallback;
}

/** The symbol Fastify keeps a request's route context under; null once known to be absent. */
let contextKey: symbol | null | undefined;

/**
 * The route template of a request, `<unmatched>` for the not-found handler. This is
 * `request.routeOptions.url`, read from the route context that getter reads: the getter
 * builds a dozen-field object on every call, which showed in the per-request cost.
 */
function routeOf(request: FastifyRequest): string {
  if (contextKey === undefined) {
    contextKey = Object.getOwnPropertySymbols(request).find((s) => s.description === 'fastify.context') ?? null;
  }
  if (contextKey !== null) {
    const context = (request as unknown as Record<symbol, { config?: { url?: string } } | undefined>)[contextKey];
    if (context !== undefined) return context.config?.url ?? UNMATCHED_ROUTE;
  }
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}
