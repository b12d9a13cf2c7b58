/**
 * What `withSpan` costs over the raw OpenTelemetry call it wraps, in the same run:
 * `tracing.withSpan(name, fn)` against `tracer.startActiveSpan(name, (span) => { fn(); span.end(); })`
 * on the same tracer, sampled and with an AlwaysOff sampler, flat and nested (a parent
 * with three children). Goal: at most 1.1x the raw cost. Then the batch queue: a
 * 200k-span loop against an OTLP endpoint, with the drops Vigil counts.
 *
 *   node --expose-gc --import tsx bench/tracing.ts           11 rounds per case
 *   node --expose-gc --import tsx bench/tracing.ts --quick   5 short rounds
 */
import type { Tracer } from '@opentelemetry/api';
import { AlwaysOnSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { setupTracing, teardownTracing } from '../src/tracing/index.js';
import { makeWithSpan, type WithSpan } from '../src/tracing/with-span.js';
import { freePort } from '../test/support/ports.js';
import { type Loop, median, nsPerOp, spread, warmUp } from './harness.js';

const quick = process.argv.includes('--quick');
// Many short rounds, alternating: on a busy 2-core machine the median of few long
// rounds drifts more than the difference being measured.
const ROUNDS = quick ? 5 : 11;
const OPS = quick ? 10_000 : 50_000;
const WARM_MS = quick ? 200 : 1_000;
const GOAL = 1.1;

let sink = 0;
const work = (): number => {
  sink = (sink + 1) | 0;
  return sink;
};

function rawFlat(tracer: Tracer): Loop {
  return (n) => {
    for (let i = 0; i < n; i++) {
      tracer.startActiveSpan('op', (span) => {
        work();
        span.end();
      });
    }
  };
}

function vigilFlat(withSpan: WithSpan): Loop {
  return (n) => {
    for (let i = 0; i < n; i++) withSpan('op', work);
  };
}

function rawNested(tracer: Tracer): Loop {
  const child = (): void => {
    tracer.startActiveSpan('child', (span) => {
      work();
      span.end();
    });
  };
  return (n) => {
    for (let i = 0; i < n; i++) {
      tracer.startActiveSpan('parent', (span) => {
        child();
        child();
        child();
        span.end();
      });
    }
  };
}

function vigilNested(withSpan: WithSpan): Loop {
  const children = (): void => {
    withSpan('child', work);
    withSpan('child', work);
    withSpan('child', work);
  };
  return (n) => {
    for (let i = 0; i < n; i++) withSpan('parent', children);
  };
}

interface Row {
  case: string;
  rawNs: number;
  vigilNs: number;
  ratio: number;
  minRatio: number;
  spread: number;
}

/** Alternates raw and Vigil rounds so drift (GC, thermal) hits both alike. */
function compare(name: string, raw: Loop, vigil: Loop): Row {
  warmUp(raw, WARM_MS);
  warmUp(vigil, WARM_MS);
  const r: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    r.push(nsPerOp(raw, OPS));
    v.push(nsPerOp(vigil, OPS));
  }
  const rawNs = median(r);
  const vigilNs = median(v);
  return {
    case: name,
    rawNs,
    vigilNs,
    ratio: vigilNs / rawNs,
    minRatio: Math.min(...v) / Math.min(...r),
    spread: Math.max(spread(r), spread(v)),
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];

  // setupTracing installs the context manager both cases need; AlwaysOff is its sampler.
  const t = setupTracing({ endpoint: 'memory://', sampler: 'always_off', env: {} });

  // Sampled: spans are recorded and ended; the provider has no processor, so what is
  // measured is the span itself, not an exporter (the same for both sides).
  const sampled = new BasicTracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('bench');
  const sampledWithSpan = makeWithSpan(sampled);
  rows.push(compare('sampled, flat', rawFlat(sampled), vigilFlat(sampledWithSpan)));
  rows.push(compare('sampled, nested (1+3)', rawNested(sampled), vigilNested(sampledWithSpan)));

  // AlwaysOff: non-recording spans, the cheapest path, where a wrapper shows most.
  rows.push(compare('always_off, flat', rawFlat(t.tracer), vigilFlat(t.withSpan)));
  rows.push(compare('always_off, nested (1+3)', rawNested(t.tracer), vigilNested(t.withSpan)));
  await teardownTracing();

  console.log('\nwithSpan vs raw tracer.startActiveSpan (ns per outer call, median of rounds)\n');
  console.log('| case | raw ns | withSpan ns | ratio (medians) | ratio (best rounds) | goal <= 1.1x | spread |');
  console.log('|---|---:|---:|---:|---:|---|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.case} | ${row.rawNs.toFixed(0)} | ${row.vigilNs.toFixed(0)} | ${row.ratio.toFixed(2)}x | ${row.minRatio.toFixed(2)}x | ${row.ratio <= GOAL ? 'met' : 'MISSED'} | ${(row.spread * 100).toFixed(0)}% |`,
    );
  }

  // The batch queue against an OTLP endpoint nobody listens on: a tight loop outruns it.
  const port = await freePort();
  const spans = 200_000;
  const t2 = setupTracing({ endpoint: `http://127.0.0.1:${port}/v1/traces`, exportTimeoutMillis: 500, env: {} });
  for (let i = 0; i < spans; i++) t2.withSpan('burst', work);
  const s = t2.status();
  console.log(
    `\nBatch queue (default maxQueueSize ${s.maxQueueSize}): ${spans} spans in a loop -> ${s.queued} queued, ${s.droppedQueueFull} dropped (queue full), counted in status() and vigil_spans_dropped_total.`,
  );
  await teardownTracing();
  if (sink === -1) console.log(sink);
}

await main();
