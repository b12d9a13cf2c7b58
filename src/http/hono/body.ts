/**
 * Response sizes for the Hono adapter, whose responses often carry no Content-Length: the
 * byte count of a body known up front, and a stream that counts the bytes passing through.
 * Only used with the `sizes` option.
 */

import { contentLength } from '../core.js';

/** A body whose size is not known until it has been read (a stream). */
export const UNKNOWN_SIZE = -1;

/** Bytes of a body that needs no reading: null, string (UTF-8), ArrayBuffer, typed array, Blob. */
export function knownSize(body: unknown): number {
  if (body === null || body === undefined) return 0;
  if (typeof body === 'string') return utf8Length(body);
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (typeof Blob !== 'undefined' && body instanceof Blob) return body.size;
  return UNKNOWN_SIZE;
}

/** UTF-8 byte length without encoding the string (Workers and Deno have no Buffer). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      // A surrogate pair is 2 UTF-16 units and 4 bytes; a lone surrogate becomes U+FFFD (3).
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

let cacheKey: symbol | undefined;

/**
 * The body a Response was built with, when it can be read without touching `body`.
 * @hono/node-server's Response keeps `[status, body, headers]` under a private symbol until
 * something reads `body`, which would build a full Fetch Response and lose the server's fast
 * path (a string written with one `end()`). `undefined` when the Response is not one of those.
 */
export function pendingBody(res: Response): { body: unknown } | undefined {
  if (cacheKey === undefined) {
    for (const s of Object.getOwnPropertySymbols(res)) {
      if (s.description === 'cache') cacheKey = s;
    }
    if (cacheKey === undefined) return undefined;
  }
  const cache = (res as unknown as Record<symbol, unknown>)[cacheKey];
  return Array.isArray(cache) ? { body: cache[1] } : undefined;
}

/**
 * What a Response's body measures: its Content-Length, else the size of a body known up
 * front, else the stream its bytes are to be counted from (see `countingStream`); -1 when
 * none of these applies.
 */
export function measureBody(res: Response): number | ReadableStream<Uint8Array> {
  const length = contentLength(res.headers.get('content-length'));
  if (length >= 0) return length;
  const pending = pendingBody(res);
  const body = pending === undefined ? res.body : pending.body;
  const size = knownSize(body);
  if (size !== UNKNOWN_SIZE) return size;
  return typeof (body as ReadableStream | null)?.getReader === 'function' ? (body as ReadableStream<Uint8Array>) : -1;
}

function ignore(): void {}

/** The bytes of a streamed body so far, and what to do once it ended or was cancelled. */
export class ByteTally {
  bytes = 0;
  done: (bytes: number, complete: boolean) => void = ignore;
}

/**
 * `source`, adding the bytes the consumer reads to `tally`. `tally.done(bytes, complete)`
 * runs once: when the consumer has read the last chunk (complete), or when it cancels (a
 * client that went away) or the source fails (not complete). Pulled one chunk at a time,
 * so "read the last chunk" is when the server took the last bytes to write them: the time
 * to last byte.
 */
export function countingStream(source: ReadableStream<Uint8Array>, tally: ByteTally): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let open = true;
  const finish = (complete: boolean): void => {
    if (!open) return;
    open = false;
    tally.done(tally.bytes, complete);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          finish(false);
          throw error;
        }
        if (chunk.done) {
          finish(true);
          controller.close();
          return;
        }
        tally.bytes += chunk.value?.byteLength ?? 0;
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        finish(false);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
