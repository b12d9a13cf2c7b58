import { HTTP_SERVER_REQUEST_DURATION_SECONDS, HTTP_SERVER_REQUESTS_TOTAL } from '../../catalog/http.js';
import { TEST_RUN_DURATION_SECONDS } from '../../testing/names.js';
import type { StackConfig } from '../config.js';
import { durationSeconds } from '../duration.js';
import { recordedSeries } from './recording.js';
import { alignUp, counterOf, gaugeOf, num, PUSHED, serviceLabels, stepSeconds } from './series.js';
import type { AlertCase, InputSeries, RecordingRule, RuleGroup } from './types.js';

/** What a scenario step holds: one of two ordinary values (noise), or the spike. */
type Step = 'low' | 'high' | 'spike';

interface Signal {
  alert: string;
  what: string;
  source: string;
  /** Input series for the given steps; index 0 is the change from the first sample to the second. */
  inputs(steps: readonly Step[]): InputSeries[];
}

/**
 * The anomaly band: for each signal, a baseline average and standard deviation over
 * `anomaly.window`, ending `anomaly.offset` ago so a running anomaly does not enter its
 * own baseline; an alert when the signal leaves the band by `anomaly.stddevs`.
 */
export function anomalyBaselines(config: StackConfig): RuleGroup {
  const { window, offset } = config.anomaly;
  const rules: RecordingRule[] = signals(config).flatMap(({ source }) => [
    { record: baseline(source, 'avg'), expr: `avg_over_time(${source}[${window}] offset ${offset})` },
    { record: baseline(source, 'stddev'), expr: `stddev_over_time(${source}[${window}] offset ${offset})` },
  ]);
  return { name: 'vigil-anomaly-baselines', rules };
}

/** Steps of noise that the baselines of the anomaly tests see. */
const BASELINE_STEPS = 100;

export function baseline(source: string, kind: 'avg' | 'stddev'): string {
  return `${source}:baseline_${kind}`;
}

export function anomalyAlerts(config: StackConfig): AlertCase[] {
  const { stddevs, for: forDuration, severity, offset, window } = config.anomaly;
  const step = stepSeconds(config);
  // The spike lasts long enough to fill the rate window and the `for:`. The baseline before
  // it is long enough that the first, partial rate windows barely move its deviation.
  const spikeSteps =
    alignUp(durationSeconds(forDuration) + durationSeconds(config.prometheus.rateWindow), step) / step + 2;
  const total = alignUp(durationSeconds(offset), step) / step + BASELINE_STEPS;
  const noise = Array.from({ length: total }, (_, i): Step => (i % 2 === 0 ? 'low' : 'high'));
  const spiked = noise.map((s, i): Step => (i >= total - spikeSteps ? 'spike' : s));
  return signals(config).map(({ alert, what, source, inputs }) => ({
    rule: {
      alert,
      expr: `abs(${source} - ${baseline(source, 'avg')}) > ${num(stddevs)} * ${baseline(source, 'stddev')}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: `Unusual ${what} on {{ $labels.job }}`,
        description: `The ${what} of {{ $labels.job }} is more than ${num(stddevs)} standard deviations away from its average over ${window} (ending ${offset} ago).`,
      },
    },
    fires: { interval: step, evalTime: total * step, labels: { job: jobOf(config, alert) }, series: inputs(spiked) },
    quiet: { interval: step, evalTime: total * step, labels: { job: jobOf(config, alert) }, series: inputs(noise) },
  }));
}

function jobOf(config: StackConfig, alert: string): string {
  return alert === 'VigilTestDurationAnomaly' ? PUSHED.job : serviceLabels(config).job;
}

function signals(config: StackConfig): Signal[] {
  if (!config.anomaly.enabled) return [];
  const r = recordedSeries(config);
  const n = config.anomaly.stddevs;
  const svc = serviceLabels(config);
  const ok = { ...svc, method: 'GET', route: '/items/:id', status: '200' };
  const failed = { ...ok, status: '500' };
  // Far enough out that no standard deviation of the noise can hide it.
  const slowBound = 100 * n;
  return [
    {
      alert: 'VigilRequestRateAnomaly',
      what: 'request rate',
      source: r.requestRate,
      inputs: (steps) => [
        counterOf(
          HTTP_SERVER_REQUESTS_TOTAL,
          ok,
          steps.map((s) => (s === 'spike' ? 105 * (n + 2) : s === 'low' ? 20 : 190)),
        ),
      ],
    },
    {
      alert: 'VigilErrorRatioAnomaly',
      what: 'error ratio',
      source: r.errorRatio,
      inputs: (steps) => [
        counterOf(
          HTTP_SERVER_REQUESTS_TOTAL,
          ok,
          steps.map((s) => (s === 'spike' ? 500 : s === 'low' ? 999 : 998)),
        ),
        counterOf(
          HTTP_SERVER_REQUESTS_TOTAL,
          failed,
          steps.map((s) => (s === 'spike' ? 500 : s === 'low' ? 1 : 2)),
        ),
      ],
    },
    {
      alert: 'VigilLatencyP95Anomaly',
      what: '95th percentile latency',
      source: r.latencyP95,
      inputs: (steps) => {
        // Per step: how many of 100 requests end under 0.1 s, under 0.2 s, under the slow bound.
        const counts = steps.map((s) => (s === 'spike' ? [0, 0, 100] : s === 'low' ? [100, 100, 100] : [90, 100, 100]));
        const bucket = (le: string, index: number) =>
          counterOf(
            `${HTTP_SERVER_REQUEST_DURATION_SECONDS}_bucket`,
            { ...ok, le },
            counts.map((c) => c[index] ?? 0),
          );
        return [bucket('0.1', 0), bucket('0.2', 1), bucket(num(slowBound), 2), bucket('+Inf', 2)];
      },
    },
    {
      alert: 'VigilTestDurationAnomaly',
      what: 'test run duration',
      source: r.testRunDuration,
      inputs: (steps) => [
        gaugeOf(TEST_RUN_DURATION_SECONDS, PUSHED, [
          100,
          ...steps.map((s) => (s === 'spike' ? 110 + 100 * n : s === 'low' ? 100 : 110)),
        ]),
      ],
    },
  ];
}
