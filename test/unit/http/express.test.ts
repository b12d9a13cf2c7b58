import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExpressHttpMetricsOptions, httpMetrics, UNMATCHED_ROUTE } from '../../../src/http/express/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { ADAPTERS } from './apps.js';
import { runHttpConformance } from './common.case.js';
import { counts, eventually } from './helpers.js';

runHttpConformance(ADAPTERS.find((kit) => kit.name === 'express') as (typeof ADAPTERS)[number]);

describe('express adapter: route templates', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function serve(app: express.Express) {
    app.set('env', 'test');
    server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (path: string) => {
      const res = await fetch(base + path);
      await res.arrayBuffer();
      return res.status;
    };
  }

  function appWith(options: ExpressHttpMetricsOptions) {
    const app = express();
    app.use(httpMetrics(options));
    return app;
  }

  it('joins the mount paths of nested routers with the route path', async () => {
    const registry = new Registry();
    const app = appWith({ registry });
    const v1 = express.Router();
    const admin = express.Router();
    admin.get('/users/:id', (_req, res) => {
      res.send('u');
    });
    admin.get('/', (_req, res) => {
      res.send('root');
    });
    v1.use('/admin', admin);
    app.use('/v1', v1);
    const get = await serve(app);
    expect(await get('/v1/admin/users/1')).toBe(200);
    expect(await get('/v1/admin/users/2')).toBe(200);
    expect(await get('/v1/admin/')).toBe(200);
    expect(await get('/v1/admin/nothing')).toBe(404);
    await eventually(async () =>
      expect(await counts(registry)).toEqual({
        'GET /v1/admin/users/:id 200': 2,
        'GET /v1/admin/ 200': 1,
        [`GET ${UNMATCHED_ROUTE} 404`]: 1,
      }),
    );
  });

  it('names routes declared with several paths or a regular expression', async () => {
    const registry = new Registry();
    const app = appWith({ registry });
    app.get(['/a', '/b'], (_req, res) => {
      res.send('ab');
    });
    app.get(/^\/re\/\d+$/, (_req, res) => {
      res.send('re');
    });
    const get = await serve(app);
    await get('/a');
    await get('/b');
    await get('/re/1');
    await get('/re/2');
    await eventually(async () =>
      expect(await counts(registry)).toEqual({ 'GET /a|/b 200': 2, 'GET ^\\/re\\/\\d+$ 200': 2 }),
    );
  });

  it('records the status an error handler sends, on the route that failed', async () => {
    const registry = new Registry();
    const app = appWith({ registry });
    app.get('/fail/:id', async () => {
      throw new Error('unavailable');
    });
    app.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(503).send('later');
    });
    const get = await serve(app);
    expect(await get('/fail/1')).toBe(503);
    await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /fail/:id 503': 1 }));
  });

  it('lets getRoute name routers mounted on a path with parameters', async () => {
    const registry = new Registry();
    const app = appWith({
      registry,
      getRoute: (req) => (req.baseUrl.startsWith('/orgs/') ? `/orgs/:org${req.route?.path ?? ''}` : undefined),
    });
    const org = express.Router();
    org.get('/members', (_req, res) => {
      res.send('m');
    });
    app.use('/orgs/:org', org);
    app.get('/plain/:id', (_req, res) => {
      res.send('p');
    });
    const get = await serve(app);
    await get('/orgs/acme/members');
    await get('/orgs/initech/members');
    await get('/plain/1');
    await eventually(async () =>
      expect(await counts(registry)).toEqual({ 'GET /orgs/:org/members 200': 2, 'GET /plain/:id 200': 1 }),
    );
  });

  it('excludes by the original URL when mounted under a path', async () => {
    const registry = new Registry();
    const app = express();
    app.use('/api', httpMetrics({ registry, excludePaths: ['/api/health'] }));
    app.get('/api/health', (_req, res) => {
      res.send('ok');
    });
    app.get('/api/items/:id', (_req, res) => {
      res.send('i');
    });
    app.get('/other', (_req, res) => {
      res.send('o');
    });
    const get = await serve(app);
    await get('/api/health');
    await get('/api/items/3');
    await get('/other');
    await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /api/items/:id 200': 1 }));
  });
});
