import type { Exemplar } from './exemplar.js';
import type { Family, HistogramFamily, SummaryFamily } from './family.js';
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
  if (format === 'openmetrics') writeOpenMetrics(writer, families, options);
  else writeText(writer, families, options);
  return writer.finish();
}

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

function writeText(w: ByteWriter, families: readonly Family[], options: RenderOptions): void {
  for (const f of families) {
    const def = defaultLabelText(options.defaultLabels, f);
    w.text(`# HELP ${f.name} ${escapeHelpText(f.help)}\n# TYPE ${f.name} ${f.type}\n`);
    if (f.type === 'histogram') writeHistogram(w, f, def, false, false);
    else if (f.type === 'summary') writeSummary(w, f, def, false, false);
    else {
      const open = opening(f.name, def);
      const bare = def === '' ? `${f.name} ` : `${f.name}{${def}} `;
      for (const s of f.series) {
        writeHead(w, open, bare, s.labelText, '} ');
        writeValue(w, s.value);
        w.text('\n');
      }
    }
  }
}

function writeOpenMetrics(w: ByteWriter, families: readonly Family[], options: RenderOptions): void {
  const created = options.created === true;
  for (const f of families) {
    const def = defaultLabelText(options.defaultLabels, f);
    const family = f.type === 'counter' && f.name.endsWith('_total') ? f.name.slice(0, -6) : f.name;
    w.text(`# HELP ${family} ${escapeHelpOpenMetrics(f.help)}\n# TYPE ${family} ${f.type}\n`);
    if (f.unit !== '') w.text(`# UNIT ${family} ${f.unit}\n`);
    if (f.type === 'counter') {
      const sample = `${family}_total`;
      const open = opening(sample, def);
      const bare = def === '' ? `${sample} ` : `${sample}{${def}} `;
      for (const s of f.series) {
        writeHead(w, open, bare, s.labelText, '} ');
        writeValue(w, s.value);
        if (s.exemplar !== undefined) writeExemplar(w, s.exemplar);
        w.text('\n');
        if (created && s.created) w.text(`${family}_created${block(def, s.labelText)} ${s.created}\n`);
      }
    } else if (f.type === 'gauge') {
      const open = opening(family, def);
      const bare = def === '' ? `${family} ` : `${family}{${def}} `;
      for (const s of f.series) {
        writeHead(w, open, bare, s.labelText, '} ');
        writeValue(w, s.value);
        w.text('\n');
      }
    } else if (f.type === 'histogram') {
      writeHistogram(w, f, def, true, created);
    } else {
      writeSummary(w, f, def, true, created);
    }
  }
  w.text('# EOF\n');
}

function writeHistogram(w: ByteWriter, f: HistogramFamily, def: string, om: boolean, created: boolean): void {
  const bounds = f.upperBounds;
  const le = bounds.map((b) => `le="${om ? formatCanonical(b) : formatValue(b)}"} `);
  le.push('le="+Inf"} ');
  // OpenMetrics forbids _sum beside negative buckets or a negative sum; _count goes with it.
  const negativeBuckets = om && bounds.length > 0 && (bounds[0] as number) < 0;
  const bucketOpen = opening(`${f.name}_bucket`, def);
  for (const s of f.series) {
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
    if (!negativeBuckets && !(om && s.sum < 0)) {
      w.text(`${f.name}_sum${labels} `);
      writeValue(w, s.sum);
      w.text(`\n${f.name}_count${labels} `);
      w.integer(s.count);
      w.text('\n');
    }
    if (created && s.created) w.text(`${f.name}_created${labels} ${s.created}\n`);
  }
}

function writeSummary(w: ByteWriter, f: SummaryFamily, def: string, om: boolean, created: boolean): void {
  const qs = f.percentiles.map((q) => `quantile="${om ? formatCanonical(q) : formatValue(q)}"} `);
  const open = opening(f.name, def);
  for (const s of f.series) {
    for (let i = 0; i < qs.length; i++) {
      const v = s.quantiles[i] as number;
      // OpenMetrics forbids negative quantile values and a negative _sum.
      if (om && v < 0) continue;
      writeHead(w, open, open, s.labelText, ',');
      w.text(qs[i] as string);
      writeValue(w, v);
      w.text('\n');
    }
    const labels = block(def, s.labelText);
    if (!(om && s.sum < 0)) {
      w.text(`${f.name}_sum${labels} `);
      writeValue(w, s.sum);
      w.text(`\n${f.name}_count${labels} `);
      w.integer(s.count);
      w.text('\n');
    }
    if (created && s.created) w.text(`${f.name}_created${labels} ${s.created}\n`);
  }
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
