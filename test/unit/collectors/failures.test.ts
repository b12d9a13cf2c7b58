import { pbkdf2 } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  COLLECTOR_ERRORS_METRIC,
  type CollectorHandle,
  collectDefaultMetrics,
  collectHostMetrics,
  HOST_METRICS,
  PROCESS_METRICS,
  RUNTIME_METRICS,
} from '../../../src/collectors/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { sampleValue, scrape, sleep } from './helpers.js';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  1000      10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0
  eth0: 30000     300    0    0    0     0          0         0    40000     400    0    0    0     0       0          0
`;
const DISKSTATS = `   8       0 sda 10 0 100 0 20 0 200 0 0 0 0 0 0 0 0 0 0
   8       1 sda1 10 0 100 0 20 0 200 0 0 0 0 0 0 0 0 0 0
   7       0 loop0 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 259       0 nvme0n1 3 0 30 0 4 0 40 0 0 0 0 0 0 0 0 0 0
`;
const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            4096                 8192                 files
`;

let root: string;
let registry: Registry;
let handle: CollectorHandle | undefined;

function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** A complete, well-formed procfs with known values. */
function wellFormed(): void {
  write('self/status', 'Name:\tnode\nVmSize:\t    2000 kB\nVmData:\t     300 kB\nVmRSS:\t     100 kB\nThreads:\t7\n');
  write('self/limits', LIMITS);
  mkdirSync(join(root, 'self/fd'), { recursive: true });
  for (const fd of ['0', '1', '2', '3']) writeFileSync(join(root, 'self/fd', fd), '');
  write('stat', 'cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 100 0 100 800 0 0 0 0 0 0\n');
  write('meminfo', 'MemTotal:        1000 kB\nMemFree:          100 kB\nMemAvailable:     250 kB\n');
  mkdirSync(join(root, 'mnt/data'), { recursive: true });
  mkdirSync(join(root, 'mnt/a b'), { recursive: true });
  write(
    'self/mounts',
    [
      'proc /proc proc rw 0 0',
      `/dev/sda1 ${root}/mnt/data ext4 rw 0 0`,
      `/dev/sda2 ${root}/mnt/a\\040b xfs rw 0 0`,
      `tmpfs ${root}/mnt tmpfs rw 0 0`,
      `/dev/sda3 ${root}/missing ext4 rw 0 0`,
      '',
    ].join('\n'),
  );
  write('diskstats', DISKSTATS);
  write('net/dev', NET_DEV);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
  registry = new Registry();
  handle = undefined;
});
afterEach(() => {
  handle?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('collectors on a configurable proc root', () => {
  it('read every value from the proc root they are given', async () => {
    wellFormed();
    handle = collectDefaultMetrics({ registry, procRoot: root, runtime: false });
    const f = await scrape(registry);
    expect(sampleValue(f, PROCESS_METRICS.residentMemory)).toBe(100 * 1024);
    expect(sampleValue(f, PROCESS_METRICS.virtualMemory)).toBe(2000 * 1024);
    expect(sampleValue(f, PROCESS_METRICS.heap)).toBe(300 * 1024);
    expect(sampleValue(f, PROCESS_METRICS.threads)).toBe(7);
    expect(sampleValue(f, PROCESS_METRICS.openFds)).toBe(3); // four entries, one of them the listing's own
    expect(sampleValue(f, PROCESS_METRICS.maxFds)).toBe(4096);
    expect(sampleValue(f, HOST_METRICS.memoryTotal)).toBe(1000 * 1024);
    expect(sampleValue(f, HOST_METRICS.memoryAvailable)).toBe(250 * 1024);
    expect(sampleValue(f, HOST_METRICS.memoryUsage)).toBe(0.75);
    expect(sampleValue(f, HOST_METRICS.networkReceive, { interface: 'eth0' })).toBe(30000);
    expect(sampleValue(f, HOST_METRICS.networkTransmit, { interface: 'lo' })).toBe(2000);
    expect(f.get(HOST_METRICS.diskRead)?.series.map((s) => s.labels.device)).toEqual(['sda', 'nvme0n1']);
    expect(sampleValue(f, HOST_METRICS.diskRead, { device: 'sda' })).toBe(100 * 512);
    expect(sampleValue(f, HOST_METRICS.diskWritten, { device: 'nvme0n1' })).toBe(40 * 512);
    // proc and tmpfs are left out, `\040` is a space, a vanished mount point is skipped quietly.
    expect(f.get(HOST_METRICS.filesystemSize)?.series.map((s) => s.labels)).toEqual([
      { mountpoint: `${root}/mnt/data`, fstype: 'ext4' },
      { mountpoint: `${root}/mnt/a b`, fstype: 'xfs' },
    ]);
    for (const s of f.get(COLLECTOR_ERRORS_METRIC)?.series ?? []) expect(s).toMatchObject({ value: 0 });
    expect(f.get(COLLECTOR_ERRORS_METRIC)?.series.length).toBe(9);
  });

  it('computes CPU use from the /proc/stat deltas between scrapes', async () => {
    wellFormed();
    handle = collectHostMetrics({ registry, procRoot: root, filesystem: false });
    // busy 200 of 1000 ticks at install; then 300 more busy of 800 more ticks.
    write('stat', 'cpu  300 0 200 1300 0 0 0 0 0 0\n');
    expect(sampleValue(await scrape(registry), HOST_METRICS.cpuUsage)).toBe(0.375);
    // No tick elapsed: the last ratio stays.
    expect(sampleValue(await scrape(registry), HOST_METRICS.cpuUsage)).toBe(0.375);
    write('stat', 'cpu  300 0 200 1500 100 0 0 0 0 0\n'); // idle and iowait only
    expect(sampleValue(await scrape(registry), HOST_METRICS.cpuUsage)).toBe(0);
  });

  it('uses free + buffers + cached when MemAvailable is missing (kernels before 3.14)', async () => {
    wellFormed();
    write('meminfo', 'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 150 kB\n');
    handle = collectHostMetrics({ registry, procRoot: root });
    expect(sampleValue(await scrape(registry), HOST_METRICS.memoryAvailable)).toBe(300 * 1024);
  });

  it('bounds the number of mounts', async () => {
    wellFormed();
    handle = collectHostMetrics({ registry, procRoot: root, filesystem: { maxMounts: 1, tmpfs: true } });
    const points = (await scrape(registry)).get(HOST_METRICS.filesystemSize)?.series.map((s) => s.labels.mountpoint);
    expect(points).toEqual([`${root}/mnt/data`]);
  });

  it('count a missing or garbled file in vigil_collector_errors_total and serve the rest', async () => {
    write('self/status', 'this is not a status file\n');
    write('stat', 'garbage\n');
    write('meminfo', 'nothing: here\n');
    write('self/mounts', 'not-a-mount-line\n');
    write('diskstats', '   8 0 sda 1 2\n');
    write('net/dev', 'no header\n');
    // self/fd and self/limits are missing.
    const failed: string[] = [];
    handle = collectDefaultMetrics({
      registry,
      procRoot: root,
      onError: (source) => failed.push(source),
    });
    const { families, errors } = await registry.gather();
    expect(errors).toEqual([]);
    const f = await scrape(registry);
    const sources = [
      'process_status',
      'process_fds',
      'process_limits',
      'host_stat',
      'host_meminfo',
      'host_mounts',
      'host_diskstats',
      'host_netdev',
    ];
    // Two scrapes (gather, then snapshot): every failing source counted twice.
    for (const collector of sources) expect(sampleValue(f, COLLECTOR_ERRORS_METRIC, { collector }), collector).toBe(2);
    expect(sampleValue(f, COLLECTOR_ERRORS_METRIC, { collector: 'host_filesystem' })).toBe(0);
    expect(new Set(failed)).toEqual(new Set(sources));
    expect(families.length).toBeGreaterThan(0);
    // What does not depend on the broken files is still there, with node:os/process fallbacks.
    expect(sampleValue(f, PROCESS_METRICS.cpu)).toBeGreaterThan(0);
    expect(sampleValue(f, PROCESS_METRICS.residentMemory)).toBeGreaterThan(1024 * 1024);
    expect(sampleValue(f, HOST_METRICS.memoryTotal)).toBe(totalmem());
    expect(f.has(HOST_METRICS.cpuUsage)).toBe(true);
    expect(f.has(HOST_METRICS.load1)).toBe(true);
    expect(f.has(RUNTIME_METRICS.heapUsed)).toBe(true);
    for (const gone of [
      PROCESS_METRICS.threads,
      PROCESS_METRICS.openFds,
      PROCESS_METRICS.maxFds,
      HOST_METRICS.networkReceive,
      HOST_METRICS.diskRead,
      HOST_METRICS.filesystemSize,
    ]) {
      expect(f.has(gone), gone).toBe(false);
    }
    // The exposition still renders.
    expect(await registry.metrics()).toContain('vigil_collector_errors_total{collector="process_status"} 3');
  });

  it('counts a statfs that outlasts its timeout, skips the mount while stuck, and recovers', async () => {
    wellFormed();
    handle = collectHostMetrics({
      registry,
      procRoot: root,
      cpu: false,
      memory: false,
      disk: false,
      network: false,
      load: false,
      filesystem: { timeoutMs: 20 },
    });
    // Occupy every libuv pool thread so the statfs calls queue behind them.
    const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const busy = Array.from(
      { length: size },
      () => new Promise((resolve) => pbkdf2('x', 'salt', 200_000, 64, 'sha512', resolve)),
    );
    // Three mounts (data, "a b", missing): each statfs times out.
    const first = await scrape(registry);
    expect(first.get(HOST_METRICS.filesystemSize)?.series ?? []).toEqual([]);
    expect(sampleValue(first, COLLECTOR_ERRORS_METRIC, { collector: 'host_filesystem' })).toBe(3);
    // Still stuck: skipped without another error.
    const second = await scrape(registry);
    expect(sampleValue(second, COLLECTOR_ERRORS_METRIC, { collector: 'host_filesystem' })).toBe(3);
    await Promise.all(busy);
    await sleep(20);
    const third = await scrape(registry);
    expect(third.get(HOST_METRICS.filesystemSize)?.series.length).toBe(2);
    expect(sampleValue(third, COLLECTOR_ERRORS_METRIC, { collector: 'host_filesystem' })).toBe(3);
  });
});
