import type { Command } from 'commander';
import { push } from '../push/push.js';
import type { PushResult } from '../push/send.js';
import { TestRunRecorder } from '../testing/core.js';
import { parseJUnit, recordJUnit } from '../testing/junit.js';
import type { TestOutcome } from '../testing/names.js';
import { collectGrouping, type GatewayOptions, printJson, readText } from './common.js';

export interface PushJUnitResult {
  job: string;
  groupings: Record<string, string>;
  tests: Record<TestOutcome, number>;
  files: number;
  durationSeconds: number;
  push: PushResult;
}

/**
 * Reads JUnit reports, records them with the reporters' recorder (same metric names, same
 * labels) and pushes them ONCE with PUT, grouping key job + branch + runner like the
 * reporters (a `--grouping` of the same name wins).
 */
export async function pushJUnit(reports: readonly string[], options: GatewayOptions): Promise<PushJUnitResult> {
  const parsed = [];
  // Everything is read and parsed before anything is sent: a bad report pushes nothing.
  for (const path of reports) parsed.push(parseJUnit(await readText(path)));
  const recorder = new TestRunRecorder({ startedAt: 0 });
  const tests: Record<TestOutcome, number> = { passed: 0, failed: 0, skipped: 0, todo: 0 };
  const files = new Set<string>();
  let durationMs = 0;
  for (const report of parsed) {
    recordJUnit(recorder, report);
    durationMs += report.durationMs;
    for (const t of report.tests) {
      tests[t.outcome]++;
      files.add(t.file);
    }
  }
  const registry = recorder.finish(durationMs);
  const groupings = { branch: recorder.metadata.branch, runner: recorder.metadata.runner, ...options.grouping };
  const result = await push({ gateway: options.gateway, job: options.job, groupings, registry });
  return { job: options.job, groupings, tests, files: files.size, durationSeconds: durationMs / 1000, push: result };
}

export function registerPushJUnit(pushCommand: Command): void {
  pushCommand
    .command('junit')
    .description('push the test-run metrics of JUnit XML reports (pytest, Jest, Go, Maven Surefire)')
    .argument('<reports...>', 'JUnit XML files; several (e.g. Surefire TEST-*.xml) make one run')
    .requiredOption(
      '--gateway <url>',
      'Pushgateway base URL (env VIGIL_PUSHGATEWAY_URL)',
      process.env.VIGIL_PUSHGATEWAY_URL,
    )
    .requiredOption('--job <name>', 'the job label of the group')
    .option('--grouping <name=value>', 'another grouping label (repeatable)', collectGrouping, {})
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ pytest --junitxml=report.xml; vigil push junit report.xml --gateway http://127.0.0.1:9091 --job pytest
  $ vigil push junit target/surefire-reports/TEST-*.xml --gateway http://127.0.0.1:9091 --job maven --grouping env=ci`,
    )
    .action(async (reports: string[], options: GatewayOptions) => {
      const result = await pushJUnit(reports, options);
      if (options.json === true) return printJson(result);
      const t = result.tests;
      process.stdout.write(
        `vigil: pushed ${t.passed + t.failed + t.skipped + t.todo} tests (${t.passed} passed, ${t.failed} failed, ` +
          `${t.skipped} skipped) from ${result.files} file${result.files === 1 ? '' : 's'} to ${options.gateway}, job ${result.job}\n`,
      );
    });
}
