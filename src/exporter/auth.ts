import { createHash, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../metrics/errors.js';

/** Who may read the metrics: a bearer token, or a basic-auth user. */
export type MetricsAuth = { bearer: string } | { basic: { username: string; password: string } };

/** Decides from an `Authorization` header; `challenge` is the `WWW-Authenticate` value. */
export interface AuthCheck {
  readonly challenge: string;
  allows(authorization: string | null | undefined): boolean;
}

/**
 * Compiles the auth option once. Credentials are compared as SHA-256 digests with
 * `timingSafeEqual`: equal lengths, and no early exit that would time out a guess.
 * Returns null when no auth is asked, so a request pays one check.
 */
export function compileAuth(auth: MetricsAuth | undefined): AuthCheck | null {
  if (auth === undefined) return null;
  if (typeof auth !== 'object' || auth === null) {
    throw new VigilError(
      'VIGIL_ERR_EXPORTER_OPTION',
      'auth must be { bearer: token } or { basic: { username, password } }.',
    );
  }
  if ('bearer' in auth) {
    if (typeof auth.bearer !== 'string' || auth.bearer === '') {
      throw new VigilError('VIGIL_ERR_EXPORTER_OPTION', 'auth.bearer must be a non-empty token string.');
    }
    const expected = digest(auth.bearer);
    return {
      challenge: 'Bearer realm="metrics"',
      allows(header) {
        const token = credentials(header, 'bearer');
        return token !== undefined && timingSafeEqual(digest(token), expected);
      },
    };
  }
  const basic = (auth as { basic?: { username?: unknown; password?: unknown } }).basic;
  if (typeof basic?.username !== 'string' || basic.username === '' || typeof basic.password !== 'string') {
    throw new VigilError(
      'VIGIL_ERR_EXPORTER_OPTION',
      'auth.basic must be { username, password } with a non-empty username and a string password.',
    );
  }
  const user = digest(basic.username);
  const password = digest(basic.password);
  return {
    challenge: 'Basic realm="metrics", charset="UTF-8"',
    allows(header) {
      const encoded = credentials(header, 'basic');
      if (encoded === undefined) return false;
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return false;
      // Both comparisons run whatever the first one says.
      const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), user);
      const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), password);
      return userOk && passwordOk;
    },
  };
}

/** The credentials after `<scheme> ` (scheme case-insensitive), or undefined. */
function credentials(header: string | null | undefined, scheme: string): string | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== scheme) return undefined;
  return header.slice(space + 1).trim();
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
