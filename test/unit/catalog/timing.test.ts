import { describe, expect, it } from 'vitest';
import {
  agentMetrics,
  cacheMetrics,
  databaseMetrics,
  jobMetrics,
  llmMetrics,
  modelMetrics,
  outboundMetrics,
  timeOutcome,
  workerMetrics,
} from '../../../src/catalog/index.js';
import { Registry } from '../../../src/metrics/index.js';

/** One set's `time`, and how to read back what it recorded. */
interface Timed {
  run<R>(fn: () => R): R;
  /** Calls counted per outcome. */
  count(outcome: 'success' | 'error'): number;
  /** Durations observed per outcome. */
  observed(outcome: 'success' | 'error'): number;
}

const sets: Record<string, (registry: Registry) => Timed> = {
  outbound(registry) {
    const m = outboundMetrics({ registry });
    const l = { provider: 'stripe', endpoint: '/v1/charges' };
    return {
      run: (fn) => m.time(l, fn),
      count: (outcome) => m.requests.get({ ...l, outcome }),
      observed: (outcome) => m.duration.labels({ ...l, outcome }).count,
    };
  },
  llm(registry) {
    const m = llmMetrics({ registry });
    const l = { provider: 'openai', model: 'gpt-4o' };
    return {
      run: (fn) => m.time(l, () => fn()),
      count: (outcome) => m.requests.get({ ...l, outcome }),
      observed: (outcome) => m.duration.labels({ ...l, outcome }).count,
    };
  },
  agent(registry) {
    const m = agentMetrics({ registry });
    return {
      run: (fn) => m.time({ agent: 'researcher' }, fn),
      count: (outcome) => m.tasks.get({ agent: 'researcher', outcome }),
      observed: (outcome) => m.duration.labels({ agent: 'researcher', outcome }).count,
    };
  },
  database(registry) {
    const m = databaseMetrics({ registry });
    const l = { operation: 'select', table: 'users' };
    return {
      run: (fn) => m.time(l, fn),
      count: (outcome) => m.queries.get({ ...l, outcome }),
      observed: (outcome) => m.duration.labels({ ...l, outcome }).count,
    };
  },
  cache(registry) {
    const m = cacheMetrics({ registry });
    const l = { cache: 'users', operation: 'set' };
    return {
      run: (fn) => m.time(l, fn),
      count: (outcome) => m.operations.get({ ...l, result: outcome }),
      // The cache's duration is by operation only: every outcome counts.
      observed: () => m.duration.labels(l).count,
    };
  },
  jobs(registry) {
    const m = jobMetrics({ registry });
    return {
      run: (fn) => m.time({ type: 'send-email' }, fn),
      count: (status) => m.processed.get({ type: 'send-email', status }),
      observed: (status) => m.duration.labels({ type: 'send-email', status }).count,
    };
  },
  models(registry) {
    const m = modelMetrics({ registry });
    const event = (outcome: 'success' | 'error') => (outcome === 'success' ? 'inference' : 'error');
    return {
      run: (fn) => m.infer('llama', fn),
      count: (outcome) => m.events.get({ model: 'llama', event: event(outcome) }),
      observed: (outcome) => m.duration.labels({ model: 'llama', event: event(outcome) }).count,
    };
  },
  workers(registry) {
    const m = workerMetrics({ registry });
    return {
      run: (fn) => m.time({ worker: 'audit', trigger: 'schedule' }, fn),
      count: (outcome) => m.runs.get({ worker: 'audit', trigger: 'schedule', outcome }),
      observed: (outcome) => m.duration.labels({ worker: 'audit', outcome }).count,
    };
  },
};

const boom = new Error('boom');

describe.each(Object.entries(sets))('%s set: time()', (_, make) => {
  it('records a sync success and returns its value', () => {
    const t = make(new Registry());
    expect(t.run(() => 42)).toBe(42);
    expect([t.count('success'), t.count('error')]).toEqual([1, 0]);
    expect(t.observed('success')).toBe(1);
  });

  it('records a sync throw as an error and rethrows the same error', () => {
    const t = make(new Registry());
    expect(() =>
      t.run(() => {
        throw boom;
      }),
    ).toThrow(boom);
    expect([t.count('success'), t.count('error')]).toEqual([0, 1]);
  });

  it('records an async success when the promise resolves, not before', async () => {
    const t = make(new Registry());
    let release = (_: string) => {};
    const pending = t.run(() => new Promise<string>((resolve) => (release = resolve)));
    expect(t.count('success')).toBe(0);
    release('done');
    await expect(pending).resolves.toBe('done');
    expect([t.count('success'), t.count('error')]).toEqual([1, 0]);
    expect(t.observed('success')).toBe(1);
  });

  it('records an async rejection as an error and passes the rejection on', async () => {
    const t = make(new Registry());
    await expect(t.run(async () => Promise.reject(boom))).rejects.toBe(boom);
    expect([t.count('success'), t.count('error')]).toEqual([0, 1]);
  });

  it('observes the time the work took', async () => {
    const registry = new Registry();
    const t = make(registry);
    await t.run(() => new Promise((resolve) => setTimeout(resolve, 30)));
    const { families } = await registry.gather();
    const sums = families
      .filter((f) => f.type === 'histogram' && !f.name.includes('first_token'))
      .flatMap((f) => f.series.map((s) => ('sum' in s ? s.sum : 0)));
    expect(Math.max(...sums)).toBeGreaterThanOrEqual(0.025);
    expect(Math.max(...sums)).toBeLessThan(5);
  });
});

describe('timeOutcome', () => {
  it('hands the value on success and the error on failure to done()', async () => {
    const seen: unknown[] = [];
    const done = (outcome: string, seconds: number, detail: unknown) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      seen.push([outcome, detail]);
    };
    timeOutcome(() => 1, done);
    await timeOutcome(async () => 2, done);
    expect(() =>
      timeOutcome(() => {
        throw boom;
      }, done),
    ).toThrow(boom);
    await expect(timeOutcome(() => Promise.reject(boom), done)).rejects.toBe(boom);
    expect(seen).toEqual([
      ['success', 1],
      ['success', 2],
      ['error', boom],
      ['error', boom],
    ]);
  });

  it('treats any thenable as async', async () => {
    const seen: string[] = [];
    // biome-ignore lint/suspicious/noThenProperty: the point of the test is a non-Promise thenable
    const thenable = { then: (resolve: (v: number) => void) => setTimeout(() => resolve(7), 1) };
    const result = timeOutcome(
      () => thenable,
      (outcome) => seen.push(outcome),
    );
    expect(seen).toEqual([]);
    await expect(result).resolves.toBe(7);
    expect(seen).toEqual(['success']);
  });
});
