import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { metricsHandler } from '../../src/exporter/index.js';
import { instrument } from '../../src/http/node/index.js';
import { Registry } from '../../src/metrics/index.js';
import {
  alertmanagerArgs,
  materializeSecrets,
  parseStackConfig,
  prometheusArgs,
  type StackConfigInput,
  writeStack,
} from '../../src/stack/index.js';
import { finishRun, startRun } from '../../src/testing/report.js';
import { requireBinary } from '../support/components.js';
import { freePort } from '../support/ports.js';
import { type ManagedProcess, spawnManaged, waitForHttpReady } from '../support/process.js';
import { type PushgatewayHandle, startPushgateway } from '../support/pushgateway.js';
import { runWithInput } from '../support/run.js';
import { everythingConfig } from '../unit/stack/fixtures.js';

/**
 * `vigil stack init` output against the real promtool 2.42 and amtool 0.25: both
 * Prometheus variants and the k8s one load, the rules parse, every alert's unit test
 * passes, Alertmanager accepts its config; and a broken rule or a wrong threshold fails.
 */
const promtool = requireBinary('/usr/bin/promtool', 'prometheus');
const amtool = requireBinary('/usr/bin/amtool', 'prometheus-alertmanager');
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function init(input: StackConfigInput): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-stack-'));
  dirs.push(dir);
  await writeStack(dir, parseStackConfig(input));
  return dir;
}

const run = (command: string, args: string[], cwd: string) =>
  runWithInput(command, args, '', { cwd, timeoutMs: 30_000 });

/** The k8s Prometheus ConfigMap's files, written out so promtool can load them. */
async function k8sPrometheusDir(dir: string): Promise<string> {
  const docs = parseAllDocuments(await readFile(join(dir, 'k8s/prometheus.yaml'), 'utf8')).map((d) => d.toJS());
  const configMap = docs.find((d) => d.kind === 'ConfigMap') as { data: Record<string, string> };
  const out = join(dir, 'k8s-prometheus');
  await rm(out, { recursive: true, force: true });
  await mkdir(out);
  for (const [name, text] of Object.entries(configMap.data)) await writeFile(join(out, name), text);
  return out;
}

const configs: Array<[string, StackConfigInput]> = [
  ['the default config', {}],
  ['a config with every receiver, VictoriaMetrics and short windows', everythingConfig],
];

describe.each(configs)('stack init with %s', (_, input) => {
  let dir = '';
  it('writes a prometheus.yml (local and compose variants) that promtool check config accepts', async () => {
    dir = await init(input);
    for (const file of ['prometheus/prometheus.yml', 'prometheus/prometheus.compose.yml']) {
      const result = await run(promtool, ['check', 'config', file], dir);
      expect(result.code, `${file}\n${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
    }
  });

  it('writes a k8s ConfigMap whose prometheus.yml and rules promtool accepts', async () => {
    const k8s = await k8sPrometheusDir(dir);
    const result = await run(promtool, ['check', 'config', 'prometheus.yml'], k8s);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
    // In the cluster, components are reached by service name.
    expect(await readFile(join(k8s, 'prometheus.yml'), 'utf8')).toContain('alertmanager:9093');
  });

  it('writes rules that promtool check rules accepts', async () => {
    const result = await run(promtool, ['check', 'rules', 'prometheus/alerts.yml'], dir);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('writes a unit test per alert that promtool test rules passes', async () => {
    const started = Date.now();
    const result = await run(promtool, ['test', 'rules', 'prometheus/alerts.test.yml'], dir);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('writes an alertmanager.yml that amtool check-config accepts', async () => {
    const result = await run(amtool, ['check-config', 'alertmanager/alertmanager.yml'], dir);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('3 receivers');
  });
});

describe('broken output is caught', () => {
  it('a rule with bad PromQL makes promtool check rules fail, naming the rule', async () => {
    const dir = await init({});
    const path = join(dir, 'prometheus/alerts.yml');
    const rules = parse(await readFile(path, 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const first = rules.groups[0]?.rules[0];
    if (first === undefined) throw new Error('no rules generated');
    first.expr = 'sum(rate(http_server_requests_total[5m])';
    await writeFile(path, JSON.stringify(rules));
    const result = await run(promtool, ['check', 'rules', 'prometheus/alerts.yml'], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr + result.stdout).toContain(
      'group "vigil-recording", rule 1, "job:http_server_requests:rate5m"',
    );
    expect(result.stderr + result.stdout).toContain('unclosed left parenthesis');
    const tests = await run(promtool, ['test', 'rules', 'prometheus/alerts.test.yml'], dir);
    expect(tests.code).not.toBe(0);
  });

  it('a threshold that no longer matches its test makes promtool test rules fail for that alert', async () => {
    const dir = await init({});
    const path = join(dir, 'prometheus/alerts.yml');
    const text = await readFile(path, 'utf8');
    expect(text).toContain('job:http_server_request_errors:ratio_rate5m > 0.05');
    await writeFile(
      path,
      text.replace(
        'job:http_server_request_errors:ratio_rate5m > 0.05',
        'job:http_server_request_errors:ratio_rate5m > 0.9',
      ),
    );
    const result = await run(promtool, ['test', 'rules', 'prometheus/alerts.test.yml'], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr + result.stdout).toContain('alertname: VigilHighErrorRate');
  });

  it('a band narrower than ordinary noise makes every anomaly test that expects quiet fail', async () => {
    const dir = await init({});
    const path = join(dir, 'prometheus/alerts.yml');
    const text = await readFile(path, 'utf8');
    expect(text.match(/ > 3 \* /g)).toHaveLength(4);
    await writeFile(path, text.replaceAll(' > 3 * ', ' > 0.5 * '));
    const result = await run(promtool, ['test', 'rules', 'prometheus/alerts.test.yml'], dir);
    expect(result.code).not.toBe(0);
    const failed = [...(result.stderr + result.stdout).matchAll(/alertname: (\w+)/g)].map((m) => m[1]);
    expect(new Set(failed)).toEqual(
      new Set([
        'VigilRequestRateAnomaly',
        'VigilErrorRatioAnomaly',
        'VigilLatencyP95Anomaly',
        'VigilTestDurationAnomaly',
      ]),
    );
  });

  it('an anomaly rule without its offset teaches itself the spike, and its test fails', async () => {
    const dir = await init({});
    const path = join(dir, 'prometheus/alerts.yml');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replaceAll(' offset 1h)', ')'));
    const result = await run(promtool, ['test', 'rules', 'prometheus/alerts.test.yml'], dir);
    expect(result.code).not.toBe(0);
    // The spike widens its own band until it no longer leaves it.
    expect(result.stderr + result.stdout).toMatch(/name: Vigil\w+Anomaly fires/);
  });
});

describe('the generated rules on a real Prometheus and Pushgateway', () => {
  let prometheus: ManagedProcess | undefined;
  let gateway: PushgatewayHandle | undefined;
  const servers: Server[] = [];
  let traffic: NodeJS.Timeout | undefined;
  afterAll(async () => {
    clearInterval(traffic);
    await prometheus?.stop();
    await gateway?.stop();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  /** Listens on a free 127.0.0.1 port; returns `host:port`. */
  async function serve(listener: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(listener);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('fire on a service answering 5xx, a dead target and a pushed failing test run, from the generated prometheus.yml', async () => {
    gateway = await startPushgateway();
    // A real service: the node:http middleware records requests, three in four answered 500.
    const registry = new Registry();
    const app = await serve(
      instrument(
        (req, res) => {
          res.statusCode = req.url === '/fail' ? 500 : 200;
          res.end();
        },
        { registry, routes: ['/fail', '/ok'] },
      ),
    );
    const exporter = await serve(metricsHandler(registry));
    const send = (path: string) =>
      fetch(`http://${app}${path}`).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
    traffic = setInterval(() => {
      for (const path of ['/fail', '/fail', '/fail', '/ok']) void send(path);
    }, 200);
    const [promPort, deadPort] = [await freePort(), await freePort()];
    const config = parseStackConfig({
      project: 'e2e',
      services: [
        { name: 'api', targets: [exporter] },
        { name: 'gone', targets: [`127.0.0.1:${deadPort}`] },
      ],
      prometheus: {
        listen: `127.0.0.1:${promPort}`,
        scrapeInterval: '1s',
        evaluationInterval: '1s',
        rateWindow: '30s',
      },
      pushgateway: { listen: `127.0.0.1:${gateway.port}` },
      alertmanager: { enabled: false },
      alerts: { targetDown: { for: '0s' }, errorRate: { for: '0s' } },
      anomaly: { enabled: false },
    });
    const dir = await mkdtemp(join(tmpdir(), 'vigil-stack-e2e-'));
    dirs.push(dir);
    await writeStack(dir, config);
    prometheus = spawnManaged(requireBinary('/usr/bin/prometheus', 'prometheus'), prometheusArgs(config, dir), {
      cwd: dir,
    });
    await waitForHttpReady(prometheus, `http://127.0.0.1:${promPort}/-/ready`);

    // A run as the Vitest reporter would push it: 4 of 10 tests failed, the heap grew 30 MB
    // per test, checkout took 2-2.5 s and managed half an operation per second.
    const metadata = { branch: 'main', commit: 'abc123', workflow: 'ci', runner: 'local' };
    const run = startRun({ metadata });
    for (let i = 0; i < 10; i++) {
      run.recordTest({
        file: 'test/orders.test.ts',
        name: `case ${i}`,
        outcome: i < 4 ? 'failed' : 'passed',
        durationMs: 20,
        heapDeltaBytes: 30e6,
      });
    }
    run.recordMeasurements({ latency: { checkout: [2000, 2200, 2500] }, throughput: { checkout: [0.5] } });
    const report = await finishRun(run, { gateway: gateway.url, job: 'e2e-tests', metadata, warn: () => {} });
    expect(report.pushed).toBe(true);

    const expected = [
      'VigilHighErrorRate',
      'VigilTargetDown',
      'VigilTestFailureRate',
      'VigilTestLatencyRegression',
      'VigilTestMemoryGrowth',
      'VigilTestThroughputLow',
    ];
    let firing: Array<{ labels: Record<string, string> }> = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const response = await fetch(`http://127.0.0.1:${promPort}/api/v1/alerts`, {
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await response.json()) as {
        data: { alerts: Array<{ state: string; labels: Record<string, string> }> };
      };
      firing = body.data.alerts.filter((a) => a.state === 'firing');
      if (expected.every((name) => firing.some((a) => a.labels.alertname === name))) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const names = [...new Set(firing.map((a) => a.labels.alertname))].sort();
    expect(names, prometheus.logs().slice(-2000)).toEqual(expected);
    // honor_labels keeps the pushed job and grouping labels.
    expect(firing.find((a) => a.labels.alertname === 'VigilTestFailureRate')?.labels).toEqual({
      alertname: 'VigilTestFailureRate',
      job: 'e2e-tests',
      branch: 'main',
      runner: 'local',
      severity: 'warning',
    });
    expect(firing.find((a) => a.labels.alertname === 'VigilHighErrorRate')?.labels).toEqual({
      alertname: 'VigilHighErrorRate',
      job: 'api',
      severity: 'critical',
    });
    expect(firing.find((a) => a.labels.alertname === 'VigilTargetDown')?.labels).toMatchObject({
      job: 'gone',
      instance: `127.0.0.1:${deadPort}`,
      severity: 'critical',
    });
  });
});

describe('the generated alertmanager.yml on a real Alertmanager', () => {
  let alertmanager: ManagedProcess | undefined;
  let receiver: Server | undefined;
  afterAll(async () => {
    await alertmanager?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('routes by severity, inhibits the warning under a critical, and reads the Slack URL from .secrets/', async () => {
    // One local server stands in for Slack (/slack) and a webhook receiver (/hook).
    const received: Array<{ path: string; body: Record<string, unknown> }> = [];
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    const at = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    const port = await freePort();
    const config = parseStackConfig({
      alertmanager: {
        listen: `127.0.0.1:${port}`,
        groupWait: '1s',
        groupInterval: '1s',
        slack: { channel: '#alerts', apiUrl: { env: 'VIGIL_E2E_SLACK_URL' } },
        webhooks: [{ name: 'ops', url: `${at}/hook` }],
      },
    });
    const dir = await mkdtemp(join(tmpdir(), 'vigil-stack-am-'));
    dirs.push(dir);
    await writeStack(dir, config);
    await materializeSecrets(dir, config, { VIGIL_E2E_SLACK_URL: `${at}/slack` });
    const binary = requireBinary('/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager');
    alertmanager = spawnManaged(binary, alertmanagerArgs(config, dir), { cwd: dir });
    await waitForHttpReady(alertmanager, `http://127.0.0.1:${port}/-/ready`);

    const alert = (alertname: string, severity: string, job: string) => ({ labels: { alertname, severity, job } });
    const posted = await fetch(`http://127.0.0.1:${port}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert('VigilTargetDown', 'critical', 'api'),
        alert('VigilTargetDown', 'warning', 'api'),
        alert('VigilTestFailureRate', 'warning', 'tests'),
      ]),
      signal: AbortSignal.timeout(5_000),
    });
    expect(posted.status).toBe(200);

    type Hook = { receiver: string; alerts: Array<{ labels: Record<string, string> }> };
    const hooks = () => received.filter((r) => r.path === '/hook').map((r) => r.body as unknown as Hook);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (hooks().length < 2 || received.filter((r) => r.path === '/slack').length < 2)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // A little longer, so a wrongly routed or uninhibited notification would have arrived too.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const delivered = hooks().flatMap((h) =>
      h.alerts.map((a) => `${h.receiver}:${a.labels.alertname}:${a.labels.severity}`),
    );
    expect(new Set(delivered), alertmanager.logs().slice(-2000)).toEqual(
      new Set(['critical:VigilTargetDown:critical', 'warning:VigilTestFailureRate:warning']),
    );
    const slack = received.filter((r) => r.path === '/slack').map((r) => r.body);
    expect(slack.length).toBeGreaterThanOrEqual(2);
    expect(slack[0]).toMatchObject({ channel: '#alerts' });
    expect(JSON.stringify(slack)).toContain('[FIRING] VigilTargetDown (critical)');
  });
});
