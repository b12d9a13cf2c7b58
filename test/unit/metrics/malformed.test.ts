import { describe, expect, it } from 'vitest';
import { type Family, Registry, type VigilError } from '../../../src/metrics/index.js';

describe('malformed input from collectors and exemplars', () => {
  it('leaves out a malformed collector family and serves the rest', async () => {
    const registry = new Registry();
    registry.gauge({ name: 'kept', help: 'Still served.' }).set(4);
    registry.registerCollector('broken', {
      collect: () => [{ name: 'bad family', help: 'x', type: 'gauge', unit: '', labelNames: [], series: [] } as Family],
    });
    registry.registerCollector('wrong-shape', {
      collect: () => [
        {
          name: 'h',
          help: 'x',
          type: 'histogram',
          unit: '',
          labelNames: [],
          upperBounds: [1],
          series: [{ labelText: '', counts: [1], sum: 1, count: 1 }],
        },
      ],
    });
    const { families, errors } = await registry.gather();
    expect(families.map((f) => f.name)).toEqual(['kept']);
    expect(errors.map((e) => (e.error as VigilError).code)).toEqual(['VIGIL_ERR_COLLECT', 'VIGIL_ERR_COLLECT']);
    expect(String(errors[1]?.error)).toContain('does not fit its type histogram');
    expect(registry.render(families)).toContain('kept 4\n');
  });

  it('rejects an exemplar label value that is not a string, number or boolean, and records nothing', () => {
    const registry = new Registry();
    const counter = registry.counter({ name: 'c_total', help: 'c' });
    expect(() => counter.inc(1, { trace_id: undefined as unknown as string })).toThrow(
      expect.objectContaining({ code: 'VIGIL_ERR_EXEMPLAR' }),
    );
    expect(counter.get()).toBe(0);
  });

  it('names the conflicting buckets when two histogram definitions differ only there', () => {
    const registry = new Registry();
    registry.histogram({ name: 'd_seconds', help: 'd', buckets: [1, 2] });
    expect(() => registry.histogram({ name: 'd_seconds', help: 'd', buckets: [1, 5] })).toThrow(
      /buckets \[1, 2\].*buckets \[1, 5\]/,
    );
  });
});
