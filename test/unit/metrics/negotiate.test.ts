import { describe, expect, it } from 'vitest';
import { acceptsGzip, negotiate, negotiateFormat } from '../../../src/metrics/index.js';

const PROMETHEUS_2_42_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('negotiateFormat', () => {
  it("picks OpenMetrics for Prometheus 2.42's exact Accept header", () => {
    expect(negotiateFormat(PROMETHEUS_2_42_ACCEPT)).toBe('openmetrics');
  });

  it.each([
    [undefined, 'text'],
    [null, 'text'],
    ['', 'text'],
    ['*/*', 'text'],
    ['text/*', 'text'],
    ['text/plain', 'text'],
    ['text/plain;version=0.0.4', 'text'],
    ['application/json', 'text'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text;version=1.0.0', 'openmetrics'],
    ['application/openmetrics-text; version=0.0.1', 'openmetrics'],
    ['application/openmetrics-text;version="1.0.0"', 'openmetrics'],
    ['APPLICATION/OpenMetrics-Text; Version=1.0.0', 'openmetrics'],
    // A version we cannot speak is not acceptable.
    ['application/openmetrics-text;version=2.0.0', 'text'],
    ['application/openmetrics-text;version=2.0.0,text/plain;q=0.1', 'text'],
  ] as const)('%j → %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });

  it.each([
    // Higher q wins, whatever the order.
    ['text/plain;version=0.0.4,application/openmetrics-text;version=1.0.0;q=0.5', 'text'],
    ['text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0', 'openmetrics'],
    ['application/openmetrics-text;q=0.3, */*;q=0.5', 'text'],
    ['application/openmetrics-text;q=0.9, */*;q=0.5', 'openmetrics'],
    // A tie goes to OpenMetrics, the richer format.
    ['text/plain;q=0.5,application/openmetrics-text;q=0.5', 'openmetrics'],
    // q=0 means "not acceptable".
    ['application/openmetrics-text;q=0', 'text'],
    ['application/openmetrics-text;q=0.000,text/plain;q=0.1', 'text'],
    ['application/openmetrics-text;version=1.0.0;q=0, application/openmetrics-text;version=0.0.1;q=0.2', 'openmetrics'],
    // The best of several ranges of one type counts.
    [
      'application/openmetrics-text;q=0.1,application/openmetrics-text;version=1.0.0;q=0.9,text/plain;q=0.5',
      'openmetrics',
    ],
    // q before version, and spaces around parameters.
    ['application/openmetrics-text ; q=0.8 ; version=1.0.0 , text/plain ; q=0.7', 'openmetrics'],
    // Out-of-range q is clamped to [0, 1]; an unreadable q counts as 0.
    ['application/openmetrics-text;q=5,text/plain;q=1', 'openmetrics'],
    ['application/openmetrics-text;q=-1', 'text'],
    ['application/openmetrics-text;q=abc,text/plain;q=0.1', 'text'],
    // Empty elements are ignored.
    [',,application/openmetrics-text,,', 'openmetrics'],
  ])('%s → %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['deflate, gzip;q=0.5', true],
    ['gzip;q=1.0', true],
    ['*', true],
    ['br, *;q=0.1', true],
    ['gzip;q=0', false],
    ['gzip; q=0.0', false],
    ['gzip;q=0.000, deflate', false],
    // An explicit gzip;q=0 beats a wildcard.
    ['gzip;q=0, *', false],
    ['*, gzip;q=0', false],
    ['*;q=0', false],
    ['identity', false],
    ['br, deflate', false],
    ['gzipped', false],
    ['', false],
    [null, false],
    [undefined, false],
  ] as const)('%j → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe('negotiate', () => {
  it('decides format, content type and gzip from the headers Prometheus 2.42 sends', () => {
    expect(negotiate(PROMETHEUS_2_42_ACCEPT, 'gzip')).toEqual({
      format: 'openmetrics',
      contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
      gzip: true,
    });
  });

  it('falls back to text without compression when the headers are missing', () => {
    expect(negotiate(undefined)).toEqual({
      format: 'text',
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      gzip: false,
    });
    expect(negotiate('text/plain', 'gzip;q=0')).toEqual({
      format: 'text',
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      gzip: false,
    });
  });
});
