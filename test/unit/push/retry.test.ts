import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/metrics/index.js';
import { deleteGroup, PushError, push, pushAdd } from '../../../src/push/index.js';
import { backoffDelay } from '../../../src/push/retry.js';
import { freePort } from '../../support/ports.js';
import { rejection } from '../metrics/helpers.js';
import { gatewayStub } from './stub.js';

const fast = { backoff: { initialMs: 5, maxMs: 20 } };
const stubs: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function stub(reply: Parameters<typeof gatewayStub>[0]) {
  const s = await gatewayStub(reply);
  stubs.push(s);
  return s;
}

function registryWithData(): Registry {
  const registry = new Registry();
  registry.counter({ name: 'jobs_done_total', help: 'Jobs done.' }).inc(3);
  registry.gauge({ name: 'queue_depth', help: 'Queue depth.', labelNames: ['queue'] }).set({ queue: 'a/b' }, 7);
  return registry;
}

describe('retry policy', () => {
  it('retries 503 twice, then succeeds with the same body each time', async () => {
    const gateway = await stub((_, n) => (n <= 2 ? { status: 503, body: 'busy' } : { status: 200 }));
    const registry = registryWithData();
    const result = await push({ gateway: gateway.url, job: 'batch', registry, ...fast });
    expect(result).toMatchObject({ status: 200, attempts: 3 });
    expect(gateway.received).toHaveLength(3);
    const expected = await registry.metrics('text');
    for (const r of gateway.received) {
      expect(r.method).toBe('PUT');
      expect(r.url).toBe('/metrics/job/batch');
      expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(r.body.toString('utf8')).toBe(expected);
    }
  });

  it('gives up after 1 + retries attempts of 5xx with VIGIL_ERR_PUSH_FAILED naming the last answer', async () => {
    const gateway = await stub(() => ({ status: 502, body: 'upstream down' }));
    const error = (await rejection(
      push({ gateway: gateway.url, job: 'batch', registry: new Registry(), retries: 2, ...fast }),
    )) as PushError;
    expect(error).toBeInstanceOf(PushError);
    expect(error.code).toBe('VIGIL_ERR_PUSH_FAILED');
    expect(error.attempts).toBe(3);
    expect(error.status).toBe(502);
    expect(error.message).toContain('upstream down');
    expect(gateway.received).toHaveLength(3);
  });

  it('does not retry a 400 and surfaces the gateway message', async () => {
    const message =
      'pushed metrics are invalid or inconsistent with existing metrics: pushed metrics must not have timestamps';
    const gateway = await stub(() => ({ status: 400, body: `${message}\n` }));
    const error = (await rejection(
      pushAdd({ gateway: gateway.url, job: 'batch', registry: registryWithData(), ...fast }),
    )) as PushError;
    expect(error.code).toBe('VIGIL_ERR_PUSH_REJECTED');
    expect(error.message).toContain(message);
    expect(error.status).toBe(400);
    expect(error.body).toBe(message);
    expect(error.attempts).toBe(1);
    expect(gateway.received).toHaveLength(1);
    expect(gateway.received[0]?.method).toBe('POST');
  });

  it('does not retry other 4xx either (401)', async () => {
    const gateway = await stub(() => ({ status: 401, body: 'Unauthorized' }));
    const error = await rejection(push({ gateway: gateway.url, job: 'j', registry: new Registry(), ...fast }));
    expect(error.code).toBe('VIGIL_ERR_PUSH_REJECTED');
    expect(gateway.received).toHaveLength(1);
  });

  it('a gateway that is down: retries, then a clear error, bounded in count and time', async () => {
    const port = await freePort(); // nothing listens there
    const started = Date.now();
    const error = (await rejection(
      push({
        gateway: `http://127.0.0.1:${port}`,
        job: 'batch',
        registry: registryWithData(),
        retries: 3,
        backoff: { initialMs: 20, maxMs: 50 },
      }),
    )) as PushError;
    const elapsed = Date.now() - started;
    expect(error.code).toBe('VIGIL_ERR_PUSH_FAILED');
    expect(error.attempts).toBe(4);
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).toContain(`http://127.0.0.1:${port}/metrics/job/batch`);
    expect(error.message).toContain('failed after 4 attempts');
    expect(error.cause).toBeInstanceOf(Error);
    // Delays: 10-20, 20-40, 25-50 ms (at least 55 in all; timers may fire a little early).
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('a gateway that never answers: each attempt times out', async () => {
    const gateway = await stub(() => ({ status: 200, hang: true }));
    const started = Date.now();
    const error = await rejection(
      push({ gateway: gateway.url, job: 'j', registry: new Registry(), timeoutMs: 100, retries: 1, ...fast }),
    );
    expect(error.code).toBe('VIGIL_ERR_PUSH_FAILED');
    expect(error.message).toContain('timed out');
    expect(gateway.received).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('retries: 0 means one attempt', async () => {
    const gateway = await stub(() => ({ status: 503 }));
    const error = (await rejection(
      push({ gateway: gateway.url, job: 'j', registry: new Registry(), retries: 0 }),
    )) as PushError;
    expect(error.attempts).toBe(1);
    expect(error.message).toContain('failed after 1 attempt ');
    expect(gateway.received).toHaveLength(1);
  });

  it('a failed push leaves the registry unchanged; the next push carries everything', async () => {
    const registry = registryWithData();
    const before = await registry.metrics('text');
    const down = await stub(() => ({ status: 503 }));
    await rejection(push({ gateway: down.url, job: 'j', registry, retries: 1, ...fast }));
    expect(await registry.metrics('text')).toBe(before);
    const up = await stub(() => ({ status: 200 }));
    await push({ gateway: up.url, job: 'j', registry, ...fast });
    expect(up.received[0]?.body.toString('utf8')).toBe(before);
    expect(before).toContain('jobs_done_total 3');
    expect(before).toContain('queue_depth{queue="a/b"} 7');
  });
});

describe('requests', () => {
  it('gzip: Content-Encoding gzip, and the body inflates to the text exposition', async () => {
    const gateway = await stub(() => ({ status: 200 }));
    const registry = registryWithData();
    const result = await push({ gateway: gateway.url, job: 'j', registry, gzip: true });
    const r = gateway.received[0];
    expect(r?.headers['content-encoding']).toBe('gzip');
    expect(result.bytes).toBe(r?.body.length);
    expect(gunzipSync(r?.body ?? Buffer.alloc(0)).toString('utf8')).toBe(await registry.metrics('text'));
  });

  it('deleteGroup sends DELETE without a body to the grouping URL and accepts 202', async () => {
    const gateway = await stub(() => ({ status: 202 }));
    const result = await deleteGroup({ gateway: `${gateway.url}/`, job: 'j', groupings: { branch: 'feature/x' } });
    expect(result).toEqual({ status: 202, attempts: 1, bytes: 0 });
    expect(gateway.received[0]).toMatchObject({ method: 'DELETE', url: '/metrics/job/j/branch@base64/ZmVhdHVyZS94' });
    expect(gateway.received[0]?.body.length).toBe(0);
  });

  it('keeps a path prefix of the gateway URL and passes extra headers', async () => {
    const gateway = await stub(() => ({ status: 200 }));
    await push({
      gateway: `${gateway.url}/pushgateway/`,
      job: 'j',
      registry: new Registry(),
      headers: { authorization: 'Bearer t0ken', 'Content-Type': 'application/json', 'Content-Encoding': 'br' },
    });
    const r = gateway.received[0];
    expect(r?.url).toBe('/pushgateway/metrics/job/j');
    expect(r?.headers.authorization).toBe('Bearer t0ken');
    expect(r?.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r?.headers['content-encoding']).toBeUndefined();
  });

  it('a failing collect callback sends nothing (a partial PUT would drop metrics)', async () => {
    const gateway = await stub(() => ({ status: 200 }));
    const registry = registryWithData();
    registry.gauge({
      name: 'broken',
      help: 'x',
      collect() {
        throw new Error('boom');
      },
    });
    const error = await rejection(push({ gateway: gateway.url, job: 'j', registry }));
    expect(error.code).toBe('VIGIL_ERR_COLLECT');
    expect(gateway.received).toHaveLength(0);
  });
});

describe('options are checked before anything is sent', () => {
  it.each([
    ['an empty job', { job: '' }],
    ['a gateway that is not a URL', { gateway: 'not a url' }],
    ['a gateway that is not http(s)', { gateway: 'ftp://127.0.0.1:9091' }],
    ['a bad grouping label name', { groupings: { 'a-b': 'x' } }],
    ['negative retries', { retries: -1 }],
    ['fractional retries', { retries: 1.5 }],
    ['a zero timeout', { timeoutMs: 0 }],
    ['a NaN backoff', { backoff: { initialMs: Number.NaN } }],
    ['a header value that is not a string', { headers: { 'x-run': 1 as never } }],
  ])('%s → VIGIL_ERR_PUSH_OPTION', async (_, override) => {
    const gateway = await stub(() => ({ status: 200 }));
    const options = { gateway: gateway.url, job: 'j', registry: registryWithData(), ...override };
    for (const call of [push, pushAdd, deleteGroup]) {
      expect((await rejection(call(options))).code).toBe('VIGIL_ERR_PUSH_OPTION');
    }
    expect(gateway.received).toHaveLength(0);
  });
});

describe('backoffDelay', () => {
  it('doubles from initialMs, stays in the upper half of its ceiling, caps at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 100, 1_000, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 100, 1_000, () => 1))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, 100, 1_000);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});
