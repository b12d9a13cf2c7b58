import { describe, expect, it } from 'vitest';
import {
  AlreadyRegisteredError,
  CONTENT_TYPE_OPENMETRICS,
  CONTENT_TYPE_TEXT,
  CollectError,
  Counter,
  type Family,
  Gauge,
  Histogram,
  OVERFLOW_METRIC,
  Registry,
  register,
  Summary,
  type VigilError,
} from '../../../src/metrics/index.js';
import { defaultRegistry } from '../../../src/metrics/registry.js';
import { codeOf, rejection, thrown } from './helpers.js';

function gaugeFamily(name: string, value = 1): Family {
  return { name, help: `${name} help`, type: 'gauge', unit: '', labelNames: [], series: [{ labelText: '', value }] };
}

describe('get-or-create', () => {
  it('returns the registered metric for the same definition, from the registry and from new', () => {
    const r = new Registry();
    const a = r.counter({ name: 'files_total', help: 'Files.', labelNames: ['kind'] });
    const b = r.counter({ name: 'files_total', help: 'Files.', labelNames: ['kind'] });
    const c = new Counter({ name: 'files_total', help: 'Files.', labelNames: ['kind'], registers: [r] });
    expect(b).toBe(a);
    expect(c).toBe(a);
    a.inc({ kind: 'x' });
    expect(c.get({ kind: 'x' })).toBe(1);
    expect(r.getMetrics()).toEqual([a]);
  });

  it('works for every metric type with all of its options', () => {
    const r = new Registry();
    const make = () => ({
      g: new Gauge({ name: 'g_bytes', help: 'g', unit: 'bytes', constLabels: { a: '1' }, registers: [r] }),
      h: new Histogram({ name: 'h_seconds', help: 'h', buckets: [1, 2], labelNames: ['x'], registers: [r] }),
      s: new Summary({ name: 's', help: 's', percentiles: [0.5], maxAgeSeconds: 60, ageBuckets: 3, registers: [r] }),
    });
    const first = make();
    const second = make();
    expect(second.g).toBe(first.g);
    expect(second.h).toBe(first.h);
    expect(second.s).toBe(first.s);
  });

  it('treats const labels in another key order as the same definition', () => {
    const r = new Registry();
    const a = r.gauge({ name: 'c', help: 'x', constLabels: { a: '1', b: '2' } });
    const b = r.gauge({ name: 'c', help: 'x', constLabels: { b: '2', a: '1' } });
    expect(b).toBe(a);
  });

  it('with registers: [] creates a new, unregistered metric each time', () => {
    const a = new Counter({ name: 'free_total', help: 'x', registers: [] });
    const b = new Counter({ name: 'free_total', help: 'x', registers: [] });
    expect(b).not.toBe(a);
    expect(defaultRegistry.getSingleMetric('free_total')).toBeUndefined();
  });

  it('registerMetric returns the identical metric registered earlier', () => {
    const r = new Registry();
    const a = new Counter({ name: 'm_total', help: 'x', registers: [] });
    const b = new Counter({ name: 'm_total', help: 'x', registers: [] });
    expect(r.registerMetric(a)).toBe(a);
    expect(r.registerMetric(b)).toBe(a);
    expect(r.registerMetric(a)).toBe(a);
  });

  it('registers one instance in several registries', async () => {
    const r1 = new Registry();
    const r2 = new Registry();
    const c = new Counter({ name: 'both_total', help: 'x', registers: [r1, r2] });
    c.inc();
    expect(r1.getSingleMetric('both_total')).toBe(c);
    expect(r2.getSingleMetric('both_total')).toBe(c);
    expect(await r2.metrics()).toContain('both_total 1\n');
    // Existing in one of them: that instance is used and recorded in the other.
    const r3 = new Registry();
    const again = new Counter({ name: 'both_total', help: 'x', registers: [r3, r1] });
    expect(again).toBe(c);
    expect(r3.getSingleMetric('both_total')).toBe(c);
  });

  it('refuses when the registries hold two different instances', () => {
    const r1 = new Registry();
    const r2 = new Registry();
    const a = r1.counter({ name: 'x_total', help: 'x' });
    r2.counter({ name: 'x_total', help: 'x' });
    const error = thrown(() => new Counter({ name: 'x_total', help: 'x', registers: [r1, r2] }));
    expect(error).toBeInstanceOf(AlreadyRegisteredError);
    expect((error as AlreadyRegisteredError).existing).toBe(a);
  });
});

describe('conflicting definitions', () => {
  it.each([
    ['another type', () => new Gauge({ name: 'size_bytes', help: 'Help A.', registers: [] })],
    ['another help', () => new Counter({ name: 'size_bytes', help: 'Help B.', registers: [] })],
    ['other labels', () => new Counter({ name: 'size_bytes', help: 'Help A.', labelNames: ['z'], registers: [] })],
    ['another unit', () => new Counter({ name: 'size_bytes', help: 'Help A.', unit: 'bytes', registers: [] })],
    [
      'other const labels',
      () => new Counter({ name: 'size_bytes', help: 'Help A.', constLabels: { a: 1 }, registers: [] }),
    ],
  ])('refuses the same name with %s, naming both definitions', (_, make) => {
    const r = new Registry();
    const existing = r.counter({ name: 'size_bytes', help: 'Help A.' });
    const error = thrown(() => r.registerMetric(make()));
    expect(error).toBeInstanceOf(AlreadyRegisteredError);
    expect(error.code).toBe('VIGIL_ERR_ALREADY_REGISTERED');
    expect((error as AlreadyRegisteredError).existing).toBe(existing);
    expect(error.message).toContain('already registered as counter with labels [] and help "Help A."');
    expect(error.message).toContain('the new definition is');
    expect(r.getSingleMetric('size_bytes')).toBe(existing);
  });

  it('names both types, helps and labels in the message', () => {
    const r = new Registry();
    r.counter({ name: 'svc_requests', help: 'Requests.', labelNames: ['method'] });
    const error = thrown(() => r.gauge({ name: 'svc_requests', help: 'In flight.', labelNames: ['route'] }));
    expect(error.message).toContain('counter with labels [method] and help "Requests."');
    expect(error.message).toContain('gauge with labels [route] and help "In flight."');
  });

  it('refuses other buckets, percentiles or window', () => {
    const r = new Registry();
    r.histogram({ name: 'h', help: 'x', buckets: [1, 2] });
    expect(codeOf(() => r.histogram({ name: 'h', help: 'x', buckets: [1, 3] }))).toBe('VIGIL_ERR_ALREADY_REGISTERED');
    r.summary({ name: 's', help: 'x', percentiles: [0.5] });
    expect(codeOf(() => r.summary({ name: 's', help: 'x', percentiles: [0.9] }))).toBe('VIGIL_ERR_ALREADY_REGISTERED');
    expect(codeOf(() => r.summary({ name: 's', help: 'x', percentiles: [0.5], maxAgeSeconds: 5 }))).toBe(
      'VIGIL_ERR_ALREADY_REGISTERED',
    );
  });

  it('checks every registry before recording in any', () => {
    const r1 = new Registry();
    const r2 = new Registry();
    r2.gauge({ name: 'q', help: 'x' });
    expect(codeOf(() => new Counter({ name: 'q', help: 'x', registers: [r1, r2] }))).toBe(
      'VIGIL_ERR_ALREADY_REGISTERED',
    );
    expect(r1.getSingleMetric('q')).toBeUndefined();
  });

  it('refuses a registers option that is not an array', () => {
    expect(
      codeOf(() => new Counter({ name: 'r_total', help: 'x', registers: new Registry() as unknown as Registry[] })),
    ).toBe('VIGIL_ERR_INVALID_OPTION');
  });
});

describe('sample name collisions', () => {
  it.each([
    ['gauge x_total beside counter x', () => new Counter({ name: 'x', help: 'x', registers: [] }), 'gauge', 'x_total'],
    [
      'counter x beside counter x_total',
      () => new Counter({ name: 'x_total', help: 'x', registers: [] }),
      'counter',
      'x',
    ],
    [
      'gauge x_created beside counter x',
      () => new Counter({ name: 'x', help: 'x', registers: [] }),
      'gauge',
      'x_created',
    ],
    [
      'gauge h_bucket beside histogram h',
      () => new Histogram({ name: 'h', help: 'x', registers: [] }),
      'gauge',
      'h_bucket',
    ],
    [
      'gauge h_count beside histogram h',
      () => new Histogram({ name: 'h', help: 'x', registers: [] }),
      'gauge',
      'h_count',
    ],
    ['gauge h_sum beside histogram h', () => new Histogram({ name: 'h', help: 'x', registers: [] }), 'gauge', 'h_sum'],
    ['gauge s_count beside summary s', () => new Summary({ name: 's', help: 'x', registers: [] }), 'gauge', 's_count'],
    ['histogram h beside gauge h_sum', () => new Gauge({ name: 'h_sum', help: 'x', registers: [] }), 'histogram', 'h'],
  ] as const)('refuses %s', (_, first, type, name) => {
    const r = new Registry();
    const held = r.registerMetric(first());
    const make =
      type === 'gauge'
        ? () => new Gauge({ name, help: 'x', registers: [] })
        : type === 'counter'
          ? () => new Counter({ name, help: 'x', registers: [] })
          : () => new Histogram({ name, help: 'x', registers: [] });
    const error = thrown(() => r.registerMetric(make()));
    expect(error.code).toBe('VIGIL_ERR_NAME_COLLISION');
    expect(error.message).toContain(`"${held.name}"`);
    expect(r.getMetrics()).toEqual([held]);
  });

  it.each(['vigil_series_overflow_total', 'vigil_series_overflow', 'vigil_series_overflow_created'])(
    'reserves %s, written by the overflow family',
    (name) => {
      const r = new Registry();
      expect(codeOf(() => r.counter({ name, help: 'x' }))).toBe('VIGIL_ERR_NAME_COLLISION');
      expect(codeOf(() => r.gauge({ name, help: 'x' }))).toBe('VIGIL_ERR_NAME_COLLISION');
      expect(r.getMetrics()).toEqual([]);
    },
  );
});

describe('metric definitions', () => {
  it.each([
    ['a dash', 'http-requests'],
    ['a leading digit', '1x'],
    ['a space', 'a b'],
    ['an empty name', ''],
    ['a non-string', 42],
  ])('refuses a metric name with %s', (_, name) => {
    expect(codeOf(() => new Counter({ name: name as string, help: 'x', registers: [] }))).toBe(
      'VIGIL_ERR_INVALID_NAME',
    );
  });

  it('accepts colons and underscores in metric names', () => {
    expect(new Gauge({ name: ':job:rate_5m', help: 'x', registers: [] }).name).toBe(':job:rate_5m');
  });

  it('refuses missing or empty help, and a missing config', () => {
    expect(codeOf(() => new Counter({ name: 'h_total', help: '', registers: [] }))).toBe('VIGIL_ERR_INVALID_HELP');
    expect(codeOf(() => new Counter({ name: 'h_total', registers: [] } as never))).toBe('VIGIL_ERR_INVALID_HELP');
    expect(codeOf(() => new Counter(undefined as never))).toBe('VIGIL_ERR_INVALID_OPTION');
  });

  it('needs the name to end in _<unit>, and a valid unit', () => {
    expect(new Gauge({ name: 'size_bytes', help: 'x', unit: 'bytes', registers: [] }).unit).toBe('bytes');
    expect(new Counter({ name: 'busy_seconds_total', help: 'x', unit: 'seconds', registers: [] }).unit).toBe('seconds');
    expect(codeOf(() => new Gauge({ name: 'size', help: 'x', unit: 'bytes', registers: [] }))).toBe(
      'VIGIL_ERR_INVALID_UNIT',
    );
    expect(codeOf(() => new Gauge({ name: 'size_bytes', help: 'x', unit: 'by tes', registers: [] }))).toBe(
      'VIGIL_ERR_INVALID_UNIT',
    );
  });

  it('refuses a collect option that is not a function', () => {
    expect(codeOf(() => new Gauge({ name: 'c', help: 'x', collect: 5 as never, registers: [] }))).toBe(
      'VIGIL_ERR_INVALID_OPTION',
    );
  });
});

describe('registry housekeeping', () => {
  it('getSingleMetric, removeSingleMetric and clear', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'a_total', help: 'x' });
    r.gauge({ name: 'b', help: 'x' });
    expect(r.getSingleMetric('a_total')).toBe(c);
    r.removeSingleMetric('a_total');
    r.removeSingleMetric('never_there');
    expect(r.getSingleMetric('a_total')).toBeUndefined();
    // The name and its sample names are free again.
    expect(r.gauge({ name: 'a', help: 'x' }).name).toBe('a');
    r.registerCollector('c', { collect: () => [gaugeFamily('from_collector')] });
    r.clear();
    expect(r.getMetrics()).toEqual([]);
    expect(await r.metrics()).toBe('');
    expect(await r.metrics('openmetrics')).toBe('# EOF\n');
  });

  it('resetMetrics zeroes unlabelled metrics and empties labelled ones', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'a_total', help: 'x' });
    const g = r.gauge({ name: 'b', help: 'x', labelNames: ['k'] });
    c.inc(5);
    g.set({ k: '1' }, 3);
    r.resetMetrics();
    expect(await r.metrics()).toBe('# HELP a_total x\n# TYPE a_total counter\na_total 0\n# HELP b x\n# TYPE b gauge\n');
  });

  it('contentType for each format', () => {
    const r = new Registry();
    expect(r.contentType()).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.contentType('text')).toBe(CONTENT_TYPE_TEXT);
    expect(r.contentType('openmetrics')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(CONTENT_TYPE_OPENMETRICS).toBe(r.contentType('openmetrics'));
  });

  it('register() without registries uses the default registry', () => {
    const c = new Counter({ name: 'vigil_unit_test_default_total', help: 'x', registers: [] });
    try {
      expect(register(c)).toBe(c);
      expect(defaultRegistry.getSingleMetric('vigil_unit_test_default_total')).toBe(c);
    } finally {
      defaultRegistry.removeSingleMetric('vigil_unit_test_default_total');
    }
  });
});

describe('default and const labels', () => {
  it('adds default labels to every series; a series’ own or const label of that name wins', async () => {
    const r = new Registry({ defaultLabels: { service: 'api', env: 'prod' } });
    r.counter({ name: 'a_total', help: 'x', labelNames: ['env'] }).inc({ env: 'staging' });
    r.gauge({ name: 'b', help: 'x' }).set(1);
    r.gauge({ name: 'c', help: 'x', constLabels: { service: 'worker' } }).set(2);
    expect(await r.metrics()).toBe(
      [
        '# HELP a_total x',
        '# TYPE a_total counter',
        'a_total{service="api",env="staging"} 1',
        '# HELP b x',
        '# TYPE b gauge',
        'b{service="api",env="prod"} 1',
        '# HELP c x',
        '# TYPE c gauge',
        'c{env="prod",service="worker"} 2',
        '',
      ].join('\n'),
    );
    expect(r.getDefaultLabels()).toEqual({ service: 'api', env: 'prod' });
  });

  it('setDefaultLabels replaces them, escapes values and checks names and values', async () => {
    const r = new Registry();
    expect(r.getDefaultLabels()).toEqual({});
    r.gauge({ name: 'g', help: 'x' }).set(1);
    r.setDefaultLabels({ region: 'eu"1', n: 3 });
    expect(await r.metrics()).toContain('g{region="eu\\"1",n="3"} 1\n');
    r.setDefaultLabels({});
    expect(await r.metrics()).toContain('\ng 1\n');
    expect(codeOf(() => r.setDefaultLabels({ x: undefined as unknown as string }))).toBe('VIGIL_ERR_LABEL_VALUE');
  });

  it('refuses le and quantile as default labels, which histograms and summaries write', () => {
    expect(codeOf(() => new Registry({ defaultLabels: { le: '1' } }))).toBe('VIGIL_ERR_RESERVED_LABEL');
    expect(codeOf(() => new Registry().setDefaultLabels({ quantile: 'x' }))).toBe('VIGIL_ERR_RESERVED_LABEL');
  });

  it('writes const labels first on every series', async () => {
    const r = new Registry();
    const h = r.histogram({ name: 'h', help: 'x', labelNames: ['k'], constLabels: { zone: 'a' }, buckets: [1] });
    h.observe({ k: 'v' }, 0.5);
    expect(await r.metrics()).toBe(
      [
        '# HELP h x',
        '# TYPE h histogram',
        'h_bucket{zone="a",k="v",le="1"} 1',
        'h_bucket{zone="a",k="v",le="+Inf"} 1',
        'h_sum{zone="a",k="v"} 0.5',
        'h_count{zone="a",k="v"} 1',
        '',
      ].join('\n'),
    );
  });
});

describe('collect callbacks and collectors', () => {
  it('runs sync and async collect callbacks before reading', async () => {
    const r = new Registry();
    let calls = 0;
    r.gauge({
      name: 'sync_g',
      help: 'x',
      collect() {
        calls++;
        this.set(calls);
      },
    });
    r.counter({
      name: 'async_total',
      help: 'x',
      labelNames: ['k'],
      async collect() {
        await new Promise((resolve) => setTimeout(resolve, 1));
        this.inc({ k: 'a' }, 2);
      },
    });
    const text = await r.metrics();
    expect(text).toContain('sync_g 1\n');
    expect(text).toContain('async_total{k="a"} 2\n');
    expect(calls).toBe(1);
  });

  it('a throwing callback makes metrics() reject with a CollectError; gather() returns the rest', async () => {
    const r = new Registry();
    const boom = new Error('sensor offline');
    r.gauge({ name: 'fine', help: 'x', collect: () => {} }).set(1);
    r.gauge({
      name: 'broken',
      help: 'x',
      collect() {
        throw boom;
      },
    });
    r.gauge({
      name: 'broken_async',
      help: 'x',
      async collect() {
        throw new Error('async offline');
      },
    });
    r.counter({ name: 'other_total', help: 'x' }).inc();

    const error = await rejection(r.metrics());
    expect(error).toBeInstanceOf(CollectError);
    expect(error.code).toBe('VIGIL_ERR_COLLECT');
    expect((error as CollectError).errors.map((e) => e.metric).sort()).toEqual(['broken', 'broken_async']);
    expect((error as CollectError).errors.find((e) => e.metric === 'broken')?.error).toBe(boom);
    expect(error.message).toContain('broken (sensor offline)');
    expect(error.message).toContain('broken_async (async offline)');
    expect((await rejection(r.snapshot())).code).toBe('VIGIL_ERR_COLLECT');

    const { families, errors } = await r.gather();
    expect(families.map((f) => f.name)).toEqual(['fine', 'other_total']);
    expect(errors.map((e) => e.metric).sort()).toEqual(['broken', 'broken_async']);
    expect(r.render(families)).toBe(
      '# HELP fine x\n# TYPE fine gauge\nfine 1\n# HELP other_total x\n# TYPE other_total counter\nother_total 1\n',
    );
  });

  it('gathers collectors’ families after the metrics; a failing collector loses only its own', async () => {
    const r = new Registry();
    r.gauge({ name: 'own', help: 'x' }).set(1);
    r.registerCollector('sync', { collect: () => [gaugeFamily('sync_a', 2), gaugeFamily('sync_b', 3)] });
    r.registerCollector('async', { collect: async () => [gaugeFamily('async_a', 4)] });
    r.registerCollector('broken', {
      collect() {
        throw new Error('no /proc');
      },
    });
    r.registerCollector('broken_async', { collect: () => Promise.reject(new Error('timeout')) });
    const { families, errors } = await r.gather();
    expect(families.map((f) => f.name)).toEqual(['own', 'sync_a', 'sync_b', 'async_a']);
    expect(errors.map((e) => e.metric).sort()).toEqual(['broken', 'broken_async']);
    r.removeCollector('broken');
    r.removeCollector('broken_async');
    expect(await r.metrics()).toContain('# TYPE async_a gauge\nasync_a 4\n');
  });

  it('refuses a second collector of the same name', () => {
    const r = new Registry();
    r.registerCollector('proc', { collect: () => [] });
    expect(codeOf(() => r.registerCollector('proc', { collect: () => [] }))).toBe('VIGIL_ERR_ALREADY_REGISTERED');
  });

  it.each([
    ['the name of a registered gauge', 'taken', 'gauge'],
    ['a sample name of a registered histogram', 'lat_count', 'gauge'],
    ['counter taken_total, the same OpenMetrics family as gauge taken', 'taken_total', 'counter'],
    ['the overflow family', OVERFLOW_METRIC, 'counter'],
  ] as const)('leaves out a collector family named like %s, with an error', async (_, name, type) => {
    const r = new Registry();
    r.gauge({ name: 'taken', help: 'x' }).set(1);
    r.histogram({ name: 'lat', help: 'x', buckets: [1] });
    r.registerCollector('c', {
      collect: () => [{ ...gaugeFamily(name), type } as Family, gaugeFamily('free')],
    });
    const { families, errors } = await r.gather();
    expect(families.map((f) => f.name)).toEqual(['taken', 'lat', 'free']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.metric).toBe(name);
    expect((errors[0]?.error as VigilError | undefined)?.code).toBe('VIGIL_ERR_NAME_COLLISION');
  });

  it('leaves out the second of two collector families that would write the same samples', async () => {
    const r = new Registry();
    r.registerCollector('a', { collect: () => [gaugeFamily('dup')] });
    r.registerCollector('b', {
      collect: () => [gaugeFamily('dup', 9), { ...gaugeFamily('dup_total'), type: 'counter' } as Family],
    });
    const { families, errors } = await r.gather();
    expect(families.map((f) => f.name)).toEqual(['dup']);
    expect(errors).toHaveLength(2);
  });
});

describe('Registry.merge', () => {
  it('holds every metric and collector of the given registries', async () => {
    const a = new Registry();
    const b = new Registry();
    const ca = a.counter({ name: 'a_total', help: 'x' });
    const gb = b.gauge({ name: 'b', help: 'x' });
    const shared = new Counter({ name: 'shared_total', help: 'x', registers: [a, b] });
    const collector = { collect: () => [gaugeFamily('col')] };
    a.registerCollector('col', collector);
    b.registerCollector('col', collector);
    const merged = Registry.merge([a, b]);
    expect(merged.getMetrics()).toEqual([ca, shared, gb]);
    ca.inc();
    shared.inc(2);
    gb.set(3);
    expect(await merged.metrics()).toBe(
      [
        '# HELP a_total x',
        '# TYPE a_total counter',
        'a_total 1',
        '# HELP shared_total x',
        '# TYPE shared_total counter',
        'shared_total 2',
        '# HELP b x',
        '# TYPE b gauge',
        'b 3',
        '# HELP col col help',
        '# TYPE col gauge',
        'col 1',
        '',
      ].join('\n'),
    );
  });

  it('keeps the default labels and the _created option', async () => {
    const a = new Registry({ defaultLabels: { svc: 'x' }, openMetricsCreated: true });
    const b = new Registry({ defaultLabels: { svc: 'x' } });
    b.counter({ name: 'c_total', help: 'x' });
    const merged = Registry.merge([a, b]);
    expect(merged.getDefaultLabels()).toEqual({ svc: 'x' });
    expect(await merged.metrics('openmetrics')).toMatch(/\nc_created\{svc="x"\} \d+(\.\d+)?\n/);
  });

  it('refuses conflicting definitions, keeping the cause', () => {
    const a = new Registry();
    const b = new Registry();
    a.counter({ name: 'n', help: 'one' });
    b.counter({ name: 'n', help: 'two' });
    const error = thrown(() => Registry.merge([a, b]));
    expect(error.code).toBe('VIGIL_ERR_MERGE');
    expect((error.cause as VigilError).code).toBe('VIGIL_ERR_ALREADY_REGISTERED');
  });

  it('refuses different default labels', () => {
    const a = new Registry({ defaultLabels: { svc: 'a' } });
    const b = new Registry({ defaultLabels: { svc: 'b' } });
    expect(codeOf(() => Registry.merge([a, b]))).toBe('VIGIL_ERR_MERGE');
    expect(codeOf(() => Registry.merge([a, new Registry()]))).toBe('VIGIL_ERR_MERGE');
  });

  it('refuses two different collectors of the same name rather than dropping one', () => {
    const a = new Registry();
    const b = new Registry();
    a.registerCollector('proc', { collect: () => [gaugeFamily('a')] });
    b.registerCollector('proc', { collect: () => [gaugeFamily('b')] });
    expect(codeOf(() => Registry.merge([a, b]))).toBe('VIGIL_ERR_MERGE');
  });

  it('merges nothing into an empty registry', async () => {
    expect(await Registry.merge([]).metrics()).toBe('');
  });
});
