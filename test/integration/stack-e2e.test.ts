import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsHandler } from '../../src/exporter/index.js';
import { instrument } from '../../src/http/node/index.js';
import { Registry } from '../../src/metrics/index.js';
import { isOurs, type StackState, type StackStatus } from '../../src/stack/local.js';
import { runVigil } from '../support/cli.js';
import { requireBinary } from '../support/components.js';
import { freePort } from '../support/ports.js';

/**
 * End to end, through the CLI as child processes: `stack init` + `stack up` start the real
 * Prometheus, Pushgateway and Alertmanager (detached, as a user runs them); a service
 * instrumented with vigil/http/node answers a burst of 500s; the error-rate alert fires
 * in Prometheus, reaches Alertmanager, which posts it to a webhook on 127.0.0.1; `stack
 * down` leaves no process and no listening port behind.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const vigil = (...args: string[]) => runVigil(args, { timeoutMs: 40_000 });

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

let work: string;
let dir: string;
let service: Server;
let webhook: Server;
const posts: Array<{ alerts: Array<{ status: string; labels: Record<string, string> }> }> = [];
const ports = { prometheus: 0, pushgateway: 0, alertmanager: 0, service: 0, webhook: 0 };
/** Every PID `stack up` recorded, read as soon as it is written: the last-resort cleanup. */
let recorded: number[] = [];
const commands = new Map<number, string[]>();

const killRecorded = () => {
  // Only while the PID still runs the recorded command: it may have been reused.
  for (const pid of recorded) {
    try {
      if (isOurs(pid, commands.get(pid) ?? [])) process.kill(pid, 'SIGKILL');
    } catch {}
  }
};
// If the worker ends without afterAll (a crash), the detached components must still go.
process.once('exit', killRecorded);

const readRecorded = () => {
  try {
    const state = JSON.parse(readFileSync(join(dir, '.data/stack.json'), 'utf8')) as StackState;
    for (const c of state.components) commands.set(c.pid, c.command);
    recorded = [...commands.keys()];
  } catch {}
};

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

beforeAll(async () => {
  for (const name of ['prometheus', 'prometheus-pushgateway', 'prometheus-alertmanager'] as const) {
    requireBinary(name, name);
  }
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  work = await mkdtemp(join(tmpdir(), 'vigil-stack-e2e-'));
  dir = join(work, 'monitoring');

  const registry = new Registry();
  const serveMetrics = metricsHandler(registry);
  const app = instrument(
    (req, res) => {
      if (req.url === '/api/fail') res.writeHead(500).end('boom');
      else res.writeHead(200).end('ok');
    },
    { registry, routes: ['/api/ok', '/api/fail'] },
  );
  service = createServer((req, res) => (req.url === '/metrics' ? serveMetrics(req, res) : app(req, res)));
  await listen(service, ports.service);

  webhook = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      if (req.method === 'POST') posts.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await listen(webhook, ports.webhook);
});

afterAll(async () => {
  readRecorded();
  if (dir) await vigil('stack', 'down', '--dir', dir);
  killRecorded();
  process.off('exit', killRecorded);
  service?.closeAllConnections();
  webhook?.closeAllConnections();
  await Promise.all([service, webhook].map((s) => new Promise((r) => (s ? s.close(r) : r(undefined)))));
  if (work) await rm(work, { recursive: true, force: true });
});

describe('vigil stack up → alert → webhook → down', () => {
  it('fires the error-rate alert end to end and leaves nothing running', async () => {
    const config = {
      project: 'e2e',
      services: [{ name: 'app', targets: [`127.0.0.1:${ports.service}`] }],
      prometheus: { listen: `127.0.0.1:${ports.prometheus}`, scrapeInterval: '1s', evaluationInterval: '1s' },
      pushgateway: { listen: `127.0.0.1:${ports.pushgateway}` },
      alertmanager: {
        listen: `127.0.0.1:${ports.alertmanager}`,
        groupWait: '1s',
        groupInterval: '1s',
        repeatInterval: '1h',
        webhooks: [{ name: 'test', url: `http://127.0.0.1:${ports.webhook}/alerts`, sendResolved: false }],
      },
      alerts: { errorRate: { for: '0s', threshold: 0.1 } },
    };
    const configFile = join(work, 'vigil.config.json');
    await writeFile(configFile, JSON.stringify(config));

    const init = await vigil('stack', 'init', '--dir', dir, '--config', configFile);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);

    const before = await vigil('stack', 'status', '--dir', dir, '--json');
    expect(before.code).toBe(0);
    const stopped = JSON.parse(before.stdout) as StackStatus;
    expect(stopped.running).toBe(false);
    expect(stopped.components.map((c) => [c.name, c.state])).toEqual([
      ['prometheus', 'stopped'],
      ['pushgateway', 'stopped'],
      ['alertmanager', 'stopped'],
    ]);

    const watcher = setInterval(readRecorded, 100);
    const up = await vigil('stack', 'up', '--dir', dir, '--timeout', '25');
    clearInterval(watcher);
    readRecorded();
    expect(up.stderr).toMatch(/^vigil: starting prometheus on 127\.0\.0\.1:\d+ \.\.\.$/m);
    expect(up.stderr).toMatch(/^vigil: first scrape done/m);
    expect(up.code, up.stderr).toBe(0);
    expect(recorded).toHaveLength(3);

    const running = JSON.parse((await vigil('stack', 'status', '--dir', dir, '--json')).stdout) as StackStatus;
    expect(running.components.map((c) => [c.name, c.state, c.ready])).toEqual([
      ['prometheus', 'running', true],
      ['pushgateway', 'running', true],
      ['alertmanager', 'running', true],
    ]);
    expect(running.components.map((c) => c.pid).sort()).toEqual([...recorded].sort());

    // The burst: most requests fail, sent until the alert has reached the webhook.
    const isErrorRate = (name: string | undefined) => name === 'VigilHighErrorRate';
    const prometheus = `http://127.0.0.1:${ports.prometheus}`;
    let firingInPrometheus = false;
    const deadline = Date.now() + 35_000;
    while (Date.now() < deadline) {
      await Promise.all(
        ['/api/fail', '/api/fail', '/api/fail', '/api/ok'].map((path) =>
          fetch(`http://127.0.0.1:${ports.service}${path}`).then((r) => r.arrayBuffer()),
        ),
      );
      if (!firingInPrometheus) {
        const body = (await (await fetch(`${prometheus}/api/v1/alerts`)).json()) as {
          data: { alerts: Array<{ state: string; labels: Record<string, string> }> };
        };
        firingInPrometheus = body.data.alerts.some((a) => isErrorRate(a.labels.alertname) && a.state === 'firing');
      }
      if (posts.some((p) => p.alerts.some((a) => isErrorRate(a.labels.alertname) && a.status === 'firing'))) break;
      await sleep(200);
    }
    expect(firingInPrometheus).toBe(true);
    const delivered = posts.flatMap((p) => p.alerts).find((a) => isErrorRate(a.labels.alertname));
    expect(delivered).toMatchObject({ status: 'firing', labels: { job: 'app' } });

    const down = await vigil('stack', 'down', '--dir', dir);
    expect(down.code).toBe(0);
    for (const pid of recorded) expect(gone(pid), `pid ${pid}`).toBe(true);
    for (const port of [ports.prometheus, ports.pushgateway, ports.alertmanager]) {
      expect(await listening(port), `port ${port}`).toBe(false);
    }
    const after = JSON.parse((await vigil('stack', 'status', '--dir', dir, '--json')).stdout) as StackStatus;
    expect(after.running).toBe(false);
    expect(after.components.every((c) => c.state === 'stopped')).toBe(true);
  });
});

describe('vigil stack up when a component cannot start', () => {
  it('stops what it started and quotes the log of the one that failed', async () => {
    const taken = createServer();
    const port = await freePort();
    await listen(taken, port);
    const failing = join(work, 'port-taken');
    try {
      const configFile = join(work, 'port-taken.json');
      const listenOn = async () => `127.0.0.1:${await freePort()}`;
      await writeFile(
        configFile,
        JSON.stringify({
          prometheus: { listen: await listenOn() },
          pushgateway: { listen: await listenOn() },
          alertmanager: { listen: `127.0.0.1:${port}` },
        }),
      );
      expect((await vigil('stack', 'init', '--dir', failing, '--config', configFile)).code).toBe(0);
      const up = await vigil('stack', 'up', '--dir', failing, '--timeout', '10');
      expect(up.code).toBe(1);
      expect(up.stderr).toMatch(/^vigil: start failed: stopping what was started/m);
      expect(up.stderr).toMatch(/^error VIGIL_ERR_STACK_START: alertmanager exited before it was ready/m);
      expect(up.stderr).toContain('address already in use');
      expect(up.stderr).toMatch(/^hint: read the log quoted above/m);
      const started = [...up.stderr.matchAll(/ready at \S+ \(pid (\d+),/g)].map((m) => Number(m[1]));
      expect(started).toHaveLength(2);
      for (const pid of started) expect(gone(pid), `pid ${pid}`).toBe(true);
      const status = JSON.parse((await vigil('stack', 'status', '--dir', failing, '--json')).stdout) as StackStatus;
      expect(status.running).toBe(false);
    } finally {
      taken.close();
    }
  });
});

describe('vigil stack up --victoria-metrics', () => {
  it('runs VictoriaMetrics beside Prometheus on the same scrape config, and stops both', async () => {
    const vmDir = join(work, 'with-vm');
    const port = { prometheus: await freePort(), vm: await freePort() };
    const configFile = join(work, 'with-vm.json');
    await writeFile(
      configFile,
      JSON.stringify({
        services: [{ name: 'app', targets: [`127.0.0.1:${ports.service}`] }],
        prometheus: { listen: `127.0.0.1:${port.prometheus}`, scrapeInterval: '1s', evaluationInterval: '1s' },
        pushgateway: { enabled: false },
        alertmanager: { enabled: false },
        victoriaMetrics: { listen: `127.0.0.1:${port.vm}` },
      }),
    );
    expect((await vigil('stack', 'init', '--dir', vmDir, '--config', configFile)).code).toBe(0);
    const up = await vigil('stack', 'up', '--dir', vmDir, '--victoria-metrics', '--timeout', '25');
    const started = [...up.stderr.matchAll(/ready at \S+ \(pid (\d+),/g)].map((m) => Number(m[1]));
    try {
      expect(up.code, up.stderr).toBe(0);
      const status = JSON.parse((await vigil('stack', 'status', '--dir', vmDir, '--json')).stdout) as StackStatus;
      expect(status.components.map((c) => [c.name, c.state])).toEqual([
        ['prometheus', 'running'],
        ['victoria-metrics', 'running'],
      ]);
      // VictoriaMetrics scrapes the service itself and answers Prometheus' query API.
      let up1 = false;
      const deadline = Date.now() + 20_000;
      while (!up1 && Date.now() < deadline) {
        const url = `http://127.0.0.1:${port.vm}/api/v1/query?query=${encodeURIComponent('up{job="app"}')}`;
        const body = (await (await fetch(url)).json()) as { data: { result: Array<{ value: [number, string] }> } };
        up1 = body.data.result.some((r) => r.value[1] === '1');
        if (!up1) await sleep(500);
      }
      expect(up1).toBe(true);
    } finally {
      expect((await vigil('stack', 'down', '--dir', vmDir)).code).toBe(0);
    }
    expect(started).toHaveLength(2);
    for (const pid of started) expect(gone(pid), `pid ${pid}`).toBe(true);
    expect(await listening(port.vm)).toBe(false);
  });
});
