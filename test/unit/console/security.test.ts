import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from '../../../src/console/index.js';
import { Registry } from '../../../src/metrics/index.js';

/** Raw requests: fetch() would normalise `..` away before sending. */
function raw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>): void {
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');
}

let dir: string;
let open: RunningConsole;
let locked: RunningConsole;
const TOKEN = 's3cret-token';
const SECRET = 'TOP-SECRET-CONTENT';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-console-sec-'));
  const assets = join(dir, 'web');
  mkdirSync(join(assets, 'assets'), { recursive: true });
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>console page</title>');
  writeFileSync(join(assets, 'assets', 'app.js'), 'console.log("app")');
  // A file beside the assets that no request may read.
  writeFileSync(join(dir, 'package.json'), SECRET);
  const registry = new Registry();
  registry.counter({ name: 'sec_total', help: 'h' }).inc(3);
  const common = { port: 0, registry, assetsDir: assets, sampleIntervalMs: 1000, prometheusUrl: undefined };
  open = await startConsole({ ...common, corsOrigins: ['http://allowed.example'] });
  locked = await startConsole({ ...common, token: TOKEN });
});

afterAll(async () => {
  await open?.close();
  await locked?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('console security', () => {
  it('binds 127.0.0.1 by default', () => {
    expect(open.host).toBe('127.0.0.1');
    expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('sets the security headers on API answers, errors, static files and the OTLP receiver', async () => {
    for (const [path, status] of [
      ['/api/health', 200],
      ['/api/nope', 404],
      ['/api/alerts', 503],
      ['/', 200],
      ['/assets/app.js', 200],
      ['/missing.js', 404],
      ['/%2e%2e/package.json', 400],
    ] as const) {
      const res = await raw(open.url, path);
      expect(res.status, path).toBe(status);
      expectSecurityHeaders(res.headers);
    }
    const otlp = await raw(open.url, '/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(otlp.status).toBe(415);
    expectSecurityHeaders(otlp.headers);
    const page = await raw(open.url, '/');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('console page');
  });

  it('never serves a file outside the assets directory', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/%2E%2E%2Fpackage.json',
      '/assets/../../package.json',
      '/..%5cpackage.json',
      '/%00package.json',
      `/${encodeURIComponent(join(dir, 'package.json'))}`,
      '//etc/passwd',
    ]) {
      const res = await raw(open.url, path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain(SECRET);
      expect(res.body, path).not.toContain('root:');
      expect(JSON.parse(res.body).error.code, path).toBe('VIGIL_ERR_CONSOLE_REQUEST');
    }
  });

  it('answers CORS only for listed origins, preflight included', async () => {
    const allowed = await raw(open.url, '/api/health', { headers: { origin: 'http://allowed.example' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://allowed.example');
    const denied = await raw(open.url, '/api/health', { headers: { origin: 'http://evil.example' } });
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = { 'access-control-request-method': 'GET' };
    const ok = await raw(open.url, '/api/health', {
      method: 'OPTIONS',
      headers: { origin: 'http://allowed.example', ...preflight },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('http://allowed.example');
    expect(ok.headers['access-control-allow-methods']).toContain('GET');
    expectSecurityHeaders(ok.headers);
    const no = await raw(open.url, '/api/health', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', ...preflight },
    });
    expect(no.status).toBe(403);
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is read-only: the API refuses other methods and proxies no admin endpoint', async () => {
    const post = await raw(open.url, '/api/query?query=up', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(JSON.parse(post.body).error.code).toBe('VIGIL_ERR_CONSOLE_REQUEST');
    for (const path of ['/api/v1/admin/tsdb/delete_series', '/api/admin/tsdb/snapshot', '/-/quit', '/api/v1/write']) {
      const res = await raw(open.url, path, { method: 'GET' });
      expect([400, 404], path).toContain(res.status);
    }
  });

  it('requires the token for the API, the page and /v1/traces when one is set', async () => {
    const api = await raw(locked.url, '/api/metrics');
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body).error.code).toBe('VIGIL_ERR_CONSOLE_AUTH');
    expectSecurityHeaders(api.headers);
    expect((await raw(locked.url, '/')).status).toBe(401);
    expect((await raw(locked.url, '/assets/app.js')).status).toBe(401);
    const otlp = await raw(locked.url, '/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(otlp.status).toBe(401);
    const wrong = await raw(locked.url, '/api/metrics', { headers: { authorization: 'Bearer wrong' } });
    expect(wrong.status).toBe(401);
    const short = await raw(locked.url, '/api/metrics', { headers: { authorization: 'Bearer s3cret' } });
    expect(short.status).toBe(401);
  });

  it('accepts the token as a bearer header, and as the cookie /?token= sets', async () => {
    const bearer = await raw(locked.url, '/api/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
    expect(bearer.body).toContain('sec_total');

    const wrongLogin = await raw(locked.url, '/?token=nope');
    expect(wrongLogin.status).toBe(401);
    expect(wrongLogin.headers['set-cookie']).toBeUndefined();
    const login = await raw(locked.url, `/?token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/vigil_console_token=s3cret-token; Path=\/; HttpOnly; SameSite=Strict/);
    const jar = cookie.split(';')[0] as string;
    expect((await raw(locked.url, '/', { headers: { cookie: jar } })).status).toBe(200);
    const api = await raw(locked.url, '/api/metrics', { headers: { cookie: `other=1; ${jar}` } });
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body).families[0].series[0].value).toBe(3);
  });
});
