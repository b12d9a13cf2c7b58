import type { Labels, QueryData } from './api-types.js';
import type { History, HistorySeries } from './history.js';
import { matches, parseSelector } from './selector.js';

/** Prometheus' default lookback: a sample older than this is not "current". */
const LOOKBACK_SECONDS = 300;

const withName = (s: HistorySeries): Labels => ({ __name__: s.name, ...s.labels });
const text = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

function select(history: History, query: string): HistorySeries[] {
  const matchers = parseSelector(query);
  return [...history.all()].filter((s) => matches(matchers, s.name, s.labels));
}

/** An instant query of a series selector against the history. */
export function embeddedQuery(history: History, query: string, time: number): QueryData {
  const result: Array<{ metric: Labels; value: [number, string] }> = [];
  for (const s of select(history, query)) {
    const v = s.at(time, LOOKBACK_SECONDS);
    if (v !== undefined) result.push({ metric: withName(s), value: [time, text(v)] });
  }
  return { resultType: 'vector', result };
}

/** A range query of a series selector, evaluated per step as Prometheus does. */
export function embeddedQueryRange(
  history: History,
  query: string,
  start: number,
  end: number,
  step: number,
): QueryData {
  const lookback = Math.max(LOOKBACK_SECONDS, step);
  const result: Array<{ metric: Labels; values: Array<[number, string]> }> = [];
  for (const s of select(history, query)) {
    const values: Array<[number, string]> = [];
    for (let t = start; t <= end + 1e-9; t += step) {
      const v = s.at(t, lookback);
      if (v !== undefined) values.push([Math.round(t * 1000) / 1000, text(v)]);
    }
    if (values.length > 0) result.push({ metric: withName(s), values });
  }
  return { resultType: 'matrix', result };
}

export function embeddedSeries(history: History, match: readonly string[]): Labels[] {
  const seen = new Map<string, Labels>();
  for (const m of match) {
    for (const s of select(history, m)) {
      const labels = withName(s);
      seen.set(JSON.stringify(labels), labels);
    }
  }
  return [...seen.values()];
}

export function embeddedLabels(history: History): string[] {
  const names = new Set<string>(['__name__']);
  for (const s of history.all()) for (const name of Object.keys(s.labels)) names.add(name);
  return [...names].sort();
}
