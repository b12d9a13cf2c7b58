import { describe, expect, it } from 'vitest';
import {
  TEST_CASE_DURATION_SECONDS,
  TEST_METRIC_NAMES,
  TESTS_TOTAL,
  TestRunRecorder,
} from '../../../src/testing/index.js';

const metadata = { branch: 'feature/x', commit: 'abc123', workflow: 'ci', runner: 'runner-1' };

function recorder(options: ConstructorParameters<typeof TestRunRecorder>[0] = {}) {
  return new TestRunRecorder({ metadata, warn: () => {}, ...options });
}

/** `name{labels} value` lines of the text exposition, comments left out. */
async function samples(run: TestRunRecorder): Promise<Map<string, number>> {
  const text = await run.finish().metrics();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('TestRunRecorder', () => {
  it('counts outcomes per file, every outcome present from the first test on', async () => {
    const run = recorder();
    run.recordTest({ file: 'a.test.ts', name: 'x', outcome: 'passed', durationMs: 10 });
    run.recordTest({ file: 'a.test.ts', name: 'y', outcome: 'passed', durationMs: 30 });
    run.recordTest({ file: 'a.test.ts', name: 'z', outcome: 'failed', durationMs: 5 });
    run.recordTest({ file: 'b.test.ts', name: 'w', outcome: 'todo', durationMs: 0 });
    run.recordTest({ file: 'b.test.ts', name: 'v', outcome: 'skipped', durationMs: 0 });
    const s = await samples(run);
    expect(s.get('vigil_tests_total{file="a.test.ts",outcome="passed"}')).toBe(2);
    expect(s.get('vigil_tests_total{file="a.test.ts",outcome="failed"}')).toBe(1);
    expect(s.get('vigil_tests_total{file="a.test.ts",outcome="skipped"}')).toBe(0);
    expect(s.get('vigil_tests_total{file="a.test.ts",outcome="todo"}')).toBe(0);
    expect(s.get('vigil_tests_total{file="b.test.ts",outcome="todo"}')).toBe(1);
    expect(s.get('vigil_tests_total{file="b.test.ts",outcome="skipped"}')).toBe(1);
    expect(s.get('vigil_tests_total{file="b.test.ts",outcome="passed"}')).toBe(0);
    expect(s.get('vigil_test_run_success')).toBe(0);
    expect(run.failures).toBe(1);
  });

  it('observes durations in seconds by file and outcome', async () => {
    const run = recorder();
    run.recordTest({ file: 'a.test.ts', name: 'x', outcome: 'passed', durationMs: 10 });
    run.recordTest({ file: 'a.test.ts', name: 'y', outcome: 'passed', durationMs: 300 });
    const s = await samples(run);
    expect(s.get('vigil_test_duration_seconds_sum{file="a.test.ts",outcome="passed"}')).toBeCloseTo(0.31, 12);
    expect(s.get('vigil_test_duration_seconds_count{file="a.test.ts",outcome="passed"}')).toBe(2);
    expect(s.get('vigil_test_duration_seconds_bucket{file="a.test.ts",outcome="passed",le="0.01"}')).toBe(1);
    expect(s.get('vigil_test_duration_seconds_bucket{file="a.test.ts",outcome="passed",le="0.25"}')).toBe(1);
    expect(s.get('vigil_test_duration_seconds_bucket{file="a.test.ts",outcome="passed",le="0.5"}')).toBe(2);
    expect(s.get('vigil_test_run_success')).toBe(1);
  });

  it('counts retries and flaky tests, zero for files without any', async () => {
    const run = recorder();
    run.recordTest({ file: 'a.test.ts', name: 'x', outcome: 'passed', durationMs: 1, retries: 2, flaky: true });
    run.recordTest({ file: 'a.test.ts', name: 'y', outcome: 'failed', durationMs: 1, retries: 3 });
    run.recordTest({ file: 'b.test.ts', name: 'z', outcome: 'passed', durationMs: 1 });
    const s = await samples(run);
    expect(s.get('vigil_test_retries_total{file="a.test.ts"}')).toBe(5);
    expect(s.get('vigil_tests_flaky_total{file="a.test.ts"}')).toBe(1);
    expect(s.get('vigil_test_retries_total{file="b.test.ts"}')).toBe(0);
    expect(s.get('vigil_tests_flaky_total{file="b.test.ts"}')).toBe(0);
  });

  it('records heap growth only where the runner reported it', async () => {
    const run = recorder();
    run.recordTest({ file: 'a.test.ts', name: 'x', outcome: 'passed', durationMs: 1, heapDeltaBytes: 100_000 });
    run.recordTest({ file: 'a.test.ts', name: 'y', outcome: 'passed', durationMs: 1 });
    const s = await samples(run);
    expect(s.get('vigil_test_heap_growth_bytes_count{file="a.test.ts"}')).toBe(1);
    expect(s.get('vigil_test_heap_growth_bytes_sum{file="a.test.ts"}')).toBe(100_000);
    expect(s.get('vigil_test_heap_growth_bytes_bucket{file="a.test.ts",le="65536"}')).toBe(0);
    expect(s.get('vigil_test_heap_growth_bytes_bucket{file="a.test.ts",le="262144"}')).toBe(1);
  });

  it('writes run info, run duration and the end timestamp', async () => {
    const run = recorder();
    const before = Date.now() / 1000;
    const s = await samples(run);
    expect(s.get('vigil_test_run_info{branch="feature/x",commit="abc123",workflow="ci",runner="runner-1"}')).toBe(1);
    expect(s.get('vigil_test_run_duration_seconds')).toBeGreaterThanOrEqual(0);
    expect(s.get('vigil_test_run_duration_seconds')).toBeLessThan(60);
    expect(s.get('vigil_test_run_last_timestamp_seconds')).toBeGreaterThanOrEqual(Math.floor(before));
  });

  it('keeps test names out of labels unless testNameLabel is set', async () => {
    const plain = recorder();
    plain.recordTest({ file: 'a.test.ts', name: 'suite > case', outcome: 'passed', durationMs: 7 });
    const text = await plain.finish().metrics();
    expect(text).not.toContain('suite > case');
    expect(text).not.toContain(TEST_CASE_DURATION_SECONDS);

    const named = recorder({ testNameLabel: true });
    named.recordTest({ file: 'a.test.ts', name: 'suite > case', outcome: 'passed', durationMs: 7 });
    const s = await samples(named);
    expect(s.get('vigil_test_case_duration_seconds{file="a.test.ts",test="suite > case",outcome="passed"}')).toBe(
      0.007,
    );
  });

  it('bounds the per-test series with maxTestSeries', async () => {
    const warn = process.emitWarning;
    process.emitWarning = () => {};
    try {
      const run = recorder({ testNameLabel: true, maxTestSeries: 3 });
      for (let i = 0; i < 10; i++) run.recordTest({ file: 'a.ts', name: `t${i}`, outcome: 'passed', durationMs: i });
      const text = await run.finish().metrics();
      const series = text.split('\n').filter((l) => l.startsWith(`${TEST_CASE_DURATION_SECONDS}{`));
      expect(series).toHaveLength(4); // three tests and the overflow series
      expect(text).toContain('test="__overflow__"');
    } finally {
      process.emitWarning = warn;
    }
  });

  it('exports exact nearest-rank latency quantiles, the mean, sum and count', async () => {
    const run = recorder();
    const samplesMs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    run.recordMeasurements({ latency: { 'db.query': samplesMs.slice(0, 50) } });
    run.recordMeasurements({ latency: { 'db.query': samplesMs.slice(50), cache: [4, 8] } });
    const s = await samples(run);
    expect(s.get('vigil_test_latency_seconds{operation="db.query",quantile="0.5"}')).toBe(0.05);
    expect(s.get('vigil_test_latency_seconds{operation="db.query",quantile="0.95"}')).toBe(0.095);
    expect(s.get('vigil_test_latency_seconds{operation="db.query",quantile="0.99"}')).toBe(0.099);
    expect(s.get('vigil_test_latency_seconds_sum{operation="db.query"}')).toBe(5.05);
    expect(s.get('vigil_test_latency_seconds_count{operation="db.query"}')).toBe(100);
    expect(s.get('vigil_test_latency_mean_seconds{operation="db.query"}')).toBe(0.0505);
    expect(s.get('vigil_test_latency_seconds{operation="cache",quantile="0.5"}')).toBe(0.004);
    expect(s.get('vigil_test_latency_seconds{operation="cache",quantile="0.99"}')).toBe(0.008);
    expect(s.get('vigil_test_latency_mean_seconds{operation="cache"}')).toBe(0.006);
  });

  it('exports the mean throughput and the last recorded values', async () => {
    const run = recorder();
    run.recordMeasurements({
      throughput: { ingest: [1000, 3000] },
      values: [
        { name: 'hit_ratio', value: 0.5, labels: { cache: 'lru' } },
        { name: 'hit_ratio', value: 0.75, labels: { cache: 'lru' } },
        { name: 'hit_ratio', value: 0.1, labels: { cache: 'arc' } },
        { name: 'rows', value: 12 },
      ],
    });
    const s = await samples(run);
    expect(s.get('vigil_test_throughput_ops_per_second{operation="ingest"}')).toBe(2000);
    expect(s.get('vigil_test_value{name="hit_ratio",cache="lru"}')).toBe(0.75);
    expect(s.get('vigil_test_value{name="hit_ratio",cache="arc"}')).toBe(0.1);
    expect(s.get('vigil_test_value{name="rows"}')).toBe(12);
  });

  it('bounds operations and drops invalid value labels, with one warning each', async () => {
    const warnings: string[] = [];
    const run = recorder({ maxOperations: 2, warn: (m) => warnings.push(m) });
    run.recordMeasurements({ latency: { a: [1], b: [1], c: [1], d: [1] } });
    run.recordMeasurements({ values: [{ name: 'v', value: 1, labels: { 'bad-name': 'x', job: 'y', ok: 'z' } }] });
    const text = await run.finish().metrics();
    expect(text).toContain('operation="a"');
    expect(text).toContain('operation="b"');
    expect(text).not.toContain('operation="c"');
    expect(text).toContain('vigil_test_value{name="v",ok="z"} 1');
    expect(warnings.filter((w) => w.includes('distinct operations'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('label'))).toHaveLength(2);
  });

  it('uses a fresh registry per run and finishes once', async () => {
    const a = recorder();
    const b = recorder();
    a.recordTest({ file: 'a.ts', name: 'x', outcome: 'passed', durationMs: 1 });
    expect(a.registry).not.toBe(b.registry);
    expect(a.finish()).toBe(a.finish());
    expect(await b.finish().metrics()).not.toContain('a.ts');
  });

  it('exports every metric name as a constant', () => {
    expect(TEST_METRIC_NAMES).toContain(TESTS_TOTAL);
    expect(new Set(TEST_METRIC_NAMES).size).toBe(TEST_METRIC_NAMES.length);
    for (const name of TEST_METRIC_NAMES) expect(name).toMatch(/^vigil_tests?_[a-z_]+$/);
  });
});
