import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  TEST_CASE_DURATION_SECONDS,
  TEST_COVERAGE_RATIO,
  TEST_DURATION_SECONDS,
  TEST_HEAP_GROWTH_BYTES,
  TEST_LATENCY_MEAN_SECONDS,
  TEST_LATENCY_SECONDS,
  TEST_RETRIES_TOTAL,
  TEST_RUN_DURATION_SECONDS,
  TEST_RUN_INFO,
  TEST_RUN_SUCCESS,
  TEST_RUN_TIMESTAMP_SECONDS,
  TEST_THROUGHPUT_OPS_PER_SECOND,
  TESTS_FLAKY_TOTAL,
  TESTS_TOTAL,
} from '../../../testing/names.js';
import { buildDashboard } from '../dashboard.js';
import { bargauge, stat, table, timeseries } from '../panels.js';
import { sumBy } from '../queries.js';
import { labelVariable } from '../variables.js';

const JOB = 'job=~"$job"';
const by = (metric: string, more = '') => `${metric}{${JOB}${more}}`;

/**
 * A test run's metrics are totals of that run (pushed once per run), so panels read their
 * values as they are, without rate().
 */
const SUCCESS_RATE = `${sumBy([], by(TESTS_TOTAL, ',outcome="passed"'))} / ${sumBy([], by(TESTS_TOTAL, ',outcome=~"passed|failed"'))}`;

/** Test runs pushed by the Vitest and node:test reporters: outcomes, durations, in-test latency, memory growth. */
export function testRunsDashboard(uid: string, title: string): Dashboard {
  return buildDashboard({
    uid,
    title,
    description: 'Test runs recorded by vigil/testing reporters and pushed to the Pushgateway.',
    variables: [labelVariable('job', 'Job', TESTS_TOTAL)],
    sections: [
      {
        title: 'Last run',
        panels: [
          stat('Success rate', 'percentunit', { expr: SUCCESS_RATE }),
          stat('Tests', 'short', { expr: sumBy([], by(TESTS_TOTAL)) }),
          stat('Run duration', 's', { expr: `max(${by(TEST_RUN_DURATION_SECONDS)})` }),
          stat('Time since the last run', 's', { expr: `time() - max(${by(TEST_RUN_TIMESTAMP_SECONDS)})` }),
        ],
      },
      {
        title: 'Trends',
        panels: [
          timeseries('Success rate', 'percentunit', [{ expr: SUCCESS_RATE, legend: 'passed / (passed + failed)' }]),
          timeseries('Tests by outcome', 'short', [
            { expr: sumBy(['outcome'], by(TESTS_TOTAL)), legend: '{{outcome}}' },
          ]),
          timeseries('Run duration', 's', [{ expr: by(TEST_RUN_DURATION_SECONDS), legend: '{{job}}' }]),
          timeseries('Test duration percentiles', 's', [
            { expr: `histogram_quantile(0.5, ${sumBy(['le'], by(`${TEST_DURATION_SECONDS}_bucket`))})`, legend: 'p50' },
            {
              expr: `histogram_quantile(0.95, ${sumBy(['le'], by(`${TEST_DURATION_SECONDS}_bucket`))})`,
              legend: 'p95',
            },
          ]),
          timeseries('Mean test duration by file', 's', [
            {
              expr: `${sumBy(['file'], by(`${TEST_DURATION_SECONDS}_sum`))} / ${sumBy(['file'], by(`${TEST_DURATION_SECONDS}_count`))}`,
              legend: '{{file}}',
            },
          ]),
          timeseries('Run succeeded (1) or failed (0)', 'short', [{ expr: by(TEST_RUN_SUCCESS), legend: '{{job}}' }]),
        ],
      },
      {
        title: 'Slowest tests',
        panels: [
          bargauge('Slowest files (total seconds)', 's', {
            expr: `topk(10, ${sumBy(['file'], by(`${TEST_DURATION_SECONDS}_sum`))})`,
            legend: '{{file}}',
          }),
          bargauge('Slowest tests (needs testNameLabel)', 's', {
            expr: `topk(10, max by (file, test) (${by(TEST_CASE_DURATION_SECONDS)}))`,
            legend: '{{file}} {{test}}',
          }),
          table('Failed tests (needs testNameLabel)', 's', [
            { expr: by(TEST_CASE_DURATION_SECONDS, ',outcome="failed"') },
          ]),
        ],
      },
      {
        title: 'In-test latency and throughput',
        panels: [
          timeseries('Latency percentiles by operation', 's', [
            { expr: by(TEST_LATENCY_SECONDS, ',quantile=~"0.5|0.95|0.99"'), legend: '{{operation}} p{{quantile}}' },
          ]),
          timeseries('Mean latency by operation', 's', [
            { expr: by(TEST_LATENCY_MEAN_SECONDS), legend: '{{operation}}' },
          ]),
          timeseries('Throughput by operation', 'ops', [
            { expr: by(TEST_THROUGHPUT_OPS_PER_SECOND), legend: '{{operation}}' },
          ]),
          timeseries('Samples per operation', 'short', [
            { expr: by(`${TEST_LATENCY_SECONDS}_count`), legend: '{{operation}}' },
          ]),
        ],
      },
      {
        title: 'Memory growth, flakiness and coverage',
        panels: [
          timeseries('Heap growth per test p95 by file', 'bytes', [
            {
              expr: `histogram_quantile(0.95, ${sumBy(['le', 'file'], by(`${TEST_HEAP_GROWTH_BYTES}_bucket`))})`,
              legend: '{{file}}',
            },
          ]),
          timeseries('Mean heap growth per test by file', 'bytes', [
            {
              expr: `${sumBy(['file'], by(`${TEST_HEAP_GROWTH_BYTES}_sum`))} / ${sumBy(['file'], by(`${TEST_HEAP_GROWTH_BYTES}_count`))}`,
              legend: '{{file}}',
            },
          ]),
          timeseries('Flaky tests and retries', 'short', [
            { expr: sumBy([], by(TESTS_FLAKY_TOTAL)), legend: 'flaky' },
            { expr: sumBy([], by(TEST_RETRIES_TOTAL)), legend: 'retries' },
          ]),
          timeseries('Coverage', 'percentunit', [{ expr: by(TEST_COVERAGE_RATIO), legend: '{{kind}}' }]),
          table('Where the runs happened', 'none', [{ expr: by(TEST_RUN_INFO) }]),
        ],
      },
    ],
  });
}
