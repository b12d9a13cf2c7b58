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
