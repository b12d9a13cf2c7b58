import { createServer } from 'node:http';
import express from 'express';
import { Hono } from 'hono';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type MetricsFetchHandler,
  type MetricsServerStatus,
  metricsFetchHandler,
  metricsHandler,
  startMetricsServer,
} from '../../../src/exporter/index.js';
import { Registry } from '../../../src/metrics/index.js';

// Compile-time checks (tsc type-checks test/): each line is how the README says to mount it.
describe('exporter types', () => {
  it('mounts without casts in node:http, Express and Hono', () => {
    const registry = new Registry();
    const handler = metricsHandler(registry);
    const server = createServer(handler);
    server.close();
    express().get('/prometheus/metrics', metricsHandler(registry));
    new Hono().get('/metrics', (c) => handler.fetch(c.req.raw));
    expectTypeOf(handler.fetch).toEqualTypeOf<MetricsFetchHandler>();
    expectTypeOf(metricsFetchHandler()).returns.resolves.toEqualTypeOf<Response>();
  });

  it('types the status and rejects unknown options', () => {
    expectTypeOf(startMetricsServer).returns.toHaveProperty('ready').resolves.toEqualTypeOf<MetricsServerStatus>();
    expectTypeOf<MetricsServerStatus['degradationReason']>().toEqualTypeOf<string | null>();
    // Refused by the compiler, and at run time for JavaScript callers.
    expect(() =>
      // @ts-expect-error onCollectError is 'serve' | 'fail'
      metricsHandler(new Registry(), { onCollectError: 'ignore' }),
    ).toThrow(/VIGIL_ERR_EXPORTER_OPTION/);
    expect(() =>
      // @ts-expect-error auth needs a bearer token or a basic user
      metricsHandler(new Registry(), { auth: { token: 'x' } }),
    ).toThrow(/VIGIL_ERR_EXPORTER_OPTION/);
  });
});
