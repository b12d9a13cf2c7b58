/**
 * The names of every test-run metric, for dashboards and alert rules (issue 6) to share
 * with the reporters. Labels are listed beside each name.
 */

/** Histogram `{file, outcome}`: test durations in seconds. */
export const TEST_DURATION_SECONDS = 'vigil_test_duration_seconds';
/** Counter `{file, outcome}`: tests by outcome (`passed`, `failed`, `skipped`, `todo`). */
export const TESTS_TOTAL = 'vigil_tests_total';
/** Counter `{file}`: retries spent (Vitest `retry`; node:test has none). */
export const TEST_RETRIES_TOTAL = 'vigil_test_retries_total';
/** Counter `{file}`: tests that passed only after a retry. */
export const TESTS_FLAKY_TOTAL = 'vigil_tests_flaky_total';
/** Histogram `{file}`: heap growth per test in bytes, where the runner reports heap use. */
export const TEST_HEAP_GROWTH_BYTES = 'vigil_test_heap_growth_bytes';
/** Gauge `{file, test, outcome}`: one test's duration; only with `testNameLabel: true`. */
export const TEST_CASE_DURATION_SECONDS = 'vigil_test_case_duration_seconds';
/** Gauge: wall time of the whole run in seconds. */
export const TEST_RUN_DURATION_SECONDS = 'vigil_test_run_duration_seconds';
/** Gauge `{branch, commit, workflow, runner}` = 1. */
export const TEST_RUN_INFO = 'vigil_test_run_info';
/** Gauge: when the run ended, seconds since the epoch. */
export const TEST_RUN_TIMESTAMP_SECONDS = 'vigil_test_run_last_timestamp_seconds';
/** Gauge: 1 when no test failed, else 0. */
export const TEST_RUN_SUCCESS = 'vigil_test_run_success';
/** Gauge `{kind}`: covered / total for lines, statements, functions and branches, when the runner reports coverage. */
export const TEST_COVERAGE_RATIO = 'vigil_test_coverage_ratio';
/** Summary `{operation}`: exact p50/p95/p99 (`quantile` 0.5, 0.95, 0.99) of in-test latencies, `_sum`, `_count`. */
export const TEST_LATENCY_SECONDS = 'vigil_test_latency_seconds';
/** Gauge `{operation}`: mean of the in-test latencies in seconds. */
export const TEST_LATENCY_MEAN_SECONDS = 'vigil_test_latency_mean_seconds';
/** Gauge `{operation}`: mean of the throughputs a run recorded, operations per second. */
export const TEST_THROUGHPUT_OPS_PER_SECOND = 'vigil_test_throughput_ops_per_second';
/** Gauge `{name, ...labels}`: the last value a test recorded under that name and labels. */
export const TEST_VALUE = 'vigil_test_value';

export const TEST_METRIC_NAMES: readonly string[] = Object.freeze([
  TEST_DURATION_SECONDS,
  TESTS_TOTAL,
  TEST_RETRIES_TOTAL,
  TESTS_FLAKY_TOTAL,
  TEST_HEAP_GROWTH_BYTES,
  TEST_CASE_DURATION_SECONDS,
  TEST_RUN_DURATION_SECONDS,
  TEST_RUN_INFO,
  TEST_RUN_TIMESTAMP_SECONDS,
  TEST_RUN_SUCCESS,
  TEST_COVERAGE_RATIO,
  TEST_LATENCY_SECONDS,
  TEST_LATENCY_MEAN_SECONDS,
  TEST_THROUGHPUT_OPS_PER_SECOND,
  TEST_VALUE,
]);

export type TestOutcome = 'passed' | 'failed' | 'skipped' | 'todo';
export const TEST_OUTCOMES: readonly TestOutcome[] = Object.freeze(['passed', 'failed', 'skipped', 'todo']);
