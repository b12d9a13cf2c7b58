import { describe, expect, it } from 'vitest';
import { withBand } from '../../../src/console/band.js';
import { History } from '../../../src/console/history.js';
import { resolveConsoleOptions } from '../../../src/console/options.js';
import { spansOfRequest } from '../../../src/console/otlp.js';
import { bucketQuantile } from '../../../src/console/overview.js';
import { matches, parseSelector } from '../../../src/console/selector.js';
import { SpanStore, type StoredSpan } from '../../../src/console/spans.js';
import { resolveStatic } from '../../../src/console/static.js';
import { Registry } from '../../../src/metrics/index.js';

describe('series selectors (embedded PromQL)', () => {
  it('parses names and the four matchers with Prometheus grammar', () => {
    const m = parseSelector('http_requests_total{route="/a",status!="200",method=~"GET|POST",host!~"b.*"}');
    expect(m.map(({ name, op, value }) => [name, op, value])).toEqual([
      ['__name__', '=', 'http_requests_total'],
      ['route', '=', '/a'],
      ['status', '!=', '200'],
      ['method', '=~', 'GET|POST'],
      ['host', '!~', 'b.*'],
    ]);
    expect(matches(m, 'http_requests_total', { route: '/a', status: '500', method: 'GET', host: 'a1' })).toBe(true);
    expect(matches(m, 'http_requests_total', { route: '/a', status: '500', method: 'GETX', host: 'a1' })).toBe(false);
    expect(matches(m, 'http_requests_total', { route: '/a', status: '500', method: 'GET', host: 'b1' })).toBe(false);
    expect(matches(m, 'other', { route: '/a', status: '500', method: 'GET', host: 'a1' })).toBe(false);
    expect(parseSelector('{__name__="up"}')).toHaveLength(1);
  });

  it('refuses everything else with bad_data', () => {
    for (const q of [
      'rate(x[1m])',
      'x + 1',
      'x offset 5m',
      'sum(x)',
      'x[5m]',
      'x{',
      '{a=""}',
      '{a=~".*"}',
      'x{a=~"("}',
    ]) {
      expect(() => parseSelector(q), q).toThrow(
        expect.objectContaining({ status: 400, extra: { errorType: 'bad_data' } }),
      );
    }
  });
});

describe('anomaly band', () => {
  it('is mean ± 3σ of the earlier half, and lists later points beyond it', () => {
    const points: Array<[number, number]> = [];
    for (let i = 0; i < 10; i++) points.push([i, i % 2 === 0 ? 9 : 11]);
    for (let i = 10; i < 20; i++) points.push([i, i === 15 ? 40 : 10]);
    const banded = withBand({ labels: {}, points });
    expect(banded.band?.lower[0]).toEqual([0, 7]);
    expect(banded.band?.upper[19]).toEqual([19, 13]);
    expect(banded.outside).toEqual([15]);
  });

  it('draws no band from too few points', () => {
    expect(
      withBand({
        labels: {},
        points: [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
      }).band,
    ).toBeUndefined();
  });
});

describe('histogram quantile', () => {
  it('interpolates inside the bucket like Prometheus', () => {
    expect(
      bucketQuantile(0.5, [
        [0.1, 0],
        [0.2, 10],
        [Number.POSITIVE_INFINITY, 10],
      ]),
    ).toBeCloseTo(0.15);
    expect(
      bucketQuantile(0.95, [
        [1, 5],
        [Number.POSITIVE_INFINITY, 10],
      ]),
    ).toBe(1);
    expect(
      bucketQuantile(0.5, [
        [1, 0],
        [Number.POSITIVE_INFINITY, 0],
      ]),
    ).toBeUndefined();
  });
});

describe('embedded history', () => {
  it('samples every series of the registry, histograms as buckets, sum and count', async () => {
    const registry = new Registry({ defaultLabels: { service: 's' } });
    const c = registry.counter({ name: 'jobs_total', help: 'h', labelNames: ['q'] });
    const h = registry.histogram({ name: 'lat_seconds', help: 'h', buckets: [0.1, 1] });
    const history = new History(registry, { historySeconds: 2, sampleIntervalMs: 1000, maxSeries: 6 });
    c.inc({ q: 'a' });
    h.observe(0.5);
    await history.sample();
    c.inc({ q: 'a' }, 2);
    await history.sample();
    const jobs = history.byName('jobs_total');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.labels).toEqual({ service: 's', q: 'a' });
    expect(jobs[0]?.points().map(([, v]) => v)).toEqual([1, 3]);
    expect(history.byName('lat_seconds_bucket').map((s) => [s.labels.le, s.points().at(-1)?.[1]])).toEqual([
      ['0.1', 0],
      ['1', 1],
      ['+Inf', 1],
    ]);
    expect(history.byName('lat_seconds_count')[0]?.points().at(-1)?.[1]).toBe(1);
    // Capacity is historySeconds / interval + 1 points: the oldest go.
    await history.sample();
    await history.sample();
    expect(jobs[0]?.points()).toHaveLength(3);
    // Bounded series: the seventh is not recorded.
    c.inc({ q: 'b' });
    await history.sample();
    expect(history.byName('jobs_total')).toHaveLength(1);
    expect(history.skippedSeries).toBe(1);
  });
});

const span = (
  traceId: string,
  spanId: string,
  parent: string | null,
  start: number,
  extra: Partial<StoredSpan> = {},
): StoredSpan => ({
  traceId,
  spanId,
  parentSpanId: parent,
  name: `op-${spanId}`,
  service: 'svc',
  kind: 'internal',
  startTimeMs: start,
  durationMs: 10,
  status: 'unset',
  statusMessage: null,
  attributes: {},
  events: [],
  receivedMs: Date.now(),
  ...extra,
});

describe('span store', () => {
  it('keeps the newest spans up to the count limit and counts what it dropped', () => {
    const store = new SpanStore({ maxSpans: 3 });
    store.add([span('t1', 'a', null, 0), span('t1', 'b', 'a', 1), span('t2', 'c', null, 5), span('t2', 'd', 'c', 6)]);
    expect(store.stats()).toMatchObject({ spans: 3, traces: 2, dropped: 1 });
    expect(store.trace('t1')?.spans.map((s) => s.spanId)).toEqual(['b']);
    // The orphan b becomes its trace's root.
    expect(store.list().map((t) => [t.traceId, t.rootName, t.spanCount])).toEqual([
      ['t2', 'op-c', 2],
      ['t1', 'op-b', 1],
    ]);
  });

  it('summarises a trace: root, duration over all spans, error if any span failed', () => {
    const store = new SpanStore();
    store.add([
      span('t', 'r', null, 100, { durationMs: 50, service: 'api', status: 'ok' }),
      span('t', 'c', 'r', 120, { durationMs: 80, service: 'db', status: 'error' }),
    ]);
    expect(store.list()[0]).toEqual({
      traceId: 't',
      rootName: 'op-r',
      service: 'api',
      startTimeMs: 100,
      durationMs: 100,
      spanCount: 2,
      status: 'error',
    });
    expect(store.list({ service: 'db' })).toHaveLength(1);
    expect(store.list({ service: 'web' })).toHaveLength(0);
    expect(store.list({ name: 'OP-C' })).toHaveLength(1);
    expect(store.list({ minDurationMs: 101 })).toHaveLength(0);
    expect(store.list({ status: 'ok' })).toHaveLength(0);
  });
});

describe('OTLP JSON decoding', () => {
  it('reads int and string enums, int64 strings, hex ids and nested values', () => {
    const [s] = spansOfRequest({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'EEE19B7EC3C1B174',
                  parentSpanId: '',
                  name: 'pay',
                  kind: 'SPAN_KIND_CLIENT',
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000250000000',
                  status: { code: 2, message: 'declined' },
                  attributes: [
                    { key: 'n', value: { intValue: '42' } },
                    { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } } },
                    { key: 'obj', value: { kvlistValue: { values: [{ key: 'k', value: { doubleValue: 1.5 } }] } } },
                  ],
                  events: [{ name: 'e', timeUnixNano: '1700000000100000000', attributes: [] }],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(s).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: null,
      service: 'checkout',
      kind: 'client',
      startTimeMs: 1_700_000_000_000,
      durationMs: 250,
      status: 'error',
      statusMessage: 'declined',
      attributes: { n: 42, tags: ['a', true], obj: '{"k":1.5}' },
      events: [{ name: 'e', timeMs: 1_700_000_000_100, attributes: {} }],
    });
  });

  it('refuses what is not a request', () => {
    expect(() => spansOfRequest([])).toThrow(/not an ExportTraceServiceRequest/);
    expect(() => spansOfRequest({ resourceSpans: 3 })).toThrow(/not an array/);
    expect(spansOfRequest({})).toEqual([]);
  });
});

describe('console options', () => {
  it('checks values and says what to fix', () => {
    for (const [options, pattern] of [
      [{ port: 70000 }, /port must be 0-65535/],
      [{ token: ' ' }, /token is empty/],
      [{ corsOrigins: ['https://a.example/path'] }, /not an origin/],
      [{ corsOrigins: ['*'] }, /list the origins/],
      [{ prometheusUrl: 'localhost:9090' }, /must be http/],
      [{ maxSpans: -1 }, /maxSpans must be a positive integer/],
      [{ basePath: 'console' }, /must start with \//],
    ] as const) {
      expect(() => resolveConsoleOptions(options as never)).toThrow(
        expect.objectContaining({ code: 'VIGIL_ERR_CONSOLE_OPTION', message: expect.stringMatching(pattern) }),
      );
    }
    const resolved = resolveConsoleOptions({ prometheusUrl: 'http://127.0.0.1:9090/', basePath: '/console/' });
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      port: 9400,
      prometheusUrl: 'http://127.0.0.1:9090',
      basePath: '/console',
    });
  });

  it('takes the CORS allow-list from VIGIL_CONSOLE_CORS_ORIGINS unless given', () => {
    const saved = process.env.VIGIL_CONSOLE_CORS_ORIGINS;
    try {
      process.env.VIGIL_CONSOLE_CORS_ORIGINS = 'https://staging.example, http://127.0.0.1:5173';
      expect([...resolveConsoleOptions({}).corsOrigins]).toEqual(['https://staging.example', 'http://127.0.0.1:5173']);
      expect([...resolveConsoleOptions({ corsOrigins: ['https://prod.example'] }).corsOrigins]).toEqual([
        'https://prod.example',
      ]);
      process.env.VIGIL_CONSOLE_CORS_ORIGINS = 'https://bad.example/path';
      expect(() => resolveConsoleOptions({})).toThrow(/not an origin/);
    } finally {
      if (saved === undefined) delete process.env.VIGIL_CONSOLE_CORS_ORIGINS;
      else process.env.VIGIL_CONSOLE_CORS_ORIGINS = saved;
    }
  });
});

describe('static paths', () => {
  it('stay inside the assets directory', () => {
    expect(resolveStatic('/srv/web', '/assets/a.js')).toBe('/srv/web/assets/a.js');
    expect(resolveStatic('/srv/web', '/')).toBe('/srv/web/index.html');
    for (const p of ['/../x', '/a/%2e%2e/%2e%2e/x', '/..%2fx', '/a\\..\\x', '/%00', '/%E0%A4%A']) {
      expect(() => resolveStatic('/srv/web', p), p).toThrow(expect.objectContaining({ status: 400 }));
    }
  });
});
