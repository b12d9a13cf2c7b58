import { Counter, type CounterConfig } from './counter.js';
import { AlreadyRegisteredError, CollectError, VigilError } from './errors.js';
import { contentTypeOf, type EncodeAsyncOptions, encode, encodeAsync, type Format } from './exposition.js';
import type { Collector, Family, SummaryFamily, ValuePoint } from './family.js';
import { Gauge, type GaugeConfig } from './gauge.js';
import { Histogram, type HistogramConfig } from './histogram.js';
import { type AnyMetric, keyOf, type LabelValue } from './metric.js';
import { checkLabelName } from './names.js';
import { Summary, type SummaryConfig } from './summary.js';
import { escapeLabelValue, parseLabelPairs } from './text.js';

export interface RegistryOptions {
  /** Labels added to every series at scrape time (a series' own label of that name wins). */
  defaultLabels?: Readonly<Record<string, LabelValue>>;
  /** Write OpenMetrics `_created` samples. Default false: Prometheus stores them as series. */
  openMetricsCreated?: boolean;
}

export interface GatherResult {
  families: Family[];
  /** Collect callbacks and collectors that failed; their families are left out. */
  errors: { metric: string; error: unknown }[];
}

export type SeriesSnapshot =
  | { labels: Record<string, string>; value: number }
  | {
      labels: Record<string, string>;
      buckets: { le: number; count: number }[];
      sum: number;
      count: number;
    }
  | {
      labels: Record<string, string>;
      quantiles: { quantile: number; value: number }[];
      sum: number;
      count: number;
    };

export interface FamilySnapshot {
  name: string;
  help: string;
  type: Family['type'];
  unit: string;
  series: SeriesSnapshot[];
}

/** Counts label sets folded into overflow series, per metric; see `maxSeries`. */
export const OVERFLOW_METRIC = 'vigil_series_overflow_total';
/** Every name the overflow family writes in either format; no other family may take one. */
const OVERFLOW_NAMES: readonly string[] = ['vigil_series_overflow', OVERFLOW_METRIC, 'vigil_series_overflow_created'];

/**
 * Holds metric families and renders them. Registration checks everything before it
 * records anything: valid names, no clash between families' sample names, and one
 * definition per name (an identical one is handed back: get-or-create).
 *
 * @example
 * const registry = new Registry({ defaultLabels: { service: 'api' } });
 * const jobs = registry.counter({ name: 'jobs_total', help: 'Jobs run.', labelNames: ['queue'] });
 * jobs.inc({ queue: 'mail' });
 * const text = await registry.metrics(); // Prometheus text 0.0.4
 */
export class Registry {
  private readonly byName = new Map<string, AnyMetric>();
  /** Every sample name a family writes, to refuse `x_total` beside counter `x` and the like. */
  private readonly claimed = new Map<string, AnyMetric>();
  private readonly collectors = new Map<string, Collector>();
  private defaults: Readonly<Record<string, string>> | undefined;
  private readonly openMetricsCreated: boolean;

  constructor(options: RegistryOptions = {}) {
    this.openMetricsCreated = options.openMetricsCreated === true;
    this.setDefaultLabels(options.defaultLabels ?? {});
  }

  /** Get-or-create a counter in this registry. */
  counter<const T extends readonly string[] = []>(config: Omit<CounterConfig<T>, 'registers'>): Counter<T> {
    return new Counter<T>({ ...config, registers: [this] });
  }

  gauge<const T extends readonly string[] = []>(config: Omit<GaugeConfig<T>, 'registers'>): Gauge<T> {
    return new Gauge<T>({ ...config, registers: [this] });
  }

  histogram<const T extends readonly string[] = []>(config: Omit<HistogramConfig<T>, 'registers'>): Histogram<T> {
    return new Histogram<T>({ ...config, registers: [this] });
  }

  summary<const T extends readonly string[] = []>(config: Omit<SummaryConfig<T>, 'registers'>): Summary<T> {
    return new Summary<T>({ ...config, registers: [this] });
  }

  /**
   * Registers a metric built elsewhere (e.g. with `registers: []`). Returns the metric now
   * registered under its name: this one, or an identical one registered before.
   */
  registerMetric<M extends AnyMetric>(metric: M): M {
    return register(metric, [this]);
  }

  /**
   * The identical metric already registered under this name, or undefined if there is
   * none. Throws when the name or one of its sample names is taken by another definition.
   */
  check(metric: AnyMetric): AnyMetric | undefined {
    const existing = this.byName.get(metric.name);
    if (existing !== undefined) {
      if (existing === metric || existing.definition() === metric.definition()) return existing;
      throw new AlreadyRegisteredError(
        `metric "${metric.name}" is already registered as ${describe(existing)}; the new definition is ${describe(metric)}. Use the same definition everywhere (then you get the registered metric back) or another name.`,
        existing,
      );
    }
    for (const sample of metric.sampleNames()) {
      const holder = this.claimed.get(sample);
      if (holder !== undefined) {
        throw new VigilError(
          'VIGIL_ERR_NAME_COLLISION',
          `${metric.type} "${metric.name}" would write samples named "${sample}", which ${holder.type} "${holder.name}" already writes; rename one of them.`,
        );
      }
    }
    if (metric.sampleNames().some((sample) => OVERFLOW_NAMES.includes(sample))) {
      throw new VigilError(
        'VIGIL_ERR_NAME_COLLISION',
        `"${OVERFLOW_METRIC}" is written by Vigil itself; choose another name.`,
      );
    }
    return undefined;
  }

  /** Records a metric that `check` accepted. */
  record(metric: AnyMetric): void {
    if (this.byName.get(metric.name) === metric) return;
    this.byName.set(metric.name, metric);
    for (const sample of metric.sampleNames()) this.claimed.set(sample, metric);
  }

  getSingleMetric(name: string): AnyMetric | undefined {
    return this.byName.get(name);
  }

  getMetrics(): AnyMetric[] {
    return [...this.byName.values()];
  }

  removeSingleMetric(name: string): void {
    const metric = this.byName.get(name);
    if (metric === undefined) return;
    this.byName.delete(name);
    for (const sample of metric.sampleNames()) this.claimed.delete(sample);
  }

  /** Adds a collector whose families are gathered at every scrape. */
  registerCollector(name: string, collector: Collector): void {
    if (this.collectors.has(name)) {
      throw new VigilError(
        'VIGIL_ERR_ALREADY_REGISTERED',
        `a collector named "${name}" is already registered; give each collector its own name.`,
      );
    }
    this.collectors.set(name, collector);
  }

  removeCollector(name: string): void {
    this.collectors.delete(name);
  }

  /** Unregisters every metric and collector. */
  clear(): void {
    this.byName.clear();
    this.claimed.clear();
    this.collectors.clear();
  }

  /** Resets every metric: unlabelled ones to zero, labelled ones to no series. */
  resetMetrics(): void {
    for (const metric of this.byName.values()) metric.reset();
  }

  setDefaultLabels(labels: Readonly<Record<string, LabelValue>>): void {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(labels)) {
      checkLabelName(name, 'default labels');
      // Histograms and summaries write these themselves; a default would repeat the label.
      if (name === 'le' || name === 'quantile') {
        throw new VigilError(
          'VIGIL_ERR_RESERVED_LABEL',
          `default label "${name}" is written by histograms or summaries themselves; choose another name.`,
        );
      }
      const v = keyOf(value);
      if (v === undefined) {
        throw new VigilError('VIGIL_ERR_LABEL_VALUE', `default label "${name}" must be a string, number or boolean.`);
      }
      out[name] = v;
    }
    this.defaults = Object.keys(out).length === 0 ? undefined : Object.freeze(out);
  }

  getDefaultLabels(): Readonly<Record<string, string>> {
    return this.defaults ?? {};
  }

  /**
   * Runs collect callbacks and collectors, then returns every family that could be
   * gathered plus the errors of those that could not: one failure never hides the rest.
   */
  async gather(): Promise<GatherResult> {
    const errors: GatherResult['errors'] = [];
    const failed = new Set<AnyMetric>();
    const pending: Promise<unknown>[] = [];
    for (const metric of this.byName.values()) {
      const collect = metric.collect;
      if (collect === undefined) continue;
      const fail = (error: unknown) => {
        errors.push({ metric: metric.name, error });
        failed.add(metric);
      };
      try {
        const result = collect.call(metric);
        if (result instanceof Promise) pending.push(result.catch(fail));
      } catch (error) {
        fail(error);
      }
    }
    const collected: Family[][] = [];
    for (const [name, collector] of this.collectors) {
      const keep = (families: readonly Family[]) => {
        collected.push([...families]);
      };
      const fail = (error: unknown) => {
        errors.push({ metric: name, error });
      };
      try {
        const result = collector.collect();
        if (result instanceof Promise) pending.push(result.then(keep, fail));
        else keep(result);
      } catch (error) {
        fail(error);
      }
    }
    if (pending.length > 0) await Promise.all(pending);

    const now = Date.now();
    const families: Family[] = [];
    const overflow: ValuePoint[] = [];
    for (const metric of this.byName.values()) {
      if (failed.has(metric)) continue;
      metric.sweep(now);
      families.push(
        metric.type === 'summary' ? summaryFamily(metric as unknown as Summary) : (metric as unknown as Family),
      );
      if (metric.overflowCount > 0) {
        overflow.push({ labelText: `metric="${escapeLabelValue(metric.name)}"`, value: metric.overflowCount });
      }
    }
    const names = new Set([...this.claimed.keys(), ...OVERFLOW_NAMES]);
    for (const group of collected) {
      for (const family of group) {
        const problem = malformed(family);
        if (problem !== undefined) {
          errors.push({
            metric: String((family as { name?: unknown })?.name),
            error: new VigilError(
              'VIGIL_ERR_COLLECT',
              `a collector returned a malformed family: ${problem}; it was left out.`,
            ),
          });
          continue;
        }
        // Compare every sample name, as registration does: counter `x_total` and gauge `x` are one family in OpenMetrics.
        const samples = sampleNamesOf(family);
        if (samples.some((sample) => names.has(sample))) {
          errors.push({
            metric: family.name,
            error: new VigilError(
              'VIGIL_ERR_NAME_COLLISION',
              `a collector returned family "${family.name}", whose name is already taken; it was left out.`,
            ),
          });
          continue;
        }
        for (const sample of samples) names.add(sample);
        families.push(family);
      }
    }
    if (overflow.length > 0) {
      families.push({
        name: OVERFLOW_METRIC,
        help: 'Updates folded into a metric’s overflow series because it reached its series limit.',
        type: 'counter',
        unit: '',
        labelNames: ['metric'],
        series: overflow,
      });
    }
    return { families, errors };
  }

  /**
   * The exposition text of every family. Rejects with a CollectError (which lists what
   * failed) when a collect callback fails; use `gather()` and `render()` to serve the rest.
   */
  async metrics(format: Format = 'text'): Promise<string> {
    const { families, errors } = await this.gather();
    if (errors.length > 0) throw new CollectError(errors);
    return this.render(families, format);
  }

  /** Renders gathered families with this registry's default labels and options. */
  render(families: readonly Family[], format: Format = 'text'): string {
    return this.encode(families, format).toString('utf8');
  }

  /** Like `render`, as UTF-8 bytes: what a response body or gzip wants, without a copy. */
  encode(families: readonly Family[], format: Format = 'text'): Buffer {
    return encode(families, format, {
      ...(this.defaults === undefined ? {} : { defaultLabels: this.defaults }),
      created: this.openMetricsCreated,
    });
  }

  /**
   * Like `encode`, in slices that yield to the event loop (see `encodeAsync`): what a
   * scrape of a large registry uses so the process keeps serving other requests.
   */
  encodeAsync(
    families: readonly Family[],
    format: Format = 'text',
    options: Pick<EncodeAsyncOptions, 'sliceMs'> = {},
  ): Promise<Buffer> {
    return encodeAsync(families, format, {
      ...(this.defaults === undefined ? {} : { defaultLabels: this.defaults }),
      created: this.openMetricsCreated,
      ...(options.sliceMs === undefined ? {} : { sliceMs: options.sliceMs }),
    });
  }

  contentType(format: Format = 'text'): string {
    return contentTypeOf(format);
  }

  /** The registry as data: families, types, help, series with labels and values. */
  async snapshot(): Promise<FamilySnapshot[]> {
    const { families, errors } = await this.gather();
    if (errors.length > 0) throw new CollectError(errors);
    const defaults = this.defaults ?? {};
    return families.map((f) => ({
      name: f.name,
      help: f.help,
      type: f.type,
      unit: f.unit,
      series: snapshotSeries(f, (labelText) => ({ ...defaults, ...parseLabelPairs(labelText) })),
    }));
  }

  /**
   * A new registry holding every metric and collector of the given ones. Conflicting
   * definitions, or different default labels, are refused.
   */
  static merge(registries: readonly Registry[]): Registry {
    const defaults = registries.map((r) => JSON.stringify(r.defaults ?? {}));
    if (new Set(defaults).size > 1) {
      throw new VigilError(
        'VIGIL_ERR_MERGE',
        `the registries have different default labels (${defaults.join(' vs ')}); set the same ones on each before merging.`,
      );
    }
    const merged = new Registry({
      defaultLabels: registries[0]?.defaults ?? {},
      openMetricsCreated: registries.some((r) => r.openMetricsCreated),
    });
    for (const registry of registries) {
      for (const metric of registry.byName.values()) {
        try {
          merged.registerMetric(metric);
        } catch (error) {
          throw new VigilError('VIGIL_ERR_MERGE', `cannot merge registries: ${(error as Error).message}`, {
            cause: error,
          });
        }
      }
      for (const [name, collector] of registry.collectors) {
        const held = merged.collectors.get(name);
        if (held === undefined) merged.registerCollector(name, collector);
        else if (held !== collector) {
          // Keeping either one would silently drop the other's families.
          throw new VigilError(
            'VIGIL_ERR_MERGE',
            `cannot merge registries: each has a different collector named "${name}"; rename one of them.`,
          );
        }
      }
    }
    return merged;
  }
}

/** The registry metrics join when their config names none. */
export const defaultRegistry = new Registry();

/**
 * Registers `metric` in every registry, checking all of them before recording in any.
 * Returns the metric to use: an identical one registered earlier, or `metric` itself.
 */
export function register<M extends AnyMetric>(metric: M, registers: readonly Registry[] = [defaultRegistry]): M {
  if (!Array.isArray(registers)) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_OPTION',
      `registers of metric "${metric.name}" must be an array of registries.`,
    );
  }
  let chosen: AnyMetric | undefined;
  for (const registry of registers) {
    const existing = registry.check(metric);
    if (existing === undefined) continue;
    if (chosen !== undefined && chosen !== existing) {
      throw new AlreadyRegisteredError(
        `metric "${metric.name}" is registered as two different instances in the given registries; register one instance in both.`,
        chosen,
      );
    }
    chosen = existing;
  }
  const result = (chosen ?? metric) as M;
  for (const registry of registers) registry.record(result);
  return result;
}

/** The sample names a collector's family writes, as `Metric.sampleNames` lists them for metrics. */
function sampleNamesOf(family: Family): string[] {
  const n = family.name;
  switch (family.type) {
    case 'counter': {
      const base = n.endsWith('_total') ? n.slice(0, -6) : n;
      return [base, `${base}_total`, `${base}_created`];
    }
    case 'gauge':
      return [n];
    case 'histogram':
      return [n, `${n}_bucket`, `${n}_count`, `${n}_sum`, `${n}_created`];
    default:
      return [n, `${n}_count`, `${n}_sum`, `${n}_created`];
  }
}

/** The whole definition, so two conflicting ones never read alike. */
function describe(metric: AnyMetric): string {
  const labels = metric.labelNames as readonly string[];
  let out = `${metric.type} with labels [${labels.join(', ')}] and help ${JSON.stringify(metric.help)}`;
  if (metric.unit !== '') out += `, unit "${metric.unit}"`;
  if (Object.keys(metric.constLabels).length > 0) out += `, const labels ${JSON.stringify(metric.constLabels)}`;
  if (metric.type === 'histogram') out += `, buckets [${(metric as unknown as Histogram).upperBounds.join(', ')}]`;
  if (metric.type === 'summary') out += `, percentiles [${(metric as unknown as Summary).percentiles.join(', ')}]`;
  return out;
}

/**
 * What is wrong with a collector's family, or undefined. Checked before rendering, so one
 * bad collector loses its own family instead of failing the whole scrape.
 */
function malformed(f: Family): string | undefined {
  if (f === null || typeof f !== 'object') return 'not an object';
  if (typeof f.name !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(f.name))
    return `invalid name ${JSON.stringify(f.name)}`;
  if (typeof f.help !== 'string') return `family "${f.name}" has no help string`;
  if (!['counter', 'gauge', 'histogram', 'summary'].includes(f.type))
    return `family "${f.name}" has unknown type ${JSON.stringify(f.type)}`;
  if (typeof f.unit !== 'string' || !Array.isArray(f.labelNames) || !Array.isArray(f.series)) {
    return `family "${f.name}" needs unit (string), labelNames and series (arrays)`;
  }
  if (f.type === 'histogram' && !Array.isArray(f.upperBounds)) return `histogram "${f.name}" has no upperBounds`;
  if (f.type === 'summary' && !Array.isArray(f.percentiles)) return `summary "${f.name}" has no percentiles`;
  for (const point of f.series as readonly {
    labelText?: unknown;
    value?: unknown;
    counts?: unknown;
    quantiles?: unknown;
  }[]) {
    if (point === null || typeof point !== 'object' || typeof point.labelText !== 'string') {
      return `a series of "${f.name}" has no labelText string (build it with renderLabels)`;
    }
    const ok =
      f.type === 'histogram'
        ? Array.isArray(point.counts) && point.counts.length === f.upperBounds.length + 1
        : f.type === 'summary'
          ? Array.isArray(point.quantiles)
          : typeof point.value === 'number';
    if (!ok) return `a series of "${f.name}" does not fit its type ${f.type}`;
  }
  return undefined;
}

function summaryFamily(summary: Summary): SummaryFamily {
  return {
    name: summary.name,
    help: summary.help,
    type: 'summary',
    unit: summary.unit,
    labelNames: summary.labelNames,
    constLabels: summary.constLabels,
    percentiles: summary.percentiles,
    series: summary.series.map((s) => ({
      labelText: s.labelText,
      quantiles: s.quantiles(),
      sum: s.sum,
      count: s.count,
      created: s.created,
    })),
  };
}

function snapshotSeries(f: Family, labelsOf: (labelText: string) => Record<string, string>): SeriesSnapshot[] {
  switch (f.type) {
    case 'histogram':
      return f.series.map((s) => {
        let cumulative = 0;
        const buckets = s.counts.map((n, i) => {
          cumulative += n;
          return { le: f.upperBounds[i] ?? Number.POSITIVE_INFINITY, count: cumulative };
        });
        return { labels: labelsOf(s.labelText), buckets, sum: s.sum, count: s.count };
      });
    case 'summary':
      return f.series.map((s) => ({
        labels: labelsOf(s.labelText),
        quantiles: f.percentiles.map((q, i) => ({ quantile: q, value: s.quantiles[i] as number })),
        sum: s.sum,
        count: s.count,
      }));
    default:
      return f.series.map((s) => ({ labels: labelsOf(s.labelText), value: s.value }));
  }
}
