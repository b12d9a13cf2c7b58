#!/usr/bin/env node
// Print one plain line from Vitest's JSON report: "N passed, N failed[, N skipped]".
// A test file that failed without a failed test (import error, failing hook) counts as
// one failure; a missing or unreadable report counts as one failure.
// If Vitest's exit code (second argument) is non-zero but no failure was counted (no test
// files found, an unhandled error after the tests), that also counts as one failure, so
// the line never reads "0 failed" for a failed run.
// Usage: node scripts/summarize-vitest.mjs [test-results/vitest.json] [vitest-exit-code]
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
const exitCode = Number(process.argv[3] ?? 0);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`summarize-vitest: no usable report at ${file}: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(0);
}

const passed = report.numPassedTests ?? 0;
let failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
for (const file of report.testResults ?? []) {
  const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed').length;
  if (file.status === 'failed' && failedTests === 0) failed += 1;
}
if (exitCode !== 0 && failed === 0) {
  console.error(
    `summarize-vitest: vitest exited ${exitCode} without a failed test (no test files? an unhandled error?): counted as 1 failure`,
  );
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
