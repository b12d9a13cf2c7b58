import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { HealthResponse, MetricsResponse, TracesResponse } from '../../src/console/api-types.js';

/** `npm start`'s program: it serves real metrics from its simulated work, and Ctrl-C stops it. */
const root = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

function waitForLine(proc: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

describe('demo (npm start)', () => {
  it('serves metrics from its service, catalog, collectors and worker, and stops on SIGINT', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/demo/main.ts')], {
      cwd: root,
      env: { ...process.env, VIGIL_DEMO_PORT: '0', VIGIL_CONSOLE_PORT: '0', VIGIL_PROMETHEUS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const consoleLine = waitForLine(child, /Vigil console: (http:\/\/127\.0\.0\.1:\d+\/) \(embedded mode\)/, 20_000);
    const [, url] = await waitForLine(child, /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/, 20_000);
    const [, consoleUrl] = await consoleLine;
    // Let the traffic generator and worker run for a few rounds.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const text = await (await fetch(url as string, { signal: AbortSignal.timeout(5000) })).text();

    expect(text).toMatch(
      /^http_server_requests_total\{service="vigil-demo",method="GET",route="\/api\/users\/:id",status="200"\} [1-9]/m,
    );
    expect(text).toMatch(/^http_server_requests_total\{[^}]*route="\/api\/fail",status="500"\} [1-9]/m);
    for (const family of [
      'db_queries_total',
      'worker_files_processed_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toMatch(new RegExp(`^${family}\\{`, 'm'));
    }
    // The worker's runs are traced: span metrics, tracer counters, exemplar-ready counter.
    expect(text).toMatch(/^traces_spans_total\{[^}]*span_name="process file",span_kind="internal"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^vigil_spans_started_total\{service="vigil-demo"\} [1-9]/m);
    // Random /scan/... URLs fold into one route value.
    expect(text).not.toContain('/scan/');

    // The console beside it reads the same registry and receives the worker's spans in process.
    const get = async <T>(path: string) =>
      (await fetch(`${consoleUrl}${path}`, { signal: AbortSignal.timeout(5000) })).json() as Promise<T>;
    const health = await get<HealthResponse>('api/health');
    expect(health.mode).toBe('embedded');
    const metrics = await get<MetricsResponse>('api/metrics?search=http_server_requests_total');
    expect(metrics.families[0]?.series.length).toBeGreaterThan(0);
    const traces = await get<TracesResponse>('api/traces?service=vigil-demo');
    expect(traces.traces.length).toBeGreaterThan(0);
    expect(traces.traces[0]?.service).toBe('vigil-demo');
    // HTTP requests are server spans too.
    const http = await get<TracesResponse>('api/traces?name=GET');
    expect(http.traces.some((t) => t.rootName.startsWith('GET /api/'))).toBe(true);

    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 40_000);
});
