import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { SpanStatus, SpanView } from './api-types.js';
import { decodeTraceRequest } from './otlp-schema.js';
import { sendError } from './respond.js';
import type { SpanStore, StoredSpan } from './spans.js';

type Json = Record<string, unknown>;
type AttributeValue = SpanView['attributes'][string];

const KINDS: Record<string, SpanView['kind']> = {
  1: 'internal',
  2: 'server',
  3: 'client',
  4: 'producer',
  5: 'consumer',
  SPAN_KIND_INTERNAL: 'internal',
  SPAN_KIND_SERVER: 'server',
  SPAN_KIND_CLIENT: 'client',
  SPAN_KIND_PRODUCER: 'producer',
  SPAN_KIND_CONSUMER: 'consumer',
};
const STATUSES: Record<string, SpanStatus> = {
  1: 'ok',
  2: 'error',
  STATUS_CODE_OK: 'ok',
  STATUS_CODE_ERROR: 'error',
};

class PayloadError extends Error {}

/** Ids arrive as bytes (protobuf), hex strings (OTLP JSON) or base64 (protobuf JSON mapping). */
function idOf(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') {
    if (/^[0-9a-fA-F]+$/.test(value) && (value.length === 32 || value.length === 16)) return value.toLowerCase();
    return Buffer.from(value, 'base64').toString('hex') || null;
  }
  if (Array.isArray(value) || value instanceof Uint8Array) {
    const hex = Buffer.from(value as Uint8Array).toString('hex');
    return hex === '' ? null : hex;
  }
  throw new PayloadError(`an id is ${typeof value}, expected bytes or a hex string`);
}

/** Unix nanoseconds (string, number or Long-like) to milliseconds. */
function nanosToMs(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value / 1e6;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(BigInt(value) / 1000n) / 1000;
  if (typeof value === 'object' && 'low' in value && 'high' in value) {
    const { low, high } = value as { low: number; high: number };
    return Number((BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)) / 1e6;
  }
  throw new PayloadError(`a timestamp is ${JSON.stringify(value)}, expected unix nanoseconds`);
}

function anyValue(value: unknown): AttributeValue | Record<string, unknown> | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Json;
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) {
    const values = ((v.arrayValue as Json).values as unknown[] | undefined) ?? [];
    return values
      .map(anyValue)
      .filter((x): x is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof x));
  }
  if (v.kvlistValue !== undefined) return attributes((v.kvlistValue as Json).values);
  if (v.bytesValue !== undefined) return idOf(v.bytesValue) ?? '';
  return null;
}

function attributes(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list as Json[]) {
    if (typeof kv?.key !== 'string') continue;
    const value = anyValue(kv.value);
    if (value === null) continue;
    out[kv.key] = (
      typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value
    ) as AttributeValue;
  }
  return out;
}

/** The spans of an ExportTraceServiceRequest (JSON shape), in the store's form. */
export function spansOfRequest(request: unknown, nowMs = Date.now()): StoredSpan[] {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new PayloadError('the body is not an ExportTraceServiceRequest object');
  }
  const resourceSpans = (request as Json).resourceSpans ?? (request as Json).resource_spans ?? [];
  if (!Array.isArray(resourceSpans)) throw new PayloadError('resourceSpans is not an array');
  const out: StoredSpan[] = [];
  for (const rs of resourceSpans as Json[]) {
    const resource = attributes((rs.resource as Json | undefined)?.attributes);
    const service = String(resource['service.name'] ?? 'unknown_service');
    for (const ss of (rs.scopeSpans ?? rs.scope_spans ?? []) as Json[]) {
      for (const span of (ss.spans ?? []) as Json[]) {
        const traceId = idOf(span.traceId);
        const spanId = idOf(span.spanId);
        if (traceId === null || spanId === null) throw new PayloadError('a span has no traceId or spanId');
        const start = nanosToMs(span.startTimeUnixNano);
        const end = nanosToMs(span.endTimeUnixNano);
        const status = (span.status ?? {}) as Json;
        out.push({
          traceId,
          spanId,
          parentSpanId: idOf(span.parentSpanId),
          name: String(span.name ?? ''),
          service,
          kind: KINDS[String(span.kind)] ?? 'internal',
          startTimeMs: start,
          durationMs: Math.max(0, end - start),
          status: STATUSES[String(status.code)] ?? 'unset',
          statusMessage: typeof status.message === 'string' && status.message !== '' ? status.message : null,
          attributes: attributes(span.attributes),
          events: ((span.events ?? []) as Json[]).map((e) => ({
            name: String(e.name ?? ''),
            timeMs: nanosToMs(e.timeUnixNano),
            attributes: attributes(e.attributes),
          })),
          receivedMs: nowMs,
        });
      }
    }
  }
  return out;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * `POST /v1/traces`: OTLP/HTTP in protobuf or JSON, optionally gzip/deflate-encoded, at
 * most `maxBytes` before and after decompression. Answers an empty
 * ExportTraceServiceResponse in the request's encoding.
 */
export async function receiveTraces(
  req: IncomingMessage,
  res: ServerResponse,
  store: SpanStore,
  maxBytes: number,
): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    sendError(res, 405, 'VIGIL_ERR_OTLP_PAYLOAD', 'OTLP/HTTP traces are sent with POST /v1/traces.');
    return;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const isProto = type === 'application/x-protobuf' || type === 'application/protobuf';
  if (!isProto && type !== 'application/json') {
    req.resume();
    sendError(
      res,
      415,
      'VIGIL_ERR_OTLP_PAYLOAD',
      `content type "${type}" is not OTLP; send application/x-protobuf or application/json.`,
    );
    return;
  }
  const tooLarge = () =>
    sendError(
      res,
      413,
      'VIGIL_ERR_OTLP_PAYLOAD',
      `the OTLP body is over the ${maxBytes}-byte limit; send smaller batches or raise maxOtlpBodyBytes.`,
    );
  let body = await readBody(req, maxBytes);
  if (body === 'too-large') return tooLarge();
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  try {
    if (encoding === 'gzip') body = gunzipSync(body, { maxOutputLength: maxBytes });
    else if (encoding === 'deflate') body = inflateSync(body, { maxOutputLength: maxBytes });
    else if (encoding !== 'identity') {
      sendError(res, 415, 'VIGIL_ERR_OTLP_PAYLOAD', `content encoding "${encoding}" is not supported; use gzip.`);
      return;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge();
    sendError(
      res,
      400,
      'VIGIL_ERR_OTLP_PAYLOAD',
      `the ${encoding} body does not decompress: ${(error as Error).message}.`,
    );
    return;
  }
  let spans: StoredSpan[];
  try {
    spans = spansOfRequest(isProto ? decodeTraceRequest(body) : JSON.parse(body.toString('utf8')));
  } catch (error) {
    sendError(
      res,
      400,
      'VIGIL_ERR_OTLP_PAYLOAD',
      `the body is not an OTLP ExportTraceServiceRequest in ${isProto ? 'protobuf' : 'JSON'}: ${(error as Error).message}.`,
    );
    return;
  }
  store.add(spans);
  if (isProto) {
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
    res.end();
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  }
}
