import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { AGENT_METRICS as A, LLM_METRICS as L } from '../../../catalog/index.js';
import { buildDashboard } from '../dashboard.js';
import { bargauge, stat, timeseries } from '../panels.js';
import { histogramQuantile, rateRatio, sumBy, sumRate } from '../queries.js';
import { labelVariable } from '../variables.js';

const JOB = 'job=~"$job"';
const MODEL = `${JOB},provider=~"$provider",model=~"$model"`;
const SUCCESS = 'outcome="success"';
const MODEL_LEGEND = '{{provider}} {{model}}';

/** LLM calls (requests, latency, time to first token, tokens, cost) and agent tasks. */
export function llmAgentsDashboard(uid: string, title: string): Dashboard {
  return buildDashboard({
    uid,
    title,
    description: 'LLM calls and AI agent tasks from the vigil/catalog llm and agent metric sets.',
    variables: [
      labelVariable('job', 'Job', L.requests),
      labelVariable('provider', 'Provider', L.requests, `{${JOB}}`),
      labelVariable('model', 'Model', L.requests, `{${JOB},provider=~"$provider"}`),
    ],
    sections: [
      {
        title: 'Now',
        panels: [
          stat('LLM requests', 'reqps', { expr: sumRate(L.requests, MODEL) }),
          stat('LLM success ratio', 'percentunit', { expr: rateRatio(L.requests, MODEL, SUCCESS) }),
          stat('Cost per hour', 'currencyUSD', { expr: `${sumRate(L.cost, MODEL)} * 3600` }),
          stat('Tokens per second', 'short', { expr: sumRate(L.tokens, MODEL) }),
        ],
      },
      {
        title: 'LLM calls',
        panels: [
          timeseries('Requests by model and outcome', 'reqps', [
            {
              expr: sumRate(L.requests, MODEL, ['provider', 'model', 'outcome']),
              legend: `${MODEL_LEGEND} {{outcome}}`,
            },
          ]),
          timeseries('Success ratio by model', 'percentunit', [
            { expr: rateRatio(L.requests, MODEL, SUCCESS, ['provider', 'model']), legend: MODEL_LEGEND },
          ]),
          timeseries('Latency by model', 's', [
            { expr: histogramQuantile(0.5, L.duration, MODEL, ['provider', 'model']), legend: `p50 ${MODEL_LEGEND}` },
            { expr: histogramQuantile(0.95, L.duration, MODEL, ['provider', 'model']), legend: `p95 ${MODEL_LEGEND}` },
          ]),
          timeseries('Time to first token p95', 's', [
            { expr: histogramQuantile(0.95, L.timeToFirstToken, MODEL, ['provider', 'model']), legend: MODEL_LEGEND },
          ]),
          timeseries('Tokens by model and type', 'short', [
            { expr: sumRate(L.tokens, MODEL, ['provider', 'model', 'type']), legend: `${MODEL_LEGEND} {{type}}` },
          ]),
          timeseries('Rate limits hit', 'ops', [
            { expr: sumRate(L.rateLimits, MODEL, ['provider', 'model']), legend: MODEL_LEGEND },
          ]),
          bargauge('Cost over the time range by model', 'currencyUSD', {
            expr: sumBy(['provider', 'model'], `increase(${L.cost}{${MODEL}}[$__range])`),
            legend: MODEL_LEGEND,
          }),
          bargauge('Tokens over the time range by model', 'short', {
            expr: sumBy(['provider', 'model'], `increase(${L.tokens}{${MODEL}}[$__range])`),
            legend: MODEL_LEGEND,
          }),
        ],
      },
      {
        title: 'Agents',
        panels: [
          timeseries('Tasks by agent and outcome', 'ops', [
            { expr: sumRate(A.tasks, JOB, ['agent', 'outcome']), legend: '{{agent}} {{outcome}}' },
          ]),
          timeseries('Success ratio by agent', 'percentunit', [
            { expr: rateRatio(A.tasks, JOB, SUCCESS, ['agent']), legend: '{{agent}}' },
          ]),
          timeseries('p95 task duration by agent', 's', [
            { expr: histogramQuantile(0.95, A.duration, JOB, ['agent']), legend: '{{agent}}' },
          ]),
          timeseries('Tasks in progress', 'short', [
            { expr: sumBy(['agent'], `${A.inProgress}{${JOB}}`), legend: '{{agent}}' },
          ]),
        ],
      },
    ],
  });
}
