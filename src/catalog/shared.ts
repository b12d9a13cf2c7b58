import { defaultRegistry, type Registry, VigilError } from '../metrics/index.js';

/** Options every metric set takes. */
export interface CatalogOptions {
  /** Registry to register in. Default: the default registry. */
  registry?: Registry;
  /** Prepended to every metric name (`myapp_` → `myapp_db_queries_total`). */
  prefix?: string;
  /** Buckets of the set's main duration histogram; each set documents its default. */
  buckets?: readonly number[];
  /** Series limit of each labelled metric; label sets beyond it fold into one overflow series. */
  maxSeries?: number;
}

/** How a timed call ended. */
export type Outcome = 'success' | 'error';
export const OUTCOMES: readonly Outcome[] = ['success', 'error'];

const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The registry and a name function for a set's options. */
export function resolve(options: CatalogOptions): {
  registry: Registry;
  name: (base: string) => string;
  limit: { maxSeries?: number };
} {
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || (prefix !== '' && !PREFIX.test(prefix))) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_NAME',
      `metric prefix ${JSON.stringify(prefix)} is invalid: use letters, digits, '_' and ':', not starting with a digit (for example "myapp_").`,
    );
  }
  return {
    registry: options.registry ?? defaultRegistry,
    name: (base) => `${prefix}${base}`,
    limit: options.maxSeries === undefined ? {} : { maxSeries: options.maxSeries },
  };
}

/** A set's metric names with a prefix, for dashboards and alert rules of prefixed sets. */
export function prefixNames<N extends Readonly<Record<string, string>>>(names: N, prefix: string): N {
  const out: Record<string, string> = {};
  for (const key of Object.keys(names)) out[key] = `${prefix}${names[key]}`;
  return out as N;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs `fn` and calls `done(outcome, seconds, detail)` when it finishes (`detail` is the
 * value on success, the error on failure): at once for a sync function, when the promise
 * settles for an async one. The result or error passes through unchanged.
 */
export function timeOutcome<R>(fn: () => R, done: (outcome: Outcome, seconds: number, detail: unknown) => void): R {
  const start = performance.now();
  let result: R;
  try {
    result = fn();
  } catch (error) {
    done('error', (performance.now() - start) / 1000, error);
    throw error;
  }
  if (isThenable(result)) {
    // Promise.resolve adopts any thenable, so the caller always gets a real promise back.
    return Promise.resolve(result).then(
      (value) => {
        done('success', (performance.now() - start) / 1000, value);
        return value;
      },
      (error: unknown) => {
        done('error', (performance.now() - start) / 1000, error);
        throw error;
      },
    ) as R;
  }
  done('success', (performance.now() - start) / 1000, result);
  return result;
}

/** The values `classifyError` returns. */
export const ERROR_KINDS = ['timeout', 'aborted', 'network', 'rate_limit', 'client', 'server', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  status?: unknown;
  statusCode?: unknown;
  response?: { status?: unknown };
  cause?: unknown;
}

/**
 * A bounded error kind for a label: `rate_limit` (HTTP 429), `timeout`, `aborted`, `network`,
 * `client` (other 4xx), `server` (5xx) or `other`. Reads `status`, `statusCode`,
 * `response.status`, `code`, `name` and, for fetch's "fetch failed", `cause.code`.
 */
export function classifyError(error: unknown): ErrorKind {
  if (typeof error !== 'object' || error === null) return 'other';
  const e = error as ErrorLike;
  const status = Number(e.status ?? e.statusCode ?? e.response?.status);
  if (status === 429) return 'rate_limit';
  const cause = (typeof e.cause === 'object' && e.cause !== null ? e.cause : {}) as ErrorLike;
  const code = String(e.code ?? cause.code ?? '');
  if (e.name === 'TimeoutError' || TIMEOUT_CODES.has(code)) return 'timeout';
  if (e.name === 'AbortError' || code === 'ABORT_ERR') return 'aborted';
  if (NETWORK_CODES.has(code)) return 'network';
  if (status >= 400 && status < 500) return 'client';
  if (status >= 500 && status < 600) return 'server';
  return 'other';
}
