/**
 * Vigil's root export is deliberately small: the metrics core. Everything else lives on
 * its own subpath (`vigil/metrics`, and later `vigil/exporter`, `vigil/http/express`, ...).
 */
export * from './metrics/index.js';
