import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrument, type NodeHttpMetricsOptions, UNMATCHED_ROUTE } from '../../../src/http/node/index.js';
import { Registry, VigilError } from '../../../src/metrics/index.js';
import { ADAPTERS } from './apps.js';
import { runHttpConformance } from './common.case.js';
import { counts, eventually, expectNothingInFlight } from './helpers.js';

runHttpConformance(ADAPTERS.find((kit) => kit.name === 'node') as (typeof ADAPTERS)[number]);

describe('node adapter: instrument()', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      server = undefined;
    }
  });

  async function serve(
    listener: (req: IncomingMessage, res: Parameters<RequestListener>[1]) => unknown,
    options: NodeHttpMetricsOptions,
  ) {
    server = createServer(instrument(listener as RequestListener, options));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (path: string, method = 'GET') => {
      const res = await fetch(base + path, { method });
      await res.arrayBuffer();
      return res.status;
    };
  }

  it('answers 500 for a listener that throws synchronously, records it, and reports the error', async () => {
    const registry = new Registry();
    const errors: unknown[] = [];
    const get = await serve(
      () => {
        throw new Error('sync boom');
      },
      { registry, routes: ['/boom'], onError: (error) => errors.push(error) },
    );
    expect(await get('/boom')).toBe(500);
    await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /boom 500': 1 }));
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('sync boom');
    await expectNothingInFlight(registry);
  });

  it('answers 500 for a listener whose promise rejects', async () => {
    const registry = new Registry();
    const errors: unknown[] = [];
    const get = await serve(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('async boom');
      },
      { registry, routes: ['/boom'], onError: (error) => errors.push(error) },
    );
    expect(await get('/boom')).toBe(500);
    await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /boom 500': 1 }));
    expect((errors[0] as Error).message).toBe('async boom');
  });

  it('records 500 when the listener fails after it started the response', async () => {
    const registry = new Registry();
    const get = await serve(
      async (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('mid-stream');
      },
      { registry, routes: ['/stream'], onError: () => {} },
    );
    await get('/stream').catch(() => 0);
    await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /stream 500': 1 }));
    await expectNothingInFlight(registry);
  });

  it('keeps the status of a response that finished before the listener threw', async () => {
    const registry = new Registry();
    const get = await serve(
      (_req, res) => {
        res.statusCode = 202;
        res.end('done');
        throw new Error('after the fact');
      },
      { registry, routes: ['/late'], onError: () => {} },
    );
    expect(await get('/late')).toBe(202);
    await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /late 202': 1 }));
  });

  it('reports listener errors with console.error by default', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const registry = new Registry();
      const get = await serve(
        () => {
          throw new Error('logged');
        },
        { registry },
      );
      expect(await get('/x')).toBe(500);
      await eventually(() => expect(spy).toHaveBeenCalledTimes(1));
      expect(spy.mock.calls[0]).toEqual([expect.objectContaining({ message: 'logged' })]);
    } finally {
      spy.mockRestore();
    }
  });

  it('asks getRoute when the request ends, then falls back to routes, then to the unmatched value', async () => {
    const registry = new Registry();
    const get = await serve(
      (req, res) => {
        if (req.url?.startsWith('/custom/')) (req as IncomingMessage & { template?: string }).template = '/custom/:x';
        if (req.url === '/throws') (req as IncomingMessage & { explode?: boolean }).explode = true;
        res.end('ok');
      },
      {
        registry,
        routes: ['/users/:id'],
        getRoute: (req) => {
          if ((req as IncomingMessage & { explode?: boolean }).explode) throw new Error('bad getRoute');
          return (req as IncomingMessage & { template?: string }).template;
        },
      },
    );
    await get('/custom/1');
    await get('/custom/2');
    await get('/users/3');
    await get('/throws');
    await get('/elsewhere');
    await eventually(async () =>
      expect(await counts(registry)).toEqual({
        'GET /custom/:x 200': 2,
        'GET /users/:id 200': 1,
        [`GET ${UNMATCHED_ROUTE} 200`]: 2,
      }),
    );
  });

  it(`records every request as ${UNMATCHED_ROUTE} without routes or getRoute`, async () => {
    const registry = new Registry();
    const get = await serve((_req, res) => res.end('ok'), { registry });
    await get('/a');
    await get('/b/c');
    await eventually(async () => expect(await counts(registry)).toEqual({ [`GET ${UNMATCHED_ROUTE} 200`]: 2 }));
  });

  it('passes excluded requests straight to the listener', async () => {
    const registry = new Registry();
    const seen: string[] = [];
    const get = await serve(
      (req, res) => {
        seen.push(req.url as string);
        res.end('ok');
      },
      { registry, routes: ['/metrics', '/x'] },
    );
    await get('/metrics');
    await get('/x');
    expect(seen).toEqual(['/metrics', '/x']);
    await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /x 200': 1 }));
  });

  it('rejects a listener that is not a function and invalid route templates', () => {
    expect(() => instrument(undefined as unknown as RequestListener)).toThrow(VigilError);
    expect(() => instrument(() => {}, { routes: ['users/:id'], registry: new Registry() })).toThrow(
      /VIGIL_ERR_INVALID_OPTION.*must be a string starting with "\/"/,
    );
    expect(() => instrument(() => {}, { getRoute: 'x' as unknown as () => string, registry: new Registry() })).toThrow(
      /getRoute must be a function/,
    );
  });
});
