import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { COLLECTOR_ERRORS_METRIC, HOST_METRICS, PROCESS_METRICS, RUNTIME_METRICS } from '../../../collectors/index.js';
import { buildDashboard } from '../dashboard.js';
import { stat, table, timeseries } from '../panels.js';
import { RATE, sumBy, sumRate } from '../queries.js';
import { labelVariable } from '../variables.js';

const JOB = 'job=~"$job"';
const P = PROCESS_METRICS;
const R = RUNTIME_METRICS;
const H = HOST_METRICS;
const by = (metric: string) => `${metric}{${JOB}}`;
const INSTANCE = '{{job}} {{instance}}';

/** Process CPU and memory, the Node event loop, GC and heap, handles, the host, and tracing health. */
export function runtimeDashboard(uid: string, title: string): Dashboard {
  return buildDashboard({
    uid,
    title,
    description: 'Process, Node.js runtime and host metrics from vigil/collectors.',
    variables: [labelVariable('job', 'Job', P.cpu)],
    sections: [
      {
        title: 'Now',
        panels: [
          stat('CPU (cores)', 'short', { expr: sumRate(P.cpu, JOB) }),
          stat('Resident memory', 'bytes', { expr: sumBy([], by(P.residentMemory)) }),
          stat('Event loop lag p99 (max)', 's', { expr: `max(${by(R.eventLoopLagP99)})` }),
          stat('Uptime (min)', 's', { expr: `min(time() - ${by(P.startTime)})` }),
        ],
      },
      {
        title: 'CPU and memory',
        panels: [
          timeseries('CPU by mode (cores)', 'short', [
            { expr: sumRate(P.cpuUser, JOB, ['job', 'instance']), legend: `user ${INSTANCE}` },
            { expr: sumRate(P.cpuSystem, JOB, ['job', 'instance']), legend: `system ${INSTANCE}` },
          ]),
          timeseries('Memory', 'bytes', [
            { expr: by(P.residentMemory), legend: `resident ${INSTANCE}` },
            { expr: by(R.heapUsed), legend: `heap used ${INSTANCE}` },
            { expr: by(R.heapTotal), legend: `heap total ${INSTANCE}` },
            { expr: by(R.externalMemory), legend: `external ${INSTANCE}` },
          ]),
          timeseries(
            'Resident memory growth per hour',
            'bytes',
            [{ expr: `deriv(${by(P.residentMemory)}[15m]) * 3600`, legend: INSTANCE }],
            'Slope of resident memory over the last 15 minutes; a lasting positive value suggests a leak.',
          ),
          timeseries('Heap spaces used', 'bytes', [
            { expr: sumBy(['space'], by(R.heapSpaceUsed)), legend: '{{space}}' },
          ]),
        ],
      },
      {
        title: 'Event loop and GC',
        panels: [
          timeseries('Event loop lag', 's', [
            { expr: `max(${by(R.eventLoopLagP50)})`, legend: 'p50' },
            { expr: `max(${by(R.eventLoopLagP90)})`, legend: 'p90' },
            { expr: `max(${by(R.eventLoopLagP99)})`, legend: 'p99' },
            { expr: `max(${by(R.eventLoopLag)})`, legend: 'at scrape' },
          ]),
          timeseries('Event loop utilization', 'percentunit', [{ expr: by(R.eventLoopUtilization), legend: INSTANCE }]),
          timeseries('GC time per second by kind', 'percentunit', [
            { expr: sumRate(`${R.gcDuration}_sum`, JOB, ['kind']), legend: '{{kind}}' },
          ]),
          timeseries('GC runs per second by kind', 'ops', [
            { expr: sumRate(`${R.gcDuration}_count`, JOB, ['kind']), legend: '{{kind}}' },
          ]),
        ],
      },
      {
        title: 'Handles and files',
        panels: [
          timeseries('Active handles by type', 'short', [
            { expr: sumBy(['type'], by(R.activeHandles)), legend: '{{type}}' },
          ]),
          timeseries('Active requests by type', 'short', [
            { expr: sumBy(['type'], by(R.activeRequests)), legend: '{{type}}' },
          ]),
          timeseries('Open file descriptors (share of the limit)', 'percentunit', [
            { expr: `${by(P.openFds)} / ${by(P.maxFds)}`, legend: INSTANCE },
          ]),
          timeseries('Collector errors by source', 'short', [
            {
              expr: sumBy(['collector'], `increase(${COLLECTOR_ERRORS_METRIC}{${JOB}}[${RATE}])`),
              legend: '{{collector}}',
            },
          ]),
          table('Node.js versions', 'none', [{ expr: by(R.versionInfo) }]),
        ],
      },
      {
        title: 'Host',
        collapsed: true,
        panels: [
          timeseries('Host CPU and memory use', 'percentunit', [
            { expr: by(H.cpuUsage), legend: `cpu ${INSTANCE}` },
            { expr: by(H.memoryUsage), legend: `memory ${INSTANCE}` },
          ]),
          timeseries('Load average', 'short', [
            { expr: by(H.load1), legend: `1m ${INSTANCE}` },
            { expr: by(H.load5), legend: `5m ${INSTANCE}` },
            { expr: by(H.load15), legend: `15m ${INSTANCE}` },
          ]),
          timeseries('File system use', 'percentunit', [
            {
              expr: `1 - ${by(H.filesystemAvail)} / ${by(H.filesystemSize)}`,
              legend: '{{instance}} {{mountpoint}}',
            },
          ]),
          timeseries('Network and disk', 'Bps', [
            { expr: sumRate(H.networkReceive, JOB, ['instance']), legend: 'received {{instance}}' },
            { expr: sumRate(H.networkTransmit, JOB, ['instance']), legend: 'sent {{instance}}' },
            { expr: sumRate(H.diskRead, JOB, ['instance']), legend: 'disk read {{instance}}' },
            { expr: sumRate(H.diskWritten, JOB, ['instance']), legend: 'disk written {{instance}}' },
          ]),
        ],
      },
      {
        title: 'Tracing',
        collapsed: true,
        panels: [
          timeseries('Spans by kind and status', 'ops', [
            {
              expr: sumRate('traces_spans_total', JOB, ['span_kind', 'status_code']),
              legend: '{{span_kind}} {{status_code}}',
            },
          ]),
          timeseries('Span export', 'ops', [
            { expr: sumRate('vigil_spans_exported_total', JOB), legend: 'exported' },
            { expr: sumRate('vigil_spans_dropped_total', JOB, ['reason']), legend: 'dropped {{reason}}' },
          ]),
          timeseries('Tracing degraded', 'short', [{ expr: by('vigil_tracing_degraded'), legend: INSTANCE }]),
          timeseries('Span p95 duration by name', 's', [
            {
              expr: `histogram_quantile(0.95, ${sumRate('traces_span_duration_seconds_bucket', JOB, ['le', 'span_name'])})`,
              legend: '{{span_name}}',
            },
          ]),
        ],
      },
    ],
  });
}
