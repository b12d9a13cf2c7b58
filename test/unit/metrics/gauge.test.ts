import { afterEach, describe, expect, it, vi } from 'vitest';
import { Gauge, GaugeSeries, Registry } from '../../../src/metrics/index.js';
import { codeOf } from './helpers.js';

function gauge() {
  return new Gauge({ name: 'queue_depth', help: 'Jobs waiting.', registers: [] });
}

function labelled() {
  return new Gauge({ name: 'queue_depth', help: 'Jobs waiting.', labelNames: ['queue'], registers: [] });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Gauge', () => {
  it('goes up, down and to a set value, 1 by default', () => {
    const g = gauge();
    g.inc();
    g.inc(4);
    g.dec();
    expect(g.get()).toBe(4);
    g.dec(10);
    expect(g.get()).toBe(-6);
    g.set(2.5);
    expect(g.get()).toBe(2.5);
  });

  it('updates per label set, by object and by handle', () => {
    const g = labelled();
    g.set({ queue: 'mail' }, 10);
    g.inc({ queue: 'mail' }, 2);
    g.dec({ queue: 'mail' });
    g.inc({ queue: 'sms' });
    const sms = g.labels({ queue: 'sms' });
    expect(sms).toBeInstanceOf(GaugeSeries);
    sms.dec(3);
    expect(g.get({ queue: 'mail' })).toBe(11);
    expect(g.get({ queue: 'sms' })).toBe(-2);
    expect(g.labels('sms')).toBe(sms);
  });

  it('accepts NaN and infinities from set, and renders them', async () => {
    const r = new Registry();
    const g = r.gauge({ name: 'g', help: 'x', labelNames: ['k'] });
    g.set({ k: 'nan' }, Number.NaN);
    g.set({ k: 'pos' }, Number.POSITIVE_INFINITY);
    g.set({ k: 'neg' }, Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(g.get({ k: 'nan' }))).toBe(true);
    expect(await r.metrics()).toBe('# HELP g x\n# TYPE g gauge\ng{k="nan"} NaN\ng{k="pos"} +Inf\ng{k="neg"} -Inf\n');
  });

  it.each([
    ['NaN', Number.NaN],
    ['+Inf', Number.POSITIVE_INFINITY],
    ['-Inf', Number.NEGATIVE_INFINITY],
    ['a string', '2'],
  ])('refuses %s from inc and dec and leaves the value unchanged', (_, bad) => {
    const g = gauge();
    g.set(5);
    expect(codeOf(() => g.inc(bad as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(codeOf(() => g.dec(bad as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    const h = labelled().labels({ queue: 'a' });
    h.set(1);
    expect(codeOf(() => h.inc(bad as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(codeOf(() => h.dec(bad as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(g.get()).toBe(5);
    expect(h.get()).toBe(1);
  });

  it('refuses a non-number from set and leaves the value unchanged', () => {
    const g = gauge();
    g.set(5);
    expect(codeOf(() => g.set('7' as unknown as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(codeOf(() => g.set(undefined as unknown as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(g.get()).toBe(5);
  });

  it('setToCurrentTime sets seconds since the epoch', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_123);
    const g = gauge();
    g.setToCurrentTime();
    expect(g.get()).toBe(1_700_000_000.123);
    const l = labelled();
    l.setToCurrentTime({ queue: 'x' });
    expect(l.get({ queue: 'x' })).toBe(1_700_000_000.123);
  });

  it('startTimer sets the elapsed seconds and returns them', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const g = gauge();
    const end = g.startTimer();
    vi.advanceTimersByTime(1500);
    expect(end()).toBe(1.5);
    expect(g.get()).toBe(1.5);
    const l = labelled();
    const endL = l.startTimer({ queue: 'q' });
    vi.advanceTimersByTime(250);
    endL();
    expect(l.get({ queue: 'q' })).toBe(0.25);
  });

  it('reads a label set that does not exist as 0 without creating its series', () => {
    const g = labelled();
    expect(g.get({ queue: 'nope' })).toBe(0);
    expect(g.series).toHaveLength(0);
  });

  it('a removed handle starts from zero when used again', () => {
    const g = labelled();
    const h = g.labels({ queue: 'a' });
    h.set(9);
    g.remove({ queue: 'a' });
    expect(g.series).toHaveLength(0);
    h.inc();
    expect(g.get({ queue: 'a' })).toBe(1);
    expect(g.series).toHaveLength(1);
  });

  it('runs an async collect callback before the value is read', async () => {
    const r = new Registry();
    r.gauge({
      name: 'temperature_celsius',
      help: 'x',
      async collect() {
        await new Promise((resolve) => setTimeout(resolve, 1));
        this.set(21.5);
      },
    });
    expect(await r.metrics()).toContain('temperature_celsius 21.5\n');
  });
});
