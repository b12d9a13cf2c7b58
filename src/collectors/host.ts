import { statfs } from 'node:fs/promises';
import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';
import { parse } from 'node:path';
import type { Family, ValuePoint } from '../metrics/index.js';
import { counters, gauge, gauges, LabelTexts, prefixed } from './families.js';
import { type CollectorContext, type CollectorHandle, type CollectorOptions, install } from './install.js';
import {
  type CpuTimes,
  type Mount,
  parseCpuTimes,
  parseDiskStats,
  parseMemInfo,
  parseMounts,
  parseNetDev,
  readProc,
} from './proc.js';

/** Host metric names. */
export const HOST_METRICS = {
  cpuUsage: 'host_cpu_usage_ratio',
  cpuCount: 'host_cpu_count',
  memoryTotal: 'host_memory_total_bytes',
  memoryAvailable: 'host_memory_available_bytes',
  memoryUsed: 'host_memory_used_bytes',
  memoryUsage: 'host_memory_usage_ratio',
  filesystemSize: 'host_filesystem_size_bytes',
  filesystemFree: 'host_filesystem_free_bytes',
  filesystemAvail: 'host_filesystem_avail_bytes',
  diskRead: 'host_disk_read_bytes_total',
  diskWritten: 'host_disk_written_bytes_total',
  networkReceive: 'host_network_receive_bytes_total',
  networkTransmit: 'host_network_transmit_bytes_total',
  load1: 'host_load1',
  load5: 'host_load5',
  load15: 'host_load15',
} as const;

/** Error sources of the host collector (values of `vigil_collector_errors_total{collector}`). */
export const HOST_SOURCES = [
  'host_stat',
  'host_meminfo',
  'host_mounts',
  'host_filesystem',
  'host_diskstats',
  'host_netdev',
] as const;

/** File systems that hold no user data: never reported. */
export const PSEUDO_FILESYSTEMS: readonly string[] = [
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'erofs',
  'fuse.lxcfs',
  'fusectl',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'proc',
  'procfs',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tracefs',
];

/** Whole disks only: no partitions, loop, ram or floppy devices (node_exporter's default). */
export const DEFAULT_DISK_EXCLUDE = /^(?:z?ram|loop|fd|(?:h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/;

export interface FilesystemSettings {
  /** Report tmpfs mounts too. Default false. */
  tmpfs?: boolean;
  /** At most this many mounts, in /proc/self/mounts order. Default 32. */
  maxMounts?: number;
  /**
   * A statfs that takes longer counts as a `host_filesystem` error; the mount (a hung NFS
   * server, say) is skipped until that call returns. Default 1000 ms.
   */
  timeoutMs?: number;
}

export interface DiskSettings {
  /** Devices to leave out. Default: DEFAULT_DISK_EXCLUDE. */
  exclude?: RegExp;
  /** At most this many devices. Default 32. */
  maxDevices?: number;
}

export interface NetworkSettings {
  /** At most this many interfaces. Default 32. */
  maxInterfaces?: number;
}

/** What to collect; every part is on unless set to false. */
export interface HostSettings {
  cpu?: boolean;
  memory?: boolean;
  load?: boolean;
  filesystem?: boolean | FilesystemSettings;
  disk?: boolean | DiskSettings;
  network?: boolean | NetworkSettings;
}

export type HostOptions = CollectorOptions & HostSettings;

type Names = typeof HOST_METRICS;
type Part = () => Family[] | Promise<Family[]>;

/**
 * CPU and memory use, file systems, disk and network bytes and load of the host (or the
 * container: /proc/net/dev is per network namespace), read at scrape time.
 *
 * - `host_cpu_usage_ratio`: busy share of all CPUs since the previous scrape (from /proc/stat
 *   deltas; iowait counts as idle; os.cpus() off Linux).
 * - `host_memory_*`: from /proc/meminfo, `used` = total - MemAvailable (os.totalmem/freemem off Linux).
 * - `host_filesystem_{size,free,avail}_bytes{mountpoint,fstype}`: statfs of each real mount of
 *   /proc/self/mounts (pseudo file systems, tmpfs and mounts under /proc, /sys and /dev left out).
 * - `host_disk_{read,written}_bytes_total{device}`: /proc/diskstats sectors × 512.
 * - `host_network_{receive,transmit}_bytes_total{interface}`: /proc/net/dev.
 *
 * @example
 * const handle = collectHostMetrics({ registry, filesystem: { tmpfs: true }, network: false });
 */
export function collectHostMetrics(options: HostOptions = {}): CollectorHandle {
  return install('host', options, (ctx) => {
    const n = prefixed(HOST_METRICS, ctx.prefix);
    const parts: Part[] = [];
    const sources: string[] = [];
    const proc = ctx.procRoot !== undefined;
    if (options.cpu !== false) {
      parts.push(cpu(ctx, n));
      if (proc) sources.push('host_stat');
    }
    if (options.memory !== false) {
      parts.push(memory(ctx, n));
      if (proc) sources.push('host_meminfo');
    }
    if (options.filesystem !== false) {
      parts.push(filesystems(ctx, n, typeof options.filesystem === 'object' ? options.filesystem : {}));
      sources.push('host_filesystem');
      if (proc) sources.push('host_mounts');
    }
    if (proc && options.disk !== false) {
      parts.push(disks(ctx, n, typeof options.disk === 'object' ? options.disk : {}));
      sources.push('host_diskstats');
    }
    if (proc && options.network !== false) {
      const max = (typeof options.network === 'object' ? options.network.maxInterfaces : undefined) ?? 32;
      parts.push(network(ctx, n, max));
      sources.push('host_netdev');
    }
    if (options.load !== false && process.platform !== 'win32') parts.push(load(n));
    return {
      sources,
      collector: {
        collect() {
          const out: Family[] = [];
          const pending: Promise<Family[]>[] = [];
          for (const part of parts) {
            const r = part();
            if (r instanceof Promise) pending.push(r);
            else out.push(...r);
          }
          if (pending.length === 0) return out;
          return Promise.all(pending).then((more) => [...out, ...more.flat()]);
        },
      },
    };
  });
}

function cpu(ctx: CollectorContext, n: Names): Part {
  const root = ctx.procRoot;
  const read = (count = true): (CpuTimes & { proc: boolean }) | undefined => {
    if (root !== undefined) {
      const stat = () => parseCpuTimes(readProc(root, 'stat'));
      const t = count ? ctx.guard('host_stat', stat) : quietly(stat);
      if (t !== undefined) return { ...t, proc: true };
    }
    let busy = 0;
    let total = 0;
    for (const c of cpus()) {
      const { user, nice, sys, idle, irq } = c.times;
      busy += user + nice + sys + irq;
      total += user + nice + sys + irq + idle;
    }
    return total > 0 ? { busy, total, proc: false } : undefined;
  };
  // The baseline: a failure here shows at the first scrape, which reads the file again.
  let previous = read(false);
  let ratio = 0;
  const count = availableParallelism();
  return () => {
    const now = read();
    // Only compare readings of one source; a gap (no tick elapsed) keeps the last value.
    if (now !== undefined && previous !== undefined && now.proc === previous.proc && now.total > previous.total) {
      ratio = Math.min(1, Math.max(0, (now.busy - previous.busy) / (now.total - previous.total)));
    }
    if (now !== undefined) previous = now;
    return [
      gauge(n.cpuUsage, 'Share of CPU time the host spent busy since the previous scrape (0 to 1).', ratio),
      gauge(n.cpuCount, 'Number of CPUs this process may use.', count),
    ];
  };
}

function memory(ctx: CollectorContext, n: Names): Part {
  const root = ctx.procRoot;
  return () => {
    const info =
      root === undefined ? undefined : ctx.guard('host_meminfo', () => parseMemInfo(readProc(root, 'meminfo')));
    const total = info?.totalBytes ?? totalmem();
    const available = info?.availableBytes ?? freemem();
    const used = total - available;
    return [
      gauge(n.memoryTotal, 'Total memory of the host in bytes.', total),
      gauge(n.memoryAvailable, 'Memory available to start new applications without swapping, in bytes.', available),
      gauge(n.memoryUsed, 'Memory in use (total minus available) in bytes.', used),
      gauge(n.memoryUsage, 'Share of memory in use (0 to 1).', total > 0 ? used / total : 0),
    ];
  };
}

function quietly<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

const IGNORED_ERRORS = new Set(['EACCES', 'EPERM', 'ENOENT', 'ENOTDIR']);
const SYSTEM_DIRS = /^\/(?:proc|sys|dev)(?:\/|$)/;

function filesystems(ctx: CollectorContext, n: Names, settings: FilesystemSettings): Part {
  const root = ctx.procRoot;
  const maxMounts = settings.maxMounts ?? 32;
  const timeoutMs = settings.timeoutMs ?? 1000;
  const excluded = new Set(PSEUDO_FILESYSTEMS);
  if (settings.tmpfs !== true) excluded.add('tmpfs');
  const labels = new LabelTexts();
  /** Mount points whose statfs has not returned yet. */
  const stuck = new Set<string>();

  const select = (): Mount[] | undefined => {
    if (root === undefined) return [{ device: '', mountpoint: parse(process.cwd()).root, fstype: 'unknown' }];
    const all = ctx.guard('host_mounts', () => parseMounts(readProc(root, 'self/mounts')));
    if (all === undefined) return undefined;
    // A later mount on the same point hides the earlier one.
    const byPoint = new Map<string, Mount>();
    for (const m of all) {
      if (excluded.has(m.fstype) || SYSTEM_DIRS.test(m.mountpoint)) continue;
      byPoint.delete(m.mountpoint);
      byPoint.set(m.mountpoint, m);
    }
    return [...byPoint.values()].slice(0, maxMounts);
  };

  const stat = (m: Mount) =>
    new Promise<{ size: number; free: number; avail: number } | undefined>((resolve) => {
      if (stuck.has(m.mountpoint)) {
        resolve(undefined);
        return;
      }
      stuck.add(m.mountpoint);
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        ctx.fail('host_filesystem', new Error(`statfs ${m.mountpoint} took more than ${timeoutMs} ms`));
        resolve(undefined);
      }, timeoutMs);
      timer.unref();
      statfs(m.mountpoint).then(
        (s) => {
          stuck.delete(m.mountpoint);
          if (settled) return;
          clearTimeout(timer);
          resolve({ size: s.blocks * s.bsize, free: s.bfree * s.bsize, avail: s.bavail * s.bsize });
        },
        (error: NodeJS.ErrnoException) => {
          stuck.delete(m.mountpoint);
          if (settled) return;
          clearTimeout(timer);
          if (!IGNORED_ERRORS.has(error.code ?? '')) ctx.fail('host_filesystem', error);
          resolve(undefined);
        },
      );
    });

  return async () => {
    const mounts = select();
    if (mounts === undefined || mounts.length === 0) return [];
    const stats = await Promise.all(mounts.map(stat));
    const size: ValuePoint[] = [];
    const free: ValuePoint[] = [];
    const avail: ValuePoint[] = [];
    mounts.forEach((m, i) => {
      const s = stats[i];
      if (s === undefined) return;
      const labelText = labels.get(`${m.mountpoint}\0${m.fstype}`, () => ({
        mountpoint: m.mountpoint,
        fstype: m.fstype,
      }));
      size.push({ labelText, value: s.size });
      free.push({ labelText, value: s.free });
      avail.push({ labelText, value: s.avail });
    });
    const names = ['mountpoint', 'fstype'];
    return [
      gauges(n.filesystemSize, 'File system size in bytes.', names, size),
      gauges(n.filesystemFree, 'File system free space in bytes.', names, free),
      gauges(n.filesystemAvail, 'File system space available to non-root users in bytes.', names, avail),
    ];
  };
}

function disks(ctx: CollectorContext, n: Names, settings: DiskSettings): Part {
  const root = ctx.procRoot as string;
  const exclude = settings.exclude ?? DEFAULT_DISK_EXCLUDE;
  const maxDevices = settings.maxDevices ?? 32;
  const labels = new LabelTexts();
  return () => {
    const all = ctx.guard('host_diskstats', () => parseDiskStats(readProc(root, 'diskstats')));
    if (all === undefined) return [];
    const read: ValuePoint[] = [];
    const written: ValuePoint[] = [];
    for (const d of all) {
      if (read.length >= maxDevices) break;
      if (exclude.test(d.device)) continue;
      const labelText = labels.get(d.device, () => ({ device: d.device }));
      read.push({ labelText, value: d.readBytes });
      written.push({ labelText, value: d.writtenBytes });
    }
    return [
      counters(n.diskRead, 'Bytes read from the device.', ['device'], read),
      counters(n.diskWritten, 'Bytes written to the device.', ['device'], written),
    ];
  };
}

function network(ctx: CollectorContext, n: Names, maxInterfaces: number): Part {
  const root = ctx.procRoot as string;
  const labels = new LabelTexts();
  return () => {
    const all = ctx.guard('host_netdev', () => parseNetDev(readProc(root, 'net/dev')));
    if (all === undefined) return [];
    const received: ValuePoint[] = [];
    const sent: ValuePoint[] = [];
    for (const i of all.slice(0, maxInterfaces)) {
      const labelText = labels.get(i.interface, () => ({ interface: i.interface }));
      received.push({ labelText, value: i.receiveBytes });
      sent.push({ labelText, value: i.transmitBytes });
    }
    return [
      counters(n.networkReceive, 'Bytes received on the network interface.', ['interface'], received),
      counters(n.networkTransmit, 'Bytes sent on the network interface.', ['interface'], sent),
    ];
  };
}

function load(n: Names): Part {
  return () => {
    const [one = 0, five = 0, fifteen = 0] = loadavg();
    return [
      gauge(n.load1, '1-minute load average of the host.', one),
      gauge(n.load5, '5-minute load average of the host.', five),
      gauge(n.load15, '15-minute load average of the host.', fifteen),
    ];
  };
}
