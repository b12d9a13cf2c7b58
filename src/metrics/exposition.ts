import type { Exemplar } from './exemplar.js';
import type { Family, HistogramFamily, HistogramPoint, SummaryFamily, SummaryPoint, ValuePoint } from './family.js';
import { escapeHelpOpenMetrics, escapeHelpText, escapeLabelValue, formatCanonical, formatValue } from './text.js';
import { ByteWriter } from './writer.js';

export type Format = 'text' | 'openmetrics';

export const CONTENT_TYPE_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
export const CONTENT_TYPE_OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export function contentTypeOf(format: Format): string {
  return format === 'openmetrics' ? CONTENT_TYPE_OPENMETRICS : CONTENT_TYPE_TEXT;
}

export interface RenderOptions {
  /** Labels added to every series that does not set the same name itself. */
  defaultLabels?: Readonly<Record<string, string>>;
  /** OpenMetrics only: write `_created` samples. Default false. */
  created?: boolean;
}

/** Rendering is synchronous, so one writer serves every scrape. */
const writer = new ByteWriter();

/** The exposition as UTF-8 bytes, ready for a response body or gzip. */
export function encode(families: readonly Family[], format: Format, options: RenderOptions = {}): Buffer {
  // A previous encode may have thrown half-way (a malformed collector family).
  writer.reset();
  const om = format === 'openmetrics';
  for (const f of families) familyWriter(writer, f, f.series, om, options)(writer, 0, f.series.length);
  if (om) writer.text('# EOF\n');
  return writer.finish();
}

export interface EncodeAsyncOptions extends RenderOptions {
  /** Longest stretch of encoding between two yields to the event loop, in ms. Default 5. */
  sliceMs?: number;
}

/** Lines written between two looks at the clock: ~0.1 ms of work. */
const LINES_PER_STEP = 256;

/**
 * The same bytes as `encode`, written in slices: after every `sliceMs` of work it yields
 * to the event loop (setImmediate), so a scrape of 100k series never stalls the requests
 * the process serves meanwhile. Each family's series list is copied when the family
 * starts, and each series is written in one piece, so a series added or removed during
 * the scrape is written whole or not at all.
 *
 * @example
 * const { families } = await registry.gather();
 * const body = await encodeAsync(families, 'text', { sliceMs: 5 });
 */
export async function encodeAsync(
  families: readonly Family[],
  format: Format,
  options: EncodeAsyncOptions = {},
): Promise<Buffer> {
  const sliceMs = options.sliceMs ?? 5;
  const om = format === 'openmetrics';
  // Its own writer: the shared one may be used by a synchronous encode while this one
  // waits. The spare is kept between scrapes so a large registry does not regrow a buffer
  // (megabytes of external memory, which make V8 run full GCs) at every scrape.
  const w = spareWriter ?? new ByteWriter();
  spareWriter = undefined;
  try {
    let sliceStart = performance.now();
    for (const f of families) {
      const series = f.series.slice();
      const write = familyWriter(w, f, series, om, options);
      const step = Math.max(1, Math.floor(LINES_PER_STEP / linesPerSeries(f)));
      for (let from = 0; from < series.length; from += step) {
        write(w, from, Math.min(from + step, series.length));
        if (performance.now() - sliceStart >= sliceMs) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    }
    if (om) w.text('# EOF\n');
    return w.finish();
  } finally {
    w.reset();
    spareWriter = w;
  }
}

/** An idle writer for the next `encodeAsync`; concurrent ones beyond the first make their own. */
let spareWriter: ByteWriter | undefined;

export function render(families: readonly Family[], format: Format, options: RenderOptions = {}): string {
  return encode(families, format, options).toString('utf8');
}

/** Prometheus text format 0.0.4. */
export function renderText(families: readonly Family[], options: RenderOptions = {}): string {
  return render(families, 'text', options);
}

/** OpenMetrics 1.0: counters as `<family>_total`, canonical `le`/`quantile`, exemplars, `# EOF`. */
export function renderOpenMetrics(families: readonly Family[], options: RenderOptions = {}): string {
  return render(families, 'openmetrics', options);
}

/** Writes series `from` (inclusive) to `to` (exclusive) of one family. */
type RangeWriter = (w: ByteWriter, from: number, to: number) => void;

/**
 * Writes a family's HELP/TYPE/UNIT lines and returns the writer of its series, with
 * everything that is the same for every series (names, default labels, `le` values)
 * rendered once. `series` is the family's series or a copy of them.
 */
function familyWriter(
  w: ByteWriter,
  f: Family,
  series: Family['series'],
  om: boolean,
  options: RenderOptions,
): RangeWriter {
  const def = defaultLabelText(options.defaultLabels, f);
  if (!om) {
    w.text(`# HELP ${f.name} ${escapeHelpText(f.help)}\n# TYPE ${f.name} ${f.type}\n`);
    if (f.type === 'histogram') return histogramWriter(f, series as HistogramFamily['series'], def, false, false);
    if (f.type === 'summary') return summaryWriter(f, series as SummaryFamily['series'], def, false, false);
    return valueWriter(f.name, series as readonly ValuePoint[], def, false, undefined);
  }
  const created = options.created === true;
  const family = f.type === 'counter' && f.name.endsWith('_total') ? f.name.slice(0, -6) : f.name;
  w.text(`# HELP ${family} ${escapeHelpOpenMetrics(f.help)}\n# TYPE ${family} ${f.type}\n`);
  if (f.unit !== '') w.text(`# UNIT ${family} ${f.unit}\n`);
  if (f.type === 'counter') {
    return valueWriter(
      `${family}_total`,
      series as readonly ValuePoint[],
      def,
      true,
      created ? `${family}_created` : undefined,
    );
  }
  if (f.type === 'gauge') return valueWriter(family, series as readonly ValuePoint[], def, false, undefined);
  if (f.type === 'histogram') return histogramWriter(f, series as HistogramFamily['series'], def, true, created);
  return summaryWriter(f, series as SummaryFamily['series'], def, true, created);
}

function linesPerSeries(f: Family): number {
  if (f.type === 'histogram') return f.upperBounds.length + 3;
  if (f.type === 'summary') return f.percentiles.length + 2;
  return 1;
}

/** Counters and gauges; `created` is the `_created` sample name when those are written. */
function valueWriter(
  name: string,
  series: readonly ValuePoint[],
  def: string,
  exemplars: boolean,
  created: string | undefined,
): RangeWriter {
  const open = opening(name, def);
  const bare = def === '' ? `${name} ` : `${name}{${def}} `;
  return (w, from, to) => {
    for (let i = from; i < to; i++) {
      const s = series[i] as ValuePoint;
      writeHead(w, open, bare, s.labelText, '} ');
      writeValue(w, s.value);
      if (exemplars && s.exemplar !== undefined) writeExemplar(w, s.exemplar);
      w.text('\n');
      if (created !== undefined && s.created) w.text(`${created}${block(def, s.labelText)} ${s.created}\n`);
    }
  };
}

function histogramWriter(
  f: HistogramFamily,
  series: HistogramFamily['series'],
  def: string,
  om: boolean,
  created: boolean,
): RangeWriter {
  const bounds = f.upperBounds;
  const le = bounds.map((b) => `le="${om ? formatCanonical(b) : formatValue(b)}"} `);
  le.push('le="+Inf"} ');
  // OpenMetrics forbids _sum beside negative buckets or a negative or NaN sum; _count goes with it.
  const negativeBuckets = om && bounds.length > 0 && (bounds[0] as number) < 0;
  const bucketOpen = opening(`${f.name}_bucket`, def);
  return (w, from, to) => {
    for (let k = from; k < to; k++) {
      const s = series[k] as HistogramPoint;
      const counts = s.counts;
      const exemplars = om ? s.exemplars : undefined;
      let cumulative = 0;
      for (let i = 0; i < counts.length; i++) {
        cumulative += counts[i] as number;
        writeHead(w, bucketOpen, bucketOpen, s.labelText, ',');
        w.text(le[i] as string);
        w.integer(cumulative);
        const e = exemplars?.[i];
        if (e !== undefined) writeExemplar(w, e);
        w.text('\n');
      }
      const labels = block(def, s.labelText);
      if (!negativeBuckets && !(om && !(s.sum >= 0))) {
        w.text(`${f.name}_sum${labels} `);
        writeValue(w, s.sum);
        w.text(`\n${f.name}_count${labels} `);
        w.integer(s.count);
        w.text('\n');
      }
      if (created && s.created) w.text(`${f.name}_created${labels} ${s.created}\n`);
    }
  };
}

function summaryWriter(
  f: SummaryFamily,
  series: SummaryFamily['series'],
  def: string,
  om: boolean,
  created: boolean,
): RangeWriter {
  const qs = f.percentiles.map((q) => `quantile="${om ? formatCanonical(q) : formatValue(q)}"} `);
  const open = opening(f.name, def);
  return (w, from, to) => {
    for (let k = from; k < to; k++) {
      const s = series[k] as SummaryPoint;
      for (let i = 0; i < qs.length; i++) {
        const v = s.quantiles[i] as number;
        // OpenMetrics forbids negative quantile values and a negative or NaN _sum.
        if (om && v < 0) continue;
        writeHead(w, open, open, s.labelText, ',');
        w.text(qs[i] as string);
        writeValue(w, v);
        w.text('\n');
      }
      const labels = block(def, s.labelText);
      if (!(om && !(s.sum >= 0))) {
        w.text(`${f.name}_sum${labels} `);
        writeValue(w, s.sum);
        w.text(`\n${f.name}_count${labels} `);
        w.integer(s.count);
        w.text('\n');
      }
      if (created && s.created) w.text(`${f.name}_created${labels} ${s.created}\n`);
    }
  };
}

/** `name{` or `name{default,` : what precedes a series' own labels. */
function opening(name: string, def: string): string {
  return def === '' ? `${name}{` : `${name}{${def},`;
}

/**
 * Writes a sample's name and labels. `open` ends in `{` or `,`; `bare` is what to write
 * when the series has no labels of its own; `close` follows the series' labels.
 */
function writeHead(w: ByteWriter, open: string, bare: string, labelText: string, close: string): void {
  if (labelText === '') {
    w.text(bare);
    return;
  }
  w.text(open);
  w.text(labelText);
  w.text(close);
}

function writeValue(w: ByteWriter, v: number): void {
  if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v) w.integer(v);
  else w.text(formatValue(v));
}

/** `{default,labels}`, or '' when both are empty. */
function block(def: string, labelText: string): string {
  if (labelText === '') return def === '' ? '' : `{${def}}`;
  return def === '' ? `{${labelText}}` : `{${def},${labelText}}`;
}

function writeExemplar(w: ByteWriter, e: Exemplar): void {
  w.text(` # {${e.labelText}} ${formatValue(e.value)} ${e.timestampMs / 1000}`);
}

function defaultLabelText(defaults: Readonly<Record<string, string>> | undefined, family: Family): string {
  if (defaults === undefined) return '';
  let out = '';
  for (const name in defaults) {
    if (family.labelNames.includes(name)) continue;
    if (family.constLabels !== undefined && name in family.constLabels) continue;
    if (out !== '') out += ',';
    out += `${name}="${escapeLabelValue(defaults[name] as string)}"`;
  }
  return out;
}
