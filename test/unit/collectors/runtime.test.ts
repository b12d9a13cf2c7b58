import { readFile } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CollectorHandle, collectRuntimeMetrics, RUNTIME_METRICS } from '../../../src/collectors/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { countOf, sampleValue, scrape, sleep, within } from './helpers.js';

const MB = 1024 * 1024;

/** A full GC: global.gc when --expose-gc is on, else the flag set at run time. */
function forceGc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) {
    g();
    return;
  }
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

let registry: Registry;
let handle: CollectorHandle;

beforeEach(() => {
  registry = new Registry();
  handle = collectRuntimeMetrics({ registry, eventLoopResolutionMs: 5 });
});
afterEach(() => handle.stop());

describe('runtime collector', () => {
  it('counts a forced major GC in nodejs_gc_duration_seconds{kind="major"}', async () => {
    const before = countOf(await scrape(registry), RUNTIME_METRICS.gcDuration, { kind: 'major' });
    forceGc();
    await sleep(50); // observer callbacks are delivered asynchronously
    const families = await scrape(registry);
    expect(countOf(families, RUNTIME_METRICS.gcDuration, { kind: 'major' })).toBeGreaterThan(before);
    expect(families.get(RUNTIME_METRICS.gcDuration)?.type).toBe('histogram');
  });

  it('counts minor GCs caused by allocation', async () => {
    const before = countOf(await scrape(registry), RUNTIME_METRICS.gcDuration, { kind: 'minor' });
    let keep: unknown[] = [];
    for (let i = 0; i < 200_000; i++) {
      keep.push({ i, s: `x${i}` });
      if (keep.length > 1000) keep = [];
    }
    await sleep(50);
    expect(countOf(await scrape(registry), RUNTIME_METRICS.gcDuration, { kind: 'minor' })).toBeGreaterThan(before);
  });

  it('shows a deliberate 200 ms block in the event-loop delay and utilization', async () => {
    await scrape(registry); // start a fresh interval
    // Node drops the first delay sample after a reset: let a few ticks pass first.
    await sleep(30);
    block(200);
    await sleep(30); // let the delay timer fire once after the block
    const families = await scrape(registry);
    expect(sampleValue(families, RUNTIME_METRICS.eventLoopLagMax)).toBeGreaterThan(0.15);
    expect(sampleValue(families, RUNTIME_METRICS.eventLoopLagMax)).toBeLessThan(5);
    expect(sampleValue(families, RUNTIME_METRICS.eventLoopLagP99)).toBeGreaterThan(0.15);
    expect(sampleValue(families, RUNTIME_METRICS.eventLoopLagMin)).toBeLessThanOrEqual(
      sampleValue(families, RUNTIME_METRICS.eventLoopLagMean),
    );
    const utilization = sampleValue(families, RUNTIME_METRICS.eventLoopUtilization);
    expect(utilization).toBeGreaterThan(0.5);
    expect(utilization).toBeLessThanOrEqual(1);
    // The scrape-time lag is one setImmediate: small when nothing blocks.
    const lag = sampleValue(families, RUNTIME_METRICS.eventLoopLag);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(0.15);
  });

  it('resets the delay histogram at each scrape, so a past block no longer shows', async () => {
    await sleep(30);
    block(150);
    await sleep(30);
    expect(sampleValue(await scrape(registry), RUNTIME_METRICS.eventLoopLagMax)).toBeGreaterThan(0.1);
    await sleep(100);
    const families = await scrape(registry);
    expect(sampleValue(families, RUNTIME_METRICS.eventLoopLagMax)).toBeLessThan(0.1);
    expect(sampleValue(families, RUNTIME_METRICS.eventLoopUtilization)).toBeLessThan(0.5);
  });

  it('reports heap sizes and spaces as V8 does', async () => {
    const families = await scrape(registry);
    const heap = getHeapStatistics();
    within(sampleValue(families, RUNTIME_METRICS.heapTotal), heap.total_heap_size, 16 * MB);
    within(sampleValue(families, RUNTIME_METRICS.heapUsed), heap.used_heap_size, 16 * MB);
    within(sampleValue(families, RUNTIME_METRICS.externalMemory), process.memoryUsage().external, 4 * MB);
    const spaces = getHeapSpaceStatistics().map((s) => s.space_name.replace(/_space$/, ''));
    const reported = families.get(RUNTIME_METRICS.heapSpaceUsed)?.series.map((s) => s.labels.space);
    expect(reported?.sort()).toEqual(spaces.sort());
    expect(spaces).toContain('old');
    const oldTotal = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_size as number;
    within(sampleValue(families, RUNTIME_METRICS.heapSpaceTotal, { space: 'old' }), oldTotal, 16 * MB);
  });

  it('counts active handles and requests by type', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const timer = setTimeout(() => {}, 60_000);
    try {
      const families = await scrape(registry);
      expect(sampleValue(families, RUNTIME_METRICS.activeHandles, { type: 'TCPServerWrap' })).toBeGreaterThanOrEqual(1);
      expect(sampleValue(families, RUNTIME_METRICS.activeHandles, { type: 'Timeout' })).toBeGreaterThanOrEqual(1);
      const requests = families.get(RUNTIME_METRICS.activeRequests)?.series ?? [];
      expect(requests.every((s) => /Req|Wrap/.test(s.labels.type as string))).toBe(true);
      const handles = sampleValue(families, RUNTIME_METRICS.activeHandlesTotal);
      const total = sampleValue(families, RUNTIME_METRICS.activeResourcesTotal);
      expect(total).toBe(handles + sampleValue(families, RUNTIME_METRICS.activeRequestsTotal));
    } finally {
      clearTimeout(timer);
      server.close();
    }
  });

  it('sees a pending fs request as an active request', async () => {
    const read = new Promise((resolve) => readFile(fileURLToPath(import.meta.url), resolve));
    // gather() runs the collectors synchronously, before the read's callback can run.
    const gathered = registry.gather();
    await read;
    const { families } = await gathered;
    const requests = families.find((f) => f.name === RUNTIME_METRICS.activeRequests);
    const text = registry.render(requests ? [requests] : []);
    expect(text).toMatch(/nodejs_active_requests\{type="FSReqCallback"\} [1-9]/);
  });

  it('reports the Node.js version', async () => {
    const families = await scrape(registry);
    const [major, minor, patch] = process.versions.node.split('.');
    expect(
      sampleValue(families, RUNTIME_METRICS.versionInfo, {
        version: process.version,
        major: major as string,
        minor: minor as string,
        patch: patch as string,
      }),
    ).toBe(1);
  });

  it('refuses an event-loop resolution below 1 ms', () => {
    expect(() => collectRuntimeMetrics({ registry: new Registry(), eventLoopResolutionMs: 0 })).toThrow(
      /VIGIL_ERR_INVALID_OPTION/,
    );
  });
});
