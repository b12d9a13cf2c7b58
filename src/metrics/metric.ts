import { VigilError } from './errors.js';
import { keyOf } from './keys.js';
import { compileLookup, type LabelObject } from './lookup.js';
import { checkHelp, checkLabelName, checkLabelNames, checkMetricName, checkUnit } from './names.js';
import type { Registry } from './registry.js';
import { parseLabelPairs, renderLabelPairs } from './text.js';

export type LabelValue = string | number | boolean;
/** Values for every declared label, by name. */
export type LabelSet<L extends string> = { readonly [K in L]: LabelValue };
/** Values for every declared label, in declaration order. */
export type LabelTuple<T extends readonly string[]> = { readonly [K in keyof T]: LabelValue };
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** The value every label of the overflow series carries once a metric hits its series limit. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';
export const DEFAULT_MAX_SERIES = 10_000;

export interface MetricConfig<T extends readonly string[]> {
  /** Metric name, e.g. `http_requests_total`. */
  name: string;
  /** What the metric measures; shown as `# HELP`. */
  help: string;
  /** Declared label names; every series sets each of them, no more. */
  labelNames?: T;
  /** Labels with a fixed value on every series of this metric. */
  constLabels?: Readonly<Record<string, LabelValue>>;
  /** OpenMetrics unit; the name must end in `_<unit>`. */
  unit?: string;
  /** Registries to register in; defaults to the default registry. `[]` registers nowhere. */
  registers?: readonly Registry[];
  /** Label sets beyond this many fold into one overflow series. Default 10,000. */
  maxSeries?: number;
  /** Drop series not updated for this long, at scrape time. Default: never. */
  ttlSeconds?: number;
}

/** What every series shares: its rendered labels and when it was last updated. */
export abstract class Series {
  /** The owning metric's epoch at the last update; -1 once the series was removed. */
  touched: number;
  /** Creation time in seconds, for OpenMetrics `_created`. */
  created: number;

  constructor(
    readonly metric: AnyMetric,
    /** `a="x",b="y"`, const labels included, escaped. */
    readonly labelText: string,
  ) {
    this.touched = metric.epoch;
    this.created = Date.now() / 1000;
  }

  /** Zeroes the recorded values. */
  abstract clear(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: the tree mixes maps and series by depth
type Node = Map<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: used where the label tuple does not matter
export type AnyMetric = Metric<Series, any>;

/**
 * A metric family: its description, its series and their lookup. Series live in a tree
 * of maps, one level per label, keyed by the raw value: a lookup allocates nothing and two
 * distinct label sets can never meet, whatever characters their values hold.
 */
export abstract class Metric<S extends Series, T extends readonly string[]> {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly unit: string;
  readonly labelNames: T;
  readonly constLabels: Readonly<Record<string, string>>;
  readonly maxSeries: number;
  /** Series in creation order, the overflow series included; what exposition reads. */
  readonly series: S[] = [];
  /** Bumped at each scrape-time sweep; series record it when updated (see `touched`). */
  epoch = 0;
  /** Updates folded into the overflow series because the series limit was reached. */
  overflowCount = 0;
  /** Runs at scrape time, before the values are read; `this` is the metric. */
  readonly collect: (() => void | Promise<void>) | undefined;

  private readonly ttlMs: number;
  private readonly constText: string;
  private readonly root: Node = new Map();
  private overflow: S | undefined;
  private readonly sweeps: { epoch: number; at: number }[] = [];
  /** The only series of a metric without labels. */
  protected single: S | undefined;

  constructor(config: MetricConfig<T>, reservedLabels: readonly string[] = []) {
    if (config === null || typeof config !== 'object') {
      throw new VigilError('VIGIL_ERR_INVALID_OPTION', 'a metric needs a config object: { name, help, labelNames? }.');
    }
    checkMetricName(config.name);
    this.name = config.name;
    checkHelp(config.help, this.name);
    this.help = config.help;
    const labelNames = (config.labelNames ?? []) as unknown as T;
    if (!Array.isArray(labelNames)) {
      throw new VigilError(
        'VIGIL_ERR_INVALID_OPTION',
        `labelNames of metric "${this.name}" must be an array of strings.`,
      );
    }
    checkLabelNames(labelNames, this.name, reservedLabels);
    this.labelNames = Object.freeze([...labelNames]) as unknown as T;
    this.unit = config.unit ?? '';
    if (this.unit !== '') checkUnit(this.unit, this.familyName());
    this.maxSeries = positiveInteger(config.maxSeries ?? DEFAULT_MAX_SERIES, 'maxSeries', this.name);
    const ttl = config.ttlSeconds ?? 0;
    if (typeof ttl !== 'number' || !(ttl >= 0) || ttl === Number.POSITIVE_INFINITY) {
      throw new VigilError(
        'VIGIL_ERR_INVALID_OPTION',
        `ttlSeconds of metric "${this.name}" must be a finite number of seconds >= 0 (0 keeps series forever).`,
      );
    }
    this.ttlMs = ttl * 1000;
    this.constLabels = this.checkConstLabels(config.constLabels ?? {}, reservedLabels);
    const constNames = Object.keys(this.constLabels);
    this.constText = renderLabelPairs(constNames, Object.values(this.constLabels));
    this.bySet =
      this.labelNames.length === 0
        ? (labels) => this.miss(labels)
        : compileLookup<S>(this.labelNames, this.root, (labels) => this.miss(labels));
    const collect = (config as { collect?: unknown }).collect;
    if (collect !== undefined && typeof collect !== 'function') {
      throw new VigilError(
        'VIGIL_ERR_INVALID_OPTION',
        `collect of metric "${this.name}" must be a function that updates the metric at scrape time.`,
      );
    }
    this.collect = collect as (() => void | Promise<void>) | undefined;
  }

  /** The OpenMetrics family name; counters override it to drop `_total`. */
  familyName(): string {
    return this.name;
  }

  /** Names this family writes samples under; registries refuse overlaps between families. */
  abstract sampleNames(): string[];

  /** Identity of the definition, for get-or-create: equal keys mean the same metric. */
  definition(): string {
    // Const labels in name order: { a, b } and { b, a } are one definition.
    const constLabels = Object.entries(this.constLabels).sort(([a], [b]) => (a < b ? -1 : 1));
    return JSON.stringify([this.type, this.help, this.labelNames, this.unit, constLabels, this.extraDefinition()]);
  }

  protected extraDefinition(): unknown {
    return null;
  }

  protected abstract newSeries(labelText: string): S;

  /** Called by the subclass constructor once its own fields exist. */
  protected init(): void {
    if (this.labelNames.length === 0) {
      this.single = this.newSeries(this.constText);
      this.series.push(this.single);
    }
  }

  /** The unlabelled series, or a clear error when the metric declares labels. */
  protected unlabelled(): S {
    const s = this.single;
    if (s === undefined) {
      throw new VigilError(
        'VIGIL_ERR_LABEL_MISSING',
        `metric "${this.name}" declares labels [${this.labelNames.join(', ')}]; pass their values, e.g. .labels({ ${this.labelNames[0]}: '...' }).`,
      );
    }
    return s;
  }

  /** Finds or creates the series for a label object: the hot path of labelled updates. */
  protected readonly bySet: (labels: LabelObject) => S;

  /** A label object the compiled lookup did not resolve: reject it, or create its series. */
  private miss(labels: LabelObject): S {
    const names = this.labelNames as readonly string[];
    let count = 0;
    for (const _ in labels) count++;
    if (count !== names.length || names.some((name) => keyOf(labels[name]) === undefined)) {
      return this.labelError(labels);
    }
    return names.length === 0 ? this.unlabelled() : this.create(labels);
  }

  /** Finds or creates the series for positional label values. */
  protected byValues(values: readonly unknown[]): S {
    const names = this.labelNames;
    if (values.length !== names.length || names.length === 0) {
      throw new VigilError(
        'VIGIL_ERR_LABEL_MISSING',
        `metric "${this.name}" takes ${names.length} label values [${names.join(', ')}], got ${values.length}.`,
      );
    }
    const labels: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) labels[names[i] as string] = values[i];
    return this.bySet(labels);
  }

  /** `labels(obj)` or `labels(v1, v2, ...)`, as prom-client users write it. */
  protected child(args: readonly unknown[]): S {
    if (args.length === 1 && typeof args[0] === 'object' && args[0] !== null) {
      return this.bySet(args[0] as Record<string, unknown>);
    }
    if (args.length === 0) return this.unlabelled();
    return this.byValues(args);
  }

  private create(labels: Readonly<Record<string, unknown>>): S {
    const names = this.labelNames;
    const values: string[] = [];
    for (const name of names) values.push(keyOf(labels[name]) as string);
    if (this.series.length - (this.overflow === undefined ? 0 : 1) >= this.maxSeries) {
      return this.fold();
    }
    const s = this.newSeries(renderLabelPairs(names, values, this.constText));
    this.insert(values, s);
    return s;
  }

  private insert(values: readonly string[], s: S): void {
    let node = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      const key = values[i] as string;
      let next = node.get(key);
      if (next === undefined) {
        next = new Map();
        node.set(key, next);
      }
      node = next;
    }
    node.set(values[last] as string, s);
    s.touched = this.epoch;
    this.series.push(s);
  }

  private fold(): S {
    this.overflowCount++;
    if (this.overflow === undefined) {
      const names = this.labelNames;
      const values = names.map(() => OVERFLOW_LABEL_VALUE);
      this.overflow = this.newSeries(renderLabelPairs(names, values, this.constText));
      this.series.push(this.overflow);
      process.emitWarning(
        `metric "${this.name}" reached its limit of ${this.maxSeries} series; new label sets are counted in the series with every label set to "${OVERFLOW_LABEL_VALUE}". Bound the label values, or raise maxSeries.`,
        { code: 'VIGIL_WARN_SERIES_OVERFLOW' },
      );
    }
    return this.overflow;
  }

  /** The series for these labels if it exists, without creating it. */
  private find(values: readonly string[]): S | undefined {
    let node: Node | undefined = this.root;
    for (const v of values) {
      node = node?.get(v);
      if (node === undefined) return undefined;
    }
    return node as unknown as S;
  }

  /**
   * A handle whose series was removed (by `remove`, `reset` or the TTL) was updated again:
   * put it back, or hand over the series that took its place, so no update is lost.
   */
  revive(s: S): S {
    const all = parseLabelPairs(s.labelText);
    const values = this.labelNames.map((name) => all[name] as string);
    if (values.length === 0) return this.unlabelled();
    if (values.every((v) => v === OVERFLOW_LABEL_VALUE)) return this.fold();
    const current = this.find(values);
    if (current !== undefined) return current;
    if (this.series.length - (this.overflow === undefined ? 0 : 1) >= this.maxSeries) {
      return this.fold();
    }
    this.insert(values, s);
    return s;
  }

  /** Removes the series of one label set; a handle to it starts afresh if used again. */
  remove(...args: T extends readonly [] ? never : [LabelSet<T[number]>] | LabelTuple<T>): void {
    const values = this.valuesOf(args);
    // find([]) would hand back the tree's root; the one series of an unlabelled metric is zeroed instead.
    if (values.length === 0) {
      this.reset();
      return;
    }
    const s = this.find(values);
    if (s === undefined) return;
    this.unlink(values);
    this.series.splice(this.series.indexOf(s), 1);
    detach(s);
  }

  /** The series of a label set if it exists. Unlike `labels()`, a read creates nothing. */
  protected lookup(args: readonly unknown[]): S | undefined {
    const values = this.valuesOf(args);
    return values.length === 0 ? this.unlabelled() : this.find(values);
  }

  /** Label values of a label object or positional values, checked as an update checks them. */
  private valuesOf(args: readonly unknown[]): string[] {
    const labels = (args.length === 1 && typeof args[0] === 'object' ? args[0] : undefined) as
      | Record<string, unknown>
      | undefined;
    const values = this.labelNames.map((name, i) => keyOf(labels ? labels[name] : args[i]));
    if (values.some((v) => v === undefined) || (labels && Object.keys(labels).length !== values.length)) {
      this.labelError(labels ?? {});
    }
    return values as string[];
  }

  private unlink(values: readonly string[]): void {
    const path: Node[] = [this.root];
    for (let i = 0; i < values.length - 1; i++) path.push(path[i]?.get(values[i] as string));
    for (let i = values.length - 1; i >= 0; i--) {
      const node = path[i] as Node;
      node.delete(values[i] as string);
      if (node.size > 0) break;
    }
  }

  /** Zeroes an unlabelled metric; removes every series of a labelled one. */
  reset(): void {
    if (this.single !== undefined) {
      this.single.clear();
      this.single.created = Date.now() / 1000;
      return;
    }
    for (const s of this.series) detach(s);
    this.series.length = 0;
    this.root.clear();
    this.overflow = undefined;
    this.overflowCount = 0;
  }

  /** Scrape-time housekeeping: drops series idle for longer than the TTL. */
  sweep(now: number): void {
    if (this.ttlMs === 0 || this.single !== undefined) return;
    this.sweeps.push({ epoch: this.epoch, at: now });
    this.epoch++;
    // Series touched in an epoch that closed more than ttl ago are idle.
    while (this.sweeps.length > 0 && (this.sweeps[0] as { at: number }).at < now - this.ttlMs) {
      this.sweeps.shift();
    }
    const oldestLive = this.sweeps.length > 0 ? (this.sweeps[0] as { epoch: number }).epoch : this.epoch;
    const kept: S[] = [];
    for (const s of this.series) {
      if (s.touched >= oldestLive || s === this.overflow) {
        kept.push(s);
      } else {
        this.unlink(this.labelNames.map((name) => parseLabelPairs(s.labelText)[name] as string));
        s.touched = -1;
      }
    }
    if (kept.length !== this.series.length) {
      this.series.length = 0;
      this.series.push(...kept);
    }
  }

  private labelError(labels: Readonly<Record<string, unknown>>): never {
    const names = this.labelNames as readonly string[];
    const given = Object.keys(labels);
    const unknown = given.filter((k) => !names.includes(k));
    if (unknown.length > 0) {
      throw new VigilError(
        'VIGIL_ERR_LABEL_UNKNOWN',
        `metric "${this.name}" has no label ${unknown.map((k) => `"${k}"`).join(', ')}; its labels are [${names.join(', ')}]. Declare the label in labelNames or drop it.`,
      );
    }
    const missing = names.filter((k) => labels[k] === undefined);
    if (missing.length > 0) {
      throw new VigilError(
        'VIGIL_ERR_LABEL_MISSING',
        `metric "${this.name}" needs a value for label ${missing.map((k) => `"${k}"`).join(', ')}; every declared label must be set (no partial series).`,
      );
    }
    const bad = names.find((k) => keyOf(labels[k]) === undefined) as string;
    throw new VigilError(
      'VIGIL_ERR_LABEL_VALUE',
      `label "${bad}" of metric "${this.name}" is ${describeValue(labels[bad])}; label values must be strings, numbers or booleans.`,
    );
  }

  private checkConstLabels(
    constLabels: Readonly<Record<string, LabelValue>>,
    reserved: readonly string[],
  ): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(constLabels)) {
      checkLabelName(name, this.name);
      if (reserved.includes(name)) {
        throw new VigilError(
          'VIGIL_ERR_RESERVED_LABEL',
          `const label "${name}" is reserved on metric "${this.name}" (its type writes "${name}" itself); choose another name.`,
        );
      }
      if ((this.labelNames as readonly string[]).includes(name)) {
        throw new VigilError(
          'VIGIL_ERR_DUPLICATE_LABEL',
          `const label "${name}" of metric "${this.name}" is also a declared label; use one or the other.`,
        );
      }
      const v = keyOf(value);
      if (v === undefined) {
        throw new VigilError(
          'VIGIL_ERR_LABEL_VALUE',
          `const label "${name}" of metric "${this.name}" is ${describeValue(value)}; use a string, number or boolean.`,
        );
      }
      out[name] = v;
    }
    return Object.freeze(out);
  }
}

function detach(s: Series): void {
  s.touched = -1;
  s.clear();
  // It counts from zero now: OpenMetrics `_created` says since when, as `reset()` does unlabelled.
  s.created = Date.now() / 1000;
}

export { keyOf };

function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  return `a ${typeof v}`;
}

function positiveInteger(v: unknown, option: string, metric: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_OPTION',
      `${option} of metric "${metric}" must be a positive integer, got ${String(v)}.`,
    );
  }
  return v;
}

/** Throws unless `v` is a number; the message names the metric and the operation. */
export function invalidValue(metric: string, op: string, v: unknown, rule: string): never {
  throw new VigilError(
    'VIGIL_ERR_INVALID_VALUE',
    `${op} on metric "${metric}" got ${typeof v === 'number' ? String(v) : describeValue(v)}; ${rule}. The recorded value is unchanged.`,
  );
}
