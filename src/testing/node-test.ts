import { relative, sep } from 'node:path';
import type { TestOutcome } from './names.js';
import { finishRun, type ReporterOptions, startRun } from './report.js';
import { parseDiagnostic } from './samples.js';

/** The fields of node:test's `test:pass` / `test:fail` / `test:diagnostic` events read here. */
interface TestEventData {
  name?: string;
  nesting?: number;
  file?: string;
  skip?: string | boolean;
  todo?: string | boolean;
  message?: string;
  details?: { duration_ms?: number; type?: string };
  /** `test:coverage` (with --experimental-test-coverage). */
  summary?: { totals?: Record<string, number> };
}

interface TestEvent {
  type: string;
  data?: TestEventData;
}

function fileLabel(file: string | undefined): string {
  if (file === undefined) return '';
  const rel = relative(process.cwd(), file);
  return (rel.startsWith('..') ? file : rel).split(sep).join('/');
}

/**
 * Builds a node:test reporter with options (the default export reads the environment only).
 *
 * @example
 * // my-reporter.mjs, then: node --test --test-reporter=./my-reporter.mjs --test-reporter-destination=stdout
 * import { createNodeTestReporter } from 'vigil/testing/node';
 * export default createNodeTestReporter({ job: 'unit', testNameLabel: true });
 */
export function createNodeTestReporter(options: ReporterOptions = {}) {
  return async function* vigilReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string, void> {
    const run = startRun(options);
    // Suites report after their tests: names of the open suites per file and depth, for full test names.
    for await (const event of source) {
      const data = event.data;
      if (data === undefined) continue;
      if (event.type === 'test:pass' || event.type === 'test:fail') {
        // Suites (describe) report too; only tests count. Files run in their own process report
        // as test:complete only, so they never reach this branch.
        if (data.details?.type === 'suite') continue;
        let outcome: TestOutcome;
        if (data.todo !== undefined && data.todo !== false) outcome = 'todo';
        else if (data.skip !== undefined && data.skip !== false) outcome = 'skipped';
        else outcome = event.type === 'test:pass' ? 'passed' : 'failed';
        run.recordTest({
          file: fileLabel(data.file),
          name: data.name ?? '',
          outcome,
          durationMs: data.details?.duration_ms ?? 0,
        });
      } else if (event.type === 'test:coverage' && data.summary?.totals !== undefined) {
        const t = data.summary.totals;
        const pair = (covered: string, total: string) => ({ covered: t[covered] ?? 0, total: t[total] ?? 0 });
        run.recordCoverage({
          lines: pair('coveredLineCount', 'totalLineCount'),
          functions: pair('coveredFunctionCount', 'totalFunctionCount'),
          branches: pair('coveredBranchCount', 'totalBranchCount'),
        });
      } else if (event.type === 'test:diagnostic' && typeof data.message === 'string') {
        const m = parseDiagnostic(data.message);
        if (m) run.recordMeasurements(m);
      }
    }
    const report = await finishRun(run, options);
    const where = report.pushed === true ? ' pushed' : report.file !== undefined ? ` written to ${report.file}` : '';
    if (where !== '') yield `vigil: test metrics${where}\n`;
  };
}

/**
 * node:test reporter: `node --test --test-reporter=vigil/testing/node --test-reporter-destination=stdout`
 * (beside `--test-reporter=spec --test-reporter-destination=stdout`). Configured by the
 * environment: `VIGIL_PUSHGATEWAY_URL`, `VIGIL_PUSH_JOB`, `VIGIL_METRICS_FILE`.
 */
const vigilReporter = createNodeTestReporter();
export default vigilReporter;
