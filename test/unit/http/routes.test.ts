import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../src/http/node/routes.js';
import { VigilError } from '../../../src/metrics/index.js';

describe('compileRoutes (node adapter route templates)', () => {
  const match = compileRoutes([
    '/',
    '/users',
    '/users/me',
    '/users/:id',
    '/users/:id/posts/:post',
    '/static/*',
    '/orgs/:org/settings',
    '/orgs/billing/:invoice',
  ]);

  it.each([
    ['/', '/'],
    ['/users', '/users'],
    ['/users/', '/users'],
    ['/users/me', '/users/me'],
    ['/users/42', '/users/:id'],
    ['/users/42/', '/users/:id'],
    ['/users/42/posts/7', '/users/:id/posts/:post'],
    ['/static/a', '/static/*'],
    ['/static/a/b/c.css', '/static/*'],
    // A static segment that leads nowhere gives way to the parameter (backtracking).
    ['/orgs/billing/settings', '/orgs/billing/:invoice'],
    ['/orgs/acme/settings', '/orgs/:org/settings'],
  ])('%s -> %s', (path, template) => {
    expect(match(path)).toBe(template);
  });

  it.each([
    '/nope',
    '/users/42/posts',
    '/users/42/extra/segments',
    '/static',
    '/static/',
    '/users//posts/7',
    '/orgs/acme',
  ])('%s matches nothing', (path) => {
    expect(match(path)).toBeUndefined();
  });

  it('lets the first of two equivalent templates win', () => {
    expect(compileRoutes(['/a/:x', '/a/:y'])('/a/1')).toBe('/a/:x');
  });

  it('matches the same with many static segments under one node (looked up, not scanned)', () => {
    const names = Array.from({ length: 20 }, (_, i) => `section${i}`);
    const many = compileRoutes([...names.map((n) => `/${n}/:id`), '/:page', '/section1x']);
    for (const n of names) expect(many(`/${n}/7`)).toBe(`/${n}/:id`);
    expect(many('/section1x')).toBe('/section1x');
    expect(many('/section1')).toBe('/:page');
    expect(many('/section')).toBe('/:page');
    expect(many('/section1/7/8')).toBeUndefined();
    // Few segments: a prefix or a longer segment is no match.
    const few = compileRoutes(['/ab/:x', '/abc', '/:y']);
    expect(few('/a')).toBe('/:y');
    expect(few('/abc')).toBe('/abc');
    expect(few('/abcd')).toBe('/:y');
    expect(few('/ab/1')).toBe('/ab/:x');
  });

  it('matches a parameter only on a non-empty segment', () => {
    expect(compileRoutes(['/a/:x/b'])('/a//b')).toBeUndefined();
  });

  it.each([
    [['users'], /starting with "\/"/],
    [[42], /starting with "\/"/],
    [['/a/*/b'], /"\*" may only be the last segment/],
    [['/a/:'], /a parameter needs a name/],
  ])('rejects %j', (templates, message) => {
    let error: unknown;
    try {
      compileRoutes(templates as string[]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_ERR_INVALID_OPTION');
    expect((error as VigilError).message).toMatch(message);
  });

  it('rejects routes that are not an array', () => {
    expect(() => compileRoutes('/users/:id' as unknown as string[])).toThrow(/routes must be an array/);
  });
});
