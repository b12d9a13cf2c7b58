/** Seconds elapsed since `start` (a `performance.now()` reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * Runs `fn` and calls `record(seconds)` when it finishes: at once for a sync function,
 * when the promise settles for an async one, and in both cases also when it throws.
 */
export function timeCall<R>(fn: () => R, record: (seconds: number) => void): R {
  const start = performance.now();
  let result: R;
  try {
    result = fn();
  } catch (error) {
    record(secondsSince(start));
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => record(secondsSince(start))) as R;
  }
  record(secondsSince(start));
  return result;
}

/** Starts a timer; calling the result passes the elapsed seconds to `record` and returns them. */
export function startTimer(record: (seconds: number) => void): () => number {
  const start = performance.now();
  return () => {
    const seconds = secondsSince(start);
    record(seconds);
    return seconds;
  };
}
