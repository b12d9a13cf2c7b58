import { describeNetworkError, PushError } from './errors.js';
import type { ResolvedGroup } from './options.js';
import { backoffDelay, sleep } from './retry.js';

/** What a successful request did. */
export interface PushResult {
  /** The gateway's status: 200 for push and pushAdd, 202 for deleteGroup. */
  status: number;
  /** Requests made, including the first. */
  attempts: number;
  /** Body bytes sent (compressed size when gzip). */
  bytes: number;
}

/**
 * Sends one request with retries: connection errors, timeouts and 5xx are retried after
 * a backoff, a 4xx is final. The body is built once by the caller and sent as is on every
 * attempt.
 */
export async function send(
  method: 'PUT' | 'POST' | 'DELETE',
  group: ResolvedGroup,
  body?: { bytes: Buffer; headers: Record<string, string> },
): Promise<PushResult> {
  const headers = { ...group.headers, ...body?.headers };
  let lastStatus: number | undefined;
  let lastBody: string | undefined;
  let lastCause: unknown;
  const attempts = group.retries + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(backoffDelay(attempt - 1, group.initialMs, group.maxMs));
    let res: Response;
    let text: string;
    try {
      res = await fetch(group.url, {
        method,
        headers,
        ...(body ? { body: body.bytes } : {}),
        signal: AbortSignal.timeout(group.timeoutMs),
      });
      text = await res.text();
    } catch (error) {
      lastCause = error;
      lastStatus = undefined;
      lastBody = undefined;
      continue;
    }
    if (res.ok) return { status: res.status, attempts: attempt, bytes: body?.bytes.length ?? 0 };
    if (res.status >= 400 && res.status < 500) {
      const said = text.trim() === '' ? '(empty answer)' : text.trim();
      throw new PushError(
        'VIGIL_ERR_PUSH_REJECTED',
        `the Pushgateway rejected ${method} ${group.url} with ${res.status} ${res.statusText}: ${said}`,
        { method, url: group.url, status: res.status, body: text, attempts: attempt },
      );
    }
    lastStatus = res.status;
    lastBody = text;
    lastCause = undefined;
  }
  const last =
    lastStatus !== undefined
      ? `the last answer was ${lastStatus}${lastBody?.trim() ? `: ${lastBody.trim().slice(0, 500)}` : ''}`
      : `the last error was ${describeNetworkError(lastCause)}`;
  throw new PushError(
    'VIGIL_ERR_PUSH_FAILED',
    `${method} ${group.url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (${last}). ` +
      'Is the Pushgateway running at that address? The registry is unchanged; the next push sends everything.',
    {
      method,
      url: group.url,
      attempts,
      ...(lastStatus === undefined ? {} : { status: lastStatus }),
      ...(lastBody === undefined ? {} : { body: lastBody }),
      ...(lastCause === undefined ? {} : { cause: lastCause }),
    },
  );
}
