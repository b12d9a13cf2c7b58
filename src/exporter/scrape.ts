import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Counter } from '../metrics/counter.js';
import { CollectError } from '../metrics/errors.js';
import type { Format } from '../metrics/exposition.js';
import type { Family } from '../metrics/family.js';
import type { GatherResult, Registry } from '../metrics/registry.js';

const gzip = promisify(gzipCallback);

/** Counts collect callbacks and collectors that failed during a scrape, by name. */
export const SCRAPE_ERRORS_METRIC = 'vigil_scrape_errors_total';

/** Below this many series a synchronous encode takes about a millisecond: not worth slicing. */
export const INCREMENTAL_MIN_SERIES = 2_000;

export type Scraped =
  | { ok: true; body: Buffer; seriesCount: number; errors: GatherResult['errors']; durationSeconds: number }
  | { ok: false; error: CollectError; seriesCount: number; errors: GatherResult['errors']; durationSeconds: number };

/**
 * One scrape: gather, count what failed, encode (in slices for large registries), gzip
 * on the thread pool. With `fail`, a failed collect makes the scrape an error instead.
 */
export async function scrape(
  registry: Registry,
  format: Format,
  compress: boolean,
  fail: boolean,
  sliceMs: number,
): Promise<Scraped> {
  const start = performance.now();
  const { families, errors } = await registry.gather();
  if (errors.length > 0) countErrors(registry, families, errors);
  let seriesCount = 0;
  for (const f of families) seriesCount += f.series.length;
  const durationSeconds = () => (performance.now() - start) / 1000;
  if (fail && errors.length > 0) {
    return { ok: false, error: new CollectError(errors), seriesCount, errors, durationSeconds: durationSeconds() };
  }
  const text =
    seriesCount >= INCREMENTAL_MIN_SERIES
      ? await registry.encodeAsync(families, format, { sliceMs })
      : registry.encode(families, format);
  const body = compress ? await gzip(text) : text;
  return { ok: true, body, seriesCount, errors, durationSeconds: durationSeconds() };
}

/**
 * Increments `vigil_scrape_errors_total{collector}` once per failure. The counter is
 * fetched with get-or-create each time, so it survives `registry.clear()`; a registered
 * metric is its own family, so it joins this very scrape when it was not gathered yet.
 */
function countErrors(registry: Registry, families: Family[], errors: GatherResult['errors']): void {
  let counter: Counter<readonly ['collector']>;
  try {
    counter = registry.counter({
      name: SCRAPE_ERRORS_METRIC,
      help: 'Collect callbacks and collectors that failed during a scrape; their families were left out.',
      labelNames: ['collector'] as const,
    });
  } catch {
    // The user registered another metric under this name: keep it, count nothing.
    return;
  }
  for (const { metric } of errors) counter.inc({ collector: metric });
  const family = counter as unknown as Family;
  if (!families.includes(family)) families.push(family);
}
