import { describe, expect, it } from 'vitest';
import {
  AGENT_BUCKETS,
  agentMetrics,
  CATALOG_METRICS,
  cacheMetrics,
  databaseMetrics,
  HTTP_SERVER_REQUEST_DURATION_SECONDS,
  HTTP_SERVER_REQUEST_SIZE_BYTES,
  HTTP_SERVER_REQUESTS_IN_FLIGHT,
  HTTP_SERVER_REQUESTS_TOTAL,
  HTTP_SERVER_RESPONSE_SIZE_BYTES,
  httpServerMetrics,
  jobMetrics,
  llmMetrics,
  modelMetrics,
  OUTBOUND_METRICS,
  outboundMetrics,
  prefixNames,
  workerMetrics,
} from '../../../src/catalog/index.js';
import { type AnyMetric, Metric, Registry, VigilError } from '../../../src/metrics/index.js';
import { parseWithPython } from '../../support/python.js';

type Options = { registry: Registry; prefix?: string; buckets?: readonly number[] };
const factories: Record<string, (options: Options) => Record<string, unknown>> = {
  outbound: outboundMetrics,
  llm: llmMetrics,
  agent: agentMetrics,
  database: databaseMetrics,
  cache: cacheMetrics,
  jobs: jobMetrics,
  models: modelMetrics,
  workers: workerMetrics,
};

function metricsOf(set: Record<string, unknown>): [string, AnyMetric][] {
  return Object.entries(set).filter((entry): entry is [string, AnyMetric] => entry[1] instanceof Metric);
}

const HTTP_NAMES = [
  HTTP_SERVER_REQUESTS_TOTAL,
  HTTP_SERVER_REQUEST_DURATION_SECONDS,
  HTTP_SERVER_REQUESTS_IN_FLIGHT,
  HTTP_SERVER_REQUEST_SIZE_BYTES,
  HTTP_SERVER_RESPONSE_SIZE_BYTES,
];
const CATALOG_NAMES = Object.values(CATALOG_METRICS).flatMap((names) => Object.values(names) as string[]);

/** Every set in one registry, each metric with one recorded sample. */
function everything(prefix?: string): Registry {
  const registry = new Registry();
  const options = prefix === undefined ? { registry } : { registry, prefix };
  for (const make of Object.values(factories)) make(options);
  httpServerMetrics({ registry, sizes: true });
  return registry;
}

describe('catalog metric sets', () => {
  it.each(Object.entries(factories))('%s is get-or-create: a second call returns the same metrics', (_, make) => {
    const registry = new Registry();
    const first = metricsOf(make({ registry }));
    const second = new Map(metricsOf(make({ registry })));
    expect(first.length).toBeGreaterThanOrEqual(3);
    for (const [key, metric] of first) expect(second.get(key), key).toBe(metric);
    expect(registry.getMetrics().length).toBe(first.length);
  });

  it.each(Object.entries(factories))('%s refuses other buckets for the same registry', (_, make) => {
    const registry = new Registry();
    make({ registry });
    expect(() => make({ registry, buckets: [0.5, 7] })).toThrow(/VIGIL_ERR_ALREADY_REGISTERED/);
  });

  it('keeps each metric name of a set in its names constant', () => {
    const registry = new Registry();
    const registered = new Set<string>();
    for (const make of Object.values(factories)) {
      for (const [, metric] of metricsOf(make({ registry }))) registered.add(metric.name);
    }
    expect([...registered].sort()).toEqual([...CATALOG_NAMES].sort());
  });

  it('has valid, unique names that follow Prometheus conventions, across the whole catalog', () => {
    const all = [...CATALOG_NAMES, ...HTTP_NAMES];
    expect(new Set(all).size).toBe(all.length);
    for (const name of all) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    const registry = everything();
    for (const metric of registry.getMetrics()) {
      if (metric.type === 'counter') expect(metric.name, metric.name).toMatch(/_total$/);
      else expect(metric.name, metric.name).not.toMatch(/_total$/);
      if (metric.type === 'histogram') expect(metric.name, metric.name).toMatch(/_(seconds|bytes)$/);
      expect(metric.name).not.toMatch(/_(ms|milliseconds|kb|mb|percent)(_|$)/);
    }
    // No sample name of one family is written by another (x_total beside x, x_count beside histogram x).
    const samples = registry.getMetrics().flatMap((m) => m.sampleNames());
    expect(new Set(samples).size).toBe(samples.length);
  });

  it('renders every set in one registry as text and OpenMetrics the Python parsers accept', async () => {
    const registry = everything();
    outboundMetrics({ registry }).time({ provider: 'p', endpoint: '/e' }, () => 1);
    llmMetrics({ registry }).addTokens({ provider: 'p', model: 'm' }, { input: 3, output: 4 });
    const text = await registry.metrics('text');
    const open = await registry.metrics('openmetrics');
    const parsedText = await parseWithPython(text, 'text');
    const parsedOpen = await parseWithPython(open, 'openmetrics');
    const base = (name: string) => name.replace(/_total$/, '');
    const expected = [...CATALOG_NAMES, ...HTTP_NAMES].map(base).sort();
    expect(parsedOpen.map((f) => f.name).sort()).toEqual(expected);
    expect(parsedText.map((f) => f.name).sort()).toEqual(expected);
    const requests = parsedOpen.find((f) => f.name === base(OUTBOUND_METRICS.requests));
    expect(requests?.samples.find((s) => s.labels.outcome === 'success')?.value).toBe(1);
  });

  it('prefixes every name, and prefixNames gives the names to query', () => {
    const registry = everything('shop_');
    const names = registry.getMetrics().map((m) => m.name);
    for (const set of Object.values(CATALOG_METRICS)) {
      for (const name of Object.values(prefixNames(set, 'shop_'))) expect(names).toContain(name);
    }
    expect(prefixNames(OUTBOUND_METRICS, 'shop_').requests).toBe('shop_outbound_requests_total');
  });

  it('refuses an invalid prefix with a coded error', () => {
    try {
      agentMetrics({ registry: new Registry(), prefix: 'has space' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('VIGIL_ERR_INVALID_NAME');
    }
  });

  it('uses the given buckets, else the set’s default', () => {
    const registry = new Registry();
    expect(agentMetrics({ registry }).duration.upperBounds).toEqual(AGENT_BUCKETS);
    expect(jobMetrics({ registry: new Registry(), buckets: [1, 2] }).duration.upperBounds).toEqual([1, 2]);
  });

  it('bounds label cardinality with maxSeries', () => {
    const jobs = jobMetrics({ registry: new Registry(), maxSeries: 2 });
    const warn = process.emitWarning;
    process.emitWarning = () => {};
    try {
      for (let i = 0; i < 5; i++) jobs.processed.inc({ type: `t${i}`, status: 'success' });
    } finally {
      process.emitWarning = warn;
    }
    expect(jobs.processed.series.length).toBe(3); // two, plus the overflow series
  });
});
