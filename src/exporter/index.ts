/**
 * vigil/exporter: serve a registry to Prometheus, from a server of its own
 * (`startMetricsServer`) or from any framework (`metricsHandler`, `metricsFetchHandler`).
 */
export type { MetricsAuth } from './auth.js';
export { type MetricsFetchHandler, type MetricsHandler, metricsFetchHandler, metricsHandler } from './handler.js';
export type { MetricsHandlerOptions, ScrapeInfo } from './options.js';
export { INCREMENTAL_MIN_SERIES, SCRAPE_ERRORS_METRIC } from './scrape.js';
export { type MetricsServer, type MetricsServerOptions, startMetricsServer } from './server.js';
export type { MetricsServerStatus } from './status.js';
