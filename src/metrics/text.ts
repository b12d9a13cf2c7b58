/** Escaping and number formatting shared by both exposition formats. */

const NEEDS_LABEL_ESCAPE = /[\\"\n]/;

/** Label values escape backslash, double quote and newline in both formats. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_LABEL_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Text 0.0.4 escapes backslash and newline in HELP; double quotes stay as they are. */
export function escapeHelpText(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** OpenMetrics escapes double quotes in HELP as well. */
export function escapeHelpOpenMetrics(help: string): string {
  return escapeHelpText(help).replace(/"/g, '\\"');
}

export function formatValue(value: number): string {
  if (Number.isFinite(value)) return `${value}`;
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return 'NaN';
}

/**
 * OpenMetrics wants `le` and `quantile` in canonical form, which is Go's shortest `%g`
 * with a `.0` added to integral values: `1.0`, `0.005`, `123456.0`, `1e+06`, `1e-05`.
 * Prometheus 2.x keeps `le` as written, so anything else splits a bucket's series from
 * the same bucket exported by Go or Python clients.
 */
export function formatCanonical(value: number): string {
  if (!Number.isFinite(value)) return formatValue(value);
  if (value === 0) return '0.0';
  // Shortest round-trip digits, e.g. '1.23456e+5'.
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  let out: string;
  if (exp < -4 || exp >= 6) {
    const digits = exp < 0 ? -exp : exp;
    out = `${mantissa}e${exp < 0 ? '-' : '+'}${digits < 10 ? '0' : ''}${digits}`;
  } else {
    out = `${value}`;
  }
  return out.includes('.') || out.includes('e') ? out : `${out}.0`;
}

/**
 * Renders `a="x",b="y"` for names and already-stringified values. `join` builds one flat
 * string: concatenation would leave a rope of ~20 cons strings per series, costing heap
 * and a slower walk at every scrape.
 */
export function renderLabelPairs(names: readonly string[], values: readonly string[], prefix = ''): string {
  const parts: string[] = prefix === '' ? [] : [prefix];
  for (let i = 0; i < names.length; i++) {
    parts.push(`${names[i]}="${escapeLabelValue(values[i] as string)}"`);
  }
  return parts.join(',');
}

/** Inverse of renderLabelPairs, for the rare paths (snapshots, revived series). */
export function parseLabelPairs(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('="', i);
    const name = text.slice(i, eq);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        j++;
        value += text[j] === 'n' ? '\n' : text[j];
      } else {
        value += text[j];
      }
    }
    labels[name] = value;
    i = j + 2; // closing quote and comma
  }
  return labels;
}
