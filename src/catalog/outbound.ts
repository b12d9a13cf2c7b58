import type { LabelValue } from '../metrics/index.js';
import { type CatalogOptions, classifyError, type Outcome, resolve, timeOutcome } from './shared.js';

/** Outbound API metric names: the one place dashboards and alert rules read them from. */
export const OUTBOUND_METRICS = {
  requests: 'outbound_requests_total',
  duration: 'outbound_request_duration_seconds',
  rateLimits: 'outbound_rate_limits_total',
  errors: 'outbound_errors_total',
} as const;

/** Default buckets of outbound_request_duration_seconds: 10 ms to 30 s. */
export const OUTBOUND_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface OutboundOptions extends CatalogOptions {
  /** Maps a thrown error to the `kind` label. Default `classifyError`; keep the values few. */
  classify?: (error: unknown) => string;
}

export interface OutboundLabels {
  /** The API called: `stripe`, `github`. */
  provider: LabelValue;
  /** The endpoint template, never a raw URL with ids: `/v1/charges`, `GET /repos/:owner`. */
  endpoint: LabelValue;
}

/**
 * Calls to other services' APIs: requests by provider, endpoint and outcome, their
 * duration, rate limits hit and errors by kind. Get-or-create: every call with the same
 * registry and prefix returns the same metrics.
 *
 * @example
 * const outbound = outboundMetrics({ registry });
 * const charge = await outbound.time({ provider: 'stripe', endpoint: '/v1/charges' }, () => stripe.charges.create(input));
 */
export function outboundMetrics(options: OutboundOptions = {}) {
  const { registry, name, limit } = resolve(options);
  const classify = options.classify ?? classifyError;
  const requests = registry.counter({
    name: name(OUTBOUND_METRICS.requests),
    help: 'Outbound API requests, by provider, endpoint and outcome (success or error).',
    labelNames: ['provider', 'endpoint', 'outcome'],
    ...limit,
  });
  const duration = registry.histogram({
    name: name(OUTBOUND_METRICS.duration),
    help: 'Outbound API request duration in seconds, by provider, endpoint and outcome.',
    labelNames: ['provider', 'endpoint', 'outcome'],
    ...limit,
    buckets: options.buckets ?? OUTBOUND_BUCKETS,
  });
  const rateLimits = registry.counter({
    name: name(OUTBOUND_METRICS.rateLimits),
    help: 'Outbound API responses that said the caller was rate limited (HTTP 429 and the like).',
    labelNames: ['provider', 'endpoint'],
    ...limit,
  });
  const errors = registry.counter({
    name: name(OUTBOUND_METRICS.errors),
    help: 'Outbound API errors, by provider, endpoint and kind (timeout, network, rate_limit, client, server...).',
    labelNames: ['provider', 'endpoint', 'kind'],
    ...limit,
  });

  /** Counts an error of a kind; `rate_limit` also counts a rate limit hit. */
  const error = (labels: OutboundLabels, kind: string): void => {
    errors.inc({ provider: labels.provider, endpoint: labels.endpoint, kind });
    if (kind === 'rate_limit') rateLimits.inc({ provider: labels.provider, endpoint: labels.endpoint });
  };

  /** Records one finished request; for an error, `cause` is classified into its kind. */
  const record = (labels: OutboundLabels, outcome: Outcome, seconds: number, cause?: unknown): void => {
    const series = { provider: labels.provider, endpoint: labels.endpoint, outcome };
    requests.inc(series);
    duration.observe(series, seconds);
    if (outcome === 'error') error(labels, classify(cause));
  };

  return {
    requests,
    duration,
    rateLimits,
    errors,
    record,
    error,
    /** Counts a rate limit hit that did not fail the call (a retry succeeded, a header said so). */
    rateLimited(labels: OutboundLabels): void {
      rateLimits.inc({ provider: labels.provider, endpoint: labels.endpoint });
    },
    /** Times a sync or async call: success when it returns, error (classified) when it throws or rejects. */
    time<R>(labels: OutboundLabels, fn: () => R): R {
      // Resolved first, so a bad label throws before the call runs, not after it.
      requests.labels({ provider: labels.provider, endpoint: labels.endpoint, outcome: 'success' });
      return timeOutcome(fn, (outcome, seconds, cause) => record(labels, outcome, seconds, cause));
    },
  };
}

export type OutboundMetrics = ReturnType<typeof outboundMetrics>;
