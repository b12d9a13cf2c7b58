/**
 * vigil/metrics: a zero-dependency Prometheus registry with exact text 0.0.4 and
 * OpenMetrics 1.0 exposition.
 */
export { DEFAULT_BUCKETS, exponentialBuckets, linearBuckets } from './buckets.js';
export { Counter, type CounterConfig, CounterSeries } from './counter.js';
export { AlreadyRegisteredError, CollectError, type ErrorCode, ErrorCodes, VigilError } from './errors.js';
export { type Exemplar, type ExemplarLabels, MAX_EXEMPLAR_RUNES } from './exemplar.js';
export {
  CONTENT_TYPE_OPENMETRICS,
  CONTENT_TYPE_TEXT,
  contentTypeOf,
  type EncodeAsyncOptions,
  encode,
  encodeAsync,
  type Format,
  type RenderOptions,
  render,
  renderOpenMetrics,
  renderText,
} from './exposition.js';
export {
  type Collector,
  type CounterFamily,
  type Family,
  type GaugeFamily,
  type HistogramFamily,
  type HistogramPoint,
  renderLabels,
  type SummaryFamily,
  type SummaryPoint,
  type ValuePoint,
} from './family.js';
export { Gauge, type GaugeConfig, GaugeSeries } from './gauge.js';
export { Histogram, type HistogramConfig, HistogramSeries } from './histogram.js';
export {
  type AnyMetric,
  DEFAULT_MAX_SERIES,
  type LabelSet,
  type LabelTuple,
  type LabelValue,
  Metric,
  type MetricConfig,
  type MetricType,
  OVERFLOW_LABEL_VALUE,
  Series,
} from './metric.js';
export { acceptsGzip, type Negotiated, negotiate, negotiateFormat } from './negotiate.js';
export {
  defaultRegistry,
  type FamilySnapshot,
  type GatherResult,
  OVERFLOW_METRIC,
  Registry,
  type RegistryOptions,
  register,
  type SeriesSnapshot,
} from './registry.js';
export { DEFAULT_QUANTILES, Summary, type SummaryConfig, SummarySeries } from './summary.js';
