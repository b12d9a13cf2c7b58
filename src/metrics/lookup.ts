import { keyOf } from './keys.js';

export type LabelObject = Readonly<Record<string, unknown>>;

/**
 * Compiles the label-object lookup of one metric. A loop that reads `labels[names[i]]`
 * with a changing key goes through V8's megamorphic cache; a function that names each
 * label as a constant reads them as ordinary properties, which halves the cost of a
 * labelled update. Names reach here validated, and are quoted with JSON.stringify.
 *
 * The compiled function counts the object's keys (an unknown label must not pass
 * silently), walks one map per label, and calls `miss` for anything else: a new label
 * set, or labels to reject.
 */
export function compileLookup<S>(
  names: readonly string[],
  root: Map<string, unknown>,
  miss: (labels: LabelObject) => S,
): (labels: LabelObject) => S {
  const body = [
    'let count = 0;',
    'for (const _ in labels) count++;',
    `if (count !== ${names.length}) return miss(labels);`,
    'let node = root;',
  ];
  names.forEach((name, i) => {
    body.push(
      `const v${i} = labels[${JSON.stringify(name)}];`,
      `node = node.get(typeof v${i} === 'string' ? v${i} : keyOf(v${i}));`,
      'if (node === undefined) return miss(labels);',
    );
  });
  body.push('return node;');
  const factory = new Function('root', 'keyOf', 'miss', `return function lookup(labels) {\n${body.join('\n')}\n};`);
  return factory(root, keyOf, miss) as (labels: LabelObject) => S;
}
