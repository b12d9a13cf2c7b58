import {
  TEST_HEAP_GROWTH_BYTES,
  TEST_LATENCY_SECONDS,
  TEST_THROUGHPUT_OPS_PER_SECOND,
  TESTS_TOTAL,
} from '../../testing/names.js';
import type { StackConfig } from '../config.js';
import { constant, num, PUSHED, timing } from './series.js';
import type { AlertCase, Scenario } from './types.js';

/** Pushgateway's own per-group gauges: last successful and last failed push, seconds since the epoch. */
export const PUSH_TIME_SECONDS = 'push_time_seconds';
export const PUSH_FAILURE_TIME_SECONDS = 'push_failure_time_seconds';

/**
 * Alerts on test runs pushed to the Pushgateway. A run replaces its group (PUT), so its
 * counters hold that one run's totals: the rules compare values, not rates.
 */
export function testRunAlerts(config: StackConfig): AlertCase[] {
  const a = config.alerts;
  const cases: Array<AlertCase | undefined> = [
    a.testFailureRate.enabled ? failureRate(config) : undefined,
    a.testLatencyRegression.enabled ? latencyRegression(config) : undefined,
    a.testMemoryGrowth.enabled ? memoryGrowth(config) : undefined,
    a.testThroughput.enabled ? throughput(config) : undefined,
    a.pushFailure.enabled ? pushFailure(config) : undefined,
    a.stalePush.enabled ? stalePush(config) : undefined,
  ];
  return cases.filter((c): c is AlertCase => c !== undefined);
}

const file = 'test/unit/orders.test.ts';

function failureRate(config: StackConfig): AlertCase {
  const { threshold, for: forDuration, severity } = config.alerts.testFailureRate;
  const t = timing(config, 0, forDuration);
  const run = (failedShare: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels: { ...PUSHED },
    series: [
      constant(TESTS_TOTAL, { ...PUSHED, file, outcome: 'passed' }, 1000 * (1 - failedShare), t.steps),
      constant(TESTS_TOTAL, { ...PUSHED, file, outcome: 'failed' }, 1000 * failedShare, t.steps),
      constant(TESTS_TOTAL, { ...PUSHED, file, outcome: 'skipped' }, 10, t.steps),
    ],
  });
  // Skipped and todo tests neither pass nor fail: they stay out of the ratio.
  const ran = `sum without (file, outcome) (${TESTS_TOTAL}{outcome=~"passed|failed"})`;
  return {
    rule: {
      alert: 'VigilTestFailureRate',
      expr: `sum without (file, outcome) (${TESTS_TOTAL}{outcome="failed"}) / ${ran} > ${num(threshold)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: 'Tests of {{ $labels.job }} are failing',
        description: `More than ${num(threshold * 100)}% of the tests in the last run of {{ $labels.job }} failed.`,
      },
    },
    fires: run((1 + threshold) / 2),
    quiet: run(threshold / 2),
  };
}

function latencyRegression(config: StackConfig): AlertCase {
  const { thresholdSeconds: limit, for: forDuration, severity } = config.alerts.testLatencyRegression;
  const t = timing(config, 0, forDuration);
  const labels = { ...PUSHED, operation: 'checkout', quantile: '0.95' };
  const run = (p95: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels,
    series: [
      constant(TEST_LATENCY_SECONDS, { ...labels, quantile: '0.5' }, p95 / 10, t.steps),
      constant(TEST_LATENCY_SECONDS, labels, p95, t.steps),
    ],
  });
  return {
    rule: {
      alert: 'VigilTestLatencyRegression',
      expr: `${TEST_LATENCY_SECONDS}{quantile="0.95"} > ${num(limit)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: 'Operation {{ $labels.operation }} got slower in {{ $labels.job }}',
        description: `The 95th percentile latency of {{ $labels.operation }} measured by the tests of {{ $labels.job }} is above ${num(limit)}s.`,
      },
    },
    fires: run(limit * 2),
    quiet: run(limit / 2),
  };
}

function memoryGrowth(config: StackConfig): AlertCase {
  const { bytes, for: forDuration, severity } = config.alerts.testMemoryGrowth;
  const t = timing(config, 0, forDuration);
  const labels = { ...PUSHED, file };
  const run = (grown: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels,
    series: [
      constant(`${TEST_HEAP_GROWTH_BYTES}_sum`, labels, grown, t.steps),
      constant(`${TEST_HEAP_GROWTH_BYTES}_count`, labels, 40, t.steps),
    ],
  });
  return {
    rule: {
      alert: 'VigilTestMemoryGrowth',
      expr: `${TEST_HEAP_GROWTH_BYTES}_sum > ${num(bytes)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: 'Heap grows across the tests of {{ $labels.file }}',
        description: `The heap grew by more than ${num(bytes)} bytes over the tests of {{ $labels.file }} ({{ $labels.job }}): a leak?`,
      },
    },
    fires: run(bytes * 2),
    quiet: run(bytes / 2),
  };
}

function throughput(config: StackConfig): AlertCase {
  const { minOpsPerSecond: min, for: forDuration, severity } = config.alerts.testThroughput;
  const t = timing(config, 0, forDuration);
  const labels = { ...PUSHED, operation: 'checkout' };
  const run = (value: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels,
    series: [constant(TEST_THROUGHPUT_OPS_PER_SECOND, labels, value, t.steps)],
  });
  return {
    rule: {
      alert: 'VigilTestThroughputLow',
      expr: `${TEST_THROUGHPUT_OPS_PER_SECOND} < ${num(min)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: 'Throughput of {{ $labels.operation }} dropped in {{ $labels.job }}',
        description: `The tests of {{ $labels.job }} measured fewer than ${num(min)} operations per second for {{ $labels.operation }}.`,
      },
    },
    fires: run(min / 2),
    quiet: run(min * 2),
  };
}

function pushFailure(config: StackConfig): AlertCase {
  const { for: forDuration, severity } = config.alerts.pushFailure;
  const t = timing(config, 0, forDuration);
  const pushes = (lastSuccess: number, lastFailure: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels: { ...PUSHED },
    series: [
      constant(PUSH_TIME_SECONDS, PUSHED, lastSuccess, t.steps),
      constant(PUSH_FAILURE_TIME_SECONDS, PUSHED, lastFailure, t.steps),
    ],
  });
  return {
    rule: {
      alert: 'VigilPushFailed',
      expr: `${PUSH_FAILURE_TIME_SECONDS} > ${PUSH_TIME_SECONDS}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: 'The last push of {{ $labels.job }} to the Pushgateway failed',
        description:
          'The Pushgateway rejected the latest push of group {{ $labels.job }} (see its log); the dashboards show the previous run.',
      },
    },
    fires: pushes(1_700_000_000, 1_700_000_600),
    quiet: pushes(1_700_000_600, 1_700_000_000),
  };
}

function stalePush(config: StackConfig): AlertCase {
  const { maxAgeSeconds: maxAge, for: forDuration, severity } = config.alerts.stalePush;
  const t = timing(config, 0, forDuration);
  // time() in a promtool test counts from 0, so a push "maxAge ago" has a negative timestamp.
  const lastPush = (ageAtEval: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels: { ...PUSHED },
    series: [constant(PUSH_TIME_SECONDS, PUSHED, t.evalTime - ageAtEval, t.steps)],
  });
  return {
    rule: {
      alert: 'VigilStalePush',
      expr: `time() - ${PUSH_TIME_SECONDS} > ${num(maxAge)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: '{{ $labels.job }} has not pushed for a while',
        description: `No successful push from group {{ $labels.job }} for more than ${num(maxAge)} seconds: is its CI job still running?`,
      },
    },
    fires: lastPush(maxAge * 2),
    quiet: lastPush(0),
  };
}
