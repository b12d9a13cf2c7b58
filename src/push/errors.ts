import { VigilError } from '../metrics/errors.js';

/** What the gateway said, kept on the error (bodies longer than this are cut). */
const BODY_LIMIT = 2_000;

/**
 * A push, pushAdd or deleteGroup that did not succeed. `VIGIL_ERR_PUSH_REJECTED`: the
 * gateway answered 4xx (its message is in `message` and `body`); `VIGIL_ERR_PUSH_FAILED`:
 * every attempt ended in a connection error, a timeout or a 5xx. Either way the registry
 * is unchanged, so the next push carries everything.
 */
export class PushError extends VigilError {
  /** The request as sent: method and full URL. */
  readonly method: string;
  readonly url: string;
  /** HTTP status of the last answer; undefined when no attempt got one. */
  readonly status: number | undefined;
  /** The gateway's last answer body (trimmed), when there was one. */
  readonly body: string | undefined;
  /** Requests made, including the first. */
  readonly attempts: number;

  constructor(
    code: 'VIGIL_ERR_PUSH_REJECTED' | 'VIGIL_ERR_PUSH_FAILED',
    message: string,
    details: { method: string; url: string; status?: number; body?: string; attempts: number; cause?: unknown },
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PushError';
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.body = details.body === undefined ? undefined : trimBody(details.body);
    this.attempts = details.attempts;
  }
}

export function trimBody(body: string): string {
  const text = body.trim();
  return text.length <= BODY_LIMIT ? text : `${text.slice(0, BODY_LIMIT)}…`;
}

/** The innermost useful message of a fetch failure (undici wraps the socket error in `cause`). */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}
