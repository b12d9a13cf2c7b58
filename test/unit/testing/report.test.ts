import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishRun, TestRunRecorder } from '../../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const metadata = { branch: 'feature/x', commit: 'abc', workflow: 'ci', runner: 'r1' };

// Hermetic: the run that executes these tests may itself be configured by VIGIL_* (dogfood).
const ENV_KEYS = ['VIGIL_PUSHGATEWAY_URL', 'VIGIL_PUSH_JOB', 'VIGIL_METRICS_FILE'] as const;
const savedEnv = new Map<string, string | undefined>();
beforeEach(() => {
  for (const key of ENV_KEYS) {
    savedEnv.set(key, process.env[key]);
    delete process.env[key];
  }
});
afterEach(() => {
  for (const [key, value] of savedEnv) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('finishRun', () => {
  it('takes gateway, job and file from the environment', async () => {
    const file = join(dir, 'from-env.prom');
    process.env.VIGIL_METRICS_FILE = file;
    process.env.VIGIL_PUSHGATEWAY_URL = 'not a url';
    const warnings: string[] = [];
    const report = await finishRun(new TestRunRecorder({ metadata }), { warn: (m) => warnings.push(m) });
    expect(report.file).toBe(file);
    expect(report.pushed).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('VIGIL_ERR_PUSH_OPTION');
  });

  it('writes the metrics file and does not push without a gateway', async () => {
    const run = new TestRunRecorder({ metadata });
    run.recordTest({ file: 'a.ts', name: 'x', outcome: 'passed', durationMs: 1 });
    const file = join(dir, 'nested', 'metrics.prom');
    const report = await finishRun(run, { metricsFile: file });
    expect(report.pushed).toBeUndefined();
    expect(report.file).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(report.text);
    expect(report.text).toContain('vigil_tests_total{file="a.ts",outcome="passed"} 1');
  });

  it('pushes once, PUT, grouping key job + branch + runner', async () => {
    const requests: { method: string; url: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const run = new TestRunRecorder({ metadata });
      run.recordTest({ file: 'a.ts', name: 'x', outcome: 'failed', durationMs: 1 });
      const report = await finishRun(run, { gateway: `http://127.0.0.1:${port}`, job: 'unit' });
      expect(report.pushed).toBe(true);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.method).toBe('PUT');
      expect(requests[0]?.url).toBe('/metrics/job/unit/branch@base64/ZmVhdHVyZS94/runner/r1');
      expect(requests[0]?.body).toContain('vigil_tests_total{file="a.ts",outcome="failed"} 1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a gateway that is down costs one warning and never throws', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve)); // nothing listens there now
    const warnings: string[] = [];
    const run = new TestRunRecorder({ metadata });
    const report = await finishRun(run, {
      gateway: `http://127.0.0.1:${port}`,
      pushRetries: 0,
      warn: (m) => warnings.push(m),
    });
    expect(report.pushed).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^vigil: could not push test metrics to http:\/\/127\.0\.0\.1:\d+ .*not affected.*VIGIL_ERR_PUSH_FAILED/,
    );
  });
});
