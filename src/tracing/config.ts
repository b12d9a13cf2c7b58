/**
 * Tracing configuration: an object, or the standard `OTEL_*` environment variables. Every
 * decision is made here, once, so `setupTracing` only builds what this file resolved.
 */

import { VigilError } from '../metrics/index.js';

/** Where finished spans go, chosen by the endpoint's scheme. */
export type ExporterKind = 'memory' | 'console' | 'otlp-proto' | 'otlp-json' | 'none';

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface TracingConfig {
  /** `service.name` of the resource. Default: `OTEL_SERVICE_NAME`, then `'unknown_service'`. */
  serviceName?: string;
  /**
   * `memory://` (spans kept in memory, for tests), `console://` (printed), or an OTLP/HTTP
   * URL. A URL without a path gets `/v1/traces` appended, as `OTEL_EXPORTER_OTLP_ENDPOINT`
   * does. Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`, then
   * `http://localhost:4318/v1/traces`.
   */
  endpoint?: string;
  /** OTLP encoding. Default `http/protobuf` (`OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`). */
  protocol?: 'http/protobuf' | 'http/json';
  /** Extra HTTP headers for OTLP (`OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`, `k=v,k2=v2`). */
  headers?: Record<string, string>;
  /** Default `parentbased_always_on` (`OTEL_TRACES_SAMPLER`). */
  sampler?: SamplerName;
  /** Ratio for the `*traceidratio` samplers, 0..1 (`OTEL_TRACES_SAMPLER_ARG`). Default 1. */
  samplerArg?: number;
  /** Extra resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** `true` makes every call a no-op (`OTEL_SDK_DISABLED=true`). */
  disabled?: boolean;
  /** Batch queue bound for OTLP; spans beyond it are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Spans per OTLP request. Default 512 (at most maxQueueSize). */
  maxExportBatchSize?: number;
  /** Delay between batch exports. Default 5000 ms (`OTEL_BSP_SCHEDULE_DELAY`). */
  scheduledDelayMillis?: number;
  /** Time one OTLP export may take, retries included. Default 10 000 ms. */
  exportTimeoutMillis?: number;
  /** Read `OTEL_*` variables from here instead of `process.env` (tests). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The configuration after defaults and environment variables: what setup builds. */
export interface ResolvedTracingConfig {
  readonly enabled: boolean;
  readonly serviceName: string;
  readonly exporter: ExporterKind;
  /** The endpoint as used (`memory://`, `console://` or the full OTLP URL). */
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly sampler: SamplerName;
  readonly samplerArg: number;
  readonly resourceAttributes: Readonly<Record<string, string | number | boolean>>;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
  /** Environment values that were ignored, with why; shown by `status().warnings`. */
  readonly warnings: readonly string[];
}

const SAMPLERS: ReadonlySet<string> = new Set<SamplerName>([
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
]);

export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318/v1/traces';

export function resolveTracingConfig(config: TracingConfig = {}): ResolvedTracingConfig {
  const env = config.env ?? process.env;
  const warnings: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  const disabled = config.disabled ?? get('OTEL_SDK_DISABLED')?.toLowerCase() === 'true';

  let endpoint: string;
  if (config.endpoint !== undefined) endpoint = withTracesPath(config.endpoint);
  else {
    const traces = get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    const generic = get('OTEL_EXPORTER_OTLP_ENDPOINT');
    endpoint = traces ?? (generic === undefined ? DEFAULT_OTLP_ENDPOINT : withTracesPath(generic));
  }

  let protocol: string = config.protocol ?? get('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? '';
  if (protocol === '') protocol = get('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    warnings.push(
      `OTLP protocol "${protocol}" is not supported (use http/protobuf or http/json); using http/protobuf.`,
    );
    protocol = 'http/protobuf';
  }

  const exporter = exporterOf(endpoint, protocol);
  if (exporter === undefined) {
    throw new VigilError(
      'VIGIL_ERR_TRACING_OPTION',
      `tracing endpoint "${endpoint}" has an unknown scheme; use memory://, console://, http:// or https://.`,
    );
  }

  const headers = {
    ...parseKeyValues(get('OTEL_EXPORTER_OTLP_HEADERS'), warnings, 'OTEL_EXPORTER_OTLP_HEADERS'),
    ...parseKeyValues(get('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), warnings, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    ...config.headers,
  };

  let sampler = config.sampler ?? (get('OTEL_TRACES_SAMPLER')?.toLowerCase() as SamplerName | undefined);
  if (sampler === undefined || !SAMPLERS.has(sampler)) {
    if (sampler !== undefined) warnings.push(`OTEL_TRACES_SAMPLER "${sampler}" is not supported; using the default.`);
    sampler = 'parentbased_always_on';
  }
  let samplerArg = config.samplerArg ?? 1;
  const rawArg = get('OTEL_TRACES_SAMPLER_ARG');
  if (config.samplerArg === undefined && rawArg !== undefined) {
    const n = Number(rawArg);
    if (Number.isFinite(n) && n >= 0 && n <= 1) samplerArg = n;
    else warnings.push(`OTEL_TRACES_SAMPLER_ARG "${rawArg}" is not a ratio in [0, 1]; using 1.`);
  }
  if (!(samplerArg >= 0 && samplerArg <= 1))
    throw new VigilError('VIGIL_ERR_TRACING_OPTION', `samplerArg must be a ratio in [0, 1], got ${samplerArg}.`);

  const resourceAttributes: Record<string, string | number | boolean> = {
    ...parseKeyValues(get('OTEL_RESOURCE_ATTRIBUTES'), warnings, 'OTEL_RESOURCE_ATTRIBUTES'),
    ...config.resourceAttributes,
  };
  const serviceName =
    config.serviceName ??
    get('OTEL_SERVICE_NAME') ??
    (typeof resourceAttributes['service.name'] === 'string' ? resourceAttributes['service.name'] : 'unknown_service');
  resourceAttributes['service.name'] = serviceName;

  const maxQueueSize = positive(config.maxQueueSize ?? envNumber(get, 'OTEL_BSP_MAX_QUEUE_SIZE') ?? 2048);
  const maxExportBatchSize = Math.min(
    maxQueueSize,
    positive(config.maxExportBatchSize ?? envNumber(get, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? 512),
  );

  return {
    enabled: !disabled,
    serviceName,
    exporter: disabled ? 'none' : exporter,
    endpoint,
    headers,
    sampler,
    samplerArg,
    resourceAttributes,
    maxQueueSize,
    maxExportBatchSize,
    scheduledDelayMillis: positive(config.scheduledDelayMillis ?? envNumber(get, 'OTEL_BSP_SCHEDULE_DELAY') ?? 5000),
    exportTimeoutMillis: positive(
      config.exportTimeoutMillis ??
        envNumber(get, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ??
        envNumber(get, 'OTEL_EXPORTER_OTLP_TIMEOUT') ??
        10_000,
    ),
    warnings,
  };
}

function exporterOf(endpoint: string, protocol: string): ExporterKind | undefined {
  if (endpoint.startsWith('memory://')) return 'memory';
  if (endpoint.startsWith('console://')) return 'console';
  if (/^https?:\/\//i.test(endpoint)) return protocol === 'http/json' ? 'otlp-json' : 'otlp-proto';
  return undefined;
}

/** `http://host:4318` and `http://host:4318/` become `http://host:4318/v1/traces`. */
function withTracesPath(endpoint: string): string {
  if (!/^https?:\/\//i.test(endpoint)) return endpoint;
  const url = new URL(endpoint);
  if (url.pathname === '/' || url.pathname === '') return `${endpoint.replace(/\/$/, '')}/v1/traces`;
  return endpoint;
}

/** `k=v,k2=v%20w` (W3C baggage-like, as the OTel spec defines for headers and attributes). */
export function parseKeyValues(raw: string | undefined, warnings: string[], source: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (key === '') {
      warnings.push(`${source}: ignored "${part.trim()}" (expected key=value).`);
      continue;
    }
    const value = part.slice(eq + 1).trim();
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(value);
    } catch {
      warnings.push(`${source}: ignored "${part.trim()}" (bad percent-encoding).`);
    }
  }
  return out;
}

function envNumber(get: (name: string) => string | undefined, name: string): number | undefined {
  const raw = get(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function positive(n: number): number {
  if (!(Number.isFinite(n) && n > 0))
    throw new VigilError('VIGIL_ERR_TRACING_OPTION', `tracing queue and timing options must be numbers > 0, got ${n}.`);
  return Math.floor(n);
}
