/**
 * The node:http, Express and Fastify adapters record a request whose handler answered
 * synchronously as the handler returns, without a per-request 'close' listener (the
 * listener and its emit were a quarter of the adapters' cost); a request still open then
 * is recorded on 'close'. Each app runs inside an outer node:http listener that looks at
 * the response and the registry right after the app's listener returned (collecting them
 * first, as a scrape does: the request counter and in-flight gauge are brought up to date
 * at collect time).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { httpMetrics as expressMetrics } from '../../../src/http/express/index.js';
import { httpMetrics as fastifyMetrics } from '../../../src/http/fastify/index.js';
import { instrument } from '../../../src/http/node/index.js';
import { type Counter, type Gauge, Registry } from '../../../src/metrics/index.js';
import { counts, eventually, expectNothingInFlight } from './helpers.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
/** Builds an app with GET /sync (answers at once) and GET /later (answers on `release`). */
type Build = (registry: Registry | null, release: Promise<void>) => Promise<Listener>;

const BUILDS: Record<'node' | 'express' | 'fastify', Build> = {
  node: async (registry, release) => {
    const listener: Listener = (req, res) => {
      if (req.url === '/sync') res.end('ok');
      else void release.then(() => res.end('late'));
    };
    return registry === null ? listener : (instrument(listener, { registry, routes: ['/sync', '/later'] }) as Listener);
  },
  express: async (registry, release) => {
    const app = express();
    if (registry !== null) app.use(expressMetrics({ registry }));
    app.get('/sync', (_req, res) => {
      res.send('ok');
    });
    app.get('/later', async (_req, res) => {
      await release;
      res.send('late');
    });
    return app as unknown as Listener;
  },
  fastify: async (registry, release) => {
    let handler: Listener | undefined;
    const app = Fastify({
      serverFactory: (h) => {
        handler = h as Listener;
        return createServer();
      },
    });
    if (registry !== null) await app.register(fastifyMetrics({ registry }));
    app.get('/sync', (_req, reply) => {
      reply.send('ok');
    });
    app.get('/later', async () => {
      await release;
      return 'late';
    });
    await app.ready();
    return handler as Listener;
  },
};

interface Probe {
  ended: boolean;
  closeListeners: number;
  /** `http_server_requests_total{route,status="200"}` of the request's route (its path here) then. */
  counted: number;
  inFlight: number;
}

describe.each(Object.entries(BUILDS))('%s adapter: when a request is recorded', (_name, build) => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
  });

  /** Serves `listener`, noting for each request what was so right after it returned. */
  async function serve(listener: Listener, registry: Registry | null, probes: Probe[]) {
    server = createServer((req, res) => {
      listener(req, res);
      const requests = registry?.getSingleMetric('http_server_requests_total') as Counter<string[]> | undefined;
      const inFlight = registry?.getSingleMetric('http_server_requests_in_flight') as Gauge<string[]> | undefined;
      // What a scrape right now would see: collecting adds the requests the adapter counted.
      void requests?.collect?.call(requests);
      probes.push({
        ended: res.writableEnded,
        closeListeners: res.listenerCount('close'),
        counted: requests?.labels({ method: 'GET', route: req.url as string, status: '200' }).get() ?? 0,
        inFlight: inFlight?.labels({ method: 'GET' }).get() ?? 0,
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (path: string) => {
      const res = await fetch(base + path);
      await res.text();
      return res.status;
    };
  }

  async function closeListenersOfBare(path: string, release: () => void, answered: Promise<void>): Promise<number> {
    const probes: Probe[] = [];
    const get = await serve(await build(null, answered), null, probes);
    const status = get(path);
    await eventually(() => expect(probes).toHaveLength(1));
    release();
    expect(await status).toBe(200);
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    return (probes[0] as Probe).closeListeners;
  }

  it('records a synchronous answer as the handler returns, without a close listener', async () => {
    const bare = await closeListenersOfBare('/sync', () => {}, Promise.resolve());
    const registry = new Registry();
    const probes: Probe[] = [];
    const get = await serve(await build(registry, Promise.resolve()), registry, probes);
    expect(await get('/sync')).toBe(200);
    expect(await get('/sync')).toBe(200);
    expect(probes).toEqual([
      { ended: true, closeListeners: bare, counted: 1, inFlight: 0 },
      { ended: true, closeListeners: bare, counted: 2, inFlight: 0 },
    ]);
    expect(await counts(registry)).toEqual({ 'GET /sync 200': 2 });
  });

  it('records a request still open when the handler returns once its response closes', async () => {
    let releaseBare!: () => void;
    const bare = await closeListenersOfBare(
      '/later',
      () => releaseBare(),
      new Promise<void>((resolve) => {
        releaseBare = resolve;
      }),
    );
    const registry = new Registry();
    const probes: Probe[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const get = await serve(await build(registry, released), registry, probes);
    const status = get('/later');
    await eventually(() => expect(probes).toHaveLength(1));
    expect(probes[0]).toEqual({ ended: false, closeListeners: bare + 1, counted: 0, inFlight: 1 });
    release();
    expect(await status).toBe(200);
    await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /later 200': 1 }));
    await expectNothingInFlight(registry);
  });
});
