/**
 * Delay before retry `n` (1 for the first retry): exponential, capped, with jitter in the
 * upper half so clients that failed together do not come back together, and a retry is
 * never much sooner than planned.
 */
export function backoffDelay(n: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** (n - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
