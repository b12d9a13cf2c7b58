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
