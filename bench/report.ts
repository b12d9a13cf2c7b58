/** Turns measurements into the markdown report and checks the targets from the issue. */
import type { Lib } from './fixtures.js';

export interface OpResult {
  case: string;
  title: string;
  lib: Lib;
  nsPerOp: number;
  spread: number;
  bytesPerOp: number;
}

export interface ScrapeResult {
  case: string;
  title: string;
  lib: Lib;
  ms: number;
  spread: number;
  bytes: number;
  /** Output size: text bytes, or data points for OpenTelemetry. */
  size: number;
  series: number;
  heapPerSeries: number;
}

export interface Environment {
  date: string;
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  commit: string;
  versions: Record<string, string>;
  rounds: number;
  scrapeRounds: number;
}

interface Target {
  name: string;
  case: string;
  /** 'speed': prom-client time / Vigil time, at least `bound`. 'heap': Vigil / prom-client, at most `bound`. */
  kind: 'speed' | 'heap';
  bound: number;
}

const TARGETS: Target[] = [
  { name: 'labelled inc, pre-built objects', case: 'counter.inc.labels', kind: 'speed', bound: 5 },
  { name: 'labelled inc, inline literal', case: 'counter.inc.inline', kind: 'speed', bound: 5 },
  { name: 'bound child inc', case: 'counter.inc.bound', kind: 'speed', bound: 20 },
  { name: 'histogram observe', case: 'histogram.observe', kind: 'speed', bound: 5 },
  { name: 'histogram observe, labelled', case: 'histogram.observe.labels', kind: 'speed', bound: 4 },
  { name: 'scrape 100k counters', case: 'scrape.counters', kind: 'speed', bound: 5 },
  { name: 'scrape 10k histograms', case: 'scrape.histograms', kind: 'speed', bound: 4 },
  { name: 'heap per counter series', case: 'scrape.counters', kind: 'heap', bound: 0.5 },
  { name: 'heap per histogram series', case: 'scrape.histograms', kind: 'heap', bound: 0.5 },
];

export interface TargetResult {
  name: string;
  required: string;
  measured: string;
  pass: boolean;
}

function find<R extends { case: string; lib: Lib }>(rows: readonly R[], id: string, lib: Lib): R | undefined {
  return rows.find((r) => r.case === id && r.lib === lib);
}

export function checkTargets(ops: readonly OpResult[], scrapes: readonly ScrapeResult[]): TargetResult[] {
  const out: TargetResult[] = [];
  for (const t of TARGETS) {
    let ratio: number | undefined;
    if (t.kind === 'heap') {
      const v = find(scrapes, t.case, 'vigil');
      const p = find(scrapes, t.case, 'prom-client');
      if (v && p) ratio = v.heapPerSeries / p.heapPerSeries;
    } else {
      const vOp = find(ops, t.case, 'vigil');
      const pOp = find(ops, t.case, 'prom-client');
      const vScrape = find(scrapes, t.case, 'vigil');
      const pScrape = find(scrapes, t.case, 'prom-client');
      if (vOp && pOp) ratio = pOp.nsPerOp / vOp.nsPerOp;
      else if (vScrape && pScrape) ratio = pScrape.ms / vScrape.ms;
    }
    if (ratio === undefined) continue;
    out.push({
      name: t.name,
      required: t.kind === 'speed' ? `>= ${t.bound}x faster` : `<= ${t.bound}x the heap`,
      measured: t.kind === 'speed' ? `${ratio.toFixed(2)}x faster` : `${ratio.toFixed(2)}x the heap`,
      pass: t.kind === 'speed' ? ratio >= t.bound : ratio <= t.bound,
    });
  }
  return out;
}

/** A markdown table with padded columns, readable in a terminal as well. */
function table(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

const num = (x: number, digits: number) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** prom-client's time over this one: `3.20x faster`, or `2.50x slower` below 1. */
const speed = (ratio: number) => (ratio >= 1 ? `${num(ratio, 2)}x faster` : `${num(1 / ratio, 2)}x slower`);
const pct = (x: number) => `${Math.round(x * 100)}%`;
function bytes(x: number): string {
  if (Math.abs(x) >= 1e6) return `${num(x / 1e6, 1)} MB`;
  if (Math.abs(x) >= 1e4) return `${num(x / 1e3, 0)} kB`;
  return num(Math.max(0, x), Math.abs(x) < 10 ? 1 : 0);
}

export function opsTable(rows: readonly OpResult[]): string {
  return table(
    ['case', 'library', 'ns/op', 'spread', 'bytes/op', 'vs prom-client'],
    rows.map((r) => {
      const p = find(rows, r.case, 'prom-client');
      return [
        r.title,
        r.lib,
        num(r.nsPerOp, r.nsPerOp < 100 ? 1 : 0),
        pct(r.spread),
        bytes(r.bytesPerOp),
        p ? speed(p.nsPerOp / r.nsPerOp) : '',
      ];
    }),
    [false, false, true, true, true, true],
  );
}

export function scrapeTable(rows: readonly ScrapeResult[]): string {
  return table(
    ['case', 'library', 'ms/scrape', 'spread', 'allocated', 'output', 'vs prom-client'],
    rows.map((r) => {
      const p = find(rows, r.case, 'prom-client');
      return [
        r.title,
        r.lib === 'otel' ? 'otel (collect only)' : r.lib,
        num(r.ms, 1),
        pct(r.spread),
        bytes(r.bytes),
        r.lib === 'otel' ? `${r.size.toLocaleString('en-US')} points` : bytes(r.size),
        r.lib === 'otel' ? 'n/a (no text)' : p ? speed(p.ms / r.ms) : '',
      ];
    }),
    [false, false, true, true, true, true, true],
  );
}

export function heapTable(rows: readonly ScrapeResult[]): string {
  return table(
    ['population', 'library', 'heap bytes/series', 'vs prom-client'],
    rows.map((r) => {
      const p = find(rows, r.case, 'prom-client');
      return [
        `${r.series.toLocaleString('en-US')} ${r.case === 'scrape.counters' ? 'counter' : 'histogram'} series`,
        r.lib,
        num(r.heapPerSeries, 0),
        p ? `${num(r.heapPerSeries / p.heapPerSeries, 2)}x the heap` : '',
      ];
    }),
    [false, false, true, true],
  );
}

export function targetsTable(rows: readonly TargetResult[]): string {
  return table(
    ['target (Vigil vs prom-client)', 'required', 'measured', 'result'],
    rows.map((r) => [r.name, r.required, r.measured, r.pass ? 'PASS' : 'MISS']),
    [false, false, true, false],
  );
}

export function markdown(
  env: Environment,
  ops: readonly OpResult[],
  scrapes: readonly ScrapeResult[],
  targets: readonly TargetResult[],
): string {
  const versions = Object.entries(env.versions)
    .map(([name, v]) => `${name} ${v}`)
    .join(', ');
  return `# Vigil metrics benchmark

Generated by \`npm run bench\` (bench/metrics.ts). All libraries ran in the same process, one after another.

- Date: ${env.date}
- Node ${env.node} (V8 ${env.v8})
- CPU: ${env.cpu}, ${env.cores} cores
- Vigil commit ${env.commit}; ${versions}

## Operations

${opsTable(ops)}

## Scrapes

${scrapeTable(scrapes)}

## Heap per series

${heapTable(scrapes)}

## Targets

${targetsTable(targets)}

## Notes

- **ns/op** is the median of ${env.rounds} rounds of the same loop, each about 40 ms and after a full GC. Every loop of every case is warmed up before any is timed, so update paths shared between metric types and label shapes carry the same JIT feedback as in an application with many metrics, whatever the case order. Libraries take turns within each round, starting with a different one each time. **spread** is (slowest round - fastest round) / median. On a shared machine absolute times move together by tens of percent between runs; the ratios, taken within one run, are what to compare.
- **bytes/op** and **allocated** come from one extra round: the growth of the V8 used heap plus what every GC during the round freed (Node's \`v8.GCProfiler\`), divided by the operations. Allocations V8 removes by escape analysis do not count, as in production.
- Labelled cases rotate over 1,000 label objects (10 methods x 10 routes x 10 statuses) built before timing, or 10 single-label objects for the histogram; every series exists before timing starts. The *inline literal* case writes \`{ method, route, status }\` in the loop, with values read from pre-built columns, as application code does.
- Bound child: Vigil and prom-client rotate over 1,000 handles from \`labels(obj)\`. The OpenTelemetry API has no bound instruments; its row is \`counter.add(1, attrs)\` with pre-built attributes.
- Observations are 1,024 log-uniform values between 1 ms and 20 s, stored boxed so that passing one allocates nothing. All three libraries use the same 11 buckets (Prometheus' defaults; OTel via \`advice.explicitBucketBoundaries\`).
- Scrapes: median of ${env.scrapeRounds} scrapes after 2 warm-up scrapes, each after a full GC. Vigil and prom-client: \`await registry.metrics()\` on a registry holding only that population, then \`Buffer.byteLength(text)\`, which flattens the string as a socket write would (a \`+=\`-built string otherwise defers that cost). OpenTelemetry: no Prometheus exporter is installed, so its row is \`reader.collect()\` only, which builds data points but no text; it is not comparable and has no ratio. Its cardinality limit (2,000 by default) is raised to 1,000,000.
- Heap per series: \`process.memoryUsage().heapUsed\` after a full GC, before and after building the population (series created with an inline label object and inc/observe, then one scrape), divided by the series count, with the registry kept alive. A smaller population is built and scraped first so that the JIT has compiled those paths. OpenTelemetry's row is after one \`collect()\`, which moves its points into cumulative storage.
- Vigil is imported from src/ through tsx (no build step); prom-client and the OpenTelemetry SDK are their published builds.
`;
}
