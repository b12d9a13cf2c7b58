/**
 * vigil/collectors: process, Node runtime and host metrics, computed at scrape time.
 *
 * A source that fails (a /proc file missing or garbled, a statfs error) never breaks the
 * scrape: its collector serves what it can and `vigil_collector_errors_total{collector}`
 * counts the failure, by source: process_status, process_fds, process_limits, host_stat,
 * host_meminfo, host_mounts, host_filesystem, host_diskstats, host_netdev.
 */
import { collectHostMetrics, type HostSettings } from './host.js';
import type { CollectorHandle, CollectorOptions } from './install.js';
import { collectProcessMetrics } from './process.js';
import { collectRuntimeMetrics, type RuntimeSettings } from './runtime.js';

export {
  collectHostMetrics,
  DEFAULT_DISK_EXCLUDE,
  type DiskSettings,
  type FilesystemSettings,
  HOST_METRICS,
  HOST_SOURCES,
  type HostOptions,
  type HostSettings,
  type NetworkSettings,
  PSEUDO_FILESYSTEMS,
} from './host.js';
export { COLLECTOR_ERRORS_METRIC, type CollectorHandle, type CollectorOptions } from './install.js';
export { collectProcessMetrics, PROCESS_METRICS, PROCESS_SOURCES } from './process.js';
export {
  collectRuntimeMetrics,
  DEFAULT_GC_BUCKETS,
  RUNTIME_METRICS,
  type RuntimeOptions,
  type RuntimeSettings,
} from './runtime.js';

export interface DefaultMetricsOptions extends CollectorOptions {
  /** Process CPU, memory, file descriptors, threads, start time. Default true. */
  process?: boolean;
  /** Event loop, GC, heap, active resources, version; or which of them. Default true. */
  runtime?: boolean | Omit<RuntimeSettings, 'gcBuckets' | 'eventLoopResolutionMs'>;
  /** CPU, memory, file systems, disks, network, load; or which of them. Default true. */
  host?: boolean | HostSettings;
  /** Buckets of nodejs_gc_duration_seconds. Default DEFAULT_GC_BUCKETS. */
  gcBuckets?: readonly number[];
  /** Sampling resolution of the event-loop delay histogram. Default 10 ms. */
  eventLoopResolutionMs?: number;
}

/**
 * Installs the process, runtime and host collectors in one call. Calling it again for the
 * same registry and prefix while installed shares the installation; `stop()` removes the
 * timers and observers and unregisters everything once every handle is stopped.
 *
 * @example
 * import { Registry } from 'vigil/metrics';
 * import { collectDefaultMetrics } from 'vigil/collectors';
 *
 * const registry = new Registry();
 * const metrics = collectDefaultMetrics({ registry, host: { filesystem: false } });
 * // on shutdown
 * metrics.stop();
 */
export function collectDefaultMetrics(options: DefaultMetricsOptions = {}): CollectorHandle {
  const base: CollectorOptions = {
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.procRoot === undefined ? {} : { procRoot: options.procRoot }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  };
  const handles: CollectorHandle[] = [];
  try {
    if (options.process !== false) handles.push(collectProcessMetrics(base));
    if (options.runtime !== false) {
      handles.push(
        collectRuntimeMetrics({
          ...base,
          ...(typeof options.runtime === 'object' ? options.runtime : {}),
          ...(options.gcBuckets === undefined ? {} : { gcBuckets: options.gcBuckets }),
          ...(options.eventLoopResolutionMs === undefined
            ? {}
            : { eventLoopResolutionMs: options.eventLoopResolutionMs }),
        }),
      );
    }
    if (options.host !== false) {
      handles.push(collectHostMetrics({ ...base, ...(typeof options.host === 'object' ? options.host : {}) }));
    }
  } catch (error) {
    for (const handle of handles) handle.stop();
    throw error;
  }
  return {
    stop() {
      for (const handle of handles) handle.stop();
    },
  };
}
