/**
 * Internal to Vigil (not exported by vigil/catalog): the collect hook through which the
 * HTTP middleware adds the requests it counted in plain numbers to the catalog's families.
 */
import type { AnyMetric } from '../metrics/metric.js';

/** The two families the middleware batches; the catalog creates them with {@link runFlushes}. */
interface FlushedFamilies {
  requests: AnyMetric;
  inFlight: AnyMetric;
}

/**
 * What runs when the request counter or the in-flight gauge is collected (every scrape,
 * `gather()`, `snapshot()` and push runs collect callbacks first), by family: the HTTP
 * middleware's flushes (src/http/core.ts), which add what it counted since the last collect.
 */
const flushes = new WeakMap<object, Set<() => void>>();

/** The collect callback of the request counter and the in-flight gauge. */
export function runFlushes(this: object): void {
  const registered = flushes.get(this);
  if (registered !== undefined) for (const flush of registered) flush();
}

/**
 * Has `flush` run whenever the request counter or the in-flight gauge of `metrics` is
 * collected. False, and nothing registered, when either family was defined elsewhere
 * without this hook (an identical definition registered first): the caller then updates
 * them as each request happens.
 */
export function flushBeforeCollect(metrics: FlushedFamilies, flush: () => void): boolean {
  const families = [metrics.requests, metrics.inFlight];
  if (families.some((family) => family.collect !== runFlushes)) return false;
  for (const family of families) {
    let registered = flushes.get(family);
    if (registered === undefined) {
      registered = new Set();
      flushes.set(family, registered);
    }
    registered.add(flush);
  }
  return true;
}
