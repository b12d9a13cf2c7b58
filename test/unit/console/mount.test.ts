import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsResponse } from '../../../src/console/api-types.js';
import { type ConsoleHandler, consoleHandler } from '../../../src/console/index.js';
import { Registry } from '../../../src/metrics/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
const registry = new Registry();
registry.gauge({ name: 'mounted_gauge', help: 'h' }).set(42);
const handlers: ConsoleHandler[] = [];
const servers: Server[] = [];

async function listen(listener: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-console-mount-'));
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'web', 'index.html'), '<title>mounted page</title>');
});

afterAll(async () => {
  for (const h of handlers) h.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('consoleHandler mounted in an application', () => {
  it('serves under a base path in a plain node server, beside the app', async () => {
    const handler = consoleHandler({ registry, basePath: '/console', assetsDir: join(dir, 'web'), prometheusUrl: '' });
    handlers.push(handler);
    const base = await listen((req, res) => {
      if (req.url?.startsWith('/console')) return handler(req, res);
      res.end('app');
    });
    expect(await (await fetch(`${base}/hello`)).text()).toBe('app');
    const redirect = await fetch(`${base}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/console/');
    const page = await fetch(`${base}/console/`);
    expect(await page.text()).toContain('mounted page');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const metrics = (await (await fetch(`${base}/console/api/metrics?search=mounted`)).json()) as MetricsResponse;
    expect(metrics.families).toEqual([
      { name: 'mounted_gauge', type: 'gauge', help: 'h', unit: '', series: [{ labels: {}, value: 42 }] },
    ]);
  });

  it('works as Express middleware under app.use(path)', async () => {
    const handler = consoleHandler({ registry, assetsDir: join(dir, 'web'), prometheusUrl: '' });
    handlers.push(handler);
    const app = express();
    app.use('/ops/console', handler);
    app.get('/', (_req, res) => {
      res.send('express app');
    });
    const base = await listen(app);
    expect(await (await fetch(`${base}/`)).text()).toBe('express app');
    const metrics = (await (await fetch(`${base}/ops/console/api/metrics`)).json()) as MetricsResponse;
    expect(metrics.families.map((f) => f.name)).toEqual(['mounted_gauge']);
    expect(await (await fetch(`${base}/ops/console/`)).text()).toContain('mounted page');
  });
});

describe('vigil console (registerConsole)', () => {
  it('prints its URL, serves its own process metrics, and stops on SIGINT', async () => {
    const script = `
      import { Command } from 'commander';
      import { registerConsole } from './src/cli/console.ts';
      const program = new Command('vigil');
      registerConsole(program);
      await program.parseAsync(['node', 'vigil', 'console', '--port', '0']);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, VIGIL_PROMETHEUS_URL: '', VIGIL_ALERTMANAGER_URL: '', VIGIL_PUSHGATEWAY_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /Vigil console at (http:\/\/127\.0\.0\.1:\d+\/) \(embedded mode/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1] as string);
          }
        });
        child.stderr.on('data', (chunk: Buffer) => {
          out += chunk.toString();
        });
      });
      const metrics = (await (await fetch(`${url}api/metrics?search=process_resident`)).json()) as MetricsResponse;
      expect(metrics.families[0]?.name).toBe('process_resident_memory_bytes');
      expect(metrics.families[0]?.series[0]?.value).toBeGreaterThan(1e6);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
