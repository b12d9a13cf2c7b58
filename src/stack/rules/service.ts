import { HTTP_SERVER_REQUESTS_IN_FLIGHT, HTTP_SERVER_REQUESTS_TOTAL } from '../../catalog/http.js';
import { PROCESS_METRICS } from '../../collectors/process.js';
import { RUNTIME_METRICS } from '../../collectors/runtime.js';
import type { StackConfig } from '../config.js';
import { durationSeconds } from '../duration.js';
import { recordedSeries } from './recording.js';
import { constant, counter, num, selector, serviceLabels, timing } from './series.js';
import type { AlertCase, InputSeries, Scenario } from './types.js';

/** Alerts on a scraped service: errors, latency, availability, saturation, memory and the event loop. */
export function serviceAlerts(config: StackConfig): AlertCase[] {
  const a = config.alerts;
  const cases: Array<AlertCase | undefined> = [
    a.errorRate.enabled ? errorRate(config) : undefined,
    a.latencyP95.enabled ? latencyP95(config) : undefined,
    a.targetDown.enabled ? targetDown(config) : undefined,
    a.inFlight.enabled ? inFlight(config) : undefined,
    a.memoryGrowth.enabled ? memoryGrowth(config) : undefined,
    a.eventLoopLag.enabled ? eventLoopLag(config) : undefined,
  ];
  return cases.filter((c): c is AlertCase => c !== undefined);
}

const request = { method: 'GET', route: '/items/:id' };

function errorRate(config: StackConfig): AlertCase {
  const { threshold, for: forDuration, severity } = config.alerts.errorRate;
  const svc = serviceLabels(config);
  const t = timing(config, durationSeconds(config.prometheus.rateWindow), forDuration);
  // Traffic with a fixed share of 5xx answers: halfway between the threshold and 100 %, or half the threshold.
  const traffic = (share: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels: { job: svc.job },
    series: [
      counter(HTTP_SERVER_REQUESTS_TOTAL, { ...svc, ...request, status: '200' }, 100 * (1 - share), t.steps),
      counter(HTTP_SERVER_REQUESTS_TOTAL, { ...svc, ...request, status: '500' }, 100 * share, t.steps),
    ],
  });
  return {
    rule: {
      alert: 'VigilHighErrorRate',
      expr: `${recordedSeries(config).errorRatio} > ${num(threshold)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: 'High HTTP error rate on {{ $labels.job }}',
        description: `More than ${num(threshold * 100)}% of the requests of job {{ $labels.job }} answered 5xx over the last ${config.prometheus.rateWindow}.`,
      },
    },
    fires: traffic((1 + threshold) / 2),
    quiet: traffic(threshold / 2),
  };
}

function latencyP95(config: StackConfig): AlertCase {
  const { thresholdSeconds: limit, for: forDuration, severity } = config.alerts.latencyP95;
  const svc = serviceLabels(config);
  const t = timing(config, durationSeconds(config.prometheus.rateWindow), forDuration);
  const name = 'http_server_request_duration_seconds_bucket';
  // Buckets around the threshold: every request either well under it or well over it.
  const traffic = (slow: boolean): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels: { job: svc.job },
    series: [
      counter(name, { ...svc, ...request, status: '200', le: num(limit / 2) }, slow ? 0 : 10, t.steps),
      counter(name, { ...svc, ...request, status: '200', le: num(limit * 4) }, 10, t.steps),
      counter(name, { ...svc, ...request, status: '200', le: '+Inf' }, 10, t.steps),
    ],
  });
  return {
    rule: {
      alert: 'VigilHighLatencyP95',
      expr: `${recordedSeries(config).latencyP95} > ${num(limit)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: 'Slow HTTP responses on {{ $labels.job }}',
        description: `The 95th percentile of request duration of job {{ $labels.job }} is above ${num(limit)}s.`,
      },
    },
    fires: traffic(true),
    quiet: traffic(false),
  };
}

function targetDown(config: StackConfig): AlertCase {
  const { for: forDuration, severity } = config.alerts.targetDown;
  const svc = serviceLabels(config);
  const t = timing(config, 0, forDuration);
  const up = (value: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels: svc,
    series: [constant('up', svc, value, t.steps)],
  });
  return {
    rule: {
      alert: 'VigilTargetDown',
      expr: 'up == 0',
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: '{{ $labels.instance }} of {{ $labels.job }} is down',
        description: `Prometheus could not scrape {{ $labels.instance }} (job {{ $labels.job }}) for ${forDuration}.`,
      },
    },
    fires: up(0),
    quiet: up(1),
  };
}

function inFlight(config: StackConfig): AlertCase {
  const { threshold, for: forDuration, severity } = config.alerts.inFlight;
  const svc = serviceLabels(config);
  const t = timing(config, 0, forDuration);
  const load = (value: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels: svc,
    series: [
      constant(HTTP_SERVER_REQUESTS_IN_FLIGHT, { ...svc, method: 'GET' }, value / 2, t.steps),
      constant(HTTP_SERVER_REQUESTS_IN_FLIGHT, { ...svc, method: 'POST' }, value / 2, t.steps),
    ],
  });
  return {
    rule: {
      alert: 'VigilInFlightSaturation',
      expr: `sum by (job, instance) (${HTTP_SERVER_REQUESTS_IN_FLIGHT}) > ${num(threshold)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: '{{ $labels.instance }} of {{ $labels.job }} is saturated',
        description: `More than ${num(threshold)} requests are in flight on {{ $labels.instance }} (job {{ $labels.job }}).`,
      },
    },
    fires: load(threshold * 2),
    quiet: load(threshold / 2),
  };
}

function memoryGrowth(config: StackConfig): AlertCase {
  const { bytesPerHour, window, for: forDuration, severity } = config.alerts.memoryGrowth;
  const svc = serviceLabels(config);
  const t = timing(config, durationSeconds(window), forDuration);
  const growth = (perHour: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels: svc,
    series: [
      {
        series: selector(PROCESS_METRICS.residentMemory, svc),
        values: `100000000+${num((perHour / 3600) * t.step)}x${t.steps}`,
      } satisfies InputSeries,
    ],
  });
  return {
    rule: {
      alert: 'VigilMemoryGrowth',
      expr: `deriv(${PROCESS_METRICS.residentMemory}[${window}]) * 3600 > ${num(bytesPerHour)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: 'Memory of {{ $labels.instance }} keeps growing',
        description: `Resident memory of {{ $labels.instance }} (job {{ $labels.job }}) grew faster than ${num(bytesPerHour)} bytes per hour over ${window}: a leak?`,
      },
    },
    fires: growth(bytesPerHour * 2),
    quiet: growth(bytesPerHour / 2),
  };
}

function eventLoopLag(config: StackConfig): AlertCase {
  const { thresholdSeconds: limit, for: forDuration, severity } = config.alerts.eventLoopLag;
  const svc = serviceLabels(config);
  const t = timing(config, 0, forDuration);
  const lag = (value: number): Scenario => ({
    interval: t.step,
    evalTime: t.evalTime,
    labels: svc,
    series: [constant(RUNTIME_METRICS.eventLoopLagP99, svc, value, t.steps)],
  });
  return {
    rule: {
      alert: 'VigilEventLoopLag',
      expr: `${RUNTIME_METRICS.eventLoopLagP99} > ${num(limit)}`,
      for: forDuration,
      labels: { severity },
      annotations: {
        summary: 'Event loop of {{ $labels.instance }} is lagging',
        description: `The 99th percentile of event-loop delay on {{ $labels.instance }} (job {{ $labels.job }}) is above ${num(limit)}s.`,
      },
    },
    fires: lag(limit * 2),
    quiet: lag(limit / 2),
  };
}
