import type { SpanView, TraceResponse, TracesResponse } from '../../../api-types.js';
import { api } from '../api.js';
import { clear, empty, h, load, panel, table } from '../dom.js';
import { formatMs, formatTime } from '../format.js';
import { hashOf, navigate, type Page } from '../router.js';

/** Trace list (filters in the hash) and one trace's waterfall: `#/traces/<traceId>`. */

export const tracesPage: Page = (root, ctx) => {
  const traceId = ctx.params[0];
  if (traceId !== undefined) traceView(root, traceId, ctx.signal);
  else traceList(root, ctx.query, ctx.signal);
};

const FILTERS = ['service', 'name', 'minDurationMs', 'status'] as const;

function traceList(root: HTMLElement, query: URLSearchParams, signal: AbortSignal): void {
  const inputs = {
    service: h('input', { type: 'text', name: 'service', value: query.get('service') ?? '', placeholder: 'service' }),
    name: h('input', { type: 'text', name: 'name', value: query.get('name') ?? '', placeholder: 'root span name' }),
    minDurationMs: h('input', {
      type: 'number',
      name: 'minDurationMs',
      min: 0,
      value: query.get('minDurationMs') ?? '',
      placeholder: 'min ms',
    }),
    status: h(
      'select',
      { name: 'status', 'aria-label': 'Status' },
      ...['', 'ok', 'error', 'unset'].map((s) =>
        h('option', { value: s, selected: s === (query.get('status') ?? '') }, s === '' ? 'any status' : s),
      ),
    ),
  };
  const form = h(
    'form',
    {
      class: 'inline-form',
      'data-testid': 'trace-filters',
      onsubmit: (e) => {
        e.preventDefault();
        const next: Record<string, string> = {};
        for (const key of FILTERS) if (inputs[key].value.trim() !== '') next[key] = inputs[key].value.trim();
        navigate(hashOf('traces', [], next));
      },
    },
    inputs.service,
    inputs.name,
    inputs.minDurationMs,
    inputs.status,
    h('button', { type: 'submit' }, 'Filter'),
  );
  const list = panel('Traces', 'traces', form);
  root.append(h('h1', {}, 'Traces'), list.root);
  const filter = {
    service: query.get('service') ?? undefined,
    name: query.get('name') ?? undefined,
    minDurationMs: query.has('minDurationMs') ? Number(query.get('minDurationMs')) : undefined,
    status: query.get('status') ?? undefined,
    limit: 200,
  };
  void load(
    list.body,
    () => api.traces(filter, signal),
    (res) => renderList(list.body, res),
    signal,
  );
}

function renderList(body: HTMLElement, res: TracesResponse): void {
  const { store } = res;
  body.append(
    h(
      'p',
      { class: 'muted', 'data-testid': 'trace-store' },
      `${store.traces} traces, ${store.spans} of at most ${store.maxSpans} spans kept for ${formatMs(store.maxAgeSeconds * 1000)}; ${store.dropped} dropped.`,
    ),
  );
  if (res.traces.length === 0) {
    body.append(empty('No traces yet. Spans arrive through the in-process tracer or OTLP at /v1/traces.'));
    return;
  }
  const longest = Math.max(...res.traces.map((t) => t.durationMs), 1e-9);
  const rows = res.traces.map((t) => {
    const bar = h('span', { class: `bar ${t.status}` });
    bar.style.width = `${Math.max(1, (t.durationMs / longest) * 100)}%`;
    return h(
      'tr',
      {
        class: 'clickable',
        'data-testid': 'trace-row',
        'data-trace-id': t.traceId,
        'data-root-name': t.rootName,
        tabindex: 0,
        onclick: () => {
          navigate(hashOf('traces', [t.traceId]));
        },
        onkeydown: (e) => {
          if ((e as KeyboardEvent).key === 'Enter') navigate(hashOf('traces', [t.traceId]));
        },
      },
      h('td', {}, formatTime(t.startTimeMs / 1000)),
      h('td', {}, h('a', { href: hashOf('traces', [t.traceId]) }, t.rootName)),
      h('td', {}, t.service),
      h('td', { class: 'num', 'data-testid': 'trace-duration' }, formatMs(t.durationMs)),
      h('td', { class: 'duration-cell' }, bar),
      h('td', { class: 'num' }, String(t.spanCount)),
      h('td', {}, statusBadge(t.status)),
    );
  });
  body.append(
    h(
      'table',
      { 'data-testid': 'trace-list' },
      h(
        'thead',
        {},
        h('tr', {}, ...['start', 'root span', 'service', 'duration', '', 'spans', 'status'].map((n) => h('th', {}, n))),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}`, 'data-testid': 'status' }, status);
}

function traceView(root: HTMLElement, traceId: string, signal: AbortSignal): void {
  const view = panel(`Trace ${traceId}`, 'trace', h('a', { href: '#/traces' }, '← all traces'));
  root.append(h('h1', {}, 'Trace'), view.root);
  void load(
    view.body,
    () => api.trace(traceId, signal),
    (res) => renderWaterfall(view.body, res),
    signal,
  );
}

interface Row {
  span: SpanView;
  depth: number;
}

/** Depth-first order under each parent (children by start time); orphans start at depth 0. */
function ordered(spans: SpanView[]): Row[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, SpanView[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== null && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(span);
    children.set(parent, list);
  }
  const rows: Row[] = [];
  const visit = (parent: string | null, depth: number) => {
    const list = (children.get(parent) ?? []).sort((a, b) => a.startTimeMs - b.startTimeMs);
    for (const span of list) {
      rows.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

function renderWaterfall(body: HTMLElement, res: TraceResponse): void {
  if (res.spans.length === 0) {
    body.append(empty('This trace has no spans.'));
    return;
  }
  const start = Math.min(...res.spans.map((s) => s.startTimeMs));
  const end = Math.max(...res.spans.map((s) => s.startTimeMs + s.durationMs));
  const total = Math.max(end - start, 1e-6);
  const services = [...new Set(res.spans.map((s) => s.service))];
  body.append(
    h(
      'p',
      { class: 'muted', 'data-testid': 'trace-summary' },
      `${res.spans.length} spans · ${formatMs(total)} · ${services.join(', ')} · started ${formatTime(start / 1000)}`,
    ),
  );

  const details = h(
    'div',
    { class: 'span-details', 'data-testid': 'span-details-panel' },
    empty('Click a span to see its attributes.'),
  );
  const rows = h('div', { class: 'waterfall', 'data-testid': 'waterfall', role: 'list' });
  let selected: HTMLElement | undefined;
  for (const { span, depth } of ordered(res.spans)) {
    const bar = h('span', { class: `wf-bar ${span.status}` });
    bar.style.left = `${((span.startTimeMs - start) / total) * 100}%`;
    bar.style.width = `${Math.max(0.3, (span.durationMs / total) * 100)}%`;
    const name = h('span', { class: 'wf-name' }, span.name, h('span', { class: 'muted' }, ` ${span.service}`));
    name.style.paddingLeft = `${depth * 16}px`;
    const row: HTMLElement = h(
      'div',
      {
        class: 'wf-row',
        role: 'listitem',
        tabindex: 0,
        'data-testid': 'waterfall-bar',
        'data-span-name': span.name,
        'data-span-id': span.spanId,
        'data-depth': depth,
        onclick: () => select(),
        onkeydown: (e) => {
          if ((e as KeyboardEvent).key === 'Enter') select();
        },
      },
      name,
      h('span', { class: 'wf-track' }, bar),
      h('span', { class: 'wf-dur num' }, formatMs(span.durationMs)),
    );
    const select = () => {
      selected?.removeAttribute('aria-selected');
      row.setAttribute('aria-selected', 'true');
      selected = row;
      clear(details);
      details.append(spanDetails(span));
    };
    rows.append(row);
  }
  body.append(h('div', { class: 'wf-axis' }, h('span', {}, '0'), h('span', {}, formatMs(total))), rows, details);
}

function spanDetails(span: SpanView): HTMLElement {
  const fmt = (v: unknown) => (Array.isArray(v) ? v.map(String).join(', ') : String(v));
  const attrs = Object.entries(span.attributes).sort(([a], [b]) => a.localeCompare(b));
  return h(
    'div',
    { 'data-testid': 'span-details', 'data-span-name': span.name },
    h('h3', {}, span.name, ' ', statusBadge(span.status)),
    table(
      ['field', 'value'],
      [
        ['span id', span.spanId],
        ['parent', span.parentSpanId ?? '(root)'],
        ['service', span.service],
        ['kind', span.kind],
        ['start', formatTime(span.startTimeMs / 1000)],
        ['duration', formatMs(span.durationMs)],
        ['status', span.statusMessage === null ? span.status : `${span.status}: ${span.statusMessage}`],
      ],
      'span-fields',
    ),
    h('h4', {}, 'Attributes'),
    attrs.length === 0
      ? empty('No attributes.')
      : table(
          ['attribute', 'value'],
          attrs.map(([k, v]) => [h('code', {}, k), fmt(v)]),
          'span-attributes',
        ),
    span.events.length === 0
      ? ''
      : h(
          'div',
          {},
          h('h4', {}, 'Events'),
          table(
            ['time', 'event', 'attributes'],
            span.events.map((e) => [
              `+${formatMs(e.timeMs - span.startTimeMs)}`,
              e.name,
              Object.entries(e.attributes)
                .map(([k, v]) => `${k}=${fmt(v)}`)
                .join(' '),
            ]),
            'span-events',
          ),
        ),
  );
}
