import { describe, expect, expectTypeOf, it } from 'vitest';
import { cacheMetrics, type LlmCall, llmMetrics, outboundMetrics } from '../../../src/catalog/index.js';
import { Registry } from '../../../src/metrics/index.js';

describe('catalog types', () => {
  it('require every label and pass the timed function’s type through', async () => {
    const m = outboundMetrics({ registry: new Registry() });
    // @ts-expect-error endpoint is required
    expect(() => m.time({ provider: 'p' }, () => 1)).toThrow(/VIGIL_ERR_LABEL/);
    // @ts-expect-error outbound_requests_total has no `extra` label
    expect(() => m.requests.inc({ provider: 'p', endpoint: '/e', outcome: 'success', extra: 1 })).toThrow();
    expectTypeOf(m.time({ provider: 'p', endpoint: '/e' }, () => 1)).toEqualTypeOf<number>();
    const pending = m.time({ provider: 'p', endpoint: '/e' }, async () => 'x');
    expectTypeOf(pending).toEqualTypeOf<Promise<string>>();
    expect(await pending).toBe('x');
  });

  it('hand the LLM call tracker to the timed function', () => {
    const llm = llmMetrics({ registry: new Registry() });
    llm.time({ provider: 'p', model: 'm' }, (call) => {
      expectTypeOf(call).toEqualTypeOf<LlmCall>();
      call.tokens({ output: 1 });
    });
    expect(llm.tokens.get({ provider: 'p', model: 'm', type: 'output' })).toBe(1);
  });

  it('limit cache results to the documented values', () => {
    const cache = cacheMetrics({ registry: new Registry() });
    // @ts-expect-error 'stale' is not a cache result
    cache.record({ cache: 'c', operation: 'get' }, 'stale');
    cache.record({ cache: 'c', operation: 'get' }, 'hit', 0.001);
    expect(cache.operations.get({ cache: 'c', operation: 'get', result: 'hit' })).toBe(1);
  });
});
