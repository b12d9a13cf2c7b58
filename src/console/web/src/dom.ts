import { ApiFailure } from './api.js';

/** Small DOM helpers: no framework, no innerHTML (so no markup injection from data). */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/**
 * `h('td', { class: 'num', 'data-testid': 'x', onclick: fn }, 'text', child)`.
 * `on*` keys add listeners; `false`/`null`/`undefined` attributes are left out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** A titled panel; render into `body`. */
export function panel(title: string, testid: string, ...tools: Child[]): { root: HTMLElement; body: HTMLElement } {
  const body = h('div', { class: 'panel-body' });
  const root = h(
    'section',
    { class: 'panel', 'data-testid': `panel-${testid}` },
    h('header', {}, h('h2', {}, title), h('div', { class: 'tools' }, ...tools)),
    body,
  );
  return { root, body };
}

/**
 * "Loading…" with aria-busy until `render` ran (a refresh keeps the old content, dimmed,
 * until the new one is there); an error box with code and message if the call failed.
 */
export async function load<T>(
  body: HTMLElement,
  fetcher: () => Promise<T>,
  render: (value: T) => void,
  signal?: AbortSignal,
): Promise<void> {
  body.setAttribute('aria-busy', 'true');
  if (body.childElementCount === 0) body.append(h('p', { class: 'loading', 'data-testid': 'loading' }, 'Loading…'));
  try {
    const value = await fetcher();
    if (signal?.aborted) return;
    clear(body);
    render(value);
  } catch (error) {
    if (signal?.aborted) return;
    clear(body);
    body.append(errorBox(error));
  } finally {
    body.removeAttribute('aria-busy');
  }
}

export function errorBox(error: unknown): HTMLElement {
  const code = error instanceof ApiFailure ? error.code : 'ERROR';
  const message = withoutCode(error instanceof Error ? error.message : String(error), code);
  const source = error instanceof ApiFailure && error.source !== undefined ? ` (${error.source})` : '';
  return h(
    'div',
    { class: 'error-box', role: 'alert', 'data-testid': 'error', 'data-code': code },
    h('strong', { class: 'code' }, `${code}${source}`),
    h('p', {}, message),
  );
}

/** Messages may start with their own code (`VIGIL_ERR_X: ...`); the box shows it once. */
export function withoutCode(message: string, code?: string): string {
  const stripped = message.replace(/^[A-Z][A-Z0-9_]+:\s*/, (prefix) =>
    code === undefined || prefix.startsWith(code) ? '' : prefix,
  );
  return stripped === '' ? message : stripped;
}

/** Ends a sentence once: `"... right."` stays, `"... refused"` gets a period. */
export function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

/** Something the API could not provide, not a failed call: amber, not red. */
export function notice(text: string, testid = 'notice'): HTMLElement {
  return h('p', { class: 'notice', role: 'status', 'data-testid': testid }, text);
}

export function empty(text: string): HTMLElement {
  return h('p', { class: 'empty', 'data-testid': 'empty' }, text);
}

/** A table from header names and rows of cells. */
export function table(headers: string[], rows: Child[][], testid?: string): HTMLTableElement {
  return h(
    'table',
    { 'data-testid': testid },
    h('thead', {}, h('tr', {}, ...headers.map((name) => h('th', {}, name)))),
    h(
      'tbody',
      {},
      ...rows.map((cells) =>
        h('tr', {}, ...cells.map((c) => (c instanceof HTMLTableCellElement ? c : h('td', {}, c)))),
      ),
    ),
  );
}

/** `{route="/a", method="GET"}` → label chips. */
export function labelChips(labels: Record<string, string>, skip: readonly string[] = []): HTMLElement {
  const entries = Object.entries(labels).filter(([key]) => !skip.includes(key));
  return h(
    'span',
    { class: 'chips' },
    ...entries.map(([key, value]) => h('span', { class: 'chip', 'data-label': key }, `${key}=${value}`)),
  );
}
