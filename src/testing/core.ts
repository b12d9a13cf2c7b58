import { exponentialBuckets } from '../metrics/buckets.js';
import type { Counter } from '../metrics/counter.js';
import type { Family, GaugeFamily, SummaryFamily } from '../metrics/family.js';
import { renderLabels } from '../metrics/family.js';
import type { Gauge } from '../metrics/gauge.js';
import type { Histogram } from '../metrics/histogram.js';
import { Registry } from '../metrics/registry.js';
import { ciMetadata, type RunMetadata } from './ci.js';
import {
  TEST_CASE_DURATION_SECONDS,
  TEST_COVERAGE_RATIO,
  TEST_DURATION_SECONDS,
  TEST_HEAP_GROWTH_BYTES,
  TEST_LATENCY_MEAN_SECONDS,
  TEST_LATENCY_SECONDS,
  TEST_OUTCOMES,
  TEST_RETRIES_TOTAL,
  TEST_RUN_DURATION_SECONDS,
  TEST_RUN_INFO,
  TEST_RUN_SUCCESS,
  TEST_RUN_TIMESTAMP_SECONDS,
  TEST_THROUGHPUT_OPS_PER_SECOND,
  TEST_VALUE,
  TESTS_FLAKY_TOTAL,
  TESTS_TOTAL,
  type TestOutcome,
} from './names.js';
import { LATENCY_QUANTILES, type Measurements, nearestRank } from './samples.js';

/** Test durations, in seconds: 5 ms to 2 minutes. */
export const TEST_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
]);
/** Heap growth per test, in bytes: 64 KiB to 1 GiB. */
export const HEAP_GROWTH_BUCKETS: readonly number[] = Object.freeze(exponentialBuckets(65_536, 4, 8));

export interface RecorderOptions {
  /** Add `vigil_test_case_duration_seconds{file,test,outcome}`, one series per test. Default false. */
  testNameLabel?: boolean;
  /** Most series of the per-test gauge; more fold into one overflow series. Default 2 000. */
  maxTestSeries?: number;
  /** Most distinct latency/throughput operations and value names; more are dropped with a warning. Default 100. */
  maxOperations?: number;
  /** Upper bounds of the duration histogram, seconds. Default `TEST_DURATION_BUCKETS`. */
  durationBuckets?: readonly number[];
  /** CI metadata; default `ciMetadata()` (environment, else git). */
  metadata?: Partial<RunMetadata>;
  /** Where warnings go; default stderr. */
  warn?: (message: string) => void;
  /** When the run started, on the `performance.now()` clock; default: now. JUnit ingestion passes 0 and `finish(totalMs)`. */
  startedAt?: number;
}

/** One finished test, as a reporter saw it. */
export interface TestRecord {
  /** Path relative to the project root, `/`-separated: the `file` label. */
  file: string;
  /** Full name (suites included); used only with `testNameLabel`. */
  name: string;
  outcome: TestOutcome;
  durationMs: number;
  /** Retries spent (0 when the runner has none). */
  retries?: number;
  /** Passed after failing at least once. */
  flaky?: boolean;
  /** Heap used after the test minus before it, when the runner reports heap use. */
  heapDeltaBytes?: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels of `vigil_test_value` that a value's own labels may not take. */
const RESERVED_VALUE_LABELS = new Set(['name', 'job', 'instance', 'branch', 'runner', 'le', 'quantile']);

/**
 * Collects one test run into a fresh registry: outcomes, durations, retries, heap growth,
 * run info and what the tests recorded about themselves. Runner-independent: the Vitest
 * and node:test reporters translate their events into `recordTest` and `recordMeasurements`.
 *
 * @example
 * const run = new TestRunRecorder();
 * run.recordTest({ file: 'test/a.test.ts', name: 'adds', outcome: 'passed', durationMs: 12 });
 * run.recordMeasurements({ latency: { 'db.query': [3, 4, 9] } });
 * const registry = run.finish();
 */
export type CoverageKind = 'lines' | 'statements' | 'functions' | 'branches';

export class TestRunRecorder {
  readonly registry = new Registry();
  readonly metadata: RunMetadata;
  private readonly startedAt: number;
  private readonly tests: Counter<['file', 'outcome']>;
  private readonly durations: Histogram<['file', 'outcome']>;
  private readonly retries: Counter<['file']>;
  private readonly flaky: Counter<['file']>;
  private readonly heap: Histogram<['file']>;
  private readonly caseDuration: Gauge<['file', 'test', 'outcome']> | null;
  private readonly files = new Set<string>();
  private readonly latency = new Map<string, number[]>();
  private readonly throughput = new Map<string, number[]>();
  private readonly values = new Map<string, { name: string; labels: Record<string, string>; value: number }>();
  private readonly maxOperations: number;
  private readonly warn: (message: string) => void;
  private readonly warned = new Set<string>();
  private failed = 0;
  private finished = false;

  constructor(options: RecorderOptions = {}) {
    const detected = options.metadata && isComplete(options.metadata) ? undefined : ciMetadata();
    this.metadata = { ...(detected as RunMetadata), ...stripUndefined(options.metadata ?? {}) } as RunMetadata;
    this.startedAt = options.startedAt ?? performance.now();
    this.maxOperations = options.maxOperations ?? 100;
    this.warn = options.warn ?? ((message) => process.stderr.write(`${message}\n`));
    const r = this.registry;
    this.tests = r.counter({
      name: TESTS_TOTAL,
      help: 'Tests by file and outcome (passed, failed, skipped, todo).',
      labelNames: ['file', 'outcome'] as const,
    });
    this.durations = r.histogram({
      name: TEST_DURATION_SECONDS,
      help: 'Test durations by file and outcome.',
      labelNames: ['file', 'outcome'] as const,
      buckets: options.durationBuckets ?? TEST_DURATION_BUCKETS,
    });
    this.retries = r.counter({
      name: TEST_RETRIES_TOTAL,
      help: 'Retries spent, by file.',
      labelNames: ['file'] as const,
    });
    this.flaky = r.counter({
      name: TESTS_FLAKY_TOTAL,
      help: 'Tests that passed only after a retry, by file.',
      labelNames: ['file'] as const,
    });
    this.heap = r.histogram({
      name: TEST_HEAP_GROWTH_BYTES,
      help: 'Heap growth per test in bytes, where the runner reports heap use.',
      labelNames: ['file'] as const,
      buckets: HEAP_GROWTH_BUCKETS,
    });
    this.caseDuration =
      options.testNameLabel === true
        ? r.gauge({
            name: TEST_CASE_DURATION_SECONDS,
            help: 'Duration of one test (testNameLabel: true).',
            labelNames: ['file', 'test', 'outcome'] as const,
            maxSeries: options.maxTestSeries ?? 2_000,
          })
        : null;
  }

  /** Counts one finished test. */
  recordTest(test: TestRecord): void {
    const { file, outcome } = test;
    this.touchFile(file);
    this.tests.inc({ file, outcome });
    const seconds = Math.max(0, test.durationMs) / 1000;
    this.durations.observe({ file, outcome }, seconds);
    if (test.retries !== undefined && test.retries > 0) this.retries.inc({ file }, test.retries);
    if (test.flaky === true) this.flaky.inc({ file });
    if (test.heapDeltaBytes !== undefined && Number.isFinite(test.heapDeltaBytes)) {
      this.heap.observe({ file }, test.heapDeltaBytes);
    }
    if (outcome === 'failed') this.failed++;
    this.caseDuration?.set({ file, test: test.name, outcome }, seconds);
  }

  /** Adds what a test recorded about itself (see `testMetrics`). */
  recordMeasurements(m: Measurements): void {
    for (const [op, samples] of Object.entries(m.latency ?? {})) this.append(this.latency, op, samples);
    for (const [op, samples] of Object.entries(m.throughput ?? {})) this.append(this.throughput, op, samples);
    for (const v of m.values ?? []) this.recordValue(v.name, v.value, v.labels ?? {});
  }

  /** How many tests failed so far. */
  get failures(): number {
    return this.failed;
  }

  /**
   * Ends the run: sets run duration, end time, success and info, and adds the in-test
   * measurements. Returns the registry (idempotent; later records still count).
   */
  /**
   * Records the run's code coverage: for each kind, covered and total counts as the
   * runner reports them (a kind with nothing to cover is left out).
   */
  recordCoverage(coverage: Partial<Record<CoverageKind, { covered: number; total: number }>>): void {
    const ratio = this.registry.gauge({
      name: TEST_COVERAGE_RATIO,
      help: 'Code covered by the run: covered / total, by kind (lines, statements, functions, branches).',
      labelNames: ['kind'],
    });
    for (const [kind, counts] of Object.entries(coverage)) {
      if (counts !== undefined && counts.total > 0) ratio.set({ kind }, counts.covered / counts.total);
    }
  }

  finish(endedAt = performance.now()): Registry {
    if (this.finished) return this.registry;
    this.finished = true;
    const r = this.registry;
    r.gauge({ name: TEST_RUN_DURATION_SECONDS, help: 'Wall time of the test run.' }).set(
      Math.max(0, endedAt - this.startedAt) / 1000,
    );
    r.gauge({ name: TEST_RUN_TIMESTAMP_SECONDS, help: 'When the test run ended, seconds since the epoch.' }).set(
      Date.now() / 1000,
    );
    r.gauge({ name: TEST_RUN_SUCCESS, help: '1 when no test of the run failed, else 0.' }).set(
      this.failed === 0 ? 1 : 0,
    );
    r.gauge({
      name: TEST_RUN_INFO,
      help: 'Where the test run happened; always 1.',
      labelNames: ['branch', 'commit', 'workflow', 'runner'] as const,
    }).set(
      {
        branch: this.metadata.branch,
        commit: this.metadata.commit,
        workflow: this.metadata.workflow,
        runner: this.metadata.runner,
      },
      1,
    );
    r.registerCollector('vigil_test_measurements', { collect: () => this.measurementFamilies() });
    return r;
  }

  private touchFile(file: string): void {
    if (this.files.has(file)) return;
    this.files.add(file);
    // Every outcome of a file exists from its first test on, so `{outcome="failed"}` is 0, not absent.
    for (const outcome of TEST_OUTCOMES) this.tests.inc({ file, outcome }, 0);
    this.retries.inc({ file }, 0);
    this.flaky.inc({ file }, 0);
  }

  private admit(map: Map<string, unknown>, key: string, what: string): boolean {
    if (map.has(key) || map.size < this.maxOperations) return true;
    if (!this.warned.has(what)) {
      this.warned.add(what);
      this.warn(
        `vigil: more than ${this.maxOperations} distinct ${what}; "${key}" and later ones are dropped. Bound them, or raise maxOperations.`,
      );
    }
    return false;
  }

  private append(map: Map<string, number[]>, op: string, samples: readonly number[]): void {
    if (!this.admit(map, op, 'operations')) return;
    let list = map.get(op);
    if (list === undefined) {
      list = [];
      map.set(op, list);
    }
    for (const s of samples) if (typeof s === 'number' && Number.isFinite(s)) list.push(s);
  }

  private recordValue(name: string, value: number, labels: Readonly<Record<string, string>>): void {
    const clean: Record<string, string> = {};
    for (const key of Object.keys(labels).sort()) {
      if (!LABEL_NAME.test(key) || key.startsWith('__') || RESERVED_VALUE_LABELS.has(key)) {
        this.warn(`vigil: recordValue("${name}") label "${key}" is not a valid or free label name; it is dropped.`);
        continue;
      }
      clean[key] = String(labels[key]);
    }
    const key = JSON.stringify([name, clean]);
    if (!this.admit(this.values, key, 'recorded values')) return;
    this.values.set(key, { name, labels: clean, value });
  }

  private measurementFamilies(): Family[] {
    const out: Family[] = [];
    if (this.latency.size > 0) {
      const summary: SummaryFamily = {
        name: TEST_LATENCY_SECONDS,
        help: 'In-test latencies (recordLatency): exact nearest-rank quantiles over every sample of the run.',
        type: 'summary',
        unit: '',
        labelNames: ['operation'],
        percentiles: LATENCY_QUANTILES,
        series: [...this.latency].map(([operation, ms]) => {
          const sorted = ms.map((v) => v / 1000).sort((a, b) => a - b);
          return {
            labelText: renderLabels({ operation }),
            quantiles: LATENCY_QUANTILES.map((q) => nearestRank(sorted, q)),
            // Summed in milliseconds, then scaled once: 1..100 ms sums to exactly 5.05 s.
            sum: ms.reduce((a, b) => a + b, 0) / 1000,
            count: sorted.length,
          };
        }),
      };
      const mean: GaugeFamily = {
        name: TEST_LATENCY_MEAN_SECONDS,
        help: 'Mean of the in-test latencies (recordLatency).',
        type: 'gauge',
        unit: '',
        labelNames: ['operation'],
        series: [...this.latency].map(([operation, ms]) => ({
          labelText: renderLabels({ operation }),
          value: ms.length === 0 ? Number.NaN : ms.reduce((a, b) => a + b, 0) / ms.length / 1000,
        })),
      };
      out.push(summary, mean);
    }
    if (this.throughput.size > 0) {
      out.push({
        name: TEST_THROUGHPUT_OPS_PER_SECOND,
        help: 'Mean of the throughputs recorded in tests (recordThroughput), operations per second.',
        type: 'gauge',
        unit: '',
        labelNames: ['operation'],
        series: [...this.throughput].map(([operation, list]) => ({
          labelText: renderLabels({ operation }),
          value: list.length === 0 ? Number.NaN : list.reduce((a, b) => a + b, 0) / list.length,
        })),
      });
    }
    if (this.values.size > 0) {
      const labelNames = new Set<string>(['name']);
      for (const v of this.values.values()) for (const k of Object.keys(v.labels)) labelNames.add(k);
      out.push({
        name: TEST_VALUE,
        help: 'Values recorded in tests (recordValue); the last one per name and labels.',
        type: 'gauge',
        unit: '',
        labelNames: [...labelNames],
        series: [...this.values.values()].map((v) => ({
          labelText: renderLabels({ name: v.name, ...v.labels }),
          value: v.value,
        })),
      });
    }
    return out;
  }
}

function isComplete(m: Partial<RunMetadata>): boolean {
  return m.branch !== undefined && m.commit !== undefined && m.workflow !== undefined && m.runner !== undefined;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
