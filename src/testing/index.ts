/**
 * vigil/testing: test-run metrics. The in-test API (`testMetrics`), the runner-independent
 * recorder, the metric names dashboards and alerts use, and CI metadata. The reporters are
 * `vigil/testing/vitest` and `vigil/testing/node`.
 */
export { type TestMetrics, testMetrics } from './api.js';
export { ciMetadata, type GitReader, type RunMetadata, readGit } from './ci.js';
export {
  HEAP_GROWTH_BUCKETS,
  type RecorderOptions,
  TEST_DURATION_BUCKETS,
  type TestRecord,
  TestRunRecorder,
} from './core.js';
export { type JUnitReport, parseJUnit, recordJUnit } from './junit.js';
export * from './names.js';
export { finishRun, type ReporterOptions, type RunReport } from './report.js';
export { DIAGNOSTIC_PREFIX, LATENCY_QUANTILES, type Measurements, nearestRank, parseDiagnostic } from './samples.js';
