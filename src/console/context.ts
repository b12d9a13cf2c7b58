import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import {
  type AlertmanagerClient,
  alertmanagerClient,
  type PrometheusClient,
  type PushgatewayClient,
  prometheusClient,
  pushgatewayClient,
} from '../query/index.js';
import { History } from './history.js';
import type { ResolvedConsoleOptions } from './options.js';
import { SpanStore } from './spans.js';
import { packageRoot } from './static.js';

/** Everything a request handler reads: options, clients, history, spans and process monitors. */
export interface ConsoleContext {
  options: ResolvedConsoleOptions;
  prometheus: PrometheusClient | undefined;
  alertmanager: AlertmanagerClient | undefined;
  pushgateway: PushgatewayClient | undefined;
  /** Only in embedded mode (no Prometheus). */
  history: History | undefined;
  spans: SpanStore;
  loopDelay: IntervalHistogram;
  cpu: CpuMeter;
  vigilVersion: string;
  close(): void;
}

/** CPU percent of one core between two reads at least `minMs` apart. */
export class CpuMeter {
  private last = { at: performance.now(), usage: process.cpuUsage() };
  private percent = 0;

  read(minMs = 200): number {
    const now = performance.now();
    if (now - this.last.at < minMs) return this.percent;
    const usage = process.cpuUsage(this.last.usage);
    this.percent = ((usage.user + usage.system) / 1000 / (now - this.last.at)) * 100;
    this.last = { at: now, usage: process.cpuUsage() };
    return this.percent;
  }
}

function vigilVersion(): string {
  const root = packageRoot();
  if (root === undefined) return 'unknown';
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function createContext(options: ResolvedConsoleOptions): ConsoleContext {
  const client = (url: string) => ({ url, timeoutMs: options.sourceTimeoutMs });
  const history =
    options.prometheusUrl === undefined
      ? new History(options.registry, {
          historySeconds: options.historySeconds,
          sampleIntervalMs: options.sampleIntervalMs,
        })
      : undefined;
  history?.start();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  // A rolling window: the percentiles describe the last minute, not the whole uptime.
  const loopReset = setInterval(() => loopDelay.reset(), 60_000);
  loopReset.unref();
  return {
    options,
    prometheus: options.prometheusUrl === undefined ? undefined : prometheusClient(client(options.prometheusUrl)),
    alertmanager:
      options.alertmanagerUrl === undefined ? undefined : alertmanagerClient(client(options.alertmanagerUrl)),
    pushgateway: options.pushgatewayUrl === undefined ? undefined : pushgatewayClient(client(options.pushgatewayUrl)),
    history,
    spans: new SpanStore({ maxSpans: options.maxSpans, maxAgeSeconds: options.maxSpanAgeSeconds }),
    loopDelay,
    cpu: new CpuMeter(),
    vigilVersion: vigilVersion(),
    close() {
      history?.stop();
      clearInterval(loopReset);
      loopDelay.disable();
    },
  };
}
