import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { httpMetrics, UNMATCHED_ROUTE } from '../../../src/http/fastify/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { ADAPTERS } from './apps.js';
import { runHttpConformance } from './common.case.js';
import { counts, expectNothingInFlight } from './helpers.js';

runHttpConformance(ADAPTERS.find((kit) => kit.name === 'fastify') as (typeof ADAPTERS)[number]);

describe('fastify adapter: plugin', () => {
  it("carries fastify-plugin's markers without depending on it", () => {
    const plugin = httpMetrics({ registry: new Registry() }) as unknown as Record<symbol, unknown>;
    expect(plugin[Symbol.for('skip-override')]).toBe(true);
    expect(plugin[Symbol.for('fastify.display-name')]).toBe('vigil-http-metrics');
    expect((plugin as unknown as { name: string }).name).toBe('vigilHttpMetrics');
  });

  it('applies app-wide: routes of encapsulated plugins, prefixes and HEAD routes are recorded', async () => {
    const registry = new Registry();
    const app = Fastify();
    await app.register(httpMetrics({ registry }));
    await app.register(
      async (child) => {
        child.addHook('onRequest', async () => {});
        child.get('/teams/:team', async () => 'team');
        await child.register(
          async (grandchild) => {
            grandchild.get('/:id', async () => 'invoice');
          },
          { prefix: '/invoices' },
        );
      },
      { prefix: '/v2' },
    );
    try {
      expect((await app.inject({ method: 'GET', url: '/v2/teams/red' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'HEAD', url: '/v2/teams/blue' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/v2/invoices/9' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/v2/nothing' })).statusCode).toBe(404);
      // onResponse records synchronously with inject(): no waiting needed.
      expect(await counts(registry)).toEqual({
        'GET /v2/teams/:team 200': 1,
        'HEAD /v2/teams/:team 200': 1,
        'GET /v2/invoices/:id 200': 1,
        [`GET ${UNMATCHED_ROUTE} 404`]: 1,
      });
      await expectNothingInFlight(registry);
    } finally {
      await app.close();
    }
  });

  it('records reply codes set by error handlers and hooks', async () => {
    const registry = new Registry();
    const app = Fastify();
    await app.register(httpMetrics({ registry }));
    app.setErrorHandler((_error, _request, reply) => reply.code(503).send('later'));
    app.get('/fail/:id', async () => {
      throw new Error('unavailable');
    });
    app.get('/guarded', { onRequest: async (_req, reply) => reply.code(401).send('no') }, async () => 'secret');
    try {
      expect((await app.inject({ method: 'GET', url: '/fail/1' })).statusCode).toBe(503);
      expect((await app.inject({ method: 'GET', url: '/guarded' })).statusCode).toBe(401);
      expect(await counts(registry)).toEqual({ 'GET /fail/:id 503': 1, 'GET /guarded 401': 1 });
    } finally {
      await app.close();
    }
  });

  it('can be registered twice with two registries', async () => {
    const a = new Registry();
    const b = new Registry();
    const app = Fastify();
    await app.register(httpMetrics({ registry: a }));
    await app.register(httpMetrics({ registry: b, statusGrouping: true }));
    app.get('/x', async () => 'x');
    try {
      await app.inject({ method: 'GET', url: '/x' });
      expect(await counts(a)).toEqual({ 'GET /x 200': 1 });
      expect(await counts(b)).toEqual({ 'GET /x 2xx': 1 });
    } finally {
      await app.close();
    }
  });
});
