import { VigilError } from '../metrics/errors.js';

/**
 * A minimal check of text exposition 0.0.4 before it is pushed as is: `# HELP`, `# TYPE`
 * and sample lines, with the line number of the first problem. Timestamps are refused
 * because the Pushgateway refuses pushed samples that carry one.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const VALUE = /^[+-]?(?:Inf|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/i;

export interface ExpositionSummary {
  /** Sample lines. */
  samples: number;
  /** Names with a `# TYPE` line. */
  families: number;
}

function bad(line: number, text: string, what: string): VigilError {
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return new VigilError('VIGIL_ERR_EXPOSITION_FILE', `line ${line}: ${what}: ${JSON.stringify(shown)}`);
}

/** Parses `{a="x",b="y"}` starting at `start` (the `{`); returns the sorted pairs and the index after `}`. */
function labels(text: string, start: number, lineNo: number): { key: string; end: number } {
  const pairs: string[] = [];
  const seen = new Set<string>();
  let i = start + 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '}') return { key: pairs.sort().join(','), end: i + 1 };
    const nameMatch = /^[^=\s}]*/.exec(text.slice(i));
    const name = nameMatch?.[0] ?? '';
    if (!LABEL_NAME.test(name)) throw bad(lineNo, text, `invalid label name ${JSON.stringify(name)}`);
    if (seen.has(name)) throw bad(lineNo, text, `label ${name} appears twice`);
    seen.add(name);
    i += name.length;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') throw bad(lineNo, text, `expected ="value" after label ${name}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw bad(lineNo, text, `unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        if (next !== '\\' && next !== '"' && next !== 'n') {
          throw bad(lineNo, text, `invalid escape in label ${name} (only \\\\, \\" and \\n)`);
        }
        value += `\\${next}`;
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    pairs.push(`${name}="${value}"`);
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw bad(lineNo, text, `expected , or } after label ${name}`);
  }
}

/** Throws `VIGIL_ERR_EXPOSITION_FILE` naming the first bad line; otherwise counts what it saw. */
export function validateExposition(text: string): ExpositionSummary {
  const typed = new Map<string, string>();
  const sampled = new Set<string>();
  const series = new Set<string>();
  let samples = 0;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = (lines[n] ?? '').replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const parts = line
        .slice(1)
        .trim()
        .split(/[ \t]+/);
      const kind = parts[0];
      if (kind !== 'HELP' && kind !== 'TYPE') continue; // any other comment
      const name = parts[1] ?? '';
      if (!METRIC_NAME.test(name)) throw bad(lineNo, line, `invalid metric name ${JSON.stringify(name)} in # ${kind}`);
      if (kind === 'TYPE') {
        const type = parts[2] ?? '';
        if (!TYPES.has(type))
          throw bad(lineNo, line, `unknown type ${JSON.stringify(type)} (counter, gauge, histogram, summary, untyped)`);
        if (typed.has(name)) throw bad(lineNo, line, `second # TYPE line for ${name}`);
        if (sampled.has(name)) throw bad(lineNo, line, `# TYPE for ${name} comes after its samples`);
        typed.set(name, type);
      }
      continue;
    }
    const nameMatch = /^[^\s{]*/.exec(line);
    const name = nameMatch?.[0] ?? '';
    if (!METRIC_NAME.test(name)) throw bad(lineNo, line, `invalid metric name ${JSON.stringify(name)}`);
    let rest = name.length;
    let key = '';
    if (line[rest] === '{') {
      const parsed = labels(line, rest, lineNo);
      key = parsed.key;
      rest = parsed.end;
    }
    const fields = line
      .slice(rest)
      .trim()
      .split(/[ \t]+/);
    const value = fields[0] ?? '';
    if (value === '') throw bad(lineNo, line, 'missing value');
    if (!VALUE.test(value)) throw bad(lineNo, line, `invalid value ${JSON.stringify(value)}`);
    if (fields.length === 2) {
      throw bad(
        lineNo,
        line,
        'the sample has a timestamp, and the Pushgateway refuses pushed samples with timestamps; remove it',
      );
    }
    if (fields.length > 2) throw bad(lineNo, line, 'unexpected text after the value');
    const id = `${name}{${key}}`;
    if (series.has(id)) throw bad(lineNo, line, `duplicate series ${id}`);
    series.add(id);
    sampled.add(name);
    // Samples of a histogram or summary mark their family as seen too.
    sampled.add(name.replace(/_(bucket|sum|count|total|created)$/, ''));
    samples++;
  }
  if (samples === 0) {
    throw new VigilError('VIGIL_ERR_EXPOSITION_FILE', 'the file has no samples; pushing it would empty the group.');
  }
  return { samples, families: typed.size };
}
