/**
 * vigil/query: typed, read-only, fetch-based clients for Prometheus (and VictoriaMetrics),
 * Alertmanager and the Pushgateway, with timeouts and AbortSignal.
 */
export { type AlertmanagerClient, type AmAlert, type AmStatus, alertmanagerClient } from './alertmanager.js';
export { type ClientOptions, QueryError } from './http.js';
export {
  type Labels,
  type PromAlert,
  type PromBuildInfo,
  type PrometheusClient,
  type PromQueryData,
  type PromResult,
  prometheusClient,
  type RequestOptions,
  type Time,
} from './prometheus.js';
export {
  type PushedFamily,
  type PushedSeries,
  type PushGroup,
  type PushgatewayClient,
  pushgatewayClient,
} from './pushgateway.js';
