// Differential test against prom-client 15: the same generated sequence of operations
// (inc, dec, set, observe, remove, reset; through the metric or through a kept `labels()`
// handle; labelled and unlabelled; with default labels) is applied to a prom-client
// Registry and to a Vigil Registry, both text expositions are parsed by the Python text
// parser, and the families must hold the same samples: every (name, labels, value) of
// counters, gauges and histograms (buckets, _sum, _count); for summaries only _sum and
// _count, since the quantile algorithms differ (prom-client: t-digest, Vigil: DDSketch).
//
// Where prom-client is known to be buggy or simply different, the operations stay away:
// - label values never contain ',' or ':': prom-client keys series by the string
//   `name:value,name:value,` (util.js hashObject), so such values can make two label sets
//   share one series;
// - no histogram bucket bound of -1: prom-client's findBound() returns -1 for "above every
//   bound" and then counts the observation in the -1 bucket;
// - observations are finite (prom-client rejects ±Inf; Vigil accepts them);
// - reset() only on counters and gauges: prom-client's Histogram#reset drops the series of
//   an unlabelled histogram and Summary#reset keeps (zeroed) labelled series, where Vigil
//   zeroes unlabelled metrics and drops labelled series for every type;
// - remove() only on labelled metrics: on an unlabelled one prom-client drops the series,
//   Vigil zeroes it.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/metrics/index.js';
import { type BatchResult, type ParsedFamily, parseManyWithPython } from '../support/python.js';

const SEED = 15_001_003;
const RUNS = 120;

type Kind = 'counter' | 'gauge' | 'histogram' | 'summary';
interface MetricDef {
  kind: Kind;
  name: string;
  help: string;
  labelNames: string[];
  /** Bucket bounds from the run (`generated`), prom-client's and Vigil's defaults (`default`), or none. */
  buckets?: 'generated' | 'default';
}

const HELP = 'Requests "quoted", a \\ backslash and a\nnewline; Zürich 東京 🎉.';
const METRICS: readonly MetricDef[] = [
  { kind: 'counter', name: 'diff_requests_total', help: HELP, labelNames: ['method', 'path'] },
  { kind: 'counter', name: 'diff_events_total', help: 'Events.', labelNames: [] },
  { kind: 'gauge', name: 'diff_queue_depth', help: HELP, labelNames: ['queue'] },
  { kind: 'gauge', name: 'diff_temperature', help: 'Temperature.', labelNames: [] },
  { kind: 'histogram', name: 'diff_latency_seconds', help: HELP, labelNames: ['route'], buckets: 'generated' },
  { kind: 'histogram', name: 'diff_size_bytes', help: 'Sizes.', labelNames: [], buckets: 'default' },
  { kind: 'summary', name: 'diff_rpc_seconds', help: HELP, labelNames: ['service', 'method'] },
  { kind: 'summary', name: 'diff_wait_seconds', help: 'Waits.', labelNames: [] },
];

type LabelValue = string | number;
interface Op {
  metric: number;
  action: 'update' | 'remove' | 'reset';
  /** Gauges: which update. */
  gaugeOp: 'inc' | 'dec' | 'set';
  /** Indexes into the run's pool of label values, one per label. */
  picks: number[];
  /** undefined: the default increment (1) where there is one. */
  value: number | undefined;
  viaHandle: boolean;
}

interface Run {
  pool: LabelValue[];
  defaults: Record<string, string>;
  buckets: number[];
  ops: Op[];
}

// ---- arbitraries ---------------------------------------------------------------------

/** Label values without ',' and ':' (see above). */
const labelText = fc.oneof(
  fc.string({
    unit: fc.constantFrom('a', 'B', '"', '\\', '\n', '\t', ' ', '=', '{', '}', '#', 'é', '東京', '🎉', '\0'),
    maxLength: 6,
  }),
  fc.string({ unit: 'binary', maxLength: 6 }).map((s) => s.replace(/[,:]/g, '_')),
);
const labelValue: fc.Arbitrary<LabelValue> = fc.oneof(
  { weight: 4, arbitrary: labelText },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 500 }) },
);

const SPECIAL = [
  0,
  -0,
  1,
  0.1,
  0.2,
  1e300,
  Number.MAX_VALUE,
  5e-324,
  1e-7,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];
const anyDouble = fc.oneof(fc.double(), fc.constantFrom(...SPECIAL), fc.constantFrom(0.005, 0.05, 0.5, 2.5, 7, 100));
const finite = anyDouble.filter(Number.isFinite);

const op: fc.Arbitrary<Op> = fc.record({
  metric: fc.integer({ min: 0, max: METRICS.length - 1 }),
  action: fc.oneof(
    { weight: 12, arbitrary: fc.constant('update' as const) },
    { weight: 1, arbitrary: fc.constant('remove' as const) },
    { weight: 1, arbitrary: fc.constant('reset' as const) },
  ),
  gaugeOp: fc.constantFrom('inc' as const, 'dec' as const, 'set' as const),
  picks: fc.array(fc.nat({ max: 5 }), { minLength: 2, maxLength: 2 }),
  value: fc.option(anyDouble, { nil: undefined, freq: 6 }),
  viaHandle: fc.boolean(),
});

const run: fc.Arbitrary<Run> = fc.record({
  pool: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 6, selector: (v) => String(v) }),
  defaults: fc.record({ region: labelText, service: labelText }),
  buckets: fc
    .uniqueArray(finite, { minLength: 1, maxLength: 6, comparator: (a, b) => a === b })
    .map((bs) => bs.filter((b) => b !== -1).sort((a, b) => a - b))
    .filter((bs) => bs.length > 0),
  ops: fc.array(op, { maxLength: 40 }),
});

// ---- one implementation-neutral way to apply an operation ------------------------------

interface Target {
  update(def: MetricDef, labels: Record<string, LabelValue> | undefined, o: Op): void;
  remove(def: MetricDef, labels: Record<string, LabelValue>): void;
  reset(def: MetricDef): void;
  metrics(): Promise<string>;
}

/** The value an update passes, made valid for its metric type (both libraries refuse the rest). */
function valueFor(def: MetricDef, o: Op): number | undefined {
  const v = o.value;
  switch (def.kind) {
    case 'counter':
      return v === undefined ? undefined : Number.isFinite(v) ? Math.abs(v) : 1;
    case 'gauge':
      if (o.gaugeOp === 'set') return v ?? 42;
      return v === undefined || Number.isFinite(v) ? v : 1;
    default:
      return v === undefined || !Number.isFinite(v) ? 0.5 : v;
  }
}

function apply(target: Target, r: Run, o: Op): void {
  const def = METRICS[o.metric] as MetricDef;
  const labels =
    def.labelNames.length === 0
      ? undefined
      : Object.fromEntries(def.labelNames.map((n, i) => [n, r.pool[(o.picks[i] ?? 0) % r.pool.length] as LabelValue]));
  if (o.action === 'remove' && labels !== undefined) target.remove(def, labels);
  else if (o.action === 'reset' && (def.kind === 'counter' || def.kind === 'gauge')) target.reset(def);
  else target.update(def, labels, o);
}

// biome-ignore lint/suspicious/noExplicitAny: both libraries' metrics and handles are driven through one shape
type Loose = any;

/** Drives one library's metrics (in METRICS order); handles from `labels()` are kept and reused. */
function target(metrics: readonly Loose[], render: () => Promise<string>): Target {
  const handles = new Map<string, Loose>();
  const handle = (i: number, labels: Record<string, LabelValue> | undefined) => {
    const key = `${i}/${JSON.stringify(labels ?? {})}`;
    let h = handles.get(key);
    if (h === undefined) {
      h = labels === undefined ? metrics[i].labels() : metrics[i].labels(labels);
      handles.set(key, h);
    }
    return h;
  };
  return {
    update(def, labels, o) {
      const i = METRICS.indexOf(def);
      const v = valueFor(def, o);
      const method = def.kind === 'gauge' ? o.gaugeOp : def.kind === 'counter' ? 'inc' : 'observe';
      const args = v === undefined ? [] : [v];
      if (o.viaHandle) handle(i, labels)[method](...args);
      else if (labels === undefined) metrics[i][method](...args);
      else metrics[i][method](labels, ...args);
    },
    remove(def, labels) {
      metrics[METRICS.indexOf(def)].remove(labels);
    },
    reset(def) {
      metrics[METRICS.indexOf(def)].reset();
    },
    metrics: render,
  };
}

function configOf(def: MetricDef, r: Run) {
  const config = { name: def.name, help: def.help, labelNames: def.labelNames };
  return def.buckets === 'generated' ? { ...config, buckets: r.buckets } : config;
}

function vigilTarget(r: Run): Target {
  const registry = new Registry({ defaultLabels: r.defaults });
  const make: Record<Kind, (config: ReturnType<typeof configOf>) => Loose> = {
    counter: (c) => registry.counter(c),
    gauge: (c) => registry.gauge(c),
    histogram: (c) => registry.histogram(c),
    summary: (c) => registry.summary(c),
  };
  return target(
    METRICS.map((def) => make[def.kind](configOf(def, r))),
    () => registry.metrics('text'),
  );
}

function promClientTarget(r: Run): Target {
  const registry = new prom.Registry();
  registry.setDefaultLabels(r.defaults);
  const registers = [registry];
  const make: Record<Kind, (config: ReturnType<typeof configOf>) => Loose> = {
    counter: (c) => new prom.Counter({ ...c, registers }),
    gauge: (c) => new prom.Gauge({ ...c, registers }),
    histogram: (c) => new prom.Histogram({ ...c, registers }),
    summary: (c) => new prom.Summary({ ...c, registers }),
  };
  return target(
    METRICS.map((def) => make[def.kind](configOf(def, r))),
    () => registry.metrics(),
  );
}

// ---- comparison ----------------------------------------------------------------------

interface SampleView {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const sampleKey = (s: SampleView) => JSON.stringify([s.name, Object.entries(s.labels).sort()]);

/** Families by name with their samples as a sorted set; summaries keep only _sum and _count. */
function view(families: readonly ParsedFamily[]) {
  return [...families]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((f) => ({
      name: f.name,
      type: f.type,
      help: f.documentation,
      samples: f.samples
        .filter((s) => f.type !== 'summary' || s.name !== f.name)
        .map((s): SampleView => ({ name: s.name, labels: s.labels, value: s.value }))
        .sort((a, b) => (sampleKey(a) < sampleKey(b) ? -1 : 1)),
    }));
}

/** JSON that keeps NaN, ±Infinity and -0 visible. */
function show(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? (Object.is(v, -0) ? '-0' : String(v)) : v,
  );
}

describe('differential: Vigil and prom-client 15 agree on the same operations', () => {
  it(`${RUNS} generated operation sequences, fixed seed`, async () => {
    const runs = fc.sample(run, { seed: SEED, numRuns: RUNS });
    const texts: string[] = [];
    for (const r of runs) {
      const vigil = vigilTarget(r);
      const promClient = promClientTarget(r);
      for (const o of r.ops) {
        apply(vigil, r, o);
        apply(promClient, r, o);
      }
      texts.push(await vigil.metrics(), await promClient.metrics());
    }
    const parsed = await parseManyWithPython(texts, 'text');

    // The generator reaches what it should.
    const ops = runs.flatMap((r) => r.ops);
    expect(new Set(ops.map((o) => `${METRICS[o.metric]?.kind}/${o.action}/${o.viaHandle}`)).size).toBeGreaterThan(20);
    expect(texts.some((t) => t.includes('NaN') || t.includes('Nan'))).toBe(true);

    const failures: { size: number; report: string }[] = [];
    runs.forEach((r, i) => {
      const vigil = parsed[2 * i] as BatchResult;
      const promClient = parsed[2 * i + 1] as BatchResult;
      const context = () =>
        `run ${i}: ${show({ pool: r.pool, defaults: r.defaults, buckets: r.buckets, ops: r.ops })}\n` +
        `--- vigil ---\n${texts[2 * i]}\n--- prom-client ---\n${texts[2 * i + 1]}`;
      if (!vigil.ok || !promClient.ok) {
        const errors = [vigil, promClient].map((p) => (p.ok ? 'ok' : p.error));
        failures.push({ size: r.ops.length, report: `parser rejected: ${errors.join(' | ')}\n${context()}` });
        return;
      }
      const [got, want] = [view(vigil.families), view(promClient.families)];
      if (!isDeepStrictEqual(got, want)) {
        failures.push({
          size: r.ops.length,
          report: `samples differ\nvigil:       ${show(got)}\nprom-client: ${show(want)}\n${context()}`,
        });
      }
    });
    const smallest = failures.sort((a, b) => a.size - b.size)[0];
    expect(
      failures.length === 0 ? [] : [`${failures.length} of ${RUNS} runs differ; smallest:\n${smallest?.report}`],
    ).toEqual([]);
  });
});
