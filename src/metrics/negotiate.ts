import { contentTypeOf, type Format } from './exposition.js';

export interface Negotiated {
  format: Format;
  contentType: string;
  /** Compress the body with gzip (and say `Content-Encoding: gzip`). */
  gzip: boolean;
}

/**
 * Everything a metrics endpoint decides from the request headers, in one call.
 *
 * @example
 * const { format, contentType, gzip } = negotiate(req.headers.accept, req.headers['accept-encoding']);
 */
export function negotiate(accept: string | null | undefined, acceptEncoding?: string | null): Negotiated {
  const format = negotiateFormat(accept);
  return { format, contentType: contentTypeOf(format), gzip: acceptsGzip(acceptEncoding) };
}

interface MediaRange {
  type: string;
  version: string | undefined;
  q: number;
}

/**
 * Picks the exposition format from an `Accept` header, honouring q-values. OpenMetrics
 * is chosen when it is acceptable (any version we can speak) and ranked at least as high
 * as text; anything else, including no header, gets text 0.0.4, as client_golang does.
 */
export function negotiateFormat(accept: string | null | undefined): Format {
  if (!accept) return 'text';
  let openMetrics = -1;
  let text = -1;
  for (const range of parseAccept(accept)) {
    if (range.type === 'application/openmetrics-text') {
      if (range.version === undefined || range.version === '1.0.0' || range.version === '0.0.1') {
        openMetrics = Math.max(openMetrics, range.q);
      }
    } else if (range.type === 'text/plain') {
      if (range.version === undefined || range.version === '0.0.4') text = Math.max(text, range.q);
    } else if (range.type === '*/*' || range.type === 'text/*') {
      text = Math.max(text, range.q);
    }
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'text';
}

/** True when `Accept-Encoding` allows gzip (q > 0), directly or through `*`. */
export function acceptsGzip(acceptEncoding: string | null | undefined): boolean {
  if (!acceptEncoding) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = qOf(params);
    if (coding === 'gzip' || coding === 'x-gzip') gzip = q;
    else if (coding === '*') any = q;
  }
  return (gzip ?? any ?? 0) > 0;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [type, ...params] = part.split(';').map((p) => p.trim());
    if (!type) continue;
    let version: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq > 0 && param.slice(0, eq).trim().toLowerCase() === 'version') {
        version = param
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, '');
      }
    }
    ranges.push({ type: type.toLowerCase(), version, q: qOf(params) });
  }
  return ranges;
}

function qOf(params: readonly string[]): number {
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq > 0 && param.slice(0, eq).trim().toLowerCase() === 'q') {
      const q = Number(param.slice(eq + 1).trim());
      return Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0;
    }
  }
  return 1;
}
