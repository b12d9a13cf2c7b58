/**
 * What a test records about itself (latencies, throughputs, values), in the one shape both
 * runners carry it: Vitest in `task.meta.vigil`, node:test in a `vigil:` diagnostic.
 */
export interface Measurements {
  /** Milliseconds per operation. */
  latency?: Record<string, number[]>;
  /** Operations per second per operation. */
  throughput?: Record<string, number[]>;
  values?: { name: string; value: number; labels?: Record<string, string> }[];
}

/** The prefix of a node:test diagnostic that carries `Measurements` as JSON. */
export const DIAGNOSTIC_PREFIX = 'vigil:';

/** The quantiles `vigil_test_latency_seconds` reports. */
export const LATENCY_QUANTILES: readonly number[] = Object.freeze([0.5, 0.95, 0.99]);

/**
 * Nearest-rank quantile of ascending samples: the smallest sample with at least
 * `q · n` samples at or below it. Always one of the samples; exact on known data
 * (1..100 → p50 = 50, p95 = 95, p99 = 99). NaN for no samples.
 */
export function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

function numbers(raw: unknown): number[] {
  return Array.isArray(raw) ? raw.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)) : [];
}

function byOperation(raw: unknown): Record<string, number[]> | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const out: Record<string, number[]> = {};
  for (const [op, values] of Object.entries(raw)) {
    const list = numbers(values);
    if (list.length > 0) out[op] = list;
  }
  return out;
}

/** Checks untrusted data (meta from a worker, JSON from a diagnostic); drops what is malformed. */
export function toMeasurements(raw: unknown): Measurements | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const out: Measurements = {};
  const latency = byOperation(r.latency);
  if (latency) out.latency = latency;
  const throughput = byOperation(r.throughput);
  if (throughput) out.throughput = throughput;
  if (Array.isArray(r.values)) {
    out.values = [];
    for (const v of r.values as unknown[]) {
      if (v === null || typeof v !== 'object') continue;
      const { name, value, labels } = v as Record<string, unknown>;
      if (typeof name !== 'string' || typeof value !== 'number') continue;
      const clean: Record<string, string> = {};
      if (labels !== null && typeof labels === 'object') {
        for (const [k, lv] of Object.entries(labels)) clean[k] = String(lv);
      }
      out.values.push({ name, value, labels: clean });
    }
  }
  return out;
}

/** Parses a node:test diagnostic message; undefined when it is not Vigil's. */
export function parseDiagnostic(message: string): Measurements | undefined {
  if (!message.startsWith(DIAGNOSTIC_PREFIX)) return undefined;
  try {
    return toMeasurements(JSON.parse(message.slice(DIAGNOSTIC_PREFIX.length)));
  } catch {
    return undefined;
  }
}
