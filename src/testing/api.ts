import { DIAGNOSTIC_PREFIX, type Measurements } from './samples.js';

/** What a test records about itself; see `testMetrics`. */
export interface TestMetrics {
  /** One latency sample of `operation`, in milliseconds; the run reports p50/p95/p99/mean. */
  recordLatency(operation: string, ms: number): void;
  /** A measured throughput of `operation`, operations per second; the run reports the mean. */
  recordThroughput(operation: string, opsPerSec: number): void;
  /** Any value; the run reports the last one per name and labels as `vigil_test_value{name,...labels}`. */
  recordValue(name: string, value: number, labels?: Readonly<Record<string, string | number | boolean>>): void;
}

/** The part of Vitest's test context used here (`{ task }`), without importing Vitest. */
interface VitestContext {
  task: { meta: Record<string, unknown> };
}

/** The part of node:test's `TestContext` used here. */
interface NodeTestContext {
  diagnostic(message: string): void;
  after?(fn: () => void): void;
}

/** The key of Vitest's `task.meta` that carries a test's measurements. */
export const META_KEY = 'vigil';

function checkSample(kind: string, operation: string, value: number): boolean {
  if (typeof operation !== 'string' || operation === '') {
    throw new TypeError(`vigil: ${kind} needs an operation name, got ${JSON.stringify(operation)}.`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`vigil: ${kind}("${operation}") needs a finite number, got ${String(value)}.`);
  }
  return true;
}

function recorder(store: () => Measurements, changed: () => void): TestMetrics {
  const add = (key: 'latency' | 'throughput', operation: string, value: number) => {
    const m = store();
    const byOp = m[key] ?? {};
    m[key] = byOp;
    const list = byOp[operation] ?? [];
    byOp[operation] = list;
    list.push(value);
    changed();
  };
  return {
    recordLatency(operation, ms) {
      checkSample('recordLatency', operation, ms);
      add('latency', operation, ms);
    },
    recordThroughput(operation, opsPerSec) {
      checkSample('recordThroughput', operation, opsPerSec);
      add('throughput', operation, opsPerSec);
    },
    recordValue(name, value, labels = {}) {
      if (typeof name !== 'string' || name === '') throw new TypeError('vigil: recordValue needs a name.');
      if (typeof value !== 'number') throw new TypeError(`vigil: recordValue("${name}") needs a number.`);
      const m = store();
      const text: Record<string, string> = {};
      for (const [k, v] of Object.entries(labels)) text[k] = String(v);
      const values = m.values ?? [];
      m.values = values;
      values.push({ name, value, labels: text });
      changed();
    },
  };
}

const nodeRecorders = new WeakMap<object, TestMetrics>();

/**
 * The in-test API for the test whose context is passed: Vitest's test context (`(ctx) =>`,
 * measurements go to `task.meta.vigil`) or node:test's `TestContext` (`(t) =>`, one
 * diagnostic `vigil:{...}` when the test ends, or at each call where `t.after` is missing).
 * The reporters of `vigil/testing/vitest` and `vigil/testing/node` read them.
 *
 * @example
 * // Vitest
 * it('answers fast', async (ctx) => {
 *   const m = testMetrics(ctx);
 *   const t0 = performance.now();
 *   await client.get('/health');
 *   m.recordLatency('health', performance.now() - t0);
 * });
 * // node:test
 * test('ingests', (t) => testMetrics(t).recordThroughput('ingest', 5400));
 */
export function testMetrics(context: unknown): TestMetrics {
  const ctx = context as Partial<VitestContext & NodeTestContext> | null;
  const task = ctx?.task;
  if (task !== undefined && task !== null && typeof task.meta === 'object' && task.meta !== null) {
    const meta = task.meta;
    const store = () => {
      const current = meta[META_KEY];
      if (current !== null && typeof current === 'object') return current as Measurements;
      const fresh: Measurements = {};
      meta[META_KEY] = fresh;
      return fresh;
    };
    return recorder(store, () => {});
  }
  if (ctx !== null && typeof ctx?.diagnostic === 'function') {
    const existing = nodeRecorders.get(ctx);
    if (existing) return existing;
    const node = ctx as NodeTestContext;
    let pending: Measurements = {};
    const flush = () => {
      if (Object.keys(pending).length === 0) return;
      node.diagnostic(DIAGNOSTIC_PREFIX + JSON.stringify(pending));
      pending = {};
    };
    const batched = typeof node.after === 'function';
    // Diagnostics added in an `after` hook still belong to the test's report: one line per test.
    if (batched) node.after?.(flush);
    const api = recorder(() => pending, batched ? () => {} : flush);
    nodeRecorders.set(ctx, api);
    return api;
  }
  throw new TypeError(
    "vigil: testMetrics needs the test's context: Vitest `it('...', (ctx) => testMetrics(ctx))`, node:test `test('...', (t) => testMetrics(t))`.",
  );
}
