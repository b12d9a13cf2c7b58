import { VigilError } from '../metrics/errors.js';

/** Options every client takes. */
export interface ClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:9090`. */
  url: string;
  /** Per-request timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /** Extra request headers (e.g. `authorization`). */
  headers?: Record<string, string>;
}

export interface ResolvedClient {
  base: string;
  timeoutMs: number;
  headers: Record<string, string>;
}

/** Checks the options once, at construction, so a request never meets a bad URL. */
export function resolveClient(kind: string, options: ClientOptions): ResolvedClient {
  if (options === null || typeof options !== 'object' || typeof options.url !== 'string') {
    throw new VigilError('VIGIL_ERR_QUERY_OPTION', `${kind}Client needs { url: 'http://host:port' }.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new VigilError(
      'VIGIL_ERR_QUERY_OPTION',
      `${kind} url ${JSON.stringify(options.url)} is not a URL; pass one like http://127.0.0.1:9090.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new VigilError('VIGIL_ERR_QUERY_OPTION', `${kind} url ${options.url} must be http:// or https://.`);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new VigilError('VIGIL_ERR_QUERY_OPTION', `${kind} timeoutMs must be a positive number, got ${timeoutMs}.`);
  }
  return { base: options.url.replace(/\/+$/, ''), timeoutMs, headers: { ...options.headers } };
}

/** A failure that carries what the API layer needs: HTTP status and Prometheus' errorType. */
export class QueryError extends VigilError {
  constructor(
    code: 'VIGIL_ERR_QUERY_FAILED' | 'VIGIL_ERR_SOURCE_UNREACHABLE',
    message: string,
    /** The source's HTTP status; undefined when it did not answer. */
    readonly status: number | undefined,
    /** Prometheus' `errorType` (`bad_data`, `execution`, `timeout`, ...). */
    readonly errorType: string | undefined,
    /** The source's own error text, without Vigil's prefix. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'QueryError';
  }
}

export type Params = Record<string, string | number | readonly string[] | undefined>;

function searchOf(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (typeof value === 'object') for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * GET `path` and parse JSON. Network errors and timeouts become VIGIL_ERR_SOURCE_UNREACHABLE;
 * a caller's abort is rethrown as is (an AbortError), so callers can tell the two apart.
 */
export async function getJson(
  kind: string,
  client: ResolvedClient,
  path: string,
  params: Params = {},
  signal?: AbortSignal,
): Promise<{ status: number; body: unknown }> {
  const url = `${client.base}${path}${searchOf(params)}`;
  const timeout = AbortSignal.timeout(client.timeoutMs);
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...client.headers }, signal: combined });
    text = await res.text();
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error;
    const why = timeout.aborted
      ? `no answer within ${client.timeoutMs} ms`
      : ((error as { cause?: { code?: string; message?: string } }).cause?.code ?? (error as Error).message);
    throw new QueryError(
      'VIGIL_ERR_SOURCE_UNREACHABLE',
      `${kind} at ${client.base} is unreachable (${why}); check that it runs and the URL is right.`,
      undefined,
      undefined,
      why,
      { cause: error },
    );
  }
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new QueryError(
      'VIGIL_ERR_QUERY_FAILED',
      `${kind} ${path} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`,
      res.status,
      undefined,
      text.slice(0, 200),
    );
  }
}
