/**
 * HTTP middleware throughput: each framework bare, with Vigil's adapter, and with the
 * metrics library its users pick today, in the same run. Run with
 * `node --import tsx bench/http.ts` (about 20 minutes; writes bench/results/http.md, also
 * with `--rounds` above the default 8).
 * Two loads, one after the other: autocannon over 127.0.0.1 (`network`), and requests fed
 * to the same servers from memory (`socketless`, bench/http-socketless.ts), which leaves
 * out the kernel and the client that share this machine's cores with the server.
 * Options: `--quick` (2 rounds), `--only=express,hono`, `--rounds=N`, `--seconds=S`, `--warmup-seconds=S`,
 * `--load=network|socketless`, `--connections=N`, `--pipelining=N` (network),
 * `--no-noop` (skip the no-op middleware variant), `--no-pin`, `--clock` (add the variant that
 * only reads the clock twice, bench/http-apps.ts), `--concurrent` (socketless only: every
 * pass runs all variants at once on the servers' one core, so the machine's drifts hit them
 * alike and the scheduler gives each the same share); any of them writes nothing.
 * `--instructions` counts server instructions per request under valgrind instead (see
 * `instructions()` below; writes bench/results/http-instructions.md): noise-free.
 *
 * Each server runs in its own process (bench/http-apps.ts), pinned to the last core;
 * autocannon runs here, pinned to the first (`--no-pin`: unpinned). A shared machine
 * drifts by tens of percent within seconds, and two processes of the same code settle apart,
 * so the variants run in many short rounds on fresh processes, each round in passes that run
 * every variant once, and each ratio is paired: a variant's run against bare's run of the
 * same pass, then the median over passes. Goal from issue 3: Vigil >= 0.95x bare and ahead
 * of the peer library.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Framework, Variant } from './http-apps.js';
import type { SocketlessResult } from './http-socketless.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const quick = process.argv.includes('--quick');
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROUNDS = Number(option('rounds') ?? (quick ? 2 : 8));
const SECONDS = Number(option('seconds') ?? 1);
const WARMUP_SECONDS = Number(option('warmup-seconds') ?? 2);
/** Passes over all variants per round, each on the same fresh processes. */
const PASSES = 2;
const CONNECTIONS = Number(option('connections') ?? 50);
const PIPELINING = Number(option('pipelining') ?? 1);
const PATH = '/users/42';
/**
 * Servers run on the last core and this driver (autocannon) on the first, so the two never
 * take turns on one core: that turn-taking was most of the spread between rounds. `--no-pin`
 * leaves placement to the scheduler; machines with one core or without taskset are not pinned.
 */
const PIN = !process.argv.includes('--no-pin') && cpus().length >= 2 && hasTool('taskset', ['-V']);
if (PIN) execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });
/**
 * How requests reach the servers: `network` (autocannon over 127.0.0.1) and `socketless`
 * (bench/http-socketless.ts, in the server's process, no kernel, no client). `--load=` picks one.
 */
type Load = 'network' | 'socketless';
const LOADS: readonly Load[] =
  option('load') === undefined ? ['network', 'socketless'] : (option('load')?.split(',') as Load[]);

const PEERS: Record<Framework, string | undefined> = {
  node: undefined,
  express: 'express-prom-bundle',
  fastify: 'fastify-metrics',
  hono: '@hono/prometheus',
};
const ALL: readonly Framework[] = ['node', 'express', 'fastify', 'hono'];
const only = option('only')?.split(',');
const withNoop = !process.argv.includes('--no-noop');
const withClock = process.argv.includes('--clock');
const CONCURRENT = process.argv.includes('--concurrent');
if (CONCURRENT && LOADS.includes('network')) {
  // Several autocannon clients and servers sharing the cores cut req/s by a third and the
  // runs spread by more than 100% in a trial: only the socketless load runs concurrently.
  console.error('--concurrent runs the socketless load only: add --load=socketless');
  process.exit(2);
}
const FRAMEWORKS = only === undefined ? ALL : ALL.filter((f) => only.includes(f));

interface Server {
  variant: Variant;
  /** 0 for socketless servers. */
  port: number;
  child: ChildProcess;
  load: Load;
}

interface Sample {
  /** Server CPU time (user + system) per completed request, microseconds. */
  cpuPerRequest: number;
  /** Young-generation collections (scavenges) in the server per 1,000 completed requests. */
  gcPerKilo: number;
  rps: number;
  p50: number;
  p99: number;
  sent: number;
  errors: number;
}

/**
 * Every server's young generation is fixed at the largest size V8 grows it to by default
 * (16 MB semi-spaces). Left to the heuristic, processes running the same code settled at
 * different sizes, and the same app's scavenge rate differed up to tenfold between runs.
 * Fixed, the scavenges per request follow what each variant allocates.
 */
const SERVER_YOUNG_MB = 16;

async function startServer(framework: Framework, variant: Variant, load: Load): Promise<Server> {
  const args = [
    `--min-semi-space-size=${SERVER_YOUNG_MB}`,
    `--max-semi-space-size=${SERVER_YOUNG_MB}`,
    '--import',
    'tsx',
    join(here, 'http-apps.ts'),
    framework,
    variant,
  ];
  if (load === 'socketless') args.push('--socketless');
  const [command, ...rest] = PIN
    ? ['taskset', '-c', String(cpus().length - 1), process.execPath, ...args]
    : [process.execPath, ...args];
  const child = spawn(command as string, rest, { cwd: root, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${framework}/${variant} did not start in 20 s`)), 20_000);
    child.once('exit', (code) => reject(new Error(`${framework}/${variant} exited with ${code}`)));
    lines.on('line', (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { variant, port, child, load };
}

/** The server process' CPU time so far (microseconds) and its scavenges so far. */
function usageOf(child: ChildProcess): Promise<{ cpu: number; gc: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not report its CPU time')), 5_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as { cpu: number; gc: number });
    });
    child.send('cpu');
  });
}

/** One socketless run in the server's process (bench/http-socketless.ts). */
function loadSocketless(server: Server, seconds: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socketless run did not report')), seconds * 1000 + 10_000);
    server.child.once('message', (message) => {
      clearTimeout(timer);
      const r = (message as { result: SocketlessResult & { scavenges: number } }).result;
      resolve({
        cpuPerRequest: r.requests > 0 ? r.cpuMicros / r.requests : 0,
        gcPerKilo: r.requests > 0 ? (r.scavenges * 1000) / r.requests : 0,
        rps: r.requests / (r.elapsedMs / 1000),
        p50: 0,
        p99: 0,
        sent: r.requests,
        errors: r.errors,
      });
    });
    server.child.send({ run: { path: PATH, connections: CONNECTIONS, ms: seconds * 1000 } });
  });
}

async function runLoad(server: Server, seconds: number): Promise<Sample> {
  if (server.load === 'socketless') return loadSocketless(server, seconds);
  const port = server.port;
  const before = await usageOf(server.child);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${PATH}`,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration: seconds,
  });
  const after = await usageOf(server.child);
  const cpu = after.cpu - before.cpu;
  const gc = after.gc - before.gc;
  return {
    cpuPerRequest: result.requests.total > 0 ? cpu / result.requests.total : 0,
    gcPerKilo: result.requests.total > 0 ? (gc * 1000) / result.requests.total : 0,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    sent: result.requests.total,
    errors: result.errors + result.non2xx,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** What Vigil's server counted, read from its own /metrics. */
async function vigilCount(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('http_server_requests_total{method="GET",route="/users/:id"'));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

interface Row {
  framework: Framework;
  variant: Variant;
  library: string;
  rps: number;
  ratio: number;
  /** Median server CPU per request, microseconds. */
  cpu: number;
  /** Bare CPU per request / this one: the throughput ratio a CPU-bound server would see. */
  cpuRatio: number;
  /** Median scavenges per 1,000 requests: what the variant's allocations cost in GC. */
  gc: number;
  /** Paired req/s ratio against the no-op middleware, when it ran. */
  vsNoop: number | undefined;
  /** Paired like `ratio`, against the clock-only variant's run of the same pass (`--clock`). */
  vsClock: number | undefined;
  /** Paired like `ratio`, against the peer library's run of the same pass. */
  vsPeer: number | undefined;
  p50: number;
  p99: number;
  spread: number;
  errors: number;
}

/** A variant as the tables name it. */
function libraryOf(framework: Framework, variant: Variant): string {
  if (variant === 'peer') return PEERS[framework] as string;
  if (variant === 'bare') return '-';
  if (framework === 'hono' && variant === 'vigil') return 'vigil app.use()';
  if (variant === 'vigil-app') return 'vigil instrument(app)';
  return variant;
}

/** A variant's run and bare's run in the same pass. */
interface Pair {
  sample: Sample;
  bare: Sample;
}

/** A variant's req/s over another's, pass by pass (each against bare's run of its pass). */
function pairedRatio(mine: Pair[], theirs: Pair[]): number {
  return median(
    mine.map((a, i) => {
      const b = theirs[i] as Pair;
      return a.sample.rps / a.bare.rps / (b.sample.rps / b.bare.rps);
    }),
  );
}

/** A variant's row; bare's runs are its own samples, the others' are paired with bare's. */
function rowOf(framework: Framework, variant: Variant, bareSamples: Sample[], pairs: Map<Variant, Pair[]>): Row {
  const mine = variant === 'bare' ? null : (pairs.get(variant) as Pair[]);
  const list = mine === null ? bareSamples : mine.map((p) => p.sample);
  const rps = median(list.map((s) => s.rps));
  const all = list.map((s) => s.rps);
  const noop = pairs.get('noop');
  const clock = pairs.get('clock');
  const peer = pairs.get('peer');
  return {
    framework,
    variant,
    library: libraryOf(framework, variant),
    rps,
    ratio: mine === null ? 1 : median(mine.map((p) => p.sample.rps / p.bare.rps)),
    cpu: median(list.map((s) => s.cpuPerRequest)),
    cpuRatio: mine === null ? 1 : median(mine.map((p) => p.bare.cpuPerRequest / p.sample.cpuPerRequest)),
    gc: median(list.map((s) => s.gcPerKilo)),
    vsNoop: mine !== null && noop !== undefined ? pairedRatio(mine, noop) : undefined,
    vsClock: mine !== null && clock !== undefined ? pairedRatio(mine, clock) : undefined,
    vsPeer: mine !== null && peer !== undefined ? pairedRatio(mine, peer) : undefined,
    p50: median(list.map((s) => s.p50)),
    p99: median(list.map((s) => s.p99)),
    spread: rps > 0 ? (Math.max(...all) - Math.min(...all)) / rps : 0,
    errors: list.reduce((n, s) => n + s.errors, 0),
  };
}

async function benchFramework(framework: Framework, load: Load): Promise<{ rows: Row[]; check: string }> {
  const variants: Variant[] = [
    'bare',
    ...(withNoop ? (['noop'] as const) : []),
    ...(withClock ? (['clock'] as const) : []),
    'vigil',
  ];
  if (framework === 'hono') variants.push('vigil-app');
  if (PEERS[framework] !== undefined) variants.push('peer');
  const pairs = new Map<Variant, Pair[]>(variants.filter((v) => v !== 'bare').map((v) => [v, []]));
  const bareSamples: Sample[] = [];
  let sentToVigil = 0;
  let countedByVigil = 0;
  const run = async (s: Server, round: number, warmUp = false): Promise<Sample> => {
    const sample = await runLoad(s, warmUp ? WARMUP_SECONDS : SECONDS);
    if (s.variant === 'vigil') sentToVigil += sample.sent;
    if (!warmUp) {
      process.stdout.write(
        `  ${load.padEnd(10)} ${framework.padEnd(7)} ${s.variant.padEnd(9)} round ${round + 1}: ${Math.round(sample.rps)} req/s, ${sample.cpuPerRequest.toFixed(1)} µs CPU/req\n`,
      );
    }
    return sample;
  };
  // Every round starts its own server processes: two processes of the same code can settle
  // tens of percent apart for the whole of their life (where V8 placed and optimized their
  // code), so one process per variant would let one lucky or unlucky start decide a ratio.
  for (let round = 0; round < ROUNDS; round++) {
    const servers = await Promise.all(variants.map((v) => startServer(framework, v, load)));
    try {
      if (CONCURRENT) await Promise.all(servers.map((s) => run(s, round, true)));
      else for (const s of servers) await run(s, round, true);
      // Passes in which every server runs once, in an order that rotates, so every process
      // works and idles as much as the others (a process idle longer runs its next second
      // slower, which biased an earlier layout that ran bare between every two variants).
      for (let pass = 0; pass < PASSES; pass++) {
        const samples = new Map<Variant, Sample>();
        if (CONCURRENT) {
          const runs = await Promise.all(servers.map(async (s) => [s.variant, await run(s, round)] as const));
          for (const [variant, sample] of runs) samples.set(variant, sample);
        } else {
          for (let i = 0; i < servers.length; i++) {
            const s = servers[(i + round * PASSES + pass) % servers.length] as Server;
            samples.set(s.variant, await run(s, round));
          }
        }
        const bare = samples.get('bare') as Sample;
        bareSamples.push(bare);
        for (const [variant, sample] of samples) pairs.get(variant)?.push({ sample, bare });
      }
      // Socketless servers have no port to scrape; their runs count responses themselves.
      const vigil = servers.find((s) => s.variant === 'vigil') as Server;
      if (load === 'network') countedByVigil += await vigilCount(vigil.port);
    } finally {
      await Promise.all(servers.map(stopServer));
    }
  }
  const check =
    load === 'socketless'
      ? `${framework}: ${sentToVigil} responses to Vigil's servers (socketless)`
      : `${framework}: Vigil's servers counted ${countedByVigil} requests, autocannon completed ${sentToVigil}`;
  return { rows: variants.map((variant) => rowOf(framework, variant, bareSamples, pairs)), check };
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '?';
  }
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty === '' ? sha : `${sha} + uncommitted changes in src/`;
  } catch {
    return 'unknown';
  }
}

function table(rows: Row[], latency: boolean): string {
  const head = [
    'framework',
    'middleware',
    'req/s',
    'vs bare',
    'CPU µs/req',
    'vs bare (CPU)',
    'GC/1k req',
    'p50 ms',
    'p99 ms',
    'spread',
    'errors',
  ];
  const body = rows.map((r) => [
    r.framework,
    r.library,
    Math.round(r.rps).toLocaleString('en-US'),
    `${r.ratio.toFixed(2)}x`,
    r.cpu.toFixed(1),
    `${r.cpuRatio.toFixed(2)}x`,
    r.gc.toFixed(2),
    latency ? String(r.p50) : '-',
    latency ? String(r.p99) : '-',
    `${Math.round(r.spread * 100)}%`,
    String(r.errors),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const right = [false, false, true, true, true, true, true, true, true, true, true];
  const fmt = (cells: string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [fmt(head), rule, ...body.map(fmt)].join('\n');
}

function goals(rows: Row[]): string[] {
  const out: string[] = [];
  for (const framework of FRAMEWORKS) {
    const peer = rows.find((r) => r.framework === framework && r.variant === 'peer');
    const noop = rows.find((r) => r.framework === framework && r.variant === 'noop');
    const clock = rows.find((r) => r.framework === framework && r.variant === 'clock');
    for (const vigil of rows.filter((r) => r.framework === framework && r.variant.startsWith('vigil'))) {
      const name = vigil.library.replace(/^vigil/, 'Vigil');
      const fast = vigil.ratio >= 0.95;
      out.push(
        `- ${framework}: ${name} at ${vigil.ratio.toFixed(2)}x bare (goal >= 0.95x): ${fast ? 'met' : 'MISSED'}`,
      );
      if (noop !== undefined && vigil.vsNoop !== undefined) {
        out.push(
          `  (a middleware that does nothing runs at ${noop.ratio.toFixed(2)}x bare; ${name} at ${vigil.vsNoop.toFixed(2)}x that no-op)`,
        );
      }
      if (clock !== undefined && vigil.vsClock !== undefined) {
        out.push(
          `  (one that only reads the clock twice runs at ${clock.ratio.toFixed(2)}x bare; ${name} at ${vigil.vsClock.toFixed(2)}x that)`,
        );
      }
      if (peer !== undefined && vigil.vsPeer !== undefined) {
        const ahead = vigil.vsPeer > 1;
        out.push(
          `- ${framework}: ${name} ${vigil.vsPeer.toFixed(2)}x ${peer.library} (goal > 1x): ${ahead ? 'met' : 'MISSED'}`,
        );
      }
    }
  }
  return out;
}

/** Both loads (or `--load=`): req/s, CPU and latency per variant, written to bench/results/http.md. */
async function throughput(): Promise<void> {
  const started = Date.now();
  console.log(
    `HTTP middleware benchmark (${LOADS.join(' + ')}): ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS} s per variant${quick ? ' (quick)' : ''}`,
  );
  const sections: string[] = [];
  for (const load of LOADS) {
    const rows: Row[] = [];
    const checks: string[] = [];
    for (const framework of FRAMEWORKS) {
      const result = await benchFramework(framework, load);
      rows.push(...result.rows);
      checks.push(result.check);
    }
    const latency = load === 'network';
    console.log(`\n${load}:\n${table(rows, latency)}\n\n${goals(rows).join('\n')}\n\n${checks.join('\n')}`);
    sections.push(
      load === 'network' ? NETWORK_INTRO : SOCKETLESS_INTRO,
      '',
      table(rows, latency),
      '',
      '### Goals (issue 3)',
      '',
      ...goals(rows),
      '',
      '### Sanity',
      '',
      ...checks.map(
        (c) => `- ${c}${latency ? ' (requests cut off at the end of a run may be counted but not completed)' : ''}`,
      ),
      '',
    );
  }
  const report = [
    '# Vigil HTTP middleware benchmark',
    '',
    'Generated by `node --import tsx bench/http.ts`. Each server ran in its own process, started afresh every',
    `round with a fixed ${SERVER_YOUNG_MB} MB young generation and warmed up for ${WARMUP_SECONDS} s. A round then makes ${PASSES} passes of`,
    `${SECONDS} s runs over all variants, bare included, in an order that rotates, so every process works and idles`,
    `as much as the others; ${ROUNDS} rounds. req/s, CPU and latencies are medians over all runs; spread is (max - min) /`,
    "median of req/s. The ratios are paired: a variant's run against bare's run of the same pass, then the median",
    'over passes; Vigil against the no-op or the peer library is the quotient of their ratios in the same pass.',
    '"CPU µs/req" is the server process\' user + system time per completed request; "vs bare (CPU)" is bare\'s',
    'CPU per request over the variant\'s: the throughput ratio a CPU-bound server would see. "GC/1k req" counts',
    "the server's scavenges (young-generation GCs) per 1,000 requests: the GC cost of each variant's allocations.",
    '"noop" is a middleware that does nothing, hooked in the way Vigil\'s adapter is (node:http: a wrapping',
    'listener; Express: app.use; Fastify: an onRequest hook; Hono: app.use): what the',
    'framework charges for any middleware, which no middleware can get under. On Hono Vigil runs twice: as',
    "middleware (`app.use(httpMetrics())`) and as `instrument(app)`, which wraps the app's handlers instead and",
    "so keeps Hono's one-handler fast path, which any middleware leaves.",
    'The servers load Vigil from its TypeScript sources through tsx, as the tests do.',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Node ${process.version}; CPU: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores`,
    `- Vigil commit ${commit()}`,
    `- express ${version('express')}, fastify ${version('fastify')}, hono ${version('hono')}, @hono/node-server ${version('@hono/node-server')}`,
    `- express-prom-bundle ${version('express-prom-bundle')}, fastify-metrics ${version('fastify-metrics')}, @hono/prometheus ${version('@hono/prometheus')}, prom-client ${version('prom-client')}, autocannon ${version('autocannon')}`,
    '',
    ...sections,
  ];
  // The defaults, or more rounds than the default (the report says how many ran).
  const defaults =
    !quick &&
    withNoop &&
    !withClock &&
    !CONCURRENT &&
    only === undefined &&
    ROUNDS >= 8 &&
    PIN &&
    ['seconds', 'warmup-seconds', 'load', 'connections', 'pipelining'].every((o) => option(o) === undefined);
  if (defaults) {
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'http.md'), report.join('\n'));
    console.log('\nwrote bench/results/http.md');
  }
  console.log(`(${Math.round((Date.now() - started) / 1000)} s)`);
}

const NETWORK_INTRO = [
  '## Over the network: autocannon on 127.0.0.1',
  '',
  `autocannon (${CONNECTIONS} connections, pipelining ${PIPELINING}, GET ${PATH} answered with a small JSON body) ran in the`,
  `driver process, the server in its own${PIN ? ', each pinned to a core of its own (taskset)' : ' (not pinned to cores)'}. Over loopback the server's write`,
  "of each response also runs the client's receive path and wakes the client up, so each microsecond a",
  'middleware adds is charged several times over in req/s; the socketless load below measures without that.',
].join('\n');

const SOCKETLESS_INTRO = [
  '## Socketless: the same servers, requests from memory',
  '',
  `bench/http-socketless.ts hands each server ${CONNECTIONS} in-memory keep-alive connections through its 'connection' event`,
  "and sends the next GET as soon as a response starts: Node's HTTP parser, the framework and the middleware",
  'run as behind a socket, without the kernel or a client process. The CPU per request is the JavaScript',
  "side's alone, so its ratio to bare is a lower bound of what a server with real network costs sees",
  '(those costs are the same with and without the middleware). Latency columns do not apply.',
].join('\n');

// ---- instructions per request (--instructions) -------------------------------------------

const INSTRUCTION_WARMUP = Number(option('warmup') ?? 5_000);
/**
 * The servers' young generation under valgrind, in MB: large enough that no scavenge lands
 * in a counted window. With Node's default one came about every 1,000 requests, at about
 * 1M instructions each, so whether the cheapest window of a variant held one moved its count
 * by ±2k instructions/request. GC is measured apart: the GC/1k req column of bench/http.md.
 */
const INSTRUCTION_YOUNG_MB = 128;
/** Requests per counted window. */
const INSTRUCTION_REQUESTS = Number(option('requests') ?? 500);
/** At most this many windows; fewer once STEADY_WINDOWS in a row agree within STEADY_SPREAD. */
const INSTRUCTION_WINDOWS = Number(option('windows') ?? 24);
const STEADY_WINDOWS = 3;
const STEADY_SPREAD = 0.02;
const INSTRUCTION_CONNECTIONS = 4;

interface InstructionRow {
  framework: Framework;
  variant: Variant;
  library: string;
  /** Server instructions per request in the cheapest window (callgrind's Ir). */
  perRequest: number;
  /** Every window's instructions per request, in order. */
  windows: number[];
}

function hasTool(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `count` keep-alive GETs of PATH over a few connections; the client runs here, not under valgrind. */
async function sendRequests(port: number, count: number): Promise<void> {
  let left = count;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--;
      const res = await fetch(`http://127.0.0.1:${port}${PATH}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${PATH} answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: INSTRUCTION_CONNECTIONS }, worker));
}

/** Whether the last STEADY_WINDOWS windows agree within STEADY_SPREAD: V8 has settled. */
function steady(windows: number[]): boolean {
  if (windows.length < STEADY_WINDOWS) return false;
  const last = windows.slice(-STEADY_WINDOWS);
  return (Math.max(...last) - Math.min(...last)) / Math.min(...last) <= STEADY_SPREAD;
}

/**
 * One variant under callgrind: start the server, warm it up (V8 optimizes the hot path),
 * then in each window zero the counters, send the requests, dump, and read the instruction
 * total. Callgrind counts executed instructions, not time: other load on the machine does
 * not change them, unlike req/s. What still varies is V8's own work landing in a window
 * (optimizing compiles go on for thousands of requests under valgrind, counted with their
 * background threads; scavenges, kept out by a large young generation): windows run until
 * three in a row agree within 2%, and the cheapest window is the steady state.
 */
async function countVariant(framework: Framework, variant: Variant, dir: string): Promise<number[]> {
  const out = join(dir, `${framework}-${variant}`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${out}`,
      '--cache-sim=no',
      '--branch-sim=no',
      process.execPath,
      `--min-semi-space-size=${INSTRUCTION_YOUNG_MB}`,
      `--max-semi-space-size=${INSTRUCTION_YOUNG_MB}`,
      '--import',
      'tsx',
      join(here, 'http-apps.ts'),
      framework,
      variant,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4_000);
  });
  try {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${framework}/${variant} did not start under valgrind in 600 s`)),
        600_000,
      );
      child.once('exit', (code) =>
        reject(new Error(`${framework}/${variant} exited with ${code} under valgrind:\n${log}`)),
      );
      lines.on('line', (line) => {
        const m = /^READY (\d+)$/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    await sendRequests(port, INSTRUCTION_WARMUP);
    const pid = String(child.pid);
    const windows: number[] = [];
    for (let w = 0; w < INSTRUCTION_WINDOWS && !steady(windows); w++) {
      execFileSync('callgrind_control', ['--zero', pid], { stdio: 'ignore' });
      await sendRequests(port, INSTRUCTION_REQUESTS);
      execFileSync('callgrind_control', [`--dump=window-${w}`, pid], { stdio: 'ignore' });
      const dump = readdirSync(dir)
        .filter((f) => f.startsWith(`${framework}-${variant}.`))
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .find((t) => t.includes(`Trigger: dump window-${w}\n`));
      const total = dump === undefined ? undefined : /^(?:summary|totals): (\d+)/m.exec(dump)?.[1];
      if (total === undefined) throw new Error(`${framework}/${variant}: no callgrind dump of window ${w} in ${dir}`);
      windows.push(Number(total) / INSTRUCTION_REQUESTS);
    }
    return windows;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  }
}

function instructionTable(rows: InstructionRow[]): string {
  const head = ['framework', 'middleware', 'instructions/req', 'vs bare', 'vs noop', 'windows (k instr/req)'];
  const body = rows.map((r) => {
    const bare = rows.find((b) => b.framework === r.framework && b.variant === 'bare');
    const noop = rows.find((b) => b.framework === r.framework && b.variant === 'noop');
    return [
      r.framework,
      r.library,
      Math.round(r.perRequest).toLocaleString('en-US'),
      bare === undefined ? '-' : `${(bare.perRequest / r.perRequest).toFixed(3)}x`,
      noop === undefined || r.variant === 'bare' ? '-' : `${(noop.perRequest / r.perRequest).toFixed(3)}x`,
      r.windows.map((w) => (w / 1000).toFixed(1)).join(' '),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const fmt = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 || i === 5 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < 2 || i === 5 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [fmt(head), rule, ...body.map(fmt)].join('\n');
}

/**
 * `--instructions`: server instructions per request, bare vs with middleware, counted by
 * valgrind's callgrind, which is immune to a noisy machine. `perf stat -e instructions`
 * would be faster, but virtual machines often expose no hardware counters (this one
 * reports "<not supported>"). Options: `--only=...`, `--warmup=N` requests (default 5000),
 * at most `--windows=K` (default 24) of `--requests=N` (default 500), `--peers` (also the
 * peer libraries), `--variants=vigil,...`, `--keep` (leave the callgrind dumps for
 * callgrind_annotate), `--parallel` (frameworks side by side; about 15
 * minutes for all four on 2 cores). Writes bench/results/http-instructions.md when run over
 * all frameworks with the defaults.
 */
async function instructions(): Promise<void> {
  if (!hasTool('valgrind', ['--version']) || !hasTool('callgrind_control', ['--version'])) {
    console.error('--instructions needs valgrind (callgrind and callgrind_control): apt-get install valgrind');
    process.exitCode = 1;
    return;
  }
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-callgrind-'));
  const countFramework = async (framework: Framework): Promise<InstructionRow[]> => {
    let variants: Variant[] = ['bare', 'noop', ...(withClock ? (['clock'] as const) : []), 'vigil'];
    if (framework === 'hono') variants.push('vigil-app');
    if (process.argv.includes('--peers') && PEERS[framework] !== undefined) variants.push('peer');
    const picked = option('variants')?.split(',');
    if (picked !== undefined) variants = variants.filter((v) => picked.includes(v));
    const out: InstructionRow[] = [];
    for (const variant of variants) {
      const windows = await countVariant(framework, variant, dir);
      const perRequest = Math.min(...windows);
      const library = libraryOf(framework, variant);
      out.push({ framework, variant, library, perRequest, windows });
      console.log(
        `  ${framework.padEnd(7)} ${variant.padEnd(9)} ${Math.round(perRequest)} instructions/request (windows: ${windows.map(Math.round).join(', ')})`,
      );
    }
    return out;
  };
  const rows: InstructionRow[] = [];
  try {
    // Counts do not depend on load, so frameworks may run side by side (one process each).
    if (process.argv.includes('--parallel')) {
      rows.push(...(await Promise.all(FRAMEWORKS.map(countFramework))).flat());
    } else {
      for (const framework of FRAMEWORKS) rows.push(...(await countFramework(framework)));
    }
  } finally {
    if (process.argv.includes('--keep')) console.log(`callgrind dumps kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  const table = instructionTable(rows);
  console.log(`\n${table}`);
  const defaults =
    only === undefined &&
    option('warmup') === undefined &&
    option('requests') === undefined &&
    option('windows') === undefined &&
    option('variants') === undefined &&
    !withClock;
  if (defaults) {
    const report = [
      '# Vigil HTTP middleware: instructions per request',
      '',
      'Generated by `node --import tsx bench/http.ts --instructions`. Each server ran alone under',
      "`valgrind --tool=callgrind` (no cache or branch simulation); the client ran outside valgrind, so only the server's",
      `instructions count. After ${INSTRUCTION_WARMUP} warm-up requests, windows of ${INSTRUCTION_REQUESTS} keep-alive GET ${PATH} over`,
      `${INSTRUCTION_CONNECTIONS} connections were counted (counters zeroed before, dumped after) until ${STEADY_WINDOWS} windows in a row agreed within`,
      `${STEADY_SPREAD * 100}% (at most ${INSTRUCTION_WINDOWS}). Instruction counts do not depend on other load on the machine, unlike req/s; what`,
      "varies is V8's own work landing in a window (optimizing compiles go on for thousands of requests under",
      'valgrind), so the cheapest window is reported (all windows in the last column). The servers ran with a',
      `${INSTRUCTION_YOUNG_MB} MB young generation, so no scavenge fell in a counted window: these are the instructions of the`,
      "requests themselves. What each variant's allocations cost in GC is the GC/1k req column of bench/http.md.",
      '"vs bare" is bare\'s instructions per request over the variant\'s,',
      'the throughput ratio a CPU-bound server would see if every instruction cost the same. "noop" is the',
      'do-nothing middleware of bench/http.md. The servers load Vigil from its TypeScript sources through tsx.',
      "Not counted: the kernel's side of system calls. Under valgrind a clock read (clock_gettime) is a system",
      "call rather than the vDSO, so the counts leave out each read's native cost, which this run does not",
      "measure: a middleware's two clock reads per request cost more than their share of instructions says.",
      '',
      `- Date: ${new Date().toISOString()}`,
      `- Node ${process.version}; ${execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim()}`,
      `- Vigil commit ${commit()}`,
      '',
      table,
      '',
      'What these counts mean, and how they were made more exact, is written up by hand in',
      '[http-analysis.md](http-analysis.md); regenerating this report does not touch it.',
      '',
    ];
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'http-instructions.md'), report.join('\n'));
    console.log('\nwrote bench/results/http-instructions.md');
  }
  console.log(`(${Math.round((Date.now() - started) / 1000)} s)`);
}

if (process.argv.includes('--instructions')) await instructions();
else await throughput();
