import { describe, expect, it } from 'vitest';
import {
  Counter,
  type ErrorCode,
  ErrorCodes,
  Gauge,
  Histogram,
  Registry,
  Summary,
  VigilError,
} from '../../../src/metrics/index.js';
import { rejection, thrown } from './helpers.js';

const none = { registers: [] as Registry[] };

/** One way to cause each error, with the code docs/errors.md gives for it. */
const causes: [string, ErrorCode, () => unknown][] = [
  ['a bad metric name', 'VIGIL_ERR_INVALID_NAME', () => new Counter({ name: 'a-b', help: 'x', ...none })],
  [
    'a bad label name',
    'VIGIL_ERR_INVALID_LABEL_NAME',
    () => new Counter({ name: 'a', help: 'x', labelNames: ['a-b'], ...none }),
  ],
  ['a __ label', 'VIGIL_ERR_RESERVED_LABEL', () => new Counter({ name: 'a', help: 'x', labelNames: ['__a'], ...none })],
  [
    'le on a histogram',
    'VIGIL_ERR_RESERVED_LABEL',
    () => new Histogram({ name: 'a', help: 'x', labelNames: ['le'], ...none }),
  ],
  [
    'quantile on a summary',
    'VIGIL_ERR_RESERVED_LABEL',
    () => new Summary({ name: 'a', help: 'x', labelNames: ['quantile'], ...none }),
  ],
  [
    'const le on a histogram',
    'VIGIL_ERR_RESERVED_LABEL',
    () => new Histogram({ name: 'a', help: 'x', constLabels: { le: '1' }, ...none }),
  ],
  [
    'const quantile on a summary',
    'VIGIL_ERR_RESERVED_LABEL',
    () => new Summary({ name: 'a', help: 'x', constLabels: { quantile: '1' }, ...none }),
  ],
  [
    'a label declared twice',
    'VIGIL_ERR_DUPLICATE_LABEL',
    () => new Counter({ name: 'a', help: 'x', labelNames: ['a', 'a'], ...none }),
  ],
  [
    'a const label also declared',
    'VIGIL_ERR_DUPLICATE_LABEL',
    () => new Counter({ name: 'a', help: 'x', labelNames: ['a'], constLabels: { a: '1' }, ...none }),
  ],
  ['empty help', 'VIGIL_ERR_INVALID_HELP', () => new Counter({ name: 'a', help: '', ...none })],
  [
    'a unit without suffix',
    'VIGIL_ERR_INVALID_UNIT',
    () => new Gauge({ name: 'a', help: 'x', unit: 'bytes', ...none }),
  ],
  ['maxSeries 0', 'VIGIL_ERR_INVALID_OPTION', () => new Counter({ name: 'a', help: 'x', maxSeries: 0, ...none })],
  [
    'negative ttlSeconds',
    'VIGIL_ERR_INVALID_OPTION',
    () => new Counter({ name: 'a', help: 'x', ttlSeconds: -1, ...none }),
  ],
  [
    'negative maxAgeSeconds',
    'VIGIL_ERR_INVALID_OPTION',
    () => new Summary({ name: 'a', help: 'x', maxAgeSeconds: -1, ...none }),
  ],
  ['ageBuckets 0', 'VIGIL_ERR_INVALID_OPTION', () => new Summary({ name: 'a', help: 'x', ageBuckets: 0, ...none })],
  [
    'registers not an array',
    'VIGIL_ERR_INVALID_OPTION',
    () => new Counter({ name: 'a', help: 'x', registers: {} as never }),
  ],
  ['empty buckets', 'VIGIL_ERR_INVALID_BUCKETS', () => new Histogram({ name: 'a', help: 'x', buckets: [], ...none })],
  [
    'percentile 2',
    'VIGIL_ERR_INVALID_QUANTILES',
    () => new Summary({ name: 'a', help: 'x', percentiles: [2], ...none }),
  ],
  [
    'a conflicting definition',
    'VIGIL_ERR_ALREADY_REGISTERED',
    () => {
      const r = new Registry();
      r.counter({ name: 'a', help: 'x' });
      r.gauge({ name: 'a', help: 'x' });
    },
  ],
  [
    'a taken collector name',
    'VIGIL_ERR_ALREADY_REGISTERED',
    () => {
      const r = new Registry();
      r.registerCollector('c', { collect: () => [] });
      r.registerCollector('c', { collect: () => [] });
    },
  ],
  [
    'a sample name collision',
    'VIGIL_ERR_NAME_COLLISION',
    () => {
      const r = new Registry();
      r.counter({ name: 'a', help: 'x' });
      r.gauge({ name: 'a_total', help: 'x' });
    },
  ],
  [
    'a missing label',
    'VIGIL_ERR_LABEL_MISSING',
    () => new Counter({ name: 'a', help: 'x', labelNames: ['a', 'b'], ...none }).inc({ a: '1' } as never),
  ],
  [
    'an unknown label',
    'VIGIL_ERR_LABEL_UNKNOWN',
    () => new Counter({ name: 'a', help: 'x', labelNames: ['a'], ...none }).inc({ a: '1', b: '2' } as never),
  ],
  [
    'an object label value',
    'VIGIL_ERR_LABEL_VALUE',
    () => new Counter({ name: 'a', help: 'x', labelNames: ['a'], ...none }).inc({ a: {} as never }),
  ],
  ['a negative increment', 'VIGIL_ERR_INVALID_VALUE', () => new Counter({ name: 'a', help: 'x', ...none }).inc(-1)],
  [
    'a NaN observation',
    'VIGIL_ERR_INVALID_VALUE',
    () => new Histogram({ name: 'a', help: 'x', ...none }).observe(Number.NaN),
  ],
  [
    'a long exemplar',
    'VIGIL_ERR_EXEMPLAR',
    () => new Counter({ name: 'a', help: 'x', ...none }).inc(1, { trace_id: 'x'.repeat(200) }),
  ],
  [
    'an exemplar label with a bad name',
    'VIGIL_ERR_EXEMPLAR',
    () => new Histogram({ name: 'a', help: 'x', ...none }).observe(1, { 'trace-id': 'x' }),
  ],
  [
    'merging conflicting registries',
    'VIGIL_ERR_MERGE',
    () => {
      const a = new Registry();
      const b = new Registry();
      a.counter({ name: 'a', help: 'x' });
      b.counter({ name: 'a', help: 'y' });
      Registry.merge([a, b]);
    },
  ],
];

describe('error codes', () => {
  it.each(causes)('%s throws %s', (_, code, cause) => {
    const error = thrown(cause);
    expect(error.code).toBe(code);
    expect(error.name).toMatch(/Error$/);
    expect(error.message.length).toBeGreaterThan(code.length + 20);
  });

  it('a failing collect callback rejects metrics() with VIGIL_ERR_COLLECT', async () => {
    const r = new Registry();
    r.gauge({
      name: 'g',
      help: 'x',
      collect() {
        throw new Error('x');
      },
    });
    expect((await rejection(r.metrics())).code).toBe('VIGIL_ERR_COLLECT');
  });

  it('every code is caused by at least one case above', () => {
    // The exporter's codes are triggered in test/unit/exporter (server.test.ts, handler.test.ts).
    const exporter = ['VIGIL_ERR_EXPORTER_OPTION', 'VIGIL_ERR_SERVER_START'];
    // The Pushgateway client's codes are triggered in test/unit/push (retry.test.ts, url.test.ts).
    const push = ['VIGIL_ERR_PUSH_OPTION', 'VIGIL_ERR_PUSH_REJECTED', 'VIGIL_ERR_PUSH_FAILED'];
    // The tracing option code is triggered in test/unit/tracing/config.test.ts.
    const tracing = ['VIGIL_ERR_TRACING_OPTION'];
    // The CLI's codes: test/unit/cli, test/unit/testing/junit.test.ts, test/integration/cli.test.ts.
    const cli = [
      'VIGIL_ERR_CLI_USAGE',
      'VIGIL_ERR_CLI_FILE',
      'VIGIL_ERR_JUNIT',
      'VIGIL_ERR_EXPOSITION_FILE',
      'VIGIL_ERR_RUN_START',
    ];
    // The stack's codes: test/unit/stack and test/integration/stack*.test.ts.
    const stack = [
      'VIGIL_ERR_STACK_CONFIG',
      'VIGIL_ERR_STACK_CHECK',
      'VIGIL_ERR_STACK_BINARY',
      'VIGIL_ERR_STACK_START',
      'VIGIL_ERR_STACK_STATE',
    ];
    // The query client's and console's codes: test/unit/query, test/unit/console, test/integration/console*.test.ts.
    const consoleCodes = [
      'VIGIL_ERR_QUERY_OPTION',
      'VIGIL_ERR_QUERY_FAILED',
      'VIGIL_ERR_SOURCE_UNREACHABLE',
      'VIGIL_ERR_CONSOLE_OPTION',
      'VIGIL_ERR_OTLP_PAYLOAD',
      'VIGIL_ERR_CONSOLE_AUTH',
      'VIGIL_ERR_CONSOLE_REQUEST',
      'VIGIL_ERR_CONSOLE_NOT_FOUND',
      'VIGIL_ERR_CONSOLE_INTERNAL',
    ];
    const covered = new Set<string>([
      ...causes.map(([, code]) => code),
      'VIGIL_ERR_COLLECT',
      ...exporter,
      ...push,
      ...tracing,
      ...cli,
      ...stack,
      ...consoleCodes,
    ]);
    expect(Object.keys(ErrorCodes).filter((code) => !covered.has(code))).toEqual([]);
  });

  it('VigilError puts the code in front of the message and keeps a cause', () => {
    const cause = new Error('root');
    const error = new VigilError('VIGIL_ERR_MERGE', 'what to fix', { cause });
    expect(error.message).toBe('VIGIL_ERR_MERGE: what to fix');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('VigilError');
  });
});
