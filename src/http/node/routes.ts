import { invalidOption } from '../core.js';

/**
 * Route templates for plain node:http servers, which have no router of their own:
 * `/users/:id` (a parameter matches one non-empty segment), `/static/*` (the rest of the
 * path, at least one segment). Static segments win over parameters, parameters over `*`,
 * and the matcher backtracks, so `/users/me` and `/users/:id` can live side by side. One
 * trailing slash is ignored. Compiled once into a tree of segments.
 */
interface Node {
  statics: Map<string, Node> | null;
  /**
   * The same static segments as arrays when there are few (most nodes): matched in place
   * with `startsWith`, without cutting each segment out of the path to look it up.
   */
  keys: string[] | null;
  children: Node[] | null;
  param: Node | null;
  /** Template ending in `*` at this point. */
  rest: string | null;
  /** Template ending exactly here. */
  template: string | null;
}

const node = (): Node => ({ statics: null, keys: null, children: null, param: null, rest: null, template: null });
/** Up to this many static segments under one node are scanned rather than hashed. */
const SCAN_LIMIT = 8;

/** Compiles templates into `path => template | undefined`. */
export function compileRoutes(templates: readonly string[]): (path: string) => string | undefined {
  if (!Array.isArray(templates)) {
    throw invalidOption('routes must be an array of templates, e.g. ["/users/:id", "/static/*"].');
  }
  const root = node();
  for (const template of templates) add(root, template);
  seal(root);
  return (path) => {
    const end = path.length > 1 && path.charCodeAt(path.length - 1) === 47 ? path.length - 1 : path.length;
    return find(root, path, 1, end);
  };
}

function add(root: Node, template: unknown): void {
  if (typeof template !== 'string' || !template.startsWith('/')) {
    throw invalidOption(`route ${JSON.stringify(template)} must be a string starting with "/", e.g. "/users/:id".`);
  }
  const trimmed = template.length > 1 && template.endsWith('/') ? template.slice(0, -1) : template;
  const segments = trimmed === '/' ? [] : trimmed.slice(1).split('/');
  let at = root;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as string;
    if (s === '*') {
      if (i !== segments.length - 1) throw invalidOption(`route "${template}": "*" may only be the last segment.`);
      at.rest ??= template;
      return;
    }
    if (s.startsWith(':')) {
      if (s.length === 1) throw invalidOption(`route "${template}": a parameter needs a name, e.g. ":id".`);
      at.param ??= node();
      at = at.param;
    } else {
      at.statics ??= new Map();
      let next = at.statics.get(s);
      if (next === undefined) {
        next = node();
        at.statics.set(s, next);
      }
      at = next;
    }
  }
  // The first template wins, as in every router.
  at.template ??= template;
}

function seal(at: Node): void {
  if (at.statics !== null && at.statics.size <= SCAN_LIMIT) {
    at.keys = [...at.statics.keys()];
    at.children = [...at.statics.values()];
  }
  for (const next of at.statics?.values() ?? []) seal(next);
  if (at.param !== null) seal(at.param);
}

/** Matches `path[from, end)`, the segments below `at`. */
function find(at: Node, path: string, from: number, end: number): string | undefined {
  if (from >= end) return at.template ?? undefined;
  let slash = path.indexOf('/', from);
  if (slash === -1 || slash > end) slash = end;
  if (at.keys !== null) {
    const keys = at.keys;
    const length = slash - from;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (key.length === length && path.startsWith(key, from)) {
        const found = find((at.children as Node[])[i] as Node, path, slash + 1, end);
        if (found !== undefined) return found;
        break;
      }
    }
  } else if (at.statics !== null) {
    const next = at.statics.get(path.slice(from, slash));
    if (next !== undefined) {
      const found = find(next, path, slash + 1, end);
      if (found !== undefined) return found;
    }
  }
  if (at.param !== null && slash > from) {
    const found = find(at.param, path, slash + 1, end);
    if (found !== undefined) return found;
  }
  return at.rest ?? undefined;
}
