import { spawn } from 'node:child_process';
import { connect, createServer as createNetServer, type Server as NetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsServer, startMetricsServer } from '../../../src/exporter/index.js';
import { VigilError } from '../../../src/metrics/errors.js';
import { Registry } from '../../../src/metrics/index.js';
import { freePort } from '../../support/ports.js';
import { basic, get, PROMETHEUS_ACCEPT } from './helpers.js';

function registry(): Registry {
  const r = new Registry();
  r.counter({ name: 'served_total', help: 'Served.', labelNames: ['k'] }).inc({ k: 'a' });
  r.gauge({ name: 'temperature_celsius', help: 'Temperature.' }).set(21.5);
  return r;
}

const servers: MetricsServer[] = [];
const blockers: NetServer[] = [];
function start(options: Parameters<typeof startMetricsServer>[0]): MetricsServer {
  const s = startMetricsServer({ port: 0, registry: registry(), ...options });
  servers.push(s);
  return s;
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const b of blockers.splice(0)) await new Promise((resolve) => b.close(resolve));
  delete process.env.VIGIL_METRICS_ENABLED;
});

/** Occupies a port on 127.0.0.1 the way another process would. */
async function occupy(): Promise<number> {
  const blocker = createNetServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  blockers.push(blocker);
  return (blocker.address() as { port: number }).port;
}

/** Resolves true when something accepts a TCP connection on the port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startMetricsServer', () => {
  it('listens on 127.0.0.1 and reports the real port when 0 was asked', async () => {
    const s = start({});
    const status = await s.ready;
    expect(status).toMatchObject({
      enabled: true,
      serverStarted: true,
      host: '127.0.0.1',
      path: '/metrics',
      degraded: false,
      degradationReason: null,
      scrapesServed: 0,
      lastScrapeDurationSeconds: null,
      seriesCount: 0,
    });
    expect(status.port).toBeGreaterThan(0);
    expect(s.status()).toEqual(status);
    const res = await get(`http://127.0.0.1:${status.port}/metrics`, { headers: { Accept: PROMETHEUS_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toContain('temperature_celsius 21.5\n');
  });

  it('serves /-/healthy and /-/ready (no auth), a custom path, 404 elsewhere and 405 on probes', async () => {
    const s = start({ path: '/internal/prom', auth: { bearer: 'tok' } });
    const { port } = await s.ready;
    const base = `http://127.0.0.1:${port}`;
    for (const probe of ['/-/healthy', '/-/ready']) {
      const res = await get(`${base}${probe}`);
      expect(res.status, probe).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body.toString()).toMatch(/Healthy|Ready/);
      expect((await get(`${base}${probe}`, { method: 'HEAD' })).status).toBe(200);
      const post = await get(`${base}${probe}`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD');
    }
    expect((await get(`${base}/metrics`)).status).toBe(404);
    expect((await get(`${base}/internal/prom`)).status).toBe(401);
    const ok = await get(`${base}/internal/prom?x=1`, { headers: { Authorization: 'Bearer tok' } });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toContain('served_total{k="a"} 1');
  });

  it('counts scrapes, their duration and series in status()', async () => {
    const s = start({});
    const { port } = await s.ready;
    for (let i = 0; i < 3; i++) expect((await get(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    await get(`http://127.0.0.1:${port}/metrics`, { method: 'HEAD' });
    await get(`http://127.0.0.1:${port}/-/healthy`);
    const status = s.status();
    expect(status.scrapesServed).toBe(3);
    expect(status.seriesCount).toBe(2);
    expect(status.lastScrapeDurationSeconds).toBeGreaterThan(0);
    expect(status.lastScrapeDurationSeconds).toBeLessThan(5);
  });

  it('degrades with the reason when the port is in use, and the application goes on', async () => {
    const port = await occupy();
    const s = start({ port });
    const status = await s.ready;
    expect(status.enabled).toBe(true);
    expect(status.serverStarted).toBe(false);
    expect(status.degraded).toBe(true);
    expect(status.degradationReason).toContain('EADDRINUSE');
    expect(status.degradationReason).toContain(`127.0.0.1:${port}`);
    expect(s.status()).toEqual(status);
    await s.close();
    // The blocker (the "other application") still owns the port.
    expect(await accepting(port)).toBe(true);
  });

  it('keeps a host process alive and serving when its metrics port is taken', async () => {
    const port = await occupy();
    const server = fileURLToPath(new URL('../../../src/exporter/index.ts', import.meta.url));
    const script = `
      import { createServer } from 'node:http';
      import { startMetricsServer } from ${JSON.stringify(server)};
      const metrics = startMetricsServer({ port: ${port} });
      const app = createServer((req, res) => res.end('app ok'));
      app.listen(0, '127.0.0.1', async () => {
        const status = await metrics.ready;
        const reply = await (await fetch('http://127.0.0.1:' + app.address().port + '/')).text();
        console.log(JSON.stringify({ status, reply }));
        app.close();
      });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
    const { status, reply } = JSON.parse(out) as {
      status: { degraded: boolean; degradationReason: string };
      reply: string;
    };
    expect(reply).toBe('app ok');
    expect(status.degraded).toBe(true);
    expect(status.degradationReason).toContain('EADDRINUSE');
  }, 40_000);

  it('rejects ready with VIGIL_ERR_SERVER_START when failFast and the port is in use', async () => {
    const port = await occupy();
    const s = start({ port, failFast: true });
    const error = await s.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_ERR_SERVER_START');
    expect((error as VigilError).message).toContain(`127.0.0.1:${port}`);
    expect(((error as VigilError).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    expect(s.status().degraded).toBe(true);
    await s.close();
  });

  it('degrades on an address it cannot bind, without throwing', async () => {
    // 192.0.2.1 (TEST-NET-1) is a valid address no interface has: bind fails, nothing is sent.
    const status = await start({ host: '192.0.2.1' }).ready;
    expect(status.degraded).toBe(true);
    expect(status.degradationReason).toMatch(/EADDRNOTAVAIL|EACCES/);
  });

  it('degrades on invalid options, or throws VIGIL_ERR_SERVER_START with failFast', async () => {
    for (const options of [{ port: 70_000 }, { port: 1.5 }, { path: 'metrics' }, { auth: { bearer: '' } }]) {
      const status = await start(options).ready;
      expect(status.degraded, JSON.stringify(options)).toBe(true);
      expect(status.serverStarted).toBe(false);
      expect(status.degradationReason).toContain('VIGIL_ERR_EXPORTER_OPTION');
      let thrown: unknown;
      try {
        start({ ...options, failFast: true });
      } catch (error) {
        thrown = error;
      }
      expect((thrown as VigilError).code).toBe('VIGIL_ERR_SERVER_START');
      expect(((thrown as VigilError).cause as VigilError).code).toBe('VIGIL_ERR_EXPORTER_OPTION');
    }
  });

  it('starts nothing with enabled: false, and says why', async () => {
    const port = await freePort();
    const s = start({ port, enabled: false });
    const status = await s.ready;
    expect(status).toMatchObject({ enabled: false, serverStarted: false, degraded: false, port });
    expect(status.degradationReason).toContain('enabled: false');
    expect(await accepting(port)).toBe(false);
    await s.close();
  });

  it('starts nothing with VIGIL_METRICS_ENABLED=false (or 0, no, off), and says why', async () => {
    for (const value of ['false', 'FALSE', '0', 'no', 'off']) {
      process.env.VIGIL_METRICS_ENABLED = value;
      const port = await freePort();
      const status = await start({ port }).ready;
      expect(status.enabled, value).toBe(false);
      expect(status.serverStarted).toBe(false);
      expect(status.degradationReason).toBe(`disabled by VIGIL_METRICS_ENABLED=${value}`);
      expect(await accepting(port)).toBe(false);
    }
    process.env.VIGIL_METRICS_ENABLED = 'true';
    expect((await start({}).ready).serverStarted).toBe(true);
  });

  it('close() frees the port, even with a keep-alive connection open, and is idempotent', async () => {
    const port = await freePort();
    const s = start({ port });
    expect((await s.ready).serverStarted).toBe(true);
    // An idle keep-alive connection, as Prometheus keeps one.
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const started = Date.now();
    await Promise.all([s.close(), s.close()]);
    expect(Date.now() - started).toBeLessThan(2_000);
    socket.destroy();
    expect(s.status().serverStarted).toBe(false);
    expect(await accepting(port)).toBe(false);
    // The port can be bound again right away.
    const again = start({ port });
    expect((await again.ready).serverStarted).toBe(true);
    await again.close();
  });

  it('close() right after start waits for the listen and then frees the port', async () => {
    const port = await freePort();
    const s = start({ port });
    await s.close();
    expect(await accepting(port)).toBe(false);
  });

  it('serves basic auth configured on the server', async () => {
    const s = start({ auth: { basic: { username: 'prom', password: 'pw' } } });
    const { port } = await s.ready;
    const url = `http://127.0.0.1:${port}/metrics`;
    const denied = await get(url, { headers: { Authorization: basic('prom', 'nope') } });
    expect(denied.status).toBe(401);
    expect(denied.body.toString()).not.toContain('served_total');
    expect((await get(url, { headers: { Authorization: basic('prom', 'pw') } })).status).toBe(200);
    expect(s.status().scrapesServed).toBe(1);
  });
});
