import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PushOptions } from '../push/options.js';
import { push } from '../push/push.js';
import { type RecorderOptions, TestRunRecorder } from './core.js';

/** Options both reporters take (Vitest: constructor argument; node:test: environment only). */
export interface ReporterOptions extends RecorderOptions {
  /** Pushgateway base URL; default `VIGIL_PUSHGATEWAY_URL`. Neither set: no push. */
  gateway?: string;
  /** The `job` of the group; default `VIGIL_PUSH_JOB`, else `'tests'`. */
  job?: string;
  /** More grouping labels beside `branch` and `runner`. */
  groupings?: Readonly<Record<string, string>>;
  /** Write the metrics (text 0.0.4) to this file too; default `VIGIL_METRICS_FILE`. */
  metricsFile?: string;
  /** Push timeout per attempt; default 5 000 ms. */
  pushTimeoutMs?: number;
  /** Push retries on connection errors and 5xx; default 2. */
  pushRetries?: number;
  /** Extra push request headers (authorization, ...). */
  headers?: Readonly<Record<string, string>>;
}

export interface RunReport {
  /** Whether the push succeeded; undefined when no gateway was set. */
  pushed: boolean | undefined;
  /** The metrics file written, if any. */
  file: string | undefined;
  /** The metrics text, text 0.0.4. */
  text: string;
}

/** A recorder for one run of a reporter, with the options merged with the environment. */
export function startRun(options: ReporterOptions = {}): TestRunRecorder {
  return new TestRunRecorder(options);
}

function envOr(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && value !== '') return value;
  const env = process.env[name];
  return env === undefined || env === '' ? undefined : env;
}

/**
 * Ends a run: ONE push of the run's registry (PUT, grouping key job + branch + runner) and
 * the optional metrics file. Never throws: a gateway that is down or refuses the push, or a
 * file that cannot be written, costs one warning line and leaves the test run's result alone.
 */
export async function finishRun(recorder: TestRunRecorder, options: ReporterOptions = {}): Promise<RunReport> {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
  const registry = recorder.finish();
  const text = await registry.metrics('text');
  const report: RunReport = { pushed: undefined, file: undefined, text };
  const file = envOr(options.metricsFile, 'VIGIL_METRICS_FILE');
  if (file !== undefined) {
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
      report.file = file;
    } catch (error) {
      warn(`vigil: could not write test metrics to ${file}: ${(error as Error).message}`);
    }
  }
  const gateway = envOr(options.gateway, 'VIGIL_PUSHGATEWAY_URL');
  if (gateway === undefined) return report;
  const job = envOr(options.job, 'VIGIL_PUSH_JOB') ?? 'tests';
  const pushOptions: PushOptions = {
    gateway,
    job,
    groupings: { ...options.groupings, branch: recorder.metadata.branch, runner: recorder.metadata.runner },
    registry,
    timeoutMs: options.pushTimeoutMs ?? 5_000,
    retries: options.pushRetries ?? 2,
    ...(options.headers ? { headers: options.headers } : {}),
  };
  try {
    await push(pushOptions);
    report.pushed = true;
  } catch (error) {
    report.pushed = false;
    const message = error instanceof Error ? error.message : String(error);
    warn(`vigil: could not push test metrics to ${gateway} (the test run's result is not affected): ${message}`);
  }
  return report;
}
