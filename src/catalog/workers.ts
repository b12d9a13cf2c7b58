import type { LabelValue } from '../metrics/index.js';
import { type CatalogOptions, classifyError, resolve, timeOutcome } from './shared.js';

/** Worker and batch-run metric names: the one place dashboards and alert rules read them from. */
export const WORKER_METRICS = {
  runs: 'worker_runs_total',
  duration: 'worker_run_duration_seconds',
  lastRun: 'worker_last_run_timestamp_seconds',
  lastSuccess: 'worker_last_success_timestamp_seconds',
  filesProcessed: 'worker_files_processed_total',
  errors: 'worker_errors_total',
} as const;

/** Default buckets of worker_run_duration_seconds: 100 ms to 1 h. */
export const WORKER_BUCKETS: readonly number[] = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

export interface WorkerOptions extends CatalogOptions {
  /** Maps a thrown error to the `kind` label of worker_errors_total. Default `classifyError`. */
  classify?: (error: unknown) => string;
}

export interface RunLabels {
  /** The worker or batch job: `file-watcher`, `nightly-audit`. */
  worker: LabelValue;
  /** What started the run: `schedule`, `manual`, `file_change`, `startup`. */
  trigger: LabelValue;
}

/**
 * Workers and batch runs: runs by worker, trigger and outcome, their duration, the time of
 * the last run and of the last successful one, files processed and errors by kind.
 * Alert on `time() - worker_last_success_timestamp_seconds > 3600`. Get-or-create.
 *
 * @example
 * const workers = workerMetrics({ registry });
 * await workers.time({ worker: 'audit', trigger: 'schedule' }, async () => {
 *   for (const file of files) { await audit(file); workers.fileProcessed({ worker: 'audit' }); }
 * });
 */
export function workerMetrics(options: WorkerOptions = {}) {
  const { registry, name, limit } = resolve(options);
  const classify = options.classify ?? classifyError;
  const runs = registry.counter({
    name: name(WORKER_METRICS.runs),
    help: 'Worker and batch runs, by worker, trigger and outcome (success or error).',
    labelNames: ['worker', 'trigger', 'outcome'],
    ...limit,
  });
  const duration = registry.histogram({
    name: name(WORKER_METRICS.duration),
    help: 'Worker and batch run duration in seconds, by worker and outcome.',
    labelNames: ['worker', 'outcome'],
    ...limit,
    buckets: options.buckets ?? WORKER_BUCKETS,
  });
  const lastRun = registry.gauge({
    name: name(WORKER_METRICS.lastRun),
    help: 'When the worker last finished a run, in seconds since the epoch.',
    labelNames: ['worker'],
    ...limit,
  });
  const lastSuccess = registry.gauge({
    name: name(WORKER_METRICS.lastSuccess),
    help: 'When the worker last finished a run successfully, in seconds since the epoch.',
    labelNames: ['worker'],
    ...limit,
  });
  const filesProcessed = registry.counter({
    name: name(WORKER_METRICS.filesProcessed),
    help: 'Files the worker processed, by worker and outcome (success or error).',
    labelNames: ['worker', 'outcome'],
    ...limit,
  });
  const errors = registry.counter({
    name: name(WORKER_METRICS.errors),
    help: 'Worker errors, by worker and kind.',
    labelNames: ['worker', 'kind'],
    ...limit,
  });

  const error = (labels: { worker: LabelValue }, kind: string): void => {
    errors.inc({ worker: labels.worker, kind });
  };

  /** Records a finished run; a failed one also counts an error of the cause's kind. */
  const record = (labels: RunLabels, outcome: 'success' | 'error', seconds: number, cause?: unknown): void => {
    runs.inc({ worker: labels.worker, trigger: labels.trigger, outcome });
    duration.observe({ worker: labels.worker, outcome }, seconds);
    const now = Date.now() / 1000;
    lastRun.set({ worker: labels.worker }, now);
    if (outcome === 'success') lastSuccess.set({ worker: labels.worker }, now);
    else error(labels, classify(cause));
  };

  return {
    runs,
    duration,
    lastRun,
    lastSuccess,
    filesProcessed,
    errors,
    record,
    error,
    /** Counts processed files (default one, successful). */
    fileProcessed(labels: { worker: LabelValue; outcome?: 'success' | 'error' }, count = 1): void {
      filesProcessed.inc({ worker: labels.worker, outcome: labels.outcome ?? 'success' }, count);
    },
    /** Times a sync or async run: success when it returns, error (classified) when it throws or rejects. */
    time<R>(labels: RunLabels, fn: () => R): R {
      runs.labels({ worker: labels.worker, trigger: labels.trigger, outcome: 'success' });
      return timeOutcome(fn, (outcome, seconds, detail) => record(labels, outcome, seconds, detail));
    },
  };
}

export type WorkerMetrics = ReturnType<typeof workerMetrics>;
