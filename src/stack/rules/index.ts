import type { StackConfig } from '../config.js';
import { formatDuration } from '../duration.js';
import { anomalyAlerts, anomalyBaselines } from './anomaly.js';
import { recordingGroup } from './recording.js';
import { render } from './series.js';
import { serviceAlerts } from './service.js';
import { testRunAlerts } from './test-runs.js';
import type { AlertCase, RuleGroup, Scenario } from './types.js';

export { anomalyAlerts, anomalyBaselines, baseline } from './anomaly.js';
export { untestedAlerts } from './coverage.js';
export { type RecordedSeries, recordedSeries, recordingGroup } from './recording.js';
export { serviceAlerts } from './service.js';
export { PUSH_FAILURE_TIME_SECONDS, PUSH_TIME_SECONDS, testRunAlerts } from './test-runs.js';
export type { AlertCase, AlertingRule, RecordingRule, RuleGroup, Scenario } from './types.js';

/** Every enabled alert with its test scenarios, grouped as they appear in alerts.yml. */
export function alertGroups(config: StackConfig): Array<{ name: string; cases: AlertCase[] }> {
  return [
    { name: 'vigil-service', cases: serviceAlerts(config) },
    { name: 'vigil-test-runs', cases: testRunAlerts(config) },
    { name: 'vigil-anomaly', cases: anomalyAlerts(config) },
  ].filter((g) => g.cases.length > 0);
}

/** The groups of `prometheus/alerts.yml`: recording rules first, so alerts read this round's values in promtool. */
export function ruleGroups(config: StackConfig): RuleGroup[] {
  const baselines = anomalyBaselines(config);
  return [
    recordingGroup(config),
    ...(baselines.rules.length > 0 ? [baselines] : []),
    ...alertGroups(config).map(({ name, cases }) => ({ name, rules: cases.map((c) => c.rule) })),
  ];
}

/** The promtool test file (`promtool test rules alerts.test.yml`): per alert, one scenario that fires and one that stays quiet. */
export function ruleTests(config: StackConfig, ruleFile = 'alerts.yml'): Record<string, unknown> {
  const tests = alertGroups(config).flatMap(({ cases }) =>
    cases.flatMap((c) => [testOf(c, c.fires, 'fires', true), testOf(c, c.quiet, 'stays quiet', false)]),
  );
  return {
    rule_files: [ruleFile],
    evaluation_interval: formatDuration(tests[0]?.interval ?? 60),
    tests: tests.map((t) => t.test),
  };
}

function testOf(c: AlertCase, scenario: Scenario, what: string, fires: boolean) {
  const labels = { ...scenario.labels, ...c.rule.labels };
  const annotations = Object.fromEntries(
    Object.entries(c.rule.annotations).map(([k, v]) => [k, render(v, { ...labels, alertname: c.rule.alert })]),
  );
  return {
    interval: scenario.interval,
    test: {
      name: `${c.rule.alert} ${what}`,
      interval: formatDuration(scenario.interval),
      input_series: scenario.series,
      alert_rule_test: [
        {
          eval_time: formatDuration(scenario.evalTime),
          alertname: c.rule.alert,
          exp_alerts: fires ? [{ exp_labels: labels, exp_annotations: annotations }] : [],
        },
      ],
    },
  };
}
