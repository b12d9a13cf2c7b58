import { readFileSync, statfsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { loadavg } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CollectorHandle, collectHostMetrics, HOST_METRICS } from '../../../src/collectors/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { procValues, sampleValue, scrape, within } from './helpers.js';

const MB = 1024 * 1024;

function loBytes(): { rx: number; tx: number } {
  const line = readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith('lo:')) as string;
  const f = line.split(':')[1]?.trim().split(/\s+/).map(Number) as number[];
  return { rx: f[0] as number, tx: f[8] as number };
}

function cpuTicks(): { busy: number; total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] as number) - (f[4] as number), total };
}

function diskBytes(): Map<string, { read: number; written: number }> {
  const out = new Map<string, { read: number; written: number }>();
  for (const line of readFileSync('/proc/diskstats', 'utf8').trim().split('\n')) {
    const f = line.trim().split(/\s+/);
    out.set(f[2] as string, { read: Number(f[5]) * 512, written: Number(f[9]) * 512 });
  }
  return out;
}

/** Sends `bytes` to a server on 127.0.0.1 and waits until it has received them all. */
async function sendOverLoopback(bytes: number): Promise<void> {
  let received = 0;
  const server = createServer();
  const done = new Promise<void>((resolve) => {
    server.on('connection', (socket) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= bytes) resolve();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const client = createConnection(port, '127.0.0.1');
  client.end(Buffer.alloc(bytes, 1));
  await done;
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
}

let registry: Registry;
let handle: CollectorHandle;

beforeEach(() => {
  registry = new Registry();
  handle = collectHostMetrics({ registry });
});
afterEach(() => handle.stop());

describe('host collector against /proc and node:os', () => {
  it('counts bytes sent over 127.0.0.1 on the lo interface', async () => {
    const before = loBytes();
    await sendOverLoopback(2 * MB);
    const families = await scrape(registry);
    const after = loBytes();
    const rx = sampleValue(families, HOST_METRICS.networkReceive, { interface: 'lo' });
    const tx = sampleValue(families, HOST_METRICS.networkTransmit, { interface: 'lo' });
    expect(rx).toBeGreaterThanOrEqual(before.rx + 2 * MB);
    expect(rx).toBeLessThanOrEqual(after.rx);
    expect(tx).toBeGreaterThanOrEqual(before.tx + 2 * MB);
    expect(tx).toBeLessThanOrEqual(after.tx);
    expect(families.get(HOST_METRICS.networkReceive)?.type).toBe('counter');
  });

  it('reports memory as /proc/meminfo does', async () => {
    const families = await scrape(registry);
    const info = procValues('/proc/meminfo');
    const total = info.get('MemTotal') as number;
    expect(sampleValue(families, HOST_METRICS.memoryTotal)).toBe(total);
    const available = sampleValue(families, HOST_METRICS.memoryAvailable);
    within(available, info.get('MemAvailable') as number, 256 * MB);
    expect(sampleValue(families, HOST_METRICS.memoryUsed)).toBe(total - available);
    expect(sampleValue(families, HOST_METRICS.memoryUsage)).toBeCloseTo((total - available) / total, 12);
  });

  it('reports the busy share of CPU time since the previous scrape, as /proc/stat deltas give it', async () => {
    await scrape(registry);
    const t0 = cpuTicks();
    const end = Date.now() + 400;
    while (Date.now() < end) {} // one busy CPU
    const t1 = cpuTicks();
    const families = await scrape(registry);
    const expected = (t1.busy - t0.busy) / (t1.total - t0.total);
    const ratio = sampleValue(families, HOST_METRICS.cpuUsage);
    within(ratio, expected, 0.15);
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThanOrEqual(1);
  });

  it('reports disk bytes read and written as /proc/diskstats counts them', async () => {
    const before = diskBytes();
    const families = await scrape(registry);
    const after = diskBytes();
    const series = families.get(HOST_METRICS.diskRead)?.series ?? [];
    expect(series.length).toBeGreaterThan(0);
    for (const s of series) {
      const device = s.labels.device as string;
      expect(device).not.toMatch(/^(loop|ram)\d/);
      const read = sampleValue(families, HOST_METRICS.diskRead, { device });
      const written = sampleValue(families, HOST_METRICS.diskWritten, { device });
      expect(read).toBeGreaterThanOrEqual(before.get(device)?.read as number);
      expect(read).toBeLessThanOrEqual(after.get(device)?.read as number);
      expect(written).toBeGreaterThanOrEqual(before.get(device)?.written as number);
      expect(written).toBeLessThanOrEqual(after.get(device)?.written as number);
    }
  });

  it('reports the root file system as statfs does, and no pseudo file system', async () => {
    const families = await scrape(registry);
    const root = families.get(HOST_METRICS.filesystemSize)?.series.find((s) => s.labels.mountpoint === '/');
    expect(root).toBeDefined();
    const fstype = root?.labels.fstype as string;
    const s = statfsSync('/');
    expect(sampleValue(families, HOST_METRICS.filesystemSize, { mountpoint: '/', fstype })).toBe(s.blocks * s.bsize);
    within(
      sampleValue(families, HOST_METRICS.filesystemAvail, { mountpoint: '/', fstype }),
      s.bavail * s.bsize,
      512 * MB,
    );
    within(
      sampleValue(families, HOST_METRICS.filesystemFree, { mountpoint: '/', fstype }),
      s.bfree * s.bsize,
      512 * MB,
    );
    const types = families.get(HOST_METRICS.filesystemSize)?.series.map((x) => x.labels.fstype);
    for (const pseudo of ['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'tmpfs']) expect(types).not.toContain(pseudo);
    const points = families.get(HOST_METRICS.filesystemSize)?.series.map((x) => x.labels.mountpoint as string);
    expect(points?.some((p) => /^\/(proc|sys|dev)(\/|$)/.test(p))).toBe(false);
  });

  it('reports tmpfs mounts when asked', async () => {
    const mounts = readFileSync('/proc/self/mounts', 'utf8');
    const tmpfs = mounts
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[2] === 'tmpfs' && !/^\/(proc|sys|dev)(\/|$)/.test(f[1] as string));
    const other = new Registry();
    const h = collectHostMetrics({ registry: other, filesystem: { tmpfs: true }, cpu: false, disk: false });
    try {
      const families = await scrape(other);
      const reported = families.get(HOST_METRICS.filesystemSize)?.series.filter((s) => s.labels.fstype === 'tmpfs');
      expect(reported?.length).toBe(new Set(tmpfs.map((f) => f[1])).size);
    } finally {
      h.stop();
    }
  });

  it('reports the load averages of os.loadavg()', async () => {
    const families = await scrape(registry);
    const [one, five, fifteen] = loadavg() as [number, number, number];
    within(sampleValue(families, HOST_METRICS.load1), one, 0.5);
    within(sampleValue(families, HOST_METRICS.load5), five, 0.2);
    within(sampleValue(families, HOST_METRICS.load15), fifteen, 0.1);
  });
});
