import { describe, expect, it } from 'vitest';
import { metricsFetchHandler } from '../../../src/exporter/index.js';
import { encode, encodeAsync, type Format, Registry } from '../../../src/metrics/index.js';

/** Every shape the encoder writes: labels to escape, exemplars, _created, negative buckets, summaries. */
function rich(): Registry {
  const r = new Registry({ defaultLabels: { service: 'api', region: 'eu"1' }, openMetricsCreated: true });
  const c = r.counter({ name: 'requests_total', help: 'Requests\nwith "quotes" \\ and é.', labelNames: ['route'] });
  for (let i = 0; i < 300; i++)
    c.inc({ route: `/r/${i}\n"x"` }, i + 0.5, i % 3 === 0 ? { trace_id: `t${i}` } : undefined);
  r.counter({ name: 'plain', help: 'A counter without _total.' }).inc(2);
  r.gauge({ name: 'temp_celsius', help: 'T.', unit: 'celsius', labelNames: ['room'] }).set({ room: 'a' }, -3.25);
  r.gauge({ name: 'odd', help: 'Odd values.', labelNames: ['v'] }).set({ v: 'nan' }, Number.NaN);
  const h = r.histogram({ name: 'latency_seconds', help: 'L.', labelNames: ['route'], buckets: [0.1, 0.5, 1, 1e6] });
  for (let i = 0; i < 200; i++)
    h.observe({ route: `/h/${i % 40}` }, (i % 7) / 3, i % 5 === 0 ? { trace_id: 'h' } : undefined);
  const neg = r.histogram({ name: 'delta', help: 'Negative buckets.', buckets: [-1, 0, 1] });
  neg.observe(-2);
  neg.observe(0.5);
  const s = r.summary({ name: 'size_bytes', help: 'S.', labelNames: ['kind'] });
  for (let i = 0; i < 100; i++) s.observe({ kind: i % 2 ? 'a' : 'b' }, i - 10);
  r.registerCollector('extra', {
    collect: () => [
      {
        name: 'collected',
        help: 'From a collector.',
        type: 'gauge',
        unit: '',
        labelNames: [],
        series: [{ labelText: '', value: 1 }],
      },
    ],
  });
  return r;
}

const formats: Format[] = ['text', 'openmetrics'];

describe('encodeAsync', () => {
  it('writes the same bytes as encode, in both formats, with any slice length', async () => {
    const r = rich();
    const { families, errors } = await r.gather();
    expect(errors).toEqual([]);
    for (const format of formats) {
      const sync = r.encode(families, format);
      for (const sliceMs of [undefined, 0.0001, 1000]) {
        const sliced = await r.encodeAsync(families, format, sliceMs === undefined ? {} : { sliceMs });
        expect(sliced.equals(sync), `${format} sliceMs=${sliceMs}`).toBe(true);
      }
      const options = { defaultLabels: { a: 'b' }, created: true };
      expect(
        (await encodeAsync(families, format, { ...options, sliceMs: 0.0001 })).equals(
          encode(families, format, options),
        ),
      ).toBe(true);
    }
  });

  it('yields to the event loop while writing a large registry', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'many_total', help: 'Many.', labelNames: ['k'], maxSeries: 100_000 });
    for (let k = 0; k < 50_000; k++) c.inc({ k: `v${k}` });
    const { families } = await r.gather();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const start = ticks;
      await r.encodeAsync(families, 'text', { sliceMs: 1 });
      expect(ticks - start).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });

  it('is not disturbed by synchronous encodes and updates while it waits', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'busy_total', help: 'Busy.', labelNames: ['k'], maxSeries: 100_000 });
    for (let k = 0; k < 30_000; k++) c.inc({ k: `v${k}` });
    const { families } = await r.gather();
    const expected = r.encode(families, 'text').toString();
    let interleaved = 0;
    const timer = setInterval(() => {
      // Uses the shared writer of the sync encoder, and adds series, while the async one is paused.
      r.encode(families, 'openmetrics');
      c.inc({ k: `late${interleaved++}` });
    }, 0);
    let text: string;
    try {
      text = (await r.encodeAsync(families, 'text', { sliceMs: 0.5 })).toString();
    } finally {
      clearInterval(timer);
    }
    expect(interleaved).toBeGreaterThan(0);
    // Series added after the family started are not written; everything else is, whole.
    expect(text).toBe(expected);
  });

  it('serves a large registry through the handler without blocking a timer for long', async () => {
    const r = new Registry();
    const c = r.counter({ name: 'wide_total', help: 'Wide.', labelNames: ['a', 'b'], maxSeries: 100_000 });
    for (let k = 0; k < 60_000; k++) c.inc({ a: `x${k % 100}`, b: `y${k}` });
    const handle = metricsFetchHandler(r);
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 1);
    let body: string;
    try {
      body = await (await handle(new Request('http://127.0.0.1/metrics'))).text();
    } finally {
      clearInterval(timer);
    }
    expect(body.split('\n').length).toBe(60_000 + 3);
    expect(ticks).toBeGreaterThan(0);
    // Slices are ~5 ms; the bound is loose because CI machines are shared (bench/exporter.ts measures it).
    expect(maxGap).toBeLessThan(250);
  });
});
