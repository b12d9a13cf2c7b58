import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultRegistry, type Registry } from '../metrics/registry.js';
import type { MetricsHandlerOptions } from './options.js';
import { createResponder, type Reply, type ScrapeRequest } from './respond.js';

/** A fetch-style handler: a `Request` in, a `Response` out (Hono, Bun, Deno, workers). */
export type MetricsFetchHandler = (request: Request) => Promise<Response>;

/**
 * A node:http request listener serving the registry; it also mounts in Express and
 * Connect. `.fetch` is the same endpoint (sharing its state) for fetch-style frameworks.
 */
export interface MetricsHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly fetch: MetricsFetchHandler;
}

/**
 * Serves a registry as Prometheus text 0.0.4 or OpenMetrics (from `Accept`), gzipped when
 * `Accept-Encoding` allows it. GET and HEAD; other methods get 405 with `Allow`. A collect
 * callback that fails is counted in `vigil_scrape_errors_total{collector}` and the other
 * families are served (or, with `onCollectError: 'fail'`, the scrape answers 500). Never
 * throws: an unexpected failure answers a plain 500.
 *
 * @example
 * import express from 'express';
 * import { metricsHandler } from 'vigil/exporter';
 *
 * const app = express();
 * app.get('/prometheus/metrics', metricsHandler(registry, { auth: { bearer: process.env.METRICS_TOKEN } }));
 * app.get('/metrics', (req, res) => res.json(appStats())); // your own JSON stays where it is
 *
 * @example
 * // node:http
 * http.createServer(metricsHandler()).listen(9464, '127.0.0.1');
 *
 * @example
 * // Hono
 * const handler = metricsHandler(registry);
 * app.get('/metrics', (c) => handler.fetch(c.req.raw));
 */
export function metricsHandler(
  registry: Registry = defaultRegistry,
  options: MetricsHandlerOptions = {},
): MetricsHandler {
  const respond = createResponder(registry, options);
  const handler = function metrics(req: IncomingMessage, res: ServerResponse): void {
    const headers = req.headers;
    respond({
      method: req.method ?? 'GET',
      accept: headers.accept,
      acceptEncoding: headers['accept-encoding'],
      authorization: headers.authorization,
    }).then(
      (reply) => send(res, reply),
      () => res.destroy(),
    );
  };
  return Object.assign(handler, { fetch: fetchOf(respond) });
}

/**
 * The fetch-style form of `metricsHandler`, for frameworks built on `Request`/`Response`.
 *
 * @example
 * import { Hono } from 'hono';
 * import { metricsFetchHandler } from 'vigil/exporter';
 *
 * const metrics = metricsFetchHandler(registry);
 * const app = new Hono();
 * app.get('/metrics', (c) => metrics(c.req.raw));
 */
export function metricsFetchHandler(
  registry: Registry = defaultRegistry,
  options: MetricsHandlerOptions = {},
): MetricsFetchHandler {
  return fetchOf(createResponder(registry, options));
}

function fetchOf(respond: (request: ScrapeRequest) => Promise<Reply>): MetricsFetchHandler {
  return async function metricsFetch(request: Request): Promise<Response> {
    const headers = request.headers;
    const reply = await respond({
      method: request.method,
      accept: headers.get('accept'),
      acceptEncoding: headers.get('accept-encoding'),
      authorization: headers.get('authorization'),
    });
    const b = reply.body;
    // A view of the Buffer's bytes, not a copy of a scrape that may be megabytes.
    const body =
      b === null || typeof b === 'string' ? b : new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.length);
    return new Response(body, { status: reply.status, headers: reply.headers });
  };
}

function send(res: ServerResponse, reply: Reply): void {
  // The client may have gone away while the scrape ran.
  if (res.headersSent || res.destroyed) return;
  try {
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body ?? undefined);
  } catch {
    res.destroy();
  }
}
