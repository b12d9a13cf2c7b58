import { describe, expect, it } from 'vitest';
import {
  agentMetrics,
  agentSuccessRatioQuery,
  cacheHitRatioQuery,
  cacheMetrics,
  classifyError,
  databaseMetrics,
  jobMetrics,
  llmMetrics,
  modelMetrics,
  outboundMetrics,
  workerMetrics,
} from '../../../src/catalog/index.js';
import { Registry } from '../../../src/metrics/index.js';

const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
const codeError = (code: string) => Object.assign(new Error(code), { code });
const fail = (error: unknown) => () => {
  throw error;
};

describe('classifyError', () => {
  it.each([
    [httpError(429), 'rate_limit'],
    [{ response: { status: 429 } }, 'rate_limit'],
    [{ statusCode: 503 }, 'server'],
    [httpError(404), 'client'],
    [codeError('ETIMEDOUT'), 'timeout'],
    [Object.assign(new Error('t'), { name: 'TimeoutError' }), 'timeout'],
    [Object.assign(new Error('a'), { name: 'AbortError' }), 'aborted'],
    [codeError('ECONNREFUSED'), 'network'],
    [new TypeError('fetch failed', { cause: codeError('ENOTFOUND') }), 'network'],
    [new Error('plain'), 'other'],
    ['a string', 'other'],
    [undefined, 'other'],
  ])('%s → %s', (error, kind) => {
    expect(classifyError(error)).toBe(kind);
  });
});

describe('outbound', () => {
  it('counts errors by kind, and a 429 as a rate limit too', () => {
    const m = outboundMetrics({ registry: new Registry() });
    const l = { provider: 'github', endpoint: '/repos/:owner' };
    expect(() => m.time(l, fail(httpError(429)))).toThrow();
    expect(() => m.time(l, fail(codeError('ECONNRESET')))).toThrow();
    m.rateLimited(l);
    expect(m.errors.get({ ...l, kind: 'rate_limit' })).toBe(1);
    expect(m.errors.get({ ...l, kind: 'network' })).toBe(1);
    expect(m.rateLimits.get(l)).toBe(2);
    expect(m.requests.get({ ...l, outcome: 'error' })).toBe(2);
  });

  it('takes a custom classifier', () => {
    const m = outboundMetrics({ registry: new Registry(), classify: () => 'mine' });
    const l = { provider: 'p', endpoint: '/e' };
    expect(() => m.time(l, fail(httpError(500)))).toThrow();
    expect(m.errors.get({ ...l, kind: 'mine' })).toBe(1);
  });

  it('checks labels before running the call', () => {
    const m = outboundMetrics({ registry: new Registry() });
    let ran = false;
    expect(() =>
      m.time({ provider: 'p' } as unknown as { provider: string; endpoint: string }, () => {
        ran = true;
      }),
    ).toThrow(/VIGIL_ERR_LABEL/);
    expect(ran).toBe(false);
  });
});

describe('llm', () => {
  it('records tokens, estimated cost, time to first token once, and a 429 as a rate limit', async () => {
    const m = llmMetrics({ registry: new Registry(), prices: { 'gpt-4o': { input: 2.5, output: 10 } } });
    const l = { provider: 'openai', model: 'gpt-4o' };
    await m.time(l, async (call) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      call.firstToken();
      call.firstToken();
      call.tokens({ input: 1000, output: 500 });
    });
    expect(m.tokens.get({ ...l, type: 'input' })).toBe(1000);
    expect(m.tokens.get({ ...l, type: 'output' })).toBe(500);
    expect(m.cost.get(l)).toBeCloseTo((1000 * 2.5 + 500 * 10) / 1e6, 12);
    const ttft = m.timeToFirstToken.labels(l);
    expect(ttft.count).toBe(1);
    expect(ttft.sum).toBeGreaterThanOrEqual(0.015);
    await expect(m.time(l, () => Promise.reject(httpError(429)))).rejects.toThrow();
    expect(m.rateLimits.get(l)).toBe(1);
    expect(m.requests.get({ ...l, outcome: 'error' })).toBe(1);
  });

  it('adds no cost for a model without a price, and counts ended calls once', () => {
    const m = llmMetrics({ registry: new Registry() });
    const l = { provider: 'local', model: 'llama' };
    const call = m.start(l);
    call.tokens({ input: 10 });
    call.cost(0.5);
    call.end('success');
    call.end('error');
    expect(m.cost.get(l)).toBe(0.5);
    expect(m.requests.get({ ...l, outcome: 'success' })).toBe(1);
    expect(m.requests.get({ ...l, outcome: 'error' })).toBe(0);
  });
});

describe('agents', () => {
  it('shows a task in progress while it runs, and gives the success ratio query', async () => {
    const m = agentMetrics({ registry: new Registry() });
    let seen = -1;
    await m.time({ agent: 'triage' }, async () => {
      seen = m.inProgress.get({ agent: 'triage' });
    });
    expect(seen).toBe(1);
    expect(m.inProgress.get({ agent: 'triage' })).toBe(0);
    expect(agentSuccessRatioQuery('10m', 'app_')).toBe(
      'sum by (agent) (rate(app_agent_tasks_total{outcome="success"}[10m])) / sum by (agent) (rate(app_agent_tasks_total[10m]))',
    );
    expect(() => agentSuccessRatioQuery('5 minutes')).toThrow(/VIGIL_ERR_INVALID_OPTION/);
  });
});

describe('database', () => {
  it('reads tracked pools at scrape time, until untracked', async () => {
    const registry = new Registry();
    const db = databaseMetrics({ registry });
    const state = { size: 5, available: 2 };
    const untrack = db.trackPool('primary', () => ({ ...state, max: 10 }));
    // A second get-or-create call shares the tracked pools.
    databaseMetrics({ registry }).trackPool('replica', () => ({ size: 1, available: 1 }));
    await registry.gather();
    expect(db.poolConnections.get({ pool: 'primary' })).toBe(5);
    expect(db.poolAvailable.get({ pool: 'primary' })).toBe(2);
    expect(db.poolMax.get({ pool: 'primary' })).toBe(10);
    expect(db.poolConnections.get({ pool: 'replica' })).toBe(1);
    state.available = 0;
    await registry.gather();
    expect(db.poolAvailable.get({ pool: 'primary' })).toBe(0);
    untrack();
    state.available = 4;
    await registry.gather();
    expect(db.poolAvailable.get({ pool: 'primary' })).toBe(0);
  });
});

describe('cache', () => {
  it('records lookups as hits and misses, errors as errors, and the hit ratio', async () => {
    const registry = new Registry();
    const cache = cacheMetrics({ registry });
    const l = { cache: 'users', operation: 'get' };
    expect(cache.lookup(l, () => 'alice')).toBe('alice');
    expect(cache.lookup(l, () => undefined)).toBeUndefined();
    await cache.lookup(l, async () => null);
    await cache.lookup(l, async () => 0); // a falsy value is still a hit
    expect(() => cache.lookup(l, fail(new Error('down')))).toThrow('down');
    expect(cache.operations.get({ ...l, result: 'hit' })).toBe(2);
    expect(cache.operations.get({ ...l, result: 'miss' })).toBe(2);
    expect(cache.operations.get({ ...l, result: 'error' })).toBe(1);
    expect(cache.duration.labels(l).count).toBe(5);
    cache.hit({ cache: 'users', operation: 'mget' });
    await registry.gather();
    expect(cache.hitRatio.get({ cache: 'users' })).toBe(3 / 5);
    expect(cacheHitRatioQuery()).toContain('rate(cache_operations_total{result="hit"}[5m])');
  });
});

describe('jobs', () => {
  it('tracks waiting jobs by queue and priority, and jobs in progress by type', async () => {
    const jobs = jobMetrics({ registry: new Registry() });
    const q = { queue: 'mail', priority: 'high' };
    jobs.enqueue(q);
    jobs.enqueue(q, 2);
    jobs.dequeue(q);
    expect(jobs.enqueued.get(q)).toBe(3);
    expect(jobs.queued.get(q)).toBe(2);
    let during = -1;
    await jobs.time({ type: 'send' }, async () => {
      during = jobs.inProgress.get({ type: 'send' });
    });
    expect(during).toBe(1);
    expect(jobs.inProgress.get({ type: 'send' })).toBe(0);
    jobs.record({ type: 'send' }, 'retry', 0.1);
    expect(jobs.processed.get({ type: 'send', status: 'retry' })).toBe(1);
  });
});

describe('models', () => {
  it('marks models loaded and unloaded, and counts a failed step as an error event', async () => {
    const models = modelMetrics({ registry: new Registry() });
    await models.load('llama', async () => {});
    expect(models.loaded.get({ model: 'llama' })).toBe(1);
    expect(() => models.load('mistral', fail(new Error('no memory')))).toThrow();
    expect(models.loaded.get({ model: 'mistral' })).toBe(0);
    expect(models.events.get({ model: 'mistral', event: 'error' })).toBe(1);
    expect(models.events.get({ model: 'mistral', event: 'load' })).toBe(0);
    models.unload('llama', () => {});
    expect(models.loaded.get({ model: 'llama' })).toBe(0);
    expect(models.events.get({ model: 'llama', event: 'unload' })).toBe(1);
    models.record('llama', 'inference', 0.2);
    expect(models.duration.labels({ model: 'llama', event: 'inference' }).sum).toBeCloseTo(0.2, 12);
  });
});

describe('workers', () => {
  it('records runs by trigger, last run and last success times, files and errors by kind', async () => {
    const workers = workerMetrics({ registry: new Registry() });
    const l = { worker: 'audit', trigger: 'schedule' };
    const before = Date.now() / 1000;
    await workers.time(l, async () => {
      workers.fileProcessed({ worker: 'audit' }, 3);
      workers.fileProcessed({ worker: 'audit', outcome: 'error' });
    });
    const success = workers.lastSuccess.get({ worker: 'audit' });
    expect(success).toBeGreaterThanOrEqual(before);
    expect(success).toBeLessThanOrEqual(Date.now() / 1000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(
      workers.time({ ...l, trigger: 'manual' }, () => Promise.reject(codeError('ETIMEDOUT'))),
    ).rejects.toThrow();
    expect(workers.lastRun.get({ worker: 'audit' })).toBeGreaterThan(success);
    expect(workers.lastSuccess.get({ worker: 'audit' })).toBe(success);
    expect(workers.runs.get({ ...l, outcome: 'success' })).toBe(1);
    expect(workers.runs.get({ worker: 'audit', trigger: 'manual', outcome: 'error' })).toBe(1);
    expect(workers.errors.get({ worker: 'audit', kind: 'timeout' })).toBe(1);
    expect(workers.filesProcessed.get({ worker: 'audit', outcome: 'success' })).toBe(3);
    expect(workers.filesProcessed.get({ worker: 'audit', outcome: 'error' })).toBe(1);
  });
});
