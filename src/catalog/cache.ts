import { type Counter, type LabelValue, VigilError } from '../metrics/index.js';
import { type CatalogOptions, resolve, timeOutcome } from './shared.js';

/** Cache metric names: the one place dashboards and alert rules read them from. */
export const CACHE_METRICS = {
  operations: 'cache_operations_total',
  duration: 'cache_operation_duration_seconds',
  hitRatio: 'cache_hit_ratio',
  memory: 'cache_memory_bytes',
  entries: 'cache_entries',
  evictions: 'cache_evictions_total',
} as const;

/** Default buckets of cache_operation_duration_seconds: 100 µs to 100 ms. */
export const CACHE_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

/** `result` label values: lookups end in hit or miss, other operations in success or error. */
export type CacheResult = 'hit' | 'miss' | 'success' | 'error';

export interface CacheLabels {
  /** The cache's name: `sessions`, `redis`. */
  cache: LabelValue;
  /** `get`, `set`, `delete`, `mget`... */
  operation: LabelValue;
}

/** Lookup operations seen per cache, by the registered counter, for the hit ratio. */
const lookups = new WeakMap<object, Map<string, { cache: LabelValue; operations: Set<string> }>>();

/**
 * Cache operations by cache, operation and result, their duration, hit ratio, memory,
 * entries and evictions. Get-or-create.
 *
 * `cache_hit_ratio{cache}` is hits / (hits + misses) since start, over the lookups recorded
 * through `lookup`, `hit` and `miss`; for a ratio over a window use `cacheHitRatioQuery()`.
 *
 * @example
 * const cache = cacheMetrics({ registry });
 * const user = await cache.lookup({ cache: 'users', operation: 'get' }, () => redis.get(key));
 */
export function cacheMetrics(options: CatalogOptions = {}) {
  const { registry, name, limit } = resolve(options);
  const operations: Counter<readonly ['cache', 'operation', 'result']> = registry.counter({
    name: name(CACHE_METRICS.operations),
    help: 'Cache operations, by cache, operation and result (hit, miss, success or error).',
    labelNames: ['cache', 'operation', 'result'],
    ...limit,
  });
  if (!lookups.has(operations)) lookups.set(operations, new Map());
  const seen = lookups.get(operations) as Map<string, { cache: LabelValue; operations: Set<string> }>;
  const duration = registry.histogram({
    name: name(CACHE_METRICS.duration),
    help: 'Cache operation duration in seconds, by cache and operation.',
    labelNames: ['cache', 'operation'],
    ...limit,
    buckets: options.buckets ?? CACHE_BUCKETS,
  });
  const hitRatio = registry.gauge({
    name: name(CACHE_METRICS.hitRatio),
    help: 'Share of cache lookups that were hits since start (0 to 1), by cache.',
    labelNames: ['cache'],
    ...limit,
    collect() {
      for (const { cache, operations: ops } of seen.values()) {
        let hits = 0;
        let misses = 0;
        for (const operation of ops) {
          hits += operations.get({ cache, operation, result: 'hit' });
          misses += operations.get({ cache, operation, result: 'miss' });
        }
        if (hits + misses > 0) this.set({ cache }, hits / (hits + misses));
      }
    },
  });
  const memory = registry.gauge({
    name: name(CACHE_METRICS.memory),
    help: 'Memory the cache uses in bytes, by cache.',
    labelNames: ['cache'],
    ...limit,
  });
  const entries = registry.gauge({
    name: name(CACHE_METRICS.entries),
    help: 'Entries in the cache, by cache.',
    labelNames: ['cache'],
    ...limit,
  });
  const evictions = registry.counter({
    name: name(CACHE_METRICS.evictions),
    help: 'Entries evicted from the cache (capacity or expiry), by cache.',
    labelNames: ['cache'],
    ...limit,
  });

  const count = (labels: CacheLabels, result: CacheResult): void => {
    operations.inc({ cache: labels.cache, operation: labels.operation, result });
    if (result === 'hit' || result === 'miss') {
      const key = `${labels.cache}`;
      let entry = seen.get(key);
      if (entry === undefined) {
        entry = { cache: labels.cache, operations: new Set() };
        seen.set(key, entry);
      }
      entry.operations.add(`${labels.operation}`);
    }
  };

  const timed = <R>(labels: CacheLabels, fn: () => R, result: (value: unknown) => CacheResult): R => {
    // Resolved first, so a bad label throws before the operation runs, not after it.
    const observed = duration.labels({ cache: labels.cache, operation: labels.operation });
    return timeOutcome(fn, (outcome, seconds, detail) => {
      observed.observe(seconds);
      count(labels, outcome === 'error' ? 'error' : result(detail));
    });
  };

  return {
    operations,
    duration,
    hitRatio,
    memory,
    entries,
    evictions,
    /** Counts one operation with its result. */
    record(labels: CacheLabels, result: CacheResult, seconds?: number): void {
      count(labels, result);
      if (seconds !== undefined) duration.observe({ cache: labels.cache, operation: labels.operation }, seconds);
    },
    hit(labels: CacheLabels): void {
      count(labels, 'hit');
    },
    miss(labels: CacheLabels): void {
      count(labels, 'miss');
    },
    /**
     * Times a sync or async lookup: a hit when it returns anything but undefined or null,
     * a miss when it returns those, an error when it throws or rejects.
     */
    lookup<R>(labels: CacheLabels, fn: () => R): R {
      return timed(labels, fn, (value) => (value === undefined || value === null ? 'miss' : 'hit'));
    },
    /** Times a sync or async operation (set, delete...): success when it returns, error when it throws. */
    time<R>(labels: CacheLabels, fn: () => R): R {
      return timed(labels, fn, () => 'success');
    },
  };
}

export type CacheMetrics = ReturnType<typeof cacheMetrics>;

const WINDOW = /^\d+(?:ms|s|m|h|d|w|y)$/;

/** PromQL for the hit ratio over a window, by cache: hits over hits plus misses. */
export function cacheHitRatioQuery(window = '5m', prefix = ''): string {
  if (!WINDOW.test(window)) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_OPTION',
      `window ${JSON.stringify(window)} is not a PromQL duration like "5m".`,
    );
  }
  const ops = `${prefix}${CACHE_METRICS.operations}`;
  return `sum by (cache) (rate(${ops}{result="hit"}[${window}])) / sum by (cache) (rate(${ops}{result=~"hit|miss"}[${window}]))`;
}
