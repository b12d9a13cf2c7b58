import { createServer, type Server } from 'node:http';

/**
 * A minimal OTLP/HTTP trace receiver on 127.0.0.1 for tests: accepts
 * `POST /v1/traces` in protobuf (`application/x-protobuf`) or JSON (`application/json`),
 * decodes both into one shape, and answers 200. Protobuf is decoded by hand from the
 * wire format (the OTLP field numbers below), independent of the exporter's encoder.
 */

export type AttributeValue = string | number | boolean | AttributeValue[] | undefined;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, AttributeValue>;
  status: { code: number; message: string };
  events: { name: string; attributes: Record<string, AttributeValue> }[];
  scope: string;
  resource: Record<string, AttributeValue>;
}

export interface ReceivedRequest {
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  spans: ReceivedSpan[];
}

export interface OtlpReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  spans(): ReceivedSpan[];
  /** Resolves when at least `n` spans have arrived. */
  waitForSpans(n: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  stop(): Promise<void>;
}

export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      try {
        const spans = contentType.includes('json')
          ? fromJson(JSON.parse(body.toString('utf8')))
          : fromProtobuf(new Uint8Array(body));
        requests.push({ contentType, headers: req.headers, spans });
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
        return;
      }
      if (contentType.includes('json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('otlp receiver: no port');
  const spans = () => requests.flatMap((r) => r.spans);
  return {
    url: `http://127.0.0.1:${address.port}/v1/traces`,
    port: address.port,
    requests,
    spans,
    async waitForSpans(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (spans().length < n) {
        if (Date.now() > deadline)
          throw new Error(`otlp receiver: ${spans().length} spans after ${timeoutMs} ms, wanted ${n}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return spans();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- OTLP/JSON ----------------------------------------------------------------------

type Json = Record<string, unknown>;

function jsonValue(v: Json | undefined): AttributeValue {
  if (v === undefined) return undefined;
  if ('stringValue' in v) return v.stringValue as string;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return ((v.arrayValue as Json).values as Json[] | undefined)?.map(jsonValue) ?? [];
  return undefined;
}

function jsonAttributes(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of (list as Json[] | undefined) ?? []) out[kv.key as string] = jsonValue(kv.value as Json | undefined);
  return out;
}

function fromJson(body: Json): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (body.resourceSpans as Json[] | undefined) ?? []) {
    const resource = jsonAttributes((rs.resource as Json | undefined)?.attributes);
    for (const ss of (rs.scopeSpans as Json[] | undefined) ?? []) {
      const scope = ((ss.scope as Json | undefined)?.name as string | undefined) ?? '';
      for (const s of (ss.spans as Json[] | undefined) ?? []) {
        const status = (s.status as Json | undefined) ?? {};
        out.push({
          traceId: s.traceId as string,
          spanId: s.spanId as string,
          parentSpanId: (s.parentSpanId as string | undefined) ?? '',
          name: s.name as string,
          kind: Number(s.kind ?? 0),
          attributes: jsonAttributes(s.attributes),
          status: { code: Number(status.code ?? 0), message: (status.message as string | undefined) ?? '' },
          events: ((s.events as Json[] | undefined) ?? []).map((e) => ({
            name: e.name as string,
            attributes: jsonAttributes(e.attributes),
          })),
          scope,
          resource,
        });
      }
    }
  }
  return out;
}

// ---- OTLP/protobuf (wire format) ----------------------------------------------------

interface Field {
  no: number;
  wire: number;
  /** varint / fixed as bigint; length-delimited as bytes. */
  int?: bigint;
  bytes?: Uint8Array;
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('protobuf: truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (pos < buf.length) {
    const tag = Number(varint());
    const no = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ no, wire, int: varint() });
    else if (wire === 1) {
      out.push({ no, wire, int: view.getBigUint64(pos, true), bytes: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      out.push({ no, wire, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 5) {
      out.push({ no, wire, int: BigInt(view.getUint32(pos, true)), bytes: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}

const text = (b: Uint8Array | undefined) => (b === undefined ? '' : new TextDecoder().decode(b));
const hex = (b: Uint8Array | undefined) => (b === undefined ? '' : Buffer.from(b).toString('hex'));
const all = (fs: Field[], no: number) => fs.filter((f) => f.no === no);
const one = (fs: Field[], no: number) => fs.find((f) => f.no === no);

/** AnyValue: 1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue{1 values}. */
function pbValue(b: Uint8Array | undefined): AttributeValue {
  if (b === undefined) return undefined;
  const f = fields(b)[0];
  if (f === undefined) return undefined;
  switch (f.no) {
    case 1:
      return text(f.bytes);
    case 2:
      return f.int !== 0n;
    case 3:
      return Number(BigInt.asIntN(64, f.int ?? 0n));
    case 4:
      return new DataView((f.bytes as Uint8Array).slice().buffer).getFloat64(0, true);
    case 5:
      return all(fields(f.bytes as Uint8Array), 1).map((v) => pbValue(v.bytes));
    default:
      return undefined;
  }
}

/** KeyValue: 1 key, 2 value. */
function pbAttributes(fs: Field[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const f of fs) {
    const kv = fields(f.bytes as Uint8Array);
    out[text(one(kv, 1)?.bytes)] = pbValue(one(kv, 2)?.bytes);
  }
  return out;
}

/**
 * ExportTraceServiceRequest{1 ResourceSpans}; ResourceSpans{1 Resource{1 attributes}, 2 ScopeSpans};
 * ScopeSpans{1 scope{1 name}, 2 Span}; Span{1 trace_id, 2 span_id, 4 parent_span_id, 5 name,
 * 6 kind, 9 attributes, 11 Event{2 name, 3 attributes}, 15 Status{2 message, 3 code}}.
 */
function fromProtobuf(body: Uint8Array): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of all(fields(body), 1)) {
    const rsf = fields(rs.bytes as Uint8Array);
    const resourceBytes = one(rsf, 1)?.bytes;
    const resource = resourceBytes === undefined ? {} : pbAttributes(all(fields(resourceBytes), 1));
    for (const ss of all(rsf, 2)) {
      const ssf = fields(ss.bytes as Uint8Array);
      const scopeBytes = one(ssf, 1)?.bytes;
      const scope = scopeBytes === undefined ? '' : text(one(fields(scopeBytes), 1)?.bytes);
      for (const sp of all(ssf, 2)) {
        const s = fields(sp.bytes as Uint8Array);
        const statusBytes = one(s, 15)?.bytes;
        const status = statusBytes === undefined ? [] : fields(statusBytes);
        out.push({
          traceId: hex(one(s, 1)?.bytes),
          spanId: hex(one(s, 2)?.bytes),
          parentSpanId: hex(one(s, 4)?.bytes),
          name: text(one(s, 5)?.bytes),
          kind: Number(one(s, 6)?.int ?? 0n),
          attributes: pbAttributes(all(s, 9)),
          status: { code: Number(one(status, 3)?.int ?? 0n), message: text(one(status, 2)?.bytes) },
          events: all(s, 11).map((e) => {
            const ef = fields(e.bytes as Uint8Array);
            return { name: text(one(ef, 2)?.bytes), attributes: pbAttributes(all(ef, 3)) };
          }),
          scope,
          resource,
        });
      }
    }
  }
  return out;
}
