import type { PrometheusClient, PushedFamily, PushGroup } from '../query/index.js';
import {
  TEST_CASE_DURATION_SECONDS,
  TEST_HEAP_GROWTH_BYTES,
  TEST_LATENCY_SECONDS,
  TEST_RUN_DURATION_SECONDS,
  TESTS_TOTAL,
} from '../testing/names.js';
import type { Labels, TestRun } from './api-types.js';

const sum = (family: PushedFamily | undefined, pick: (labels: Labels) => boolean) =>
  (family?.series ?? []).filter((s) => pick(s.labels)).reduce((total, s) => total + (s.value ?? 0), 0);

/** A test run from the group's vigil_test* families (see src/testing/names.ts). */
export function testRunOf(group: PushGroup): TestRun {
  const f = (name: string) => group.families.get(name);
  const tests = f(TESTS_TOTAL);
  const duration = f(TEST_RUN_DURATION_SECONDS)?.series[0]?.value;
  const heap = f(TEST_HEAP_GROWTH_BYTES)?.series;
  const latency = new Map<string, TestRun['latency'][number]>();
  for (const s of f(TEST_LATENCY_SECONDS)?.series ?? []) {
    const operation = s.labels.operation ?? '';
    const q = (k: string) => {
      const v = s.quantiles?.[k];
      return v === undefined || Number.isNaN(v) ? null : v;
    };
    latency.set(operation, { operation, p50: q('0.5'), p95: q('0.95'), p99: q('0.99') });
  }
  return {
    group: group.labels,
    lastPushSeconds: group.lastPushSeconds,
    passed: sum(tests, (l) => l.outcome === 'passed'),
    failed: sum(tests, (l) => l.outcome === 'failed'),
    skipped: sum(tests, (l) => l.outcome === 'skipped' || l.outcome === 'todo'),
    durationSeconds: duration ?? null,
    slowest: (f(TEST_CASE_DURATION_SECONDS)?.series ?? [])
      .map((s) => ({ file: s.labels.file ?? '', test: s.labels.test ?? '', seconds: s.value ?? 0 }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 10),
    latency: [...latency.values()].sort((a, b) => a.operation.localeCompare(b.operation)),
    heapGrowthBytes: heap === undefined || heap.length === 0 ? null : heap.reduce((t, s) => t + (s.sum ?? 0), 0),
    durationTrend: [],
  };
}

const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The run's earlier durations from Prometheus (which scrapes the Pushgateway with honor_labels). */
export async function durationTrend(
  prometheus: PrometheusClient,
  group: Labels,
  signal?: AbortSignal,
): Promise<Array<[number, number]>> {
  const selector = Object.entries(group)
    .map(([k, v]) => `${k}="${escapeValue(v)}"`)
    .join(',');
  // Not rounded down: the newest step must include the newest sample.
  const end = Date.now() / 1000;
  const { data } = await prometheus.queryRange(`max(${TEST_RUN_DURATION_SECONDS}{${selector}})`, {
    start: end - 86_400,
    end,
    step: 60,
    ...(signal ? { signal } : {}),
  });
  if (data.resultType !== 'matrix') return [];
  return (data.result[0]?.values ?? []).map(([t, v]) => [t, Number(v)] as [number, number]);
}
