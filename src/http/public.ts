/** What every adapter exports from the shared core: options, and the fixed label values it records. */
export {
  DEFAULT_EXCLUDE_PATHS,
  type HttpMetricsOptions,
  type LabelFunction,
  OTHER_METHOD,
  OTHER_STATUS,
  STANDARD_METHODS,
  UNMATCHED_ROUTE,
} from './core.js';
