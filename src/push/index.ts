/**
 * vigil/push: push a registry to a Prometheus Pushgateway, for batch jobs and test runs
 * that do not live long enough to be scraped.
 */
export { PushError } from './errors.js';
export type { GroupOptions, PushOptions } from './options.js';
export { deleteGroup, type PushTextOptions, push, pushAdd, pushText } from './push.js';
export type { PushResult } from './send.js';
export { groupingPath, groupingSegment } from './url.js';
