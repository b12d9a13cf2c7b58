import type { HealthResponse } from '../../api-types.js';

/** Hash routes: `#/overview`, `#/metrics?q=...`, `#/traces`, `#/traces/<id>`, `#/alerts`, `#/tests`. */

export interface PageContext {
  /** Aborted when the user leaves the page. */
  signal: AbortSignal;
  /** Path segments after the page name (`#/traces/abc` → `['abc']`). */
  params: string[];
  query: URLSearchParams;
  /** Runs when the page is left (destroy charts, stop timers). */
  onCleanup(fn: () => void): void;
  health(): HealthResponse | null;
}

export type Page = (root: HTMLElement, ctx: PageContext) => void;

export interface Route {
  name: string;
  page: string;
  params: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = raw.split('?', 2);
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const page = parts[0] ?? 'overview';
  return { name: raw, page, params: parts.slice(1), query: new URLSearchParams(search) };
}

/** `#/metrics?q=up&range=900` */
export function hashOf(page: string, params: string[] = [], query: Record<string, string> = {}): string {
  const path = [page, ...params.map(encodeURIComponent)].join('/');
  const search = new URLSearchParams(query).toString();
  return `#/${path}${search === '' ? '' : `?${search}`}`;
}

/** Goes to `hash`; the same hash again re-renders the page (a "Run" of the same query refreshes). */
export function navigate(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export function startRouter(
  root: HTMLElement,
  nav: HTMLElement,
  pages: Record<string, Page>,
  health: () => HealthResponse | null,
): void {
  let leave: (() => void) | undefined;
  const show = () => {
    leave?.();
    const route = parseHash(location.hash);
    const page = pages[route.page];
    for (const link of nav.querySelectorAll('a')) {
      if (link.dataset.route === route.page) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const controller = new AbortController();
    const cleanups: Array<() => void> = [];
    leave = () => {
      controller.abort();
      for (const fn of cleanups.splice(0)) fn();
    };
    root.replaceChildren();
    root.dataset.page = route.page;
    if (page === undefined) {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = `No page "${route.page}". Pick one above.`;
      root.append(p);
      return;
    }
    page(root, {
      signal: controller.signal,
      params: route.params,
      query: route.query,
      onCleanup: (fn) => cleanups.push(fn),
      health,
    });
  };
  window.addEventListener('hashchange', show);
  if (location.hash === '' || location.hash === '#' || location.hash === '#/') location.replace('#/overview');
  show();
}
