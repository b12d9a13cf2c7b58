import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Family } from '../metrics/index.js';
import { counter, gauge, prefixed } from './families.js';
import { type CollectorHandle, type CollectorOptions, install } from './install.js';
import { parseMaxFds, parseStatus, readProc } from './proc.js';

/** Process metric names, as prom-client and client_golang write them. */
export const PROCESS_METRICS = {
  cpuUser: 'process_cpu_user_seconds_total',
  cpuSystem: 'process_cpu_system_seconds_total',
  cpu: 'process_cpu_seconds_total',
  startTime: 'process_start_time_seconds',
  residentMemory: 'process_resident_memory_bytes',
  virtualMemory: 'process_virtual_memory_bytes',
  heap: 'process_heap_bytes',
  openFds: 'process_open_fds',
  maxFds: 'process_max_fds',
  threads: 'process_threads',
} as const;

/** Error sources of the process collector (values of `vigil_collector_errors_total{collector}`). */
export const PROCESS_SOURCES = ['process_status', 'process_fds', 'process_limits'] as const;

/**
 * CPU seconds, memory, file descriptors, threads and start time of this process, read at
 * scrape time. On Linux from /proc/self (status, fd, limits); elsewhere, or when a /proc
 * file fails, from `process` APIs: CPU, start time and resident memory are always there.
 *
 * @example
 * const handle = collectProcessMetrics({ registry });
 * // later
 * handle.stop();
 */
export function collectProcessMetrics(options: CollectorOptions = {}): CollectorHandle {
  return install('process', options, (ctx) => {
    const n = prefixed(PROCESS_METRICS, ctx.prefix);
    const proc = ctx.procRoot;
    const startTime = Date.now() / 1000 - process.uptime();
    return {
      sources: proc === undefined ? [] : PROCESS_SOURCES,
      collector: {
        collect() {
          const cpu = process.cpuUsage();
          const user = cpu.user / 1e6;
          const system = cpu.system / 1e6;
          const out: Family[] = [
            counter(n.cpuUser, 'Total user CPU time spent in seconds.', user),
            counter(n.cpuSystem, 'Total system CPU time spent in seconds.', system),
            counter(n.cpu, 'Total user and system CPU time spent in seconds.', user + system),
            gauge(n.startTime, 'Start time of the process since unix epoch in seconds.', startTime),
          ];
          let resident: number | undefined;
          if (proc !== undefined) {
            const status = ctx.guard('process_status', () => parseStatus(readProc(proc, 'self/status')));
            if (status !== undefined) {
              resident = status.residentBytes;
              if (status.virtualBytes !== undefined) {
                out.push(gauge(n.virtualMemory, 'Virtual memory size in bytes.', status.virtualBytes));
              }
              if (status.dataBytes !== undefined) {
                out.push(gauge(n.heap, 'Process heap (data segment) size in bytes.', status.dataBytes));
              }
              out.push(gauge(n.threads, 'Number of OS threads in the process.', status.threads));
            }
            // readdir holds one descriptor on the directory itself while it lists it.
            const open = ctx.guard('process_fds', () => readdirSync(join(proc, 'self/fd')).length - 1);
            if (open !== undefined) out.push(gauge(n.openFds, 'Number of open file descriptors.', open));
            const max = ctx.guard('process_limits', () => parseMaxFds(readProc(proc, 'self/limits')));
            if (max !== undefined) out.push(gauge(n.maxFds, 'Maximum number of open file descriptors.', max));
          }
          out.push(gauge(n.residentMemory, 'Resident memory size in bytes.', resident ?? process.memoryUsage.rss()));
          return out;
        },
      },
    };
  });
}
