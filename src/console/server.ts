import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Registry } from '../metrics/index.js';
import { handleApi } from './api.js';
import { type ConsoleContext, createContext } from './context.js';
import type { History } from './history.js';
import { type ConsoleOptions, resolveConsoleOptions } from './options.js';
import { receiveTraces } from './otlp.js';
import { HttpError, sendError } from './respond.js';
import { handleCors, presentedToken, setSecurityHeaders, tokenCookie, tokenDigest, tokenMatches } from './security.js';
import type { SpanStore } from './spans.js';
import { missingAssetsPage, serveStatic } from './static.js';

/** A node:http listener serving the console, plus what it owns. */
export interface ConsoleHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Receives OTLP spans and in-process spans (`consoleSpanProcessor(handler.spanStore)`). */
  readonly spanStore: SpanStore;
  /** The embedded history; undefined in Prometheus mode. */
  readonly history: History | undefined;
  readonly mode: 'prometheus' | 'embedded';
  readonly registry: Registry;
  /** Stops the history sampling and the event-loop monitor. */
  close(): void;
}

function unauthorized(res: ServerResponse, api: boolean): void {
  if (api) {
    res.setHeader('www-authenticate', 'Bearer realm="vigil-console"');
    sendError(
      res,
      401,
      'VIGIL_ERR_CONSOLE_AUTH',
      'this console needs its token: send Authorization: Bearer <token>, or open the page once as /?token=<token>.',
    );
    return;
  }
  res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    '<!doctype html><meta charset="utf-8"><title>Vigil console: token needed</title><h1>Token needed</h1><p>Open this page as <code>/?token=&lt;token&gt;</code> with the token the console was started with.</p>\n',
  );
}

function checkRawPath(raw: string): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'VIGIL_ERR_CONSOLE_REQUEST', 'the path is not valid percent-encoding.');
  }
  if (decoded.includes('\0') || decoded.split(/[/\\]/).includes('..')) {
    throw new HttpError(
      400,
      'VIGIL_ERR_CONSOLE_REQUEST',
      'the path leaves the console; request a page file or an /api/ route.',
    );
  }
}

function route(ctx: ConsoleContext, req: IncomingMessage, res: ServerResponse): void | Promise<void> {
  const { options } = ctx;
  setSecurityHeaders(res);
  if (handleCors(req, res, options.corsOrigins)) return;
  // Checked on the raw path: URL parsing would quietly resolve `/%2e%2e/` to `/`.
  checkRawPath((req.url ?? '/').split('?')[0] as string);
  const url = new URL(req.url ?? '/', 'http://console.invalid');
  let path = url.pathname;
  if (options.basePath !== '' && (path === options.basePath || path.startsWith(`${options.basePath}/`))) {
    path = path.slice(options.basePath.length);
    if (path === '' && req.method === 'GET') {
      // The page loads ./api/... relative to itself: it must end with a slash.
      res.writeHead(308, { location: `${options.basePath}/${url.search}` });
      res.end();
      return;
    }
  }
  if (path === '') path = '/';
  const api = path.startsWith('/api/') || path === '/api';
  const otlp = path === '/v1/traces';

  if (options.token !== undefined) {
    const expected = tokenDigest(options.token);
    const fromQuery = !api && !otlp ? url.searchParams.get('token') : null;
    if (fromQuery !== null) {
      if (!tokenMatches(expected, fromQuery)) return unauthorized(res, false);
      // Trade the query token for a cookie, and drop it from the address bar and history.
      url.searchParams.delete('token');
      res.writeHead(303, {
        'set-cookie': tokenCookie(options.token, options.basePath === '' ? '/' : options.basePath),
        location: `${options.basePath}${path}${url.search}`,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    if (!tokenMatches(expected, presentedToken(req))) return unauthorized(res, api || otlp);
  }

  if (otlp) return receiveTraces(req, res, ctx.spans, options.maxOtlpBodyBytes);
  if (api) return handleApi(ctx, req, res, path, url);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    sendError(res, 405, 'VIGIL_ERR_CONSOLE_REQUEST', `${req.method} is not allowed on the console page.`);
    return;
  }
  if (!existsSync(join(options.assetsDir, 'index.html'))) {
    if (path === '/' || path === '/index.html') {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(missingAssetsPage(options.assetsDir));
      return;
    }
  }
  serveStatic(res, options.assetsDir, path, req.method === 'HEAD');
}

/**
 * The console as a node:http listener: the JSON API under `/api/`, the OTLP/HTTP receiver
 * at `/v1/traces` and the built web page. Mount it in any node or Express app (strip or
 * pass `basePath`). Call `close()` when done.
 *
 * @example
 * const consoleHandler = consoleHandler({ basePath: '/console' });
 * createServer((req, res) => req.url?.startsWith('/console') ? consoleHandler(req, res) : app(req, res));
 */
export function consoleHandler(options: ConsoleOptions = {}): ConsoleHandler {
  const ctx = createContext(resolveConsoleOptions(options));
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    try {
      const pending = route(ctx, req, res);
      if (pending) pending.catch((error: unknown) => fail(res, error));
    } catch (error) {
      fail(res, error);
    }
  };
  return Object.assign(handler, {
    spanStore: ctx.spans,
    history: ctx.history,
    mode: ctx.prometheus ? ('prometheus' as const) : ('embedded' as const),
    registry: ctx.options.registry,
    close: () => ctx.close(),
  });
}

function fail(res: ServerResponse, error: unknown): void {
  if (error instanceof HttpError) sendError(res, error.status, error.code, error.message, error.extra);
  else
    sendError(
      res,
      500,
      'VIGIL_ERR_CONSOLE_INTERNAL',
      `the console failed: ${(error as Error)?.message ?? String(error)}`,
    );
}

export interface RunningConsole {
  /** `http://127.0.0.1:9400/` (with the base path). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly spanStore: SpanStore;
  readonly history: History | undefined;
  readonly mode: 'prometheus' | 'embedded';
  readonly handler: ConsoleHandler;
  /** Stops listening, closes open connections and the handler. */
  close(): Promise<void>;
}

/**
 * Starts the console on its own server, on 127.0.0.1:9400 unless told otherwise.
 *
 * @example
 * const running = await startConsole({ port: 0 });
 * console.log(`console at ${running.url}`);
 * await running.close();
 */
export async function startConsole(options: ConsoleOptions = {}): Promise<RunningConsole> {
  const resolved = resolveConsoleOptions(options);
  const handler = consoleHandler(options);
  const server = createServer(handler);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    handler.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port;
  const shownHost = resolved.host === '0.0.0.0' || resolved.host === '::' ? '127.0.0.1' : resolved.host;
  const hostPart = shownHost.includes(':') ? `[${shownHost}]` : shownHost;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPart}:${port}${resolved.basePath}/`,
    port,
    host: resolved.host,
    spanStore: handler.spanStore,
    history: handler.history,
    mode: handler.mode,
    handler,
    close() {
      closing ??= new Promise<void>((resolve) => {
        handler.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
