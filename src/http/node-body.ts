/**
 * Response body sizes on node:http (the node, Express and Fastify adapters), for responses
 * that declare no Content-Length: chunked writes, piped streams, compressed output. Only
 * with the `sizes` option, the only case where the adapters pay for it. Node's global
 * `Buffer`, not an import of node:buffer: Hono's `instrument(app)` reaches this module and
 * must load on runtimes without node: modules (it only calls it on Node).
 */
import type { ServerResponse } from 'node:http';
import { contentLength } from './core.js';

/** The body bytes a response has been given so far. */
export interface BodyTally {
  bytes: number;
}

type Write = ServerResponse['write'];
type End = ServerResponse['end'];

/**
 * Counts every byte the application hands to `res.write` and `res.end` from now on. The
 * two methods are wrapped on this response only (Node's `end` does not go through `write`,
 * so nothing is counted twice). Middleware mounted later that wraps them in turn, such as
 * compression, writes through these: what is counted is what goes on the wire.
 */
export function tallyBody(res: ServerResponse): BodyTally {
  const tally: BodyTally = { bytes: 0 };
  const write = res.write;
  const end = res.end;
  res.write = function countedWrite(this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    tally.bytes += chunkBytes(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Write;
  res.end = function countedEnd(this: ServerResponse, chunk?: unknown, ...rest: unknown[]): ServerResponse {
    tally.bytes += chunkBytes(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as End;
  return tally;
}

/**
 * The response's body size: its Content-Length, else the bytes counted by `tally`. Responses
 * that carry no body (HEAD, 204, 304: Node drops what is written) count 0 bytes.
 */
export function responseBytes(res: ServerResponse, method: string | undefined, tally: BodyTally): number {
  const declared = contentLength(res.getHeader('content-length'));
  if (declared >= 0) return declared;
  const status = res.statusCode;
  if (method === 'HEAD' || status === 204 || status === 304) return 0;
  return tally.bytes;
}

function chunkBytes(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}
