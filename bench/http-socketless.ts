/**
 * Drives an HTTP server with no socket and no client process: keep-alive "connections" are
 * in-memory streams handed to the server's 'connection' event, each sending the next GET as
 * soon as the previous response starts. Node's HTTP parser, the framework and the middleware
 * run exactly as they would behind a socket; the kernel and the load generator do not.
 *
 * Why: on a small shared machine, autocannon and the server fight over two cores, and over
 * loopback each response's write also runs the client's receive path and wakes it up. Every
 * microsecond the server spends is then charged several times over (see bench/results/http.md).
 * Here the process' CPU time per request is the framework's and the middleware's alone, so
 * the ratio to bare is a lower bound of what a server with real network costs would see.
 */
import type { Server } from 'node:http';
import { Duplex } from 'node:stream';

const STATUS_LINE = Buffer.from('HTTP/1.1 ');
const OK_LINE = Buffer.from('HTTP/1.1 200 ');

export interface SocketlessResult {
  /** Responses started in the run. */
  requests: number;
  /** Responses whose status was not 200. */
  errors: number;
  /** This process' user + system CPU time during the run, microseconds. */
  cpuMicros: number;
  /** Wall-clock length of the run, milliseconds. */
  elapsedMs: number;
}

/** A keep-alive client connection in memory: writes from the server are its responses. */
class MemoryConnection extends Duplex {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 40_000;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 80;
  readonly encrypted = false;

  constructor(private readonly onResponse: (conn: MemoryConnection, ok: boolean) => void) {
    super();
  }

  override _read(): void {}

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.inspect(chunk);
    callback();
  }

  override _writev(chunks: { chunk: Buffer | string }[], callback: () => void): void {
    for (const { chunk } of chunks) this.inspect(chunk);
    callback();
  }

  /** A chunk that begins with a status line starts a response (bodies here never do). */
  private inspect(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk.slice(0, 16), 'latin1') : chunk;
    if (bytes.subarray(0, STATUS_LINE.length).equals(STATUS_LINE)) {
      this.onResponse(this, bytes.subarray(0, OK_LINE.length).equals(OK_LINE));
    }
  }

  // What node:http calls on a net.Socket.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  destroySoon(): void {
    this.destroy();
  }
}

/**
 * Sends GET `path` over `connections` keep-alive connections for `ms` milliseconds. The next
 * request of a connection goes out on the next turn of the event loop after its response
 * started, as it would from the network (all due connections in one batch).
 */
export function runSocketless(
  server: Server,
  path: string,
  connections: number,
  ms: number,
): Promise<SocketlessResult> {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  return new Promise((resolve) => {
    let requests = 0;
    let errors = 0;
    let open = connections;
    let due: MemoryConnection[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deadline = started + ms;
    const finish = () => {
      const cpu = process.cpuUsage(cpuBefore);
      resolve({ requests, errors, cpuMicros: cpu.user + cpu.system, elapsedMs: performance.now() - started });
    };
    const sendDue = () => {
      const batch = due;
      due = [];
      const more = performance.now() < deadline;
      for (const conn of batch) {
        if (more) conn.push(request);
        else {
          conn.destroy();
          if (--open === 0) finish();
        }
      }
    };
    const onResponse = (conn: MemoryConnection, ok: boolean) => {
      requests++;
      if (!ok) errors++;
      if (due.push(conn) === 1) setImmediate(sendDue);
    };
    for (let i = 0; i < connections; i++) {
      const conn = new MemoryConnection(onResponse);
      server.emit('connection', conn);
      conn.push(request);
    }
  });
}
