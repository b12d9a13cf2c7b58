import { parser } from '@prometheus-io/lezer-promql';
import type { Labels } from './api-types.js';
import { HttpError } from './respond.js';

export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  /** Anchored, as Prometheus anchors label regexes. */
  regex?: RegExp;
}

const FULL_PROMQL =
  'the embedded history answers series selectors only (name{label="value"}); configure Prometheus (--prometheus URL or VIGIL_PROMETHEUS_URL) for full PromQL.';

function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  if (literal.startsWith("'")) return JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
  return JSON.parse(literal) as string;
}

function badData(message: string): HttpError {
  return new HttpError(400, 'VIGIL_ERR_QUERY_FAILED', message, { errorType: 'bad_data' });
}

/**
 * Parses a PromQL series selector with Prometheus' own grammar (lezer-promql) and refuses
 * anything else: functions, operators, ranges, offsets.
 */
export function parseSelector(query: string): Matcher[] {
  const tree = parser.parse(query);
  const top = tree.topNode.firstChild;
  let error = false;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error = true;
    },
  });
  if (error || top === null) throw badData(`cannot parse ${JSON.stringify(query)} as PromQL.`);
  if (top.name !== 'VectorSelector' || top.nextSibling !== null) throw badData(FULL_PROMQL);
  const matchers: Matcher[] = [];
  for (let child = top.firstChild; child !== null; child = child.nextSibling) {
    if (child.name === 'Identifier')
      matchers.push({ name: '__name__', op: '=', value: query.slice(child.from, child.to) });
    else if (child.name === 'LabelMatchers') {
      for (let m = child.firstChild; m !== null; m = m.nextSibling) {
        const name = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (name === null || op === null || value === null) {
          if (m.name === 'StringLiteral' || m.name === 'QuotedLabelName') {
            // `{"metric_name"}`: a quoted metric name.
            matchers.push({ name: '__name__', op: '=', value: unquote(query.slice(m.from, m.to)) });
            continue;
          }
          throw badData(FULL_PROMQL);
        }
        const rawName = query.slice(name.from, name.to);
        const matcher: Matcher = {
          name: rawName.startsWith('"') ? unquote(rawName) : rawName,
          op: query.slice(op.from, op.to) as Matcher['op'],
          value: unquote(query.slice(value.from, value.to)),
        };
        if (matcher.op === '=~' || matcher.op === '!~') {
          try {
            matcher.regex = new RegExp(`^(?:${matcher.value})$`);
          } catch (e) {
            throw badData(`invalid regular expression ${JSON.stringify(matcher.value)}: ${(e as Error).message}`);
          }
        }
        matchers.push(matcher);
      }
    } else throw badData(FULL_PROMQL);
  }
  if (!matchers.some((m) => (m.op === '=' && m.value !== '') || (m.op === '=~' && !m.regex?.test('')))) {
    throw badData('vector selector must contain at least one non-empty matcher');
  }
  return matchers;
}

export function matches(matchers: readonly Matcher[], name: string, labels: Labels): boolean {
  for (const m of matchers) {
    const value = m.name === '__name__' ? name : (labels[m.name] ?? '');
    switch (m.op) {
      case '=':
        if (value !== m.value) return false;
        break;
      case '!=':
        if (value === m.value) return false;
        break;
      case '=~':
        if (!m.regex?.test(value)) return false;
        break;
      case '!~':
        if (m.regex?.test(value)) return false;
        break;
    }
  }
  return true;
}
