import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  cacheMetrics,
  databaseMetrics,
  jobMetrics,
  llmMetrics,
  modelMetrics,
  outboundMetrics,
} from '../catalog/index.js';
import { metricsHandler } from '../exporter/index.js';
import { instrument } from '../http/node/index.js';
import type { Registry } from '../metrics/index.js';
import type { ServerTracing } from '../tracing/index.js';

/** Waits about `ms` milliseconds: the demo's stand-in for real I/O. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const DEMO_ROUTES = ['/api/users/:id', '/api/search', '/api/jobs', '/api/chat', '/api/fail'] as const;

/**
 * The demo service: a node:http app whose handlers do the kind of work a real service
 * does (database queries, cache lookups, outbound API and LLM calls, jobs), all recorded
 * through the catalog, with the HTTP middleware around it and /metrics beside it.
 */
export function demoService(registry: Registry, random: () => number = Math.random, tracing?: ServerTracing) {
  const db = databaseMetrics({ registry });
  const cache = cacheMetrics({ registry });
  const outbound = outboundMetrics({ registry });
  const llm = llmMetrics({ registry, prices: { 'demo-small': { input: 0.5, output: 1.5 } } });
  const jobs = jobMetrics({ registry });
  const models = modelMetrics({ registry });
  const users = new Map<string, string>();
  const serveMetrics = metricsHandler(registry);
  db.trackPool('main', () => ({ size: 10, available: 10 - Math.floor(random() * 4), max: 10 }));
  void models.load('demo-small', () => pause(20));

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, id: string) => Promise<void>> = {
    async '/api/users/:id'(_req, res, id) {
      let user = await cache.lookup({ cache: 'users', operation: 'get' }, async () => users.get(id));
      if (user === undefined) {
        user = await db.time({ operation: 'select', table: 'users' }, async () => {
          await pause(2 + random() * 10);
          return `user-${id}`;
        });
        await cache.time({ cache: 'users', operation: 'set' }, async () => users.set(id, user as string));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, name: user }));
    },
    async '/api/search'(_req, res) {
      const provider = random() < 0.5 ? 'github' : 'stripe';
      try {
        await outbound.time({ provider, endpoint: '/v1/search' }, async () => {
          await pause(20 + random() * 80);
          if (random() < 0.05) throw Object.assign(new Error('rate limited'), { status: 429 });
        });
        res.writeHead(200).end('results');
      } catch {
        res.writeHead(502).end('upstream failed');
      }
    },
    async '/api/jobs'(_req, res) {
      jobs.enqueue({ queue: 'mail', priority: random() < 0.2 ? 'high' : 'normal' });
      res.writeHead(202).end('queued');
    },
    async '/api/chat'(_req, res) {
      const reply = await llm.time({ provider: 'local', model: 'demo-small' }, async (call) => {
        await pause(30 + random() * 50);
        call.firstToken();
        await models.infer('demo-small', () => pause(10 + random() * 40));
        call.tokens({ input: 200 + Math.floor(random() * 300), output: 50 + Math.floor(random() * 200) });
        return 'hello';
      });
      res.writeHead(200).end(reply);
    },
    async '/api/fail'() {
      throw new Error('the demo fails on purpose here');
    },
  };

  const listener = instrument(
    async (req, res) => {
      const path = (req.url ?? '/').split('?')[0] as string;
      if (path === '/metrics') return serveMetrics(req, res);
      const user = /^\/api\/users\/([^/]+)$/.exec(path);
      const handler = user ? routes['/api/users/:id'] : routes[path];
      if (handler === undefined) {
        res.writeHead(404).end('not found\n');
        return;
      }
      await handler(req, res, user?.[1] ?? '');
    },
    // With tracing, each request is a server span (and the console shows it as a trace).
    { registry, routes: [...DEMO_ROUTES], onError: () => {}, ...(tracing ? { tracing } : {}) },
  );

  /** Works through the mail queue, as a background worker would. */
  const drain = async () => {
    for (const priority of ['high', 'normal']) {
      const queued = jobs.queued.get({ queue: 'mail', priority });
      for (let i = 0; i < queued; i++) {
        jobs.dequeue({ queue: 'mail', priority });
        await jobs
          .time({ type: 'send-email' }, async () => {
            await pause(random() * 5);
            if (random() < 0.03) throw new Error('smtp timeout');
          })
          .catch(() => {});
      }
    }
  };
  return { listener, drain };
}
