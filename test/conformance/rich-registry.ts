/**
 * A rich Vigil registry for the conformance tests (every metric type, default and const
 * labels, escapes, non-ASCII text, special floats, exemplars), and the exposition every
 * reader should see in it.
 *
 * The expectations are computed here from the operations (sums, bucket counts, label
 * merging, per-format names) by a model independent of Vigil's code, so a reader and Vigil
 * must both agree with it. Only summary quantile values come from Vigil: the DDSketch
 * estimate is Vigil's to choose, the conformance tests check that it travels exactly.
 */
import { Registry } from '../../src/metrics/index.js';
import type { ParsedFamily } from '../support/python.js';

export type Format = 'text' | 'openmetrics';
export type Labels = Record<string, string>;
export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface ExpectedExemplar {
  labels: Labels;
  value: number;
}

export interface ExpectedSample {
  name: string;
  labels: Labels;
  value: number;
  /** Only in OpenMetrics, only on counter `_total` samples and histogram buckets. */
  exemplar: ExpectedExemplar | null;
}

export interface ExpectedFamily {
  /** The name on the HELP and TYPE lines of this format. */
  name: string;
  type: FamilyType;
  help: string;
  /** Always '' in text 0.0.4, which has no UNIT line. */
  unit: string;
  samples: ExpectedSample[];
}

export interface RichRegistry {
  registry: Registry;
  /** What the exposition in `format` holds, family by family, sample by sample, in order. */
  expected(format: Format): ExpectedFamily[];
  /** Date.now() before the first and after the last update: exemplar timestamps lie in between. */
  startedMs: number;
  finishedMs: number;
}

export const DEFAULT_LABELS: Readonly<Labels> = { service: 'vigil-conformance', region: 'Zürich' };

/** Label values a naive writer or reader gets wrong. */
export const TRICKY_VALUES: readonly string[] = [
  'plain',
  'say "hi"',
  'C:\\path\\to\\file',
  'line one\nline two',
  'trailing backslash \\',
  '\\n is a backslash and an n',
  '\\"',
  'Zürich',
  '東京',
  '🎉 party',
  '',
  'a,b=c}{',
  ' # not a comment ',
  'tab\there',
  '  leading and trailing spaces  ',
  'carriage\rreturn',
];

// ---- the model: floats as the formats write them -------------------------------------

/**
 * Go's `strconv.FormatFloat(v, 'g', -1, 64)`: the shortest digits that round-trip, in
 * exponent form when the decimal exponent is < -4 or >= 6 (Go's rule for the shortest
 * form), with at least two exponent digits (`1e+06`, `1e-05`).
 */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, exponentText] = v.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  // Between 1e-4 and 1e6, JavaScript's shortest rendering is plain decimal, as Go's.
  return String(v);
}

/**
 * The OpenMetrics canonical number for `le` and `quantile` ("Considerations: Canonical
 * Numbers"): Go's %g rendering with `.0` appended when there is neither a point nor an
 * exponent, `+Inf` for infinity.
 */
export function openMetricsCanonical(v: number): string {
  const s = goFloat(v);
  return /[.eIN]/.test(s) ? s : `${s}.0`;
}

/** `le` and `quantile` in text 0.0.4 as Vigil and prom-client write them (JavaScript's rendering). */
export function textNumber(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/**
 * The value a reader gets for `v`: the sign of zero is not kept (client_golang's writer
 * prints -0 as `0` too), everything else exactly.
 */
export function wireValue(v: number): number {
  return v === 0 ? 0 : v;
}

// ---- the registry's contents ---------------------------------------------------------

export interface CounterSpec {
  type: 'counter';
  name: string;
  help: string;
  unit?: string;
  labelNames: string[];
  constLabels?: Labels;
  /** Why promtool's linter flags this family, if it does: the exact lint message. */
  lint?: string;
  series: { labels: Record<string, string | number>; incs: number[]; exemplar?: Labels }[];
}

export type GaugeOp = ['set' | 'inc' | 'dec', number];
export interface GaugeSpec {
  type: 'gauge';
  name: string;
  help: string;
  unit?: string;
  labelNames: string[];
  constLabels?: Labels;
  lint?: string;
  series: { labels: Record<string, string | number>; ops: GaugeOp[] }[];
}

export type Observation = number | { value: number; exemplar: Labels };
export interface HistogramSpec {
  type: 'histogram';
  name: string;
  help: string;
  unit?: string;
  labelNames: string[];
  constLabels?: Labels;
  lint?: string;
  buckets: number[];
  series: { labels: Record<string, string | number>; observations: Observation[] }[];
}

export interface SummarySpec {
  type: 'summary';
  name: string;
  help: string;
  unit?: string;
  labelNames: string[];
  constLabels?: Labels;
  lint?: string;
  percentiles: number[];
  series: { labels: Record<string, string | number>; observations: number[] }[];
}

export type Spec = CounterSpec | GaugeSpec | HistogramSpec | SummarySpec;

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

export const RICH_SPECS: readonly Spec[] = [
  {
    type: 'counter',
    name: 'conf_requests_total',
    help: 'Requests handled, by "path" and code.\nBackslash: \\ and \\n; Zürich 東京 🎉',
    labelNames: ['path', 'code'],
    constLabels: { app: 'vigil "conformance" \\ app' },
    series: [
      ...TRICKY_VALUES.map((path, i) => ({ labels: { path, code: 200 + i }, incs: [1, i] })),
      { labels: { path: 'sums', code: 'float' }, incs: [0.1, 0.2] },
      { labels: { path: 'sums', code: 'huge' }, incs: [1e300] },
      { labels: { path: 'sums', code: 'tiny' }, incs: [5e-324] },
      { labels: { path: 'sums', code: 'safe' }, incs: [2 ** 53] },
      { labels: { path: 'sums', code: 'zero' }, incs: [0] },
      { labels: { path: 'traced', code: 200 }, incs: [2, 0.5], exemplar: { trace_id: TRACE_ID, span_id: SPAN_ID } },
    ],
  },
  {
    type: 'counter',
    name: 'conf_jobs',
    help: 'A counter registered without the _total suffix.',
    labelNames: [],
    lint: 'conf_jobs counter metrics should have "_total" suffix',
    series: [{ labels: {}, incs: [3, 4], exemplar: { job_id: 'Zürich-東京-🎉' } }],
  },
  {
    type: 'counter',
    name: 'conf_sent_bytes_total',
    help: 'Bytes sent; a counter with a unit.',
    unit: 'bytes',
    labelNames: [],
    series: [{ labels: {}, incs: [1024, 1e21] }],
  },
  {
    type: 'gauge',
    name: 'conf_special_values',
    help: 'Gauges holding the floats a writer gets wrong.',
    labelNames: ['case'],
    series: (
      [
        ['nan', Number.NaN],
        ['pos_inf', Number.POSITIVE_INFINITY],
        ['neg_inf', Number.NEGATIVE_INFINITY],
        ['huge', 1e300],
        ['max', Number.MAX_VALUE],
        ['neg_max', -Number.MAX_VALUE],
        ['tiny', 5e-324],
        ['min_normal', 2.2250738585072014e-308],
        ['negative_small', -0.000123],
        ['negative_zero', -0],
        ['point_three', 0.1 + 0.2],
        ['above_safe_integer', 2 ** 53 + 2],
        ['e21', 1e21],
        ['e_minus_7', 1e-7],
        ['negative_integer', -42],
        ['pi', Math.PI],
      ] as const
    ).map(([c, v]) => ({ labels: { case: c }, ops: [['set', v]] as GaugeOp[] })),
  },
  {
    type: 'gauge',
    name: 'conf_queue_depth',
    help: 'Updated with inc, dec and set.',
    labelNames: ['queue'],
    series: [
      {
        labels: { queue: 'mail' },
        ops: [
          ['inc', 5],
          ['dec', 2.5],
          ['inc', 0.25],
        ],
      },
      {
        labels: { queue: '' },
        ops: [
          ['set', 7],
          ['dec', 10],
        ],
      },
      { labels: { queue: '東京' }, ops: [['dec', 1e-300]] },
    ],
  },
  {
    type: 'gauge',
    name: 'conf_temperature_celsius',
    help: 'A gauge with a unit.',
    unit: 'celsius',
    labelNames: ['city'],
    series: [
      { labels: { city: 'Zürich' }, ops: [['set', 21.5]] },
      { labels: { city: '東京' }, ops: [['set', -3.25]] },
      { labels: { city: '🎉' }, ops: [['set', 0]] },
    ],
  },
  {
    type: 'gauge',
    name: 'conf_region_override',
    help: 'Its own label "region" wins over the default label.',
    labelNames: ['region'],
    series: [{ labels: { region: 'eu-west "1"' }, ops: [['set', 1]] }],
  },
  {
    type: 'gauge',
    name: 'conf_build_info',
    help: 'Const labels; "service" wins over the default label.',
    labelNames: [],
    constLabels: { service: 'const-wins', version: '1.2.3-β', empty: '' },
    series: [{ labels: {}, ops: [['set', 1]] }],
  },
  {
    type: 'histogram',
    name: 'conf_latency_seconds',
    help: 'Default buckets, with exemplars.',
    unit: 'seconds',
    labelNames: [],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    series: [
      {
        labels: {},
        observations: [
          0.003,
          0.005,
          { value: 0.042, exemplar: { trace_id: TRACE_ID } },
          0.7,
          2.5,
          { value: 11, exemplar: { trace_id: 'b'.repeat(32), span_id: SPAN_ID } },
          0,
          { value: 0.004, exemplar: { trace_id: 'latest-in-first-bucket' } },
        ],
      },
    ],
  },
  {
    type: 'histogram',
    name: 'conf_payload_bytes',
    help: 'Labelled histogram; bucket bounds up to 100000.',
    unit: 'bytes',
    labelNames: ['method', 'route'],
    constLabels: { tier: 'edge' },
    buckets: [100, 1000, 10000, 100000],
    series: [
      { labels: { method: 'GET', route: '/users/{id}' }, observations: [10, 100, 101, 99999.5, 1e6] },
      { labels: { method: 'POST', route: '/upload "big" \\ file' }, observations: [5000, 0.5] },
      { labels: { method: '', route: 'Zürich/東京/🎉' }, observations: [] },
    ],
  },
  {
    type: 'histogram',
    name: 'conf_temperature_delta_celsius',
    help: 'Negative buckets: OpenMetrics forbids _sum (and so _count) beside them.',
    unit: 'celsius',
    labelNames: [],
    buckets: [-10, -1, 0, 1, 10],
    series: [{ labels: {}, observations: [-5, 0.5, 3, -20, 0] }],
  },
  {
    type: 'summary',
    name: 'conf_rpc_duration_seconds',
    help: 'Summary; its own label "service" wins over the default label.',
    unit: 'seconds',
    labelNames: ['service'],
    percentiles: [0.5, 0.9, 0.99],
    series: [
      { labels: { service: 'auth' }, observations: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] },
      { labels: { service: 'Zürich "東京"' }, observations: [42] },
      // A series with no observations: quantiles are NaN.
      { labels: { service: 'idle' }, observations: [] },
    ],
  },
  {
    type: 'summary',
    name: 'conf_queue_wait_seconds',
    help: 'Summary with the default quantiles.',
    labelNames: [],
    percentiles: [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999],
    series: [{ labels: {}, observations: Array.from({ length: 100 }, (_, i) => (i + 1) / 100) }],
  },
];

// ---- building and modelling -----------------------------------------------------------

function stringLabels(labels: Record<string, string | number>): Labels {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
}

/** Default labels, then const labels, then the series' own: a series' label of the same name wins. */
function fullLabels(spec: Spec, own: Record<string, string | number>, defaults: Readonly<Labels>): Labels {
  const out: Labels = {};
  for (const [name, value] of Object.entries(defaults)) {
    if (spec.labelNames.includes(name) || (spec.constLabels !== undefined && name in spec.constLabels)) continue;
    out[name] = value;
  }
  return { ...out, ...spec.constLabels, ...stringLabels(own) };
}

function sumOf(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum;
}

function observedValue(o: Observation): number {
  return typeof o === 'number' ? o : o.value;
}

/** Index of the bucket an observation falls in: the first bound >= it, else +Inf. */
function bucketIndex(bounds: readonly number[], v: number): number {
  const i = bounds.findIndex((b) => v <= b);
  return i === -1 ? bounds.length : i;
}

interface SummaryHandle {
  quantiles(): number[];
}

/** Builds the registry from `specs` (default: all of RICH_SPECS) and the model of its exposition. */
export function buildRichRegistry(
  options: { specs?: readonly Spec[]; defaultLabels?: Readonly<Labels> } = {},
): RichRegistry {
  const specs = options.specs ?? RICH_SPECS;
  const defaults = options.defaultLabels ?? DEFAULT_LABELS;
  const registry = new Registry({ defaultLabels: defaults });
  const summaries = new Map<string, SummaryHandle>();
  const startedMs = Date.now();
  for (const spec of specs) {
    const base = {
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames,
      ...(spec.constLabels ? { constLabels: spec.constLabels } : {}),
      ...(spec.unit ? { unit: spec.unit } : {}),
    };
    switch (spec.type) {
      case 'counter': {
        const counter = registry.counter(base);
        for (const s of spec.series) {
          const series = spec.labelNames.length === 0 ? counter.labels() : counter.labels(s.labels);
          s.incs.forEach((v, i) => {
            series.inc(v, i === s.incs.length - 1 ? s.exemplar : undefined);
          });
        }
        break;
      }
      case 'gauge': {
        const gauge = registry.gauge(base);
        for (const s of spec.series) {
          const series = spec.labelNames.length === 0 ? gauge.labels() : gauge.labels(s.labels);
          for (const [op, v] of s.ops) series[op](v);
        }
        break;
      }
      case 'histogram': {
        const histogram = registry.histogram({ ...base, buckets: spec.buckets });
        for (const s of spec.series) {
          const series = spec.labelNames.length === 0 ? histogram.labels() : histogram.labels(s.labels);
          for (const o of s.observations) {
            if (typeof o === 'number') series.observe(o);
            else series.observe(o.value, o.exemplar);
          }
        }
        break;
      }
      case 'summary': {
        const summary = registry.summary({ ...base, percentiles: spec.percentiles });
        spec.series.forEach((s, i) => {
          const series = spec.labelNames.length === 0 ? summary.labels() : summary.labels(s.labels);
          for (const v of s.observations) series.observe(v);
          summaries.set(`${spec.name}/${i}`, series);
        });
        break;
      }
    }
  }
  const finishedMs = Date.now();

  function expected(format: Format): ExpectedFamily[] {
    const om = format === 'openmetrics';
    return specs.map((spec): ExpectedFamily => {
      const samples: ExpectedSample[] = [];
      const sample = (name: string, labels: Labels, value: number, exemplar: ExpectedExemplar | null = null) =>
        samples.push({
          name,
          labels,
          value: wireValue(value),
          exemplar: om && exemplar ? { labels: exemplar.labels, value: wireValue(exemplar.value) } : null,
        });
      let name = spec.name;
      switch (spec.type) {
        case 'counter': {
          if (om) name = spec.name.replace(/_total$/, '');
          const sampleName = om ? `${name}_total` : spec.name;
          for (const s of spec.series) {
            const last = s.incs[s.incs.length - 1];
            // The exemplar goes with the last increment; without one there is none.
            const exemplar = s.exemplar && last !== undefined ? { labels: s.exemplar, value: last } : null;
            sample(sampleName, fullLabels(spec, s.labels, defaults), sumOf(s.incs), exemplar);
          }
          break;
        }
        case 'gauge': {
          for (const s of spec.series) {
            let value = 0;
            for (const [op, v] of s.ops) value = op === 'set' ? v : op === 'inc' ? value + v : value - v;
            sample(spec.name, fullLabels(spec, s.labels, defaults), value);
          }
          break;
        }
        case 'histogram': {
          const bounds = [...spec.buckets, Number.POSITIVE_INFINITY];
          for (const s of spec.series) {
            const labels = fullLabels(spec, s.labels, defaults);
            const values = s.observations.map(observedValue);
            const exemplars = new Map<number, ExpectedExemplar>();
            for (const o of s.observations) {
              if (typeof o !== 'number')
                exemplars.set(bucketIndex(spec.buckets, o.value), { labels: o.exemplar, value: o.value });
            }
            bounds.forEach((b, i) => {
              const le = om ? openMetricsCanonical(b) : textNumber(b);
              const count = values.filter((v) => v <= b).length;
              sample(`${spec.name}_bucket`, { ...labels, le }, count, exemplars.get(i) ?? null);
            });
            const sum = sumOf(values);
            // OpenMetrics: no _sum beside negative buckets, never a negative or NaN _sum; _count goes with it.
            if (!om || ((spec.buckets[0] ?? 0) >= 0 && sum >= 0)) {
              sample(`${spec.name}_sum`, labels, sum);
              sample(`${spec.name}_count`, labels, values.length);
            }
          }
          break;
        }
        case 'summary': {
          spec.series.forEach((s, i) => {
            const labels = fullLabels(spec, s.labels, defaults);
            const quantiles = (summaries.get(`${spec.name}/${i}`) as SummaryHandle).quantiles();
            // Quantiles are written in ascending order, whatever order they were declared in.
            [...spec.percentiles]
              .sort((a, b) => a - b)
              .forEach((q, j) => {
                const value = quantiles[j] as number;
                // OpenMetrics forbids negative quantile values.
                if (om && value < 0) return;
                sample(spec.name, { ...labels, quantile: om ? openMetricsCanonical(q) : textNumber(q) }, value);
              });
            const sum = sumOf(s.observations);
            if (!om || sum >= 0) {
              sample(`${spec.name}_sum`, labels, sum);
              sample(`${spec.name}_count`, labels, s.observations.length);
            }
          });
          break;
        }
      }
      return { name, type: spec.type, help: spec.help, unit: om ? (spec.unit ?? '') : '', samples };
    });
  }

  return { registry, expected, startedMs, finishedMs };
}

/** RICH_SPECS without the families promtool's linter flags. */
export const LINT_CLEAN_SPECS: readonly Spec[] = RICH_SPECS.filter((s) => s.lint === undefined);

// ---- what the Python parsers report ---------------------------------------------------

/** Parsed families in the model's shape, without exemplar timestamps (checked on their own). */
export function asModel(families: readonly ParsedFamily[]): ExpectedFamily[] {
  return families.map((f) => ({
    name: f.name,
    type: f.type as FamilyType,
    help: f.documentation,
    unit: f.unit,
    samples: f.samples.map(
      (s): ExpectedSample => ({
        name: s.name,
        labels: s.labels,
        value: s.value,
        exemplar: s.exemplar === null ? null : { labels: s.exemplar.labels, value: s.exemplar.value },
      }),
    ),
  }));
}

/**
 * What prometheus_client.parser reports for a text family: a counter family is named
 * without `_total`, and a counter sample without `_total` gets it appended.
 */
export function asTextParserReports(families: readonly ExpectedFamily[]): ExpectedFamily[] {
  return families.map((f) => {
    if (f.type !== 'counter') return f;
    return {
      ...f,
      name: f.name.replace(/_total$/, ''),
      samples: f.samples.map((s) => ({ ...s, name: s.name.endsWith('_total') ? s.name : `${s.name}_total` })),
    };
  });
}
