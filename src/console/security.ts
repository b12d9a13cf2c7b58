import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The page is a bundle served from the console itself: scripts and connections only to
 * 'self'; uPlot sets inline styles, hence 'unsafe-inline' for styles only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Set on every response, errors and static files included. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

/**
 * CORS for the listed origins only. Returns true when the request was a preflight and has
 * been answered (204 when allowed, 403 when not).
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, origins: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && (origins.has(origin) || origins.has('*'));
  res.setHeader('vary', 'Origin');
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
  }
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  if (!allowed) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`origin ${origin ?? '(none)'} is not allowed; add it to the console's corsOrigins.\n`);
    return true;
  }
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type, content-encoding',
    'access-control-max-age': '600',
  });
  res.end();
  return true;
}

export const TOKEN_COOKIE = 'vigil_console_token';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares a presented token with the configured one in constant time. */
export function tokenMatches(expected: Buffer, presented: string | undefined): boolean {
  if (presented === undefined || presented === '') return false;
  return timingSafeEqual(expected, digest(presented));
}

export function tokenDigest(token: string): Buffer {
  return digest(token);
}

/** The token a request carries: `Authorization: Bearer ...`, else the console's cookie. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const cookies = req.headers.cookie;
  if (cookies === undefined) return undefined;
  for (const part of cookies.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The cookie `/?token=...` sets so the page's own requests carry the token. */
export function tokenCookie(token: string, path: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=${path}; HttpOnly; SameSite=Strict`;
}
