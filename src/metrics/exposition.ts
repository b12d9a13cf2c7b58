import type { Exemplar } from './exemplar.js';
import type { Family, HistogramFamily, SummaryFamily } from './family.js';
import { escapeHelpOpenMetrics, escapeHelpText, escapeLabelValue, formatCanonical, formatValue } from './text.js';

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

export function render(families: readonly Family[], format: Format, options: RenderOptions = {}): string {
  return format === 'openmetrics' ? renderOpenMetrics(families, options) : renderText(families, options);
}

/** Prometheus text format 0.0.4. */
export function renderText(families: readonly Family[], options: RenderOptions = {}): string {
  let out = '';
  for (const f of families) {
    const def = defaultLabelText(options.defaultLabels, f);
    out += `# HELP ${f.name} ${escapeHelpText(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    if (f.type === 'histogram') out += histogramText(f, def, false);
    else if (f.type === 'summary') out += summaryText(f, def, false);
    else {
      const name = f.name;
      for (const s of f.series) out += `${name}${block(def, s.labelText)} ${formatValue(s.value)}\n`;
    }
  }
  return out;
}

/** OpenMetrics 1.0: counters as `<family>_total`, canonical `le`/`quantile`, exemplars, `# EOF`. */
export function renderOpenMetrics(families: readonly Family[], options: RenderOptions = {}): string {
  const created = options.created === true;
  let out = '';
  for (const f of families) {
    const def = defaultLabelText(options.defaultLabels, f);
    const family = f.type === 'counter' && f.name.endsWith('_total') ? f.name.slice(0, -6) : f.name;
    out += `# HELP ${family} ${escapeHelpOpenMetrics(f.help)}\n# TYPE ${family} ${f.type}\n`;
    if (f.unit !== '') out += `# UNIT ${family} ${f.unit}\n`;
    if (f.type === 'counter') {
      for (const s of f.series) {
        const labels = block(def, s.labelText);
        out += `${family}_total${labels} ${formatValue(s.value)}${exemplarText(s.exemplar)}\n`;
        if (created && s.created) out += `${family}_created${labels} ${s.created}\n`;
      }
    } else if (f.type === 'gauge') {
      for (const s of f.series) out += `${family}${block(def, s.labelText)} ${formatValue(s.value)}\n`;
    } else if (f.type === 'histogram') {
      out += histogramText(f, def, true, created);
    } else {
      out += summaryText(f, def, true, created);
    }
  }
  return `${out}# EOF\n`;
}

function histogramText(f: HistogramFamily, def: string, om: boolean, created = false): string {
  const bounds = f.upperBounds;
  const le = bounds.map((b) => `le="${om ? formatCanonical(b) : formatValue(b)}"} `);
  le.push('le="+Inf"} ');
  // OpenMetrics forbids _sum beside negative buckets or a negative sum; _count goes with it.
  const negativeBuckets = om && bounds.length > 0 && (bounds[0] as number) < 0;
  const bucketOpen = `${f.name}_bucket{${def === '' ? '' : `${def},`}`;
  let out = '';
  for (const s of f.series) {
    const head = s.labelText === '' ? bucketOpen : `${bucketOpen}${s.labelText},`;
    const counts = s.counts;
    const exemplars = om ? s.exemplars : undefined;
    let cumulative = 0;
    for (let i = 0; i < counts.length; i++) {
      cumulative += counts[i] as number;
      out += `${head}${le[i]}${cumulative}`;
      if (exemplars !== undefined) out += exemplarText(exemplars[i]);
      out += '\n';
    }
    const labels = block(def, s.labelText);
    if (!negativeBuckets && !(om && s.sum < 0)) {
      out += `${f.name}_sum${labels} ${formatValue(s.sum)}\n${f.name}_count${labels} ${s.count}\n`;
    }
    if (created && s.created) out += `${f.name}_created${labels} ${s.created}\n`;
  }
  return out;
}

function summaryText(f: SummaryFamily, def: string, om: boolean, created = false): string {
  const qs = f.percentiles.map((q) => `quantile="${om ? formatCanonical(q) : formatValue(q)}"} `);
  const open = `${f.name}{${def === '' ? '' : `${def},`}`;
  let out = '';
  for (const s of f.series) {
    const head = s.labelText === '' ? open : `${open}${s.labelText},`;
    for (let i = 0; i < qs.length; i++) {
      const v = s.quantiles[i] as number;
      // OpenMetrics forbids negative quantile values and a negative _sum.
      if (!(om && v < 0)) out += `${head}${qs[i]}${formatValue(v)}\n`;
    }
    const labels = block(def, s.labelText);
    if (!(om && s.sum < 0)) {
      out += `${f.name}_sum${labels} ${formatValue(s.sum)}\n${f.name}_count${labels} ${s.count}\n`;
    }
    if (created && s.created) out += `${f.name}_created${labels} ${s.created}\n`;
  }
  return out;
}

/** `{default,labels}`, or '' when both are empty. */
function block(def: string, labelText: string): string {
  if (labelText === '') return def === '' ? '' : `{${def}}`;
  return def === '' ? `{${labelText}}` : `{${def},${labelText}}`;
}

function exemplarText(e: Exemplar | undefined): string {
  if (e === undefined) return '';
  return ` # {${e.labelText}} ${formatValue(e.value)} ${e.timestampMs / 1000}`;
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
