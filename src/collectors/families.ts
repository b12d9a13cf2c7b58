import type { CounterFamily, GaugeFamily, LabelValue, ValuePoint } from '../metrics/index.js';
import { renderLabels } from '../metrics/index.js';

/**
 * Builders for the plain family objects collectors return at scrape time. No `# UNIT`:
 * like prom-client and client_golang, the unit lives in the name only.
 */
export function gauge(name: string, help: string, value: number): GaugeFamily {
  return { name, help, type: 'gauge', unit: '', labelNames: [], series: [{ labelText: '', value }] };
}

export function counter(name: string, help: string, value: number): CounterFamily {
  return { name, help, type: 'counter', unit: '', labelNames: [], series: [{ labelText: '', value }] };
}

export function gauges(name: string, help: string, labelNames: readonly string[], series: ValuePoint[]): GaugeFamily {
  return { name, help, type: 'gauge', unit: '', labelNames, series };
}

export function counters(
  name: string,
  help: string,
  labelNames: readonly string[],
  series: ValuePoint[],
): CounterFamily {
  return { name, help, type: 'counter', unit: '', labelNames, series };
}

/** Distinct label sets a cache keeps; past this it starts afresh (values are bounded anyway). */
const MAX_CACHED = 1024;

/**
 * Rendered label texts by key: a device, space or mount seen at every scrape is escaped
 * once, not at each scrape.
 */
export class LabelTexts {
  private readonly texts = new Map<string, string>();

  get(key: string, labels: () => Readonly<Record<string, LabelValue>>): string {
    let text = this.texts.get(key);
    if (text === undefined) {
      if (this.texts.size >= MAX_CACHED) this.texts.clear();
      text = renderLabels(labels());
      this.texts.set(key, text);
    }
    return text;
  }
}

/** Prefixes every name of a names object: `{ cpu: 'process_cpu_seconds_total' }` → `{ cpu: 'app_process_...' }`. */
export function prefixed<N extends Readonly<Record<string, string>>>(names: N, prefix: string): N {
  if (prefix === '') return names;
  const out: Record<string, string> = {};
  for (const key of Object.keys(names)) out[key] = `${prefix}${names[key]}`;
  return out as N;
}
