import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  COLLECTOR_ERRORS_METRIC,
  type CollectorHandle,
  collectDefaultMetrics,
  collectHostMetrics,
  collectProcessMetrics,
  collectRuntimeMetrics,
  HOST_METRICS,
  PROCESS_METRICS,
  RUNTIME_METRICS,
} from '../../../src/collectors/index.js';
import { type Histogram, Registry, VigilError } from '../../../src/metrics/index.js';
import { parseWithPython } from '../../support/python.js';
import { scrape, sleep } from './helpers.js';

const handles: CollectorHandle[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.stop();
});
function track(h: CollectorHandle): CollectorHandle {
  handles.push(h);
  return h;
}

async function names(registry: Registry): Promise<string[]> {
  return [...(await scrape(registry)).keys()];
}

const ALL = [
  ...Object.values(PROCESS_METRICS),
  ...Object.values(RUNTIME_METRICS),
  ...Object.values(HOST_METRICS).filter((n) => !n.startsWith('host_filesystem')),
];

describe('collectDefaultMetrics', () => {
  it('installs process, runtime and host metrics with the names Prometheus users know', async () => {
    const registry = new Registry();
    track(collectDefaultMetrics({ registry }));
    const found = await names(registry);
    for (const name of ALL) expect(found, name).toContain(name);
    expect(found).toContain(HOST_METRICS.filesystemSize);
    expect(found).toContain(COLLECTOR_ERRORS_METRIC);
  });

  it('renders text and OpenMetrics that the Python parsers accept', async () => {
    const registry = new Registry();
    track(collectDefaultMetrics({ registry }));
    const { families } = await registry.gather();
    const text = await parseWithPython(registry.render(families, 'text'), 'text');
    const open = await parseWithPython(registry.render(families, 'openmetrics'), 'openmetrics');
    for (const parsed of [text, open]) {
      const parsedNames = parsed.map((f) => f.name);
      expect(parsedNames).toContain('process_cpu_seconds');
      expect(parsedNames).toContain('nodejs_gc_duration_seconds');
      expect(parsedNames).toContain('host_memory_total_bytes');
      expect(parsedNames).toContain('nodejs_active_handles_total');
    }
    const cpu = open.find((f) => f.name === 'process_cpu_seconds');
    expect(cpu?.type).toBe('counter');
    expect(cpu?.samples[0]?.name).toBe('process_cpu_seconds_total');
  });

  it.each([
    ['process', { process: false }, Object.values(PROCESS_METRICS)],
    ['runtime', { runtime: false }, Object.values(RUNTIME_METRICS)],
    ['host', { host: false }, Object.values(HOST_METRICS)],
  ] as const)('turns the %s collector off', async (_, options, gone) => {
    const registry = new Registry();
    track(collectDefaultMetrics({ registry, ...options }));
    const found = await names(registry);
    for (const name of gone) expect(found, name).not.toContain(name);
    // The others are still there.
    const kept = ALL.filter((n) => !(gone as readonly string[]).includes(n));
    for (const name of kept) expect(found, name).toContain(name);
  });

  it.each([
    [
      'eventLoop',
      [RUNTIME_METRICS.eventLoopLag, RUNTIME_METRICS.eventLoopLagP99, RUNTIME_METRICS.eventLoopUtilization],
    ],
    ['gc', [RUNTIME_METRICS.gcDuration]],
    ['heap', [RUNTIME_METRICS.heapUsed, RUNTIME_METRICS.heapSpaceTotal, RUNTIME_METRICS.externalMemory]],
    ['resources', [RUNTIME_METRICS.activeHandles, RUNTIME_METRICS.activeRequestsTotal]],
    ['version', [RUNTIME_METRICS.versionInfo]],
  ] as const)('turns the runtime part %s off', async (part, gone) => {
    const registry = new Registry();
    track(collectRuntimeMetrics({ registry, [part]: false }));
    const found = await names(registry);
    for (const name of gone) expect(found, name).not.toContain(name);
    expect(found.length).toBeGreaterThan(3);
  });

  it.each([
    ['cpu', [HOST_METRICS.cpuUsage, HOST_METRICS.cpuCount], 'host_stat'],
    ['memory', [HOST_METRICS.memoryTotal, HOST_METRICS.memoryUsage], 'host_meminfo'],
    ['filesystem', [HOST_METRICS.filesystemSize], 'host_mounts'],
    ['disk', [HOST_METRICS.diskRead, HOST_METRICS.diskWritten], 'host_diskstats'],
    ['network', [HOST_METRICS.networkReceive, HOST_METRICS.networkTransmit], 'host_netdev'],
    ['load', [HOST_METRICS.load1, HOST_METRICS.load15], undefined],
  ] as const)('turns the host part %s off, with its error series', async (part, gone, source) => {
    const registry = new Registry();
    track(collectHostMetrics({ registry, [part]: false }));
    const families = await scrape(registry);
    for (const name of gone) expect(families.has(name), name).toBe(false);
    const sources = families.get(COLLECTOR_ERRORS_METRIC)?.series.map((s) => s.labels.collector);
    if (source !== undefined) expect(sources).not.toContain(source);
    expect(sources?.length).toBeGreaterThan(0);
  });

  it('prefixes every metric name but the errors counter', async () => {
    const registry = new Registry();
    track(collectDefaultMetrics({ registry, prefix: 'app_' }));
    const found = await names(registry);
    expect(found).toContain('app_process_cpu_seconds_total');
    expect(found).toContain('app_nodejs_gc_duration_seconds');
    expect(found).toContain('app_host_load1');
    expect(found).toContain(COLLECTOR_ERRORS_METRIC);
    expect(found.filter((n) => n !== COLLECTOR_ERRORS_METRIC && !n.startsWith('app_'))).toEqual([]);
    // A second prefix in the same registry coexists.
    track(collectProcessMetrics({ registry, prefix: 'other_' }));
    expect(await names(registry)).toContain('other_process_cpu_seconds_total');
  });

  it('refuses an invalid prefix', () => {
    const error = (() => {
      try {
        collectDefaultMetrics({ registry: new Registry(), prefix: '1bad-' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_ERR_INVALID_NAME');
  });
});

describe('stop()', () => {
  it('unregisters everything and can be called twice', async () => {
    const registry = new Registry();
    const handle = collectDefaultMetrics({ registry });
    expect((await names(registry)).length).toBeGreaterThan(30);
    handle.stop();
    handle.stop();
    expect(await names(registry)).toEqual([]);
    expect(registry.getMetrics()).toEqual([]);
    expect(await registry.metrics()).toBe('');
  });

  it('disconnects the GC observer', async () => {
    const registry = new Registry();
    const handle = collectRuntimeMetrics({ registry });
    const gc = registry.getSingleMetric(RUNTIME_METRICS.gcDuration) as Histogram<readonly ['kind']>;
    const majors = () => gc.labels({ kind: 'major' }).count;
    setFlagsFromString('--expose-gc');
    const forceGc = runInNewContext('gc') as () => void;
    forceGc();
    await sleep(50);
    const seen = majors();
    expect(seen).toBeGreaterThan(0);
    handle.stop();
    forceGc();
    await sleep(50);
    expect(majors()).toBe(seen);
  });

  it('lets the process exit: no timer or observer keeps the event loop alive', async () => {
    const registry = new Registry();
    const before = process.getActiveResourcesInfo().length;
    const handle = collectDefaultMetrics({ registry });
    await registry.metrics();
    handle.stop();
    await sleep(20);
    expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(before);
  });

  it('shares an installation: a second call returns a handle, the metrics stay until both stop', async () => {
    const registry = new Registry();
    const first = collectDefaultMetrics({ registry });
    const second = collectDefaultMetrics({ registry });
    first.stop();
    expect(await names(registry)).toContain(PROCESS_METRICS.cpu);
    second.stop();
    expect(await names(registry)).toEqual([]);
  });

  it('starts afresh after registry.clear()', async () => {
    const registry = new Registry();
    track(collectDefaultMetrics({ registry }));
    registry.clear();
    expect(await names(registry)).toEqual([]);
    track(collectDefaultMetrics({ registry }));
    const found = await names(registry);
    expect(found).toContain(PROCESS_METRICS.cpu);
    expect(found).toContain(RUNTIME_METRICS.gcDuration);
  });

  it('leaves nothing behind when installing fails', async () => {
    const registry = new Registry();
    registry.histogram({ name: RUNTIME_METRICS.gcDuration, help: 'Someone else’s.', buckets: [1] });
    expect(() => collectDefaultMetrics({ registry })).toThrow(/VIGIL_ERR_ALREADY_REGISTERED/);
    expect(await names(registry)).toEqual([RUNTIME_METRICS.gcDuration]);
  });
});
