import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { WORKER_METRICS as W } from '../../../catalog/index.js';
import { buildDashboard } from '../dashboard.js';
import { stat, table, timeseries } from '../panels.js';
import { labelVariable } from '../variables.js';

const JOB = 'job=~"$job"';
const PUSH_TIME = `push_time_seconds{${JOB}}`;
const PUSH_FAILURE_TIME = `push_failure_time_seconds{${JOB}}`;
const GROUP = '{{job}} {{instance}}';

/**
 * Batch jobs and test runs that push to the Pushgateway: when each group last pushed, which
 * pushes failed, and the worker metrics batch jobs push.
 */
export function pushgatewayDashboard(uid: string, title: string): Dashboard {
  return buildDashboard({
    uid,
    title,
    description:
      'Groups pushed to the Pushgateway: freshness and failures (push_time_seconds, push_failure_time_seconds).',
    variables: [labelVariable('job', 'Job', 'push_time_seconds')],
    sections: [
      {
        title: 'Groups',
        panels: [
          stat('Groups', 'short', { expr: `count(${PUSH_TIME})` }),
          stat('Groups whose last push failed', 'short', {
            expr: `count(${PUSH_FAILURE_TIME} > ${PUSH_TIME}) or vector(0)`,
          }),
          stat('Oldest push', 's', { expr: `time() - min(${PUSH_TIME})` }),
          stat('Newest push', 's', { expr: `time() - max(${PUSH_TIME})` }),
          timeseries('Time since the last push', 's', [{ expr: `time() - ${PUSH_TIME}`, legend: GROUP }]),
          timeseries(
            'Time since the last failed push',
            's',
            [{ expr: `time() - (${PUSH_FAILURE_TIME} > 0)`, legend: GROUP }],
            'Only groups that ever failed a push; the Pushgateway keeps 0 for the others.',
          ),
          table('Groups by age of their last push', 's', [{ expr: `sort_desc(time() - ${PUSH_TIME})` }]),
        ],
      },
      {
        title: 'Batch workers',
        panels: [
          timeseries('Time since the last successful run', 's', [
            { expr: `time() - max by (job, worker) (${W.lastSuccess}{${JOB}})`, legend: '{{job}} {{worker}}' },
          ]),
          timeseries('Last run duration (mean of the pushed runs)', 's', [
            {
              expr: `sum by (job, worker) (${W.duration}_sum{${JOB}}) / sum by (job, worker) (${W.duration}_count{${JOB}})`,
              legend: '{{job}} {{worker}}',
            },
          ]),
          timeseries('Runs by outcome (pushed totals)', 'short', [
            { expr: `sum by (job, worker, outcome) (${W.runs}{${JOB}})`, legend: '{{job}} {{worker}} {{outcome}}' },
          ]),
          timeseries('Errors by kind (pushed totals)', 'short', [
            { expr: `sum by (job, worker, kind) (${W.errors}{${JOB}})`, legend: '{{job}} {{worker}} {{kind}}' },
          ]),
        ],
      },
    ],
  });
}
