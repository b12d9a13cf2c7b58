import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Command } from 'commander';
import { VigilError } from '../metrics/errors.js';
import { Registry } from '../metrics/registry.js';
import { pushAdd } from '../push/push.js';
import { collectGrouping, type GatewayOptions, printError, usage } from './common.js';

export const JOB_DURATION_SECONDS = 'vigil_job_duration_seconds';
export const JOB_EXIT_CODE = 'vigil_job_exit_code';
export const JOB_LAST_SUCCESS_TIMESTAMP_SECONDS = 'vigil_job_last_success_timestamp_seconds';
export const JOB_LAST_RUN_TIMESTAMP_SECONDS = 'vigil_job_last_run_timestamp_seconds';

// A signal sent to vigil alone (cron, systemd, kubelet) is meant for the job. SIGINT is
// only held off: Ctrl-C already reaches the whole process group, and a second SIGINT would
// make many programs skip their graceful shutdown.
const FORWARDED = ['SIGTERM', 'SIGHUP'] as const;
const ignore = () => {};

/** Runs the command with inherited stdio; resolves to the exit code a shell would report. */
function runCommand(argv: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const [file, ...args] = argv as [string, ...string[]];
    const child = spawn(file, args, { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const s of FORWARDED) process.on(s, forward);
    process.on('SIGINT', ignore);
    const done = (code: number) => {
      for (const s of FORWARDED) process.off(s, forward);
      process.off('SIGINT', ignore);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      printError(new VigilError('VIGIL_ERR_RUN_START', `could not start ${JSON.stringify(file)}: ${error.message}`));
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => {
      done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

/**
 * The run's metrics. Sent with pushAdd (POST): it replaces only these names in the group,
 * so a failed run, which carries no last-success sample, leaves the previous success time
 * in place. A PUT would replace the whole group and erase it.
 */
export function jobRegistry(exitCode: number, durationSeconds: number, endedAtSeconds: number): Registry {
  const registry = new Registry();
  registry.gauge({ name: JOB_DURATION_SECONDS, help: 'Wall time of the last run of the job.' }).set(durationSeconds);
  registry
    .gauge({ name: JOB_EXIT_CODE, help: 'Exit code of the last run (128+n when killed by signal n).' })
    .set(exitCode);
  registry
    .gauge({ name: JOB_LAST_RUN_TIMESTAMP_SECONDS, help: 'When the last run ended, seconds since the epoch.' })
    .set(endedAtSeconds);
  if (exitCode === 0) {
    registry
      .gauge({
        name: JOB_LAST_SUCCESS_TIMESTAMP_SECONDS,
        help: 'When the last successful run ended, seconds since the epoch.',
      })
      .set(endedAtSeconds);
  }
  return registry;
}

/** Runs the job, pushes its metrics (a failed push is a warning), resolves to the command's exit code. */
export async function runJob(argv: readonly string[], options: GatewayOptions): Promise<number> {
  if (argv.length === 0)
    throw usage('vigil run needs a command after --, e.g. `vigil run --job backup -- ./backup.sh`.');
  const started = performance.now();
  const exitCode = await runCommand(argv);
  const durationSeconds = (performance.now() - started) / 1000;
  const registry = jobRegistry(exitCode, durationSeconds, Date.now() / 1000);
  try {
    // Bounded like the reporters' push (5 s per attempt, 2 retries): the job's caller is waiting for the exit.
    await pushAdd({
      gateway: options.gateway,
      job: options.job,
      groupings: options.grouping,
      registry,
      timeoutMs: 5_000,
      retries: 2,
    });
    if (options.json === true) {
      process.stderr.write(`${JSON.stringify({ job: options.job, exitCode, durationSeconds, pushed: true })}\n`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `vigil: warning: could not push the metrics of job ${options.job} (exit code unchanged): ${message}\n`,
    );
  }
  return exitCode;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'run a command (a cron or batch job), pass its output and exit code through, push its duration and result',
    )
    .argument('<command...>', 'the command and its arguments, after --')
    .requiredOption(
      '--gateway <url>',
      'Pushgateway base URL (env VIGIL_PUSHGATEWAY_URL)',
      process.env.VIGIL_PUSHGATEWAY_URL,
    )
    .requiredOption('--job <name>', 'the job label of the group')
    .option('--grouping <name=value>', 'another grouping label (repeatable)', collectGrouping, {})
    .option('--json', 'print a JSON summary line to stderr after the push')
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Pushes ${JOB_DURATION_SECONDS}, ${JOB_EXIT_CODE}, ${JOB_LAST_RUN_TIMESTAMP_SECONDS} and, on exit code 0,
${JOB_LAST_SUCCESS_TIMESTAMP_SECONDS}, with POST (pushAdd) so a failed run keeps the last success.

Examples:
  $ vigil run --job backup --gateway http://127.0.0.1:9091 -- ./backup.sh --full
  $ vigil run --job etl --grouping stage=load --gateway http://127.0.0.1:9091 -- python etl.py`,
    )
    .action(async (argv: string[], options: GatewayOptions) => {
      process.exitCode = await runJob(argv, options);
    });
}
