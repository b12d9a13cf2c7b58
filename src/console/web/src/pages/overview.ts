import type { HealthResponse, OverviewPanel, OverviewResponse } from '../../../api-types.js';
import { api } from '../api.js';
import { onHealth } from '../banner.js';
import { type ChartHandle, chart } from '../chart.js';
import { clear, errorBox, h, load, notice, panel, withoutCode } from '../dom.js';
import { formatBytes, formatSeconds, formatValue, type Unit } from '../format.js';
import { hashOf, navigate, type Page } from '../router.js';

/** Health cards, then the seven RED/runtime charts of GET /api/overview. */

const PANELS: Array<{ key: OverviewPanel; title: string; unit: Unit }> = [
  { key: 'requestRate', title: 'Request rate per route', unit: 'rate' },
  { key: 'errorRate', title: 'Error rate per route', unit: 'ratio' },
  { key: 'latencyP95', title: 'p95 latency per route', unit: 'seconds' },
  { key: 'inFlight', title: 'Requests in flight', unit: 'count' },
  { key: 'cpu', title: 'CPU', unit: 'percent' },
  { key: 'memory', title: 'Memory', unit: 'bytes' },
  { key: 'eventLoop', title: 'Event loop delay', unit: 'seconds' },
];

export const RANGES: Array<[string, number]> = [
  ['5 min', 300],
  ['15 min', 900],
  ['1 h', 3600],
  ['6 h', 21600],
  ['24 h', 86400],
];

const REFRESH_MS = 15_000;

export const overviewPage: Page = (root, ctx) => {
  const range = Number(ctx.query.get('range') ?? 900) || 900;

  const cards = h('div', { class: 'cards', 'data-testid': 'health-cards', 'aria-busy': 'true' }, 'Loading…');
  const renderCards = (health: HealthResponse) => {
    cards.removeAttribute('aria-busy');
    cards.replaceChildren(...healthCards(health));
  };
  const initial = ctx.health();
  if (initial !== null) renderCards(initial);
  ctx.onCleanup(onHealth(renderCards));
  api.health(ctx.signal).then(renderCards, (error: unknown) => {
    if (ctx.signal.aborted) return;
    cards.removeAttribute('aria-busy');
    cards.replaceChildren(errorBox(error));
  });

  const rangeSelect = h(
    'select',
    {
      'data-testid': 'range',
      'aria-label': 'Range',
      onchange: (e) => {
        navigate(hashOf('overview', [], { range: (e.target as HTMLSelectElement).value }));
      },
    },
    ...RANGES.map(([label, seconds]) => h('option', { value: seconds, selected: seconds === range }, label)),
  );
  const status = h('span', { class: 'muted', 'data-testid': 'overview-source' });
  const grid = h('div', { class: 'grid' });
  const bodies = new Map<OverviewPanel, HTMLElement>();
  for (const p of PANELS) {
    const { root: section, body } = panel(p.title, p.key);
    bodies.set(p.key, body);
    grid.append(section);
  }
  root.append(
    h('h1', {}, 'Overview'),
    cards,
    h('div', { class: 'toolbar' }, h('label', {}, 'Range ', rangeSelect), status),
    grid,
  );

  let charts: ChartHandle[] = [];
  const destroyCharts = () => {
    for (const c of charts) c.destroy();
    charts = [];
  };
  ctx.onCleanup(destroyCharts);

  const refresh = async () => {
    const all = h('div');
    // One request for all panels; each panel shows the loading state, then its chart or error.
    for (const body of bodies.values()) body.setAttribute('aria-busy', 'true');
    await load(
      all,
      () => api.overview(range, ctx.signal),
      (overview: OverviewResponse) => {
        destroyCharts();
        status.textContent = `source: ${overview.source} · step ${formatSeconds(overview.range.step)}`;
        for (const p of PANELS) {
          const body = bodies.get(p.key);
          if (body === undefined) continue;
          clear(body);
          const error = overview.errors[p.key];
          if (error !== undefined) {
            body.append(notice(error, 'panel-unavailable'));
            continue;
          }
          const c = chart(overview.panels[p.key] ?? [], { testid: p.key, unit: p.unit, skipLabels: ['__name__'] });
          charts.push(c);
          body.append(c.root);
        }
      },
      ctx.signal,
    );
    for (const body of bodies.values()) body.removeAttribute('aria-busy');
    // The whole call failed (e.g. Prometheus down): the same error in every panel, no charts.
    const failure = all.querySelector('[data-testid="error"]');
    if (failure !== null) {
      destroyCharts();
      for (const body of bodies.values()) body.replaceChildren(failure.cloneNode(true));
    }
  };
  for (const body of bodies.values()) body.append(h('p', { class: 'loading', 'data-testid': 'loading' }, 'Loading…'));
  void refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  ctx.onCleanup(() => clearInterval(timer));
};

function card(testid: string, title: string, value: string, detail: string, state?: string): HTMLElement {
  return h(
    'div',
    { class: 'card', 'data-testid': `card-${testid}`, 'data-state': state },
    h('div', { class: 'card-title' }, title),
    h('div', { class: 'card-value', 'data-testid': 'card-value' }, value),
    h('div', { class: 'card-detail', title: detail }, detail),
  );
}

function healthCards(health: HealthResponse): HTMLElement[] {
  const { memory, eventLoopDelaySeconds: loop } = health;
  const cards = [
    card(
      'status',
      'Status',
      health.status,
      health.reasons.length === 0
        ? 'all configured sources answer'
        : `${health.reasons.length} source${health.reasons.length === 1 ? '' : 's'} down (see the banner)`,
      health.status,
    ),
    card('mode', 'Mode', health.mode, `vigil ${health.versions.vigil} · node ${health.versions.node}`),
    card('uptime', 'Uptime', formatSeconds(health.uptimeSeconds), 'of the console process'),
    card('cpu', 'CPU', formatValue(health.cpuPercent, 'percent'), 'of one core'),
    card(
      'memory',
      'Memory (RSS)',
      formatBytes(memory.rssBytes),
      `heap ${formatBytes(memory.heapUsedBytes)} / ${formatBytes(memory.heapTotalBytes)}`,
    ),
    card(
      'eventLoop',
      'Event loop delay p99',
      formatSeconds(loop.p99),
      `p50 ${formatSeconds(loop.p50)} · max ${formatSeconds(loop.max)}`,
    ),
  ];
  for (const source of health.sources) {
    const state = !source.configured ? 'off' : source.reachable === false ? 'down' : 'up';
    const value = state === 'off' ? 'not configured' : state === 'down' ? 'unreachable' : 'reachable';
    const detail =
      state === 'down'
        ? withoutCode(source.error ?? '')
        : [source.url, source.latencyMs === null ? null : `${Math.round(source.latencyMs)} ms`]
            .filter((x) => x !== null)
            .join(' · ');
    cards.push(card(`source-${source.name}`, source.name, value, detail, state));
  }
  return cards;
}
