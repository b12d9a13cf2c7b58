import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  HTTP_SERVER_LABELS,
  HTTP_SERVER_REQUEST_DURATION_SECONDS,
  HTTP_SERVER_REQUEST_SIZE_BYTES,
  HTTP_SERVER_REQUESTS_IN_FLIGHT,
  HTTP_SERVER_REQUESTS_TOTAL,
  HTTP_SERVER_RESPONSE_SIZE_BYTES,
  httpServerMetrics,
} from '../../../src/catalog/http.js';
import {
  CLIENT_CLOSED_STATUS,
  contentLength,
  HttpRecorder,
  methodLabel,
  OTHER_METHOD,
  OTHER_STATUS,
  pathOf,
  STANDARD_METHODS,
  statusLabel,
} from '../../../src/http/core.js';
import { AlreadyRegisteredError, type GaugeSeries, Registry, VigilError } from '../../../src/metrics/index.js';
import type { ServerTracing } from '../../../src/tracing/index.js';
import { counts, family, inFlight } from './helpers.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    return (error as VigilError).code;
  }
  throw new Error('expected a VigilError');
}

describe('bounded label values', () => {
  it('keeps the standard methods and folds everything else', () => {
    for (const m of STANDARD_METHODS) expect(methodLabel(m)).toBe(m);
    for (const m of ['PROPFIND', 'PURGE', 'get', 'Get', '', 'GET ', undefined, 'x'.repeat(1000)]) {
      expect(methodLabel(m)).toBe(OTHER_METHOD);
    }
  });

  it('writes every status code 100-599 as its number, everything else as one value', () => {
    for (let c = 100; c < 600; c++) expect(statusLabel(c)).toBe(String(c));
    for (const c of [0, 99, 600, 999, -1, Number.NaN, 1e9]) expect(statusLabel(c)).toBe(OTHER_STATUS);
    expect(statusLabel(CLIENT_CLOSED_STATUS)).toBe('499');
  });

  it('groups status codes into classes', () => {
    expect([100, 199, 200, 204, 302, 404, 499, 500, 599].map((c) => statusLabel(c, true))).toEqual([
      '1xx',
      '1xx',
      '2xx',
      '2xx',
      '3xx',
      '4xx',
      '4xx',
      '5xx',
      '5xx',
    ]);
    expect(statusLabel(600, true)).toBe(OTHER_STATUS);
    expect(statusLabel(42, true)).toBe(OTHER_STATUS);
  });

  it('takes the path of a request target without its query string', () => {
    expect(pathOf('/a/b?x=1&y=2')).toBe('/a/b');
    expect(pathOf('/a/b')).toBe('/a/b');
    expect(pathOf('/?')).toBe('/');
    expect(pathOf(undefined)).toBe('/');
  });

  it('reads Content-Length headers, -1 when unknown', () => {
    expect(contentLength('123')).toBe(123);
    expect(contentLength(7)).toBe(7);
    expect(contentLength('0')).toBe(0);
    for (const v of [undefined, null, '', 'abc', '-1', '1.5', ['1', '2'], -3]) expect(contentLength(v)).toBe(-1);
  });
});

describe('HttpRecorder', () => {
  it('records with cached handles: one series per method, route and status', async () => {
    const registry = new Registry();
    const recorder = new HttpRecorder<null>({ registry });
    for (let i = 0; i < 5; i++) {
      const m = recorder.begin('GET');
      recorder.end(m, '/a', 200, performance.now() - 10, null);
    }
    const m = recorder.begin('BREW');
    recorder.end(m, '/a', 418, performance.now(), null);
    expect(await counts(registry)).toEqual({ 'GET /a 200': 5, 'OTHER /a 418': 1 });
    const durations = await family(registry, HTTP_SERVER_REQUEST_DURATION_SECONDS);
    const first = durations?.series[0];
    expect(first && 'sum' in first ? first.sum : 0).toBeGreaterThanOrEqual(0.05);
  });

  it('puts each request in its own series when consecutive requests differ in one label', async () => {
    const registry = new Registry();
    const recorder = new HttpRecorder<null>({ registry });
    // Each step changes one of route, status or method from the one before.
    const requests: [string, string, number][] = [
      ['GET', '/a', 200],
      ['GET', '/b', 200],
      ['GET', '/b', 404],
      ['POST', '/b', 404],
      ['POST', '/b', 404],
      ['GET', '/a', 200],
      ['GET', '/a', 201],
    ];
    for (const [method, route, status] of requests) recorder.end(recorder.begin(method), route, status, 0, null);
    expect(await counts(registry)).toEqual({
      'GET /a 200': 2,
      'GET /b 200': 1,
      'GET /b 404': 1,
      'POST /b 404': 2,
      'GET /a 201': 1,
    });
  });
  it('keeps recording correctly past the route cache limit', async () => {
    const registry = new Registry();
    const recorder = new HttpRecorder<null>({ registry, maxSeries: 100_000 });
    for (let i = 0; i < 2_500; i++) recorder.end(recorder.begin('GET'), `/r${i}`, 200, performance.now(), null);
    recorder.end(recorder.begin('GET'), '/r2499', 200, performance.now(), null);
    const all = await counts(registry);
    expect(Object.keys(all)).toHaveLength(2_500);
    expect(all['GET /r2499 200']).toBe(2);
    expect(all['GET /r0 200']).toBe(1);
  });

  it('adds the requests it counted to the counter and in-flight gauge at each collect, exactly', async () => {
    const registry = new Registry();
    const recorder = new HttpRecorder<null>({ registry });
    const open = [recorder.begin('GET'), recorder.begin('GET'), recorder.begin('POST')];
    expect(await inFlight(registry)).toEqual({ GET: 2, POST: 1 });
    recorder.end(open[0] as number, '/a', 200, 0, null);
    recorder.end(open[2] as number, '/a', 201, 0, null);
    expect(await counts(registry)).toEqual({ 'GET /a 200': 1, 'POST /a 201': 1 });
    expect(await inFlight(registry)).toEqual({ GET: 1, POST: 0 });
    // Collecting again adds nothing twice; what came in between is added once.
    expect(await counts(registry)).toEqual({ 'GET /a 200': 1, 'POST /a 201': 1 });
    recorder.end(open[1] as number, '/a', 200, 0, null);
    for (let i = 0; i < 3; i++) recorder.end(recorder.begin('GET'), '/a', 200, 0, null);
    expect(await counts(registry)).toEqual({ 'GET /a 200': 5, 'POST /a 201': 1 });
    expect(await inFlight(registry)).toEqual({ GET: 0, POST: 0 });
    // The text exposition collects too, and the counter agrees with the histogram's _count.
    const text = await registry.metrics();
    expect(text).toContain('http_server_requests_total{method="GET",route="/a",status="200"} 5\n');
    expect(text).toContain('http_server_request_duration_seconds_count{method="GET",route="/a",status="200"} 5\n');
  });

  it('never shows a counter series at 0 for a request recorded while a gather was under way', async () => {
    const registry = new Registry();
    const recorder = new HttpRecorder<null>({ registry });
    recorder.end(recorder.begin('GET'), '/a', 200, 0, null);
    // gather() runs the collect callbacks at once and reads the series after an await.
    const gathering = registry.gather();
    recorder.end(recorder.begin('GET'), '/a', 200, 0, null);
    recorder.end(recorder.begin('GET'), '/new', 200, 0, null);
    const { families } = await gathering;
    const total = families.find((f) => f.name === HTTP_SERVER_REQUESTS_TOTAL);
    const values = Object.fromEntries((total?.series ?? []).map((s) => [s.labelText, 'value' in s ? s.value : NaN]));
    expect(values).toEqual({ 'method="GET",route="/a",status="200"': 1 });
    expect(await counts(registry)).toEqual({ 'GET /a 200': 2, 'GET /new 200': 1 });
  });

  it('sums the middleware instances that share a registry, and adds to what the code itself records', async () => {
    const registry = new Registry();
    const a = new HttpRecorder<null>({ registry });
    const b = new HttpRecorder<null>({ registry });
    a.end(a.begin('GET'), '/x', 200, 0, null);
    b.end(b.begin('GET'), '/x', 200, 0, null);
    b.begin('GET');
    httpServerMetrics({ registry }).requests.inc({ method: 'GET', route: '/x', status: '200' }, 10);
    expect(await counts(registry)).toEqual({ 'GET /x 200': 12 });
    expect(await inFlight(registry)).toEqual({ GET: 1 });
  });

  it('counts at once when the counter was registered before without the catalog (no collect hook)', async () => {
    const registry = new Registry();
    // The catalog's definition, registered by hand: get-or-create hands this one back.
    const own = registry.counter({
      name: HTTP_SERVER_REQUESTS_TOTAL,
      help: 'HTTP requests served, by method, matched route template and status code.',
      labelNames: ['method', 'route', 'status'],
    });
    const recorder = new HttpRecorder<null>({ registry });
    expect(recorder.metrics.requests).toBe(own);
    recorder.end(recorder.begin('GET'), '/a', 200, 0, null);
    expect(own.labels({ method: 'GET', route: '/a', status: '200' }).get()).toBe(1);
    const gauge = recorder.metrics.inFlight.labels({ method: 'GET' });
    recorder.begin('GET');
    expect(gauge.get()).toBe(1);
    expect(await counts(registry)).toEqual({ 'GET /a 200': 1 });
  });

  it('gives the empty value for custom labels that throw or return something else than a value', async () => {
    const registry = new Registry();
    const recorder = new HttpRecorder<{ n: number }>({
      registry,
      customLabels: {
        a: (req) => {
          if (req.n === 1) throw new Error('label failure');
          return req.n;
        },
        b: (req) => (req.n === 2 ? ({} as unknown as string) : req.n > 2),
      },
    });
    for (const n of [1, 2, 3]) recorder.end(recorder.begin('GET'), '/x', 200, performance.now(), { n });
    expect(await counts(registry)).toEqual({ 'GET /x 200  false': 1, 'GET /x 200 2 ': 1, 'GET /x 200 3 true': 1 });
  });

  it('rejects invalid options with VIGIL_ERR_INVALID_OPTION', () => {
    const registry = new Registry();
    expect(code(() => new HttpRecorder(null as unknown as object))).toBe('VIGIL_ERR_INVALID_OPTION');
    expect(code(() => new HttpRecorder({ registry, excludePaths: '/metrics' as unknown as string[] }))).toBe(
      'VIGIL_ERR_INVALID_OPTION',
    );
    expect(code(() => new HttpRecorder({ registry, excludePaths: [42 as unknown as string] }))).toBe(
      'VIGIL_ERR_INVALID_OPTION',
    );
    expect(
      code(() => new HttpRecorder({ registry, customLabels: { tenant: 'acme' as unknown as () => string } })),
    ).toBe('VIGIL_ERR_INVALID_OPTION');
    expect(
      code(() => new HttpRecorder({ registry, customLabels: 'x' as unknown as Record<string, () => string> })),
    ).toBe('VIGIL_ERR_INVALID_OPTION');
    expect(code(() => new HttpRecorder({ registry, customLabels: { route: () => 'x' } }))).toBe(
      'VIGIL_ERR_INVALID_OPTION',
    );
    expect(code(() => new HttpRecorder({ registry, customLabels: { 'bad-name': () => 'x' } }))).toBe(
      'VIGIL_ERR_INVALID_LABEL_NAME',
    );
    expect(code(() => new HttpRecorder({ registry, buckets: [1, 0.5] }))).toBe('VIGIL_ERR_INVALID_BUCKETS');
    expect(code(() => new HttpRecorder({ registry, tracing: {} as unknown as ServerTracing }))).toBe(
      'VIGIL_ERR_INVALID_OPTION',
    );
  });

  it('treats patterns with the g flag statelessly', () => {
    const recorder = new HttpRecorder({ registry: new Registry(), excludePaths: [/^\/internal\//g] });
    const excluded = recorder.isExcluded as (p: string) => boolean;
    expect([excluded('/internal/a'), excluded('/internal/a'), excluded('/internal/b'), excluded('/public')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('decides at setup that nothing is excluded', () => {
    expect(new HttpRecorder({ registry: new Registry(), excludePaths: [] }).isExcluded).toBeNull();
    const byDefault = new HttpRecorder({ registry: new Registry() }).isExcluded;
    expect(byDefault?.('/metrics')).toBe(true);
    expect(byDefault?.('/metrics/')).toBe(false);
  });
});

describe('httpServerMetrics (catalog)', () => {
  it('uses the documented names', () => {
    expect([
      HTTP_SERVER_REQUESTS_TOTAL,
      HTTP_SERVER_REQUEST_DURATION_SECONDS,
      HTTP_SERVER_REQUESTS_IN_FLIGHT,
      HTTP_SERVER_REQUEST_SIZE_BYTES,
      HTTP_SERVER_RESPONSE_SIZE_BYTES,
    ]).toEqual([
      'http_server_requests_total',
      'http_server_request_duration_seconds',
      'http_server_requests_in_flight',
      'http_server_request_size_bytes',
      'http_server_response_size_bytes',
    ]);
    expect(HTTP_SERVER_LABELS).toEqual(['method', 'route', 'status']);
  });

  it('is get-or-create: the same options give the same metrics', () => {
    const registry = new Registry();
    const a = httpServerMetrics({ registry, sizes: true });
    const b = httpServerMetrics({ registry, sizes: true });
    expect(b.requests).toBe(a.requests);
    expect(b.duration).toBe(a.duration);
    expect(b.inFlight).toBe(a.inFlight);
    expect(b.requestSize).toBe(a.requestSize);
    expect(b.responseSize).toBe(a.responseSize);
    expect(httpServerMetrics({ registry }).requestSize).toBeUndefined();
  });

  it('refuses a conflicting definition in the same registry, naming both', () => {
    const registry = new Registry();
    httpServerMetrics({ registry });
    let error: unknown;
    try {
      httpServerMetrics({ registry, buckets: [1, 2] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AlreadyRegisteredError);
    expect((error as Error).message).toContain(HTTP_SERVER_REQUEST_DURATION_SECONDS);
    expect(code(() => httpServerMetrics({ registry: new Registry(), extraLabels: ['status'] }))).toBe(
      'VIGIL_ERR_INVALID_OPTION',
    );
  });

  it('writes the families with types, units and help', async () => {
    const registry = new Registry();
    const m = httpServerMetrics({ registry, sizes: true });
    m.requests.inc({ method: 'GET', route: '/a', status: '200' });
    m.inFlight.inc({ method: 'GET' });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE http_server_requests_total counter\n');
    expect(text).toContain('http_server_requests_total{method="GET",route="/a",status="200"} 1\n');
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram\n');
    expect(text).toContain('# TYPE http_server_requests_in_flight gauge\n');
    expect(text).toContain('# TYPE http_server_request_size_bytes histogram\n');
    const om = await registry.metrics('openmetrics');
    expect(om).toContain('# UNIT http_server_request_duration_seconds seconds\n');
    expect(om).toContain('# UNIT http_server_response_size_bytes bytes\n');
  });

  it('types the extra labels', () => {
    const m = httpServerMetrics({ registry: new Registry(), extraLabels: ['tenant'] });
    expectTypeOf(m.requests.inc).toBeCallableWith({ method: 'GET', route: '/', status: '200', tenant: 'a' });
    // @ts-expect-error: tenant is declared, so it is required
    const missing = () => m.requests.inc({ method: 'GET', route: '/', status: '200' });
    expect(missing).toThrow(VigilError);
    expectTypeOf(m.inFlight.labels({ method: 'GET' })).toEqualTypeOf<GaugeSeries>();
    // @ts-expect-error: the in-flight gauge has only a method label
    const extra = () => m.inFlight.labels({ method: 'GET', route: '/' });
    expect(extra).toThrow(VigilError);
  });
});
