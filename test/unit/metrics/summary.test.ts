import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_QUANTILES, Registry, Summary, type SummarySeries } from '../../../src/metrics/index.js';
import { codeOf, seeded } from './helpers.js';

/** The exact q-quantile the sketch promises to approximate: rank floor(q * (n - 1)). */
function exact(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

/** Within 1% relative error, with room for rounding in the last bits; zero must be exact. */
function expectWithinOnePercent(actual: number, expected: number, context: string): void {
  const error = Math.abs(actual - expected);
  const allowed = Math.abs(expected) * 0.01 * (1 + 1e-9);
  if (!(error <= allowed)) {
    throw new Error(`${context}: got ${actual}, exact ${expected}, relative error ${error / Math.abs(expected)}`);
  }
}

const QUANTILES = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

function summary(
  percentiles: readonly number[] = QUANTILES,
  extra: { maxAgeSeconds?: number; ageBuckets?: number } = {},
) {
  return new Summary({ name: 'latency_seconds', help: 'Latency.', percentiles, registers: [], ...extra });
}

function only(s: Summary): SummarySeries {
  return s.series[0] as SummarySeries;
}

function checkAgainstExact(values: readonly number[], context: string): void {
  const s = summary();
  for (const v of values) s.observe(v);
  const got = only(s).quantiles();
  QUANTILES.forEach((q, i) => {
    expectWithinOnePercent(got[i] as number, exact(values, q), `${context} q=${q}`);
  });
  expect(only(s).count).toBe(values.length);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Summary quantiles', () => {
  const random = seeded(20240601);
  const n = 20_000;

  it('are within 1% of the exact quantiles for a uniform distribution', () => {
    checkAgainstExact(
      Array.from({ length: n }, () => random() * 1000),
      'uniform',
    );
  });

  it('are within 1% for an exponential distribution (long tail)', () => {
    checkAgainstExact(
      Array.from({ length: n }, () => -Math.log(1 - random()) * 0.2),
      'exponential',
    );
  });

  it('are within 1% for values with negatives and many zeros', () => {
    checkAgainstExact(
      Array.from({ length: n }, () => {
        const u = random();
        if (u < 0.2) return 0;
        const sign = random() < 0.6 ? -1 : 1;
        return sign * 10 ** (random() * 8 - 3);
      }),
      'mixed signs',
    );
  });

  it('are within 1% for a few discrete values, where the rank falls on ties', () => {
    checkAgainstExact([5, 5, 5, 1, 1, 100, 100, 100, 100, 0.001], 'discrete');
    checkAgainstExact([42], 'one value');
    checkAgainstExact([-1, -2, -3, -4], 'all negative');
  });

  it('are within 1% for any sample of doubles (|v| >= 1e-6 or 0)', () => {
    const value = fc.oneof(
      fc.constant(0),
      fc.double({ min: 1e-6, max: 1e12, noNaN: true }),
      fc.double({ min: -1e12, max: -1e-6, noNaN: true }),
      fc.integer({ min: -1000, max: 1000 }),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), (values) => {
        checkAgainstExact(values, JSON.stringify(values.slice(0, 10)));
      }),
      { numRuns: 200 },
    );
  });

  it('report the exact minimum for q=0 and maximum for q=1', () => {
    const s = summary([0, 1]);
    for (const v of [3.25, -2.5, 1e-3, 12345.678]) s.observe(v);
    expect(only(s).quantiles()).toEqual([-2.5, 12345.678]);
  });

  it('handle infinite observations at the ends', () => {
    const s = summary([0, 0.5, 1]);
    s.observe(Number.NEGATIVE_INFINITY);
    s.observe(1);
    s.observe(Number.POSITIVE_INFINITY);
    const [lo, mid, hi] = only(s).quantiles();
    expect(lo).toBe(Number.NEGATIVE_INFINITY);
    expectWithinOnePercent(mid as number, 1, 'middle');
    expect(hi).toBe(Number.POSITIVE_INFINITY);
    expect(only(s).sum).toBeNaN();
  });

  it('are NaN with no observations, and sum and count are 0', () => {
    const s = summary([0.5, 0.9]);
    expect(only(s).quantiles()).toEqual([Number.NaN, Number.NaN]);
    expect(only(s).sum).toBe(0);
    expect(only(s).count).toBe(0);
  });

  it('are reported in increasing order of q whatever the declared order', () => {
    const s = summary([0.9, 0.1, 0.5]);
    expect(s.percentiles).toEqual([0.1, 0.5, 0.9]);
    expect(new Summary({ name: 'd', help: 'x', registers: [] }).percentiles).toEqual(DEFAULT_QUANTILES);
  });

  it('track sum and count exactly', () => {
    const s = summary([0.5]);
    for (const v of [1, 2, 3.5, -1]) s.observe(v);
    expect(only(s).sum).toBe(5.5);
    expect(only(s).count).toBe(4);
  });
});

describe('Summary sliding window', () => {
  it('drops observations older than maxAgeSeconds from the quantiles', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000_000_000);
    const s = summary([0, 0.5, 1], { maxAgeSeconds: 10, ageBuckets: 5 });
    const series = only(s);
    for (let i = 0; i < 100; i++) series.observe(1000);
    vi.advanceTimersByTime(5_000);
    for (let i = 0; i < 100; i++) series.observe(1);
    // Both halves are inside the window.
    expect(series.quantiles()[0]).toBe(1);
    expect(series.quantiles()[2]).toBe(1000);

    vi.advanceTimersByTime(5_000 + 1);
    // The first 100 are now older than maxAge; only the 1s remain.
    expect(series.quantiles()).toEqual([1, 1, 1]);
    expect(series.count).toBe(200);
    expect(series.sum).toBe(100_100);

    vi.advanceTimersByTime(10_000);
    expect(series.quantiles()).toEqual([Number.NaN, Number.NaN, Number.NaN]);

    series.observe(7);
    expect(series.quantiles()).toEqual([7, 7, 7]);
  });

  it('keeps observations younger than maxAge minus one slice', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(2_000_000_000_000);
    const s = summary([1], { maxAgeSeconds: 60, ageBuckets: 3 });
    s.observe(50);
    for (let t = 0; t < 39; t++) {
      vi.advanceTimersByTime(1000);
      expect(only(s).quantiles()).toEqual([50]);
    }
    vi.advanceTimersByTime(21_000);
    expect(only(s).quantiles()).toEqual([Number.NaN]);
  });

  it('keeps every observation when no maxAgeSeconds is set', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const s = summary([0.5]);
    s.observe(3);
    vi.advanceTimersByTime(365 * 24 * 3600 * 1000);
    expect(only(s).quantiles()).toEqual([3]);
  });

  it('renders the windowed quantiles with the all-time sum and count', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000_000_000);
    const r = new Registry();
    const s = r.summary({ name: 'w', help: 'x', percentiles: [0.5], maxAgeSeconds: 1, ageBuckets: 1 });
    s.observe(2);
    vi.advanceTimersByTime(1001);
    s.observe(4);
    expect(await r.metrics()).toBe('# HELP w x\n# TYPE w summary\nw{quantile="0.5"} 4\nw_sum 6\nw_count 2\n');
  });
});

describe('Summary validation and timing', () => {
  it.each([
    ['above 1', [0.5, 1.5]],
    ['below 0', [-0.1]],
    ['NaN', [Number.NaN]],
    ['listed twice', [0.9, 0.5, 0.9]],
    ['not an array', 0.5],
  ])('refuses percentiles %s with VIGIL_ERR_INVALID_QUANTILES', (_, percentiles) => {
    expect(codeOf(() => summary(percentiles as number[]))).toBe('VIGIL_ERR_INVALID_QUANTILES');
  });

  it.each([
    [{ maxAgeSeconds: -1 }],
    [{ maxAgeSeconds: Number.POSITIVE_INFINITY }],
    [{ maxAgeSeconds: Number.NaN }],
    [{ maxAgeSeconds: 10, ageBuckets: 0 }],
    [{ maxAgeSeconds: 10, ageBuckets: 2.5 }],
  ])('refuses window %j with VIGIL_ERR_INVALID_OPTION', (window) => {
    expect(codeOf(() => summary([0.5], window))).toBe('VIGIL_ERR_INVALID_OPTION');
  });

  it('reserves the quantile label', () => {
    expect(codeOf(() => new Summary({ name: 's', help: 'x', labelNames: ['quantile'], registers: [] }))).toBe(
      'VIGIL_ERR_RESERVED_LABEL',
    );
  });

  it('refuses a NaN observation and leaves everything unchanged', () => {
    const s = summary([0.5]);
    s.observe(2);
    expect(codeOf(() => s.observe(Number.NaN))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(codeOf(() => s.observe('3' as unknown as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(only(s).count).toBe(1);
    expect(only(s).sum).toBe(2);
    expect(only(s).quantiles()).toEqual([2]);
  });

  it('time(fn) observes sync and async work, also when it fails', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const s = new Summary({ name: 't', help: 'x', labelNames: ['op'], percentiles: [1], registers: [] });
    expect(
      s.time({ op: 'a' }, () => {
        vi.advanceTimersByTime(100);
        return 1;
      }),
    ).toBe(1);
    await expect(
      s.time({ op: 'a' }, async () => {
        vi.advanceTimersByTime(300);
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    const end = s.startTimer({ op: 'a' });
    vi.advanceTimersByTime(200);
    expect(end()).toBe(0.2);
    const a = s.labels({ op: 'a' });
    expect(a.count).toBe(3);
    expect(a.sum).toBeCloseTo(0.6, 12);
    expect(a.quantiles()).toEqual([0.3]);
  });

  it('labels give one window per label set', () => {
    const s = new Summary({ name: 'l', help: 'x', labelNames: ['k'], percentiles: [0.5], registers: [] });
    s.observe({ k: 'a' }, 1);
    s.observe({ k: 'b' }, 100);
    expect(s.labels({ k: 'a' }).quantiles()).toEqual([1]);
    expect(s.labels('b').quantiles()).toEqual([100]);
  });
});
