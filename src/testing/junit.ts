import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { VigilError } from '../metrics/errors.js';
import type { TestRecord, TestRunRecorder } from './core.js';

/**
 * JUnit XML ingestion: the reports pytest (`--junitxml`), jest-junit, go-junit-report and
 * Maven Surefire (`TEST-*.xml`) write, turned into the recorder's `TestRecord`s so a
 * non-JS suite gets the same metrics (and dashboards) as the Vitest and node:test reporters.
 */

/** A parsed report: its tests and the run's wall time. */
export interface JUnitReport {
  tests: TestRecord[];
  /** `<testsuites time>` when present, else the sum of the top-level suites' (or tests') times, in ms. */
  durationMs: number;
}

type Node = Record<string, unknown>;

// Elements that may repeat are always arrays, so one test and many look the same.
const REPEATED = new Set([
  'testsuites',
  'testsuite',
  'testcase',
  'failure',
  'error',
  'skipped',
  'flakyFailure',
  'flakyError',
  'rerunFailure',
  'rerunError',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => REPEATED.has(name),
});

function fail(message: string): VigilError {
  return new VigilError('VIGIL_ERR_JUNIT', message);
}

/** Seconds as JUnit writes them (Surefire may write `1,234.5`); missing or invalid is 0. */
function seconds(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value.replaceAll(',', ''));
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function list(value: unknown): Node[] {
  if (!Array.isArray(value)) return [];
  // `<testcase/>` parses to '' (no attributes, no children): still one test.
  return value.map((v) => (v !== null && typeof v === 'object' ? (v as Node) : {}));
}

function attr(node: Node, name: string): string | undefined {
  const v = node[`@${name}`];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function caseRecord(tc: Node, file: string): TestRecord {
  const name = [attr(tc, 'classname'), attr(tc, 'name')].filter((s) => s !== undefined).join(' ');
  const failed = tc.failure !== undefined || tc.error !== undefined;
  const outcome = failed ? 'failed' : tc.skipped !== undefined ? 'skipped' : 'passed';
  // Surefire's rerunFailingTestsCount: flaky* on a test that passed in the end, rerun* on one that did not.
  const flakyRuns = list(tc.flakyFailure).length + list(tc.flakyError).length;
  const rerunRuns = list(tc.rerunFailure).length + list(tc.rerunError).length;
  const record: TestRecord = {
    file: attr(tc, 'file') ?? file,
    name,
    outcome,
    durationMs: (seconds(tc['@time']) ?? 0) * 1000,
  };
  if (flakyRuns + rerunRuns > 0) record.retries = flakyRuns + rerunRuns;
  if (flakyRuns > 0 && !failed) record.flaky = true;
  return record;
}

/** Suites may nest (JUnit 5, some mocha reporters); a test's file is its innermost suite's. */
function walkSuite(suite: Node, out: TestRecord[], parentFile: string): number {
  const file = attr(suite, 'file') ?? attr(suite, 'name') ?? parentFile;
  let caseMs = 0;
  for (const tc of list(suite.testcase)) {
    const record = caseRecord(tc, file);
    caseMs += record.durationMs;
    out.push(record);
  }
  for (const inner of list(suite.testsuite)) caseMs += walkSuite(inner, out, file);
  const own = seconds(suite['@time']);
  return own === undefined ? caseMs : own * 1000;
}

/**
 * Parses one JUnit XML report. The `file` label of a test is its `file` attribute, else its
 * suite's `file`, else its suite's `name` (pytest: `pytest` unless `junit_suite_name` is
 * set; Go: the package; Surefire: the class). `<failure>` and `<error>` count as failed,
 * `<skipped>` as skipped, anything else as passed. Throws `VIGIL_ERR_JUNIT` with the line
 * and column when the XML is not well formed.
 *
 * @example
 * const report = parseJUnit(readFileSync('report.xml', 'utf8'));
 * const run = new TestRunRecorder({ startedAt: 0 });
 * recordJUnit(run, report);
 */
export function parseJUnit(xml: string): JUnitReport {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw fail(
      `the report is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).`,
    );
  }
  const doc = parser.parse(xml) as Node;
  const roots = list(doc.testsuites);
  const bare = list(doc.testsuite);
  if (roots.length === 0 && bare.length === 0) {
    const found = Object.keys(doc).filter((k) => !k.startsWith('?'));
    throw fail(
      `expected <testsuites> or <testsuite> at the root, found ${found.length === 0 ? 'nothing' : `<${found.join('>, <')}>`}.`,
    );
  }
  const tests: TestRecord[] = [];
  let durationMs = 0;
  for (const root of roots) {
    let suitesMs = 0;
    for (const suite of list(root.testsuite)) suitesMs += walkSuite(suite, tests, 'unknown');
    const own = seconds(root['@time']);
    durationMs += own === undefined ? suitesMs : own * 1000;
  }
  for (const suite of bare) durationMs += walkSuite(suite, tests, 'unknown');
  return { tests, durationMs };
}

/** Records a parsed report into a recorder (create it with `startedAt: 0`, then `finish(report.durationMs)`). */
export function recordJUnit(recorder: TestRunRecorder, report: JUnitReport): void {
  for (const test of report.tests) recorder.recordTest(test);
}
