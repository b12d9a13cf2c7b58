import type { StackConfig } from './config.js';
import { IMAGES } from './images.js';
import { secretsOf } from './secrets.js';
import { toYaml } from './yaml.js';

/** `host:port` listen address → compose `host:port:containerPort`. */
const publish = (listen: string, containerPort: number) => `${listen}:${containerPort}`;

/**
 * docker-compose.yml: Prometheus (with the compose variant of its config), Pushgateway,
 * Alertmanager, Grafana and, when enabled, VictoriaMetrics, each published on the
 * config's listen address and keeping its data in a named volume.
 */
export function composeConfig(config: StackConfig): Record<string, unknown> {
  const services: Record<string, unknown> = {
    prometheus: {
      image: IMAGES.prometheus,
      command: [
        '--config.file=/etc/prometheus/prometheus.compose.yml',
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${config.prometheus.retention}`,
        '--web.enable-lifecycle',
      ],
      ports: [publish(config.prometheus.listen, 9090)],
      volumes: ['./prometheus:/etc/prometheus:ro', 'prometheus-data:/prometheus'],
      // Services configured on 127.0.0.1 run on the host.
      extra_hosts: ['host.docker.internal:host-gateway'],
      restart: 'unless-stopped',
    },
  };
  const volumes: Record<string, Record<string, never>> = { 'prometheus-data': {} };
  if (config.pushgateway.enabled) {
    services.pushgateway = {
      image: IMAGES.pushgateway,
      ports: [publish(config.pushgateway.listen, 9091)],
      restart: 'unless-stopped',
    };
  }
  if (config.alertmanager.enabled) {
    // alertmanager.yml names secrets as .secrets/<name>, relative to the working directory.
    const secrets = secretsOf(config).some((s) => s.source.env !== undefined);
    services.alertmanager = {
      image: IMAGES.alertmanager,
      working_dir: '/etc/vigil',
      command: ['--config.file=/etc/vigil/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
      ports: [publish(config.alertmanager.listen, 9093)],
      volumes: [
        './alertmanager:/etc/vigil/alertmanager:ro',
        ...(secrets ? ['./.secrets:/etc/vigil/.secrets:ro'] : []),
        'alertmanager-data:/alertmanager',
      ],
      restart: 'unless-stopped',
    };
    volumes['alertmanager-data'] = {};
  }
  services.grafana = {
    image: IMAGES.grafana,
    ports: [publish(config.grafana.listen, 3000)],
    environment: { GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer' },
    volumes: [
      './grafana/provisioning:/etc/grafana/provisioning:ro',
      './grafana/dashboards:/var/lib/grafana/dashboards:ro',
      'grafana-data:/var/lib/grafana',
    ],
    depends_on: ['prometheus'],
    restart: 'unless-stopped',
  };
  volumes['grafana-data'] = {};
  if (config.victoriaMetrics.enabled) {
    services['victoria-metrics'] = {
      image: IMAGES.victoriaMetrics,
      command: ['-storageDataPath=/storage', `-retentionPeriod=${config.victoriaMetrics.retention}`],
      ports: [publish(config.victoriaMetrics.listen, 8428)],
      volumes: ['victoria-metrics-data:/storage'],
      restart: 'unless-stopped',
    };
    volumes['victoria-metrics-data'] = {};
  }
  return { name: config.project, services, volumes };
}

export function composeYaml(config: StackConfig): string {
  return toYaml(composeConfig(config));
}
