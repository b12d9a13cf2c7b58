import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  HTTP_SERVER_REQUEST_DURATION_SECONDS,
  HTTP_SERVER_REQUESTS_IN_FLIGHT,
  HTTP_SERVER_REQUESTS_TOTAL,
} from '../../../src/catalog/http.js';
import { PROCESS_METRICS } from '../../../src/collectors/process.js';
import { RUNTIME_METRICS } from '../../../src/collectors/runtime.js';
import { generateStack, parseStackConfig, untestedAlerts } from '../../../src/stack/index.js';
import {
  TEST_HEAP_GROWTH_BYTES,
  TEST_LATENCY_SECONDS,
  TEST_RUN_DURATION_SECONDS,
  TEST_THROUGHPUT_OPS_PER_SECOND,
  TESTS_TOTAL,
} from '../../../src/testing/names.js';
import { everythingConfig } from './fixtures.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface TestCase {
  alert_rule_test: Array<{ alertname: string; exp_alerts: Array<{ exp_labels: Record<string, string> }> }>;
}

function rulesOf(input: unknown) {
  const files = generateStack(parseStackConfig(input));
  const rulesText = files['prometheus/alerts.yml'] ?? '';
  const testsText = files['prometheus/alerts.test.yml'] ?? '';
  const groups = (parse(rulesText) as { groups: Array<{ name: string; rules: Rule[] }> }).groups;
  const rules = groups.flatMap((g) => g.rules);
  return {
    rulesText,
    testsText,
    groups,
    alerts: rules.filter((r) => r.alert !== undefined),
    records: rules.filter((r) => r.record !== undefined),
    tests: (parse(testsText) as { rule_files: string[]; tests: TestCase[] }).tests,
  };
}

const ALL_ALERTS = [
  'VigilHighErrorRate',
  'VigilHighLatencyP95',
  'VigilTargetDown',
  'VigilInFlightSaturation',
  'VigilMemoryGrowth',
  'VigilEventLoopLag',
  'VigilTestFailureRate',
  'VigilTestLatencyRegression',
  'VigilTestMemoryGrowth',
  'VigilTestThroughputLow',
  'VigilPushFailed',
  'VigilStalePush',
  'VigilRequestRateAnomaly',
  'VigilErrorRatioAnomaly',
  'VigilLatencyP95Anomaly',
  'VigilTestDurationAnomaly',
];

describe('generated alert rules', () => {
  it('has every alert of the issue by default, each with a test that fires and one that stays quiet', () => {
    const { alerts, rulesText, testsText, tests } = rulesOf({});
    expect(alerts.map((a) => a.alert)).toEqual(ALL_ALERTS);
    expect(untestedAlerts(rulesText, testsText)).toEqual([]);
    expect(tests).toHaveLength(ALL_ALERTS.length * 2);
  });

  it('detects an alert whose test was removed, or that is only tested one way', () => {
    const { rulesText, testsText } = rulesOf({});
    const tests = parse(testsText) as { tests: TestCase[] };
    const withoutTargetDown = {
      ...tests,
      tests: tests.tests.filter((t) => t.alert_rule_test[0]?.alertname !== 'VigilTargetDown'),
    };
    expect(untestedAlerts(rulesText, JSON.stringify(withoutTargetDown))).toEqual(['VigilTargetDown']);
    const onlyFiring = {
      ...tests,
      tests: tests.tests.filter(
        (t) => t.alert_rule_test[0]?.alertname !== 'VigilStalePush' || t.alert_rule_test[0].exp_alerts.length > 0,
      ),
    };
    expect(untestedAlerts(rulesText, JSON.stringify(onlyFiring))).toEqual(['VigilStalePush']);
  });

  it('uses the real metric names and labels of the catalog, collectors and test reporters', () => {
    const { alerts, records } = rulesOf({});
    const exprs = [...alerts, ...records].map((r) => r.expr).join('\n');
    for (const name of [
      HTTP_SERVER_REQUESTS_TOTAL,
      `${HTTP_SERVER_REQUEST_DURATION_SECONDS}_bucket`,
      HTTP_SERVER_REQUESTS_IN_FLIGHT,
      PROCESS_METRICS.residentMemory,
      RUNTIME_METRICS.eventLoopLagP99,
      TESTS_TOTAL,
      TEST_LATENCY_SECONDS,
      `${TEST_HEAP_GROWTH_BYTES}_sum`,
      TEST_THROUGHPUT_OPS_PER_SECOND,
      TEST_RUN_DURATION_SECONDS,
      'push_failure_time_seconds > push_time_seconds',
    ]) {
      expect(exprs).toContain(name);
    }
    // The catalog's label is `status`, not `status_code`.
    expect(exprs).toContain('status=~"5.."');
    expect(exprs).not.toContain('status_code');
  });

  it('takes thresholds, for: durations and severities from the config', () => {
    const { alerts } = rulesOf(everythingConfig);
    const byName = new Map(alerts.map((a) => [a.alert, a]));
    expect(byName.get('VigilHighErrorRate')).toMatchObject({
      expr: 'job:http_server_request_errors:ratio_rate30s > 0.2',
      for: '10s',
      labels: { severity: 'critical' },
    });
    expect(byName.get('VigilHighLatencyP95')?.expr).toBe('job:http_server_request_duration_seconds:p95_rate30s > 0.05');
    expect(byName.get('VigilMemoryGrowth')?.expr).toBe('deriv(process_resident_memory_bytes[2m]) * 3600 > 1000000000');
    expect(byName.get('VigilTestThroughputLow')?.expr).toBe('vigil_test_throughput_ops_per_second < 250');
    expect(byName.get('VigilStalePush')).toMatchObject({
      expr: 'time() - push_time_seconds > 600',
      labels: { severity: 'critical' },
    });
    expect(byName.get('VigilRequestRateAnomaly')?.expr).toBe(
      'abs(job:http_server_requests:rate30s - job:http_server_requests:rate30s:baseline_avg) > 4 * job:http_server_requests:rate30s:baseline_stddev',
    );
  });

  it('records repeated queries once and builds the anomaly band on them, offset from now', () => {
    const { records, alerts } = rulesOf({});
    const names = records.map((r) => r.record);
    expect(names).toContain('job:http_server_requests:rate5m');
    expect(names).toContain('job:http_server_request_errors:ratio_rate5m');
    const avg = records.find((r) => r.record === 'job:http_server_requests:rate5m:baseline_avg');
    const stddev = records.find((r) => r.record === 'job:http_server_requests:rate5m:baseline_stddev');
    expect(avg?.expr).toBe('avg_over_time(job:http_server_requests:rate5m[1d] offset 1h)');
    expect(stddev?.expr).toBe('stddev_over_time(job:http_server_requests:rate5m[1d] offset 1h)');
    // Every recorded series some alert reads exists.
    for (const alert of alerts) {
      for (const used of alert.expr.match(/job:[a-z_:0-9]+/g) ?? []) expect(names).toContain(used);
    }
  });

  it('leaves out disabled alerts and their tests, and the anomaly rules when anomaly is off', () => {
    const input = {
      alerts: { targetDown: { enabled: false }, stalePush: { enabled: false } },
      anomaly: { enabled: false },
    };
    const { alerts, records, rulesText, testsText } = rulesOf(input);
    const names = alerts.map((a) => a.alert);
    expect(names).not.toContain('VigilTargetDown');
    expect(names).not.toContain('VigilStalePush');
    expect(names.some((n) => n?.endsWith('Anomaly'))).toBe(false);
    expect(records.some((r) => r.record?.includes('baseline'))).toBe(false);
    expect(testsText).not.toContain('VigilTargetDown');
    expect(untestedAlerts(rulesText, testsText)).toEqual([]);
  });

  it('gives annotations that only template labels, and tests that expect them rendered', () => {
    const { alerts, tests } = rulesOf({});
    for (const alert of alerts) {
      const templates = Object.values(alert.annotations ?? {}).join(' ');
      expect(templates.replace(/\{\{ \$labels\.[a-z_]+ \}\}/g, '')).not.toContain('{{');
    }
    const down = tests.find(
      (t) => t.alert_rule_test[0]?.alertname === 'VigilTargetDown' && t.alert_rule_test[0].exp_alerts.length > 0,
    );
    expect(JSON.stringify(down)).toContain('127.0.0.1:9464 of app is down');
  });

  it('feeds the anomaly tests a spike that ends after the baseline window ends', () => {
    const { tests } = rulesOf({});
    const spiked = tests.find(
      (t) =>
        t.alert_rule_test[0]?.alertname === 'VigilTestDurationAnomaly' && t.alert_rule_test[0].exp_alerts.length > 0,
    ) as unknown as { input_series: Array<{ values: string }>; alert_rule_test: Array<{ eval_time: string }> };
    const values = spiked.input_series[0]?.values.split(' ').map(Number) ?? [];
    // 1 h offset + 100 one-minute steps of baseline; the last steps are the spike (110 + 100 × 3).
    expect(spiked.alert_rule_test[0]?.eval_time).toBe('160m');
    expect(values).toHaveLength(161);
    expect(values.slice(0, 4)).toEqual([100, 100, 110, 100]);
    expect(values.at(-1)).toBe(410);
    // The baseline at the evaluation ends an hour (60 steps) earlier and holds only noise.
    expect(values.slice(0, 101).every((v) => v <= 110)).toBe(true);
    const spikeStart = values.findIndex((v) => v > 110);
    expect(spikeStart).toBeGreaterThan(100);
    // Long enough for the 5m rate window and the 10m `for:`.
    expect(values.length - spikeStart).toBeGreaterThanOrEqual(15);
  });
});
