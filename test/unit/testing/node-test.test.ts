import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNodeTestReporter } from '../../../src/testing/node-test.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-node-reporter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Hermetic: the run executing this test may itself be configured by VIGIL_* (dogfood).
beforeEach(() => {
  for (const key of ['VIGIL_PUSHGATEWAY_URL', 'VIGIL_PUSH_JOB', 'VIGIL_METRICS_FILE']) vi.stubEnv(key, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const file = join(process.cwd(), 'test/a.test.mjs');
const metadata = { branch: 'main', commit: 'c', workflow: 'w', runner: 'r' };

async function* events() {
  const at = { file, line: 1, column: 1 };
  yield { type: 'test:start', data: { name: 'p', nesting: 1, ...at } };
  yield { type: 'test:pass', data: { name: 'p', nesting: 1, details: { duration_ms: 20 }, ...at } };
  yield { type: 'test:diagnostic', data: { nesting: 1, message: 'vigil:{"latency":{"op":[1,2,3]}}', ...at } };
  yield {
    type: 'test:fail',
    data: { name: 'f', nesting: 1, details: { duration_ms: 5, error: new Error('x') }, ...at },
  };
  yield { type: 'test:pass', data: { name: 's', nesting: 1, skip: true, details: { duration_ms: 0 }, ...at } };
  yield { type: 'test:pass', data: { name: 't', nesting: 1, todo: 'later', details: { duration_ms: 0 }, ...at } };
  // A failing todo test does not fail the run: still `todo`.
  yield { type: 'test:fail', data: { name: 't2', nesting: 1, todo: true, details: { duration_ms: 1 }, ...at } };
  yield { type: 'test:fail', data: { name: 'suite', nesting: 0, details: { duration_ms: 30, type: 'suite' }, ...at } };
  yield {
    type: 'test:complete',
    data: { name: file, nesting: 0, details: { duration_ms: 200, passed: false }, ...at },
  };
  yield { type: 'test:diagnostic', data: { nesting: 0, message: 'tests 5' } };
}

describe('node:test reporter', () => {
  it('counts tests (not suites, not files), reads vigil: diagnostics, writes the file', async () => {
    const metricsFile = join(dir, 'm.prom');
    const reporter = createNodeTestReporter({ metricsFile, metadata });
    const out: string[] = [];
    for await (const line of reporter(events())) out.push(line);
    expect(out).toEqual([`vigil: test metrics written to ${metricsFile}\n`]);
    const text = readFileSync(metricsFile, 'utf8');
    expect(text).toContain('vigil_tests_total{file="test/a.test.mjs",outcome="passed"} 1');
    expect(text).toContain('vigil_tests_total{file="test/a.test.mjs",outcome="failed"} 1');
    expect(text).toContain('vigil_tests_total{file="test/a.test.mjs",outcome="skipped"} 1');
    expect(text).toContain('vigil_tests_total{file="test/a.test.mjs",outcome="todo"} 2');
    expect(text).toContain('vigil_test_duration_seconds_sum{file="test/a.test.mjs",outcome="passed"} 0.02');
    expect(text).toContain('vigil_test_latency_seconds{operation="op",quantile="0.5"} 0.002');
    expect(text).toContain('vigil_test_run_success 0');
  });
});
