/**
 * The Vigil console backend: `startConsole` / `consoleHandler`, the span store and the
 * in-process span processor. The JSON API's types are in `./api-types.js`.
 */
export type * from './api-types.js';
export { type ConsoleOptions, resolveConsoleOptions } from './options.js';
export { type ConsoleHandler, consoleHandler, type RunningConsole, startConsole } from './server.js';
export { consoleSpanProcessor, SpanStore, type SpanStoreOptions, type StoredSpan, type TraceFilter } from './spans.js';
