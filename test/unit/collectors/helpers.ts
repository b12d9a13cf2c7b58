import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { FamilySnapshot, Registry, SeriesSnapshot } from '../../../src/metrics/index.js';

/**
 * Scrapes the registry once and indexes families by name; rejects (failing the test) when
 * any collector failed. One gather only: interval metrics reset at each scrape.
 */
export async function scrape(registry: Registry): Promise<Map<string, FamilySnapshot>> {
  const families = await registry.snapshot();
  return new Map(families.map((f) => [f.name, f]));
}

function matches(series: SeriesSnapshot, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => series.labels[k] === v);
}

/** The value of the one series of `name` matching `labels`; fails when absent. */
export function sampleValue(families: Map<string, FamilySnapshot>, name: string, labels: Record<string, string> = {}) {
  const family = families.get(name);
  expect(family, `family ${name}`).toBeDefined();
  const found = (family as FamilySnapshot).series.filter((s) => matches(s, labels));
  expect(found.length, `${name}${JSON.stringify(labels)} series`).toBe(1);
  const series = found[0] as SeriesSnapshot;
  if (!('value' in series)) throw new Error(`${name} is not a counter or gauge`);
  return series.value;
}

/** The `count` of a histogram series matching `labels` (0 when absent). */
export function countOf(families: Map<string, FamilySnapshot>, name: string, labels: Record<string, string> = {}) {
  const series = families.get(name)?.series.find((s) => matches(s, labels));
  return series !== undefined && 'count' in series ? series.count : 0;
}

/** `Key: value` numbers of a /proc file such as /proc/self/status (kB values in bytes). */
export function procValues(path: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([^:]+):\s+(\d+)(\s+kB)?/.exec(line);
    if (m) out.set(m[1] as string, Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}

export function within(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected), `${actual} should be within ${tolerance} of ${expected}`).toBeLessThanOrEqual(
    tolerance,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
