import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { httpMetrics, UNMATCHED_ROUTE } from '../../../src/http/hono/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { ADAPTERS } from './apps.js';
import { runHttpConformance } from './common.case.js';
import { counts, expectNothingInFlight } from './helpers.js';

runHttpConformance(ADAPTERS.find((kit) => kit.name === 'hono') as (typeof ADAPTERS)[number]);

describe('hono adapter: route paths', () => {
  it('includes base paths and mounted apps', async () => {
    const registry = new Registry();
    const app = new Hono().basePath('/v2');
    app.use(httpMetrics({ registry }));
    const books = new Hono();
    books.get('/:isbn', (c) => c.text('book'));
    app.route('/books', books);
    app.get('/authors/:name', (c) => c.text('author'));
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
