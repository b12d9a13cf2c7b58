import { VigilError } from '../metrics/errors.js';
import { defaultRegistry, type Registry } from '../metrics/registry.js';
import { groupingPath } from './url.js';

/** Where a group lives: the gateway, the job and the rest of the grouping key. */
export interface GroupOptions {
  /** The Pushgateway's base URL, e.g. `http://127.0.0.1:9091` (a path prefix is kept). */
  gateway: string;
  /** The `job` label of the group; must not be empty. */
  job: string;
  /** More grouping labels, e.g. `{ branch: 'feature/x', runner: 'ci-1' }`. */
  groupings?: Readonly<Record<string, string>>;
  /** Per attempt, in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Attempts after the first on connection errors, timeouts and 5xx (never on 4xx). Default 3. */
  retries?: number;
  /**
   * Delay before retry n: a random time between half and all of
   * `min(maxMs, initialMs * 2^(n-1))`. Default `{ initialMs: 200, maxMs: 5_000 }`.
   */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Extra request headers (authorization, ...). Content-Type and Content-Encoding are Vigil's. */
  headers?: Readonly<Record<string, string>>;
}

/** A push: the group, plus what to send. */
export interface PushOptions extends GroupOptions {
  /** Whose metrics are pushed. Default `defaultRegistry`. */
  registry?: Registry;
  /** Send the body gzip-compressed (`Content-Encoding: gzip`). Default false. */
  gzip?: boolean;
}

export interface ResolvedGroup {
  url: string;
  timeoutMs: number;
  retries: number;
  initialMs: number;
  maxMs: number;
  headers: Record<string, string>;
}

export interface ResolvedPush extends ResolvedGroup {
  registry: Registry;
  gzip: boolean;
}

function invalid(message: string): VigilError {
  return new VigilError('VIGIL_ERR_PUSH_OPTION', message);
}

function gatewayBase(gateway: unknown): string {
  let url: URL;
  try {
    url = new URL(String(gateway));
  } catch {
    throw invalid(`gateway must be an http(s) URL such as "http://127.0.0.1:9091", not ${JSON.stringify(gateway)}.`);
  }
  if (typeof gateway !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid(`gateway must be an http(s) URL such as "http://127.0.0.1:9091", not ${JSON.stringify(gateway)}.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function count(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw invalid(`${name} must be a finite number >= ${min}, not ${String(value)}.`);
  }
  return value;
}

/** Checks everything a group request needs, once, before anything is sent. */
export function resolveGroup(options: GroupOptions): ResolvedGroup {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object.');
  const url = gatewayBase(options.gateway) + groupingPath(options.job, options.groupings);
  const retries = count(options.retries, 'retries', 3, 0);
  if (!Number.isInteger(retries)) throw invalid(`retries must be a whole number, not ${retries}.`);
  const timeoutMs = count(options.timeoutMs, 'timeoutMs', 10_000, 1);
  const initialMs = count(options.backoff?.initialMs, 'backoff.initialMs', 200, 0);
  const maxMs = count(options.backoff?.maxMs, 'backoff.maxMs', 5_000, 0);
  return { url, timeoutMs, retries, initialMs, maxMs, headers: userHeaders(options.headers) };
}

/** Header names describe the body Vigil builds; a caller's own (in any case) would contradict it. */
const OWN_HEADERS = new Set(['content-type', 'content-encoding', 'content-length']);

function userHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string') throw invalid(`header "${name}" must be a string, not ${typeof value}.`);
    if (!OWN_HEADERS.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

export function resolvePush(options: PushOptions): ResolvedPush {
  const group = resolveGroup(options);
  return { ...group, registry: options.registry ?? defaultRegistry, gzip: options.gzip === true };
}
