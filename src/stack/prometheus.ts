import type { StackConfig } from './config.js';
import { toYaml } from './yaml.js';

/**
 * Where the generated Prometheus config runs: `local` (the binaries `stack up` starts, on
 * the config's listen addresses), `compose` (service names; services on the host through
 * host.docker.internal) or `k8s` (service names; service targets as configured).
 */
export type Deployment = 'local' | 'compose' | 'k8s';

/** Ports inside the containers; the config's listen addresses only apply to `local`. */
export const CONTAINER_ADDRESS = {
  prometheus: 'prometheus:9090',
  pushgateway: 'pushgateway:9091',
  alertmanager: 'alertmanager:9093',
  victoriaMetrics: 'victoria-metrics:8428',
  grafana: 'grafana:3000',
} as const;

export const RULE_FILE = 'alerts.yml';
export const RULE_TEST_FILE = 'alerts.test.yml';

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\]):/;

/** Scale-out stores, left commented so a reader can switch one on. */
const REMOTE_WRITE_EXAMPLES = [
  ' Scale-out: send every sample to a long-term store as well (uncomment one).',
  ' remote_write:',
  '   - url: http://mimir:9009/api/v1/push               # Grafana Mimir',
  '   - url: http://thanos-receive:19291/api/v1/receive  # Thanos Receive',
  '   - url: http://victoria-metrics:8428/api/v1/write   # VictoriaMetrics',
].join('\n');

export function prometheusConfig(config: StackConfig, deployment: Deployment = 'local'): Record<string, unknown> {
  const local = deployment === 'local';
  const at = (listen: string, container: string) => (local ? listen : container);
  const serviceTarget = (target: string) =>
    deployment === 'compose' ? target.replace(LOOPBACK, 'host.docker.internal:') : target;
  const scrapeConfigs: Array<Record<string, unknown>> = [
    {
      job_name: 'prometheus',
      static_configs: [{ targets: [at(config.prometheus.listen, CONTAINER_ADDRESS.prometheus)] }],
    },
  ];
  if (config.pushgateway.enabled) {
    // Pushed series keep their own job and instance labels: a test run's job stays its job.
    scrapeConfigs.push({
      job_name: 'pushgateway',
      honor_labels: true,
      static_configs: [{ targets: [at(config.pushgateway.listen, CONTAINER_ADDRESS.pushgateway)] }],
    });
  }
  if (config.alertmanager.enabled) {
    scrapeConfigs.push({
      job_name: 'alertmanager',
      static_configs: [{ targets: [at(config.alertmanager.listen, CONTAINER_ADDRESS.alertmanager)] }],
    });
  }
  for (const service of config.services) {
    scrapeConfigs.push({
      job_name: service.name,
      ...(service.scrapeInterval === undefined ? {} : { scrape_interval: service.scrapeInterval }),
      metrics_path: service.metricsPath,
      static_configs: [{ targets: service.targets.map(serviceTarget) }],
    });
  }
  const global: Record<string, unknown> = {
    scrape_interval: config.prometheus.scrapeInterval,
    evaluation_interval: config.prometheus.evaluationInterval,
  };
  if (Object.keys(config.prometheus.externalLabels).length > 0)
    global.external_labels = config.prometheus.externalLabels;
  return {
    global,
    // Relative to this file's folder, as Prometheus resolves it.
    rule_files: [RULE_FILE],
    ...(config.alertmanager.enabled
      ? {
          alerting: {
            alertmanagers: [
              { static_configs: [{ targets: [at(config.alertmanager.listen, CONTAINER_ADDRESS.alertmanager)] }] },
            ],
          },
        }
      : {}),
    scrape_configs: scrapeConfigs,
    ...(config.victoriaMetrics.enabled
      ? {
          remote_write: [
            { url: `http://${at(config.victoriaMetrics.listen, CONTAINER_ADDRESS.victoriaMetrics)}/api/v1/write` },
          ],
        }
      : {}),
  };
}

/** `prometheus/prometheus.yml` text (or the compose/k8s variant); retention is a flag, see prometheusArgs. */
export function prometheusYaml(config: StackConfig, deployment: Deployment = 'local'): string {
  return toYaml(prometheusConfig(config, deployment), { footer: REMOTE_WRITE_EXAMPLES });
}
