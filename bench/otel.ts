/**
 * The OpenTelemetry side: a MeterProvider with a pull reader, as a Prometheus-style
 * setup would have. No exporter is installed, so a "scrape" is `reader.collect()` only:
 * it builds the data points but serialises nothing.
 */
import type { Meter } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** A reader that only collects on demand. */
class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface OtelSetup {
  meter: Meter;
  reader: MetricReader;
}

/**
 * A provider and its reader. The SDK caps each instrument at 2000 attribute sets by
 * default and folds the rest into an overflow point; the cap is raised so that the 100k
 * series populations are real series, as with the other two libraries.
 */
export function otelSetup(): OtelSetup {
  const reader = new PullReader({ cardinalitySelector: () => 1_000_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return { meter: provider.getMeter('vigil-bench'), reader };
}
