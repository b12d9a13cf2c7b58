/**
 * Measuring primitives: time per operation, bytes allocated, retained heap. Everything
 * here runs outside the timed loops; the loops themselves live in the cases.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';

const collect = globalThis.gc;

/** A full, synchronous garbage collection. Needs `node --expose-gc` (scripts/bench.sh passes it). */
export function gc(): void {
  if (collect === undefined) throw new Error('run the benchmark with `node --expose-gc` (npm run bench does)');
  collect();
}

/** A loop that performs one operation `n` times. */
export type Loop = (n: number) => void;

/** Nanoseconds per operation for one round of `n` operations, after a full GC. */
export function nsPerOp(loop: Loop, n: number): number {
  gc();
  const start = process.hrtime.bigint();
  loop(n);
  return Number(process.hrtime.bigint() - start) / n;
}

/** Milliseconds taken by one call of an async function, after a full GC. */
export async function msPerCall(fn: () => Promise<unknown>): Promise<number> {
  gc();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Bytes allocated on the V8 heap while `fn` runs: the growth of the used heap plus what
 * every GC in between freed (read from a GCProfiler, so a scavenge mid-run is accounted
 * for instead of hiding the allocations it collected). Objects that escape analysis
 * removed are not allocated and do not count, as in production.
 */
export async function bytesAllocated(fn: () => unknown): Promise<number> {
  gc();
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  await fn();
  const after = getHeapStatistics().used_heap_size;
  let freed = 0;
  for (const event of profiler.stop().statistics) {
    freed += event.beforeGC.heapStatistics.usedHeapSize - event.afterGC.heapStatistics.usedHeapSize;
  }
  return after - before + freed;
}

/** Heap still in use after a full GC, as `process.memoryUsage().heapUsed` reports it. */
export function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs `loop` for about `ms` milliseconds so every tier of the JIT has seen it; returns ns/op. */
export function warmUp(loop: Loop, ms: number): number {
  let n = 1_000;
  let spent = 0;
  let perOp = 0;
  while (spent < ms * 1e6) {
    const start = process.hrtime.bigint();
    loop(n);
    const took = Number(process.hrtime.bigint() - start);
    spent += took;
    perOp = took / n;
    if (took < 5e6) n *= 2;
  }
  return perOp;
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** (max - min) / median: how far apart the rounds were. */
export function spread(xs: readonly number[]): number {
  return (Math.max(...xs) - Math.min(...xs)) / median(xs);
}
