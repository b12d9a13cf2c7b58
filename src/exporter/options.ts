import { VigilError } from '../metrics/errors.js';
import type { Format } from '../metrics/exposition.js';
import type { GatherResult } from '../metrics/registry.js';
import type { MetricsAuth } from './auth.js';

export interface MetricsHandlerOptions {
  /**
   * What a scrape does when a collect callback or collector throws or rejects. `'serve'`
   * (default): serve every other family and count the failure in
   * `vigil_scrape_errors_total{collector}`. `'fail'`: answer 500 with a body naming what failed.
   */
  onCollectError?: 'serve' | 'fail';
  /** Require a bearer token or a basic-auth user; others get 401 and no metric data. */
  auth?: MetricsAuth;
  /**
   * Large registries (2,000 series and more) are encoded in slices of at most this many
   * milliseconds, yielding to the event loop in between. Default 5.
   */
  sliceMs?: number;
  /** Called after every GET that ran a scrape (whatever its status); errors it throws are ignored. */
  onScrape?: (info: ScrapeInfo) => void;
}

/** What one scrape did: for status pages, logs and self-metrics. */
export interface ScrapeInfo {
  /** 200, or 500 when it failed (`onCollectError: 'fail'`, or an unexpected error). */
  status: number;
  format: Format;
  gzip: boolean;
  /** From the start of gathering to the body being ready to send. */
  durationSeconds: number;
  seriesCount: number;
  /** Body size as sent (compressed when gzip). */
  bytes: number;
  /** Collect callbacks and collectors that failed. */
  errors: GatherResult['errors'];
}

export interface ResolvedHandlerOptions {
  onCollectError: 'serve' | 'fail';
  sliceMs: number;
  onScrape: ((info: ScrapeInfo) => void) | null;
}

/** Checks the handler options once, at setup; a bad one is a VIGIL_ERR_EXPORTER_OPTION. */
export function resolveHandlerOptions(options: MetricsHandlerOptions): ResolvedHandlerOptions {
  const onCollectError = options.onCollectError ?? 'serve';
  if (onCollectError !== 'serve' && onCollectError !== 'fail') {
    throw new VigilError(
      'VIGIL_ERR_EXPORTER_OPTION',
      `onCollectError must be 'serve' or 'fail', not ${JSON.stringify(onCollectError)}.`,
    );
  }
  const sliceMs = options.sliceMs ?? 5;
  if (typeof sliceMs !== 'number' || !(sliceMs > 0)) {
    throw new VigilError(
      'VIGIL_ERR_EXPORTER_OPTION',
      `sliceMs must be a positive number of milliseconds, not ${sliceMs}.`,
    );
  }
  if (options.onScrape !== undefined && typeof options.onScrape !== 'function') {
    throw new VigilError('VIGIL_ERR_EXPORTER_OPTION', 'onScrape must be a function.');
  }
  return { onCollectError, sliceMs, onScrape: options.onScrape ?? null };
}
