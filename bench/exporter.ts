/**
 * Does scraping a large registry freeze the process? A server process holds a 100k-series
 * registry behind `startMetricsServer` and an application endpoint (`/ping`) on the same
 * event loop. This process scrapes it ten times a second, the way Prometheus 2.42 does
 * (its Accept header, gzip), while it pings the application continuously. The server
 * measures its event-loop stall with `perf_hooks.monitorEventLoopDelay`; here we measure
 * what a user of the application sees (ping latency). Goal: max stall <= 50 ms.
 *
 *   node --import tsx bench/exporter.ts            10 s per mode
 *   node --import tsx bench/exporter.ts --quick    3 s per mode
 *   npm run bench                                  runs it after bench/metrics.ts
 *
 * Two modes, same run: `sliced` (what the exporter does: encode in ~5 ms slices) and
 * `one piece` (sliceMs so large the encode never yields, as a synchronous encode would).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startMetricsServer } from '../src/exporter/index.js';
import { Registry } from '../src/metrics/index.js';

const SERIES = 100_000;
const SCRAPES_PER_SECOND = 10;
const GOAL_MS = 50;
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

type ToServer = { type: 'start' } | { type: 'stop' };
type FromServer =
  | { type: 'listening'; metricsPort: number; appPort: number }
  | {
      type: 'stats';
      maxMs: number;
      p99Ms: number;
      p50Ms: number;
      meanMs: number;
      scrapes: number;
      lastScrapeMs: number;
    };

// ---- server process ----------------------------------------------------------------

async function serverMain(sliceMs: number): Promise<void> {
  const send = (message: FromServer) => process.send?.(message);
  const registry = new Registry();
  const requests = registry.counter({
    name: 'http_requests_total',
    help: 'Requests by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    maxSeries: SERIES,
  });
  for (let k = 0; k < SERIES; k++) {
    requests.inc(
      { method: `M${k % 10}`, route: `/api/route/${Math.floor(k / 100) % 1000}`, status: `${k % 100}` },
      k % 7,
    );
  }
  const { families } = await registry.gather();
  const count = families.reduce((n, f) => n + f.series.length, 0);
  if (count !== SERIES) throw new Error(`the registry holds ${count} series, not ${SERIES}`);
  const metrics = startMetricsServer({ port: 0, registry, sliceMs });
  const { port: metricsPort, degraded, degradationReason } = await metrics.ready;
  if (degraded) throw new Error(`metrics server did not start: ${degradationReason}`);
  const app = createServer((_req, res) => {
    res.end('pong');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appPort = (app.address() as AddressInfo).port;

  const delay = monitorEventLoopDelay({ resolution: 1 });
  process.on('message', (message: ToServer) => {
    if (message.type === 'start') {
      delay.reset();
      delay.enable();
      return;
    }
    delay.disable();
    const status = metrics.status();
    send({
      type: 'stats',
      maxMs: delay.max / 1e6,
      p99Ms: delay.percentile(99) / 1e6,
      p50Ms: delay.percentile(50) / 1e6,
      meanMs: delay.mean / 1e6,
      scrapes: status.scrapesServed,
      lastScrapeMs: (status.lastScrapeDurationSeconds ?? 0) * 1000,
    });
    void metrics.close().then(() => app.close(() => process.exit(0)));
  });
  send({ type: 'listening', metricsPort, appPort });
}

// ---- load generator ----------------------------------------------------------------

interface Answer {
  ms: number;
  bytes: number;
  status: number;
}

function hit(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ ms: performance.now() - start, bytes, status: res.statusCode ?? 0 }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface ModeResult {
  mode: string;
  stats: Extract<FromServer, { type: 'stats' }>;
  scrapes: Answer[];
  pings: number[];
}

async function runMode(mode: string, sliceMs: number, seconds: number): Promise<ModeResult> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--server', `--slice-ms=${sliceMs}`], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends FromServer['type']>(type: T) =>
    new Promise<Extract<FromServer, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not send ${type} within 60 s`)), 60_000);
      child.on('message', (message: FromServer) => {
        if (message.type === type) {
          clearTimeout(timer);
          resolve(message as Extract<FromServer, { type: T }>);
        }
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code} before ${type}`)));
    });
  const { metricsPort, appPort } = await next('listening');
  // Warm up: the first scrapes compile the encoder.
  for (let i = 0; i < 3; i++)
    await hit(metricsPort, '/metrics', { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' });

  child.send({ type: 'start' } satisfies ToServer);
  const until = performance.now() + seconds * 1000;
  const scrapes: Promise<Answer>[] = [];
  const timer = setInterval(() => {
    scrapes.push(hit(metricsPort, '/metrics', { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' }));
  }, 1000 / SCRAPES_PER_SECOND);
  const pings: number[] = [];
  while (performance.now() < until) {
    pings.push((await hit(appPort, '/ping')).ms);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  clearInterval(timer);
  const answered = await Promise.all(scrapes);
  const stats = next('stats');
  child.send({ type: 'stop' } satisfies ToServer);
  return { mode, stats: await stats, scrapes: answered, pings: pings.sort((a, b) => a - b) };
}

function row(r: ModeResult): string {
  const ok = r.scrapes.filter((s) => s.status === 200);
  const meanScrape = ok.reduce((sum, s) => sum + s.ms, 0) / Math.max(1, ok.length);
  const cells = [
    r.mode,
    `${ok.length}/${r.scrapes.length}`,
    `${meanScrape.toFixed(0)} ms`,
    `${((ok[0]?.bytes ?? 0) / 1024).toFixed(0)} KiB`,
    `${r.stats.maxMs.toFixed(1)} ms`,
    `${r.stats.p99Ms.toFixed(1)} ms`,
    `${(r.stats.maxMs / GOAL_MS).toFixed(2)}x`,
    `${percentile(r.pings, 50).toFixed(1)} / ${percentile(r.pings, 99).toFixed(1)} / ${(r.pings.at(-1) ?? 0).toFixed(1)} ms`,
    String(r.pings.length),
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // `npm run bench -- --only=word` runs this file only when a word matches "exporter".
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only !== undefined && !only.split(',').some((w) => w !== '' && 'exporter'.includes(w))) return;
  const seconds = args.includes('--quick') ? 3 : 10;
  const results: ModeResult[] = [];
  results.push(await runMode('sliced (default, 5 ms)', 5, seconds));
  results.push(await runMode('one piece (no yield)', 1e9, seconds));
  const lines = [
    `Exporter: ${SERIES.toLocaleString('en')} series scraped ${SCRAPES_PER_SECOND}/s for ${seconds} s (OpenMetrics, gzip), Node ${process.version}`,
    '',
    '| mode | scrapes ok | mean scrape | gzip body | max loop stall | p99 stall | stall / 50 ms goal | ping p50 / p99 / max | pings |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(row),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const sliced = results[0] as ModeResult;
  const pass = sliced.stats.maxMs <= GOAL_MS;
  process.stdout.write(
    `\ngoal: max event-loop stall <= ${GOAL_MS} ms while scraping: ${pass ? 'met' : 'NOT met'} (${sliced.stats.maxMs.toFixed(1)} ms)\n`,
  );
}

if (process.argv.includes('--server')) {
  const slice = Number(process.argv.find((a) => a.startsWith('--slice-ms='))?.slice('--slice-ms='.length) ?? 5);
  serverMain(slice).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
