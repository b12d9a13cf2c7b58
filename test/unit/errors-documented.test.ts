import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/metrics/index.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...doc.matchAll(/`(VIGIL_(?:ERR|WARN)_[A-Z_]+)`/g)].map((m) => m[1]));

describe('error codes', () => {
  it('documents every code the code base defines', () => {
    const missing = Object.keys(ErrorCodes).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    const known = new Set<string>([
      ...Object.keys(ErrorCodes),
      'VIGIL_WARN_SERIES_OVERFLOW',
      'VIGIL_WARN_TRACING_REUSED',
    ]);
    const stale = [...documented].filter((code) => !known.has(code as string));
    expect(stale).toEqual([]);
  });
});
