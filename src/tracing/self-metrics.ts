import type { CounterFamily, Family, GaugeFamily, Registry } from '../metrics/index.js';
import type { TracingStats } from './counting.js';

/** Name of the collector `setupTracing({ registry })` adds to a registry. */
export const TRACING_COLLECTOR = 'vigil_tracing';

/**
 * The tracing counters as metrics, read at scrape time: the span path only bumps plain
 * numbers, a scrape turns them into families.
 */
export function registerTracingMetrics(registry: Registry, stats: TracingStats): void {
  registry.removeCollector(TRACING_COLLECTOR);
  registry.registerCollector(TRACING_COLLECTOR, { collect: () => tracingFamilies(stats) });
}

export function tracingFamilies(stats: TracingStats): Family[] {
  const counter = (name: string, help: string, value: number): CounterFamily => ({
    name,
    help,
    type: 'counter',
    unit: '',
    labelNames: [],
    series: [{ labelText: '', value }],
  });
  const gauge = (name: string, help: string, value: number): GaugeFamily => ({
    name,
    help,
    type: 'gauge',
    unit: '',
    labelNames: [],
    series: [{ labelText: '', value }],
  });
  return [
    counter(
      'vigil_spans_started_total',
      'Spans started by the Vigil tracer provider (recording spans only).',
      stats.spansStarted,
    ),
    counter('vigil_spans_exported_total', 'Spans the exporter delivered successfully.', stats.spansExported),
    {
      name: 'vigil_spans_dropped_total',
      help: 'Spans lost: the batch queue was full (queue_full) or their export failed (export_failed).',
      type: 'counter',
      unit: '',
      labelNames: ['reason'],
      series: [
        { labelText: 'reason="queue_full"', value: stats.droppedQueueFull },
        { labelText: 'reason="export_failed"', value: stats.droppedExportFailed },
      ],
    },
    gauge('vigil_tracing_queue_spans', 'Spans waiting in the batch queue.', stats.queued),
    gauge('vigil_tracing_degraded', '1 while span export is failing, 0 otherwise.', stats.degraded ? 1 : 0),
  ];
}
