import type { Tracer } from '@opentelemetry/api';
import { context, ProxyTracerProvider, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ExportResult } from '@opentelemetry/core';
import core from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { type Registry, VigilError } from '../metrics/index.js';
import { type ExporterKind, type ResolvedTracingConfig, resolveTracingConfig, type TracingConfig } from './config.js';
import { CountingExporter, CountingProcessor, TracingStats } from './counting.js';
import { registerTracingMetrics, TRACING_COLLECTOR } from './self-metrics.js';
import { type ServerTracing, startServerSpan } from './server-span.js';
import { makeWithSpan, noopWithSpan, type WithSpan } from './with-span.js';

export interface SetupTracingOptions extends TracingConfig {
  /** Receives `vigil_spans_started_total`, `vigil_spans_exported_total`, `vigil_spans_dropped_total`, ... */
  registry?: Registry;
  /** Extra span processors (e.g. `spanMetricsProcessor`), run after the counting one. */
  spanProcessors?: SpanProcessor[];
  /** Instrumentation scope of `handle.tracer`. Default `'vigil'`. */
  tracerName?: string;
  /** `memory://` keeps at most this many finished spans, dropping the oldest. Default 10,000. */
  maxMemorySpans?: number;
}

/**
 * The SDK's in-memory exporter keeps every span: fine for a test, a leak in a process that
 * runs for hours. This one keeps the newest `limit`.
 */
class BoundedMemoryExporter extends InMemorySpanExporter {
  constructor(private readonly limit: number) {
    super();
  }

  override export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    super.export(spans, done);
    // getFinishedSpans() is the exporter's own list, so trimming it trims the store.
    const kept = this.getFinishedSpans();
    if (kept.length > this.limit) kept.splice(0, kept.length - this.limit);
  }
}

export interface TracingStatus {
  enabled: boolean;
  exporter: ExporterKind;
  endpoint: string;
  serviceName: string;
  /** True while exports fail; cleared by the next successful export. */
  degraded: boolean;
  degradationReason: string | undefined;
  spansStarted: number;
  spansExported: number;
  /** `droppedQueueFull + droppedExportFailed`. */
  spansDropped: number;
  droppedQueueFull: number;
  droppedExportFailed: number;
  /** Spans waiting in the batch queue (0 for memory and console). */
  queued: number;
  maxQueueSize: number;
  lastExportError: string | undefined;
  lastExportErrorAt: Date | undefined;
  lastExportSuccessAt: Date | undefined;
  /** How many times `setupTracing` was called for this provider (1 + reuses). */
  setupCalls: number;
  /** False when another tracer provider already held the OpenTelemetry global. */
  globalRegistered: boolean;
  /** Configuration that was ignored (bad environment values, a reused setup with different options, ...). */
  warnings: readonly string[];
}

/**
 * Also a {@link ServerTracing}: pass it as the HTTP middleware's `tracing` option for a
 * server span per request (`startServerSpan` with this handle's tracer).
 */
export interface TracingHandle extends ServerTracing {
  /** A tracer of the Vigil provider (not of whatever holds the global). */
  readonly tracer: Tracer;
  /** True when this call found a provider already set up and returned it. */
  readonly reused: boolean;
  /** The configuration in force (the first call's, when reused). */
  readonly config: ResolvedTracingConfig;
  withSpan: WithSpan;
  /** Finished spans kept by `memory://`; `[]` for the other exporters. */
  getFinishedSpans(): ReadableSpan[];
  /** Clears the kept spans and the counters; keeps the provider. */
  resetForTesting(): void;
  /** Exports what is queued; resolves even when the export fails (see `status()`). */
  forceFlush(): Promise<void>;
  /** Flushes (a failure shows in `status()`, it does not reject), shuts the shared provider down and releases the OpenTelemetry globals. */
  shutdown(): Promise<void>;
  status(): TracingStatus;
}

interface TracingState {
  readonly config: ResolvedTracingConfig;
  readonly provider: BasicTracerProvider | undefined;
  readonly tracer: Tracer;
  readonly withSpan: WithSpan;
  readonly stats: TracingStats;
  readonly memory: InMemorySpanExporter | undefined;
  readonly registries: Set<Registry>;
  readonly warnings: string[];
  globalRegistered: boolean;
  setupCalls: number;
  closing: Promise<void> | undefined;
}

let current: TracingState | undefined;

/**
 * Sets up OpenTelemetry tracing once per process and returns a handle. A second call
 * returns the same provider with `reused: true` (its options are not applied; differences
 * are listed in `status().warnings` and emitted as a process warning), so many components
 * and test files can call it without losing spans.
 *
 * @example
 * const tracing = setupTracing({ serviceName: 'api', endpoint: 'memory://' });
 * await tracing.withSpan('load-user', async (span) => {
 *   span.setAttribute('user.id', id);
 *   return db.load(id);
 * });
 * tracing.getFinishedSpans(); // [ReadableSpan 'load-user']
 */
export function setupTracing(options: SetupTracingOptions = {}): TracingHandle {
  if (current !== undefined && current.closing === undefined) {
    const state = current;
    state.setupCalls++;
    const differences = differencesFrom(state.config, options);
    if (differences.length > 0) {
      const message = `setupTracing was called again with different options (${differences.join('; ')}); the provider set up first is reused and these options are ignored.`;
      state.warnings.push(message);
      process.emitWarning(message, { code: 'VIGIL_WARN_TRACING_REUSED' });
    }
    if (options.registry !== undefined) attachRegistry(state, options.registry);
    return handleOf(state, true);
  }
  const state = create(options);
  current = state;
  if (options.registry !== undefined) attachRegistry(state, options.registry);
  return handleOf(state, false);
}

/**
 * Shuts the Vigil provider down (if any) and resets the OpenTelemetry globals (tracer
 * provider, context manager, propagator) with their `disable()`, so the next
 * `setupTracing` starts afresh. For test teardown (`afterAll`) and process exit.
 */
export async function teardownTracing(): Promise<void> {
  const state = current;
  if (state !== undefined) await close(state);
  trace.disable();
  context.disable();
  propagation.disable();
}

/** The handle of the current setup, or undefined; does not create one. */
export function currentTracing(): TracingHandle | undefined {
  return current === undefined || current.closing !== undefined ? undefined : handleOf(current, true);
}

function create(options: SetupTracingOptions): TracingState {
  const config = resolveTracingConfig(options);
  const stats = new TracingStats();
  const warnings = [...config.warnings];
  if (!config.enabled) {
    const tracer = new ProxyTracerProvider().getTracer(options.tracerName ?? 'vigil');
    return {
      config,
      provider: undefined,
      tracer,
      withSpan: noopWithSpan,
      stats,
      memory: undefined,
      registries: new Set(),
      warnings,
      globalRegistered: false,
      setupCalls: 1,
      closing: undefined,
    };
  }

  let memory: InMemorySpanExporter | undefined;
  let processor: SpanProcessor;
  if (config.exporter === 'memory' || config.exporter === 'console') {
    const limit = options.maxMemorySpans ?? 10_000;
    if (!Number.isInteger(limit) || limit < 1)
      throw new VigilError('VIGIL_ERR_TRACING_OPTION', `maxMemorySpans must be a positive integer, got ${limit}.`);
    const raw = config.exporter === 'memory' ? new BoundedMemoryExporter(limit) : new ConsoleSpanExporter();
    if (raw instanceof InMemorySpanExporter) memory = raw;
    const exporter = new CountingExporter(raw, stats, config.endpoint, false);
    processor = new CountingProcessor(new SimpleSpanProcessor(exporter), stats, 0);
  } else {
    const exporter = new CountingExporter(otlpExporter(config), stats, config.endpoint, true);
    const batch = new BatchSpanProcessor(exporter, {
      maxQueueSize: config.maxQueueSize,
      maxExportBatchSize: config.maxExportBatchSize,
      scheduledDelayMillis: config.scheduledDelayMillis,
      // The OTLP exporter times out on its own (retries included) and reports the failure;
      // the processor's timer is only a backstop.
      exportTimeoutMillis: config.exportTimeoutMillis + 1000,
    });
    processor = new CountingProcessor(batch, stats, config.maxQueueSize);
  }

  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes(config.resourceAttributes)),
    sampler: samplerOf(config),
    spanProcessors: [processor, ...(options.spanProcessors ?? [])],
  });

  // Registered by hand rather than with NodeTracerProvider.register(): each call says
  // whether it took effect, and OpenTelemetry otherwise ignores a second provider silently.
  const globalRegistered = trace.setGlobalTracerProvider(provider);
  if (!globalRegistered) {
    warnings.push(
      'another tracer provider already holds the OpenTelemetry global: trace.getTracer() elsewhere does not reach Vigil; use handle.tracer, or call teardownTracing() first.',
    );
  }
  if (!context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())) {
    warnings.push('another context manager already holds the OpenTelemetry global; it is kept.');
  }
  propagation.setGlobalPropagator(
    new core.CompositePropagator({
      propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
    }),
  );

  const tracer = provider.getTracer(options.tracerName ?? 'vigil');
  return {
    config,
    provider,
    tracer,
    withSpan: makeWithSpan(tracer),
    stats,
    memory,
    registries: new Set(),
    warnings,
    globalRegistered,
    setupCalls: 1,
    closing: undefined,
  };
}

function otlpExporter(config: ResolvedTracingConfig): SpanExporter {
  const options = { url: config.endpoint, headers: { ...config.headers }, timeoutMillis: config.exportTimeoutMillis };
  return config.exporter === 'otlp-json' ? new OTLPJsonExporter(options) : new OTLPProtoExporter(options);
}

function samplerOf(config: ResolvedTracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerArg);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function attachRegistry(state: TracingState, registry: Registry): void {
  if (state.registries.has(registry)) return;
  state.registries.add(registry);
  registerTracingMetrics(registry, state.stats);
}

function close(state: TracingState): Promise<void> {
  state.closing ??= (async () => {
    try {
      await state.provider?.shutdown();
    } catch (error) {
      // The last flush failed (endpoint down): already counted and in status(); a
      // shutdown at process exit must not throw because the collector is away.
      noteFlushError(state, error);
    } finally {
      for (const registry of state.registries) registry.removeCollector(TRACING_COLLECTOR);
      if (current === state) current = undefined;
      if (state.globalRegistered) trace.disable();
    }
  })();
  return state.closing;
}

function noteFlushError(state: TracingState, error: unknown): void {
  const { stats } = state;
  // The exporter wrapper has normally recorded the failure; a processor timeout has not.
  if (stats.lastExportError === undefined || !stats.degraded) {
    stats.lastExportError = error instanceof Error ? error.message : String(error);
    stats.lastExportErrorAt = new Date();
    stats.degraded = true;
    stats.degradationReason = `span flush to ${state.config.endpoint} failed: ${stats.lastExportError}`;
  }
}

function handleOf(state: TracingState, reused: boolean): TracingHandle {
  const { stats } = state;
  return {
    tracer: state.tracer,
    reused,
    config: state.config,
    withSpan: state.withSpan,
    startServerSpan: (request) => startServerSpan(state.tracer, request),
    getFinishedSpans: () => state.memory?.getFinishedSpans() ?? [],
    resetForTesting: () => {
      state.memory?.reset();
      stats.reset();
    },
    forceFlush: async () => {
      try {
        await state.provider?.forceFlush();
      } catch (error) {
        noteFlushError(state, error);
      }
    },
    shutdown: () => close(state),
    status: () => ({
      enabled: state.config.enabled,
      exporter: state.config.exporter,
      endpoint: state.config.endpoint,
      serviceName: state.config.serviceName,
      degraded: stats.degraded,
      degradationReason: stats.degradationReason,
      spansStarted: stats.spansStarted,
      spansExported: stats.spansExported,
      spansDropped: stats.droppedQueueFull + stats.droppedExportFailed,
      droppedQueueFull: stats.droppedQueueFull,
      droppedExportFailed: stats.droppedExportFailed,
      queued: stats.queued,
      maxQueueSize: state.config.maxQueueSize,
      lastExportError: stats.lastExportError,
      lastExportErrorAt: stats.lastExportErrorAt,
      lastExportSuccessAt: stats.lastExportSuccessAt,
      setupCalls: state.setupCalls,
      globalRegistered: state.globalRegistered,
      warnings: [...state.warnings],
    }),
  };
}

const COMPARED = ['enabled', 'serviceName', 'exporter', 'endpoint', 'sampler', 'samplerArg'] as const;

/** Options of a second call that differ from the first; `env` is compared through its effect. */
function differencesFrom(first: ResolvedTracingConfig, options: SetupTracingOptions): string[] {
  let next: ResolvedTracingConfig;
  try {
    next = resolveTracingConfig(options);
  } catch (error) {
    return [(error as Error).message];
  }
  // Only what the second caller asked for: an option left out is no disagreement.
  const env = options.env ?? {};
  const has = (...names: string[]) => names.some((n) => env[n] !== undefined && env[n] !== '');
  const endpointVars = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'];
  const protocolVars = ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'];
  const given: Record<(typeof COMPARED)[number], boolean> = {
    enabled: options.disabled !== undefined || has('OTEL_SDK_DISABLED'),
    serviceName: options.serviceName !== undefined || has('OTEL_SERVICE_NAME'),
    exporter: options.endpoint !== undefined || options.protocol !== undefined || has(...endpointVars, ...protocolVars),
    endpoint: options.endpoint !== undefined || has(...endpointVars),
    sampler: options.sampler !== undefined || has('OTEL_TRACES_SAMPLER'),
    samplerArg: options.samplerArg !== undefined || has('OTEL_TRACES_SAMPLER_ARG'),
  };
  const out: string[] = [];
  if (options.spanProcessors !== undefined && options.spanProcessors.length > 0) {
    out.push(`spanProcessors: ${options.spanProcessors.length} not added (pass them to the first call)`);
  }
  for (const key of COMPARED) {
    if (given[key] && first[key] !== next[key]) {
      out.push(`${key}: ${String(first[key])} kept, ${String(next[key])} ignored`);
    }
  }
  return out;
}
