import { describe, expect, it } from 'vitest';
import { nearestRank, parseDiagnostic, testMetrics } from '../../../src/testing/index.js';

describe('nearestRank', () => {
  it('picks the smallest sample with at least q·n samples at or below it', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRank(sorted, 0.5)).toBe(50);
    expect(nearestRank(sorted, 0.95)).toBe(95);
    expect(nearestRank(sorted, 0.99)).toBe(99);
    expect(nearestRank(sorted, 1)).toBe(100);
    expect(nearestRank([7], 0.99)).toBe(7);
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
    expect(nearestRank([], 0.5)).toBeNaN();
  });
});

describe('testMetrics with a Vitest context', () => {
  it('accumulates into task.meta.vigil', (ctx) => {
    const m = testMetrics(ctx);
    m.recordLatency('op', 3);
    testMetrics(ctx).recordLatency('op', 4);
    m.recordThroughput('ingest', 10);
    m.recordValue('ratio', 0.5, { cache: 'lru', n: 2 });
    expect(ctx.task.meta).toMatchObject({
      vigil: {
        latency: { op: [3, 4] },
        throughput: { ingest: [10] },
        values: [{ name: 'ratio', value: 0.5, labels: { cache: 'lru', n: '2' } }],
      },
    });
    delete (ctx.task.meta as Record<string, unknown>).vigil;
  });

  it('refuses bad samples and contexts with a message that says what to pass', () => {
    const m = testMetrics({ task: { meta: {} } });
    expect(() => m.recordLatency('op', Number.NaN)).toThrow(/finite number/);
    expect(() => m.recordLatency('', 1)).toThrow(/operation name/);
    expect(() => testMetrics({})).toThrow(/test's context/);
  });
});

describe('testMetrics with a node:test context', () => {
  it('sends one vigil: diagnostic when the test ends', () => {
    const messages: string[] = [];
    const hooks: (() => void)[] = [];
    const t = { diagnostic: (m: string) => messages.push(m), after: (fn: () => void) => hooks.push(fn) };
    const m = testMetrics(t);
    m.recordLatency('op', 1);
    testMetrics(t).recordLatency('op', 2);
    m.recordValue('v', 3);
    expect(messages).toEqual([]);
    expect(hooks).toHaveLength(1);
    for (const hook of hooks) hook();
    expect(messages).toHaveLength(1);
    expect(parseDiagnostic(messages[0] as string)).toEqual({
      latency: { op: [1, 2] },
      values: [{ name: 'v', value: 3, labels: {} }],
    });
  });

  it('sends a diagnostic per call where t.after is missing', () => {
    const messages: string[] = [];
    const m = testMetrics({ diagnostic: (msg: string) => messages.push(msg) });
    m.recordThroughput('x', 1);
    m.recordThroughput('x', 2);
    expect(messages.map(parseDiagnostic)).toEqual([{ throughput: { x: [1] } }, { throughput: { x: [2] } }]);
  });

  it('ignores diagnostics that are not Vigil JSON, and drops malformed parts', () => {
    expect(parseDiagnostic('tests 4')).toBeUndefined();
    expect(parseDiagnostic('vigil:{not json')).toBeUndefined();
    expect(parseDiagnostic('vigil:{"latency":{"a":[1,"x",null,2]},"values":[{"name":1}]}')).toEqual({
      latency: { a: [1, 2] },
      values: [],
    });
  });
});
