import { Document } from 'yaml';
import { alertmanagerYaml } from './alertmanager.js';
import type { StackConfig } from './config.js';
import { grafanaFiles } from './grafana/index.js';
import { IMAGES } from './images.js';
import { prometheusYaml, RULE_FILE } from './prometheus.js';
import { ruleGroups } from './rules/index.js';
import { GENERATED_HEADER, toYaml } from './yaml.js';

type Manifest = Record<string, unknown>;

/** The Secret `stack init` never writes: create it from .secrets/ (see docs/stack.md). */
export const ALERTMANAGER_SECRET = 'alertmanager-secrets';

/** Several manifests in one file, `---` between them. */
function manifests(items: Manifest[]): string {
  return items
    .map((item, i) => {
      const doc = new Document(item, { aliasDuplicateObjects: false });
      if (i === 0) doc.commentBefore = GENERATED_HEADER;
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

/**
 * Kubernetes manifests under k8s/: a namespace named after the project and, per component,
 * its config maps, a persistent volume claim, a deployment and a service. Apply them with
 * `kubectl apply -k k8s/`. Prometheus uses the k8s variant of its config (service names).
 */
export function k8sFiles(config: StackConfig): Record<string, string> {
  const ns = config.project;
  /** `app` is the component a resource belongs to: prometheus-config → prometheus. */
  const meta = (name: string, app = name) => ({
    name,
    namespace: ns,
    labels: { app, 'app.kubernetes.io/part-of': 'vigil' },
  });
  const configMap = (app: string, name: string, data: Record<string, string>): Manifest => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(name, app),
    data,
  });
  const claim = (app: string, size: string): Manifest => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(`${app}-data`, app),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
  });
  const service = (name: string, port: number): Manifest => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name),
    spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort: port }] },
  });
  const deployment = (name: string, pod: Record<string, unknown>, container: Record<string, unknown>): Manifest => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name),
    spec: {
      replicas: 1,
      // A ReadWriteOnce volume can be mounted by one pod at a time.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { ...pod, containers: [{ name, ...container }] } },
    },
  });
  const probe = (path: string, port: number) => ({ httpGet: { path, port }, periodSeconds: 10 });

  const files: Record<string, string> = {
    'k8s/namespace.yaml': manifests([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]),
    'k8s/prometheus.yaml': manifests([
      configMap('prometheus', 'prometheus-config', {
        'prometheus.yml': prometheusYaml(config, 'k8s'),
        [RULE_FILE]: toYaml({ groups: ruleGroups(config) }),
      }),
      claim('prometheus', '20Gi'),
      deployment(
        'prometheus',
        {
          securityContext: { fsGroup: 65534, runAsUser: 65534, runAsNonRoot: true },
          volumes: [
            { name: 'config', configMap: { name: 'prometheus-config' } },
            { name: 'data', persistentVolumeClaim: { claimName: 'prometheus-data' } },
          ],
        },
        {
          image: IMAGES.prometheus,
          args: [
            '--config.file=/etc/prometheus/prometheus.yml',
            '--storage.tsdb.path=/prometheus',
            `--storage.tsdb.retention.time=${config.prometheus.retention}`,
            '--web.enable-lifecycle',
          ],
          ports: [{ name: 'http', containerPort: 9090 }],
          readinessProbe: probe('/-/ready', 9090),
          volumeMounts: [
            { name: 'config', mountPath: '/etc/prometheus' },
            { name: 'data', mountPath: '/prometheus' },
          ],
        },
      ),
      service('prometheus', 9090),
    ]),
  };
  if (config.pushgateway.enabled) {
    files['k8s/pushgateway.yaml'] = manifests([
      deployment(
        'pushgateway',
        {},
        {
          image: IMAGES.pushgateway,
          ports: [{ name: 'http', containerPort: 9091 }],
          readinessProbe: probe('/-/ready', 9091),
        },
      ),
      service('pushgateway', 9091),
    ]);
  }
  if (config.alertmanager.enabled) {
    files['k8s/alertmanager.yaml'] = manifests([
      configMap('alertmanager', 'alertmanager-config', { 'alertmanager.yml': alertmanagerYaml(config) }),
      claim('alertmanager', '1Gi'),
      deployment(
        'alertmanager',
        {
          volumes: [
            { name: 'config', configMap: { name: 'alertmanager-config' } },
            // Optional: a stack without Slack or PagerDuty has no secrets.
            { name: 'secrets', secret: { secretName: ALERTMANAGER_SECRET, optional: true } },
            { name: 'data', persistentVolumeClaim: { claimName: 'alertmanager-data' } },
          ],
        },
        {
          image: IMAGES.alertmanager,
          // alertmanager.yml names secrets as .secrets/<name>, relative to the working directory.
          workingDir: '/etc/vigil',
          args: ['--config.file=/etc/vigil/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
          ports: [{ name: 'http', containerPort: 9093 }],
          readinessProbe: probe('/-/ready', 9093),
          volumeMounts: [
            { name: 'config', mountPath: '/etc/vigil/alertmanager' },
            { name: 'secrets', mountPath: '/etc/vigil/.secrets', readOnly: true },
            { name: 'data', mountPath: '/alertmanager' },
          ],
        },
      ),
      service('alertmanager', 9093),
    ]);
  }
  const grafana = grafanaFiles(config);
  const under = (prefix: string) =>
    Object.fromEntries(
      Object.entries(grafana)
        .filter(([path]) => path.startsWith(prefix))
        .map(([path, text]) => [path.slice(prefix.length), text]),
    );
  files['k8s/grafana.yaml'] = manifests([
    configMap('grafana', 'grafana-datasources', under('grafana/provisioning/datasources/')),
    configMap('grafana', 'grafana-dashboard-providers', under('grafana/provisioning/dashboards/')),
    configMap('grafana', 'grafana-dashboards', under('grafana/dashboards/')),
    claim('grafana', '1Gi'),
    deployment(
      'grafana',
      {
        securityContext: { fsGroup: 472 },
        volumes: [
          { name: 'datasources', configMap: { name: 'grafana-datasources' } },
          { name: 'providers', configMap: { name: 'grafana-dashboard-providers' } },
          { name: 'dashboards', configMap: { name: 'grafana-dashboards' } },
          { name: 'data', persistentVolumeClaim: { claimName: 'grafana-data' } },
        ],
      },
      {
        image: IMAGES.grafana,
        env: [
          { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'true' },
          { name: 'GF_AUTH_ANONYMOUS_ORG_ROLE', value: 'Viewer' },
        ],
        ports: [{ name: 'http', containerPort: 3000 }],
        readinessProbe: probe('/api/health', 3000),
        volumeMounts: [
          { name: 'datasources', mountPath: '/etc/grafana/provisioning/datasources' },
          { name: 'providers', mountPath: '/etc/grafana/provisioning/dashboards' },
          { name: 'dashboards', mountPath: '/var/lib/grafana/dashboards' },
          { name: 'data', mountPath: '/var/lib/grafana' },
        ],
      },
    ),
    service('grafana', 3000),
  ]);
  if (config.victoriaMetrics.enabled) {
    files['k8s/victoria-metrics.yaml'] = manifests([
      claim('victoria-metrics', '50Gi'),
      deployment(
        'victoria-metrics',
        { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'victoria-metrics-data' } }] },
        {
          image: IMAGES.victoriaMetrics,
          args: ['-storageDataPath=/storage', `-retentionPeriod=${config.victoriaMetrics.retention}`],
          ports: [{ name: 'http', containerPort: 8428 }],
          readinessProbe: probe('/health', 8428),
          volumeMounts: [{ name: 'data', mountPath: '/storage' }],
        },
      ),
      service('victoria-metrics', 8428),
    ]);
  }
  files['k8s/kustomization.yaml'] = toYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: ns,
    resources: Object.keys(files).map((path) => path.slice('k8s/'.length)),
  });
  return files;
}
