import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instrument } from '../../../src/http/node/index.js';
import type { Registry } from '../../../src/metrics/index.js';
import { push } from '../../../src/push/index.js';
import { TestRunRecorder } from '../../../src/testing/index.js';
import type { TracingHandle } from '../../../src/tracing/index.js';

/** Real data for the console: a small service instrumented by Vigil, and a test run pushed. */

export interface Shop {
  url: string;
  /** GET `path`, body read. */
  get(path: string): Promise<number>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `/users/:id` (a `db.load-user` span with a nested `cache.lookup` when traced; 500 for
 * `boom`) and `/health`, recorded by `vigil/http/node` in `registry`.
 */
export async function startShop(registry: Registry, tracing?: TracingHandle): Promise<Shop> {
  const server = createServer(
    instrument(
      async (req, res) => {
        if (req.url === '/health') {
          res.end('ok');
          return;
        }
        const id = req.url?.split('/')[2] ?? '';
        const load = async () => {
          if (tracing === undefined) return sleep(15);
          await tracing.withSpan('db.load-user', async (span) => {
            span.setAttribute('user.id', id);
            await sleep(15);
            await tracing.withSpan('cache.lookup', async (inner) => {
              inner.setAttribute('cache.hit', false);
              await sleep(5);
            });
          });
        };
        await load();
        res.statusCode = id === 'boom' ? 500 : 200;
        res.end(id);
      },
      { registry, routes: ['/users/:id', '/health'], ...(tracing ? { tracing } : {}) },
    ),
  );
  const url = await listen(server);
  return {
    url,
    async get(path) {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) });
      await res.text();
      return res.status;
    },
    close: () => close(server),
  };
}

/** `registry` as Prometheus text on `/metrics`, for a real Prometheus to scrape. */
export async function serveMetrics(registry: Registry): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (_req, res) => {
    const text = await registry.metrics('text');
    res.writeHead(200, { 'content-type': registry.contentType('text') });
    res.end(text);
  });
  const base = await listen(server);
  return { url: `${base}/metrics`, close: () => close(server) };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface PushedRun {
  job: string;
  branch: string;
  runner: string;
}

/**
 * A test run as a reporter records it (src/testing), pushed by src/push: 3 passed, 1 failed,
 * 1 skipped; slowest "charges the card" (2.4 s); latency of `checkout.submit`.
 */
export async function pushTestRun(gateway: string, run: PushedRun): Promise<void> {
  const recorder = new TestRunRecorder({
    testNameLabel: true,
    metadata: { branch: run.branch, runner: run.runner, commit: 'c0ffee1', workflow: 'browser' },
    // As if the five tests ran one after another (the run's duration is their sum, 3.55 s).
    startedAt: performance.now() - 3_550,
    warn: () => {},
  });
  recorder.recordTest({ file: 'test/cart.test.ts', name: 'adds an item', outcome: 'passed', durationMs: 120 });
  recorder.recordTest({ file: 'test/cart.test.ts', name: 'removes an item', outcome: 'passed', durationMs: 80 });
  recorder.recordTest({ file: 'test/pay.test.ts', name: 'charges the card', outcome: 'passed', durationMs: 2_400 });
  recorder.recordTest({ file: 'test/pay.test.ts', name: 'refunds twice', outcome: 'failed', durationMs: 950 });
  recorder.recordTest({ file: 'test/pay.test.ts', name: 'pays in yen', outcome: 'skipped', durationMs: 0 });
  recorder.recordMeasurements({ latency: { 'checkout.submit': [12, 15, 18, 22, 30, 41, 55, 80, 95, 120] } });
  await push({
    gateway,
    job: run.job,
    groupings: { branch: run.branch, runner: run.runner },
    registry: recorder.finish(),
  });
}
