/**
 * `instrument(app)`, the Hono integration without a middleware: the common cases, the
 * Hono-specific route rules, and what it exists for (Hono's synchronous one-handler path).
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { httpMetrics, instrument, UNMATCHED_ROUTE } from '../../../src/http/hono/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { ADAPTERS, addBooksAndAuthors, honoOverNode } from './apps.js';
import { runHttpConformance } from './common.case.js';
import { counts, expectNothingInFlight, gate } from './helpers.js';

runHttpConformance(ADAPTERS.find((kit) => kit.name === 'hono-app') as (typeof ADAPTERS)[number]);

describe('hono instrument(app)', () => {
  it("keeps Hono's synchronous one-handler path, which any app.use() middleware leaves", async () => {
    const registry = new Registry();
    const fast = instrument(new Hono(), { registry });
    fast.get('/users/:id', (c) => c.text('user'));
    const viaUse = new Hono().use(httpMetrics({ registry: new Registry() }));
    viaUse.get('/users/:id', (c) => c.text('user'));
    const request = () => new Request('http://localhost/users/1');
    // A Response, not a Promise: @hono/node-server then writes it without awaiting.
    const answer = fast.fetch(request());
    expect(answer).toBeInstanceOf(Response);
    expect(viaUse.fetch(request())).toBeInstanceOf(Promise);
    expect(await (answer as Response).text()).toBe('user');
    expect(await counts(registry)).toEqual({ 'GET /users/:id 200': 1 });
    await expectNothingInFlight(registry);
  });

  it('refuses an app that has routes already, a second call, and what is not a Hono app', () => {
    const late = new Hono();
    late.get('/x', (c) => c.text('x'));
    expect(() => instrument(late)).toThrow(/must come before the app's routes and middleware \(it has 1\)/);
    const twice = instrument(new Hono(), { registry: new Registry() });
    expect(() => instrument(twice, { registry: new Registry() })).toThrow(/instrumented already/);
    expect(() => instrument({} as Hono)).toThrow(/needs a Hono app/);
    try {
      instrument(late);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('VIGIL_ERR_INVALID_OPTION');
    }
  });

  it('includes base paths and sub-apps, and records requests sent to a basePath() clone', async () => {
    const registry = new Registry();
    const root = instrument(new Hono(), { registry });
    const app = root.basePath('/v2');
    addBooksAndAuthors(app);
    // The clone's own fetch, as `export default app` would serve it.
    expect((await app.request('/v2/books/123')).status).toBe(200);
    expect((await root.request('/v2/authors/le-guin')).status).toBe(200);
    expect((await app.request('/v1/books/123')).status).toBe(404);
    expect(await counts(registry)).toEqual({
      'GET /v2/books/:isbn 200': 1,
      'GET /v2/authors/:name 200': 1,
      [`GET ${UNMATCHED_ROUTE} 404`]: 1,
    });
    await expectNothingInFlight(registry);
  });

  it(`records ${UNMATCHED_ROUTE} when middleware ran but no handler answered, and the middleware that did answer`, async () => {
    for (const listen of [false, true]) {
      const registry = new Registry();
      const app = instrument(new Hono(), { registry });
      app.use('*', async (_c, next) => {
        await next();
      });
      app.use('/admin/*', async (c, next) => {
        if (c.req.header('authorization') === undefined) return c.text('no', 401);
        await next();
      });
      app.get('/admin/panel', (c) => c.text('panel'));
      app.notFound((c) => c.text('custom not found', 404));
      const get = async (path: string, headers: Record<string, string> = {}) => {
        if (!listen) return (await app.request(path, { headers })).status;
        return (await honoOverNode(app, path))[0];
      };
      expect(await get('/missing')).toBe(404);
      expect(await get('/admin/panel')).toBe(401);
      if (!listen) {
        expect(await get('/admin/panel', { authorization: 'x' })).toBe(200);
        expect(await get('/admin/missing', { authorization: 'x' })).toBe(404);
      }
      expect(await counts(registry)).toEqual({
        [`GET ${UNMATCHED_ROUTE} 404`]: listen ? 1 : 2,
        'GET /admin/* 401': 1,
        ...(listen ? {} : { 'GET /admin/panel 200': 1 }),
      });
      await expectNothingInFlight(registry);
    }
  });

  it('answers exactly as the bare app does, on @hono/node-server and in process', async () => {
    const build = (instrumented: boolean) => {
      const app = instrumented ? instrument(new Hono(), { registry: new Registry() }) : new Hono();
      app.use('/broken/*', async () => {
        // Forgets both `return c.text(...)` and `await next()`: Hono reports it.
      });
      app.get('/broken/x', (c) => c.text('x'));
      app.get('/ok', (c) => c.json({ ok: true }));
      app.notFound((c) => c.text('gone', 404));
      return app;
    };
    for (const path of ['/broken/x', '/ok', '/missing']) {
      const bare = build(false);
      const instrumented = build(true);
      const local = async (app: Hono) => {
        const res = await app.request(path);
        return [res.status, await res.text()];
      };
      expect(await local(instrumented), path).toEqual(await local(bare));
      expect(await honoOverNode(instrumented, path), path).toEqual(await honoOverNode(bare, path));
    }
  });

  it('records the status an HTTPException or a custom error handler answers, on the route that threw', async () => {
    const registry = new Registry();
    const app = instrument(new Hono(), { registry });
    app.get('/secret/:id', () => {
      throw new HTTPException(403, { message: 'forbidden' });
    });
    app.get('/busy', () => {
      throw new Error('overloaded');
    });
    app.onError((error, c) => (error instanceof HTTPException ? error.getResponse() : c.text('busy', 503)));
    expect((await app.request('/secret/1')).status).toBe(403);
    expect((await app.request('/busy')).status).toBe(503);
    expect(await honoOverNode(app, '/busy')).toEqual([503, 'busy']);
    expect(await counts(registry)).toEqual({ 'GET /secret/:id 403': 1, 'GET /busy 503': 2 });
    await expectNothingInFlight(registry);
  });

  it('records 500 and rethrows when something other than an Error escapes Hono', async () => {
    const registry = new Registry();
    const app = instrument(new Hono(), { registry });
    app.get('/weird', () => {
      throw 'a string';
    });
    app.get('/weird-async', async () => {
      await Promise.resolve();
      throw 'later';
    });
    expect(() => app.fetch(new Request('http://localhost/weird'))).toThrow('a string');
    await expect(app.request('/weird-async')).rejects.toBe('later');
    expect(await counts(registry)).toEqual({ 'GET /weird 500': 1, 'GET /weird-async 500': 1 });
    await expectNothingInFlight(registry);
  });

  it('records 499 in process when the request was aborted before the answer', async () => {
    const registry = new Registry();
    const slow = gate();
    const app = instrument(new Hono(), { registry });
    app.get('/slow', async (c) => {
      await slow.wait();
      return c.text('late');
    });
    const abort = new AbortController();
    const pending = app.request('/slow', { signal: abort.signal });
    abort.abort();
    slow.open();
    expect((await pending).status).toBe(200);
    expect((await app.request('/slow')).status).toBe(200);
    expect(await counts(registry)).toEqual({ 'GET /slow 499': 1, 'GET /slow 200': 1 });
    await expectNothingInFlight(registry);
  });

  it('records a sub-request a handler sends to its own app, and the request that sent it', async () => {
    const registry = new Registry();
    const app = instrument(new Hono(), { registry });
    app.get('/inner/:id', (c) => c.text('inner', 202));
    app.get('/outer', async (c) => {
      const inner = await app.request('/inner/1');
      return c.text(await inner.text());
    });
    app.get('/outer-sync', (c) => {
      // Answered synchronously, while the outer request's fetch call is still running.
      const inner = app.fetch(new Request('http://localhost/inner/2')) as Response;
      return c.text(String(inner.status), 201);
    });
    expect((await app.request('/outer')).status).toBe(200);
    expect((await app.request('/outer-sync')).status).toBe(201);
    expect(await counts(registry)).toEqual({
      'GET /inner/:id 202': 2,
      'GET /outer 200': 1,
      'GET /outer-sync 201': 1,
    });
    await expectNothingInFlight(registry);
  });
});
