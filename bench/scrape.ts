/**
 * Scrape populations: many series in a registry of their own, built the way user code
 * builds them (object literal inline, label values that already exist as strings).
 */
import * as prom from 'prom-client';
import { Registry } from '../src/metrics/index.js';
import { BUCKETS, type Lib, METHODS, OBS_MASK, OBSERVATIONS, SCRAPE_CODES, SCRAPE_ROUTES } from './fixtures.js';
import { otelSetup } from './otel.js';

export interface Population {
  /**
   * One scrape. Text is measured with `Buffer.byteLength`, which flattens the string as
   * writing it to a socket would: a string built by `+=` defers that work to its reader.
   * Resolves to the text's size in bytes, or for OpenTelemetry the number of data points.
   */
  scrape(): Promise<number>;
}

export interface ScrapeCase {
  id: string;
  title: string;
  series: number;
  build: Record<Lib, (series: number) => Population>;
}

const help = 'Benchmark metric.';

function text(registry: { metrics(): Promise<string> }): Population {
  return { scrape: async () => Buffer.byteLength(await registry.metrics()) };
}

function points(reader: ReturnType<typeof otelSetup>['reader']): Population {
  return {
    scrape: async () => {
      const { resourceMetrics } = await reader.collect();
      let n = 0;
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) n += metric.dataPoints.length;
      }
      return n;
    },
  };
}

const method = (k: number) => METHODS[k % 10] as string;
const route = (k: number) => SCRAPE_ROUTES[Math.floor(k / 10) % 100] as string;
const code = (k: number) => SCRAPE_CODES[Math.floor(k / 1000) % 100] as string;
const hRoute = (k: number) => SCRAPE_ROUTES[k % 100] as string;
const hCode = (k: number) => SCRAPE_CODES[Math.floor(k / 100) % 100] as string;
const obs = (k: number) => OBSERVATIONS[k & OBS_MASK] as number;

export const counterScrape: ScrapeCase = {
  id: 'scrape.counters',
  title: 'scrape, 100k counter series (3 labels)',
  series: 100_000,
  build: {
    vigil: (series) => {
      const registry = new Registry();
      const c = registry.counter({
        name: 'requests_total',
        help,
        labelNames: ['method', 'route', 'code'],
        maxSeries: series,
      });
      for (let k = 0; k < series; k++) c.inc({ method: method(k), route: route(k), code: code(k) }, (k % 7) + 1);
      return text(registry);
    },
    'prom-client': (series) => {
      const registry = new prom.Registry();
      const c = new prom.Counter({
        name: 'requests_total',
        help,
        labelNames: ['method', 'route', 'code'],
        registers: [registry],
      });
      for (let k = 0; k < series; k++) c.inc({ method: method(k), route: route(k), code: code(k) }, (k % 7) + 1);
      return text(registry);
    },
    otel: (series) => {
      const { meter, reader } = otelSetup();
      const c = meter.createCounter('requests_total');
      for (let k = 0; k < series; k++) c.add((k % 7) + 1, { method: method(k), route: route(k), code: code(k) });
      return points(reader);
    },
  },
};

export const histogramScrape: ScrapeCase = {
  id: 'scrape.histograms',
  title: 'scrape, 10k histogram series (2 labels, 11 buckets)',
  series: 10_000,
  build: {
    vigil: (series) => {
      const registry = new Registry();
      const h = registry.histogram({
        name: 'request_seconds',
        help,
        labelNames: ['route', 'code'],
        buckets: BUCKETS,
        maxSeries: series,
      });
      for (let k = 0; k < series; k++) {
        for (let m = 0; m < 3; m++) h.observe({ route: hRoute(k), code: hCode(k) }, obs(k * 3 + m));
      }
      return text(registry);
    },
    'prom-client': (series) => {
      const registry = new prom.Registry();
      const h = new prom.Histogram({
        name: 'request_seconds',
        help,
        labelNames: ['route', 'code'],
        buckets: BUCKETS,
        registers: [registry],
      });
      for (let k = 0; k < series; k++) {
        for (let m = 0; m < 3; m++) h.observe({ route: hRoute(k), code: hCode(k) }, obs(k * 3 + m));
      }
      return text(registry);
    },
    otel: (series) => {
      const { meter, reader } = otelSetup();
      const h = meter.createHistogram('request_seconds', { advice: { explicitBucketBoundaries: BUCKETS } });
      for (let k = 0; k < series; k++) {
        for (let m = 0; m < 3; m++) h.record(obs(k * 3 + m), { route: hRoute(k), code: hCode(k) });
      }
      return points(reader);
    },
  },
};
