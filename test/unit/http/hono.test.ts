import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterEach, describe, expect, it } from 'vitest';
import { httpMetrics, instrument, UNMATCHED_ROUTE } from '../../../src/http/hono/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { ADAPTERS, addBooksAndAuthors, honoOverNode } from './apps.js';
import { runHttpConformance } from './common.case.js';
import { counts, eventually, expectNothingInFlight, gate, histograms } from './helpers.js';

runHttpConformance(ADAPTERS.find((kit) => kit.name === 'hono') as (typeof ADAPTERS)[number]);

describe('hono adapter: route paths', () => {
  it('includes base paths and mounted apps', async () => {
    const registry = new Registry();
    const app = new Hono().basePath('/v2');
    app.use(httpMetrics({ registry }));
    addBooksAndAuthors(app);
    expect((await app.request('/v2/books/123')).status).toBe(200);
    expect((await app.request('/v2/authors/le-guin')).status).toBe(200);
    expect((await app.request('/v1/books/123')).status).toBe(404);
    expect(await counts(registry)).toEqual({
      'GET /v2/books/:isbn 200': 1,
      'GET /v2/authors/:name 200': 1,
    });
  });

  it(`records ${UNMATCHED_ROUTE} when later middleware ran but no handler answered`, async () => {
    const registry = new Registry();
    const app = new Hono();
    app.use(httpMetrics({ registry }));
    app.use('*', async (_c, next) => {
      await next();
    });
    app.use('/admin/*', async (c, next) => {
      if (c.req.header('authorization') === undefined) return c.text('no', 401);
      await next();
    });
    app.get('/admin/panel', (c) => c.text('panel'));
    app.notFound((c) => c.text('custom not found', 404));
    expect((await app.request('/missing')).status).toBe(404);
    expect((await app.request('/admin/panel')).status).toBe(401);
    expect((await app.request('/admin/panel', { headers: { authorization: 'x' } })).status).toBe(200);
    expect((await app.request('/admin/missing', { headers: { authorization: 'x' } })).status).toBe(404);
    expect(await counts(registry)).toEqual({
      [`GET ${UNMATCHED_ROUTE} 404`]: 2,
      // A middleware that answers is the route that handled the request.
      'GET /admin/* 401': 1,
      'GET /admin/panel 200': 1,
    });
  });

  it('reads the matched route without building c.req.matchedRoutes per request', async () => {
    const registry = new Registry();
    const app = new Hono();
    app.use(httpMetrics({ registry }));
    app.get('/users/:id', (c) => c.text('user'));
    // The deprecated getter maps every matched route into a new array: count its calls.
    const proto = Object.getPrototypeOf((await someContext()).req) as object;
    const getter = Object.getOwnPropertyDescriptor(proto, 'matchedRoutes')?.get as () => unknown;
    let calls = 0;
    Object.defineProperty(proto, 'matchedRoutes', {
      configurable: true,
      get() {
        calls++;
        return getter.call(this);
      },
    });
    try {
      expect((await app.request('/users/1')).status).toBe(200);
      expect((await app.request('/users/2')).status).toBe(200);
    } finally {
      Object.defineProperty(proto, 'matchedRoutes', { configurable: true, get: getter });
    }
    expect(await counts(registry)).toEqual({ 'GET /users/:id 200': 2 });
    expect(calls).toBe(0);
  });

  it('stays transparent when a later middleware neither answers nor calls next()', async () => {
    const run = async (instrumented: boolean) => {
      const registry = new Registry();
      const app = new Hono();
      if (instrumented) app.use(httpMetrics({ registry }));
      app.use('/broken/*', async () => {
        // Forgets both `return c.text(...)` and `await next()`: Hono reports it.
      });
      app.get('/broken/x', (c) => c.text('x'));
      const local = await app.request('/broken/x');
      // And on @hono/node-server, where the middleware takes its node:http path.
      return { local: [local.status, await local.text()], node: await honoOverNode(app, '/broken/x') };
    };
    const bare = await run(false);
    expect(bare.node[0]).toBe(500);
    expect(await run(true)).toEqual(bare);
  });

  it('records the status of an HTTPException on the route that threw it', async () => {
    const registry = new Registry();
    const app = new Hono();
    app.use(httpMetrics({ registry }));
    app.get('/secret/:id', () => {
      throw new HTTPException(403, { message: 'forbidden' });
    });
    expect((await app.request('/secret/1')).status).toBe(403);
    expect(await counts(registry)).toEqual({ 'GET /secret/:id 403': 1 });
    await expectNothingInFlight(registry);
  });

  it('records 500 and rethrows when something other than an Error escapes', async () => {
    const registry = new Registry();
    const app = new Hono();
    const metrics = httpMetrics({ registry });
    app.use(async (c, next) => {
      try {
        await next();
      } catch (thrown) {
        return c.text(`caught ${String(thrown)}`, 502);
      }
    });
    app.use(metrics);
    app.get('/weird', () => {
      throw 'a string';
    });
    const res = await app.request('/weird');
    expect(res.status).toBe(502);
    expect(await res.text()).toBe('caught a string');
    expect(await counts(registry)).toEqual({ 'GET /weird 500': 1 });
    await expectNothingInFlight(registry);
  });

  it('records 499 in process (no node:http response) when the request was aborted before the answer', async () => {
    const registry = new Registry();
    const slow = gate();
    const app = new Hono();
    app.use(httpMetrics({ registry }));
    app.get('/slow', async (c) => {
      await slow.wait();
      return c.text('late');
    });
    const abort = new AbortController();
    const pending = app.request('/slow', { signal: abort.signal });
    abort.abort();
    slow.open();
    expect((await pending).status).toBe(200);
    expect(await counts(registry)).toEqual({ 'GET /slow 499': 1 });
    expect((await app.request('/slow')).status).toBe(200);
    expect(await counts(registry)).toEqual({ 'GET /slow 499': 1, 'GET /slow 200': 1 });
    await expectNothingInFlight(registry);
  });

  it('records only the paths it is mounted on', async () => {
    const registry = new Registry();
    const app = new Hono();
    app.use('/api/*', httpMetrics({ registry }));
    app.get('/api/things/:id', (c) => c.text('thing'));
    app.get('/home', (c) => c.text('home'));
    await app.request('/api/things/1');
    await app.request('/home');
    await app.request('/api/nope');
    expect(await counts(registry)).toEqual({ 'GET /api/things/:id 200': 1, [`GET ${UNMATCHED_ROUTE} 404`]: 1 });
  });
});

const TEXT = 'héllo wörld ✓ 🦊'; // 1-, 2-, 3- and 4-byte UTF-8 characters
const CHUNKS = ['first,', 'second,', 'third'];
/** The bytes of the first two chunks: what a client that leaves before the third received. */
const FIRST_TWO = 'first,second,'.length;
const CHUNK_DELAY_MS = 60;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body streamed in CHUNKS, CHUNK_DELAY_MS apart: no Content-Length, chunked on the wire. */
function slowStream(stop?: Promise<void>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i > 0) await sleep(CHUNK_DELAY_MS);
      if (i === CHUNKS.length - 1 && stop !== undefined) await stop;
      if (i === CHUNKS.length) controller.close();
      else controller.enqueue(encoder.encode(CHUNKS[i++]));
    },
  });
}

/** How the app is instrumented: the middleware, or `instrument(app)`. */
type Mode = 'app.use(httpMetrics())' | 'instrument(app)';

function sizedApp(mode: Mode, registry: Registry, stop?: Promise<void>): Hono {
  const app =
    mode === 'instrument(app)'
      ? instrument(new Hono(), { registry, sizes: true })
      : new Hono().use(httpMetrics({ registry, sizes: true }));
  app.get('/text', (c) => c.text(TEXT));
  app.get('/bytes', (c) => c.body(new TextEncoder().encode(TEXT)));
  app.get('/buffer', (c) => c.body(new TextEncoder().encode(TEXT).buffer as ArrayBuffer));
  app.get('/empty', (c) => c.body(null, 204));
  app.get('/stream', (c) => c.body(slowStream(stop)));
  app.get('/chunked', (c) => c.body(slowStream(stop), 200, { 'transfer-encoding': 'chunked' }));
  return app;
}

const TEXT_BYTES = new TextEncoder().encode(TEXT).byteLength;
const STREAM_BYTES = CHUNKS.join('').length;

describe.each([
  ['on @hono/node-server', true, 'app.use(httpMetrics())'],
  ['in process (app.request)', false, 'app.use(httpMetrics())'],
  ['on @hono/node-server', true, 'instrument(app)'],
  ['in process (app.request)', false, 'instrument(app)'],
] as const)('hono adapter: response sizes without Content-Length, %s, with %s', (_name, listen, mode) => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  /** Sends GET `path`; the body is read to its end (or the request aborted when `abort` resolves). */
  async function start(app: Hono): Promise<(path: string, signal?: AbortSignal) => Promise<Response>> {
    if (!listen) return async (path, signal) => app.request(path, signal === undefined ? {} : { signal });
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return (path, signal) => fetch(url + path, signal === undefined ? {} : { signal });
  }

  it('measures string, Uint8Array, ArrayBuffer and empty bodies', async () => {
    const registry = new Registry();
    const get = await start(sizedApp(mode, registry));
    for (const path of ['/text', '/bytes', '/buffer', '/empty']) {
      const res = await get(path);
      const body = new Uint8Array(await res.arrayBuffer());
      expect(body.byteLength).toBe(path === '/empty' ? 0 : TEXT_BYTES);
      // Measuring did not turn the body into a stream: the server still sends its length.
      if (listen && path !== '/empty') expect(res.headers.get('content-length')).toBe(String(TEXT_BYTES));
    }
    await eventually(async () =>
      expect(await histograms(registry, 'http_server_response_size_bytes')).toEqual({
        'GET /text 200': { count: 1, sum: TEXT_BYTES },
        'GET /bytes 200': { count: 1, sum: TEXT_BYTES },
        'GET /buffer 200': { count: 1, sum: TEXT_BYTES },
        'GET /empty 204': { count: 1, sum: 0 },
      }),
    );
    await expectNothingInFlight(registry);
  });

  it('counts streamed and chunked bodies as they pass, and times them to the last byte', async () => {
    const registry = new Registry();
    const get = await start(sizedApp(mode, registry));
    for (const path of ['/stream', '/chunked']) {
      const res = await get(path);
      expect(res.headers.get('content-length')).toBeNull();
      expect(await res.text()).toBe(CHUNKS.join(''));
    }
    await eventually(async () =>
      expect(await histograms(registry, 'http_server_response_size_bytes')).toEqual({
        'GET /stream 200': { count: 1, sum: STREAM_BYTES },
        'GET /chunked 200': { count: 1, sum: STREAM_BYTES },
      }),
    );
    // Two pauses between three chunks: the duration runs to the last one, not to the handler's return.
    const durations = await histograms(registry, 'http_server_request_duration_seconds');
    for (const key of ['GET /stream 200', 'GET /chunked 200']) {
      expect(durations[key]?.sum).toBeGreaterThanOrEqual((2 * CHUNK_DELAY_MS * 0.9) / 1000);
    }
    await expectNothingInFlight(registry);
  });

  it('records a stream the client abandons as 499 with the bytes sent so far', async () => {
    const registry = new Registry();
    const stop = gate();
    const get = await start(sizedApp(mode, registry, stop.wait()));
    const abort = new AbortController();
    const res = await get('/stream', abort.signal);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    const decoder = new TextDecoder();
    while (received.length < FIRST_TWO) {
      const { value } = await reader.read();
      received += decoder.decode(value);
    }
    if (listen) abort.abort();
    else await reader.cancel();
    await eventually(async () =>
      expect(await histograms(registry, 'http_server_response_size_bytes')).toEqual({
        'GET /stream 499': { count: 1, sum: FIRST_TWO },
      }),
    );
    stop.open();
    await expectNothingInFlight(registry);
    expect(await counts(registry)).toEqual({ 'GET /stream 499': 1 });
  });
});

/** A Context of some request, to reach the HonoRequest class every app's requests share. */
async function someContext(): Promise<Context> {
  let captured: Context | undefined;
  const probe = new Hono();
  probe.get('/probe', (c) => {
    captured = c;
    return c.text('ok');
  });
  await probe.request('/probe');
  return captured as Context;
}
