import uPlot from 'uplot';
import type { ChartSeries } from '../../api-types.js';
import { empty, h } from './dom.js';
import { formatValue, seriesLabel, type Unit } from './format.js';

/**
 * A uPlot time chart of API series: one line per series, its anomaly band as a filled
 * area between lower and upper, points outside the band as red dots, and a legend table
 * (last, min, max) that tests and people can read without hovering.
 */

export interface ChartOptions {
  /** `data-testid="chart-<testid>"` on the chart's root. */
  testid: string;
  unit?: Unit;
  height?: number;
  /** Label names left out of series names (e.g. `__name__`). */
  skipLabels?: readonly string[];
  /** Shown instead of the chart when no series has a point. */
  emptyText?: string;
}

export interface ChartHandle {
  root: HTMLElement;
  /** null when there was nothing to draw. */
  plot: uPlot | null;
  destroy(): void;
}

const PALETTE = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];
const OUTSIDE = '#e5484d';
const MAX_LINES = 40;

export function chart(series: ChartSeries[], options: ChartOptions): ChartHandle {
  const unit = options.unit ?? 'none';
  const drawn = series.filter((s) => s.points.length > 0).slice(0, MAX_LINES);
  const root = h('div', { class: 'chart', 'data-testid': `chart-${options.testid}` });
  if (drawn.length === 0) {
    root.dataset.points = '0';
    root.append(empty(options.emptyText ?? 'No data in this range.'));
    return { root, plot: null, destroy() {} };
  }

  const xs = timestamps(drawn);
  const index = new Map(xs.map((x, i) => [x, i]));
  const align = (points: Array<[number, number]>): Array<number | null> => {
    const out: Array<number | null> = new Array(xs.length).fill(null);
    for (const [t, v] of points) {
      const i = index.get(t);
      if (i !== undefined) out[i] = Number.isFinite(v) ? v : null;
    }
    return out;
  };

  const data: Array<Array<number | null>> = [xs];
  const uSeries: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  const legendRows: HTMLElement[] = [];
  let totalPoints = 0;
  let totalOutside = 0;

  drawn.forEach((s, n) => {
    const color = PALETTE[n % PALETTE.length] ?? '#3b82f6';
    const label = seriesLabel(s.labels, options.skipLabels);
    const line = align(s.points);
    totalPoints += s.points.length;
    data.push(line);
    // A lone point has no line to draw: show it as a dot (uPlot hides dots on dense lines by itself).
    uSeries.push({ label, stroke: color, width: 1.5, spanGaps: false, points: { size: 6, fill: color } });

    if (s.band !== undefined && s.band.lower.length > 0) {
      data.push(align(s.band.upper), align(s.band.lower));
      const upperIdx = uSeries.length;
      uSeries.push({ label: `${label} upper`, stroke: 'transparent', width: 0, points: { show: false } });
      uSeries.push({ label: `${label} lower`, stroke: 'transparent', width: 0, points: { show: false } });
      bands.push({ series: [upperIdx, upperIdx + 1], fill: `${color}26` });
    }

    let outsideCount = 0;
    if (s.outside !== undefined && s.outside.length > 0) {
      const outsideSet = new Set(s.outside);
      const marks = line.map((v, i) => (outsideSet.has(xs[i] ?? Number.NaN) ? v : null));
      outsideCount = marks.filter((v) => v !== null).length;
      totalOutside += outsideCount;
      data.push(marks);
      uSeries.push({
        label: `${label} outside band`,
        stroke: OUTSIDE,
        fill: OUTSIDE,
        paths: () => null,
        points: { show: true, size: 9, width: 1, stroke: OUTSIDE, fill: OUTSIDE },
      });
    }

    const values = s.points.map(([, v]) => v).filter((v) => Number.isFinite(v));
    const last = s.points[s.points.length - 1]?.[1] ?? null;
    legendRows.push(
      h(
        'tr',
        { 'data-testid': 'legend-row', 'data-series': label, 'data-last': last === null ? '' : String(last) },
        h('td', {}, swatch(color)),
        h('td', { class: 'series-name' }, label),
        h('td', { class: 'num', 'data-testid': 'legend-last' }, formatValue(last, unit)),
        h('td', { class: 'num' }, formatValue(values.length > 0 ? Math.min(...values) : null, unit)),
        h('td', { class: 'num' }, formatValue(values.length > 0 ? Math.max(...values) : null, unit)),
        h(
          'td',
          { class: outsideCount > 0 ? 'num outside' : 'num', 'data-testid': 'legend-outside' },
          s.band === undefined ? '' : String(outsideCount),
        ),
      ),
    );
  });

  root.dataset.points = String(totalPoints);
  root.dataset.outside = String(totalOutside);
  const mount = h('div', { class: 'plot' });
  const legend = h(
    'table',
    { class: 'legend', 'data-testid': 'legend' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}),
        h('th', {}, 'series'),
        h('th', {}, 'last'),
        h('th', {}, 'min'),
        h('th', {}, 'max'),
        h('th', {}, 'outside band'),
      ),
    ),
    h('tbody', {}, ...legendRows),
  );
  root.append(mount, legend);
  if (series.length > drawn.length) {
    root.append(h('p', { class: 'note' }, `Showing ${drawn.length} of ${series.length} series.`));
  }

  const height = options.height ?? 200;
  const plot = new uPlot(
    {
      width: 600,
      height,
      series: uSeries,
      bands,
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      // One timestamp would stretch the axis over years: give it a minute either side.
      scales: {
        x:
          xs.length === 1 ? { time: true, auto: false, range: [(xs[0] ?? 0) - 60, (xs[0] ?? 0) + 60] } : { time: true },
      },
      axes: [
        { stroke: '#6b7280', grid: { stroke: '#e5e7eb' } },
        {
          stroke: '#6b7280',
          grid: { stroke: '#e5e7eb' },
          size: 72,
          values: (_u, splits) => splits.map((v) => formatValue(v, unit)),
        },
      ],
    },
    data as uPlot.AlignedData,
    mount,
  );
  // Size to the container once it is laid out, and on every resize after.
  const observer = new ResizeObserver(() => {
    const width = Math.floor(mount.clientWidth);
    if (width > 0 && width !== plot.width) plot.setSize({ width, height });
  });
  observer.observe(mount);
  return {
    root,
    plot,
    destroy() {
      observer.disconnect();
      plot.destroy();
    },
  };
}

function timestamps(series: ChartSeries[]): number[] {
  const set = new Set<number>();
  for (const s of series) {
    for (const [t] of s.points) set.add(t);
    if (s.band !== undefined) {
      for (const [t] of s.band.lower) set.add(t);
      for (const [t] of s.band.upper) set.add(t);
    }
  }
  return [...set].sort((a, b) => a - b);
}

function swatch(color: string): HTMLElement {
  const el = h('span', { class: 'swatch' });
  el.style.backgroundColor = color;
  return el;
}

/** Prometheus matrix/vector results as chart series. */
export function fromMatrix(
  result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>,
): ChartSeries[] {
  return result.map((r) => ({
    labels: r.metric,
    points: r.values.map(([t, v]) => [t, Number(v)] as [number, number]),
  }));
}
