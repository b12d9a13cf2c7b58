/** Prometheus durations (`90s`, `1h30m`, `1d`) as seconds and back, for the rule and test generators. */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
const PART = /(\d+)(ms|s|m|h|d|w|y)/g;

/** Seconds in a Prometheus duration; the config schema has already checked its syntax. */
export function durationSeconds(duration: string): number {
  if (duration === '0') return 0;
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(PART)) total += Number(amount) * (UNIT_SECONDS[unit as string] ?? 0);
  return total;
}

/** The shortest Prometheus duration for a number of seconds: 3600 → `1h`, 90 → `90s`, 0.5 → `500ms`. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${Math.round(seconds * 1000)}ms`;
}
