import type { StackConfigInput } from '../../../src/stack/index.js';

/** Env variable names the "everything" config reads its secrets from. */
export const SLACK_ENV = 'VIGIL_TEST_SLACK_URL';

/** Every receiver, two services, VictoriaMetrics, and short windows (1 s scrapes, 30 s rates). */
export const everythingConfig: StackConfigInput = {
  project: 'shop',
  services: [
    { name: 'api', targets: ['127.0.0.1:9464', '127.0.0.1:9465'], scrapeInterval: '1s' },
    { name: 'worker', targets: ['worker.internal:9100'], metricsPath: '/prometheus/metrics' },
  ],
  prometheus: {
    listen: '127.0.0.1:19090',
    scrapeInterval: '1s',
    evaluationInterval: '1s',
    retention: '2d',
    rateWindow: '30s',
    externalLabels: { cluster: 'ci' },
  },
  pushgateway: { listen: '127.0.0.1:19091' },
  alertmanager: {
    listen: '127.0.0.1:19093',
    groupBy: ['alertname'],
    groupWait: '1s',
    slack: { channel: '#alerts', apiUrl: { env: SLACK_ENV } },
    pagerduty: { routingKey: { file: '/run/secrets/pagerduty_key' } },
    webhooks: [{ name: 'ops', url: 'http://127.0.0.1:5001/hook', sendResolved: false }],
  },
  victoriaMetrics: { enabled: true, listen: '127.0.0.1:18428' },
  alerts: {
    errorRate: { threshold: 0.2, for: '10s' },
    latencyP95: { thresholdSeconds: 0.05, for: '15s' },
    memoryGrowth: { window: '2m', bytesPerHour: 1e9, for: '30s' },
    testThroughput: { minOpsPerSecond: 250 },
    stalePush: { maxAgeSeconds: 600, severity: 'critical' },
  },
  anomaly: { window: '10m', offset: '3m', for: '20s', stddevs: 4 },
};
