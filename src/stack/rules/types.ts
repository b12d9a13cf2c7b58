/** The shapes of Prometheus rule files and promtool unit-test files, as the generators build them. */

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  /** Templates may use `{{ $labels.<name> }}` only, so a test can predict the text exactly. */
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Array<RecordingRule | AlertingRule>;
}

/** One promtool input series: a selector and its values in expanding notation. */
export interface InputSeries {
  series: string;
  values: string;
}

/** Input series and the moment at which an alert is (or is not) expected. */
export interface Scenario {
  /** Seconds between samples, and between rule evaluations. */
  interval: number;
  series: InputSeries[];
  /** Seconds after the first sample. */
  evalTime: number;
  /** Labels the firing alert carries besides `alertname` and `severity`. */
  labels: Record<string, string>;
}

/** An alerting rule with the two scenarios its unit test replays. */
export interface AlertCase {
  rule: AlertingRule;
  fires: Scenario;
  quiet: Scenario;
}
