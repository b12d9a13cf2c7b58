import { describe, expect, it } from 'vitest';
import { CollectError, type FamilySnapshot, OVERFLOW_METRIC, Registry } from '../../../src/metrics/index.js';
import { rejection } from './helpers.js';

describe('registry.snapshot()', () => {
  it('returns every family as plain data, with labels parsed back and values as numbers', async () => {
    const r = new Registry({ defaultLabels: { svc: 'api', k: 'default' } });
    r.counter({ name: 'req_total', help: 'Requests.', labelNames: ['k'] }).inc({ k: 'a"b\\c\nd' }, 2);
    r.gauge({ name: 'temp_celsius', help: 'T.', unit: 'celsius', constLabels: { room: 'x' } }).set(21);
    const h = r.histogram({ name: 'lat_seconds', help: 'L.', buckets: [0.1, 1] });
    h.observe(0.05);
    h.observe(0.5);
    h.observe(3);
    const s = r.summary({ name: 'size_bytes', help: 'S.', percentiles: [0, 1] });
    s.observe(4);
    s.observe(8);

    const snapshot: FamilySnapshot[] = await r.snapshot();
    expect(snapshot).toEqual([
      {
        name: 'req_total',
        help: 'Requests.',
        type: 'counter',
        unit: '',
        series: [{ labels: { svc: 'api', k: 'a"b\\c\nd' }, value: 2 }],
      },
      {
        name: 'temp_celsius',
        help: 'T.',
        type: 'gauge',
        unit: 'celsius',
        series: [{ labels: { svc: 'api', k: 'default', room: 'x' }, value: 21 }],
      },
      {
        name: 'lat_seconds',
        help: 'L.',
        type: 'histogram',
        unit: '',
        series: [
          {
            labels: { svc: 'api', k: 'default' },
            buckets: [
              { le: 0.1, count: 1 },
              { le: 1, count: 2 },
              { le: Number.POSITIVE_INFINITY, count: 3 },
            ],
            sum: 3.55,
            count: 3,
          },
        ],
      },
      {
        name: 'size_bytes',
        help: 'S.',
        type: 'summary',
        unit: '',
        series: [
          {
            labels: { svc: 'api', k: 'default' },
            quantiles: [
              { quantile: 0, value: 4 },
              { quantile: 1, value: 8 },
            ],
            sum: 12,
            count: 2,
          },
        ],
      },
    ]);
  });

  it('lets a series’ own label win over a default label of the same name', async () => {
    const r = new Registry({ defaultLabels: { env: 'prod' } });
    r.gauge({ name: 'g', help: 'x', labelNames: ['env'] }).set({ env: 'dev' }, 1);
    const [family] = await r.snapshot();
    expect(family?.series).toEqual([{ labels: { env: 'dev' }, value: 1 }]);
  });

  it('includes collectors’ families and the overflow family', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'hits_total', help: 'x', labelNames: ['u'], maxSeries: 1 });
    c.inc({ u: 'a' });
    c.inc({ u: 'b' });
    r.registerCollector('ext', {
      collect: () => [
        {
          name: 'ext_up',
          help: 'x',
          type: 'gauge',
          unit: '',
          labelNames: ['job'],
          series: [{ labelText: 'job="j"', value: 1 }],
        },
      ],
    });
    const snapshot = await r.snapshot();
    expect(snapshot.map((f) => f.name)).toEqual(['hits_total', 'ext_up', OVERFLOW_METRIC]);
    expect(snapshot[0]?.series).toEqual([
      { labels: { u: 'a' }, value: 1 },
      { labels: { u: '__overflow__' }, value: 1 },
    ]);
    expect(snapshot[1]?.series).toEqual([{ labels: { job: 'j' }, value: 1 }]);
    expect(snapshot[2]?.series).toEqual([{ labels: { metric: 'hits_total' }, value: 1 }]);
  });

  it('rejects with a CollectError when a collect callback fails', async () => {
    const r = new Registry();
    r.gauge({
      name: 'g',
      help: 'x',
      collect() {
        throw new Error('nope');
      },
    });
    const error = await rejection(r.snapshot());
    expect(error).toBeInstanceOf(CollectError);
    expect((error as CollectError).errors).toHaveLength(1);
  });

  it('is a copy: later updates do not change it', async () => {
    const r = new Registry();
    const g = r.gauge({ name: 'g', help: 'x' });
    g.set(1);
    const before = await r.snapshot();
    g.set(2);
    expect(before[0]?.series).toEqual([{ labels: {}, value: 1 }]);
    expect((await r.snapshot())[0]?.series).toEqual([{ labels: {}, value: 2 }]);
  });
});
