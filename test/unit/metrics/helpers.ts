import { expect } from 'vitest';
import { type ErrorCode, ErrorCodes, VigilError } from '../../../src/metrics/index.js';

/** The VigilError `fn` throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    const e = error as VigilError;
    expect(Object.keys(ErrorCodes)).toContain(e.code);
    expect(e.message.startsWith(`${e.code}: `)).toBe(true);
    return e;
  }
  throw new Error('expected the call to throw a VigilError, it returned');
}

/** The code of the VigilError `fn` throws. */
export function codeOf(fn: () => unknown): ErrorCode {
  return thrown(fn).code;
}

/** The VigilError a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<VigilError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    return error as VigilError;
  }
  throw new Error('expected the promise to reject with a VigilError, it resolved');
}

/** A small seeded PRNG (mulberry32): the same numbers on every run. */
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

/** Lines of an exposition text that start with `prefix`. */
export function linesOf(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix));
}
