import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { generateStack, IMAGES, parseStackConfig } from '../../../src/stack/index.js';
import { everythingConfig } from './fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, navigated by the shape each assertion expects
type Obj = Record<string, any>;

const defaults = generateStack(parseStackConfig({}));
const everything = generateStack(parseStackConfig(everythingConfig));

function compose(files: Record<string, string>): Obj {
  return parse(files['docker-compose.yml'] ?? '') as Obj;
}
function k8s(files: Record<string, string>): Obj[] {
  return Object.entries(files)
    .filter(([path]) => path.startsWith('k8s/') && path !== 'k8s/kustomization.yaml')
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS() as Obj));
}

describe('docker-compose.yml', () => {
  it('runs the four components from pinned images on the configured ports', () => {
    const { services, name } = compose(defaults);
    expect(name).toBe('vigil');
    expect(Object.keys(services)).toEqual(['prometheus', 'pushgateway', 'alertmanager', 'grafana']);
    expect(services.prometheus.image).toBe('prom/prometheus:v2.42.0');
    expect(services.pushgateway.image).toBe('prom/pushgateway:v1.5.1');
    expect(services.alertmanager.image).toBe('prom/alertmanager:v0.25.0');
    expect(services.grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(services.prometheus.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(services.pushgateway.ports).toEqual(['127.0.0.1:9091:9091']);
    expect(services.alertmanager.ports).toEqual(['127.0.0.1:9093:9093']);
    expect(services.grafana.ports).toEqual(['127.0.0.1:3000:3000']);
    for (const image of Object.values(IMAGES)) expect(image).not.toMatch(/:latest$/);
  });

  it('mounts the generated files and keeps data in named volumes, retention as a flag', () => {
    const { services, volumes } = compose(defaults);
    expect(services.prometheus.volumes).toEqual(['./prometheus:/etc/prometheus:ro', 'prometheus-data:/prometheus']);
    expect(services.prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.compose.yml');
    expect(services.prometheus.command).toContain('--storage.tsdb.retention.time=15d');
    expect(defaults['prometheus/prometheus.compose.yml']).toBeDefined();
    expect(services.grafana.volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(services.grafana.volumes).toContain('./grafana/dashboards:/var/lib/grafana/dashboards:ro');
    expect(defaults['grafana/provisioning/datasources/prometheus.yaml']).toBeDefined();
    expect(Object.keys(volumes)).toEqual(['prometheus-data', 'alertmanager-data', 'grafana-data']);
    // No env secrets: no secrets mount.
    expect(services.alertmanager.volumes.join()).not.toContain('.secrets');
  });

  it('mounts .secrets for Alertmanager and runs it from the folder its secret paths are relative to', () => {
    const { services } = compose(everything);
    expect(services.alertmanager.working_dir).toBe('/etc/vigil');
    expect(services.alertmanager.volumes).toContain('./.secrets:/etc/vigil/.secrets:ro');
    expect(services.prometheus.ports).toEqual(['127.0.0.1:19090:9090']);
    expect(services['victoria-metrics'].image).toBe(IMAGES.victoriaMetrics);
    expect(services['victoria-metrics'].command).toContain('-retentionPeriod=30d');
  });
});

describe('prometheus.yml variants', () => {
  it('local: scrapes the listen addresses; containers: service names and the host', () => {
    const local = parse(everything['prometheus/prometheus.yml'] ?? '') as Obj;
    const container = parse(everything['prometheus/prometheus.compose.yml'] ?? '') as Obj;
    const targets = (cfg: Obj, job: string) =>
      cfg.scrape_configs.find((s: Obj) => s.job_name === job)?.static_configs[0].targets as string[];
    expect(targets(local, 'prometheus')).toEqual(['127.0.0.1:19090']);
    expect(targets(local, 'pushgateway')).toEqual(['127.0.0.1:19091']);
    expect(targets(container, 'pushgateway')).toEqual(['pushgateway:9091']);
    expect(targets(container, 'api')).toEqual(['host.docker.internal:9464', 'host.docker.internal:9465']);
    expect(targets(container, 'worker')).toEqual(['worker.internal:9100']);
    expect(local.scrape_configs.find((s: Obj) => s.job_name === 'pushgateway').honor_labels).toBe(true);
    expect(local.scrape_configs.find((s: Obj) => s.job_name === 'worker').metrics_path).toBe('/prometheus/metrics');
    expect(local.scrape_configs.find((s: Obj) => s.job_name === 'api').scrape_interval).toBe('1s');
    expect(local.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:19093']);
    expect(container.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    expect(local.remote_write).toEqual([{ url: 'http://127.0.0.1:18428/api/v1/write' }]);
    expect(local.global).toEqual({
      scrape_interval: '1s',
      evaluation_interval: '1s',
      external_labels: { cluster: 'ci' },
    });
    expect(local.rule_files).toEqual(['alerts.yml']);
  });

  it('keeps retention out of the file and shows remote_write for scale-out as a comment', () => {
    const text = defaults['prometheus/prometheus.yml'] ?? '';
    expect(text.startsWith('# generated by vigil stack init; edit vigil.config.* and re-run\n')).toBe(true);
    expect(text).not.toContain('retention');
    expect(parse(text).remote_write).toBeUndefined();
    expect(text).toMatch(/^# remote_write:$/m);
    for (const store of ['Mimir', 'Thanos', 'VictoriaMetrics']) expect(text).toContain(store);
  });
});

describe('k8s manifests', () => {
  it('has a namespace and, per component, a deployment and a service', () => {
    const docs = k8s(defaults);
    const kinds = (kind: string) => docs.filter((d) => d.kind === kind).map((d) => d.metadata.name);
    expect(kinds('Namespace')).toEqual(['vigil']);
    expect(kinds('Deployment')).toEqual(['prometheus', 'pushgateway', 'alertmanager', 'grafana']);
    expect(kinds('Service')).toEqual(['prometheus', 'pushgateway', 'alertmanager', 'grafana']);
    expect(kinds('PersistentVolumeClaim')).toEqual(['prometheus-data', 'alertmanager-data', 'grafana-data']);
    expect(kinds('ConfigMap')).toEqual([
      'prometheus-config',
      'alertmanager-config',
      'grafana-datasources',
      'grafana-dashboard-providers',
      'grafana-dashboards',
    ]);
    for (const doc of docs.filter((d) => d.kind !== 'Namespace')) expect(doc.metadata.namespace).toBe('vigil');
    // Every resource is labelled with the component it belongs to.
    const apps = (kind: string) => docs.filter((d) => d.kind === kind).map((d) => d.metadata.labels.app);
    expect(apps('ConfigMap')).toEqual(['prometheus', 'alertmanager', 'grafana', 'grafana', 'grafana']);
    expect(apps('PersistentVolumeClaim')).toEqual(['prometheus', 'alertmanager', 'grafana']);
  });

  it('runs pinned images on their ports with the config maps and volumes mounted', () => {
    const docs = k8s(defaults);
    const container = (name: string) =>
      docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name)?.spec.template.spec.containers[0] as Obj;
    expect(container('prometheus').image).toBe(IMAGES.prometheus);
    expect(container('prometheus').args).toContain('--storage.tsdb.retention.time=15d');
    expect(container('prometheus').ports).toEqual([{ name: 'http', containerPort: 9090 }]);
    expect(container('alertmanager').workingDir).toBe('/etc/vigil');
    expect(container('grafana').volumeMounts.map((m: Obj) => m.mountPath)).toContain('/var/lib/grafana/dashboards');
    const services = docs.filter((d) => d.kind === 'Service');
    expect(services.map((s) => s.spec.ports[0].port)).toEqual([9090, 9091, 9093, 3000]);
    const promConfig = docs.find((d) => d.metadata.name === 'prometheus-config')?.data as Record<string, string>;
    expect(Object.keys(promConfig)).toEqual(['prometheus.yml', 'alerts.yml']);
    expect(promConfig['alerts.yml']).toBe(defaults['prometheus/alerts.yml']);
    const dashboards = docs.find((d) => d.metadata.name === 'grafana-dashboards')?.data as Record<string, string>;
    expect(Object.keys(dashboards).length).toBeGreaterThan(0);
    for (const key of Object.keys(dashboards)) expect(defaults[`grafana/dashboards/${key}`]).toBe(dashboards[key]);
  });

  it('lists every manifest file in kustomization.yaml and adds VictoriaMetrics when enabled', () => {
    const kustomization = parse(everything['k8s/kustomization.yaml'] ?? '') as Obj;
    const files = Object.keys(everything).filter((p) => p.startsWith('k8s/') && p !== 'k8s/kustomization.yaml');
    expect(kustomization.resources).toEqual(files.map((p) => p.slice(4)));
    expect(kustomization.namespace).toBe('shop');
    expect(k8s(everything).some((d) => d.kind === 'Deployment' && d.metadata.name === 'victoria-metrics')).toBe(true);
  });
});

describe('GitHub Actions example', () => {
  it('starts a Pushgateway service and runs the tests with the Vigil reporter pushing to it', () => {
    const workflow = parse(defaults['ci/github-actions.yml'] ?? '') as Obj;
    const job = workflow.jobs.test;
    expect(job.services.pushgateway.image).toBe(IMAGES.pushgateway);
    expect(job.services.pushgateway.ports).toEqual(['9091:9091']);
    expect(job.env.VIGIL_PUSHGATEWAY_URL).toBe('http://localhost:9091');
    const runs = job.steps.map((s: Obj) => s.run ?? '').join('\n');
    expect(runs).toContain('--reporter=vigil/testing/vitest');
    expect(runs).toContain('npm ci');
    expect(job.steps[0].uses).toMatch(/^actions\/checkout@v\d+$/);
  });
});
