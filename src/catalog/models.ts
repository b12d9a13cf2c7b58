import type { LabelValue } from '../metrics/index.js';
import { type CatalogOptions, resolve, timeOutcome } from './shared.js';

/** Model lifecycle metric names: the one place dashboards and alert rules read them from. */
export const MODEL_METRICS = {
  events: 'model_events_total',
  duration: 'model_event_duration_seconds',
  loaded: 'models_loaded',
} as const;

/** The `event` label values. */
export const MODEL_EVENTS = ['load', 'unload', 'inference', 'error'] as const;
export type ModelEvent = (typeof MODEL_EVENTS)[number];

/** Default buckets of model_event_duration_seconds: 10 ms to 2 min. */
export const MODEL_BUCKETS: readonly number[] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Model lifecycle: load, unload, inference and error events by model with their durations,
 * and which models are loaded (`models_loaded{model}` is 1 while loaded, 0 after unload;
 * `sum(models_loaded)` counts them). A timed step that throws counts as an `error` event
 * (with the time until it failed), not as its own event. Get-or-create.
 *
 * @example
 * const models = modelMetrics({ registry });
 * await models.load('llama-3-8b', () => server.load('llama-3-8b'));
 * const out = await models.infer('llama-3-8b', () => server.generate(prompt));
 */
export function modelMetrics(options: CatalogOptions = {}) {
  const { registry, name, limit } = resolve(options);
  const events = registry.counter({
    name: name(MODEL_METRICS.events),
    help: 'Model lifecycle events, by model and event (load, unload, inference or error).',
    labelNames: ['model', 'event'],
    ...limit,
  });
  const duration = registry.histogram({
    name: name(MODEL_METRICS.duration),
    help: 'Duration of model lifecycle events in seconds, by model and event.',
    labelNames: ['model', 'event'],
    ...limit,
    buckets: options.buckets ?? MODEL_BUCKETS,
  });
  const loaded = registry.gauge({
    name: name(MODEL_METRICS.loaded),
    help: 'Whether a model is loaded (1) or not (0), by model.',
    labelNames: ['model'],
    ...limit,
  });

  const record = (model: LabelValue, event: ModelEvent, seconds?: number): void => {
    events.inc({ model, event });
    if (seconds !== undefined) duration.observe({ model, event }, seconds);
    if (event === 'load') loaded.set({ model }, 1);
    else if (event === 'unload') loaded.set({ model }, 0);
  };

  /** Times a sync or async step as `event`; an error records an `error` event instead. */
  const time = <R>(labels: { model: LabelValue; event: Exclude<ModelEvent, 'error'> }, fn: () => R): R => {
    events.labels({ model: labels.model, event: labels.event });
    return timeOutcome(fn, (outcome, seconds) => {
      record(labels.model, outcome === 'error' ? 'error' : labels.event, seconds);
    });
  };

  return {
    events,
    duration,
    loaded,
    /** Records an event that was timed elsewhere (or not at all). */
    record,
    time,
    load: <R>(model: LabelValue, fn: () => R): R => time({ model, event: 'load' }, fn),
    unload: <R>(model: LabelValue, fn: () => R): R => time({ model, event: 'unload' }, fn),
    infer: <R>(model: LabelValue, fn: () => R): R => time({ model, event: 'inference' }, fn),
  };
}

export type ModelMetrics = ReturnType<typeof modelMetrics>;
