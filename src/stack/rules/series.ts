import type { StackConfig } from '../config.js';
import { durationSeconds } from '../duration.js';
import type { InputSeries } from './types.js';

/** Labels the service scenarios use: the first configured service and its first target. */
export function serviceLabels(config: StackConfig): { job: string; instance: string } {
  const service = config.services[0];
  return { job: service?.name ?? 'app', instance: service?.targets[0] ?? '127.0.0.1:9464' };
}

/** Labels of a test run's group on the Pushgateway (honor_labels keeps the pushed job). */
export const PUSHED = { job: 'tests', branch: 'main' } as const;

/** `name{a="x",b="y"}` for a promtool `series:` line. */
export function selector(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name}{${pairs.join(',')}}`;
}

/** Seconds between samples in scenarios: a fifth of the rate window, so a window always holds five steps. */
export function stepSeconds(config: StackConfig): number {
  return Math.max(1, Math.floor(durationSeconds(config.prometheus.rateWindow) / 5));
}

/** `seconds` rounded up to a whole number of steps. */
export function alignUp(seconds: number, step: number): number {
  return Math.ceil(seconds / step) * step;
}

/** A float as promtool reads it, without exponent noise like 0.30000000000000004. */
export function num(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** A value that stays the same for `steps` steps after the first sample. */
export function constant(name: string, labels: Record<string, string>, value: number, steps: number): InputSeries {
  return { series: selector(name, labels), values: `${num(value)}x${steps}` };
}

/** A counter growing by `increment` every step, from 0. */
export function counter(name: string, labels: Record<string, string>, increment: number, steps: number): InputSeries {
  return { series: selector(name, labels), values: `0+${num(increment)}x${steps}` };
}

/** A counter whose per-step increments are given one by one; starts at 0. */
export function counterOf(name: string, labels: Record<string, string>, increments: readonly number[]): InputSeries {
  let total = 0;
  const values = ['0'];
  for (const increment of increments) {
    total += increment;
    values.push(num(total));
  }
  return { series: selector(name, labels), values: values.join(' ') };
}

/** A gauge with the given values, one per step. */
export function gaugeOf(name: string, labels: Record<string, string>, values: readonly number[]): InputSeries {
  return { series: selector(name, labels), values: values.map(num).join(' ') };
}

/**
 * When a scenario is checked: after `warmup` seconds of data (the range the expression
 * reads) plus the alert's `for:`, plus two steps of margin; and how many steps that is.
 */
export function timing(
  config: StackConfig,
  warmup: number,
  forDuration: string,
): { step: number; evalTime: number; steps: number } {
  const step = stepSeconds(config);
  const evalTime = alignUp(warmup + durationSeconds(forDuration), step) + 2 * step;
  return { step, evalTime, steps: evalTime / step };
}

/** Replaces `{{ $labels.name }}` the way Prometheus renders an annotation, for the expected test output. */
export function render(template: string, labels: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}/g, (_, name: string) => labels[name] ?? '');
}
