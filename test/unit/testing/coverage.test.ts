import { describe, expect, it } from 'vitest';
import { TestRunRecorder } from '../../../src/testing/core.js';
import { istanbulTotals } from '../../../src/testing/vitest.js';

describe('coverage ratios', () => {
  it('records covered / total per kind and leaves out kinds with nothing to cover', async () => {
    const run = new TestRunRecorder({ metadata: { branch: 'b', commit: 'c', workflow: 'w', runner: 'r' } });
    run.recordCoverage({ lines: { covered: 3, total: 4 }, branches: { covered: 0, total: 0 } });
    const text = await run.finish().metrics();
    expect(text).toContain('vigil_test_coverage_ratio{kind="lines"} 0.75\n');
    expect(text).not.toContain('kind="branches"');
  });

  it("reads an istanbul coverage map's summary (what Vitest's providers hand reporters)", () => {
    const map = {
      getCoverageSummary: () => ({
        lines: { total: 10, covered: 9, skipped: 0, pct: 90 },
        statements: { total: 12, covered: 6, skipped: 0, pct: 50 },
        functions: { total: 2, covered: 2, skipped: 0, pct: 100 },
        branches: { total: 0, covered: 0, skipped: 0, pct: 100 },
      }),
    };
    expect(istanbulTotals(map)).toEqual({
      lines: { covered: 9, total: 10 },
      statements: { covered: 6, total: 12 },
      functions: { covered: 2, total: 2 },
      branches: { covered: 0, total: 0 },
    });
    expect(istanbulTotals({})).toBeUndefined();
  });
});
