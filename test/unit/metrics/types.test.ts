import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AlreadyRegisteredError,
  type AnyMetric,
  type Collector,
  Counter,
  type CounterSeries,
  type ErrorCode,
  type ExemplarLabels,
  type Family,
  type FamilySnapshot,
  type Format,
  type Gauge,
  type GaugeSeries,
  Histogram,
  HistogramSeries,
  type LabelSet,
  type LabelValue,
  negotiateFormat,
  Registry,
  type Summary,
  type SummarySeries,
  VigilError,
} from '../../../src/metrics/index.js';

/**
 * Type tests: `expectTypeOf` and `@ts-expect-error` are checked by `tsc --noEmit -p .`
 * (tsconfig includes test/); an unused `@ts-expect-error` fails the type check. The
 * runtime assertions pin that what the types refuse also throws from JavaScript.
 */
describe('label types', () => {
  const r = new Registry();
  const requests = r.counter({ name: 'req_total', help: 'x', labelNames: ['method', 'status'] });

  it('infers the declared label names as a literal tuple', () => {
    expectTypeOf(requests).toEqualTypeOf<Counter<readonly ['method', 'status']>>();
    expectTypeOf(requests.labelNames).toEqualTypeOf<readonly ['method', 'status']>();
    expectTypeOf<LabelSet<'method' | 'status'>>().toEqualTypeOf<{
      readonly method: LabelValue;
      readonly status: LabelValue;
    }>();
    expect(requests.labelNames).toEqual(['method', 'status']);
  });

  it('accepts exactly the declared labels, as an object or positionally', () => {
    expectTypeOf(requests.inc).toBeCallableWith({ method: 'GET', status: true }, 2);
    expectTypeOf(requests.labels({ method: 'GET', status: 200 })).toEqualTypeOf<CounterSeries>();
    expectTypeOf(requests.labels('GET', 200)).toEqualTypeOf<CounterSeries>();
    expect(requests.labels('GET', 200)).toBe(requests.labels({ method: 'GET', status: '200' }));
    const refused = () => {
      // @ts-expect-error a declared label is missing
      requests.inc({ method: 'GET' });
      // @ts-expect-error an undeclared label
      requests.inc({ method: 'GET', status: 200, route: '/' });
      // @ts-expect-error a labelled counter needs its labels
      requests.inc();
      // @ts-expect-error one positional value for two labels
      requests.labels('GET');
      // @ts-expect-error label values are strings, numbers or booleans
      requests.labels({ method: 'GET', status: null });
    };
    expect(refused).toThrow(VigilError);
  });

  it('lets an unlabelled metric update without labels, and refuses labels', () => {
    const plain = r.counter({ name: 'plain_total', help: 'x' });
    const empty = new Counter({ name: 'empty_total', help: 'x', labelNames: [], registers: [] });
    expectTypeOf(plain.inc).toBeCallableWith();
    expectTypeOf(plain.inc).toBeCallableWith(2);
    expectTypeOf(plain.get).returns.toEqualTypeOf<number>();
    plain.inc();
    empty.inc(2);
    expect(empty.get()).toBe(2);
    const refused = () => {
      // @ts-expect-error an unlabelled counter takes no label values
      plain.labels('x');
    };
    expect(refused).toThrow(VigilError);
    const noRemove = () => {
      // @ts-expect-error remove needs labels, which an unlabelled metric has none of
      plain.remove({ x: '1' });
    };
    expect(noRemove).toThrow(VigilError);
  });

  it('types each metric and series', () => {
    const g = r.gauge({ name: 'g', help: 'x', labelNames: ['q'] });
    const h = r.histogram({ name: 'h', help: 'x' });
    const s = r.summary({ name: 's', help: 'x', labelNames: ['op'] });
    expectTypeOf(g).toEqualTypeOf<Gauge<readonly ['q']>>();
    expectTypeOf(h).toEqualTypeOf<Histogram<[]>>();
    expectTypeOf(s).toEqualTypeOf<Summary<readonly ['op']>>();
    expectTypeOf(g.labels({ q: 'a' })).toEqualTypeOf<GaugeSeries>();
    expectTypeOf(h.labels()).toEqualTypeOf<HistogramSeries>();
    expectTypeOf(s.labels('x')).toEqualTypeOf<SummarySeries>();
    expectTypeOf(g.startTimer({ q: 'a' })).toEqualTypeOf<() => number>();
    expectTypeOf(h.startTimer()).toEqualTypeOf<() => number>();
    expectTypeOf<Counter<readonly ['a']>>().toExtend<AnyMetric>();
    expect(h.labels()).toBeInstanceOf(HistogramSeries);
    const refused = () => {
      // @ts-expect-error a gauge's set needs a value
      g.set({ q: 'a' });
      // @ts-expect-error histograms take no exemplar as a string
      h.observe(1, 'trace');
    };
    expect(refused).toThrow(VigilError);
  });
});

describe('timing types', () => {
  const h = new Histogram({ name: 't', help: 'x', labelNames: ['k'], registers: [] });
  const plain = new Histogram({ name: 'u', help: 'x', registers: [] });

  it('time returns what the function returns: a value, or a promise of it', async () => {
    expectTypeOf(plain.time(() => 1)).toEqualTypeOf<number>();
    expectTypeOf(plain.time(async () => 'x')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(h.time({ k: 'a' }, () => true)).toEqualTypeOf<boolean>();
    expect(plain.time(() => 1)).toBe(1);
    expect(await h.time({ k: 'a' }, async () => 'y')).toBe('y');
  });
});

describe('error and registry types', () => {
  it('error codes are a closed union, and errors carry typed data', () => {
    expectTypeOf<VigilError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<'VIGIL_ERR_COLLECT'>().toExtend<ErrorCode>();
    expectTypeOf<'VIGIL_ERR_NOPE'>().not.toExtend<ErrorCode>();
    expectTypeOf<AlreadyRegisteredError<Counter>['existing']>().toEqualTypeOf<Counter>();
    expectTypeOf<AlreadyRegisteredError>().toExtend<VigilError>();
    expect(new AlreadyRegisteredError('m', 1).code).toBe('VIGIL_ERR_ALREADY_REGISTERED');
  });

  it('formats, families, collectors and snapshots', async () => {
    expectTypeOf(negotiateFormat).returns.toEqualTypeOf<Format>();
    expectTypeOf<Format>().toEqualTypeOf<'text' | 'openmetrics'>();
    expectTypeOf<Family['type']>().toEqualTypeOf<'counter' | 'gauge' | 'histogram' | 'summary'>();
    expectTypeOf<ReturnType<Collector['collect']>>().toEqualTypeOf<readonly Family[] | Promise<readonly Family[]>>();
    const r = new Registry();
    expectTypeOf(r.snapshot()).toEqualTypeOf<Promise<FamilySnapshot[]>>();
    expectTypeOf(r.metrics).parameter(0).toEqualTypeOf<Format | undefined>();
    expectTypeOf<ExemplarLabels>().toEqualTypeOf<Readonly<Record<string, LabelValue>>>();
    expect(await r.metrics()).toBe('');
  });

  it('gives collect callbacks the metric as this', () => {
    const r = new Registry();
    r.gauge({
      name: 'cb',
      help: 'x',
      labelNames: ['a'],
      collect() {
        expectTypeOf(this).toEqualTypeOf<Gauge<readonly ['a']>>();
        this.set({ a: '1' }, 1);
      },
    });
    expect(r.getSingleMetric('cb')?.type).toBe('gauge');
  });
});
