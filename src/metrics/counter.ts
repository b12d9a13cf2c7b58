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

export interface CounterConfig<T extends readonly string[]> extends MetricConfig<T> {
  /** Runs at scrape time, before the value is read (sync or async). */
  collect?: (this: Counter<T>) => void | Promise<void>;
}

/** One series of a counter. Returned by `counter.labels(...)`: keep it, it does no lookup. */
export class CounterSeries extends Series {
  value = 0;
  exemplar: Exemplar | undefined = undefined;

  /** Adds `value` (default 1); throws on a negative, NaN or infinite increment. */
  inc(value = 1, exemplar?: ExemplarLabels): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
      invalidValue(this.metric.name, 'inc', value, 'a counter only goes up by a finite number >= 0');
    }
    if (this.touched === -1) {
      (this.metric.revive(this) as CounterSeries).inc(value, exemplar);
      return;
    }
    // Built before the update, so an invalid exemplar leaves the value unchanged.
    if (exemplar !== undefined) this.exemplar = makeExemplar(exemplar, value, this.metric.name);
    this.value += value;
    this.touched = this.metric.epoch;
  }

  get(): number {
    return this.value;
  }

  clear(): void {
    this.value = 0;
    this.exemplar = undefined;
  }
}

/**
 * A value that only goes up: requests served, bytes sent, errors seen.
 *
 * @example
 * const requests = new Counter({ name: 'jobs_processed_total', help: 'Jobs processed.', labelNames: ['queue'] });
 * requests.inc({ queue: 'mail' });
 * const mail = requests.labels({ queue: 'mail' }); // keep the handle: mail.inc() does no lookup
 */
export class Counter<const T extends readonly string[] = []> extends Metric<CounterSeries, T> {
  readonly type = 'counter';

  constructor(config: CounterConfig<T>) {
    super(config);
    this.init();
    // biome-ignore lint/correctness/noConstructorReturn: get-or-create hands back the registered twin
    return register(this, config.registers);
  }

  override familyName(): string {
    return this.name.endsWith('_total') ? this.name.slice(0, -6) : this.name;
  }

  sampleNames(): string[] {
    const family = this.familyName();
    return [family, `${family}_total`, `${family}_created`];
  }

  protected newSeries(labelText: string): CounterSeries {
    return new CounterSeries(this as AnyMetric, labelText);
  }

  /** `inc(value?)` without labels, `inc(labels, value?)` with them; an exemplar may follow. */
  inc(this: Counter<readonly []>, value?: number, exemplar?: ExemplarLabels): void;
  inc(labels: LabelSet<T[number]>, value?: number, exemplar?: ExemplarLabels): void;
  inc(a?: unknown, b?: unknown, c?: unknown): void {
    if (typeof a === 'object' && a !== null) {
      this.bySet(a as Record<string, unknown>).inc(b as number | undefined, c as ExemplarLabels);
    } else {
      this.unlabelled().inc(a as number | undefined, b as ExemplarLabels | undefined);
    }
  }

  /** The series for these labels, created if new. */
  labels(...args: T extends readonly [] ? [] : [LabelSet<T[number]>] | LabelTuple<T>): CounterSeries {
    return this.child(args);
  }

  /** The current value of a series (0 when it does not exist yet; reading does not create it). */
  get(...args: T extends readonly [] ? [] : [LabelSet<T[number]>]): number {
    return this.lookup(args)?.value ?? 0;
  }
}
