import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { negotiate, Registry } from '../metrics/index.js';
import { simulate } from './simulate.js';

/**
 * `npm start`: a small service exposing /metrics on 127.0.0.1 while it simulates a
 * worker, outbound API calls and test runs. Ctrl-C stops it cleanly.
 */
const registry = new Registry({ defaultLabels: { service: 'vigil-demo' } });
const stop = simulate(registry);

async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { format, contentType, gzip } = negotiate(req.headers.accept, req.headers['accept-encoding']);
  const { families, errors } = await registry.gather();
  for (const { metric, error } of errors) console.error(`collect failed for ${metric}:`, error);
  const body = registry.encode(families, format);
  const headers: Record<string, string> = { 'content-type': contentType, vary: 'accept, accept-encoding' };
  if (gzip) headers['content-encoding'] = 'gzip';
  res.writeHead(200, headers).end(gzip ? gzipSync(body) : body);
}

const server = createServer((req, res) => {
  if (req.url === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
    serveMetrics(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`scrape failed: ${String(error)}\n`);
    });
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
});

const host = process.env.VIGIL_DEMO_HOST ?? '127.0.0.1';
const port = Number(process.env.VIGIL_DEMO_PORT ?? 9464);

server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE' && port !== 0) {
    console.warn(`port ${port} is in use; picking a free one (set VIGIL_DEMO_PORT to choose).`);
    server.listen(0, host);
    return;
  }
  console.error(`demo server failed: ${error.message}`);
  process.exitCode = 1;
  stop();
});

server.listen(port, host);
server.on('listening', () => {
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`Vigil demo: metrics at http://${host}:${actual}/metrics (Ctrl-C to stop)`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping the demo.`);
    stop();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
