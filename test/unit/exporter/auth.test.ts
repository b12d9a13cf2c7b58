import { afterEach, describe, expect, it } from 'vitest';
import { metricsFetchHandler, metricsHandler } from '../../../src/exporter/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { basic, get, serve } from './helpers.js';

function registry(): Registry {
  const r = new Registry();
  r.counter({ name: 'secret_jobs_total', help: 'Jobs.', labelNames: ['tenant'] }).inc({ tenant: 'acme' });
  return r;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function url(options: Parameters<typeof metricsHandler>[1]): Promise<string> {
  const s = await serve(metricsHandler(registry(), options));
  closers.push(s.close);
  return `${s.url}/metrics`;
}

function expectNoLeak(body: Buffer): void {
  const text = body.toString();
  expect(text).not.toContain('secret_jobs');
  expect(text).not.toContain('acme');
  expect(text).not.toContain('# TYPE');
}

describe('auth', () => {
  it('is off by default', async () => {
    expect((await get(await url({}))).status).toBe(200);
  });

  it('bearer: 401 without or with a wrong token, 200 with the right one', async () => {
    const u = await url({ auth: { bearer: 's3cret-token' } });
    for (const authorization of [
      undefined,
      'Bearer wrong',
      'Bearer s3cret-toke',
      'Bearer s3cret-token2',
      'Basic czNjcmV0LXRva2Vu',
    ]) {
      const res = await get(u, { headers: authorization ? { Authorization: authorization } : {} });
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.headers['cache-control']).toBe('no-store');
      expectNoLeak(res.body);
    }
    const ok = await get(u, { headers: { Authorization: 'Bearer s3cret-token' } });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toContain('secret_jobs_total{tenant="acme"} 1');
    // The scheme is case-insensitive (RFC 7235).
    expect((await get(u, { headers: { Authorization: 'bearer s3cret-token' } })).status).toBe(200);
  });

  it('basic: 401 without or with wrong credentials, 200 with the right ones', async () => {
    const u = await url({ auth: { basic: { username: 'prometheus', password: 'p:ss wörd' } } });
    const wrong = [
      undefined,
      basic('prometheus', 'wrong'),
      basic('someone', 'p:ss wörd'),
      basic('prometheus', ''),
      'Basic !!!not-base64',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      'Bearer p:ss wörd',
    ];
    for (const authorization of wrong) {
      const res = await get(u, { headers: authorization ? { Authorization: authorization } : {} });
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="metrics", charset="UTF-8"');
      expectNoLeak(res.body);
    }
    const ok = await get(u, { headers: { Authorization: basic('prometheus', 'p:ss wörd') } });
    expect(ok.status).toBe(200);
  });

  it('guards HEAD too, and the fetch handler the same way', async () => {
    const u = await url({ auth: { bearer: 't' } });
    expect((await get(u, { method: 'HEAD' })).status).toBe(401);
    const handle = metricsFetchHandler(registry(), { auth: { basic: { username: 'u', password: 'p' } } });
    const denied = await handle(new Request('http://127.0.0.1/metrics'));
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('Basic');
    expect(await denied.text()).not.toContain('secret');
    const allowed = await handle(
      new Request('http://127.0.0.1/metrics', { headers: { Authorization: basic('u', 'p') } }),
    );
    expect(allowed.status).toBe(200);
  });
});
