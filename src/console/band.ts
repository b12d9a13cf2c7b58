import type { ChartSeries } from './api-types.js';

/** How many standard deviations from the mean a point may stray before it is "outside". */
export const BAND_K = 3;
const MIN_BASELINE_POINTS = 5;

/**
 * Adds an anomaly band to a series: mean ± k·stddev of the earlier half of the window,
 * drawn across the whole window; `outside` lists the later points beyond it. Too few
 * points for a baseline → no band (never a guessed one).
 */
export function withBand(series: ChartSeries, k = BAND_K): ChartSeries {
  const points = series.points;
  const split = Math.floor(points.length / 2);
  if (split < MIN_BASELINE_POINTS) return series;
  const baseline = points.slice(0, split).map(([, v]) => v);
  const mean = baseline.reduce((a, b) => a + b, 0) / baseline.length;
  const variance = baseline.reduce((a, b) => a + (b - mean) ** 2, 0) / baseline.length;
  const spread = k * Math.sqrt(variance);
  const lower = mean - spread;
  const upper = mean + spread;
  return {
    ...series,
    band: {
      lower: points.map(([t]) => [t, lower] as [number, number]),
      upper: points.map(([t]) => [t, upper] as [number, number]),
    },
    outside: points
      .slice(split)
      .filter(([, v]) => v < lower || v > upper)
      .map(([t]) => t),
  };
}
