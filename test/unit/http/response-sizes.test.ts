/**
 * Response sizes on node:http when no Content-Length is declared (the node, Express and
 * Fastify adapters count the body bytes as the application writes them).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { httpMetrics as expressMetrics } from '../../../src/http/express/index.js';
import { httpMetrics as fastifyMetrics } from '../../../src/http/fastify/index.js';
import { instrument } from '../../../src/http/node/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { eventually, expectNothingInFlight, histograms } from './helpers.js';

const TEXT = 'héllo wörld ✓ 🦊'; // 1-, 2-, 3- and 4-byte UTF-8 characters
const TEXT_BYTES = Buffer.byteLength(TEXT);
const CHUNKS = ['first,', 'second,', 'third'];
const CHUNK_BYTES = CHUNKS.join('').length;

/** What every app below answers, written with node:http's own calls: no Content-Length set. */
const handlers: Record<string, (res: ServerResponse) => void> = {
  // Node computes the header for a single end(), but getHeader() does not show it.
  '/text': (res) => res.end(TEXT),
  '/chunked': (res) => {
    res.write(CHUNKS[0]);
    res.write(Buffer.from(CHUNKS[1] as string));
    res.end(CHUNKS[2], 'utf8');
  },
  '/latin1': (res) => res.end('\u00e9\u00e9', 'latin1'),
  '/stream': (res) => {
    Readable.from(CHUNKS.map((c) => Buffer.from(c))).pipe(res);
  },
  '/empty': (res) => {
    res.statusCode = 204;
    res.end();
  },
  // The first chunk, then nothing until the client gives up.
  '/partial': (res) => {
    res.write(CHUNKS[0]);
  },
};
const COMPLETE = ['/text', '/chunked', '/latin1', '/stream', '/empty'];

function nodeHandle(req: IncomingMessage, res: ServerResponse): void {
  const handler = handlers[req.url ?? ''];
  if (handler === undefined) res.writeHead(404).end();
  else handler(res);
}

const APPS: Record<string, (registry: Registry) => Promise<Server>> = {
  node: async (registry) =>
    createServer(instrument(nodeHandle, { registry, sizes: true, routes: Object.keys(handlers) })),
  express: async (registry) => {
    const app = express();
    app.use(expressMetrics({ registry, sizes: true }));
    for (const [path, handler] of Object.entries(handlers)) app.all(path, (_req, res) => handler(res));
    return createServer(app);
  },
  fastify: async (registry) => {
    const app = Fastify();
    await app.register(fastifyMetrics({ registry, sizes: true }));
    for (const [path, handler] of Object.entries(handlers)) {
      app.route({
        method: ['GET', 'HEAD'],
        url: path,
        exposeHeadRoute: false,
        handler: (_request, reply) => {
          reply.hijack();
          handler(reply.raw);
        },
      });
    }
    await app.ready();
    return app.server;
  },
};

describe.each(Object.keys(APPS))('%s adapter: response sizes without Content-Length', (name) => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function start(registry: Registry): Promise<string> {
    server = await (APPS[name] as (registry: Registry) => Promise<Server>)(registry);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('counts the bytes written: single end, chunked writes, encodings, piped streams, no body', async () => {
    const registry = new Registry();
    const url = await start(registry);
    // The bytes each body had on the wire, to hold the counts against.
    const received: Record<string, number> = {};
    for (const path of COMPLETE) received[path] = (await (await fetch(url + path)).arrayBuffer()).byteLength;
    expect(received).toEqual({
      '/text': TEXT_BYTES,
      '/chunked': CHUNK_BYTES,
      '/latin1': 2,
      '/stream': CHUNK_BYTES,
      '/empty': 0,
    });
    await eventually(async () =>
      expect(await histograms(registry, 'http_server_response_size_bytes')).toEqual({
        'GET /text 200': { count: 1, sum: TEXT_BYTES },
        'GET /chunked 200': { count: 1, sum: CHUNK_BYTES },
        // Two characters, one byte each in latin1 (four in UTF-8).
        'GET /latin1 200': { count: 1, sum: 2 },
        'GET /stream 200': { count: 1, sum: CHUNK_BYTES },
        'GET /empty 204': { count: 1, sum: 0 },
      }),
    );
    await expectNothingInFlight(registry);
  });

  it('records 499 with the bytes written when the client leaves mid-body', async () => {
    const registry = new Registry();
    const url = await start(registry);
    const abort = new AbortController();
    const res = await fetch(`${url}/partial`, { signal: abort.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(CHUNKS[0]);
    abort.abort();
    await eventually(async () =>
      expect(await histograms(registry, 'http_server_response_size_bytes')).toEqual({
        'GET /partial 499': { count: 1, sum: (CHUNKS[0] as string).length },
      }),
    );
    await expectNothingInFlight(registry);
  });

  it('counts no body for HEAD, whatever the handler writes', async () => {
    const registry = new Registry();
    const url = await start(registry);
    const res = await fetch(`${url}/chunked`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    await eventually(async () =>
      expect(await histograms(registry, 'http_server_response_size_bytes')).toEqual({
        'HEAD /chunked 200': { count: 1, sum: 0 },
      }),
    );
  });
});
