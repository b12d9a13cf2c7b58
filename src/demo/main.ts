import { createServer } from 'node:http';
import { collectDefaultMetrics } from '../collectors/index.js';
import { type RunningConsole, startConsole } from '../console/server.js';
import { consoleSpanProcessor } from '../console/spans.js';
import { Registry } from '../metrics/index.js';
import { setupTracing, spanMetricsProcessor } from '../tracing/index.js';
import { demoService } from './service.js';
import { simulate } from './simulate.js';
import { startTraffic } from './traffic.js';

/**
 * `npm start`: a small service on 127.0.0.1 with Vigil's HTTP middleware, catalog
 * metrics for its database, cache, outbound API, LLM and job work, process/runtime/host
 * collectors, and /metrics; a traffic generator and a background worker keep it busy.
 * The worker's runs are traced: spans stay in memory (the newest 10,000) unless an OTLP
 * endpoint is set with the OTEL_* variables; span metrics and tracer counters appear in
 * /metrics, and demo_tests_total carries exemplars.
 * The console runs beside it (127.0.0.1:9400, VIGIL_CONSOLE_PORT to choose) on the same
 * registry and spans: embedded history by default, PromQL when VIGIL_PROMETHEUS_URL is set.
 * Ctrl-C stops it cleanly.
 */
const registry = new Registry({ defaultLabels: { service: 'vigil-demo' } });
// Not VIGIL_DEMO_HOST: the console has no token here, so it stays on loopback unless told.
const consoleHost = process.env.VIGIL_CONSOLE_HOST ?? '127.0.0.1';
const consoleOptions = { registry, host: consoleHost, sampleIntervalMs: 2000 };
async function openConsole(): Promise<RunningConsole> {
  const wanted = Number(process.env.VIGIL_CONSOLE_PORT ?? 9400);
  try {
    return await startConsole({ ...consoleOptions, port: wanted });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || wanted === 0) throw error;
    console.warn(`port ${wanted} is in use; the console picks a free one (set VIGIL_CONSOLE_PORT to choose).`);
    return startConsole({ ...consoleOptions, port: 0 });
  }
}
const vigilConsole = await openConsole();
const otlpSet = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
const tracing = setupTracing({
  serviceName: 'vigil-demo',
  ...(otlpSet ? {} : { endpoint: 'memory://' }),
  registry,
  spanProcessors: [spanMetricsProcessor({ registry, maxSeries: 100 }), consoleSpanProcessor(vigilConsole.spanStore)],
});
const collectors = collectDefaultMetrics({ registry });
const service = demoService(registry, Math.random, tracing);
const stopSimulation = simulate(registry, Math.random, tracing);
const drainTimer = setInterval(() => void service.drain(), 1000);
let stopTraffic = () => {};

const server = createServer(service.listener);
const host = process.env.VIGIL_DEMO_HOST ?? '127.0.0.1';
const port = Number(process.env.VIGIL_DEMO_PORT ?? 9464);

server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE' && port !== 0) {
    console.warn(`port ${port} is in use; picking a free one (set VIGIL_DEMO_PORT to choose).`);
    server.listen(0, host);
    return;
  }
  console.error(`demo server failed: ${error.message}`);
  shutdown(1);
});

server.on('listening', () => {
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`;
  stopTraffic = startTraffic(base);
  console.log(`Vigil demo: metrics at ${base}/metrics, service at ${base}/api/... (Ctrl-C to stop)`);
  console.log(`Vigil console: ${vigilConsole.url} (${vigilConsole.mode} mode)`);
});
server.listen(port, host);

function shutdown(code: number): void {
  stopTraffic();
  stopSimulation();
  clearInterval(drainTimer);
  collectors.stop();
  void vigilConsole.close();
  server.close(() => process.exit(code));
  server.closeAllConnections();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping the demo.`);
    shutdown(0);
  });
}
