import { checkBuckets, DEFAULT_BUCKETS } from './buckets.js';
import type { Exemplar, ExemplarLabels } from './exemplar.js';
import { makeExemplar } from './exemplar.js';
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
import { startTimer, timeCall } from './timer.js';

export interface HistogramConfig<T extends readonly string[]> extends MetricConfig<T> {
  /** Upper bounds, increasing; default: Prometheus' latency buckets (5 ms to 10 s). */
  buckets?: readonly number[];
  /** Runs at scrape time, before the values are read (sync or async). */
  collect?: (this: Histogram<T>) => void | Promise<void>;
}

/** One series of a histogram. Returned by `histogram.labels(...)`: keep it, it does no lookup. */
export class HistogramSeries extends Series {
  /** Observations per bucket, not cumulative; the last slot is the +Inf bucket. */
  readonly counts: number[];
  sum = 0;
  count = 0;
  /** Latest exemplar per bucket, allocated on the first exemplar. */
  exemplars: (Exemplar | undefined)[] | undefined = undefined;

  constructor(metric: AnyMetric, labelText: string, buckets: number) {
    super(metric, labelText);
    this.counts = new Array<number>(buckets + 1).fill(0);
  }

  observe(value: number, exemplar?: ExemplarLabels): void {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      invalidValue(this.metric.name, 'observe', value, 'pass a number (NaN would poison _sum)');
    }
    if (this.touched === -1) {
      (this.metric.revive(this) as HistogramSeries).observe(value, exemplar);
      return;
    }
    const bounds = (this.metric as unknown as Histogram).bounds;
    const n = bounds.length;
    let i = 0;
    while (i < n && value > (bounds[i] as number)) i++;
    if (exemplar !== undefined) {
      // Built before the update, so an invalid exemplar leaves the counts unchanged.
      const e = makeExemplar(exemplar, value, this.metric.name);
      this.exemplars ??= new Array<Exemplar | undefined>(n + 1).fill(undefined);
      this.exemplars[i] = e;
    }
    (this.counts[i] as number)++;
    this.sum += value;
    this.count++;
    this.touched = this.metric.epoch;
  }

  /** Starts a timer; calling the result observes the elapsed seconds and returns them. */
  startTimer(): () => number {
    return startTimer((seconds) => this.observe(seconds));
  }

  /** Times a sync or async function, observing its duration even when it throws. */
  time<R>(fn: () => R): R {
    return timeCall(fn, (seconds) => this.observe(seconds));
  }

  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.exemplars = undefined;
  }
}

type LabelArgs<T extends readonly string[]> = T extends readonly [] ? [] : [labels: LabelSet<T[number]>];

/**
 * Counts observations into buckets: request durations, payload sizes.
 *
 * @example
 * const duration = new Histogram({
 *   name: 'job_duration_seconds', help: 'Job duration.', labelNames: ['queue'],
 * });
 * duration.observe({ queue: 'mail' }, 0.42);
 * await duration.labels({ queue: 'mail' }).time(() => sendMail());
 */
export class Histogram<const T extends readonly string[] = []> extends Metric<HistogramSeries, T> {
  readonly type = 'histogram';
  /** Finite upper bounds, increasing; +Inf is implied. */
  readonly upperBounds: readonly number[];
  /** The same bounds, unfrozen: V8 reads frozen arrays slowly, and observe() scans these. */
  readonly bounds: number[];

  constructor(config: HistogramConfig<T>) {
    super(config, ['le']);
    this.bounds = checkBuckets(config.buckets ?? DEFAULT_BUCKETS, this.name);
    this.upperBounds = Object.freeze([...this.bounds]);
    this.init();
    // biome-ignore lint/correctness/noConstructorReturn: get-or-create hands back the registered twin
    return register(this, config.registers);
  }

  sampleNames(): string[] {
    const n = this.name;
    return [n, `${n}_bucket`, `${n}_count`, `${n}_sum`, `${n}_created`];
  }

  protected override extraDefinition(): unknown {
    return this.upperBounds;
  }

  protected newSeries(labelText: string): HistogramSeries {
    return new HistogramSeries(this as AnyMetric, labelText, this.upperBounds.length);
  }

  observe(this: Histogram<readonly []>, value: number, exemplar?: ExemplarLabels): void;
  observe(labels: LabelSet<T[number]>, value: number, exemplar?: ExemplarLabels): void;
  observe(a: unknown, b?: unknown, c?: unknown): void {
    if (typeof a === 'object' && a !== null) {
      this.bySet(a as Record<string, unknown>).observe(b as number, c as ExemplarLabels | undefined);
    } else {
      this.unlabelled().observe(a as number, b as ExemplarLabels | undefined);
    }
  }

  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer(...args: LabelArgs<T>): () => number {
    return this.child(args).startTimer();
  }

  /**
   * Times a sync or async function and observes its duration, also when it throws.
   * `time(fn)` without labels, `time(labels, fn)` with them.
   */
  time<R>(this: Histogram<readonly []>, fn: () => R): R;
  time<R>(labels: LabelSet<T[number]>, fn: () => R): R;
  time<R>(a: unknown, b?: () => R): R {
    if (typeof a === 'function') return this.unlabelled().time(a as () => R);
    return this.bySet(a as Record<string, unknown>).time(b as () => R);
  }

  labels(...args: T extends readonly [] ? [] : [LabelSet<T[number]>] | LabelTuple<T>): HistogramSeries {
    return this.child(args);
  }
}
