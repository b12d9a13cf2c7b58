/** PromQL fragments the dashboards share, so every panel filters and aggregates alike. */

/** Grafana's rate window: at least four scrape intervals, so a rate always has two samples. */
export const RATE = '$__rate_interval';

/** `sum by (a, b) (inner)`, or `sum(inner)` without labels. */
export function sumBy(labels: readonly string[], inner: string): string {
  return labels.length === 0 ? `sum(${inner})` : `sum by (${labels.join(', ')}) (${inner})`;
}

/** `sum by (...) (rate(metric{matchers}[window]))`. */
export function sumRate(metric: string, matchers: string, labels: readonly string[] = [], window = RATE): string {
  return sumBy(labels, `rate(${metric}{${matchers}}[${window}])`);
}

/** A quantile of a histogram family over the rate window, by labels. */
export function histogramQuantile(
  quantile: number,
  histogram: string,
  matchers: string,
  labels: readonly string[] = [],
  window = RATE,
): string {
  return `histogram_quantile(${quantile}, ${sumRate(`${histogram}_bucket`, matchers, ['le', ...labels], window)})`;
}

/** Share of a counter's rate that matches `part` (errors, hits, successes), by labels. */
export function rateRatio(
  metric: string,
  matchers: string,
  part: string,
  labels: readonly string[] = [],
  window = RATE,
): string {
  const partMatchers = matchers === '' ? part : `${matchers},${part}`;
  return `${sumRate(metric, partMatchers, labels, window)} / ${sumRate(metric, matchers, labels, window)}`;
}

/** Mean of a histogram or summary over the rate window: rate of `_sum` over rate of `_count`. */
export function rateMean(family: string, matchers: string, labels: readonly string[] = [], window = RATE): string {
  return `${sumRate(`${family}_sum`, matchers, labels, window)} / ${sumRate(`${family}_count`, matchers, labels, window)}`;
}
