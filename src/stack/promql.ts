/**
 * PromQL checks for generated dashboards and rules: does an expression parse (Prometheus'
 * own Lezer grammar), and does every metric name it selects exist. The grammar accepts
 * PromQL only: expand Grafana variables such as `$__rate_interval` first (see
 * `expandGrafanaVariables` in ./grafana/variables.ts).
 */
import { parser } from '@prometheus-io/lezer-promql';

export type PromQLParseResult = { ok: true } | { ok: false; message: string; position: number };

/** Parses with Prometheus' grammar; the first error node gives the position and the reason. */
export function parsePromQL(expr: string): PromQLParseResult {
  if (expr.trim() === '') return { ok: false, message: 'the expression is empty', position: 0 };
  let error: { from: number; to: number } | undefined;
  parser.parse(expr).iterate({
    enter: (node) => {
      if (error !== undefined) return false;
      if (node.type.isError) error = { from: node.from, to: node.to };
      return undefined;
    },
  });
  if (error === undefined) return { ok: true };
  return { ok: false, message: describeError(expr, error.from, error.to), position: error.from };
}

function describeError(expr: string, from: number, to: number): string {
  const line = expr.slice(0, from).split('\n').length;
  const column = columnOf(expr, from);
  const where = expr.includes('\n')
    ? `at position ${from} (line ${line}, column ${column})`
    : `at position ${from} (column ${column})`;
  if (from >= expr.trimEnd().length) {
    return `unexpected end of expression ${where}: a bracket, parenthesis or argument is missing`;
  }
  const text = to > from ? expr.slice(from, to) : (expr.slice(from).match(/^\S+/)?.[0] ?? expr[from]);
  return `unexpected ${JSON.stringify(text)} ${where}`;
}

function columnOf(expr: string, position: number): number {
  return position - expr.lastIndexOf('\n', position - 1);
}

/** Metric names selected by the expression: `foo{...}`, `{__name__="foo"}` and `{"foo"}`. */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  const text = (node: { from: number; to: number }) => expr.slice(node.from, node.to);
  parser.parse(expr).iterate({
    enter: (ref) => {
      if (ref.name !== 'VectorSelector') return undefined;
      const node = ref.node;
      const identifier = node.getChild('Identifier');
      if (identifier !== null) names.add(text(identifier));
      const matchers = node.getChild('LabelMatchers');
      for (const child of matchers === null ? [] : matchers.getChildren('QuotedLabelName')) {
        const literal = child.getChild('StringLiteral');
        if (literal !== null) names.add(unquote(text(literal)));
      }
      for (const matcher of matchers === null ? [] : matchers.getChildren('UnquotedLabelMatcher')) {
        const label = matcher.getChild('LabelName');
        const op = matcher.getChild('MatchOp')?.firstChild;
        const value = matcher.getChild('StringLiteral');
        if (label === null || value === null || text(label) !== '__name__' || op?.name !== 'EqlSingle') continue;
        names.add(unquote(text(value)));
      }
      return undefined;
    },
  });
  return [...names];
}

/** A PromQL string literal's value: `"a\"b"`, `'a'` or a raw `` `a` ``. */
function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  try {
    return JSON.parse(`"${quote === "'" ? body.replace(/\\'/g, "'").replace(/"/g, '\\"') : body}"`) as string;
  } catch {
    return body;
  }
}

/**
 * Problems of an expression in words: a parse error with its position, and every metric
 * name not in `known` with the closest known name as a hint. `[]` means it is fine.
 */
export function lintPromQL(expr: string, known: ReadonlySet<string>): string[] {
  const parsed = parsePromQL(expr);
  if (!parsed.ok) return [`does not parse: ${parsed.message}`];
  const problems: string[] = [];
  for (const name of metricNamesIn(expr)) {
    if (known.has(name)) continue;
    const closest = closestName(name, known);
    problems.push(
      `unknown metric name "${name}"${closest === undefined ? '' : `; did you mean "${closest}"?`} (neither Vigil, Prometheus nor the Pushgateway exports it, and no recording rule defines it)`,
    );
  }
  return problems;
}

/** The known name with the smallest edit distance, if any is reasonably close. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) && bestDistance < name.length ? best : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
