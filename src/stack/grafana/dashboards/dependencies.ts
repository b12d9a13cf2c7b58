import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  CACHE_METRICS as C,
  DATABASE_METRICS as D,
  JOB_METRICS as J,
  MODEL_METRICS as M,
  OUTBOUND_METRICS as O,
  WORKER_METRICS as W,
} from '../../../catalog/index.js';
import { buildDashboard } from '../dashboard.js';
import { timeseries } from '../panels.js';
import { histogramQuantile, RATE, rateRatio, sumBy, sumRate } from '../queries.js';
import { labelVariable } from '../variables.js';

const JOB = 'job=~"$job"';
const ERROR = 'outcome="error"';
const by = (metric: string) => `${metric}{${JOB}}`;

/** What a service calls: outbound APIs, the database, caches, background jobs, workers and models. */
export function dependenciesDashboard(uid: string, title: string): Dashboard {
  return buildDashboard({
    uid,
    title,
    description: 'Outbound APIs, database, cache, jobs, workers and models, from the vigil/catalog metric sets.',
    variables: [labelVariable('job', 'Job', 'up')],
    sections: [
      {
        title: 'Outbound APIs',
        panels: [
          timeseries('Requests by provider and endpoint', 'reqps', [
            { expr: sumRate(O.requests, JOB, ['provider', 'endpoint']), legend: '{{provider}} {{endpoint}}' },
          ]),
          timeseries('Error ratio by provider', 'percentunit', [
            { expr: rateRatio(O.requests, JOB, ERROR, ['provider']), legend: '{{provider}}' },
          ]),
          timeseries('p95 latency by provider', 's', [
            { expr: histogramQuantile(0.95, O.duration, JOB, ['provider']), legend: '{{provider}}' },
          ]),
          timeseries('Errors by kind and rate limits', 'ops', [
            { expr: sumRate(O.errors, JOB, ['provider', 'kind']), legend: '{{provider}} {{kind}}' },
            { expr: sumRate(O.rateLimits, JOB, ['provider']), legend: '{{provider}} rate limited' },
          ]),
        ],
      },
      {
        title: 'Database',
        panels: [
          timeseries('Queries by operation and table', 'ops', [
            { expr: sumRate(D.queries, JOB, ['operation', 'table']), legend: '{{operation}} {{table}}' },
          ]),
          timeseries('p95 query duration by operation', 's', [
            { expr: histogramQuantile(0.95, D.duration, JOB, ['operation']), legend: '{{operation}}' },
          ]),
          timeseries('Query error ratio', 'percentunit', [
            { expr: rateRatio(D.queries, JOB, ERROR, ['operation']), legend: '{{operation}}' },
          ]),
          timeseries('Connection pools', 'short', [
            { expr: sumBy(['pool'], by(D.poolConnections)), legend: '{{pool}} open' },
            { expr: sumBy(['pool'], by(D.poolAvailable)), legend: '{{pool}} idle' },
            { expr: sumBy(['pool'], by(D.poolMax)), legend: '{{pool}} max' },
          ]),
        ],
      },
      {
        title: 'Cache',
        panels: [
          timeseries('Hit ratio by cache', 'percentunit', [
            {
              expr: `${sumRate(C.operations, `${JOB},result="hit"`, ['cache'])} / ${sumRate(C.operations, `${JOB},result=~"hit|miss"`, ['cache'])}`,
              legend: '{{cache}}',
            },
          ]),
          timeseries('Operations by result', 'ops', [
            { expr: sumRate(C.operations, JOB, ['cache', 'result']), legend: '{{cache}} {{result}}' },
          ]),
          timeseries('p95 operation duration', 's', [
            {
              expr: histogramQuantile(0.95, C.duration, JOB, ['cache', 'operation']),
              legend: '{{cache}} {{operation}}',
            },
          ]),
          timeseries('Memory, entries and evictions', 'short', [
            { expr: sumBy(['cache'], by(C.entries)), legend: '{{cache}} entries' },
            { expr: sumRate(C.evictions, JOB, ['cache']), legend: '{{cache}} evictions/s' },
            { expr: sumBy(['cache'], by(C.memory)), legend: '{{cache}} bytes' },
          ]),
        ],
      },
      {
        title: 'Background jobs and workers',
        panels: [
          timeseries('Jobs processed by type and status', 'ops', [
            { expr: sumRate(J.processed, JOB, ['type', 'status']), legend: '{{type}} {{status}}' },
          ]),
          timeseries('Queue depth and jobs running', 'short', [
            { expr: sumBy(['queue'], by(J.queued)), legend: 'waiting {{queue}}' },
            { expr: sumBy(['type'], by(J.inProgress)), legend: 'running {{type}}' },
            { expr: sumRate(J.enqueued, JOB, ['queue']), legend: 'enqueued/s {{queue}}' },
          ]),
          timeseries('p95 job duration by type', 's', [
            { expr: histogramQuantile(0.95, J.duration, JOB, ['type']), legend: '{{type}}' },
          ]),
          timeseries('Worker runs by outcome', 'ops', [
            { expr: sumRate(W.runs, JOB, ['worker', 'outcome']), legend: '{{worker}} {{outcome}}' },
            { expr: sumRate(W.errors, JOB, ['worker', 'kind']), legend: '{{worker}} error {{kind}}' },
          ]),
          timeseries('Time since the last successful worker run', 's', [
            { expr: `time() - max by (worker) (${by(W.lastSuccess)})`, legend: '{{worker}}' },
          ]),
          timeseries('Files processed by worker', 'ops', [
            { expr: sumRate(W.filesProcessed, JOB, ['worker', 'outcome']), legend: '{{worker}} {{outcome}}' },
          ]),
        ],
      },
      {
        title: 'Models',
        panels: [
          timeseries('Model events', 'ops', [
            { expr: sumRate(M.events, JOB, ['model', 'event']), legend: '{{model}} {{event}}' },
          ]),
          timeseries('p95 model event duration', 's', [
            { expr: histogramQuantile(0.95, M.duration, JOB, ['model', 'event']), legend: '{{model}} {{event}}' },
          ]),
          timeseries('Models loaded', 'short', [{ expr: sumBy([], by(M.loaded)), legend: 'loaded' }]),
          timeseries('Model errors', 'short', [
            { expr: sumBy(['model'], `increase(${M.events}{${JOB},event="error"}[${RATE}])`), legend: '{{model}}' },
          ]),
        ],
      },
    ],
  });
}
