import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Counter, Histogram, MAX_EXEMPLAR_RUNES, Registry } from '../../../src/metrics/index.js';
import { codeOf, linesOf, thrown } from './helpers.js';

const NOW = 1_700_000_000_500;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('exemplars', () => {
  it('are written on _total lines in OpenMetrics only, with value and timestamp in seconds', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'req_total', help: 'x', labelNames: ['m'] });
    c.inc({ m: 'GET' }, 2, { trace_id: '4bf92f3577b34da6', span_id: '00f067aa0ba902b7' });
    c.labels({ m: 'PUT' }).inc();
    expect(await r.metrics('openmetrics')).toBe(
      [
        '# HELP req x',
        '# TYPE req counter',
        'req_total{m="GET"} 2 # {trace_id="4bf92f3577b34da6",span_id="00f067aa0ba902b7"} 2 1700000000.5',
        'req_total{m="PUT"} 1',
        '# EOF',
        '',
      ].join('\n'),
    );
    expect(await r.metrics('text')).toBe(
      '# HELP req_total x\n# TYPE req_total counter\nreq_total{m="GET"} 2\nreq_total{m="PUT"} 1\n',
    );
  });

  it('keep the latest exemplar per counter series', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'c_total', help: 'x' });
    c.inc(1, { trace_id: 'first' });
    vi.advanceTimersByTime(1000);
    c.inc(3, { trace_id: 'second' });
    c.inc(1);
    expect(linesOf(await r.metrics('openmetrics'), 'c_total')).toEqual([
      'c_total 5 # {trace_id="second"} 3 1700000001.5',
    ]);
  });

  it('are kept per histogram bucket, the latest one in each', async () => {
    const r = new Registry();
    const h = r.histogram({ name: 'd_seconds', help: 'x', buckets: [0.1, 1] });
    h.observe(0.05, { trace_id: 'a' });
    h.observe(0.07, { trace_id: 'b' });
    h.observe(5, { trace_id: 'c' });
    h.observe(0.5);
    expect(linesOf(await r.metrics('openmetrics'), 'd_seconds_')).toEqual([
      'd_seconds_bucket{le="0.1"} 2 # {trace_id="b"} 0.07 1700000000.5',
      'd_seconds_bucket{le="1.0"} 3',
      'd_seconds_bucket{le="+Inf"} 4 # {trace_id="c"} 5 1700000000.5',
      'd_seconds_sum 5.62',
      'd_seconds_count 4',
    ]);
    expect(await r.metrics()).not.toContain('trace_id');
  });

  it('escape their label values and accept numbers and booleans', async () => {
    const r = new Registry();
    r.counter({ name: 'e_total', help: 'x' }).inc(1, { note: 'a"b\\c\nd', n: 7, ok: true });
    expect(linesOf(await r.metrics('openmetrics'), 'e_total')).toEqual([
      'e_total 1 # {note="a\\"b\\\\c\\nd",n="7",ok="true"} 1 1700000000.5',
    ]);
  });

  it('allow 128 runes of names and values together, counting code points, not UTF-16 units', () => {
    expect(MAX_EXEMPLAR_RUNES).toBe(128);
    const c = new Counter({ name: 'r_total', help: 'x', registers: [] });
    c.inc(1, { trace_id: 'x'.repeat(128 - 'trace_id'.length) });
    // 120 emoji are 240 UTF-16 units but 120 runes.
    c.inc(1, { trace_id: '😀'.repeat(120) });
    expect(c.get()).toBe(2);
    const error = thrown(() => c.inc(1, { trace_id: 'x'.repeat(129 - 'trace_id'.length) }));
    expect(error.code).toBe('VIGIL_ERR_EXEMPLAR');
    expect(error.message).toContain('129');
    expect(c.get()).toBe(2);
  });

  it('refuse an invalid exemplar with VIGIL_ERR_EXEMPLAR and record nothing', () => {
    const c = new Counter({ name: 'x_total', help: 'x', registers: [] });
    c.inc(1, { trace_id: 'ok' });
    expect(codeOf(() => c.inc(5, { 'trace-id': 'x' }))).toBe('VIGIL_ERR_EXEMPLAR');
    expect(codeOf(() => c.inc(5, { __trace: 'x' }))).toBe('VIGIL_ERR_EXEMPLAR');
    expect(codeOf(() => c.inc(5, { t: 'y'.repeat(200) }))).toBe('VIGIL_ERR_EXEMPLAR');
    expect(c.get()).toBe(1);
    expect(c.series[0]?.exemplar?.labelText).toBe('trace_id="ok"');

    const h = new Histogram({ name: 'h', help: 'x', buckets: [1], registers: [] });
    expect(codeOf(() => h.observe(0.5, { 'bad name': 'x' }))).toBe('VIGIL_ERR_EXEMPLAR');
    expect(codeOf(() => h.observe(0.5, { t: 'y'.repeat(200) }))).toBe('VIGIL_ERR_EXEMPLAR');
    const s = h.series[0];
    expect(s?.counts).toEqual([0, 0]);
    expect(s?.count).toBe(0);
    expect(s?.sum).toBe(0);
    expect(s?.exemplars).toBeUndefined();
  });

  it('an invalid increment with an exemplar is refused as an invalid value', () => {
    const c = new Counter({ name: 'v_total', help: 'x', registers: [] });
    expect(codeOf(() => c.inc(-1, { trace_id: 'x' }))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(c.series[0]?.exemplar).toBeUndefined();
  });

  it('are cleared by reset and by remove', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'z_total', help: 'x', labelNames: ['k'] });
    const a = c.labels({ k: 'a' });
    a.inc(1, { trace_id: 't' });
    c.remove({ k: 'a' });
    a.inc();
    expect(a.exemplar).toBeUndefined();
    a.inc(1, { trace_id: 'u' });
    c.reset();
    a.inc();
    expect(await r.metrics('openmetrics')).not.toContain('trace_id');
  });

  it('are written for labelled histogram series with default labels too', async () => {
    const r = new Registry({ defaultLabels: { svc: 'api' } });
    const h = r.histogram({ name: 'l_seconds', help: 'x', labelNames: ['q'], buckets: [1] });
    h.labels({ q: 'mail' }).observe(1, { trace_id: 'abc' });
    expect(linesOf(await r.metrics('openmetrics'), 'l_seconds_bucket')).toEqual([
      'l_seconds_bucket{svc="api",q="mail",le="1.0"} 1 # {trace_id="abc"} 1 1700000000.5',
      'l_seconds_bucket{svc="api",q="mail",le="+Inf"} 1',
    ]);
  });
});
