import { expect } from 'vitest';
import type { FamilySnapshot, Registry } from '../../../src/metrics/index.js';

/** A seeded PRNG (mulberry32): the same "random" URLs on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEGMENT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~';
const ESCAPES = ['%20', '%2F', '%C3%A9', '%E2%9C%93', '%25'];

/** A URL path segment of random length, letters and percent-escapes. */
export function randomSegment(random: () => number): string {
  const length = 1 + Math.floor(random() * 12);
  let s = '';
  for (let i = 0; i < length; i++) {
    s +=
      random() < 0.1
        ? (ESCAPES[Math.floor(random() * ESCAPES.length)] as string)
        : SEGMENT_CHARS[Math.floor(random() * SEGMENT_CHARS.length)];
  }
  return s;
}

export async function family(registry: Registry, name: string): Promise<FamilySnapshot | undefined> {
  return (await registry.snapshot()).find((f) => f.name === name);
}

/** `"GET /users/:id 200"` (then extra label values) -> value, for a counter family. */
export async function counts(registry: Registry, name = 'http_server_requests_total'): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of (await family(registry, name))?.series ?? []) {
    const { method, route, status, ...rest } = s.labels;
    const key = [method, route, status, ...Object.values(rest)].join(' ');
    out[key] = 'value' in s ? s.value : Number.NaN;
  }
  return out;
}

/** `"GET /users/:id 200"` -> { count, sum } for a histogram family. */
export async function histograms(
  registry: Registry,
  name: string,
): Promise<Record<string, { count: number; sum: number }>> {
  const out: Record<string, { count: number; sum: number }> = {};
  for (const s of (await family(registry, name))?.series ?? []) {
    const { method, route, status, ...rest } = s.labels;
    if (!('count' in s)) throw new Error(`${name} is not a histogram`);
    out[[method, route, status, ...Object.values(rest)].join(' ')] = { count: s.count, sum: s.sum };
  }
  return out;
}

/** The in-flight gauge per method. */
export async function inFlight(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of (await family(registry, 'http_server_requests_in_flight'))?.series ?? []) {
    out[s.labels.method as string] = 'value' in s ? s.value : Number.NaN;
  }
  return out;
}

/** Every series of every family in the registry. */
export async function seriesCount(registry: Registry): Promise<number> {
  return (await registry.snapshot()).reduce((n, f) => n + f.series.length, 0);
}

/** Polls `check` until it passes or `timeoutMs` runs out (then its last failure is thrown). */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** A gate that requests wait on until it is opened. */
export function gate(): { wait: () => Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait: () => opened, open };
}

/** Asserts every in-flight series is back at zero. */
export async function expectNothingInFlight(registry: Registry): Promise<void> {
  for (const [method, value] of Object.entries(await inFlight(registry))) {
    expect(value, `in flight for ${method}`).toBe(0);
  }
}
