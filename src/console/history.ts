import type { FamilySnapshot, Registry } from '../metrics/index.js';
import type { Labels } from './api-types.js';

/** One sample series (`name_bucket{le="0.1"}` is its own series) and its recent points. */
export interface HistorySeries {
  readonly name: string;
  /** Without `__name__`. */
  readonly labels: Labels;
  /** Points oldest first, `[unix seconds, value]`. */
  points(): Array<[number, number]>;
  /** The newest point at or before `t` within `lookback` seconds. */
  at(t: number, lookback: number): number | undefined;
}

class Ring implements HistorySeries {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly labels: Labels,
    capacity: number,
  ) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  push(t: number, v: number): void {
    this.times[this.next] = t;
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.times.length;
    if (this.count < this.times.length) this.count++;
  }

  points(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const start = (this.next - this.count + this.times.length) % this.times.length;
    for (let i = 0; i < this.count; i++) {
      const j = (start + i) % this.times.length;
      out.push([this.times[j] as number, this.values[j] as number]);
    }
    return out;
  }

  get newest(): number {
    return this.count === 0
      ? Number.NEGATIVE_INFINITY
      : (this.times[(this.next - 1 + this.times.length) % this.times.length] as number);
  }

  at(t: number, lookback: number): number | undefined {
    for (let i = 1; i <= this.count; i++) {
      const j = (this.next - i + this.times.length) % this.times.length;
      const time = this.times[j] as number;
      if (time <= t) return time >= t - lookback ? (this.values[j] as number) : undefined;
    }
    return undefined;
  }
}

export interface HistoryOptions {
  /** How far back charts reach. Default 900 s. */
  historySeconds?: number;
  /** Default 5000 ms. */
  sampleIntervalMs?: number;
  /** Series beyond this are not recorded (counted in `skippedSeries`). Default 5000. */
  maxSeries?: number;
}

const formatLe = (le: number | null) => (le === null || le === Number.POSITIVE_INFINITY ? '+Inf' : String(le));

/** The sample series a family writes, as Prometheus would store them after a scrape. */
export function* samplesOf(family: FamilySnapshot): Generator<[string, Labels, number]> {
  for (const s of family.series) {
    if ('value' in s) yield [family.name, s.labels, s.value];
    else if ('buckets' in s) {
      for (const b of s.buckets) yield [`${family.name}_bucket`, { ...s.labels, le: formatLe(b.le) }, b.count];
      yield [`${family.name}_sum`, s.labels, s.sum];
      yield [`${family.name}_count`, s.labels, s.count];
    } else {
      for (const q of s.quantiles) yield [family.name, { ...s.labels, quantile: String(q.quantile) }, q.value];
      yield [`${family.name}_sum`, s.labels, s.sum];
      yield [`${family.name}_count`, s.labels, s.count];
    }
  }
}

const keyOf = (name: string, labels: Labels) =>
  `${name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;

/**
 * The embedded default: the registry sampled every `sampleIntervalMs` into a ring buffer
 * per series, so charts have minutes of past without a Prometheus. Bounded in series and
 * points; a series that stops reporting ages out of every window.
 */
export class History {
  readonly intervalSeconds: number;
  readonly historySeconds: number;
  readonly maxSeries: number;
  private readonly capacity: number;
  private readonly series = new Map<string, Ring>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  skippedSeries = 0;
  lastError: string | null = null;
  lastSampleSeconds: number | null = null;

  constructor(
    private readonly registry: Registry,
    options: HistoryOptions = {},
  ) {
    this.intervalSeconds = (options.sampleIntervalMs ?? 5000) / 1000;
    this.historySeconds = options.historySeconds ?? 900;
    this.maxSeries = options.maxSeries ?? 5000;
    this.capacity = Math.max(2, Math.ceil(this.historySeconds / this.intervalSeconds) + 1);
  }

  start(): void {
    if (this.timer !== undefined) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample now (also what the timer does). */
  sample(): Promise<void> {
    this.sampling ??= this.takeSample().finally(() => {
      this.sampling = undefined;
    });
    return this.sampling;
  }

  private async takeSample(): Promise<void> {
    let families: FamilySnapshot[];
    try {
      families = await this.registry.snapshot();
      this.lastError = null;
    } catch (error) {
      this.lastError = (error as Error).message;
      return;
    }
    const now = Date.now() / 1000;
    for (const family of families) {
      for (const [name, labels, value] of samplesOf(family)) {
        const key = keyOf(name, labels);
        let ring = this.series.get(key);
        if (ring === undefined) {
          if (this.series.size >= this.maxSeries) {
            this.skippedSeries++;
            continue;
          }
          ring = new Ring(name, labels, this.capacity);
          this.series.set(key, ring);
        }
        ring.push(now, value);
      }
    }
    // Series that stopped reporting and have no point left in the window are forgotten.
    for (const [key, ring] of this.series) {
      if (ring.newest < now - this.historySeconds) this.series.delete(key);
    }
    this.lastSampleSeconds = now;
  }

  all(): Iterable<HistorySeries> {
    return this.series.values();
  }

  /** Series of one sample name. */
  byName(name: string): HistorySeries[] {
    const out: HistorySeries[] = [];
    for (const ring of this.series.values()) if (ring.name === name) out.push(ring);
    return out;
  }
}
