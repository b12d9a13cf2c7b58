/**
 * vigil/tracing: OpenTelemetry tracing in one call, with an honest status, test isolation
 * and exemplars that link metrics to traces.
 */
export {
  DEFAULT_OTLP_ENDPOINT,
  type ExporterKind,
  type ResolvedTracingConfig,
  resolveTracingConfig,
  type SamplerName,
  type TracingConfig,
} from './config.js';
export { exemplarFromActiveSpan, type TraceExemplar, withExemplars } from './exemplars.js';
export { TRACING_COLLECTOR } from './self-metrics.js';
export {
  type FetchHeaders,
  type IncomingHeaders,
  injectTraceHeaders,
  type ServerSpan,
  type ServerSpanRequest,
  type ServerTracing,
  serverTracing,
  startServerSpan,
} from './server-span.js';
export {
  currentTracing,
  type SetupTracingOptions,
  setupTracing,
  type TracingHandle,
  type TracingStatus,
  teardownTracing,
} from './setup.js';
export { type SpanMetricsOptions, spanMetricsProcessor } from './span-metrics.js';
export { NOOP_SPAN, type WithSpan } from './with-span.js';
