import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeAsync } from '../../../src/metrics/exposition.js';
import {
  CONTENT_TYPE_OPENMETRICS,
  CONTENT_TYPE_TEXT,
  contentTypeOf,
  encode,
  type Family,
  Registry,
  render,
  renderOpenMetrics,
  renderText,
} from '../../../src/metrics/index.js';

const NOW = 1_700_000_000_250;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

/** A small registry with one family of each type and the characters that need escaping. */
function smallRegistry(options: ConstructorParameters<typeof Registry>[0] = {}): Registry {
  const r = new Registry(options);
  const requests = r.counter({
    name: 'http_requests_total',
    help: 'Requests with "quotes", a back\\slash\nand a newline.',
    labelNames: ['method', 'path'],
  });
  requests.inc({ method: 'GET', path: '/a"b\\c\nd' }, 3);
  requests.inc({ method: 'POST', path: '/' });
  const temp = r.gauge({
    name: 'room_temperature_celsius',
    help: 'Temperature.',
    unit: 'celsius',
    labelNames: ['room'],
  });
  temp.set({ room: 'a' }, Number.NaN);
  temp.set({ room: 'b' }, Number.POSITIVE_INFINITY);
  temp.set({ room: 'c' }, Number.NEGATIVE_INFINITY);
  temp.set({ room: 'd' }, -1.5);
  const latency = r.histogram({ name: 'rpc_seconds', help: 'RPC latency.', buckets: [0.5, 1, 2.5] });
  for (const v of [0.1, 0.5, 0.9, 3]) latency.observe(v);
  const sizes = r.summary({ name: 'payload_bytes', help: 'Payload sizes.', unit: 'bytes', percentiles: [0, 0.5, 1] });
  for (const v of [10, 10, 10]) sizes.observe(v);
  return r;
}

describe('Prometheus text 0.0.4', () => {
  it('renders a small registry exactly', async () => {
    expect(await smallRegistry().metrics('text')).toBe(
      [
        '# HELP http_requests_total Requests with "quotes", a back\\\\slash\\nand a newline.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="GET",path="/a\\"b\\\\c\\nd"} 3',
        'http_requests_total{method="POST",path="/"} 1',
        '# HELP room_temperature_celsius Temperature.',
        '# TYPE room_temperature_celsius gauge',
        'room_temperature_celsius{room="a"} NaN',
        'room_temperature_celsius{room="b"} +Inf',
        'room_temperature_celsius{room="c"} -Inf',
        'room_temperature_celsius{room="d"} -1.5',
        '# HELP rpc_seconds RPC latency.',
        '# TYPE rpc_seconds histogram',
        'rpc_seconds_bucket{le="0.5"} 2',
        'rpc_seconds_bucket{le="1"} 3',
        'rpc_seconds_bucket{le="2.5"} 3',
        'rpc_seconds_bucket{le="+Inf"} 4',
        'rpc_seconds_sum 4.5',
        'rpc_seconds_count 4',
        '# HELP payload_bytes Payload sizes.',
        '# TYPE payload_bytes summary',
        'payload_bytes{quantile="0"} 10',
        'payload_bytes{quantile="0.5"} 10',
        'payload_bytes{quantile="1"} 10',
        'payload_bytes_sum 30',
        'payload_bytes_count 3',
        '',
      ].join('\n'),
    );
  });

  it('writes no _created, no # UNIT, no exemplars and no # EOF', async () => {
    const text = await smallRegistry({ openMetricsCreated: true }).metrics('text');
    expect(text).not.toContain('_created');
    expect(text).not.toContain('# UNIT');
    expect(text).not.toContain('# EOF');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('keeps each family in one contiguous group however updates interleave', async () => {
    const r = new Registry();
    const a = r.counter({ name: 'a_total', help: 'a', labelNames: ['k'] });
    const b = r.gauge({ name: 'b', help: 'b', labelNames: ['k'] });
    for (const k of ['1', '2', '3']) {
      a.inc({ k });
      b.set({ k }, 1);
    }
    const lines = (await r.metrics()).trimEnd().split('\n');
    const familyOf = (line: string) => (line.startsWith('#') ? (line.split(' ')[2] as string) : line.split('{')[0]);
    const order = lines.map(familyOf).filter((f, i, all) => i === 0 || all[i - 1] !== f);
    expect(order).toEqual(['a_total', 'b']);
  });

  it('renders an empty registry as nothing, a family without series as its header', async () => {
    expect(await new Registry().metrics()).toBe('');
    const r = new Registry();
    r.counter({ name: 'x_total', help: 'x', labelNames: ['k'] });
    expect(await r.metrics()).toBe('# HELP x_total x\n# TYPE x_total counter\n');
  });

  it('writes numbers as JavaScript prints them, and large integers exactly', async () => {
    const r = new Registry();
    const g = r.gauge({ name: 'n', help: 'x', labelNames: ['k'] });
    g.set({ k: 'small' }, 1e-7);
    g.set({ k: 'big' }, 2 ** 53);
    g.set({ k: 'huge' }, 1e21);
    g.set({ k: 'negzero' }, -0);
    expect(await r.metrics()).toBe(
      '# HELP n x\n# TYPE n gauge\nn{k="small"} 1e-7\nn{k="big"} 9007199254740992\nn{k="huge"} 1e+21\nn{k="negzero"} 0\n',
    );
  });
});

describe('OpenMetrics 1.0', () => {
  it('renders a small registry exactly', async () => {
    expect(await smallRegistry().metrics('openmetrics')).toBe(
      [
        '# HELP http_requests Requests with \\"quotes\\", a back\\\\slash\\nand a newline.',
        '# TYPE http_requests counter',
        'http_requests_total{method="GET",path="/a\\"b\\\\c\\nd"} 3',
        'http_requests_total{method="POST",path="/"} 1',
        '# HELP room_temperature_celsius Temperature.',
        '# TYPE room_temperature_celsius gauge',
        '# UNIT room_temperature_celsius celsius',
        'room_temperature_celsius{room="a"} NaN',
        'room_temperature_celsius{room="b"} +Inf',
        'room_temperature_celsius{room="c"} -Inf',
        'room_temperature_celsius{room="d"} -1.5',
        '# HELP rpc_seconds RPC latency.',
        '# TYPE rpc_seconds histogram',
        'rpc_seconds_bucket{le="0.5"} 2',
        'rpc_seconds_bucket{le="1.0"} 3',
        'rpc_seconds_bucket{le="2.5"} 3',
        'rpc_seconds_bucket{le="+Inf"} 4',
        'rpc_seconds_sum 4.5',
        'rpc_seconds_count 4',
        '# HELP payload_bytes Payload sizes.',
        '# TYPE payload_bytes summary',
        '# UNIT payload_bytes bytes',
        'payload_bytes{quantile="0.0"} 10',
        'payload_bytes{quantile="0.5"} 10',
        'payload_bytes{quantile="1.0"} 10',
        'payload_bytes_sum 30',
        'payload_bytes_count 3',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('writes _created in seconds for counters, histograms and summaries when enabled', async () => {
    const text = await smallRegistry({ openMetricsCreated: true }).metrics('openmetrics');
    const created = text.split('\n').filter((l) => l.includes('_created'));
    expect(created).toEqual([
      'http_requests_created{method="GET",path="/a\\"b\\\\c\\nd"} 1700000000.25',
      'http_requests_created{method="POST",path="/"} 1700000000.25',
      'rpc_seconds_created 1700000000.25',
      'payload_bytes_created 1700000000.25',
    ]);
    // Each _created follows the samples of its series.
    expect(text).toContain(
      'http_requests_total{method="POST",path="/"} 1\nhttp_requests_created{method="POST",path="/"}',
    );
    expect(text).toContain('rpc_seconds_count 4\nrpc_seconds_created 1700000000.25\n');
    expect(text).toContain('payload_bytes_count 3\npayload_bytes_created 1700000000.25\n# EOF\n');
    expect(await smallRegistry().metrics('openmetrics')).not.toContain('_created');
  });

  it('moves _created of an unlabelled metric to the time of its reset', async () => {
    const r = new Registry({ openMetricsCreated: true });
    const c = r.counter({ name: 'resets_total', help: 'x' });
    vi.advanceTimersByTime(10_000);
    c.reset();
    expect(await r.metrics('openmetrics')).toContain('resets_created 1700000010.25\n');
  });

  it('moves _created of a labelled series to the time it was removed or reset', async () => {
    const r = new Registry({ openMetricsCreated: true });
    const c = r.counter({ name: 'jobs_total', help: 'x', labelNames: ['k'] });
    const a = c.labels({ k: 'a' });
    a.inc(5);
    vi.advanceTimersByTime(10_000);
    c.remove({ k: 'a' });
    vi.advanceTimersByTime(5_000);
    a.inc();
    expect(await r.metrics('openmetrics')).toContain('jobs_total{k="a"} 1\njobs_created{k="a"} 1700000010.25\n');
    vi.advanceTimersByTime(1_000);
    c.reset();
    a.inc();
    expect(await r.metrics('openmetrics')).toContain('jobs_total{k="a"} 1\njobs_created{k="a"} 1700000016.25\n');
  });

  it('writes a counter not ending in _total as family name plus _total', async () => {
    const r = new Registry();
    r.counter({ name: 'events', help: 'x' }).inc();
    expect(await r.metrics('openmetrics')).toBe('# HELP events x\n# TYPE events counter\nevents_total 1\n# EOF\n');
    expect(await r.metrics('text')).toBe('# HELP events x\n# TYPE events counter\nevents 1\n');
  });

  it('writes canonical le and quantile values', async () => {
    const r = new Registry();
    r.histogram({ name: 'h', help: 'x', buckets: [0, 1, 10, 0.25, 1e21].sort((a, b) => a - b) }).observe(1);
    r.summary({ name: 's', help: 'x', percentiles: [0, 0.999, 1] });
    const text = await r.metrics('openmetrics');
    expect(text.match(/\ble="[^"]*"/g)).toEqual([
      'le="0.0"',
      'le="0.25"',
      'le="1.0"',
      'le="10.0"',
      'le="1e+21"',
      'le="+Inf"',
    ]);
    expect(text.match(/quantile="[^"]*"/g)).toEqual(['quantile="0.0"', 'quantile="0.999"', 'quantile="1.0"']);
  });

  it('leaves out _sum and _count of a histogram with negative buckets or a negative sum', async () => {
    const r = new Registry();
    r.histogram({ name: 'neg', help: 'x', buckets: [-1, 1] }).observe(0);
    r.histogram({ name: 'negsum', help: 'x', buckets: [1] }).observe(-5);
    const om = await r.metrics('openmetrics');
    expect(om).not.toMatch(/neg_sum|neg_count|negsum_sum|negsum_count/);
    expect(om).toContain('neg_bucket{le="-1.0"} 0\nneg_bucket{le="1.0"} 1\nneg_bucket{le="+Inf"} 1\n');
    // Text 0.0.4 has no such rule.
    const text = await r.metrics('text');
    expect(text).toContain('neg_sum 0\nneg_count 1\n');
    expect(text).toContain('negsum_sum -5\nnegsum_count 1\n');
  });

  it('leaves out negative quantile values and a negative summary sum', async () => {
    const r = new Registry();
    const s = r.summary({ name: 's', help: 'x', percentiles: [0, 1] });
    s.observe(-3);
    s.observe(1);
    const om = await r.metrics('openmetrics');
    expect(om).toBe('# HELP s x\n# TYPE s summary\ns{quantile="1.0"} 1\n# EOF\n');
    expect(await r.metrics('text')).toContain('s{quantile="0"} -3\ns{quantile="1"} 1\ns_sum -2\ns_count 2\n');
  });

  it('ends with # EOF and a newline, also when empty', async () => {
    expect(await new Registry().metrics('openmetrics')).toBe('# EOF\n');
    const text = await smallRegistry().metrics('openmetrics');
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text.match(/# EOF/g)).toHaveLength(1);
  });
});

describe('default labels in exposition', () => {
  it('come first on every sample, before the series’ labels and le/quantile', async () => {
    const r = new Registry({ defaultLabels: { svc: 'a"pi' } });
    r.histogram({ name: 'h', help: 'x', labelNames: ['k'], buckets: [1] }).observe({ k: 'v' }, 1);
    r.summary({ name: 's', help: 'x', percentiles: [0.5] }).observe(1);
    expect(await r.metrics()).toBe(
      [
        '# HELP h x',
        '# TYPE h histogram',
        'h_bucket{svc="a\\"pi",k="v",le="1"} 1',
        'h_bucket{svc="a\\"pi",k="v",le="+Inf"} 1',
        'h_sum{svc="a\\"pi",k="v"} 1',
        'h_count{svc="a\\"pi",k="v"} 1',
        '# HELP s x',
        '# TYPE s summary',
        's{svc="a\\"pi",quantile="0.5"} 1',
        's_sum{svc="a\\"pi"} 1',
        's_count{svc="a\\"pi"} 1',
        '',
      ].join('\n'),
    );
  });
});

describe('render functions on collector families', () => {
  const families: Family[] = [
    {
      name: 'proc_cpu_seconds_total',
      help: 'CPU.',
      type: 'counter',
      unit: 'seconds',
      labelNames: ['mode'],
      series: [
        { labelText: 'mode="user"', value: 1.5, created: 1000.5 },
        { labelText: 'mode="system"', value: 0.25, exemplar: { labelText: 'a="b"', value: 1, timestampMs: 1500 } },
      ],
    },
    {
      name: 'proc_open_fds',
      help: 'FDs.',
      type: 'gauge',
      unit: '',
      labelNames: [],
      series: [{ labelText: '', value: 12 }],
    },
    {
      name: 'io_seconds',
      help: 'IO.',
      type: 'histogram',
      unit: '',
      labelNames: ['disk'],
      upperBounds: [0.1],
      series: [{ labelText: 'disk="sda"', counts: [2, 1], sum: 0.5, count: 3 }],
    },
  ];

  it('renderText and renderOpenMetrics agree with render(format)', () => {
    const options = { defaultLabels: { host: 'h1', mode: 'ignored' }, created: true };
    expect(render(families, 'text', options)).toBe(renderText(families, options));
    expect(render(families, 'openmetrics', options)).toBe(renderOpenMetrics(families, options));
    expect(renderText(families, options)).toBe(
      [
        '# HELP proc_cpu_seconds_total CPU.',
        '# TYPE proc_cpu_seconds_total counter',
        'proc_cpu_seconds_total{host="h1",mode="user"} 1.5',
        'proc_cpu_seconds_total{host="h1",mode="system"} 0.25',
        '# HELP proc_open_fds FDs.',
        '# TYPE proc_open_fds gauge',
        'proc_open_fds{host="h1",mode="ignored"} 12',
        '# HELP io_seconds IO.',
        '# TYPE io_seconds histogram',
        'io_seconds_bucket{host="h1",mode="ignored",disk="sda",le="0.1"} 2',
        'io_seconds_bucket{host="h1",mode="ignored",disk="sda",le="+Inf"} 3',
        'io_seconds_sum{host="h1",mode="ignored",disk="sda"} 0.5',
        'io_seconds_count{host="h1",mode="ignored",disk="sda"} 3',
        '',
      ].join('\n'),
    );
  });

  it('writes a default label only where the family does not declare it', () => {
    const text = renderText(families, { defaultLabels: { host: 'h1', mode: 'x' } });
    expect(text).toContain('proc_cpu_seconds_total{host="h1",mode="user"} 1.5\n');
  });

  it('OpenMetrics: family without _total, # UNIT, exemplar, _created only when known', () => {
    expect(renderOpenMetrics(families.slice(0, 1), { created: true })).toBe(
      [
        '# HELP proc_cpu_seconds CPU.',
        '# TYPE proc_cpu_seconds counter',
        '# UNIT proc_cpu_seconds seconds',
        'proc_cpu_seconds_total{mode="user"} 1.5',
        'proc_cpu_seconds_created{mode="user"} 1000.5',
        'proc_cpu_seconds_total{mode="system"} 0.25 # {a="b"} 1 1.5',
        '# EOF',
        '',
      ].join('\n'),
    );
  });
});

describe('content types', () => {
  it('are the exact strings Prometheus expects', () => {
    expect(CONTENT_TYPE_TEXT).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(CONTENT_TYPE_OPENMETRICS).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(contentTypeOf('text')).toBe(CONTENT_TYPE_TEXT);
    expect(contentTypeOf('openmetrics')).toBe(CONTENT_TYPE_OPENMETRICS);
  });
});

describe('bytes', () => {
  /** What the text format must be, built the slow way, independently of the writer. */
  function reference(values: readonly string[]): string {
    const escaped = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    return `# HELP u x\n# TYPE u gauge\n${values.map((v, i) => `u{v="${escaped(v)}"} ${i}\n`).join('')}`;
  }

  it('encodes any label value as UTF-8, lone surrogates as U+FFFD, like Buffer.from (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 8 }), (values) => {
        const r = new Registry();
        const g = r.gauge({ name: 'u', help: 'x', labelNames: ['v'] });
        values.forEach((v, i) => {
          g.set({ v }, i);
        });
        const bytes = r.encode(r.getMetrics() as unknown as Family[]);
        expect(Buffer.compare(bytes, Buffer.from(reference(values), 'utf8'))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('grows past its initial buffer for a large scrape, and reuses it after', async () => {
    const r = new Registry();
    const g = r.gauge({ name: 'u', help: 'x', labelNames: ['v'] });
    const values = Array.from({ length: 5000 }, (_, i) => `value-${i}-é😀-${'x'.repeat(i % 50)}`);
    values.forEach((v, i) => {
      g.set({ v }, i);
    });
    const text = await r.metrics();
    expect(Buffer.byteLength(text)).toBeGreaterThan(1 << 16);
    expect(text).toBe(reference(values));
    const small = new Registry();
    small.gauge({ name: 's', help: 'x' }).set(1);
    expect(await small.metrics()).toBe('# HELP s x\n# TYPE s gauge\ns 1\n');
  });

  it('encode returns the same bytes render returns as text, in both formats', async () => {
    vi.useRealTimers();
    const r = smallRegistry();
    const { families } = await r.gather();
    for (const format of ['text', 'openmetrics'] as const) {
      const bytes = r.encode(families, format);
      expect(Buffer.isBuffer(bytes)).toBe(true);
      expect(bytes.toString('utf8')).toBe(r.render(families, format));
      expect(encode(families, format).toString('utf8')).toBe(render(families, format));
    }
  });

  it('writes integers of any size correctly, on the fast path and off it', async () => {
    const r = new Registry();
    const g = r.gauge({ name: 'i', help: 'x', labelNames: ['k'] });
    const values = [0, 7, 10, 99, 100, 1234567890, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e300, -0, -5, 0.5];
    values.forEach((v, k) => {
      g.set({ k }, v);
    });
    const lines = (await r.metrics()).trimEnd().split('\n').slice(2);
    expect(lines.map((l) => l.split(' ')[1])).toEqual([
      '0',
      '7',
      '10',
      '99',
      '100',
      '1234567890',
      '9007199254740991',
      '9007199254740994',
      '1e+300',
      '0',
      '-5',
      '0.5',
    ]);
  });

  it('writes every safe integer exactly, including the top of the range (property)', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'big_total', help: 'x' });
    const top = Number.MAX_SAFE_INTEGER;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.maxSafeNat(), fc.integer({ min: top - 100, max: top })), async (v) => {
        c.reset();
        c.inc(v);
        expect(await r.metrics()).toBe(`# HELP big_total x\n# TYPE big_total counter\nbig_total ${v}\n`);
      }),
      { numRuns: 500, examples: [[top], [top - 47], [top - 48], [2 ** 52]] },
    );
  });

  it('encodeAsync writes the same bytes as encode, also when it yields after every step', async () => {
    vi.useRealTimers();
    const r = smallRegistry({ openMetricsCreated: true });
    const g = r.gauge({ name: 'many', help: 'x', labelNames: ['i'] });
    for (let i = 0; i < 3000; i++) g.set({ i }, i);
    const { families } = await r.gather();
    for (const format of ['text', 'openmetrics'] as const) {
      const options = { created: true };
      const expected = encode(families, format, options);
      expect(Buffer.compare(await encodeAsync(families, format, { ...options, sliceMs: 0 }), expected)).toBe(0);
      expect(Buffer.compare(await encodeAsync(families, format, options), expected)).toBe(0);
    }
  });

  it('encodeAsync writes each series whole while updates land between its slices', async () => {
    vi.useRealTimers();
    const r = new Registry();
    const h = r.histogram({ name: 'h', help: 'x', labelNames: ['i'], buckets: [1, 2] });
    for (let i = 0; i < 2000; i++) h.observe({ i }, 0.5);
    const { families } = await r.gather();
    let updates = 0;
    let done = false;
    const update = () => {
      if (done) return;
      for (let i = 0; i < 2000; i += 7) h.observe({ i }, 1.5);
      h.observe({ i: `new${updates++}` }, 3);
      setImmediate(update);
    };
    const pending = encodeAsync(families, 'text', { sliceMs: 0 });
    setImmediate(update);
    const text = (await pending).toString('utf8');
    done = true;
    expect(updates).toBeGreaterThan(5);
    expect(text).not.toContain('i="new');
    const lines = text.trimEnd().split('\n').slice(2);
    expect(lines).toHaveLength(2000 * 5);
    for (let k = 0; k < lines.length; k += 5) {
      const inf = Number(lines[k + 2]?.split(' ')[1]);
      expect(lines[k + 4]?.endsWith(` ${inf}`)).toBe(true);
    }
  });

  it('a render that throws half-way leaves nothing behind for the next scrape', async () => {
    const malformed = [
      {
        name: 'bad',
        help: 'x',
        type: 'histogram',
        unit: '',
        labelNames: [],
        upperBounds: [1],
        series: [{ labelText: '' }],
      },
    ] as unknown as Family[];
    expect(() => render(malformed, 'text')).toThrow();
    const r = new Registry();
    r.gauge({ name: 'good', help: 'x' }).set(1);
    expect(await r.metrics()).toBe('# HELP good x\n# TYPE good gauge\ngood 1\n');
    r.registerCollector('broken', { collect: () => malformed });
    await expect(r.metrics()).rejects.toThrow();
    r.removeCollector('broken');
    expect(await r.metrics('openmetrics')).toBe('# HELP good x\n# TYPE good gauge\ngood 1\n# EOF\n');
  });
});
