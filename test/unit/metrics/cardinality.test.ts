import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Counter,
  DEFAULT_MAX_SERIES,
  Gauge,
  OVERFLOW_LABEL_VALUE,
  OVERFLOW_METRIC,
  Registry,
} from '../../../src/metrics/index.js';
import { codeOf, linesOf } from './helpers.js';

/** Collects overflow warnings about the given metrics; warnings are emitted on the next tick. */
function listenForWarnings() {
  const seen: Error[] = [];
  const listener = (warning: Error) => {
    seen.push(warning);
  };
  process.on('warning', listener);
  return {
    async take(...metrics: string[]): Promise<Error[]> {
      await new Promise((resolve) => setImmediate(resolve));
      return seen.filter(
        (w) =>
          (w as Error & { code?: string }).code === 'VIGIL_WARN_SERIES_OVERFLOW' &&
          metrics.some((m) => w.message.includes(`"${m}"`)),
      );
    },
    stop: () => process.off('warning', listener),
  };
}

describe('series limit', () => {
  let warnings: ReturnType<typeof listenForWarnings>;
  beforeEach(() => {
    warnings = listenForWarnings();
  });
  afterEach(() => {
    warnings.stop();
  });

  it('folds label sets beyond maxSeries into one overflow series and counts them', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'hits_total', help: 'Hits.', labelNames: ['user'], maxSeries: 2 });
    c.inc({ user: 'a' });
    c.inc({ user: 'b' });
    c.inc({ user: 'c' }, 5);
    c.inc({ user: 'd' });
    c.labels({ user: 'e' }).inc(2);
    // Existing series still take updates at the limit.
    c.inc({ user: 'a' }, 10);
    expect(c.series.map((s) => s.labelText)).toEqual(['user="a"', 'user="b"', `user="${OVERFLOW_LABEL_VALUE}"`]);
    expect(c.get({ user: 'a' })).toBe(11);
    expect(c.overflowCount).toBe(3);

    expect(await r.metrics()).toBe(
      [
        '# HELP hits_total Hits.',
        '# TYPE hits_total counter',
        'hits_total{user="a"} 11',
        'hits_total{user="b"} 1',
        'hits_total{user="__overflow__"} 8',
        `# HELP ${OVERFLOW_METRIC} Updates folded into a metric’s overflow series because it reached its series limit.`,
        `# TYPE ${OVERFLOW_METRIC} counter`,
        `${OVERFLOW_METRIC}{metric="hits_total"} 3`,
        '',
      ].join('\n'),
    );
    const om = await r.metrics('openmetrics');
    expect(om).toContain(
      '# TYPE vigil_series_overflow counter\nvigil_series_overflow_total{metric="hits_total"} 3\n# EOF\n',
    );
  });

  it('sets every label of the overflow series, after the const labels', () => {
    const g = new Gauge({
      name: 'g',
      help: 'x',
      labelNames: ['a', 'b'],
      constLabels: { zone: 'z' },
      maxSeries: 1,
      registers: [],
    });
    g.set({ a: '1', b: '1' }, 1);
    g.set({ a: '2', b: '2' }, 7);
    expect(g.series[1]?.labelText).toBe('zone="z",a="__overflow__",b="__overflow__"');
    expect(g.series[1]?.value).toBe(7);
  });

  it('emits one warning per metric, with its code and a fix', async () => {
    const c = new Counter({ name: 'warn_a_total', help: 'x', labelNames: ['k'], maxSeries: 1, registers: [] });
    const d = new Counter({ name: 'warn_b_total', help: 'x', labelNames: ['k'], maxSeries: 1, registers: [] });
    for (let i = 0; i < 50; i++) c.inc({ k: `${i}` });
    for (let i = 0; i < 5; i++) d.inc({ k: `${i}` });
    const seen = await warnings.take('warn_a_total', 'warn_b_total');
    expect(seen).toHaveLength(2);
    expect(seen[0]?.message).toContain('"warn_a_total" reached its limit of 1 series');
    expect(seen[0]?.message).toContain('raise maxSeries');
    expect(seen[1]?.message).toContain('"warn_b_total"');
  });

  it('reading a label set at the limit neither creates nor folds anything', async () => {
    const c = new Counter({ name: 'r_total', help: 'x', labelNames: ['k'], maxSeries: 1, registers: [] });
    c.inc({ k: 'a' });
    expect(c.get({ k: 'zzz' })).toBe(0);
    expect(c.overflowCount).toBe(0);
    expect(c.series).toHaveLength(1);
    expect(await warnings.take('r_total')).toHaveLength(0);
  });

  it('makes room again when a series is removed, and reset clears the overflow', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'room_total', help: 'x', labelNames: ['k'], maxSeries: 1 });
    c.inc({ k: 'a' });
    c.inc({ k: 'b' });
    expect(c.overflowCount).toBe(1);
    c.remove({ k: 'a' });
    c.inc({ k: 'c' });
    expect(c.get({ k: 'c' })).toBe(1);
    expect(c.overflowCount).toBe(1);
    c.reset();
    expect(c.overflowCount).toBe(0);
    expect(c.series).toHaveLength(0);
    expect(await r.metrics()).toBe('# HELP room_total x\n# TYPE room_total counter\n');
    c.inc({ k: 'd' });
    expect(c.series.map((s) => s.labelText)).toEqual(['k="d"']);
  });

  it('holds 10,000 series by default', () => {
    expect(DEFAULT_MAX_SERIES).toBe(10_000);
    const g = new Gauge({ name: 'big', help: 'x', labelNames: ['i'], registers: [] });
    for (let i = 0; i <= DEFAULT_MAX_SERIES; i++) g.set({ i }, i);
    expect(g.series).toHaveLength(DEFAULT_MAX_SERIES + 1);
    expect(g.overflowCount).toBe(1);
    expect(g.get({ i: DEFAULT_MAX_SERIES - 1 })).toBe(DEFAULT_MAX_SERIES - 1);
  });

  it.each([0, -1, 1.5, Number.NaN, '10'])('refuses maxSeries %s', (maxSeries) => {
    expect(
      codeOf(() => new Counter({ name: 'm_total', help: 'x', maxSeries: maxSeries as number, registers: [] })),
    ).toBe('VIGIL_ERR_INVALID_OPTION');
  });
});

describe('series TTL', () => {
  const start = 1_700_000_000_000;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function labelsIn(r: Registry): Promise<string[]> {
    const text = await r.metrics();
    return linesOf(text, 'jobs_total{').map((l) => l.slice(0, l.indexOf('}') + 1));
  }

  it('drops series idle for longer than the TTL at scrape time; a held handle comes back with its value', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'jobs_total', help: 'x', labelNames: ['k'], ttlSeconds: 10 });
    const a = c.labels({ k: 'a' });
    a.inc(5);
    c.inc({ k: 'b' });
    expect(await labelsIn(r)).toEqual(['jobs_total{k="a"}', 'jobs_total{k="b"}']);
    vi.advanceTimersByTime(6_000);
    c.inc({ k: 'b' });
    expect(await labelsIn(r)).toEqual(['jobs_total{k="a"}', 'jobs_total{k="b"}']);
    vi.advanceTimersByTime(6_000);
    // `a` was last updated before the scrape at 0 s, more than 10 s ago.
    expect(await labelsIn(r)).toEqual(['jobs_total{k="b"}']);
    expect(c.series).toHaveLength(1);

    a.inc();
    expect(c.labels({ k: 'a' })).toBe(a);
    expect(a.get()).toBe(6);
    expect(await r.metrics()).toContain('jobs_total{k="a"} 6\n');
  });

  it('drops a series between ttl and ttl + one scrape interval after its last update', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'jobs_total', help: 'x', labelNames: ['k'], ttlSeconds: 5 });
    await r.metrics();
    vi.advanceTimersByTime(300);
    c.inc({ k: 'x' });
    const updated = Date.now();
    for (let t = 1; t <= 10; t++) {
      vi.advanceTimersByTime(1000);
      const idle = Date.now() - updated;
      const present = (await labelsIn(r)).length === 1;
      if (idle <= 5_000) expect(present, `idle ${idle} ms`).toBe(true);
      if (idle > 6_000) expect(present, `idle ${idle} ms`).toBe(false);
    }
  });

  it('keeps series that are updated, and unlabelled metrics, however long it takes', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'jobs_total', help: 'x', labelNames: ['k'], ttlSeconds: 1 });
    const single = r.gauge({ name: 'up', help: 'x', ttlSeconds: 1 });
    single.set(1);
    for (let i = 0; i < 20; i++) {
      c.inc({ k: 'busy' });
      vi.advanceTimersByTime(700);
      expect(await labelsIn(r)).toEqual(['jobs_total{k="busy"}']);
    }
    expect(c.get({ k: 'busy' })).toBe(20);
    expect(await r.metrics()).toContain('\nup 1\n');
  });

  it('a gauge or histogram handle dropped by the TTL keeps its value when used again', async () => {
    const r = new Registry();
    const g = r.gauge({ name: 'g', help: 'x', labelNames: ['k'], ttlSeconds: 1 });
    const h = r.histogram({ name: 'h', help: 'x', labelNames: ['k'], buckets: [1], ttlSeconds: 1 });
    const gs = g.labels({ k: 'a' });
    const hs = h.labels({ k: 'a' });
    gs.set(10);
    hs.observe(0.5);
    await r.metrics();
    vi.advanceTimersByTime(1500);
    await r.metrics();
    expect(g.series).toHaveLength(0);
    expect(h.series).toHaveLength(0);
    gs.inc();
    hs.observe(2);
    expect(g.get({ k: 'a' })).toBe(11);
    expect(hs.counts).toEqual([1, 1]);
    expect(h.labels({ k: 'a' })).toBe(hs);
  });

  it('a stale handle updates the series that has since replaced it: one series per label set', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'jobs_total', help: 'x', labelNames: ['k'], ttlSeconds: 1 });
    const old = c.labels({ k: 'a' });
    old.inc(5);
    await r.metrics();
    vi.advanceTimersByTime(2000);
    await r.metrics();
    c.inc({ k: 'a' });
    old.inc();
    expect(c.series).toHaveLength(1);
    expect(c.get({ k: 'a' })).toBe(2);
    expect(await labelsIn(r)).toEqual(['jobs_total{k="a"}']);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '5'])('refuses ttlSeconds %s', (ttlSeconds) => {
    expect(
      codeOf(() => new Counter({ name: 't_total', help: 'x', ttlSeconds: ttlSeconds as number, registers: [] })),
    ).toBe('VIGIL_ERR_INVALID_OPTION');
  });
});

describe('remove and reset', () => {
  it('a handle removed and then re-created by lookup feeds the new series', () => {
    const c = new Counter({ name: 'x_total', help: 'x', labelNames: ['k'], registers: [] });
    const old = c.labels({ k: 'a' });
    old.inc(3);
    c.remove({ k: 'a' });
    c.inc({ k: 'a' }, 10);
    old.inc();
    expect(c.series).toHaveLength(1);
    expect(c.get({ k: 'a' })).toBe(11);
  });

  it('handles of a reset metric start from zero', () => {
    const c = new Counter({ name: 'x_total', help: 'x', labelNames: ['k'], registers: [] });
    const a = c.labels({ k: 'a' });
    const b = c.labels({ k: 'b' });
    a.inc(3);
    b.inc(4);
    c.reset();
    a.inc();
    expect(c.series).toEqual([a]);
    expect(a.get()).toBe(1);
    expect(b.get()).toBe(0);
  });

  it('remove keeps the other series of a shared label prefix', () => {
    const c = new Counter({ name: 'x_total', help: 'x', labelNames: ['a', 'b'], registers: [] });
    c.inc({ a: '1', b: '1' });
    c.inc({ a: '1', b: '2' }, 2);
    c.remove({ a: '1', b: '1' });
    expect(c.get({ a: '1', b: '2' })).toBe(2);
    expect(c.series.map((s) => s.labelText)).toEqual(['a="1",b="2"']);
    c.remove({ a: '1', b: '2' });
    c.inc({ a: '1', b: '2' });
    expect(c.get({ a: '1', b: '2' })).toBe(1);
  });
});
