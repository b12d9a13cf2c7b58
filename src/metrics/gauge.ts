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
import { startTimer } from './timer.js';

export interface GaugeConfig<T extends readonly string[]> extends MetricConfig<T> {
  /** Runs at scrape time, before the value is read (sync or async). */
  collect?: (this: Gauge<T>) => void | Promise<void>;
}

/** One series of a gauge. Returned by `gauge.labels(...)`: keep it, it does no lookup. */
export class GaugeSeries extends Series {
  value = 0;

  inc(value = 1): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      invalidValue(this.metric.name, 'inc', value, 'pass a finite number');
    }
    this.live().value += value;
  }

  dec(value = 1): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      invalidValue(this.metric.name, 'dec', value, 'pass a finite number');
    }
    this.live().value -= value;
  }

  /** Sets the value; NaN and ±Inf are valid gauge values. */
  set(value: number): void {
    if (typeof value !== 'number') invalidValue(this.metric.name, 'set', value, 'pass a number');
    this.live().value = value;
  }

  setToCurrentTime(): void {
    this.set(Date.now() / 1000);
  }

  /** Starts a timer; the returned function sets the gauge to the elapsed seconds. */
  startTimer(): () => number {
    return startTimer((seconds) => this.set(seconds));
  }

  get(): number {
    return this.value;
  }

  clear(): void {
    this.value = 0;
  }

  /** This series, or its live replacement if it was removed; marks it as updated. */
  private live(): GaugeSeries {
    const s = this.touched === -1 ? (this.metric.revive(this) as GaugeSeries) : this;
    s.touched = s.metric.epoch;
    return s;
  }
}

type LabelArgs<T extends readonly string[]> = T extends readonly [] ? [] : [labels: LabelSet<T[number]>];

/**
 * A value that goes up and down: queue depth, memory in use, temperature.
 *
 * @example
 * const depth = new Gauge({ name: 'queue_depth', help: 'Jobs waiting.', labelNames: ['queue'] });
 * depth.set({ queue: 'mail' }, 12);
 * depth.labels({ queue: 'mail' }).dec();
 */
export class Gauge<const T extends readonly string[] = []> extends Metric<GaugeSeries, T> {
  readonly type = 'gauge';

  constructor(config: GaugeConfig<T>) {
    super(config);
    this.init();
    // biome-ignore lint/correctness/noConstructorReturn: get-or-create hands back the registered twin
    return register(this, config.registers);
  }

  sampleNames(): string[] {
    return [this.name];
  }

  protected newSeries(labelText: string): GaugeSeries {
    return new GaugeSeries(this as AnyMetric, labelText);
  }

  /** The series an update addresses: labelled when the first argument is a label object. */
  private pick(a: unknown): GaugeSeries {
    return typeof a === 'object' && a !== null ? this.bySet(a as Record<string, unknown>) : this.unlabelled();
  }

  inc(this: Gauge<readonly []>, value?: number): void;
  inc(labels: LabelSet<T[number]>, value?: number): void;
  inc(a?: unknown, b?: unknown): void {
    if (typeof a === 'object' && a !== null) this.bySet(a as Record<string, unknown>).inc(b as number | undefined);
    else this.unlabelled().inc(a as number | undefined);
  }

  dec(this: Gauge<readonly []>, value?: number): void;
  dec(labels: LabelSet<T[number]>, value?: number): void;
  dec(a?: unknown, b?: unknown): void {
    if (typeof a === 'object' && a !== null) this.bySet(a as Record<string, unknown>).dec(b as number | undefined);
    else this.unlabelled().dec(a as number | undefined);
  }

  set(this: Gauge<readonly []>, value: number): void;
  set(labels: LabelSet<T[number]>, value: number): void;
  set(a: unknown, b?: unknown): void {
    if (typeof a === 'object' && a !== null) this.bySet(a as Record<string, unknown>).set(b as number);
    else this.unlabelled().set(a as number);
  }

  setToCurrentTime(...args: LabelArgs<T>): void {
    this.pick(args[0]).setToCurrentTime();
  }

  /** Starts a timer; calling the result sets the gauge to the elapsed seconds. */
  startTimer(...args: LabelArgs<T>): () => number {
    return this.pick(args[0]).startTimer();
  }

  labels(...args: T extends readonly [] ? [] : [LabelSet<T[number]>] | LabelTuple<T>): GaugeSeries {
    return this.child(args);
  }

  /** The current value of a series (0 when it does not exist yet; reading does not create it). */
  get(...args: LabelArgs<T>): number {
    return this.lookup(args)?.value ?? 0;
  }
}
