import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { CollectError } from '../metrics/errors.js';
import { CONTENT_TYPE_TEXT } from '../metrics/exposition.js';
import { type GroupOptions, type PushOptions, type ResolvedPush, resolveGroup, resolvePush } from './options.js';
import { type PushResult, send } from './send.js';

const gzip = promisify(gzipCallback);

async function body(options: ResolvedPush): Promise<{ bytes: Buffer; headers: Record<string, string> }> {
  // Gathered once: every retry sends the same snapshot, and nothing in the registry is reset.
  const { families, errors } = await options.registry.gather();
  // A partial body would make a PUT delete the failed families from the group.
  if (errors.length > 0) throw new CollectError(errors);
  const text = options.registry.encode(families, 'text');
  if (!options.gzip) return { bytes: text, headers: { 'content-type': CONTENT_TYPE_TEXT } };
  return { bytes: await gzip(text), headers: { 'content-type': CONTENT_TYPE_TEXT, 'content-encoding': 'gzip' } };
}

/**
 * Replaces the whole group (HTTP PUT) with the registry's metrics, in text 0.0.4.
 * Rejects with a `PushError` (`VIGIL_ERR_PUSH_REJECTED` on a 4xx, carrying the gateway's
 * message; `VIGIL_ERR_PUSH_FAILED` once retries are spent), a `VigilError`
 * `VIGIL_ERR_PUSH_OPTION` before sending anything, or a `CollectError` when a collect
 * callback fails (then nothing is sent: a partial PUT would drop metrics from the group).
 *
 * @example
 * import { Registry } from 'vigil/metrics';
 * import { push } from 'vigil/push';
 *
 * const registry = new Registry();
 * registry.gauge({ name: 'backup_last_success_seconds', help: 'Last successful backup.' }).setToCurrentTime();
 * await push({ gateway: 'http://127.0.0.1:9091', job: 'backup', groupings: { branch: 'feature/x' }, registry });
 */
export async function push(options: PushOptions): Promise<PushResult> {
  const resolved = resolvePush(options);
  return send('PUT', resolved, await body(resolved));
}

/**
 * Like `push`, but replaces only the metrics with the same names as those pushed (HTTP
 * POST); the group's other metrics stay.
 *
 * @example
 * await pushAdd({ gateway: 'http://127.0.0.1:9091', job: 'etl', groupings: { stage: 'load' }, registry });
 */
export async function pushAdd(options: PushOptions): Promise<PushResult> {
  const resolved = resolvePush(options);
  return send('POST', resolved, await body(resolved));
}

/**
 * Deletes the whole group (HTTP DELETE); the gateway answers 202, also for a group it
 * does not hold. Retries like `push`.
 *
 * @example
 * await deleteGroup({ gateway: 'http://127.0.0.1:9091', job: 'etl', groupings: { stage: 'load' } });
 */
export async function deleteGroup(options: GroupOptions): Promise<PushResult> {
  return send('DELETE', resolveGroup(options));
}

/** A push of text that is already in exposition format 0.0.4 (e.g. a file a job wrote). */
export interface PushTextOptions extends GroupOptions {
  /** The body, sent as is (a final line feed is added when missing). */
  text: string;
  /** `'PUT'` replaces the group (like `push`), `'POST'` only the same-named metrics (like `pushAdd`). Default `'PUT'`. */
  method?: 'PUT' | 'POST';
  /** Send the body gzip-compressed. Default false. */
  gzip?: boolean;
}

/**
 * Pushes exposition text as is, without a registry. Vigil does not parse it: validate it
 * first (the gateway answers 400, a `VIGIL_ERR_PUSH_REJECTED`, to what it cannot parse).
 *
 * @example
 * await pushText({ gateway: 'http://127.0.0.1:9091', job: 'backup', text: 'backup_ok 1\n' });
 */
export async function pushText(options: PushTextOptions): Promise<PushResult> {
  const group = resolveGroup(options);
  const text = options.text.endsWith('\n') ? options.text : `${options.text}\n`;
  const raw = Buffer.from(text, 'utf8');
  const bytes = options.gzip === true ? await gzip(raw) : raw;
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE_TEXT };
  if (options.gzip === true) headers['content-encoding'] = 'gzip';
  return send(options.method ?? 'PUT', group, { bytes, headers });
}
