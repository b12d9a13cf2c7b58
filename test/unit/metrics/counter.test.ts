import { describe, expect, it } from 'vitest';
import { Counter, CounterSeries, Registry } from '../../../src/metrics/index.js';
import { codeOf, thrown } from './helpers.js';

function counter() {
  return new Counter({ name: 'jobs_total', help: 'Jobs run.', registers: [] });
}

function labelled() {
  return new Counter({ name: 'requests_total', help: 'Requests.', labelNames: ['method', 'status'], registers: [] });
}

describe('Counter', () => {
  it('starts at zero and adds 1 by default, or the given amount', () => {
    const c = counter();
    expect(c.get()).toBe(0);
    c.inc();
    expect(c.get()).toBe(1);
    c.inc(2.5);
    c.inc(0);
    expect(c.get()).toBe(3.5);
  });

  it('counts per label set, by object, by handle and by positional values', () => {
    const c = labelled();
    c.inc({ method: 'GET', status: '200' });
    c.inc({ method: 'GET', status: '200' }, 2);
    c.labels({ method: 'POST', status: '201' }).inc(5);
    c.labels('GET', '200').inc();
    expect(c.get({ method: 'GET', status: '200' })).toBe(4);
    expect(c.get({ method: 'POST', status: '201' })).toBe(5);
    expect(c.series).toHaveLength(2);
  });

  it('hands out the same handle for the same label set, a different one for another', () => {
    const c = labelled();
    const a = c.labels({ method: 'GET', status: '200' });
    expect(a).toBeInstanceOf(CounterSeries);
    expect(c.labels({ status: '200', method: 'GET' })).toBe(a);
    expect(c.labels('GET', '200')).toBe(a);
    expect(c.labels({ method: 'GET', status: '500' })).not.toBe(a);
  });

  it('treats numbers and booleans as their string form', () => {
    const c = new Counter({ name: 'x_total', help: 'x', labelNames: ['code', 'ok'], registers: [] });
    c.inc({ code: 200, ok: true });
    c.inc({ code: '200', ok: 'true' });
    expect(c.series).toHaveLength(1);
    expect(c.get({ code: 200, ok: true })).toBe(2);
    expect(c.series[0]?.labelText).toBe('code="200",ok="true"');
  });

  it.each([
    ['negative', -1],
    ['NaN', Number.NaN],
    ['+Inf', Number.POSITIVE_INFINITY],
    ['-Inf', Number.NEGATIVE_INFINITY],
    ['a string', '1'],
    ['null', null],
  ])('refuses a %s increment and leaves the value unchanged', (_, bad) => {
    const c = counter();
    c.inc(3);
    const error = thrown(() => c.inc(bad as number));
    expect(error.code).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(error.message).toContain('jobs_total');
    expect(error.message).toContain('unchanged');
    expect(c.get()).toBe(3);

    const l = labelled();
    const h = l.labels({ method: 'GET', status: '200' });
    h.inc(2);
    expect(codeOf(() => h.inc(bad as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(codeOf(() => l.inc({ method: 'GET', status: '200' }, bad as number))).toBe('VIGIL_ERR_INVALID_VALUE');
    expect(h.get()).toBe(2);
  });

  it('refuses an update without labels on a labelled counter', () => {
    const c = labelled();
    expect(codeOf(() => (c as unknown as Counter).inc())).toBe('VIGIL_ERR_LABEL_MISSING');
    expect(codeOf(() => (c as unknown as Counter).inc(1))).toBe('VIGIL_ERR_LABEL_MISSING');
    expect(c.series).toHaveLength(0);
  });

  it('reads a label set that does not exist as 0 without creating its series', () => {
    const c = labelled();
    expect(c.get({ method: 'GET', status: '404' })).toBe(0);
    expect(c.series).toHaveLength(0);
    expect(codeOf(() => c.get({ method: 'GET' } as never))).toBe('VIGIL_ERR_LABEL_MISSING');
  });

  it('reset zeroes an unlabelled counter and drops every series of a labelled one', () => {
    const c = counter();
    c.inc(4);
    c.reset();
    expect(c.get()).toBe(0);
    expect(c.series).toHaveLength(1);

    const l = labelled();
    l.inc({ method: 'GET', status: '200' });
    l.inc({ method: 'PUT', status: '200' });
    l.reset();
    expect(l.series).toHaveLength(0);
    expect(l.get({ method: 'GET', status: '200' })).toBe(0);
  });

  it('remove drops one series; its handle starts afresh when used again', () => {
    const c = labelled();
    const get = c.labels({ method: 'GET', status: '200' });
    get.inc(7);
    c.inc({ method: 'PUT', status: '200' }, 1);
    c.remove({ method: 'GET', status: '200' });
    expect(c.series.map((s) => s.labelText)).toEqual(['method="PUT",status="200"']);
    get.inc();
    expect(c.get({ method: 'GET', status: '200' })).toBe(1);
    expect(c.series).toHaveLength(2);
    c.remove('PUT', '200');
    expect(c.get({ method: 'PUT', status: '200' })).toBe(0);
    expect(c.series).toHaveLength(1);
  });

  it('remove of an unknown label set does nothing; of an invalid one throws', () => {
    const c = labelled();
    c.inc({ method: 'GET', status: '200' });
    c.remove({ method: 'GET', status: '500' });
    expect(c.series).toHaveLength(1);
    expect(codeOf(() => c.remove({ method: 'GET' } as never))).toBe('VIGIL_ERR_LABEL_MISSING');
    expect(codeOf(() => c.remove({ method: 'GET', status: '200', x: '1' } as never))).toBe('VIGIL_ERR_LABEL_UNKNOWN');
    expect(c.series).toHaveLength(1);
  });

  it('remove called from JavaScript on an unlabelled counter zeroes it and keeps it exposed', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'once_total', help: 'x' });
    c.inc(3);
    (c as unknown as { remove(): void }).remove();
    expect(c.get()).toBe(0);
    c.inc();
    expect(c.get()).toBe(1);
    expect(await r.metrics()).toContain('once_total 1\n');
  });

  it('names its OpenMetrics family without _total and claims every sample name', () => {
    expect(counter().familyName()).toBe('jobs');
    expect(counter().sampleNames()).toEqual(['jobs', 'jobs_total', 'jobs_created']);
    const bare = new Counter({ name: 'jobs', help: 'x', registers: [] });
    expect(bare.familyName()).toBe('jobs');
    expect(bare.sampleNames()).toEqual(['jobs', 'jobs_total', 'jobs_created']);
  });

  it('runs its collect callback with the counter as this', async () => {
    const r = new Registry();
    let seen: unknown;
    const c = r.counter({
      name: 'polled_total',
      help: 'x',
      collect() {
        seen = this;
        this.inc(2);
      },
    });
    expect(await r.metrics()).toContain('polled_total 2\n');
    expect(seen).toBe(c);
    expect(await r.metrics()).toContain('polled_total 4\n');
  });
});
