import { describe, expect, it } from 'vitest';
import { groupingPath, groupingSegment } from '../../../src/push/index.js';
import { thrown } from '../metrics/helpers.js';

// Expected strings are computed by hand (RFC 4648 §5 url-safe base64 without padding,
// RFC 3986 percent-encoding of UTF-8), not by the code under test.
describe('groupingSegment', () => {
  it.each([
    ['a value with a slash goes as url-safe base64', 'feature/x', 'branch@base64/ZmVhdHVyZS94'],
    ['a lone slash', '/', 'branch@base64/Lw'],
    ['several slashes', 'a/b/c', 'branch@base64/YS9iL2M'],
    ['url-safe alphabet: - instead of +', '??>/', 'branch@base64/Pz8-Lw'],
    ['non-ASCII with a slash: UTF-8 bytes', 'é/ü', 'branch@base64/w6kvw7w'],
    ['an empty value is "="', '', 'branch@base64/='],
    ['"." would be removed by URL parsing', '.', 'branch@base64/Lg'],
    ['".." would be resolved by URL parsing', '..', 'branch@base64/Li4'],
    ['non-ASCII without a slash is percent-encoded UTF-8', 'Zürich', 'branch/Z%C3%BCrich'],
    ['astral characters', '🚀', 'branch/%F0%9F%9A%80'],
    ['reserved characters', 'a b?c#d%e&f+g@h', 'branch/a%20b%3Fc%23d%25e%26f%2Bg%40h'],
    ['sub-delims and unreserved marks', "x;y=z:w,v!'()*~-_.", "branch/x%3By%3Dz%3Aw%2Cv!'()*~-_."],
    ['a backslash (which URL parsers treat as "/")', 'a\\b', 'branch/a%5Cb'],
    ['"..." is an ordinary segment', '...', 'branch/...'],
    ['plain ASCII is unchanged', 'main-2024_01', 'branch/main-2024_01'],
  ])('%s', (_, value, expected) => {
    expect(groupingSegment('branch', value)).toBe(expected);
  });
});

describe('groupingPath', () => {
  it('starts with the job and sorts the grouping labels by name', () => {
    expect(groupingPath('nightly', { runner: 'ci-1', branch: 'feature/x', env: '' })).toBe(
      '/metrics/job/nightly/branch@base64/ZmVhdHVyZS94/env@base64/=/runner/ci-1',
    );
  });

  it('encodes the job like any value', () => {
    expect(groupingPath('team/backup')).toBe('/metrics/job@base64/dGVhbS9iYWNrdXA');
    expect(groupingPath('sauvegarde été')).toBe('/metrics/job/sauvegarde%20%C3%A9t%C3%A9');
  });

  it.each([
    ['an empty job', () => groupingPath('')],
    ['a job that is not a string', () => groupingPath(undefined as never)],
    ['a label name with a dash', () => groupingPath('j', { 'a-b': 'x' })],
    ['a label name starting with a digit', () => groupingPath('j', { '1a': 'x' })],
    ['a label name starting with __', () => groupingPath('j', { __x: 'x' })],
    ['job repeated in groupings', () => groupingPath('j', { job: 'x' })],
    ['a label name with @base64', () => groupingPath('j', { 'a@base64': 'x' })],
    ['a value that is not a string', () => groupingPath('j', { a: 1 as never })],
    ['groupings that are not an object', () => groupingPath('j', 'a' as never)],
  ])('refuses %s with VIGIL_ERR_PUSH_OPTION', (_, build) => {
    const error = thrown(build);
    expect(error.code).toBe('VIGIL_ERR_PUSH_OPTION');
    expect(error.message.length).toBeGreaterThan(40);
  });
});
