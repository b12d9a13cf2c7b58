/**
 * Vigil vs prom-client vs the OpenTelemetry metrics SDK, in one process.
 *
 *   npm run bench                     full run; writes bench/results/latest.md
 *   npm run bench -- --quick          fewer, shorter rounds; writes nothing
 *   npm run bench -- --only=scrape    cases whose id contains one of the comma-separated words; writes nothing
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { LIBS, type Lib } from './fixtures.js';
import { bytesAllocated, heapUsed, type Loop, median, msPerCall, nsPerOp, spread, warmUp } from './harness.js';
import { opCases } from './ops.js';
import {
  checkTargets,
  type Environment,
  heapTable,
  markdown,
  type OpResult,
  opsTable,
  type ScrapeResult,
  scrapeTable,
  targetsTable,
} from './report.js';
import { counterScrape, histogramScrape, type ScrapeCase } from './scrape.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter((w) => w !== '');
const selected = (id: string) => only === undefined || only.some((w) => id.includes(w));

const ROUNDS = quick ? 3 : 11;
const ROUND_MS = quick ? 10 : 40;
const WARM_MS = quick ? 50 : 250;
const SCRAPE_ROUNDS = quick ? 3 : 7;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function runOps(): Promise<OpResult[]> {
  const cases = opCases();
  // Warm every loop of every case first, the filtered-out ones too. Update paths are shared
  // across metric types and label shapes (as in an application with many metrics), so a
  // case measured before the others have run would see friendlier JIT feedback than one
  // measured after them.
  const perOp = new Map<string, number>();
  for (const c of cases) for (const lib of LIBS) perOp.set(`${c.id}/${lib}`, warmUp(c.loops[lib], WARM_MS));
  for (const c of cases) for (const lib of LIBS) perOp.set(`${c.id}/${lib}`, warmUp(c.loops[lib], WARM_MS / 5));

  const results: OpResult[] = [];
  for (const c of cases) {
    if (!selected(c.id)) continue;
    const size = new Map<Lib, number>();
    for (const lib of LIBS) {
      const ns = perOp.get(`${c.id}/${lib}`) as number;
      size.set(lib, Math.min(50_000_000, Math.max(10_000, Math.round((ROUND_MS * 1e6) / ns))));
    }
    const samples = new Map<Lib, number[]>(LIBS.map((lib) => [lib, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < LIBS.length; k++) {
        const lib = LIBS[(r + k) % LIBS.length] as Lib;
        samples.get(lib)?.push(nsPerOp(c.loops[lib], size.get(lib) as number));
      }
    }
    for (const lib of LIBS) {
      const n = size.get(lib) as number;
      const loop: Loop = c.loops[lib];
      const bytesPerOp = (await bytesAllocated(() => loop(n))) / n;
      const ns = samples.get(lib) as number[];
      const row = { case: c.id, title: c.title, lib, nsPerOp: median(ns), spread: spread(ns), bytesPerOp };
      results.push(row);
      log(
        `${c.id.padEnd(26)} ${lib.padEnd(12)} ${row.nsPerOp.toFixed(1).padStart(8)} ns/op ${bytesPerOp.toFixed(1).padStart(7)} B/op`,
      );
    }
  }
  return results;
}

async function runScrape(c: ScrapeCase): Promise<ScrapeResult[]> {
  const results: ScrapeResult[] = [];
  for (const lib of LIBS) {
    const build = c.build[lib];
    // A small population first, so the heap measured below holds series, not freshly compiled code.
    const warm = build(Math.min(2_000, c.series));
    for (let i = 0; i < 3; i++) await warm.scrape();

    const before = heapUsed();
    const population = build(c.series);
    await population.scrape();
    const heapPerSeries = (heapUsed() - before) / c.series;

    for (let i = 0; i < 2; i++) await population.scrape();
    const ms: number[] = [];
    for (let r = 0; r < SCRAPE_ROUNDS; r++) ms.push(await msPerCall(() => population.scrape()));
    let size = 0;
    const bytes = await bytesAllocated(async () => {
      size = await population.scrape();
    });
    const row = {
      case: c.id,
      title: c.title,
      lib,
      ms: median(ms),
      spread: spread(ms),
      bytes,
      size,
      series: c.series,
      heapPerSeries,
    };
    results.push(row);
    log(
      `${c.id.padEnd(26)} ${lib.padEnd(12)} ${row.ms.toFixed(1).padStart(8)} ms ${(bytes / 1e6).toFixed(1).padStart(7)} MB allocated ${heapPerSeries.toFixed(0).padStart(6)} B/series`,
    );
  }
  return results;
}

function version(pkg: string): string {
  const file = new URL(`../node_modules/${pkg}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The commit measured, flagged when src/ differs from it. */
function commit(): string {
  try {
    const git = (...argv: string[]) => execFileSync('git', argv, { encoding: 'utf8' }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'src') === '' ? head : `${head} + uncommitted changes in src/`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const cpus = os.cpus();
  const env: Environment = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    commit: commit(),
    versions: Object.fromEntries(
      ['prom-client', '@opentelemetry/sdk-metrics', '@opentelemetry/api'].map((p) => [p, version(p)]),
    ),
    rounds: ROUNDS,
    scrapeRounds: SCRAPE_ROUNDS,
  };
  log(`Node ${env.node} on ${env.cpu} (${env.cores} cores)${quick ? ', quick run' : ''}`);

  const ops = await runOps();
  const scrapes: ScrapeResult[] = [];
  for (const c of [counterScrape, histogramScrape]) {
    if (selected(c.id)) scrapes.push(...(await runScrape(c)));
  }
  const targets = checkTargets(ops, scrapes);

  const sections = [
    ops.length > 0 ? opsTable(ops) : '',
    scrapes.length > 0 ? `${scrapeTable(scrapes)}\n\n${heapTable(scrapes)}` : '',
    targets.length > 0 ? targetsTable(targets) : '',
  ];
  process.stdout.write(`\n${sections.filter((s) => s !== '').join('\n\n')}\n\n`);

  if (quick || only !== undefined) {
    log('quick or filtered run: bench/results/latest.md left as it was');
  } else {
    const dir = new URL('./results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    writeFileSync(new URL('latest.md', dir), markdown(env, ops, scrapes, targets));
    writeFileSync(new URL('latest.json', dir), `${JSON.stringify({ env, ops, scrapes, targets }, null, 2)}\n`);
    log('wrote bench/results/latest.md');
  }
  const missed = targets.filter((t) => !t.pass).length;
  log(
    `${targets.length - missed} of ${targets.length} targets met, in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

await main();
