import type { HealthResponse, SourceName, SourceStatus } from './api-types.js';
import type { ConsoleContext } from './context.js';

const HEALTH_TIMEOUT_MS = 3000;

async function probe(
  name: SourceName,
  url: string | undefined,
  check: ((signal: AbortSignal) => Promise<unknown>) | undefined,
): Promise<SourceStatus & { result?: unknown }> {
  if (url === undefined || check === undefined) {
    return { name, url: null, configured: false, reachable: null, latencyMs: null, error: null };
  }
  const started = performance.now();
  try {
    const result = await check(AbortSignal.timeout(HEALTH_TIMEOUT_MS));
    return {
      name,
      url,
      configured: true,
      reachable: true,
      latencyMs: performance.now() - started,
      error: null,
      result,
    };
  } catch (error) {
    const message =
      (error as Error).name === 'TimeoutError' ? `no answer within ${HEALTH_TIMEOUT_MS} ms` : (error as Error).message;
    return { name, url, configured: true, reachable: false, latencyMs: null, error: message };
  }
}

/** `/api/health`: this process, plus a live check of every configured source. */
export async function health(ctx: ConsoleContext): Promise<HealthResponse> {
  const { prometheus, alertmanager, pushgateway, history } = ctx;
  const [registry, prom, am, pg] = await Promise.all([
    probe('registry', 'in-process', (signal) => {
      signal.throwIfAborted();
      if (history?.lastError) return Promise.reject(new Error(history.lastError));
      return ctx.options.registry.gather().then((g) => {
        if (g.errors.length > 0) throw new Error(`collect failed for ${g.errors.map((e) => e.metric).join(', ')}`);
      });
    }),
    probe('prometheus', prometheus?.url, prometheus && ((signal) => prometheus.buildinfo({ signal }))),
    probe('alertmanager', alertmanager?.url, alertmanager && ((signal) => alertmanager.status({ signal }))),
    probe('pushgateway', pushgateway?.url, pushgateway && ((signal) => pushgateway.groups({ signal }))),
  ]);
  const sources: SourceStatus[] = [registry, prom, am, pg].map(({ result: _r, ...s }) =>
    s.name === 'registry' ? { ...s, url: null } : s,
  );
  const reasons = sources
    .filter((s) => s.configured && s.reachable === false)
    .map((s) => `${s.name}${s.url ? ` at ${s.url}` : ''} is unreachable: ${s.error}`);
  const memory = process.memoryUsage();
  const loop = ctx.loopDelay;
  const count = loop.count;
  const promVersion = (prom.result as { data?: { version?: string } } | undefined)?.data?.version ?? null;
  return {
    status: reasons.length === 0 ? 'ok' : 'degraded',
    reasons,
    mode: prometheus === undefined ? 'embedded' : 'prometheus',
    uptimeSeconds: process.uptime(),
    cpuPercent: ctx.cpu.read(),
    memory: {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
    },
    eventLoopDelaySeconds: {
      p50: count === 0 ? 0 : loop.percentile(50) / 1e9,
      p99: count === 0 ? 0 : loop.percentile(99) / 1e9,
      max: count === 0 ? 0 : loop.max / 1e9,
    },
    versions: { vigil: ctx.vigilVersion, node: process.version, prometheus: promVersion },
    sources,
  };
}
