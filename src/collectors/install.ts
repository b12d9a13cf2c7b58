import {
  type Collector,
  type Counter,
  type CounterSeries,
  defaultRegistry,
  type Registry,
  VigilError,
} from '../metrics/index.js';

/** Counts failed collector sources, by `collector` (a source such as `process_status`). */
export const COLLECTOR_ERRORS_METRIC = 'vigil_collector_errors_total';

/** Options every collector installer takes. */
export interface CollectorOptions {
  /** Registry to collect into. Default: the default registry. */
  registry?: Registry;
  /** Prepended to every metric name (`myapp_` → `myapp_process_cpu_seconds_total`); not to the errors counter. */
  prefix?: string;
  /**
   * Where procfs is mounted. Default `/proc` on Linux; `false` elsewhere, which reads no
   * /proc file and uses node:os and process APIs only.
   */
  procRoot?: string | false;
  /** Called with the source and error whenever a source fails (after it is counted). */
  onError?: (source: string, error: unknown) => void;
}

/** What an installer returns. */
export interface CollectorHandle {
  /** Removes timers and observers and unregisters what was registered. Safe to call twice. */
  stop(): void;
}

/** What a collector part gets at install time. */
export interface CollectorContext {
  readonly registry: Registry;
  readonly prefix: string;
  /** procfs root, or undefined when /proc is not read. */
  readonly procRoot: string | undefined;
  /** Runs `read`; if it throws, counts an error for `source` and returns undefined. */
  guard<T>(source: string, read: () => T): T | undefined;
  /** Counts an error for `source` (for failures found asynchronously). */
  fail(source: string, error: unknown): void;
}

/** One installed collector: its error sources (shown at 0 from the start), and its cleanup. */
export interface CollectorPart {
  readonly sources: readonly string[];
  readonly collector: Collector;
  readonly stop?: () => void;
}

interface Installation {
  refs: number;
  readonly errors: Counter<readonly ['collector']>;
  stop(): void;
}

const installed = new WeakMap<Registry, Map<string, Installation>>();
const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Installs a collector part once per registry and prefix: a second call while the first is
 * active shares it (its options are ignored) and the part stops when every handle stopped.
 */
export function install(
  kind: string,
  options: CollectorOptions,
  build: (context: CollectorContext) => CollectorPart,
): CollectorHandle {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || (prefix !== '' && !PREFIX.test(prefix))) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_NAME',
      `collector prefix ${JSON.stringify(prefix)} is invalid: use letters, digits, '_' and ':', not starting with a digit (for example "myapp_").`,
    );
  }
  let byKey = installed.get(registry);
  if (byKey === undefined) {
    byKey = new Map();
    installed.set(registry, byKey);
  }
  const key = `${kind}:${prefix}`;
  let current = byKey.get(key);
  // registry.clear() dropped it: start afresh rather than share a collector nobody gathers.
  if (current !== undefined && registry.getSingleMetric(COLLECTOR_ERRORS_METRIC) !== current.errors) {
    current.stop();
    byKey.delete(key);
    current = undefined;
  }
  if (current === undefined) {
    current = start(kind, registry, prefix, options, build, () => (byKey as Map<string, Installation>).size > 1);
    byKey.set(key, current);
  }
  const installation = current;
  installation.refs++;
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      installation.refs--;
      if (installation.refs > 0 || byKey.get(key) !== installation) return;
      installation.stop();
      byKey.delete(key);
    },
  };
}

function start(
  kind: string,
  registry: Registry,
  prefix: string,
  options: CollectorOptions,
  build: (context: CollectorContext) => CollectorPart,
  othersActive: () => boolean,
): Installation {
  const errors = registry.counter({
    name: COLLECTOR_ERRORS_METRIC,
    help: 'Collector sources that failed at a scrape (file missing, parse error); the collector served what it could.',
    labelNames: ['collector'],
  });
  const series = new Map<string, CounterSeries>();
  const onError = options.onError;
  const fail = (source: string, error: unknown) => {
    let s = series.get(source);
    if (s === undefined) {
      s = errors.labels({ collector: source });
      series.set(source, s);
    }
    s.inc();
    onError?.(source, error);
  };
  const procRoot =
    options.procRoot === undefined
      ? process.platform === 'linux'
        ? '/proc'
        : undefined
      : options.procRoot || undefined;
  const part = build({
    registry,
    prefix,
    procRoot,
    fail,
    guard(source, read) {
      try {
        return read();
      } catch (error) {
        fail(source, error);
        return undefined;
      }
    },
  });
  const name = `vigil:${kind}${prefix === '' ? '' : `:${prefix}`}`;
  try {
    registry.registerCollector(name, part.collector);
  } catch (error) {
    part.stop?.();
    throw error;
  }
  for (const source of part.sources) {
    if (!series.has(source)) series.set(source, errors.labels({ collector: source }));
  }
  return {
    refs: 0,
    errors,
    stop() {
      registry.removeCollector(name);
      part.stop?.();
      for (const source of series.keys()) errors.remove({ collector: source });
      if (!othersActive() && registry.getSingleMetric(COLLECTOR_ERRORS_METRIC) === errors) {
        registry.removeSingleMetric(COLLECTOR_ERRORS_METRIC);
      }
    },
  };
}
