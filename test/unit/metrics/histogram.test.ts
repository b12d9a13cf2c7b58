import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_BUCKETS,
  exponentialBuckets,
  Histogram,
  type HistogramSeries,
  linearBuckets,
  Registry,
} from '../../../src/metrics/index.js';
import { codeOf, linesOf } from './helpers.js';

function histogram(buckets: readonly number[] = [1, 2, 5]) {
  return new Histogram({ name: 'size_bytes', help: 'Sizes.', buckets, registers: [] });
}

function labelled() {
  return new Histogram({
    name: 'job_duration_seconds',
    help: 'Job duration.',
    labelNames: ['queue'],
    buckets: [0.1, 1],
    registers: [],
  });
}

function only(h: Histogram): HistogramSeries {
  return h.series[0] as HistogramSeries;
}

describe('Histogram buckets', () => {
  it('counts a value equal to a bound in that bucket (le is inclusive), above the last in +Inf', () => {
    const h = histogram();
    for (const v of [0, 1, 1.0000001, 2, 5, 5.5, -3]) h.observe(v);
    expect(only(h).counts).toEqual([3, 2, 1, 1]);
    expect(only(h).count).toBe(7);
    expect(only(h).sum).toBeCloseTo(11.5000001, 9);
  });

  it('takes ±Inf observations: -Inf in the first bucket, +Inf in the last', () => {
    const h = histogram();
    h.observe(Number.NEGATIVE_INFINITY);
    h.observe(Number.POSITIVE_INFINITY);
    expect(only(h).counts).toEqual([1, 0, 0, 1]);
    expect(only(h).count).toBe(2);
  });

  it('uses Prometheus default buckets when none are given', () => {
    const h = new Histogram({ name: 'd_seconds', help: 'x', registers: [] });
    expect(h.upperBounds).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    expect(h.upperBounds).toEqual(DEFAULT_BUCKETS);
    expect(only(h).counts).toHaveLength(12);
  });

  it('drops a trailing +Inf bound, which is implied', () => {
    expect(histogram([1, 2, Number.POSITIVE_INFINITY]).upperBounds).toEqual([1, 2]);
  });

  it.each([
    ['empty', []],
    ['not increasing', [1, 0.5]],
    ['repeated', [1, 1]],
    ['NaN', [1, Number.NaN]],
    ['-Inf', [Number.NEGATIVE_INFINITY, 1]],
    ['+Inf in the middle', [1, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]],
    ['not numbers', ['1', '2']],
    ['not an array', 5],
  ])('refuses %s buckets with VIGIL_ERR_INVALID_BUCKETS', (_, buckets) => {
    expect(codeOf(() => histogram(buckets as number[]))).toBe('VIGIL_ERR_INVALID_BUCKETS');
  });

  it('builds linear and exponential buckets, and refuses bad arguments', () => {
    expect(linearBuckets(0, 0.5, 4)).toEqual([0, 0.5, 1, 1.5]);
    expect(exponentialBuckets(1, 2, 5)).toEqual([1, 2, 4, 8, 16]);
    expect(codeOf(() => linearBuckets(0, 0, 3))).toBe('VIGIL_ERR_INVALID_BUCKETS');
    expect(codeOf(() => linearBuckets(0, 1, 0))).toBe('VIGIL_ERR_INVALID_BUCKETS');
    expect(codeOf(() => exponentialBuckets(0, 2, 3))).toBe('VIGIL_ERR_INVALID_BUCKETS');
    expect(codeOf(() => exponentialBuckets(1, 1, 3))).toBe('VIGIL_ERR_INVALID_BUCKETS');
    expect(codeOf(() => exponentialBuckets(1, 2, 1.5))).toBe('VIGIL_ERR_INVALID_BUCKETS');
  });

  it('reserves the le label', () => {
    expect(codeOf(() => new Histogram({ name: 'h', help: 'x', labelNames: ['le'], registers: [] }))).toBe(
      'VIGIL_ERR_RESERVED_LABEL',
    );
    expect(codeOf(() => new Histogram({ name: 'h', help: 'x', constLabels: { le: '1' }, registers: [] }))).toBe(
      'VIGIL_ERR_RESERVED_LABEL',
    );
  });

  it.each([
    ['NaN', Number.NaN],
    ['a string', '0.5'],
    ['undefined', undefined],
  ])('refuses a %s observation and leaves counts, sum and count unchanged', (_, bad) => {
    const h = histogram();
    h.observe(1.5);
    expect(codeOf(() => h.observe(bad as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    const l = labelled();
    expect(codeOf(() => l.observe({ queue: 'a' }, bad as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(only(h).counts).toEqual([0, 1, 0, 0]);
    expect(only(h).sum).toBe(1.5);
    expect(only(h).count).toBe(1);
  });

  it('renders cumulative buckets ending in +Inf equal to _count, for any observations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { maxLength: 60 }), async (values) => {
        const r = new Registry();
        const h = r.histogram({ name: 'p', help: 'x', buckets: [-10, 0, 0.5, 3, 1000] });
        for (const v of values) h.observe(v);
        const text = await r.metrics();
        const buckets = linesOf(text, 'p_bucket').map((line) => Number(line.split(' ')[1]));
        expect(linesOf(text, 'p_bucket').map((l) => l.slice(0, l.indexOf(' ')))).toEqual([
          'p_bucket{le="-10"}',
          'p_bucket{le="0"}',
          'p_bucket{le="0.5"}',
          'p_bucket{le="3"}',
          'p_bucket{le="1000"}',
          'p_bucket{le="+Inf"}',
        ]);
        for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1] as number);
        expect(buckets.at(-1)).toBe(values.length);
        expect(linesOf(text, 'p_count')).toEqual([`p_count ${values.length}`]);
        for (const [i, bound] of [-10, 0, 0.5, 3, 1000].entries()) {
          expect(buckets[i]).toBe(values.filter((v) => v <= bound).length);
        }
      }),
    );
  });
});

describe('Histogram timing', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('time(fn) observes a sync function and returns its result', () => {
    const h = histogram([0.1, 1]);
    const result = h.time(() => {
      vi.advanceTimersByTime(250);
      return 'done';
    });
    expect(result).toBe('done');
    expect(only(h).count).toBe(1);
    expect(only(h).sum).toBe(0.25);
    expect(only(h).counts).toEqual([0, 1, 0]);
  });

  it('time(fn) observes an async function when it settles, and resolves to its value', async () => {
    const h = histogram([0.1, 1]);
    let finish: (v: number) => void = () => {};
    const promise = h.time(
      () =>
        new Promise<number>((resolve) => {
          finish = resolve;
        }),
    );
    expect(promise).toBeInstanceOf(Promise);
    vi.advanceTimersByTime(2000);
    expect(only(h).count).toBe(0);
    finish(42);
    await expect(promise).resolves.toBe(42);
    expect(only(h).count).toBe(1);
    expect(only(h).sum).toBe(2);
    expect(only(h).counts).toEqual([0, 0, 1]);
  });

  it('time(fn) observes a throwing sync function and rethrows the same error', () => {
    const h = histogram([0.1, 1]);
    const boom = new Error('boom');
    let caught: unknown;
    try {
      h.time(() => {
        vi.advanceTimersByTime(50);
        throw boom;
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(boom);
    expect(only(h).count).toBe(1);
    expect(only(h).sum).toBe(0.05);
  });

  it('time(fn) observes a rejecting async function and rejects with the same error', async () => {
    const h = histogram([0.1, 1]);
    const boom = new Error('async boom');
    const promise = h.time(async () => {
      vi.advanceTimersByTime(500);
      await Promise.resolve();
      throw boom;
    });
    await expect(promise).rejects.toBe(boom);
    expect(only(h).count).toBe(1);
    expect(only(h).sum).toBe(0.5);
  });

  it('time(labels, fn) and a handle time() record in the labelled series', async () => {
    const h = labelled();
    await h.time({ queue: 'mail' }, async () => {
      vi.advanceTimersByTime(300);
    });
    h.labels({ queue: 'mail' }).time(() => {
      vi.advanceTimersByTime(50);
    });
    const s = h.labels({ queue: 'mail' });
    expect(s.count).toBe(2);
    expect(s.counts).toEqual([1, 1, 0]);
    expect(s.sum).toBeCloseTo(0.35, 12);
  });

  it('startTimer observes the elapsed seconds and returns them', () => {
    const h = histogram([0.1, 1]);
    const end = h.startTimer();
    vi.advanceTimersByTime(750);
    expect(end()).toBe(0.75);
    expect(only(h).counts).toEqual([0, 1, 0]);
    const l = labelled();
    const endL = l.startTimer({ queue: 'q' });
    vi.advanceTimersByTime(20);
    expect(endL()).toBe(0.02);
    expect(l.labels({ queue: 'q' }).counts).toEqual([1, 0, 0]);
  });
});

describe('Histogram series lifecycle', () => {
  it('reset zeroes counts, sum, count and exemplars', () => {
    const h = histogram();
    h.observe(1, { trace_id: 'a' });
    h.reset();
    expect(only(h).counts).toEqual([0, 0, 0, 0]);
    expect(only(h).sum).toBe(0);
    expect(only(h).count).toBe(0);
    expect(only(h).exemplars).toBeUndefined();
  });

  it('a removed handle starts from empty buckets when used again', () => {
    const h = labelled();
    const s = h.labels({ queue: 'a' });
    s.observe(0.5);
    h.remove({ queue: 'a' });
    expect(h.series).toHaveLength(0);
    s.observe(5);
    expect(h.labels({ queue: 'a' })).toBe(s);
    expect(s.counts).toEqual([0, 0, 1]);
    expect(s.count).toBe(1);
  });
});
