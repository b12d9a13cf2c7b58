// Both parsers of the official Python client (prometheus_client.parser for text 0.0.4,
// prometheus_client.openmetrics.parser for OpenMetrics 1.0) read Vigil's exposition of a
// rich registry, and every family, sample, label, value and exemplar comes back exactly as
// an independent model of the registry (rich-registry.ts) says it must.
import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/metrics/index.js';
import { parseWithPython } from '../support/python.js';
import {
  asModel,
  asTextParserReports,
  buildRichRegistry,
  openMetricsCanonical,
  TRICKY_VALUES,
} from './rich-registry.js';

describe('Python text parser (prometheus_client.parser)', () => {
  it('reads every family, sample, label and value of a rich registry exactly', async () => {
    const rich = buildRichRegistry();
    const text = await rich.registry.metrics('text');
    const families = await parseWithPython(text, 'text');
    expect(asModel(families)).toEqual(asTextParserReports(rich.expected('text')));
    // No exemplars and no timestamps in text 0.0.4.
    expect(families.flatMap((f) => f.samples).every((s) => s.exemplar === null && s.timestamp === null)).toBe(true);
  });

  it('reads each tricky label value back exactly', async () => {
    const rich = buildRichRegistry();
    const [requests] = await parseWithPython(await rich.registry.metrics('text'), 'text');
    const paths = requests?.samples.map((s) => s.labels.path) ?? [];
    for (const value of TRICKY_VALUES) expect(paths).toContain(value);
    expect(requests?.samples[0]?.labels.app).toBe('vigil "conformance" \\ app');
  });
});

describe('Python OpenMetrics parser (prometheus_client.openmetrics.parser)', () => {
  it('reads every family, sample, label, value, unit and exemplar of a rich registry exactly', async () => {
    const rich = buildRichRegistry();
    const text = await rich.registry.metrics('openmetrics');
    const families = await parseWithPython(text, 'openmetrics');
    expect(asModel(families)).toEqual(rich.expected('openmetrics'));

    // Exemplar timestamps: seconds, taken when the exemplar was recorded.
    const exemplars = families.flatMap((f) => f.samples.flatMap((s) => (s.exemplar ? [s.exemplar] : [])));
    expect(exemplars).toHaveLength(5);
    for (const e of exemplars) {
      expect(e.timestamp).not.toBeNull();
      expect(e.timestamp).toBeGreaterThanOrEqual(rich.startedMs / 1000);
      expect(e.timestamp).toBeLessThanOrEqual(rich.finishedMs / 1000);
    }
  });

  it('writes counters as <family>_total and units on the family', async () => {
    const rich = buildRichRegistry();
    const families = await parseWithPython(await rich.registry.metrics('openmetrics'), 'openmetrics');
    const byName = new Map(families.map((f) => [f.name, f]));
    expect(byName.get('conf_requests')?.samples.every((s) => s.name === 'conf_requests_total')).toBe(true);
    expect(byName.get('conf_jobs')?.samples.map((s) => s.name)).toEqual(['conf_jobs_total']);
    expect(byName.get('conf_sent_bytes')?.unit).toBe('bytes');
    expect(byName.get('conf_latency_seconds')?.unit).toBe('seconds');
    // No _created samples: they are off by default.
    expect(families.flatMap((f) => f.samples).some((s) => s.name.endsWith('_created'))).toBe(false);
  });
});

describe('special floats through both parsers', () => {
  it('NaN, ±Inf, extremes and tiny values round-trip; -0 is written as 0, as client_golang does', async () => {
    const registry = new Registry();
    const gauge = registry.gauge({ name: 'float_values', help: 'Floats.', labelNames: ['case'] });
    const cases: [string, number][] = [
      ['nan', Number.NaN],
      ['pos_inf', Number.POSITIVE_INFINITY],
      ['neg_inf', Number.NEGATIVE_INFINITY],
      ['max', Number.MAX_VALUE],
      ['tiny', Number.MIN_VALUE],
      ['neg_small', -0.000123],
      ['neg_zero', -0],
      ['third', 1 / 3],
    ];
    for (const [c, v] of cases) gauge.set({ case: c }, v);
    for (const format of ['text', 'openmetrics'] as const) {
      const [family] = await parseWithPython(await registry.metrics(format), format);
      const read = Object.fromEntries(family?.samples.map((s) => [s.labels.case, s.value]) ?? []);
      expect(read).toEqual({
        nan: Number.NaN,
        pos_inf: Number.POSITIVE_INFINITY,
        neg_inf: Number.NEGATIVE_INFINITY,
        max: Number.MAX_VALUE,
        tiny: Number.MIN_VALUE,
        neg_small: -0.000123,
        neg_zero: 0,
        third: 1 / 3,
      });
      expect(Object.is(read.neg_zero, 0)).toBe(true);
    }
  });
});

describe('OpenMetrics sums that are not counters', () => {
  // OpenMetrics 1.0: "Sum ... MUST NOT be NaN or negative"; the Python parser rejects the
  // whole exposition ("Counter-like samples cannot be NaN"). A histogram or summary that
  // observed both +Inf and -Inf (both valid observations in Vigil) has a NaN sum: the
  // writer must leave `_sum` (and with it `_count`) out, as it already does for a
  // negative sum.
  it('a histogram and a summary with a NaN sum still give a valid exposition', async () => {
    const registry = new Registry();
    const histogram = registry.histogram({ name: 'edge_seconds', help: 'Edges.', buckets: [1] });
    const summary = registry.summary({ name: 'edge_summary_seconds', help: 'Edges.', percentiles: [0.5] });
    for (const v of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5]) {
      histogram.observe(v);
      summary.observe(v);
    }
    const families = await parseWithPython(await registry.metrics('openmetrics'), 'openmetrics');
    const samples = families.flatMap((f) => f.samples);
    expect(samples.filter((s) => s.name === 'edge_seconds_bucket').map((s) => [s.labels.le, s.value])).toEqual([
      ['1.0', 2],
      ['+Inf', 3],
    ]);
    expect(samples.some((s) => s.name.endsWith('_sum') && Number.isNaN(s.value))).toBe(false);

    // The text format has no such rule: the NaN sum is written and read as it is.
    const text = await parseWithPython(await registry.metrics('text'), 'text');
    const sums = text.flatMap((f) => f.samples).filter((s) => s.name.endsWith('_sum'));
    expect(sums.map((s) => s.value)).toEqual([Number.NaN, Number.NaN]);
  });
});

describe('OpenMetrics canonical numbers', () => {
  // OpenMetrics 1.0, "Considerations: Canonical Numbers": le and quantile values SHOULD be
  // rendered as Go's %g with `.0` appended, and the spec lists the renderings exposers
  // should produce. client_golang and the Python client write exactly these; any other
  // rendering puts the same bucket under a different `le` label value (another series in
  // Prometheus 2.x) than other exposers do. Values read back through the Python parser.
  const SPEC_EXAMPLES: [number, string][] = [
    [0, '0.0'],
    [0.001, '0.001'],
    [0.002, '0.002'],
    [0.01, '0.01'],
    [0.1, '0.1'],
    [0.9, '0.9'],
    [0.95, '0.95'],
    [0.99, '0.99'],
    [0.999, '0.999'],
    [1, '1.0'],
    [1.7, '1.7'],
    [10, '10.0'],
    [1e-10, '1e-10'],
    [1e-9, '1e-09'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [100000, '100000.0'],
    [1e6, '1e+06'],
    [1e10, '1e+10'],
  ];

  it('the model renders the spec examples (self-check of the oracle)', () => {
    for (const [v, s] of SPEC_EXAMPLES) expect(openMetricsCanonical(v)).toBe(s);
  });

  it('histogram le values are canonical', async () => {
    const registry = new Registry();
    const bounds = [...SPEC_EXAMPLES.map(([v]) => v)].sort((a, b) => a - b);
    registry.histogram({ name: 'canonical_le', help: 'Spec examples as bounds.', buckets: bounds }).observe(1);
    const [family] = await parseWithPython(await registry.metrics('openmetrics'), 'openmetrics');
    const le = family?.samples.filter((s) => s.name === 'canonical_le_bucket').map((s) => s.labels.le);
    expect(le).toEqual([...bounds.map((b) => openMetricsCanonical(b)), '+Inf']);
  });

  it('summary quantile values are canonical', async () => {
    const registry = new Registry();
    const quantiles = [0, 1e-10, 1e-9, 1e-5, 0.0001, 0.001, 0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1];
    registry.summary({ name: 'canonical_quantile', help: 'Spec examples.', percentiles: quantiles }).observe(1);
    const [family] = await parseWithPython(await registry.metrics('openmetrics'), 'openmetrics');
    const q = family?.samples.filter((s) => s.name === 'canonical_quantile').map((s) => s.labels.quantile);
    expect(q).toEqual(quantiles.map((v) => openMetricsCanonical(v)));
  });
});
