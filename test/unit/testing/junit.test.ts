import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TestRunRecorder } from '../../../src/testing/core.js';
import type { TestRecord } from '../../../src/testing/index.js';
import { parseJUnit, recordJUnit } from '../../../src/testing/junit.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/junit/${name}`, import.meta.url), 'utf8');
}

/** `file` → outcome → count. */
function counts(tests: readonly TestRecord[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const t of tests) {
    const byOutcome = out[t.file] ?? {};
    out[t.file] = byOutcome;
    byOutcome[t.outcome] = (byOutcome[t.outcome] ?? 0) + 1;
  }
  return out;
}

describe('parseJUnit', () => {
  it('reads pytest reports: failure and error fail, skip and xfail skip', () => {
    const report = parseJUnit(fixture('pytest.xml'));
    expect(counts(report.tests)).toEqual({ pytest: { passed: 2, failed: 2, skipped: 2 } });
    expect(report.durationMs).toBeCloseTo(1250, 6);
    const div = report.tests.find((t) => t.name === 'tests.test_math test_div');
    expect(div).toMatchObject({ outcome: 'failed' });
    expect(div?.durationMs).toBeCloseTo(20, 6);
  });

  it('reads jest-junit reports: one file per suite, run time from <testsuites time>', () => {
    const report = parseJUnit(fixture('jest.xml'));
    expect(counts(report.tests)).toEqual({
      'src/sum.test.js': { passed: 1, failed: 1, skipped: 1 },
      'src/util/format.test.js': { passed: 2 },
    });
    expect(report.durationMs).toBeCloseTo(2500, 6);
  });

  it('reads go-junit-report reports: the package is the file, properties are ignored', () => {
    const report = parseJUnit(fixture('go.xml'));
    expect(counts(report.tests)).toEqual({
      'example.com/app/store': { passed: 1, failed: 1, skipped: 1 },
      'example.com/app/api': { passed: 1 },
    });
    // No <testsuites time>: the suites' times add up.
    expect(report.durationMs).toBeCloseTo(55, 6);
    expect(report.tests.map((t) => t.name)).toContain('example.com/app/api TestRoute/GET_/users');
  });

  it('reads Surefire reports: bare <testsuite>, comma thousands, errors, flaky and rerun failures', () => {
    const report = parseJUnit(fixture('surefire.xml'));
    expect(counts(report.tests)).toEqual({ 'com.example.CartTest': { passed: 2, failed: 2, skipped: 1 } });
    expect(report.durationMs).toBeCloseTo(1_234_500, 6);
    const byName = new Map(report.tests.map((t) => [t.name.split(' ')[1], t]));
    expect(byName.get('removesItem')).toMatchObject({ outcome: 'passed', retries: 1, flaky: true });
    expect(byName.get('totals')).toMatchObject({ outcome: 'failed', retries: 1 });
    expect(byName.get('totals')?.flaky).toBeUndefined();
    expect(byName.get('checkout')).toMatchObject({ outcome: 'failed', durationMs: 1_200_000 });
  });

  it('takes the file from a testcase or testsuite file attribute, and from nested suites', () => {
    const report = parseJUnit(
      `<testsuites><testsuite name="outer" file="a.py"><testcase name="x" time="0.5"/><testcase name="y" file="b.py"/>
        <testsuite name="inner"><testcase/></testsuite></testsuite></testsuites>`,
    );
    expect(report.tests.map((t) => [t.file, t.name, t.outcome, t.durationMs])).toEqual([
      ['a.py', 'x', 'passed', 500],
      ['b.py', 'y', 'passed', 0],
      ['inner', '', 'passed', 0],
    ]);
  });

  it('accepts an empty report', () => {
    expect(parseJUnit('<?xml version="1.0"?><testsuites/>')).toEqual({ tests: [], durationMs: 0 });
  });

  it('names the line of malformed XML', () => {
    expect(() => parseJUnit('<testsuites>\n<testsuite name="a">\n<testcase name="x">\n</testsuites>')).toThrow(
      /VIGIL_ERR_JUNIT: the report is not well-formed XML: .*line \d+/,
    );
  });

  it('refuses XML that is not a JUnit report', () => {
    expect(() => parseJUnit('<?xml version="1.0"?><html><body/></html>')).toThrow(
      'VIGIL_ERR_JUNIT: expected <testsuites> or <testsuite> at the root, found <html>.',
    );
  });
});

describe('recordJUnit', () => {
  it('records the reporters’ metrics, with the report’s run time', async () => {
    const report = parseJUnit(fixture('go.xml'));
    const run = new TestRunRecorder({
      startedAt: 0,
      metadata: { branch: 'main', commit: 'abc', workflow: 'ci', runner: 'r1' },
    });
    recordJUnit(run, report);
    const text = await run.finish(report.durationMs).metrics('text');
    expect(text).toContain('vigil_tests_total{file="example.com/app/store",outcome="failed"} 1');
    expect(text).toContain('vigil_tests_total{file="example.com/app/api",outcome="passed"} 1');
    expect(text).toContain('vigil_test_duration_seconds_count{file="example.com/app/store",outcome="passed"} 1');
    expect(text).toContain('vigil_test_run_success 0');
    expect(text).toMatch(/\nvigil_test_run_duration_seconds 0\.055\d*\n/);
  });
});
