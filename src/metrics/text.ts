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
 * OpenMetrics wants `le` and `quantile` in canonical form: an integral value keeps a
 * trailing `.0` (`1.0`, not `1`), as Go's exposition writes it.
 */
export function formatCanonical(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return `${value}.0`;
  return formatValue(value);
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
