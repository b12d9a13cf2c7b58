import { HTTP_SERVER_REQUEST_DURATION_SECONDS, HTTP_SERVER_REQUESTS_TOTAL } from '../../catalog/http.js';
import { TEST_RUN_DURATION_SECONDS } from '../../testing/names.js';
import type { StackConfig } from '../config.js';
import type { RecordingRule, RuleGroup } from './types.js';

/**
 * Series several rules share, recorded once per job (`level:metric:operation`, window in
 * the name as Prometheus' naming convention asks). The alerts and the anomaly baselines
 * read these instead of repeating the queries.
 */
export interface RecordedSeries {
  requestRate: string;
  errorRate: string;
  errorRatio: string;
  latencyP95: string;
  testRunDuration: string;
}

export function recordedSeries(config: StackConfig): RecordedSeries {
  const w = config.prometheus.rateWindow;
  return {
    requestRate: `job:http_server_requests:rate${w}`,
    errorRate: `job:http_server_request_errors:rate${w}`,
    errorRatio: `job:http_server_request_errors:ratio_rate${w}`,
    latencyP95: `job:http_server_request_duration_seconds:p95_rate${w}`,
    testRunDuration: `job:${TEST_RUN_DURATION_SECONDS}:max`,
  };
}

/** Server errors are 5xx; the status label holds the code as text. */
export const SERVER_ERROR = 'status=~"5.."';

export function recordingGroup(config: StackConfig): RuleGroup {
  const w = config.prometheus.rateWindow;
  const r = recordedSeries(config);
  const rules: RecordingRule[] = [
    { record: r.requestRate, expr: `sum by (job) (rate(${HTTP_SERVER_REQUESTS_TOTAL}[${w}]))` },
    { record: r.errorRate, expr: `sum by (job) (rate(${HTTP_SERVER_REQUESTS_TOTAL}{${SERVER_ERROR}}[${w}]))` },
    {
      record: r.errorRatio,
      // A job without any 5xx series has ratio 0, not no data, so its baseline exists; idle jobs are left out (0/0).
      expr: `(${r.errorRate} or ${r.requestRate} * 0) / (${r.requestRate} > 0)`,
    },
    {
      record: r.latencyP95,
      expr: `histogram_quantile(0.95, sum by (job, le) (rate(${HTTP_SERVER_REQUEST_DURATION_SECONDS}_bucket[${w}])))`,
    },
    { record: r.testRunDuration, expr: `max by (job) (${TEST_RUN_DURATION_SECONDS})` },
  ];
  return { name: 'vigil-recording', rules };
}
