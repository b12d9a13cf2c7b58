import { VigilError } from './errors.js';

/** Prometheus' default histogram buckets, in seconds: for request latencies. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** `count` buckets starting at `start`, each `width` wider than the last. */
export function linearBuckets(start: number, width: number, count: number): number[] {
  checkCount(count);
  if (!(width > 0)) throw invalid(`linearBuckets needs a width > 0, got ${width}`);
  return Array.from({ length: count }, (_, i) => start + i * width);
}

/** `count` buckets starting at `start`, each `factor` times the last. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  checkCount(count);
  if (!(start > 0)) throw invalid(`exponentialBuckets needs a start > 0, got ${start}`);
  if (!(factor > 1)) throw invalid(`exponentialBuckets needs a factor > 1, got ${factor}`);
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

/** Upper bounds, strictly increasing and finite; a trailing +Inf is implied and dropped. */
export function checkBuckets(buckets: readonly number[], metric: string): number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw invalid(`histogram "${metric}" needs at least one bucket, e.g. buckets: [0.1, 0.5, 1]`);
  }
  const bounds = buckets[buckets.length - 1] === Number.POSITIVE_INFINITY ? buckets.slice(0, -1) : [...buckets];
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i] as number;
    if (typeof b !== 'number' || !Number.isFinite(b)) {
      throw invalid(
        `bucket ${i} of histogram "${metric}" is ${String(b)}; upper bounds must be finite numbers (+Inf is implied)`,
      );
    }
    if (i > 0 && b <= (bounds[i - 1] as number)) {
      throw invalid(`buckets of histogram "${metric}" must increase strictly; ${b} follows ${bounds[i - 1]}`);
    }
  }
  return bounds;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw invalid(`bucket count must be a positive integer, got ${count}`);
}

function invalid(message: string): VigilError {
  return new VigilError('VIGIL_ERR_INVALID_BUCKETS', `${message}.`);
}
