import { gunzipSync } from 'node:zlib';
import express from 'express';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsFetchHandler, metricsHandler } from '../../../src/exporter/index.js';
import { CONTENT_TYPE_OPENMETRICS, CONTENT_TYPE_TEXT, defaultRegistry, Registry } from '../../../src/metrics/index.js';
import { type Answer, get, PROMETHEUS_ACCEPT, serve } from './helpers.js';

function registry(): Registry {
  const r = new Registry();
  r.counter({ name: 'jobs_total', help: 'Jobs run.', labelNames: ['queue'] }).inc({ queue: 'mail' }, 3);
  r.gauge({ name: 'queue_depth', help: 'Queued jobs.' }).set(7);
  return r;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function served(r: Registry, options?: Parameters<typeof metricsHandler>[1]) {
  const s = await serve(metricsHandler(r, options));
  closers.push(s.close);
  return s;
}

describe('metricsHandler over node:http', () => {
  it('serves text 0.0.4 by default, with no-store and Content-Length', async () => {
    const r = registry();
    const { url } = await served(r);
    const res = await get(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(CONTENT_TYPE_TEXT);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toBe('Accept, Accept-Encoding');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.toString()).toBe(await r.metrics('text'));
  });

  it("answers Prometheus 2.42's exact Accept header with OpenMetrics", async () => {
    const r = registry();
    const { url } = await served(r);
    const res = await get(`${url}/metrics`, { headers: { Accept: PROMETHEUS_ACCEPT } });
    expect(res.headers['content-type']).toBe(CONTENT_TYPE_OPENMETRICS);
    const text = res.body.toString();
    expect(text).toBe(await r.metrics('openmetrics'));
    expect(text).toContain('jobs_total{queue="mail"} 3\n');
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  it('falls back to text for a text-only or unknown Accept', async () => {
    const { url } = await served(registry());
    for (const accept of ['text/plain;version=0.0.4', 'application/json', '*/*']) {
      const res = await get(`${url}/metrics`, { headers: { Accept: accept } });
      expect(res.headers['content-type'], accept).toBe(CONTENT_TYPE_TEXT);
    }
  });

  it('gzips when Accept-Encoding allows it; the body decompresses to the plain exposition', async () => {
    const r = registry();
    const { url } = await served(r);
    const res = await get(`${url}/metrics`, { headers: { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(gunzipSync(res.body).toString()).toBe(await r.metrics('openmetrics'));
    const refused = await get(`${url}/metrics`, { headers: { 'Accept-Encoding': 'gzip;q=0, identity' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.toString()).toBe(await r.metrics('text'));
  });

  it('gzips large registries encoded in slices, byte for byte', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'big_total', help: 'Many series.', labelNames: ['k'], maxSeries: 50_000 });
    for (let k = 0; k < 20_000; k++) c.inc({ k: `v${k}` }, k);
    const { url } = await served(r);
    const res = await get(`${url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gunzipSync(res.body).equals(Buffer.from(await r.metrics('text')))).toBe(true);
  });

  it('answers HEAD with the headers of a GET and no body', async () => {
    const { url } = await served(registry());
    const res = await get(`${url}/metrics`, {
      method: 'HEAD',
      headers: { Accept: PROMETHEUS_ACCEPT, 'Accept-Encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(CONTENT_TYPE_OPENMETRICS);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.length).toBe(0);
  });

  it('answers other methods with 405 and Allow: GET, HEAD, and no metric data', async () => {
    const { url } = await served(registry());
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await get(`${url}/metrics`, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.body.toString()).not.toContain('jobs_total');
    }
  });

  it('serves the default registry when none is given', async () => {
    const name = `exporter_default_probe_${process.pid}`;
    const g = defaultRegistry.gauge({ name, help: 'Probe.' });
    g.set(1);
    try {
      const { url } = await serve(metricsHandler()).then((s) => {
        closers.push(s.close);
        return s;
      });
      expect((await get(`${url}/metrics`)).body.toString()).toContain(`${name} 1\n`);
    } finally {
      defaultRegistry.removeSingleMetric(name);
    }
  });

  it('answers a scrape that fails unexpectedly with a clean 500, and keeps serving', async () => {
    const r = registry();
    const gather = r.gather.bind(r);
    let broken = true;
    r.gather = async () => {
      if (broken) throw new Error('disk on fire');
      return gather();
    };
    const { url } = await served(r);
    const res = await get(`${url}/metrics`);
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body.toString()).toContain('disk on fire');
    broken = false;
    expect((await get(`${url}/metrics`)).status).toBe(200);
  });

  it('ignores an onScrape observer that throws', async () => {
    const { url } = await served(registry(), {
      onScrape: () => {
        throw new Error('observer bug');
      },
    });
    expect((await get(`${url}/metrics`)).status).toBe(200);
  });

  it('reports each scrape to onScrape', async () => {
    const seen: Parameters<NonNullable<Parameters<typeof metricsHandler>[1]>['onScrape'] & {}>[0][] = [];
    const { url } = await served(registry(), { onScrape: (info) => seen.push(info) });
    const res = await get(`${url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ status: 200, format: 'text', gzip: true, seriesCount: 2, bytes: res.body.length });
    expect(seen[0]?.durationSeconds).toBeGreaterThanOrEqual(0);
  });

  it('refuses invalid options at setup with VIGIL_ERR_EXPORTER_OPTION', () => {
    const bad: Parameters<typeof metricsHandler>[1][] = [
      { onCollectError: 'ignore' as 'serve' },
      { sliceMs: 0 },
      { auth: { bearer: '' } },
      { auth: { basic: { username: '', password: 'x' } } },
      { auth: {} as { bearer: string } },
    ];
    for (const options of bad) {
      expect(() => metricsHandler(registry(), options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'VIGIL_ERR_EXPORTER_OPTION' }),
      );
    }
  });
});

describe('metricsHandler in frameworks', () => {
  it('mounts in Express at /prometheus/metrics beside a JSON /metrics', async () => {
    const r = registry();
    const app = express();
    app.get('/prometheus/metrics', metricsHandler(r));
    app.get('/metrics', (_req, res) => {
      res.json({ ok: true });
    });
    const s = await serve(app);
    closers.push(s.close);
    const prom = await get(`${s.url}/prometheus/metrics`, { headers: { Accept: PROMETHEUS_ACCEPT } });
    expect(prom.status).toBe(200);
    expect(prom.headers['content-type']).toBe(CONTENT_TYPE_OPENMETRICS);
    expect(prom.body.toString()).toBe(await r.metrics('openmetrics'));
    const head: Answer = await get(`${s.url}/prometheus/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const json = await get(`${s.url}/metrics`);
    expect(JSON.parse(json.body.toString())).toEqual({ ok: true });
  });

  it('serves Hono through .fetch (in process, no socket)', async () => {
    const r = registry();
    const handler = metricsHandler(r);
    const app = new Hono();
    app.get('/metrics', (c) => handler.fetch(c.req.raw));
    const res = await app.request('/metrics', { headers: { Accept: PROMETHEUS_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(CONTENT_TYPE_OPENMETRICS);
    expect(await res.text()).toBe(await r.metrics('openmetrics'));
  });
});

describe('metricsFetchHandler', () => {
  it('serves GET, gzip, HEAD and 405 with Request/Response', async () => {
    const r = registry();
    const handle = metricsFetchHandler(r);
    const plain = await handle(new Request('http://127.0.0.1/metrics'));
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe(CONTENT_TYPE_TEXT);
    expect(plain.headers.get('cache-control')).toBe('no-store');
    expect(await plain.text()).toBe(await r.metrics('text'));

    const zipped = await handle(new Request('http://127.0.0.1/metrics', { headers: { 'Accept-Encoding': 'gzip' } }));
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    const bytes = Buffer.from(await zipped.arrayBuffer());
    expect(gunzipSync(bytes).toString()).toBe(await r.metrics('text'));

    const head = await handle(new Request('http://127.0.0.1/metrics', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();

    const post = await handle(new Request('http://127.0.0.1/metrics', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('shares one gather between concurrent scrapes of the same format', async () => {
    const r = registry();
    let gathers = 0;
    const gather = r.gather.bind(r);
    r.gather = () => {
      gathers++;
      return gather();
    };
    const handle = metricsFetchHandler(r);
    const answers = await Promise.all(Array.from({ length: 5 }, () => handle(new Request('http://127.0.0.1/m'))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(gathers).toBe(1);
    await handle(new Request('http://127.0.0.1/m'));
    expect(gathers).toBe(2);
  });
});
