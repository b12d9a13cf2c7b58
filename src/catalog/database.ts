import type { Gauge, LabelValue } from '../metrics/index.js';
import { type CatalogOptions, type Outcome, resolve, timeOutcome } from './shared.js';

/** Database metric names: the one place dashboards and alert rules read them from. */
export const DATABASE_METRICS = {
  queries: 'db_queries_total',
  duration: 'db_query_duration_seconds',
  poolConnections: 'db_pool_connections',
  poolAvailable: 'db_pool_available_connections',
  poolMax: 'db_pool_max_connections',
} as const;

/** Default buckets of db_query_duration_seconds: 1 ms to 5 s. */
export const DATABASE_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface QueryLabels {
  /** `select`, `insert`, `update`, `delete`, `upsert`... never the SQL text. */
  operation: LabelValue;
  table: LabelValue;
}

/** A pool's state, as `trackPool` reads it at scrape time. */
export interface PoolState {
  /** Connections the pool holds now, in use or idle. */
  size: number;
  /** Idle connections ready to use. */
  available: number;
  /** The pool's configured limit, if known. */
  max?: number;
}

/** Pool readers by the registered size gauge, so every get-or-create call shares them. */
const poolReaders = new WeakMap<object, Map<string, () => PoolState>>();

/**
 * Database queries by operation and table (with outcome) and their duration, plus pool
 * size and available connections by pool. Get-or-create.
 *
 * @example
 * const db = databaseMetrics({ registry });
 * const rows = await db.time({ operation: 'select', table: 'users' }, () => pool.query(sql, args));
 * db.trackPool('primary', () => ({ size: pool.totalCount, available: pool.idleCount, max: 20 }));
 */
export function databaseMetrics(options: CatalogOptions = {}) {
  const { registry, name, limit } = resolve(options);
  const queries = registry.counter({
    name: name(DATABASE_METRICS.queries),
    help: 'Database queries, by operation, table and outcome (success or error).',
    labelNames: ['operation', 'table', 'outcome'],
    ...limit,
  });
  const duration = registry.histogram({
    name: name(DATABASE_METRICS.duration),
    help: 'Database query duration in seconds, by operation, table and outcome.',
    labelNames: ['operation', 'table', 'outcome'],
    ...limit,
    buckets: options.buckets ?? DATABASE_BUCKETS,
  });
  const poolAvailable = registry.gauge({
    name: name(DATABASE_METRICS.poolAvailable),
    help: 'Idle connections ready to use, by pool.',
    labelNames: ['pool'],
    ...limit,
  });
  const poolMax = registry.gauge({
    name: name(DATABASE_METRICS.poolMax),
    help: 'Configured maximum connections, by pool.',
    labelNames: ['pool'],
    ...limit,
  });
  const poolConnections: Gauge<readonly ['pool']> = registry.gauge({
    name: name(DATABASE_METRICS.poolConnections),
    help: 'Connections the pool holds (in use or idle), by pool.',
    labelNames: ['pool'],
    ...limit,
    // Reads every tracked pool before the scrape reads the three gauges.
    collect() {
      for (const [pool, read] of poolReaders.get(this) ?? []) setPool(pool, read());
    },
  });
  if (!poolReaders.has(poolConnections)) poolReaders.set(poolConnections, new Map());
  const readers = poolReaders.get(poolConnections) as Map<string, () => PoolState>;

  function setPool(pool: string, state: PoolState): void {
    poolConnections.set({ pool }, state.size);
    poolAvailable.set({ pool }, state.available);
    if (state.max !== undefined) poolMax.set({ pool }, state.max);
  }

  const record = (labels: QueryLabels, outcome: Outcome, seconds: number): void => {
    const series = { operation: labels.operation, table: labels.table, outcome };
    queries.inc(series);
    duration.observe(series, seconds);
  };

  return {
    queries,
    duration,
    poolConnections,
    poolAvailable,
    poolMax,
    record,
    /** Sets a pool's gauges now. */
    setPool,
    /** Reads a pool's state at every scrape; returns a function that stops tracking it. */
    trackPool(pool: string, read: () => PoolState): () => void {
      readers.set(pool, read);
      return () => {
        if (readers.get(pool) === read) readers.delete(pool);
      };
    },
    /** Times a sync or async query: success when it returns, error when it throws or rejects. */
    time<R>(labels: QueryLabels, fn: () => R): R {
      queries.labels({ operation: labels.operation, table: labels.table, outcome: 'success' });
      return timeOutcome(fn, (outcome, seconds) => record(labels, outcome, seconds));
    },
  };
}

export type DatabaseMetrics = ReturnType<typeof databaseMetrics>;
