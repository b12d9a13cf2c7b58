import { VigilError } from './errors.js';
import {
  type AnyMetric,
  invalidValue,
  type LabelSet,
  type LabelTuple,
  Metric,
  type MetricConfig,
  Series,
} from './metric.js';
import { register } from './registry.js';
import { QuantileSketch } from './sketch.js';
import { startTimer, timeCall } from './timer.js';

export const DEFAULT_QUANTILES: readonly number[] = Object.freeze([0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999]);

export interface SummaryConfig<T extends readonly string[]> extends MetricConfig<T> {
  /** Quantiles to report, each in [0, 1]. Default: 0.01 ... 0.999. */
  percentiles?: readonly number[];
  /** Quantiles cover the last maxAgeSeconds; default: every observation since start. */
  maxAgeSeconds?: number;
  /** How many slices the window rotates through (default 5): the window slides by maxAge/ageBuckets. */
  ageBuckets?: number;
  /** Runs at scrape time, before the values are read (sync or async). */
  collect?: (this: Summary<T>) => void | Promise<void>;
}

/**
 * One series of a summary. Observations go into the slice of the current time; the
 * quantiles merge the slices still inside the window, so old observations age out.
 */
export class SummarySeries extends Series {
  sum = 0;
  count = 0;
  private readonly slices: QuantileSketch[];
  /** The time slot each slice holds, to know when it is stale. */
  private readonly slots: number[];

  constructor(metric: AnyMetric, labelText: string, slices: number) {
    super(metric, labelText);
    this.slices = Array.from({ length: slices }, () => new QuantileSketch());
    this.slots = new Array<number>(slices).fill(-1);
  }

  observe(value: number): void {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      invalidValue(this.metric.name, 'observe', value, 'pass a number (NaN would poison _sum)');
    }
    if (this.touched === -1) {
      (this.metric.revive(this) as SummarySeries).observe(value);
      return;
    }
    this.current().add(value);
    this.sum += value;
    this.count++;
    this.touched = this.metric.epoch;
  }

  /** The quantiles of the window, in the order the summary declares them. */
  quantiles(): number[] {
    const merged = new QuantileSketch();
    const slot = this.slot();
    const n = this.slices.length;
    for (let i = 0; i < n; i++) {
      if ((this.slots[i] as number) > slot - n) merged.merge(this.slices[i] as QuantileSketch);
    }
    return (this.metric as unknown as Summary).percentiles.map((q) => merged.quantile(q));
  }

  startTimer(): () => number {
    return startTimer((seconds) => this.observe(seconds));
  }

  time<R>(fn: () => R): R {
    return timeCall(fn, (seconds) => this.observe(seconds));
  }

  clear(): void {
    for (const s of this.slices) s.clear();
    this.slots.fill(-1);
    this.sum = 0;
    this.count = 0;
  }

  private slot(): number {
    const width = (this.metric as unknown as Summary).sliceMs;
    return width === 0 ? 0 : Math.floor(Date.now() / width);
  }

  private current(): QuantileSketch {
    const slot = this.slot();
    const i = slot % this.slices.length;
    const sketch = this.slices[i] as QuantileSketch;
    if (this.slots[i] !== slot) {
      sketch.clear();
      this.slots[i] = slot;
    }
    return sketch;
  }
}

type LabelArgs<T extends readonly string[]> = T extends readonly [] ? [] : [labels: LabelSet<T[number]>];

/**
 * Streams quantiles of observations over a sliding window. Each quantile is within 1%
 * (relative) of the exact value of the window's observations.
 *
 * @example
 * const latency = new Summary({
 *   name: 'rpc_duration_seconds', help: 'RPC latency.', percentiles: [0.5, 0.99],
 *   maxAgeSeconds: 600, ageBuckets: 5,
 * });
 * latency.observe(0.12);
 */
export class Summary<const T extends readonly string[] = []> extends Metric<SummarySeries, T> {
  readonly type = 'summary';
  readonly percentiles: readonly number[];
  /** Width of one slice of the window in ms; 0 when the window is unbounded. */
  readonly sliceMs: number;
  private readonly sliceCount: number;

  constructor(config: SummaryConfig<T>) {
    super(config, ['quantile']);
    this.percentiles = Object.freeze(checkPercentiles(config.percentiles ?? DEFAULT_QUANTILES, this.name));
    const maxAge = config.maxAgeSeconds ?? 0;
    const ageBuckets = config.ageBuckets ?? 5;
    if (typeof maxAge !== 'number' || !(maxAge >= 0) || !Number.isFinite(maxAge)) {
      throw invalidWindow(
        `maxAgeSeconds of summary "${this.name}" must be a finite number >= 0, got ${String(maxAge)}`,
      );
    }
    if (!Number.isInteger(ageBuckets) || ageBuckets < 1) {
      throw invalidWindow(`ageBuckets of summary "${this.name}" must be a positive integer, got ${String(ageBuckets)}`);
    }
    this.sliceCount = maxAge === 0 ? 1 : ageBuckets;
    this.sliceMs = maxAge === 0 ? 0 : (maxAge * 1000) / ageBuckets;
    this.init();
    // biome-ignore lint/correctness/noConstructorReturn: get-or-create hands back the registered twin
    return register(this, config.registers);
  }

  sampleNames(): string[] {
    const n = this.name;
    return [n, `${n}_count`, `${n}_sum`, `${n}_created`];
  }

  protected override extraDefinition(): unknown {
    return [this.percentiles, this.sliceMs, this.sliceCount];
  }

  protected newSeries(labelText: string): SummarySeries {
    return new SummarySeries(this as AnyMetric, labelText, this.sliceCount);
  }

  observe(this: Summary<readonly []>, value: number): void;
  observe(labels: LabelSet<T[number]>, value: number): void;
  observe(a: unknown, b?: unknown): void {
    if (typeof a === 'object' && a !== null) this.bySet(a as Record<string, unknown>).observe(b as number);
    else this.unlabelled().observe(a as number);
  }

  startTimer(...args: LabelArgs<T>): () => number {
    return this.child(args).startTimer();
  }

  time<R>(this: Summary<readonly []>, fn: () => R): R;
  time<R>(labels: LabelSet<T[number]>, fn: () => R): R;
  time<R>(a: unknown, b?: () => R): R {
    if (typeof a === 'function') return this.unlabelled().time(a as () => R);
    return this.bySet(a as Record<string, unknown>).time(b as () => R);
  }

  labels(...args: T extends readonly [] ? [] : [LabelSet<T[number]>] | LabelTuple<T>): SummarySeries {
    return this.child(args);
  }
}

function checkPercentiles(qs: readonly number[], metric: string): number[] {
  if (!Array.isArray(qs)) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_QUANTILES',
      `percentiles of summary "${metric}" must be an array of numbers in [0, 1].`,
    );
  }
  const sorted = [...qs].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    const q = sorted[i] as number;
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
      throw new VigilError(
        'VIGIL_ERR_INVALID_QUANTILES',
        `percentile ${String(q)} of summary "${metric}" is outside [0, 1]; write 0.99 for p99.`,
      );
    }
    if (i > 0 && q === sorted[i - 1]) {
      throw new VigilError('VIGIL_ERR_INVALID_QUANTILES', `percentile ${q} of summary "${metric}" is listed twice.`);
    }
  }
  return sorted;
}

function invalidWindow(message: string): VigilError {
  return new VigilError('VIGIL_ERR_INVALID_OPTION', `${message}.`);
}
