import { afterEach, describe, expect, it } from 'vitest';
import { metricsFetchHandler, metricsHandler, SCRAPE_ERRORS_METRIC } from '../../../src/exporter/index.js';
import { type Counter, Registry } from '../../../src/metrics/index.js';
import { get, PROMETHEUS_ACCEPT, serve } from './helpers.js';

/** A registry with a healthy gauge, a throwing callback, a rejecting callback and a throwing collector. */
function failing(): Registry {
  const r = new Registry();
  r.gauge({ name: 'healthy_value', help: 'Always collected.' }).set(5);
  r.gauge({
    name: 'sync_broken',
    help: 'Its collect throws.',
    collect() {
      throw new Error('sensor unplugged');
    },
  });
  r.gauge({
    name: 'async_broken',
    help: 'Its collect rejects.',
    async collect() {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('upstream timed out');
    },
  });
  r.registerCollector('host', {
    collect() {
      throw new Error('no /proc here');
    },
  });
  return r;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('a collect callback that fails', () => {
  it('leaves the other families served and counts each failure by name', async () => {
    const r = failing();
    const s = await serve(metricsHandler(r));
    closers.push(s.close);
    const res = await get(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    const text = res.body.toString();
    expect(text).toContain('healthy_value 5\n');
    expect(text).not.toContain('# TYPE sync_broken');
    expect(text).not.toContain('# TYPE async_broken');
    expect(text).toContain(`# TYPE ${SCRAPE_ERRORS_METRIC} counter\n`);
    expect(text).toContain(`${SCRAPE_ERRORS_METRIC}{collector="sync_broken"} 1\n`);
    expect(text).toContain(`${SCRAPE_ERRORS_METRIC}{collector="async_broken"} 1\n`);
    expect(text).toContain(`${SCRAPE_ERRORS_METRIC}{collector="host"} 1\n`);

    const again = (await get(`${s.url}/metrics`, { headers: { Accept: PROMETHEUS_ACCEPT } })).body.toString();
    expect(again).toContain(`${SCRAPE_ERRORS_METRIC}{collector="sync_broken"} 2\n`);
    expect(again).toContain(`${SCRAPE_ERRORS_METRIC}{collector="async_broken"} 2\n`);
    expect(again.endsWith('# EOF\n')).toBe(true);
  });

  it('registers the error counter with get-or-create, so it survives registry.clear()', async () => {
    const r = failing();
    const handle = metricsFetchHandler(r);
    await handle(new Request('http://127.0.0.1/metrics'));
    expect(r.getSingleMetric(SCRAPE_ERRORS_METRIC)?.type).toBe('counter');
    r.clear();
    r.gauge({
      name: 'again_broken',
      help: 'Throws.',
      collect() {
        throw new Error('x');
      },
    });
    const text = await (await handle(new Request('http://127.0.0.1/metrics'))).text();
    expect(text).toContain(`${SCRAPE_ERRORS_METRIC}{collector="again_broken"} 1\n`);
  });

  it("answers 500 naming what failed with onCollectError: 'fail', still counting", async () => {
    const r = failing();
    const s = await serve(metricsHandler(r, { onCollectError: 'fail' }));
    closers.push(s.close);
    const res = await get(`${s.url}/metrics`);
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    const body = res.body.toString();
    expect(body).toContain('VIGIL_ERR_COLLECT');
    expect(body).toContain('sync_broken (sensor unplugged)');
    expect(body).toContain('async_broken (upstream timed out)');
    expect(body).toContain('host (no /proc here)');
    expect(body).not.toContain('healthy_value 5');
    const counted = r.getSingleMetric(SCRAPE_ERRORS_METRIC) as Counter<readonly ['collector']>;
    expect(counted.get({ collector: 'sync_broken' })).toBe(1);
    expect(counted.get({ collector: 'host' })).toBe(1);
  });

  it("serves normally in 'fail' mode when nothing fails", async () => {
    const r = new Registry();
    r.gauge({ name: 'fine', help: 'Fine.', collect() {} }).set(1);
    const res = await metricsFetchHandler(r, { onCollectError: 'fail' })(new Request('http://127.0.0.1/metrics'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('fine 1\n');
  });

  it('keeps a user metric already named vigil_scrape_errors_total, and still serves', async () => {
    const r = failing();
    r.gauge({ name: SCRAPE_ERRORS_METRIC, help: 'Mine.' }).set(42);
    const res = await metricsFetchHandler(r)(new Request('http://127.0.0.1/metrics'));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`${SCRAPE_ERRORS_METRIC} 42\n`);
    expect(text).toContain('healthy_value 5\n');
  });
});
