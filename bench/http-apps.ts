/**
 * One benchmark server per process: `node --import tsx bench/http-apps.ts <framework> <variant>`.
 * bench/http.ts starts these; each serves GET /users/:id on 127.0.0.1 (a free port) and
 * prints `READY <port>` once listening. bench/http-inprocess.ts builds the same apps (`APPS`)
 * and feeds them requests without a socket. Variants:
 *   bare   the framework alone
 *   noop   with a middleware that does nothing, hooked in the way Vigil's is: what the
 *          framework itself charges for any middleware
 *   clock  the no-op plus two clock reads around the rest of the request (Vigil's clock),
 *          the least any middleware that times requests pays (bench/http.ts `--clock`)
 *   vigil  with Vigil's adapter (its own Registry)
 *   vigil-app  Hono only: Vigil's `instrument(app)` instead of its middleware
 *   peer   with the library people use today: express-prom-bundle, fastify-metrics,
 *          @hono/prometheus (node:http has none)
 * Each instrumented variant also serves its registry at /metrics (the load never asks it).
 * Over IPC, the message 'cpu' is answered with this process' CPU time in microseconds and
 * the number of scavenges (young-generation GCs) so far.
 * With `--socketless` it listens on no port and answers `{ run }` messages with a run of
 * bench/http-socketless.ts instead.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import { prometheus as honoPrometheus } from '@hono/prometheus';
import express from 'express';
import promBundle from 'express-prom-bundle';
import Fastify from 'fastify';
import fastifyMetricsModule from 'fastify-metrics';
import { Hono } from 'hono';
import { now } from '../src/http/core.js';
import { httpMetrics as expressMetrics } from '../src/http/express/index.js';
import { httpMetrics as fastifyVigil } from '../src/http/fastify/index.js';
import { httpMetrics as honoVigil, instrument as instrumentHono } from '../src/http/hono/index.js';
import { instrument } from '../src/http/node/index.js';
import { Registry } from '../src/metrics/index.js';
import { runSocketless } from './http-socketless.js';

// fastify-metrics is CommonJS with `exports.default`: under ESM the plugin sits one level down.
const fastifyMetrics = fastifyMetricsModule.default;

export type Framework = 'node' | 'express' | 'fastify' | 'hono';
export type Variant = 'bare' | 'noop' | 'clock' | 'vigil' | 'vigil-app' | 'peer';
export const VARIANTS: readonly Variant[] = ['bare', 'noop', 'clock', 'vigil', 'vigil-app', 'peer'];

/** The `clock` variant's durations, summed so that no read can be optimized away (never read). */
let _timed = 0;

const BODY = '{"id":"42","name":"Ada"}';

async function metricsText(registry: Registry, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': registry.contentType() });
  res.end(await registry.metrics());
}

async function nodeApp(variant: Variant): Promise<Server> {
  const registry = new Registry();
  // A plain listener routes by hand, as a node:http service does.
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (req.method === 'GET' && url.startsWith('/users/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(BODY);
    } else if (url === '/metrics') {
      void metricsText(registry, res);
    } else {
      res.writeHead(404).end();
    }
  };
  if (variant === 'peer') throw new Error('node:http has no peer library in this benchmark');
  const handler =
    variant === 'vigil'
      ? instrument(listener, { registry, routes: ['/users/:id'] })
      : variant === 'noop'
        ? (req: IncomingMessage, res: ServerResponse) => listener(req, res)
        : variant === 'clock'
          ? (req: IncomingMessage, res: ServerResponse) => {
              const start = now();
              listener(req, res);
              _timed += now() - start;
            }
          : listener;
  return createServer(handler);
}

async function expressApp(variant: Variant): Promise<Server> {
  const app = express();
  const registry = new Registry();
  if (variant === 'vigil') {
    app.use(expressMetrics({ registry }));
  } else if (variant === 'noop') {
    app.use((_req, _res, next) => next());
  } else if (variant === 'clock') {
    app.use((_req, _res, next) => {
      const start = now();
      next();
      _timed += now() - start;
    });
  } else if (variant === 'peer') {
    app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }));
  }
  app.get('/users/:id', (_req, res) => {
    res.type('application/json').send(BODY);
  });
  // After the route under load: Express tries routes in order, and the others have no /metrics.
  if (variant === 'vigil') app.get('/metrics', (_req, res) => void metricsText(registry, res));
  return createServer(app);
}

async function fastifyApp(variant: Variant): Promise<Server> {
  const app = Fastify();
  const registry = new Registry();
  if (variant === 'vigil') {
    await app.register(fastifyVigil({ registry }));
    app.get('/metrics', (_req, reply) => {
      reply.hijack();
      void metricsText(registry, reply.raw);
    });
  } else if (variant === 'noop') {
    app.addHook('onRequest', (_req, _reply, done) => done());
  } else if (variant === 'clock') {
    app.addHook('onRequest', (_req, _reply, done) => {
      const start = now();
      done();
      _timed += now() - start;
    });
  } else if (variant === 'peer') {
    await app.register(fastifyMetrics, { endpoint: '/metrics', defaultMetrics: { enabled: false } });
  }
  app.get('/users/:id', (_req, reply) => {
    reply.type('application/json').send(BODY);
  });
  await app.ready();
  return app.server;
}

async function honoApp(variant: Variant): Promise<Server> {
  const registry = new Registry();
  const app = variant === 'vigil-app' ? instrumentHono(new Hono(), { registry }) : new Hono();
  if (variant === 'vigil') app.use(honoVigil({ registry }));
  if (variant === 'vigil' || variant === 'vigil-app') {
    app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType() }));
  } else if (variant === 'noop') {
    app.use(async (_c, next) => {
      await next();
    });
  } else if (variant === 'clock') {
    app.use(async (_c, next) => {
      const start = now();
      await next();
      _timed += now() - start;
    });
  } else if (variant === 'peer') {
    const { printMetrics, registerMetrics } = honoPrometheus();
    app.use('*', registerMetrics);
    app.get('/metrics', printMetrics);
  }
  app.get('/users/:id', (c) => c.body(BODY, 200, { 'content-type': 'application/json' }));
  return createAdaptorServer({ fetch: app.fetch }) as Server;
}

/** The benchmark app of a framework and variant: an HTTP server, not yet listening. */
export const APPS: Record<Framework, (variant: Variant) => Promise<Server>> = {
  node: nodeApp,
  express: expressApp,
  fastify: fastifyApp,
  hono: honoApp,
};

/** Scavenges since start: each variant's allocations show up here as GC work. */
let scavenges = 0;
function countScavenges(): void {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as unknown as { detail?: { kind?: number } }).detail;
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    }
  }).observe({ entryTypes: ['gc'] });
}

async function main(): Promise<void> {
  const [framework, variant] = process.argv.slice(2) as [Framework, Variant];
  const build = APPS[framework];
  if (build === undefined || !VARIANTS.includes(variant)) {
    console.error(`usage: node --import tsx bench/http-apps.ts <node|express|fastify|hono> <${VARIANTS.join('|')}>`);
    process.exit(2);
  }
  if (variant === 'vigil-app' && framework !== 'hono') {
    console.error('vigil-app (instrument(app)) exists for hono only');
    process.exit(2);
  }
  const server = await build(variant);
  countScavenges();
  if (process.argv.includes('--socketless')) {
    // bench/http.ts --socketless: runs on request over IPC, no port.
    process.on('message', (message: { run?: { path: string; connections: number; ms: number } }) => {
      const run = message.run;
      if (run !== undefined) {
        const before = scavenges;
        void runSocketless(server, run.path, run.connections, run.ms).then(
          // Entries arrive a tick after their GC: wait one macrotask so the run's last ones count.
          (result) => setImmediate(() => process.send?.({ result: { ...result, scavenges: scavenges - before } })),
        );
      }
    });
    console.log('READY 0');
    return;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The driver asks for this process' CPU time around each run (server CPU per request).
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system, gc: scavenges });
    }
  });
  // Exit cleanly on SIGTERM, so `node --cpu-prof` writes its profile.
  process.on('SIGTERM', () => process.exit(0));
  console.log(`READY ${(server.address() as AddressInfo).port}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
