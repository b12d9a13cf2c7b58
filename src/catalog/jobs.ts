import type { LabelValue } from '../metrics/index.js';
import { type CatalogOptions, resolve, timeOutcome } from './shared.js';

/** Background job metric names: the one place dashboards and alert rules read them from. */
export const JOB_METRICS = {
  enqueued: 'jobs_enqueued_total',
  queued: 'jobs_queued',
  processed: 'jobs_processed_total',
  duration: 'job_duration_seconds',
  inProgress: 'jobs_in_progress',
} as const;

/** Default buckets of job_duration_seconds: 10 ms to 15 min. */
export const JOB_BUCKETS: readonly number[] = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900];

export interface QueueLabels {
  queue: LabelValue;
  /** `high`, `normal`, `low`, or a number. */
  priority: LabelValue;
}

export interface JobLabels {
  /** The job type: `send-email`, `resize-image`. */
  type: LabelValue;
}

/**
 * Background jobs: enqueued and waiting by queue and priority, processed by type and status
 * (`success`, `error`, or your own such as `retry`), their duration and the jobs in progress.
 * Get-or-create.
 *
 * @example
 * const jobs = jobMetrics({ registry });
 * jobs.enqueue({ queue: 'mail', priority: 'high' });
 * // in the worker
 * jobs.dequeue({ queue: 'mail', priority: 'high' });
 * await jobs.time({ type: 'send-email' }, () => send(job));
 */
export function jobMetrics(options: CatalogOptions = {}) {
  const { registry, name, limit } = resolve(options);
  const enqueued = registry.counter({
    name: name(JOB_METRICS.enqueued),
    help: 'Jobs put on a queue, by queue and priority.',
    labelNames: ['queue', 'priority'],
    ...limit,
  });
  const queued = registry.gauge({
    name: name(JOB_METRICS.queued),
    help: 'Jobs waiting on a queue now, by queue and priority.',
    labelNames: ['queue', 'priority'],
    ...limit,
  });
  const processed = registry.counter({
    name: name(JOB_METRICS.processed),
    help: 'Jobs processed, by type and status (success, error, ...).',
    labelNames: ['type', 'status'],
    ...limit,
  });
  const duration = registry.histogram({
    name: name(JOB_METRICS.duration),
    help: 'Job processing duration in seconds, by type and status.',
    labelNames: ['type', 'status'],
    ...limit,
    buckets: options.buckets ?? JOB_BUCKETS,
  });
  const inProgress = registry.gauge({
    name: name(JOB_METRICS.inProgress),
    help: 'Jobs being processed now, by type.',
    labelNames: ['type'],
    ...limit,
  });

  const record = (labels: JobLabels, status: LabelValue, seconds: number): void => {
    processed.inc({ type: labels.type, status });
    duration.observe({ type: labels.type, status }, seconds);
  };

  return {
    enqueued,
    queued,
    processed,
    duration,
    inProgress,
    record,
    /** Counts a job put on a queue and adds it to the waiting jobs. */
    enqueue(labels: QueueLabels, count = 1): void {
      enqueued.inc({ queue: labels.queue, priority: labels.priority }, count);
      queued.inc({ queue: labels.queue, priority: labels.priority }, count);
    },
    /** Takes a job off the waiting jobs (a worker picked it up, or it was dropped). */
    dequeue(labels: QueueLabels, count = 1): void {
      queued.dec({ queue: labels.queue, priority: labels.priority }, count);
    },
    /** Times a sync or async job: status success when it returns, error when it throws or rejects. */
    time<R>(labels: JobLabels, fn: () => R): R {
      const running = inProgress.labels({ type: labels.type });
      running.inc();
      return timeOutcome(fn, (outcome, seconds) => {
        running.dec();
        record(labels, outcome, seconds);
      });
    },
  };
}

export type JobMetrics = ReturnType<typeof jobMetrics>;
