import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VigilError } from '../metrics/errors.js';
import { defaultRegistry, type Registry } from '../metrics/registry.js';
import type { MetricsAuth } from './auth.js';
import { type MetricsHandler, metricsHandler } from './handler.js';
import type { MetricsHandlerOptions, ScrapeInfo } from './options.js';
import { plain, type Reply } from './respond.js';
import { disabledReason, type MetricsServerStatus } from './status.js';

export interface MetricsServerOptions extends MetricsHandlerOptions {
  /** Default 9464 (the port registered for Prometheus exporters of OpenTelemetry). 0 picks a free one. */
  port?: number;
  /** Default '127.0.0.1': only this machine. Use '0.0.0.0' to be scraped from elsewhere. */
  host?: string;
  /** Where the metrics are served; default '/metrics'. */
  path?: string;
  registry?: Registry;
  auth?: MetricsAuth;
  /**
   * Default true; false starts nothing. The environment variable `VIGIL_METRICS_ENABLED`
   * set to false, 0, no or off also starts nothing, even over `enabled: true`: it is the
   * operator's off switch.
   */
  enabled?: boolean;
  /**
   * Default false: a start failure only marks the status degraded, and the application
   * goes on. True: an invalid option throws, and a failed listen rejects `ready`, with a
   * VigilError `VIGIL_ERR_SERVER_START`.
   */
  failFast?: boolean;
  /** Let the process exit while the server still listens (for scripts and batch jobs). Default false. */
  unref?: boolean;
}

export interface MetricsServer {
  /** A snapshot of the server's state; cheap, call it from a status endpoint. */
  status(): MetricsServerStatus;
  /**
   * Settles once the server listens, failed to, or was disabled. Resolves with the
   * status; rejects only with `failFast` when the server could not listen.
   */
  readonly ready: Promise<MetricsServerStatus>;
  /** Stops listening and closes open connections; resolves when the port is free. Idempotent. */
  close(): Promise<void>;
}

const HEALTHY = 'Vigil metrics server is Healthy.\n';
const READY = 'Vigil metrics server is Ready.\n';

/**
 * Starts an HTTP server for Prometheus on its own port, beside whatever the application
 * serves: the registry at `path`, plus `/-/healthy` and `/-/ready`. It never blocks and,
 * unless `failFast`, never throws: a port in use marks `status()` degraded with the reason.
 *
 * @example
 * import { startMetricsServer } from 'vigil/exporter';
 *
 * const metrics = startMetricsServer({ port: 9464, auth: { bearer: process.env.METRICS_TOKEN } });
 * const status = await metrics.ready;
 * if (status.degraded) console.warn(`metrics unavailable: ${status.degradationReason}`);
 * // on shutdown
 * await metrics.close();
 */
export function startMetricsServer(options: MetricsServerOptions = {}): MetricsServer {
  const state: MetricsServerStatus = {
    enabled: true,
    serverStarted: false,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 9464,
    path: options.path ?? '/metrics',
    degraded: false,
    degradationReason: null,
    scrapesServed: 0,
    lastScrapeDurationSeconds: null,
    seriesCount: 0,
  };
  const status = (): MetricsServerStatus => ({ ...state });

  const disabled = disabledReason(options.enabled, process.env.VIGIL_METRICS_ENABLED);
  if (disabled !== null) {
    state.enabled = false;
    state.degradationReason = disabled;
    return { status, ready: Promise.resolve(status()), close: async () => {} };
  }

  let handler: MetricsHandler;
  try {
    checkServerOptions(state);
    handler = metricsHandler(options.registry ?? defaultRegistry, { ...options, onScrape: track(state, options) });
  } catch (error) {
    if (options.failFast === true) throw startError(state, error);
    degrade(state, error);
    return { status, ready: Promise.resolve(status()), close: async () => {} };
  }

  const server = createServer(route(state.path, handler));
  const ready = listen(server, state, options.failFast === true);
  if (options.unref === true) server.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= ready
      .catch(() => undefined)
      .then(
        () =>
          new Promise<void>((resolve) => {
            if (!server.listening) {
              resolve();
              return;
            }
            server.close(() => resolve());
            // Prometheus keeps its connection alive; without this close() waits for it.
            server.closeAllConnections();
          }),
      )
      .finally(() => {
        state.serverStarted = false;
      });
    return closing;
  };
  return { status, ready, close };
}

function listen(server: Server, state: MetricsServerStatus, failFast: boolean): Promise<MetricsServerStatus> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => {
      degrade(state, error);
      if (failFast) reject(startError(state, error));
      else resolve({ ...state });
    };
    server.once('error', failed);
    try {
      server.listen({ port: state.port, host: state.host }, () => {
        server.off('error', failed);
        // A server error after start (rare: e.g. EMFILE on accept) degrades, never crashes.
        server.on('error', (error) => degrade(state, error));
        state.serverStarted = true;
        state.port = (server.address() as AddressInfo).port;
        resolve({ ...state });
      });
    } catch (error) {
      server.off('error', failed);
      failed(error as Error);
    }
  });
}

/** The request listener: metrics at `path`, the two probes, 404 elsewhere. */
function route(path: string, handler: MetricsHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return function metricsServer(req, res) {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const pathname = query < 0 ? url : url.slice(0, query);
    if (pathname === path) {
      handler(req, res);
      return;
    }
    if (pathname === '/-/healthy' || pathname === '/-/ready') {
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        write(res, plain(405, 'Method Not Allowed: use GET or HEAD.\n', { Allow: 'GET, HEAD' }), false);
      } else {
        write(res, plain(200, pathname === '/-/healthy' ? HEALTHY : READY), method === 'HEAD');
      }
      return;
    }
    write(res, plain(404, `Not Found. Metrics are served at ${path}.\n`), req.method === 'HEAD');
  };
}

function write(res: ServerResponse, reply: Reply, head: boolean): void {
  res.writeHead(reply.status, reply.headers);
  res.end(head ? undefined : (reply.body ?? undefined));
}

function track(state: MetricsServerStatus, options: MetricsHandlerOptions): (info: ScrapeInfo) => void {
  const user = options.onScrape;
  return (info) => {
    if (info.status === 200) {
      state.scrapesServed++;
      state.lastScrapeDurationSeconds = info.durationSeconds;
      state.seriesCount = info.seriesCount;
    }
    user?.(info);
  };
}

function checkServerOptions(state: MetricsServerStatus): void {
  const { port, host, path } = state;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new VigilError('VIGIL_ERR_EXPORTER_OPTION', `port must be an integer from 0 to 65535, not ${port}.`);
  }
  if (typeof host !== 'string' || host === '') {
    throw new VigilError('VIGIL_ERR_EXPORTER_OPTION', 'host must be a non-empty string such as "127.0.0.1".');
  }
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('/-/')) {
    throw new VigilError(
      'VIGIL_ERR_EXPORTER_OPTION',
      `path must start with "/" and not with "/-/" (the probes live there), not ${JSON.stringify(path)}.`,
    );
  }
}

function degrade(state: MetricsServerStatus, error: unknown): void {
  state.degraded = true;
  state.serverStarted = false;
  state.degradationReason = error instanceof Error ? error.message : String(error);
}

function startError(state: MetricsServerStatus, error: unknown): VigilError {
  const reason = error instanceof Error ? error.message : String(error);
  return new VigilError(
    'VIGIL_ERR_SERVER_START',
    `the metrics server on ${state.host}:${state.port}${state.path} could not start: ${reason}`,
    { cause: error },
  );
}
