import type { Exemplar } from './exemplar.js';
import type { LabelValue } from './metric.js';
import { checkLabelName } from './names.js';
import { escapeLabelValue } from './text.js';

/**
 * What a scrape reads: plain data the exposition formats turn into text. A registered
 * metric is its own family (no copy per scrape); custom collectors build these objects.
 */
interface FamilyOf<Type extends string, Point> {
  readonly name: string;
  readonly help: string;
  readonly type: Type;
  /** OpenMetrics unit, '' for none. */
  readonly unit: string;
  /** Names that the series' labelText may hold; default labels never repeat them. */
  readonly labelNames: readonly string[];
  /** Fixed labels already inside every labelText; default labels never repeat them either. */
  readonly constLabels?: Readonly<Record<string, string>>;
  readonly series: readonly Point[];
}

export interface ValuePoint {
  /** `a="x",b="y"`, escaped; '' for no labels. See `renderLabels`. */
  readonly labelText: string;
  readonly value: number;
  readonly exemplar?: Exemplar | undefined;
  /** Seconds since the epoch, for OpenMetrics `_created`; 0 when unknown. */
  readonly created?: number;
}

export interface HistogramPoint {
  readonly labelText: string;
  /** Observations per bucket, not cumulative; one more slot than upperBounds (+Inf). */
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  readonly exemplars?: readonly (Exemplar | undefined)[] | undefined;
  readonly created?: number;
}

export interface SummaryPoint {
  readonly labelText: string;
  /** One value per entry of the family's `percentiles`. */
  readonly quantiles: readonly number[];
  readonly sum: number;
  readonly count: number;
  readonly created?: number;
}

export type CounterFamily = FamilyOf<'counter', ValuePoint>;
export type GaugeFamily = FamilyOf<'gauge', ValuePoint>;
export interface HistogramFamily extends FamilyOf<'histogram', HistogramPoint> {
  readonly upperBounds: readonly number[];
}
export interface SummaryFamily extends FamilyOf<'summary', SummaryPoint> {
  readonly percentiles: readonly number[];
}
export type Family = CounterFamily | GaugeFamily | HistogramFamily | SummaryFamily;

/**
 * Something that produces families at scrape time: process and runtime collectors, or a
 * bridge to another system. A collector that throws or rejects loses only its own families.
 */
export interface Collector {
  collect(): readonly Family[] | Promise<readonly Family[]>;
}

/** Renders a label object for a collector's point: `{ a: 'x' }` → `a="x"`. */
export function renderLabels(labels: Readonly<Record<string, LabelValue>>): string {
  let out = '';
  for (const name in labels) {
    checkLabelName(name, 'collector');
    if (out !== '') out += ',';
    out += `${name}="${escapeLabelValue(`${labels[name]}`)}"`;
  }
  return out;
}
