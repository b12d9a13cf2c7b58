import type { Alert, AlertsResponse } from '../../../api-types.js';
import { api } from '../api.js';
import { empty, h, labelChips, load, panel } from '../dom.js';
import { formatAgo, formatTime } from '../format.js';
import type { Page } from '../router.js';

/** Firing and pending alerts with labels and annotations; the rest below them. */

const ORDER: Array<Alert['state']> = ['firing', 'pending', 'suppressed', 'inactive'];
const REFRESH_MS = 15_000;

export const alertsPage: Page = (root, ctx) => {
  const view = panel('Alerts', 'alerts');
  root.append(h('h1', {}, 'Alerts'), view.root);
  const refresh = () =>
    load(
      view.body,
      () => api.alerts(ctx.signal),
      (res) => render(view.body, res),
      ctx.signal,
    );
  void refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  ctx.onCleanup(() => clearInterval(timer));
};

function render(body: HTMLElement, res: AlertsResponse): void {
  const counts = ORDER.map((state) => [state, res.alerts.filter((a) => a.state === state).length] as const);
  body.append(
    h(
      'p',
      { class: 'muted', 'data-testid': 'alert-counts' },
      `from ${res.source}: `,
      ...counts.map(([state, n]) =>
        h('span', { class: `count state-${state}`, 'data-state': state }, `${n} ${state} `),
      ),
    ),
  );
  if (res.alerts.length === 0) {
    body.append(empty('No alerts: nothing is firing or pending.'));
    return;
  }
  for (const state of ORDER) {
    const alerts = res.alerts.filter((a) => a.state === state);
    if (alerts.length === 0) continue;
    body.append(
      h(
        'section',
        { class: 'alert-group', 'data-testid': `alerts-${state}` },
        h('h3', {}, `${state[0]?.toUpperCase()}${state.slice(1)} (${alerts.length})`),
        ...alerts.map(alertCard),
      ),
    );
  }
}

function alertCard(alert: Alert): HTMLElement {
  const annotations = Object.entries(alert.annotations);
  return h(
    'article',
    {
      class: `alert state-${alert.state}`,
      'data-testid': 'alert',
      'data-alert-name': alert.name,
      'data-state': alert.state,
    },
    h(
      'header',
      {},
      h('strong', { 'data-testid': 'alert-name' }, alert.name),
      h('span', { class: `badge state-${alert.state}` }, alert.state),
      alert.severity === null
        ? ''
        : h('span', { class: 'badge severity', 'data-testid': 'alert-severity' }, alert.severity),
      h(
        'span',
        { class: 'muted', title: formatTime(alert.since) },
        alert.since === null ? '' : ` since ${formatAgo(alert.since)}`,
      ),
      alert.value === null ? '' : h('span', { class: 'muted' }, ` · value ${alert.value}`),
    ),
    h('div', { 'data-testid': 'alert-labels' }, labelChips(alert.labels, ['alertname'])),
    annotations.length === 0
      ? ''
      : h(
          'dl',
          { 'data-testid': 'alert-annotations' },
          ...annotations.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
        ),
  );
}
