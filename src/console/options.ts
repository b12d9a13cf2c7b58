import { isIP } from 'node:net';
import { defaultRegistry, type Registry, VigilError } from '../metrics/index.js';
import { defaultAssetsDir } from './static.js';

export interface ConsoleOptions {
  /** The registry `/api/metrics` and the embedded history read. Default: `defaultRegistry`. */
  registry?: Registry;
  /** Prometheus or VictoriaMetrics base URL. Default: `$VIGIL_PROMETHEUS_URL`; none (or '') → embedded mode. */
  prometheusUrl?: string;
  /** Default: `$VIGIL_ALERTMANAGER_URL`. */
  alertmanagerUrl?: string;
  /** Default: `$VIGIL_PUSHGATEWAY_URL`. */
  pushgatewayUrl?: string;
  /** Per-request timeout to the sources. Default 10 000 ms. */
  sourceTimeoutMs?: number;
  /** `startConsole` only. Default `127.0.0.1`. */
  host?: string;
  /** `startConsole` only. Default 9400; 0 picks a free port. */
  port?: number;
  /** When set, the API, the page and `/v1/traces` need `Authorization: Bearer <token>` or the cookie `/?token=` sets. */
  token?: string;
  /**
   * Origins allowed to call the API from a browser (`https://app.example.com`). Default:
   * `$VIGIL_CONSOLE_CORS_ORIGINS` (comma-separated), so each environment sets its own; else none.
   */
  corsOrigins?: readonly string[];
  /** Embedded history length. Default 900 s. */
  historySeconds?: number;
  /** Embedded sampling period. Default 5000 ms. */
  sampleIntervalMs?: number;
  /** Span store count limit. Default 10 000. */
  maxSpans?: number;
  /** Span store age limit. Default 900 s. */
  maxSpanAgeSeconds?: number;
  /** OTLP request body limit, before and after decompression. Default 4 MiB. */
  maxOtlpBodyBytes?: number;
  /** The built web page. Default `<package root>/dist/console/web`. */
  assetsDir?: string;
  /** Where the console is mounted in a bigger app, e.g. `/console`. Default ''. */
  basePath?: string;
}

export interface ResolvedConsoleOptions {
  registry: Registry;
  prometheusUrl: string | undefined;
  alertmanagerUrl: string | undefined;
  pushgatewayUrl: string | undefined;
  sourceTimeoutMs: number;
  host: string;
  port: number;
  token: string | undefined;
  corsOrigins: Set<string>;
  historySeconds: number;
  sampleIntervalMs: number;
  maxSpans: number;
  maxSpanAgeSeconds: number;
  maxOtlpBodyBytes: number;
  assetsDir: string;
  basePath: string;
}

function fail(message: string): never {
  throw new VigilError('VIGIL_ERR_CONSOLE_OPTION', message);
}

function sourceUrl(name: string, value: string | undefined, env: string): string | undefined {
  // '' means "none", even when the environment names one.
  const url = value === '' ? undefined : (value ?? (process.env[env] || undefined));
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail(`${name} URL ${JSON.stringify(url)} is not a URL; pass one like http://127.0.0.1:9090 (option or ${env}).`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    fail(`${name} URL ${url} must be http:// or https://.`);
  }
  return url.replace(/\/+$/, '');
}

function positive(name: string, value: number | undefined, fallback: number, integer = true): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    fail(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}.`);
  }
  return v;
}

/** Checks every option once, before anything listens. */
export function resolveConsoleOptions(options: ConsoleOptions = {}): ResolvedConsoleOptions {
  const port = options.port ?? 9400;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`port must be 0-65535, got ${JSON.stringify(port)}.`);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '' || (isIP(host) === 0 && !/^[a-zA-Z0-9.-]+$/.test(host))) {
    fail(`host ${JSON.stringify(host)} is not an IP address or host name.`);
  }
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.trim() === '')) {
    fail('token is empty; pass a non-empty secret or leave it out.');
  }
  const corsOrigins = new Set<string>();
  for (const origin of options.corsOrigins ?? corsOriginsFromEnv()) {
    if (origin === '*') fail('corsOrigins "*" would let any site read the console; list the origins.');
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin) {
      fail(`CORS origin ${JSON.stringify(origin)} is not an origin; write it like https://app.example.com (no path).`);
    }
    corsOrigins.add(origin);
  }
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  if (basePath !== '' && !/^\/[A-Za-z0-9._~\-/]*$/.test(basePath)) {
    fail(`basePath ${JSON.stringify(options.basePath)} must start with / and hold only URL path characters.`);
  }
  return {
    registry: options.registry ?? defaultRegistry,
    prometheusUrl: sourceUrl('prometheus', options.prometheusUrl, 'VIGIL_PROMETHEUS_URL'),
    alertmanagerUrl: sourceUrl('alertmanager', options.alertmanagerUrl, 'VIGIL_ALERTMANAGER_URL'),
    pushgatewayUrl: sourceUrl('pushgateway', options.pushgatewayUrl, 'VIGIL_PUSHGATEWAY_URL'),
    sourceTimeoutMs: positive('sourceTimeoutMs', options.sourceTimeoutMs, 10_000),
    host,
    port,
    token: options.token,
    corsOrigins,
    historySeconds: positive('historySeconds', options.historySeconds, 900, false),
    sampleIntervalMs: positive('sampleIntervalMs', options.sampleIntervalMs, 5000),
    maxSpans: positive('maxSpans', options.maxSpans, 10_000),
    maxSpanAgeSeconds: positive('maxSpanAgeSeconds', options.maxSpanAgeSeconds, 900, false),
    maxOtlpBodyBytes: positive('maxOtlpBodyBytes', options.maxOtlpBodyBytes, 4 * 1024 * 1024),
    assetsDir: options.assetsDir ?? defaultAssetsDir(),
    basePath,
  };
}

function corsOriginsFromEnv(): string[] {
  const list = process.env.VIGIL_CONSOLE_CORS_ORIGINS ?? '';
  return list
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}
