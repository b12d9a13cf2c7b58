import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import { META_KEY } from './api.js';
import type { TestRunRecorder } from './core.js';
import type { TestOutcome } from './names.js';
import { finishRun, type ReporterOptions, type RunReport, startRun } from './report.js';
import { toMeasurements } from './samples.js';

/**
 * A Vitest 4 reporter that turns the run into Prometheus metrics and pushes them once at
 * the end (see docs/testing.md). Heap growth needs Vitest's `logHeapUsage: true`.
 *
 * @example
 * // vitest.config.ts
 * import VigilReporter from 'vigil/testing/vitest';
 * export default defineConfig({ test: { reporters: ['default', new VigilReporter({ job: 'unit' })] } });
 * // or by name: reporters: ['default', 'vigil/testing/vitest']
 */
export default class VigilReporter implements Reporter {
  private run: TestRunRecorder | undefined;
  private root = process.cwd();
  private coverage: Parameters<TestRunRecorder['recordCoverage']>[0] | undefined;
  /** The last run's result, for tools that drive Vitest programmatically. */
  lastReport: RunReport | undefined;

  constructor(private readonly options: ReporterOptions = {}) {}

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
    this.run = startRun(this.options);
  }

  onTestRunStart(): void {
    // Watch mode starts several runs: each one is a fresh registry.
    this.run = startRun(this.options);
  }

  /** Called before onTestRunEnd when coverage is enabled; the map is istanbul's. */
  onCoverage(coverage: unknown): void {
    this.coverage = istanbulTotals(coverage);
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const run = this.run ?? startRun(this.options);
    if (this.coverage !== undefined) run.recordCoverage(this.coverage);
    this.coverage = undefined;
    for (const module of testModules) {
      const file = relativeFile(this.root, module.moduleId);
      let previousHeap: number | undefined;
      for (const test of module.children.allTests()) {
        const heap = test.diagnostic()?.heap;
        recordCase(run, file, test, heap !== undefined && previousHeap !== undefined ? heap - previousHeap : undefined);
        if (heap !== undefined) previousHeap = heap;
      }
    }
    this.lastReport = await finishRun(run, this.options);
    this.run = undefined;
  }
}

function recordCase(run: TestRunRecorder, file: string, test: TestCase, heapDeltaBytes: number | undefined): void {
  const result = test.result();
  const diagnostic = test.diagnostic();
  let outcome: TestOutcome;
  if (result.state === 'passed' || result.state === 'failed') outcome = result.state;
  else outcome = test.options.mode === 'todo' ? 'todo' : 'skipped';
  run.recordTest({
    file,
    name: test.fullName,
    outcome,
    durationMs: diagnostic?.duration ?? 0,
    retries: diagnostic?.retryCount ?? 0,
    flaky: diagnostic?.flaky === true,
    ...(heapDeltaBytes !== undefined ? { heapDeltaBytes } : {}),
  });
  const measurements = toMeasurements((test.meta() as Record<string, unknown>)[META_KEY]);
  if (measurements) run.recordMeasurements(measurements);
}

function relativeFile(root: string, file: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
}

type Totals = { covered: number; total: number };

/** Covered/total per kind from an istanbul CoverageMap (what Vitest's v8 and istanbul providers hand over). */
export function istanbulTotals(
  coverage: unknown,
): Partial<Record<'lines' | 'statements' | 'functions' | 'branches', Totals>> | undefined {
  const map = coverage as { getCoverageSummary?: () => Record<string, Totals | undefined> };
  if (typeof map?.getCoverageSummary !== 'function') return undefined;
  const summary = map.getCoverageSummary();
  const out: Partial<Record<'lines' | 'statements' | 'functions' | 'branches', Totals>> = {};
  for (const kind of ['lines', 'statements', 'functions', 'branches'] as const) {
    const t = summary[kind];
    if (t !== undefined && typeof t.total === 'number' && typeof t.covered === 'number')
      out[kind] = { covered: t.covered, total: t.total };
  }
  return out;
}
