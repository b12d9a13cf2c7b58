import type { MetricsResponse, QueryResponse } from '../../../api-types.js';
import { api } from '../api.js';
import { type ChartHandle, chart, fromMatrix } from '../chart.js';
import { clear, empty, h, labelChips, load, panel, table } from '../dom.js';
import { formatTime, round, seriesLabel } from '../format.js';
import { hashOf, navigate, type Page } from '../router.js';
import { RANGES } from './overview.js';

/**
 * Metrics explorer: search the registry's families and series (and Prometheus' series when
 * one is configured), chart any series or PromQL expression over a chosen range.
 * State lives in the hash (`#/metrics?search=&q=&range=`) so a chart can be linked.
 */

type Family = MetricsResponse['families'][number];

export const metricsPage: Page = (root, ctx) => {
  const search = ctx.query.get('search') ?? '';
  const expr = ctx.query.get('q') ?? '';
  const range = Number(ctx.query.get('range') ?? 900) || 900;
  const go = (next: { search?: string; q?: string; range?: number }) => {
    const query: Record<string, string> = {};
    const s = next.search ?? search;
    const q = next.q ?? expr;
    if (s !== '') query.search = s;
    if (q !== '') query.q = q;
    query.range = String(next.range ?? range);
    navigate(hashOf('metrics', [], query));
  };

  const searchInput = h('input', {
    type: 'search',
    value: search,
    placeholder: 'metric name or help text',
    'aria-label': 'Search metrics',
    'data-testid': 'metric-search',
  });
  const searchForm = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: (e) => {
        e.preventDefault();
        go({ search: searchInput.value.trim() });
      },
    },
    searchInput,
    h('button', { type: 'submit' }, 'Search'),
  );
  const families = panel('Families', 'families', searchForm);

  const exprInput = h('input', {
    type: 'text',
    value: expr,
    placeholder: 'series selector or PromQL, e.g. http_server_requests_total{route="/"}',
    'aria-label': 'Expression',
    'data-testid': 'query-input',
    class: 'expr',
  });
  const rangeSelect = h(
    'select',
    { 'aria-label': 'Range', 'data-testid': 'query-range' },
    ...RANGES.map(([label, seconds]) => h('option', { value: seconds, selected: seconds === range }, label)),
  );
  const queryForm = h(
    'form',
    {
      class: 'inline-form wide',
      onsubmit: (e) => {
        e.preventDefault();
        go({ q: exprInput.value.trim(), range: Number(rangeSelect.value) });
      },
    },
    exprInput,
    rangeSelect,
    h('button', { type: 'submit', 'data-testid': 'query-run' }, 'Run'),
  );
  const result = panel('Chart', 'query', queryForm);

  root.append(h('h1', {}, 'Metrics explorer'), h('div', { class: 'split' }, families.root, result.root));

  void load(
    families.body,
    () => api.metrics(search, ctx.signal),
    (res) => renderFamilies(families.body, res, (q) => go({ q })),
    ctx.signal,
  );
  if (ctx.health()?.mode === 'prometheus' && search !== '') {
    const remote = h('div', { class: 'remote' });
    families.body.after(remote);
    const pattern = `.*${search.replace(/[\\.+*?()|[\]{}^$"]/g, '\\\\$&')}.*`;
    void load(
      remote,
      () => api.series([`{__name__=~"${pattern}"}`], ctx.signal),
      (res) => {
        remote.append(h('h3', {}, `Series in ${res.source} (${res.data.length})`));
        const rows = res.data.slice(0, 200).map((labels) => {
          const { __name__: name = '', ...rest } = labels;
          const sel = selector(name, rest);
          return [h('a', { href: hashOf('metrics', [], { search, q: sel, range: String(range) }) }, sel)];
        });
        remote.append(rows.length === 0 ? empty('No series match.') : table(['series'], rows, 'remote-series'));
      },
      ctx.signal,
    );
  }

  let current: ChartHandle | undefined;
  ctx.onCleanup(() => current?.destroy());
  if (expr === '') {
    result.body.append(empty('Pick a series on the left or type an expression, then Run.'));
    return;
  }
  const end = Math.floor(Date.now() / 1000);
  const start = end - range;
  const step = Math.max(1, Math.round(range / 240));
  void load(
    result.body,
    () => api.queryRange(expr, start, end, step, ctx.signal),
    (res: QueryResponse) => {
      result.body.append(h('p', { class: 'muted', 'data-testid': 'query-source' }, `source: ${res.source}`));
      for (const warning of res.warnings ?? []) result.body.append(h('p', { class: 'warning' }, warning));
      const data = res.data;
      if (data.resultType === 'matrix') {
        current = chart(fromMatrix(data.result), {
          testid: 'query',
          emptyText: 'The expression returned no series in this range.',
        });
        result.body.append(current.root);
      } else if (data.resultType === 'vector') {
        result.body.append(
          table(
            ['series', 'value', 'time'],
            data.result.map((r) => [seriesLabel(r.metric), r.value[1], formatTime(r.value[0])]),
            'query-vector',
          ),
        );
      } else {
        result.body.append(h('p', { 'data-testid': 'query-scalar' }, `${data.resultType}: ${data.result[1]}`));
      }
    },
    ctx.signal,
  );
};

function renderFamilies(body: HTMLElement, res: MetricsResponse, pick: (q: string) => void): void {
  clear(body);
  if (res.families.length === 0) {
    body.append(empty('No metric family matches.'));
    return;
  }
  body.append(h('p', { class: 'muted' }, `${res.families.length} families`));
  const list = h('div', { class: 'families', 'data-testid': 'families' });
  // A short list opens itself; a long one stays a list of names.
  const open = res.families.length <= 3;
  for (const family of res.families) list.append(familyView(family, pick, open));
  body.append(list);
}

function familyView(family: Family, pick: (q: string) => void, open: boolean): HTMLElement {
  const summed = family.type === 'histogram' || family.type === 'summary';
  const rows = family.series.map((s) => {
    const sel = selector(summed ? `${family.name}_count` : family.name, s.labels);
    const value = summed
      ? `count ${s.count ?? '–'} · sum ${s.sum === undefined ? '–' : round(s.sum, 6)}`
      : String(s.value);
    return h(
      'tr',
      {
        'data-testid': 'series-row',
        'data-series': seriesLabel(s.labels),
        'data-value': String(s.value ?? s.count ?? ''),
      },
      h('td', {}, labelChips(s.labels)),
      h('td', { class: 'num', 'data-testid': 'series-value' }, value),
      h(
        'td',
        {},
        h(
          'button',
          { type: 'button', class: 'link', 'data-testid': 'chart-series', onclick: () => pick(sel) },
          'chart',
        ),
      ),
    );
  });
  return h(
    'details',
    { class: 'family', 'data-testid': 'family', 'data-family': family.name, open },
    h(
      'summary',
      {},
      h('code', {}, family.name),
      h('span', { class: 'badge' }, family.type),
      h('span', { class: 'muted' }, ` ${family.series.length} series`),
    ),
    h('p', { class: 'help' }, family.help, family.unit === '' ? '' : ` (${family.unit})`),
    family.series.length === 0 ? empty('No series yet.') : h('table', {}, h('tbody', {}, ...rows)),
  );
}

/** `name{a="x",b="y"}` with PromQL string escaping. */
export function selector(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}
