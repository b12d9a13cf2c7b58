import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CollectorHandle, collectProcessMetrics, PROCESS_METRICS } from '../../../src/collectors/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { procValues, sampleValue, scrape, within } from './helpers.js';

const MB = 1024 * 1024;
let registry: Registry;
let handle: CollectorHandle;

beforeEach(() => {
  registry = new Registry();
  handle = collectProcessMetrics({ registry });
});
afterEach(() => handle.stop());

describe('process collector against /proc and process APIs', () => {
  it('reports CPU seconds between two process.cpuUsage() readings', async () => {
    const end = Date.now() + 50;
    while (Date.now() < end) {} // burn some CPU so the values are not all zero
    const before = process.cpuUsage();
    const families = await scrape(registry);
    const after = process.cpuUsage();
    const user = sampleValue(families, PROCESS_METRICS.cpuUser);
    const system = sampleValue(families, PROCESS_METRICS.cpuSystem);
    expect(user).toBeGreaterThanOrEqual(before.user / 1e6);
    expect(user).toBeLessThanOrEqual(after.user / 1e6);
    expect(system).toBeGreaterThanOrEqual(before.system / 1e6);
    expect(system).toBeLessThanOrEqual(after.system / 1e6);
    expect(user).toBeGreaterThan(0.04);
    expect(sampleValue(families, PROCESS_METRICS.cpu)).toBeCloseTo(user + system, 9);
    expect(families.get(PROCESS_METRICS.cpu)?.type).toBe('counter');
  });

  it('reports resident, virtual and data memory as /proc/self/status does', async () => {
    const families = await scrape(registry);
    const status = procValues('/proc/self/status');
    within(sampleValue(families, PROCESS_METRICS.residentMemory), status.get('VmRSS') as number, 32 * MB);
    within(sampleValue(families, PROCESS_METRICS.virtualMemory), status.get('VmSize') as number, 256 * MB);
    within(sampleValue(families, PROCESS_METRICS.heap), status.get('VmData') as number, 256 * MB);
  });

  it('reports the thread count of /proc/self/status', async () => {
    const families = await scrape(registry);
    within(sampleValue(families, PROCESS_METRICS.threads), procValues('/proc/self/status').get('Threads') as number, 2);
  });

  it('counts open file descriptors as /proc/self/fd lists them', async () => {
    const families = await scrape(registry);
    within(sampleValue(families, PROCESS_METRICS.openFds), readdirSync('/proc/self/fd').length - 1, 3);
  });

  it('reports the soft open-files limit of /proc/self/limits', async () => {
    const families = await scrape(registry);
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files')) as string;
    const soft = Number(line.slice('Max open files'.length).trim().split(/\s+/)[0]);
    expect(sampleValue(families, PROCESS_METRICS.maxFds)).toBe(soft);
  });

  it('reports the start time that /proc/self/stat and the boot time give', async () => {
    const families = await scrape(registry);
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]); // field 22 of the whole line
    const bootLine = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime ')) as string;
    const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    const expected = Number(bootLine.split(' ')[1]) + startTicks / ticksPerSecond;
    within(sampleValue(families, PROCESS_METRICS.startTime), expected, 2);
  });

  it('falls back to process APIs when /proc is not read', async () => {
    const other = new Registry();
    const h = collectProcessMetrics({ registry: other, procRoot: false });
    try {
      const families = await scrape(other);
      within(sampleValue(families, PROCESS_METRICS.residentMemory), process.memoryUsage.rss(), 32 * MB);
      expect(families.has(PROCESS_METRICS.cpu)).toBe(true);
      for (const name of [PROCESS_METRICS.threads, PROCESS_METRICS.openFds, PROCESS_METRICS.virtualMemory]) {
        expect(families.has(name), name).toBe(false);
      }
      // No /proc source, so no error series either.
      expect(families.get('vigil_collector_errors_total')?.series ?? []).toEqual([]);
    } finally {
      h.stop();
    }
  });
});
