import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src/metrics/index.js';
import { alertmanagerClient, prometheusClient, pushgatewayClient, QueryError } from '../../../src/query/index.js';

/**
 * What a real Prometheus cannot be made to do on demand: hang, answer non-JSON. The real
 * API behaviour is tested in test/integration/console-query.test.ts.
 */
let server: Server;
let base: string;
const hanging = new Set<import('node:http').ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/slow/')) {
      hanging.add(res);
      return;
    }
    if (req.url?.startsWith('/html/')) {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"status":"error","errorType":"not_found","error":"nope"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('query clients', () => {
  it('refuses bad options before sending anything', () => {
    for (const make of [
      () => prometheusClient({ url: 'not a url' }),
      () => prometheusClient({ url: 'ftp://127.0.0.1' }),
      () => prometheusClient({ url: 'http://127.0.0.1:9090', timeoutMs: 0 }),
      () => alertmanagerClient({ url: 'http://x', timeoutMs: Number.NaN }),
      () => pushgatewayClient(undefined as never),
    ]) {
      expect(make).toThrow(VigilError);
      try {
        make();
      } catch (error) {
        expect((error as VigilError).code).toBe('VIGIL_ERR_QUERY_OPTION');
      }
    }
    expect(prometheusClient({ url: 'http://127.0.0.1:9090///' }).url).toBe('http://127.0.0.1:9090');
  });

  it('turns a timeout into VIGIL_ERR_SOURCE_UNREACHABLE', async () => {
    const prom = prometheusClient({ url: `${base}/slow`, timeoutMs: 150 });
    const started = Date.now();
    const error = await prom.query('up').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_SOURCE_UNREACHABLE', status: undefined });
    expect((error as Error).message).toMatch(/no answer within 150 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("rethrows the caller's abort as is, not as unreachable", async () => {
    const controller = new AbortController();
    const pending = alertmanagerClient({ url: `${base}/slow`, timeoutMs: 5000 }).alerts({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(QueryError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('reports non-JSON and error envelopes as VIGIL_ERR_QUERY_FAILED with the status', async () => {
    await expect(prometheusClient({ url: `${base}/html` }).labels()).rejects.toMatchObject({
      code: 'VIGIL_ERR_QUERY_FAILED',
      status: 502,
    });
    await expect(prometheusClient({ url: base }).buildinfo()).rejects.toMatchObject({
      code: 'VIGIL_ERR_QUERY_FAILED',
      status: 404,
      errorType: 'not_found',
      detail: 'nope',
    });
    await expect(pushgatewayClient({ url: base }).groups()).rejects.toMatchObject({
      code: 'VIGIL_ERR_QUERY_FAILED',
      status: 404,
    });
  });
});
