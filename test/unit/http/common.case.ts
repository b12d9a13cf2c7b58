/**
 * One conformance suite for every HTTP adapter (like Hono's router/common.case.test.ts):
 * each adapter's test file calls `runHttpConformance(kit)` with the same application
 * written for its framework (apps.ts), and must produce the same series.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { OTHER_METHOD, STANDARD_METHODS, UNMATCHED_ROUTE } from '../../../src/http/core.js';
import { OVERFLOW_LABEL_VALUE, Registry } from '../../../src/metrics/index.js';
import { setupTracing, type TracingHandle, teardownTracing } from '../../../src/tracing/index.js';
import type { AdapterKit, AppHooks, AppOptions, RunningApp } from './apps.js';
import {
  counts,
  eventually,
  expectNothingInFlight,
  family,
  gate,
  histograms,
  inFlight,
  randomSegment,
  seeded,
  seriesCount,
} from './helpers.js';

export function runHttpConformance(kit: AdapterKit): void {
  describe(`${kit.name} adapter: common cases`, () => {
    let app: RunningApp | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    async function start(
      options: Partial<AppOptions> = {},
      hooks: AppHooks = { slow: async () => {} },
      listen = false,
    ): Promise<{ registry: Registry; app: RunningApp }> {
      const registry = options.registry ?? new Registry();
      app = await kit.start({ ...options, registry }, hooks, listen);
      return { registry, app };
    }

    it('counts requests per method, route template and status', async () => {
      const { registry, app } = await start();
      expect(await app.request('GET', '/users/1')).toBe(200);
      expect(await app.request('GET', '/users/2')).toBe(200);
      expect(await app.request('GET', '/users/3?verbose=1')).toBe(200);
      expect(await app.request('POST', '/users', { body: 'hello' })).toBe(201);
      expect(await app.request('POST', '/users', { body: 'hello' })).toBe(201);
      expect(await app.request('DELETE', '/users/9')).toBe(204);
      expect(await app.request('GET', '/orgs/acme/repos/vigil')).toBe(200);
      expect(await app.request('GET', '/api/items/7')).toBe(200);
      expect(await counts(registry)).toEqual({
        'GET /users/:id 200': 3,
        'POST /users 201': 2,
        'DELETE /users/:id 204': 1,
        'GET /orgs/:org/repos/:repo 200': 1,
        'GET /api/items/:item 200': 1,
      });
      const durations = await histograms(registry, 'http_server_request_duration_seconds');
      expect(Object.fromEntries(Object.entries(durations).map(([k, v]) => [k, v.count]))).toEqual(
        await counts(registry),
      );
      for (const { sum } of Object.values(durations)) {
        expect(sum).toBeGreaterThan(0);
        expect(sum).toBeLessThan(10);
      }
      await expectNothingInFlight(registry);
    });

    it(`records requests no route matched as ${UNMATCHED_ROUTE}, never their URL`, async () => {
      const { registry, app } = await start();
      expect(await app.request('GET', '/nope/x')).toBe(404);
      expect(await app.request('GET', '/another?q=1')).toBe(404);
      expect(await app.request('POST', '/users/1/nested')).toBe(404);
      expect(await counts(registry)).toEqual({ [`GET ${UNMATCHED_ROUTE} 404`]: 2, [`POST ${UNMATCHED_ROUTE} 404`]: 1 });
    });

    it(`folds methods outside the standard set into ${OTHER_METHOD}`, async () => {
      const { registry, app } = await start();
      for (const method of ['PROPFIND', 'PURGE', 'MKCOL']) await app.request(method, '/users/1');
      await app.request('GET', '/users/1');
      const all = await counts(registry);
      const methods = new Set(Object.keys(all).map((k) => k.split(' ')[0]));
      expect([...methods].sort()).toEqual(['GET', OTHER_METHOD]);
      const other = Object.entries(all).filter(([k]) => k.startsWith(`${OTHER_METHOD} `));
      expect(other.reduce((n, [, v]) => n + v, 0)).toBe(3);
      expect(Object.keys(await inFlight(registry)).sort()).toEqual(['GET', OTHER_METHOD]);
      for (const m of methods) expect([...STANDARD_METHODS, OTHER_METHOD]).toContain(m);
    });

    it('does not record the metrics path by default', async () => {
      const { registry, app } = await start();
      expect(await app.request('GET', '/metrics')).toBe(200);
      expect(await app.request('GET', '/metrics?x=1')).toBe(200);
      expect(await app.request('GET', '/healthz')).toBe(200);
      expect(await counts(registry)).toEqual({ 'GET /healthz 200': 1 });
    });

    it('excludes the configured paths and patterns instead', async () => {
      const { registry, app } = await start({ excludePaths: ['/healthz', /^\/users\/\d+$/] });
      expect(await app.request('GET', '/healthz')).toBe(200);
      expect(await app.request('GET', '/healthz?probe=1')).toBe(200);
      expect(await app.request('GET', '/users/12')).toBe(200);
      expect(await app.request('GET', '/users/abc')).toBe(200);
      expect(await app.request('GET', '/metrics')).toBe(200);
      expect(await counts(registry)).toEqual({ 'GET /users/:id 200': 1, 'GET /metrics 200': 1 });
    });

    it('groups statuses into classes with statusGrouping', async () => {
      const { registry, app } = await start({ statusGrouping: true });
      await app.request('GET', '/users/1');
      await app.request('GET', '/users/2');
      await app.request('POST', '/users', { body: 'hello' });
      await app.request('DELETE', '/users/3');
      await app.request('GET', '/nope');
      await app.request('GET', '/boom');
      expect(await counts(registry)).toEqual({
        'GET /users/:id 2xx': 2,
        'POST /users 2xx': 1,
        'DELETE /users/:id 2xx': 1,
        [`GET ${UNMATCHED_ROUTE} 4xx`]: 1,
        'GET /boom 5xx': 1,
      });
    });

    it('adds custom labels computed from the request', async () => {
      const { registry, app } = await start({
        customLabels: { tenant: (req: unknown) => kit.header(req, 'x-tenant') },
      });
      await app.request('GET', '/users/1', { headers: { 'x-tenant': 'a' } });
      await app.request('GET', '/users/2', { headers: { 'x-tenant': 'a' } });
      await app.request('GET', '/users/3', { headers: { 'x-tenant': 'b' } });
      await app.request('GET', '/users/4');
      expect(await counts(registry)).toEqual({
        'GET /users/:id 200 a': 2,
        'GET /users/:id 200 b': 1,
        'GET /users/:id 200 ': 1,
      });
      const durations = await family(registry, 'http_server_request_duration_seconds');
      expect(durations?.series.map((s) => s.labels.tenant).sort()).toEqual(['', 'a', 'b']);
    });

    it('bounds custom label values by maxSeries', async () => {
      const { registry, app } = await start({
        maxSeries: 3,
        customLabels: { tenant: (req: unknown) => kit.header(req, 'x-tenant') },
      });
      for (let i = 0; i < 10; i++) await app.request('GET', '/users/1', { headers: { 'x-tenant': `t${i}` } });
      const all = await counts(registry);
      expect(Object.keys(all)).toHaveLength(4);
      const overflow = [OVERFLOW_LABEL_VALUE, OVERFLOW_LABEL_VALUE, OVERFLOW_LABEL_VALUE, OVERFLOW_LABEL_VALUE].join(
        ' ',
      );
      expect(all[overflow]).toBe(7);
      expect(Object.values(all).reduce((a, b) => a + b, 0)).toBe(10);
    });

    it('returns in-flight to 0 once slow requests finish', async () => {
      const slow = gate();
      const { registry, app } = await start({}, { slow: slow.wait });
      const pending = [app.request('GET', '/slow'), app.request('GET', '/slow'), app.request('GET', '/slow')];
      await eventually(async () => expect((await inFlight(registry)).GET).toBe(3));
      expect(await counts(registry)).toEqual({});
      slow.open();
      expect(await Promise.all(pending)).toEqual([200, 200, 200]);
      await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /slow 200': 3 }));
      await expectNothingInFlight(registry);
    });

    it('records a handler that throws as a 500 on its route', async () => {
      const { registry, app } = await start();
      expect(await app.request('GET', '/boom')).toBe(500);
      expect(await app.request('GET', '/boom')).toBe(500);
      expect(await counts(registry)).toEqual({ 'GET /boom 500': 2 });
      await expectNothingInFlight(registry);
    });

    it('creates no new series for a scan of 500 random URLs', async () => {
      const { registry, app } = await start();
      // Every series the scan can legitimately touch exists before it starts.
      await app.request('GET', '/users/warm');
      await app.request('GET', '/orgs/a/repos/b');
      await app.request('GET', '/scan-warm');
      const before = await seriesCount(registry);
      const random = seeded(0x5ca7 + kit.name.length);
      const urls: string[] = [];
      for (let i = 0; i < 500; i++) {
        const kind = i % 4;
        const seg = () => randomSegment(random);
        if (kind === 0) urls.push(`/users/${seg()}`);
        else if (kind === 1) urls.push(`/orgs/${seg()}/repos/${seg()}?${seg()}=${seg()}`);
        else if (kind === 2) urls.push(`/scan-${seg()}/${seg()}`);
        else urls.push(`/${seg()}${random() < 0.5 ? `/${seg()}` : ''}`);
      }
      for (let i = 0; i < urls.length; i += 50) {
        await Promise.all(urls.slice(i, i + 50).map((url) => app.request('GET', url)));
      }
      expect(await seriesCount(registry)).toBe(before);
      const all = await counts(registry);
      expect(Object.keys(all).sort()).toEqual(
        ['GET /orgs/:org/repos/:repo 200', 'GET /users/:id 200', `GET ${UNMATCHED_ROUTE} 404`].sort(),
      );
      expect(Object.values(all).reduce((a, b) => a + b, 0)).toBe(503);
    });

    it('records request and response sizes from Content-Length with sizes: true', async () => {
      const { registry, app } = await start({ sizes: true });
      expect(await app.request('POST', '/users', { body: 'hello' })).toBe(201);
      expect(await histograms(registry, 'http_server_request_size_bytes')).toEqual({
        'POST /users 201': { count: 1, sum: 5 },
      });
      expect(await histograms(registry, 'http_server_response_size_bytes')).toEqual({
        'POST /users 201': { count: 1, sum: 7 },
      });
    });

    it('creates no size histograms by default', async () => {
      const { registry, app } = await start();
      await app.request('POST', '/users', { body: 'hello' });
      expect(await family(registry, 'http_server_request_size_bytes')).toBeUndefined();
      expect(await family(registry, 'http_server_response_size_bytes')).toBeUndefined();
    });

    it('uses custom duration buckets', async () => {
      const { registry, app } = await start({ buckets: [0.5, 60] });
      await app.request('GET', '/users/1');
      const durations = await family(registry, 'http_server_request_duration_seconds');
      const series = durations?.series[0];
      expect(series && 'buckets' in series ? series.buckets.map((b) => b.le) : []).toEqual([
        0.5,
        60,
        Number.POSITIVE_INFINITY,
      ]);
    });

    it('counts a request the client abandons, and returns in-flight to 0', async () => {
      const slow = gate();
      const { registry, app } = await start({}, { slow: slow.wait }, true);
      const abort = new AbortController();
      const pending = app.request('GET', '/slow', { signal: abort.signal }).catch((e: unknown) => e);
      await eventually(async () => expect((await inFlight(registry)).GET).toBe(1));
      abort.abort();
      expect(await pending).toBeInstanceOf(Error);
      // Every adapter sees the connection close (Hono through @hono/node-server): 499 at once,
      // while the handler is still waiting.
      await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /slow 499': 1 }));
      await expectNothingInFlight(registry);
      slow.open();
      // The handler's late answer changes nothing.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await counts(registry)).toEqual({ 'GET /slow 499': 1 });
      await expectNothingInFlight(registry);
      // The server keeps working afterwards.
      expect(await app.request('GET', '/users/1')).toBe(200);
      await eventually(async () => expect((await counts(registry))['GET /users/:id 200']).toBe(1));
    });

    describe('with tracing', () => {
      const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
      const PARENT_ID = '00f067aa0ba902b7';
      const traceparent = `00-${TRACE_ID}-${PARENT_ID}-01`;
      let tracing: TracingHandle;
      afterEach(() => teardownTracing());

      async function startTraced(options: Partial<AppOptions> = {}, hooks?: AppHooks) {
        tracing = setupTracing({ endpoint: 'memory://', env: {} });
        return start({ tracing, ...options }, hooks);
      }

      /** The server spans, once `count` of them ended (a socket's close may come after the answer). */
      async function serverSpans(count: number): Promise<ReadableSpan[]> {
        let spans: ReadableSpan[] = [];
        await eventually(() => {
          spans = tracing.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
          expect(spans).toHaveLength(count);
        });
        return spans;
      }

      it('continues the incoming traceparent in a server span named after the route template', async () => {
        const { registry, app } = await startTraced();
        expect(await app.request('GET', '/users/42?x=1', { headers: { traceparent } })).toBe(200);
        const [span] = await serverSpans(1);
        expect(span?.name).toBe('GET /users/:id');
        expect(span?.spanContext().traceId).toBe(TRACE_ID);
        expect(span?.parentSpanContext?.spanId).toBe(PARENT_ID);
        expect(span?.attributes).toEqual({
          'http.request.method': 'GET',
          'http.route': '/users/:id',
          'url.path': '/users/42',
          'http.response.status_code': 200,
        });
        expect(span?.status.code).toBe(SpanStatusCode.UNSET);
        // The same request is in the metrics too.
        await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /users/:id 200': 1 }));
      });

      it('makes the server span the parent of spans started in the handler', async () => {
        const { app } = await startTraced({}, { slow: async () => tracing.withSpan('inside', () => undefined) });
        expect(await app.request('GET', '/slow', { headers: { traceparent } })).toBe(200);
        const [server] = await serverSpans(1);
        const inside = tracing.getFinishedSpans().find((s) => s.name === 'inside');
        expect(inside?.spanContext().traceId).toBe(TRACE_ID);
        expect(inside?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
      });

      it(`sets error status for a 500, names unmatched requests ${UNMATCHED_ROUTE}, starts a trace without traceparent`, async () => {
        const { app } = await startTraced();
        expect(await app.request('GET', '/boom')).toBe(500);
        expect(await app.request('GET', '/nope/1')).toBe(404);
        expect(await app.request('GET', '/metrics')).toBe(200);
        const spans = await serverSpans(2);
        const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
        expect(Object.keys(byName).sort()).toEqual(['GET /boom', `GET ${UNMATCHED_ROUTE}`]);
        expect(byName['GET /boom']?.status.code).toBe(SpanStatusCode.ERROR);
        expect(byName['GET /boom']?.attributes['http.response.status_code']).toBe(500);
        expect(byName[`GET ${UNMATCHED_ROUTE}`]?.status.code).toBe(SpanStatusCode.UNSET);
        for (const s of spans) expect(s.parentSpanContext).toBeUndefined();
      });

      it('attaches the server span as exemplar to the request counter and duration histogram', async () => {
        const { registry, app } = await startTraced();
        expect(await app.request('GET', '/users/42', { headers: { traceparent } })).toBe(200);
        const [span] = await serverSpans(1);
        const spanId = span?.spanContext().spanId as string;
        await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /users/:id 200': 1 }));
        const text = await registry.metrics('openmetrics');
        const exemplar = `# {trace_id="${TRACE_ID}",span_id="${spanId}"}`;
        const series = '{method="GET",route="/users/:id",status="200"';
        expect(text).toContain(`http_server_requests_total${series}} 1 ${exemplar} 1 `);
        const buckets = text
          .split('\n')
          .filter((l) => l.startsWith(`http_server_request_duration_seconds_bucket${series}`));
        // The one bucket the observation fell into carries it, with the observed duration.
        const marked = buckets.filter((l) => l.includes(exemplar));
        expect(marked).toHaveLength(1);
        const seconds = Number(marked[0]?.split(`${exemplar} `)[1]?.split(' ')[0]);
        expect(seconds).toBeGreaterThan(0);
        expect(seconds).toBeLessThan(10);
        // Text 0.0.4 has no exemplars.
        expect(await registry.metrics()).not.toContain('trace_id');
      });

      it('attaches no exemplar for an unsampled trace, nor without the tracing option', async () => {
        const { registry, app } = await startTraced();
        expect(
          await app.request('GET', '/users/1', { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` } }),
        ).toBe(200);
        await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /users/:id 200': 1 }));
        expect(await registry.metrics('openmetrics')).not.toContain('# {');
        const plain = new Registry();
        const untraced = await kit.start({ registry: plain }, { slow: async () => {} }, false);
        try {
          expect(await untraced.request('GET', '/users/1', { headers: { traceparent } })).toBe(200);
          await eventually(async () => expect(await counts(plain)).toEqual({ 'GET /users/:id 200': 1 }));
          expect(await plain.metrics('openmetrics')).not.toContain('# {');
        } finally {
          await untraced.close();
        }
      });

      it('starts no span without the tracing option', async () => {
        tracing = setupTracing({ endpoint: 'memory://', env: {} });
        const { registry, app } = await start();
        expect(await app.request('GET', '/users/1', { headers: { traceparent } })).toBe(200);
        await eventually(async () => expect(await counts(registry)).toEqual({ 'GET /users/:id 200': 1 }));
        expect(tracing.getFinishedSpans()).toEqual([]);
      });
    });

    it('shares one metric set between two middleware instances on the same registry', async () => {
      const registry = new Registry();
      const first = await kit.start({ registry }, { slow: async () => {} }, false);
      const second = await kit.start({ registry }, { slow: async () => {} }, false);
      try {
        await first.request('GET', '/users/1');
        await second.request('GET', '/users/2');
        expect(await counts(registry)).toEqual({ 'GET /users/:id 200': 2 });
      } finally {
        await first.close();
        await second.close();
      }
    });
  });
}
