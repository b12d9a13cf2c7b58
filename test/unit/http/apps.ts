/**
 * The same small application written for each framework, instrumented with Vigil's
 * adapter for it. The conformance cases (common.case.ts) and the Prometheus test run
 * against these, so every adapter faces identical routes:
 *
 *   GET    /users/:id               200 "user"
 *   POST   /users                   201 "created" (Content-Length 7)
 *   DELETE /users/:id               204
 *   GET    /orgs/:org/repos/:repo   200
 *   GET    /api/items/:item         200, from a router mounted at /api (a prefix)
 *   GET    /boom                    the handler throws
 *   GET    /slow                    200 once hooks.slow() resolves
 *   GET    /healthz                 200
 *   GET    /metrics                 the registry in Prometheus text format
 *   anything else                   404
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import type { HttpMetricsOptions } from '../../../src/http/core.js';
import { httpMetrics as expressMetrics } from '../../../src/http/express/index.js';
import { httpMetrics as fastifyMetrics } from '../../../src/http/fastify/index.js';
import { httpMetrics as honoMetrics, instrument as instrumentHono } from '../../../src/http/hono/index.js';
import { compileRoutes, instrument, type NodeHttpMetricsOptions } from '../../../src/http/node/index.js';
import type { Registry } from '../../../src/metrics/index.js';

export type AdapterName = 'node' | 'express' | 'fastify' | 'hono' | 'hono-app';

/** A metrics endpoint in both forms, like the exporter's `metricsHandler(registry)`. */
export interface MetricsEndpoint {
  (req: IncomingMessage, res: ServerResponse): void;
  fetch(request: Request): Promise<Response>;
}

export interface AppHooks {
  /** Awaited by GET /slow before it answers. */
  slow: () => Promise<void>;
  /** Serves GET /metrics when given; otherwise `registry.metrics()` is sent as text. */
  metrics?: MetricsEndpoint;
}

/** Options every adapter accepts; `registry` is required so tests never share state. */
// biome-ignore lint/suspicious/noExplicitAny: the request type differs per adapter
export type AppOptions = HttpMetricsOptions<any> & { registry: Registry };

export interface RequestInit {
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface RunningApp {
  /** `http://127.0.0.1:PORT` when listening on a socket. */
  url: string | undefined;
  /** One request; resolves to the status code (the body is read and dropped). */
  request(method: string, path: string, init?: RequestInit): Promise<number>;
  close(): Promise<void>;
}

export interface AdapterKit {
  name: AdapterName;
  /** Reads a request header from whatever the adapter passes to custom label functions. */
  header(req: unknown, name: string): string | undefined;
  /**
   * Starts the app. `listen: false` uses the framework's in-process path where it has one
   * (fastify.inject, Hono's app.request); node:http and Express always listen on 127.0.0.1:0.
   */
  start(options: AppOptions, hooks: AppHooks, listen: boolean): Promise<RunningApp>;
}

export const NODE_ROUTES = [
  '/users/:id',
  '/users',
  '/orgs/:org/repos/:repo',
  '/api/items/:item',
  '/boom',
  '/slow',
  '/healthz',
  '/metrics',
] as const;

const noHooks: AppHooks = { slow: async () => {} };

async function listenOn(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

/** A client over fetch for an app listening on `url`. */
function socketApp(url: string, close: () => Promise<void>): RunningApp {
  return {
    url,
    async request(method, path, init = {}) {
      const res = await fetch(url + path, { method, ...init });
      await res.arrayBuffer();
      return res.status;
    },
    close,
  };
}

async function exposition(registry: Registry): Promise<[string, string]> {
  return [await registry.metrics(), registry.contentType()];
}

// ---- node:http ------------------------------------------------------------------------

const nodeKit: AdapterKit = {
  name: 'node',
  header: (req, name) => (req as IncomingMessage).headers[name] as string | undefined,
  async start(options, hooks = noHooks) {
    const match = compileRoutes(NODE_ROUTES);
    const listener = async (req: IncomingMessage, res: ServerResponse) => {
      const q = (req.url ?? '/').indexOf('?');
      const path = q === -1 ? (req.url ?? '/') : (req.url ?? '/').slice(0, q);
      const route = match(path);
      const send = (status: number, body = '') => {
        res.statusCode = status;
        if (body !== '') res.setHeader('content-length', Buffer.byteLength(body));
        res.end(body);
      };
      if (route === '/users/:id' && req.method === 'GET') return send(200, 'user');
      if (route === '/users/:id' && req.method === 'DELETE') return send(204);
      if (route === '/users' && req.method === 'POST') {
        for await (const _ of req);
        return send(201, 'created');
      }
      if (route === '/orgs/:org/repos/:repo' && req.method === 'GET') return send(200, 'repo');
      if (route === '/api/items/:item' && req.method === 'GET') return send(200, 'item');
      if (route === '/boom' && req.method === 'GET') throw new Error('boom');
      if (route === '/slow' && req.method === 'GET') {
        await hooks.slow();
        return send(200, 'slow');
      }
      if (route === '/healthz' && req.method === 'GET') return send(200, 'ok');
      if (route === '/metrics' && req.method === 'GET') {
        if (hooks.metrics) return hooks.metrics(req, res);
        const [text, type] = await exposition(options.registry);
        res.setHeader('content-type', type);
        return send(200, text);
      }
      return send(404, 'not found');
    };
    const nodeOptions: NodeHttpMetricsOptions = { routes: NODE_ROUTES, onError: () => {}, ...options };
    const server = createServer(instrument(listener, nodeOptions));
    const url = await listenOn(server);
    return socketApp(url, () => closeServer(server));
  },
};

// ---- Express --------------------------------------------------------------------------

const expressKit: AdapterKit = {
  name: 'express',
  header: (req, name) => (req as express.Request).headers[name] as string | undefined,
  async start(options, hooks = noHooks) {
    const app = express();
    app.use(expressMetrics(options));
    app.get('/users/:id', (_req, res) => {
      res.send('user');
    });
    app.delete('/users/:id', (_req, res) => {
      res.status(204).end();
    });
    app.post('/users', express.text({ type: '*/*' }), (_req, res) => {
      res.status(201).send('created');
    });
    app.get('/orgs/:org/repos/:repo', (_req, res) => {
      res.send('repo');
    });
    const api = express.Router();
    api.get('/items/:item', (_req, res) => {
      res.send('item');
    });
    app.use('/api', api);
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/slow', async (_req, res) => {
      await hooks.slow();
      res.send('slow');
    });
    app.get('/healthz', (_req, res) => {
      res.send('ok');
    });
    app.get('/metrics', async (req, res) => {
      if (hooks.metrics) return hooks.metrics(req, res);
      const [text, type] = await exposition(options.registry);
      res.type(type).send(text);
    });
    // Express logs errors that reach its final handler unless env is 'test'.
    app.set('env', 'test');
    const server = createServer(app);
    const url = await listenOn(server);
    return socketApp(url, () => closeServer(server));
  },
};

// ---- Fastify --------------------------------------------------------------------------

const fastifyKit: AdapterKit = {
  name: 'fastify',
  header: (req, name) => (req as { headers: Record<string, string | undefined> }).headers[name],
  async start(options, hooks = noHooks, listen = false) {
    const app = Fastify();
    await app.register(fastifyMetrics(options));
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.get('/users/:id', async () => 'user');
    app.delete('/users/:id', async (_req, reply) => reply.code(204).send());
    app.post('/users', async (_req, reply) => reply.code(201).send('created'));
    app.get('/orgs/:org/repos/:repo', async () => 'repo');
    await app.register(
      async (api) => {
        api.get('/items/:item', async () => 'item');
      },
      { prefix: '/api' },
    );
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/slow', async () => {
      await hooks.slow();
      return 'slow';
    });
    app.get('/healthz', async () => 'ok');
    app.get('/metrics', async (req, reply) => {
      if (hooks.metrics) {
        reply.hijack();
        return hooks.metrics(req.raw, reply.raw);
      }
      const [text, type] = await exposition(options.registry);
      return reply.type(type).send(text);
    });
    if (listen) {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      return socketApp(url, () => app.close());
    }
    await app.ready();
    return {
      url: undefined,
      async request(method, path, init = {}) {
        const res = await app.inject({
          method: method as 'GET',
          url: path,
          ...(init.headers === undefined ? {} : { headers: init.headers }),
          ...(init.body === undefined ? {} : { payload: init.body }),
        });
        return res.statusCode;
      },
      close: () => app.close(),
    };
  },
};

// ---- Hono -----------------------------------------------------------------------------

/** The same Hono app with the middleware (`hono`) or with `instrument(app)` (`hono-app`). */
const honoKit = (name: 'hono' | 'hono-app'): AdapterKit => ({
  name,
  header: (c, header) => (c as { req: { header(n: string): string | undefined } }).req.header(header),
  async start(options, hooks = noHooks, listen = false) {
    const app = name === 'hono' ? new Hono().use(honoMetrics(options)) : instrumentHono(new Hono(), options);
    app.get('/users/:id', (c) => c.text('user'));
    app.delete('/users/:id', (c) => c.body(null, 204));
    app.post('/users', async (c) => {
      await c.req.text();
      c.header('content-length', '7');
      return c.text('created', 201);
    });
    app.get('/orgs/:org/repos/:repo', (c) => c.text('repo'));
    const api = new Hono();
    api.get('/items/:item', (c) => c.text('item'));
    app.route('/api', api);
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/slow', async (c) => {
      await hooks.slow();
      return c.text('slow');
    });
    app.get('/healthz', (c) => c.text('ok'));
    app.get('/metrics', async (c) => {
      if (hooks.metrics) return hooks.metrics.fetch(c.req.raw);
      const [text, type] = await exposition(options.registry);
      return c.body(text, 200, { 'content-type': type });
    });
    // Hono logs errors to the console by default; answer 500 quietly like the others.
    app.onError((_err, c) => c.text('error', 500));
    if (listen) {
      const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
      await once(server, 'listening');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return socketApp(url, () => closeServer(server));
    }
    return {
      url: undefined,
      async request(method, path, init = {}) {
        // A Request built in process has no Content-Length; a client on a socket sends one.
        const headers = { ...init.headers };
        if (init.body !== undefined) headers['content-length'] ??= String(Buffer.byteLength(init.body));
        const res = await app.request(path, {
          method,
          headers,
          ...(init.body === undefined ? {} : { body: init.body }),
        });
        await res.arrayBuffer();
        return res.status;
      },
      close: async () => {},
    };
  },
});

/** GET `path` of a Hono app through @hono/node-server on 127.0.0.1: [status, body]. */
export async function honoOverNode(app: Hono, path: string): Promise<[number, string]> {
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
  try {
    await once(server, 'listening');
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return [res.status, await res.text()];
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** The Hono route-path case: `/books/:isbn` from a mounted sub-app and `/authors/:name`. */
export function addBooksAndAuthors(app: Hono): void {
  const books = new Hono();
  books.get('/:isbn', (c) => c.text('book'));
  app.route('/books', books);
  app.get('/authors/:name', (c) => c.text('author'));
}

export const ADAPTERS: readonly AdapterKit[] = [nodeKit, expressKit, fastifyKit, honoKit('hono'), honoKit('hono-app')];
