import type { Format } from '../metrics/exposition.js';
import { negotiate } from '../metrics/negotiate.js';
import type { Registry } from '../metrics/registry.js';
import { type AuthCheck, compileAuth } from './auth.js';
import { type MetricsHandlerOptions, resolveHandlerOptions, type ScrapeInfo } from './options.js';
import { type Scraped, scrape } from './scrape.js';

/** The parts of a request a metrics endpoint reads, whatever the framework. */
export interface ScrapeRequest {
  method: string;
  accept: string | null | undefined;
  acceptEncoding: string | null | undefined;
  authorization: string | null | undefined;
}

/** A response to write, whatever the framework. `body` is null for HEAD. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string | null;
}

const TEXT_PLAIN = 'text/plain; charset=utf-8';
const NO_STORE = 'no-store';

/**
 * The protocol of a metrics endpoint, decided once at setup and shared by the node:http
 * and fetch handlers: method, auth, negotiation, scrape, reply. The returned function
 * never rejects; anything unexpected becomes a 500 with a plain-text reason.
 *
 * Concurrent scrapes asking for the same format and encoding share one gather and one
 * encode: a burst of scrapers (several Prometheus replicas) costs one scrape.
 */
export function createResponder(
  registry: Registry,
  options: MetricsHandlerOptions = {},
): (request: ScrapeRequest) => Promise<Reply> {
  const { onCollectError, sliceMs, onScrape } = resolveHandlerOptions(options);
  const auth = compileAuth(options.auth);
  const fail = onCollectError === 'fail';
  const inflight = new Map<string, Promise<Scraped>>();

  const shared = (format: Format, gzip: boolean): Promise<Scraped> => {
    const key = `${format}:${gzip}`;
    let pending = inflight.get(key);
    if (pending === undefined) {
      pending = scrape(registry, format, gzip, fail, sliceMs).finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    return pending;
  };

  return async function respond(request: ScrapeRequest): Promise<Reply> {
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      return plain(405, 'Method Not Allowed: use GET or HEAD.\n', { Allow: 'GET, HEAD' });
    }
    if (auth !== null && !allowed(auth, request.authorization)) {
      return plain(401, 'Unauthorized.\n', { 'WWW-Authenticate': auth.challenge });
    }
    const { format, contentType, gzip } = negotiate(request.accept, request.acceptEncoding);
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      'Cache-Control': NO_STORE,
      Vary: 'Accept, Accept-Encoding',
    };
    if (gzip) headers['Content-Encoding'] = 'gzip';
    // HEAD answers what a GET would send, without running a scrape (no Content-Length).
    if (method === 'HEAD') return { status: 200, headers, body: null };

    let scraped: Scraped | undefined;
    let reply: Reply;
    try {
      scraped = await shared(format, gzip);
      if (scraped.ok) {
        headers['Content-Length'] = String(scraped.body.length);
        reply = { status: 200, headers, body: scraped.body };
      } else {
        reply = plain(500, `Metrics scrape failed: ${scraped.error.message}\n`);
      }
    } catch (error) {
      reply = plain(500, `Metrics scrape failed unexpectedly: ${describe(error)}\n`);
    }
    if (onScrape !== null) report(onScrape, reply, format, gzip, scraped);
    return reply;
  };
}

function allowed(auth: AuthCheck, authorization: string | null | undefined): boolean {
  try {
    return auth.allows(authorization);
  } catch {
    return false;
  }
}

function report(
  onScrape: (info: ScrapeInfo) => void,
  reply: Reply,
  format: Format,
  gzip: boolean,
  scraped: Scraped | undefined,
): void {
  try {
    onScrape({
      status: reply.status,
      format,
      gzip,
      durationSeconds: scraped?.durationSeconds ?? 0,
      seriesCount: scraped?.seriesCount ?? 0,
      bytes: reply.body === null ? 0 : Buffer.byteLength(reply.body),
      errors: scraped?.errors ?? [],
    });
  } catch {
    // A broken observer must not break the endpoint.
  }
}

/** A small plain-text reply: errors, 401, 405. Never carries metric data. */
export function plain(status: number, body: string, extra: Record<string, string> = {}): Reply {
  return {
    status,
    headers: {
      'Content-Type': TEXT_PLAIN,
      'Cache-Control': NO_STORE,
      'Content-Length': String(Buffer.byteLength(body)),
      ...extra,
    },
    body,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
