import type { TestRun, TestsResponse } from '../../../api-types.js';
import { api } from '../api.js';
import { type ChartHandle, chart } from '../chart.js';
import { empty, h, labelChips, load, panel, table } from '../dom.js';
import { formatAgo, formatBytes, formatSeconds, formatTime, seriesLabel } from '../format.js';
import type { Page } from '../router.js';

/** Test runs pushed to the Pushgateway: counts, duration trend, slowest tests, in-test latency. */

export const testsPage: Page = (root, ctx) => {
  const view = panel('Test runs', 'tests');
  root.append(h('h1', {}, 'Test runs'), view.root);
  const charts: ChartHandle[] = [];
  ctx.onCleanup(() => {
    for (const c of charts) c.destroy();
  });
  void load(
    view.body,
    () => api.tests(ctx.signal),
    (res) => render(view.body, res, charts),
    ctx.signal,
  );
};

function render(body: HTMLElement, res: TestsResponse, charts: ChartHandle[]): void {
  if (res.runs.length === 0) {
    body.append(empty('No test runs on the Pushgateway yet. Run the suite with a Vigil reporter to push one.'));
    return;
  }
  const newestFirst = [...res.runs].sort((a, b) => (b.lastPushSeconds ?? 0) - (a.lastPushSeconds ?? 0));
  for (const run of newestFirst) body.append(runView(run, charts));
}

function count(testid: string, label: string, value: number, state: string): HTMLElement {
  return h(
    'div',
    { class: 'card', 'data-testid': `count-${testid}`, 'data-state': state },
    h('div', { class: 'card-title' }, label),
    h('div', { class: 'card-value', 'data-testid': 'card-value' }, String(value)),
  );
}

function runView(run: TestRun, charts: ChartHandle[]): HTMLElement {
  const total = run.passed + run.failed + run.skipped;
  const title = run.group.job ?? seriesLabel(run.group);
  const section = h(
    'section',
    { class: 'run', 'data-testid': 'test-run', 'data-job': run.group.job ?? '' },
    h(
      'header',
      {},
      h('h3', {}, title),
      labelChips(run.group, ['job']),
      h(
        'span',
        { class: 'muted', title: formatTime(run.lastPushSeconds) },
        ` pushed ${formatAgo(run.lastPushSeconds)}`,
      ),
    ),
    h(
      'div',
      { class: 'cards' },
      count('passed', 'Passed', run.passed, 'up'),
      count('failed', 'Failed', run.failed, run.failed > 0 ? 'down' : 'up'),
      count('skipped', 'Skipped', run.skipped, 'off'),
      h(
        'div',
        { class: 'card', 'data-testid': 'run-duration' },
        h('div', { class: 'card-title' }, 'Duration'),
        h('div', { class: 'card-value' }, run.durationSeconds === null ? '–' : formatSeconds(run.durationSeconds)),
        h('div', { class: 'card-detail' }, `${total} tests`),
      ),
      h(
        'div',
        { class: 'card', 'data-testid': 'run-heap' },
        h('div', { class: 'card-title' }, 'Heap growth'),
        h('div', { class: 'card-value' }, run.heapGrowthBytes === null ? '–' : formatBytes(run.heapGrowthBytes)),
      ),
    ),
  );

  const ratio = h('div', { class: 'ratio', 'data-testid': 'pass-ratio', title: `${run.passed} passed of ${total}` });
  for (const [n, cls] of [
    [run.passed, 'passed'],
    [run.failed, 'failed'],
    [run.skipped, 'skipped'],
  ] as const) {
    const part = h('span', { class: cls });
    part.style.width = `${total === 0 ? 0 : (n / total) * 100}%`;
    ratio.append(part);
  }
  section.append(ratio);

  section.append(h('h4', {}, 'Duration trend'));
  if (run.durationTrend.length === 0) {
    section.append(empty('No trend: earlier durations come from Prometheus, which is not configured or has none yet.'));
  } else {
    const c = chart([{ labels: { job: title }, points: run.durationTrend }], {
      testid: 'durationTrend',
      unit: 'seconds',
      height: 160,
    });
    charts.push(c);
    section.append(c.root);
  }

  section.append(h('h4', {}, 'Slowest tests'));
  section.append(
    run.slowest.length === 0
      ? empty('No per-test durations in this push.')
      : table(
          ['test', 'file', 'duration'],
          run.slowest.map((t) => [t.test, h('code', {}, t.file), h('td', { class: 'num' }, formatSeconds(t.seconds))]),
          'slowest',
        ),
  );

  section.append(h('h4', {}, 'In-test latency'));
  const pct = (v: number | null) => h('td', { class: 'num' }, v === null ? '–' : formatSeconds(v));
  section.append(
    run.latency.length === 0
      ? empty('No in-test latency measured (vigil_test_latency_seconds).')
      : table(
          ['operation', 'p50', 'p95', 'p99'],
          run.latency.map((l) => [l.operation, pct(l.p50), pct(l.p95), pct(l.p99)]),
          'latency',
        ),
  );
  return section;
}
