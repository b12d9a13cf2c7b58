import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  HTTP_SERVER_REQUEST_DURATION_SECONDS as DURATION,
  HTTP_SERVER_REQUESTS_IN_FLIGHT as IN_FLIGHT,
  HTTP_SERVER_REQUEST_SIZE_BYTES as REQUEST_SIZE,
  HTTP_SERVER_REQUESTS_TOTAL as REQUESTS,
  HTTP_SERVER_RESPONSE_SIZE_BYTES as RESPONSE_SIZE,
} from '../../../catalog/http.js';
import { buildDashboard } from '../dashboard.js';
import { stat, table, timeseries } from '../panels.js';
import { histogramQuantile, rateRatio, sumBy, sumRate } from '../queries.js';
import { labelVariable } from '../variables.js';

const JOB = 'job=~"$job"';
const ROUTE = `${JOB},route=~"$route"`;
const SERVER_ERROR = 'status=~"5.."';

/** RED per route (rate, errors, duration), requests in flight and the targets' health. */
export function serviceOverviewDashboard(uid: string, title: string): Dashboard {
  return buildDashboard({
    uid,
    title,
    description: 'HTTP traffic of the services Vigil instruments: rate, errors and duration per route.',
    variables: [labelVariable('job', 'Job', REQUESTS), labelVariable('route', 'Route', REQUESTS, `{${JOB}}`)],
    sections: [
      {
        title: 'Now',
        panels: [
          stat('Request rate', 'reqps', { expr: sumRate(REQUESTS, ROUTE) }),
          stat('Error ratio (5xx)', 'percentunit', { expr: rateRatio(REQUESTS, ROUTE, SERVER_ERROR) }),
          stat('p95 latency', 's', { expr: histogramQuantile(0.95, DURATION, ROUTE) }),
          stat('In flight', 'short', { expr: sumBy([], `${IN_FLIGHT}{${JOB}}`) }),
        ],
      },
      {
        title: 'Requests',
        panels: [
          timeseries('Request rate by route', 'reqps', [
            { expr: sumRate(REQUESTS, ROUTE, ['route', 'method']), legend: '{{method}} {{route}}' },
          ]),
          timeseries('Responses by status', 'reqps', [
            { expr: sumRate(REQUESTS, ROUTE, ['status']), legend: '{{status}}' },
          ]),
          timeseries('Error ratio by route (5xx)', 'percentunit', [
            { expr: rateRatio(REQUESTS, ROUTE, SERVER_ERROR, ['route']), legend: '{{route}}' },
          ]),
          timeseries('Client errors by route (4xx)', 'reqps', [
            { expr: sumRate(REQUESTS, `${ROUTE},status=~"4.."`, ['route', 'status']), legend: '{{status}} {{route}}' },
          ]),
        ],
      },
      {
        title: 'Latency',
        panels: [
          timeseries('p95 latency by route', 's', [
            { expr: histogramQuantile(0.95, DURATION, ROUTE, ['route']), legend: '{{route}}' },
          ]),
          timeseries('Latency percentiles', 's', [
            { expr: histogramQuantile(0.5, DURATION, ROUTE), legend: 'p50' },
            { expr: histogramQuantile(0.95, DURATION, ROUTE), legend: 'p95' },
            { expr: histogramQuantile(0.99, DURATION, ROUTE), legend: 'p99' },
          ]),
          timeseries('In flight by method', 'short', [
            { expr: sumBy(['method'], `${IN_FLIGHT}{${JOB}}`), legend: '{{method}}' },
          ]),
          timeseries('Targets up', 'short', [{ expr: `up{${JOB}}`, legend: '{{job}} {{instance}}' }]),
          table('Slowest routes over the time range (p95)', 's', [
            { expr: `topk(10, ${histogramQuantile(0.95, DURATION, ROUTE, ['route', 'method'], '$__range')})` },
          ]),
        ],
      },
      {
        title: 'Sizes (when the middleware records them)',
        collapsed: true,
        panels: [
          timeseries('Request size p95 by route', 'bytes', [
            { expr: histogramQuantile(0.95, REQUEST_SIZE, ROUTE, ['route']), legend: '{{route}}' },
          ]),
          timeseries('Response size p95 by route', 'bytes', [
            { expr: histogramQuantile(0.95, RESPONSE_SIZE, ROUTE, ['route']), legend: '{{route}}' },
          ]),
        ],
      },
    ],
  });
}
