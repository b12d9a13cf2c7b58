// A real Prometheus 2.42 scrapes startMetricsServer on 127.0.0.1: with basic auth in the
// scrape config (and a wrong password on a second job), and with a bearer token. The
// target is up, the scrape negotiated OpenMetrics with gzip, the values read back exactly,
// and a failing collect callback is counted instead of failing the scrape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsServer, type ScrapeInfo, startMetricsServer } from '../../src/exporter/index.js';
import { Registry } from '../../src/metrics/index.js';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';

const USER = 'prometheus';
const PASSWORD = 'correct horse: battery';
const TOKEN = 'conformance-bearer-token';

function job(name: string, port: number, auth: Record<string, unknown>): Record<string, unknown> {
  return {
    job_name: name,
    scrape_interval: '1s',
    scrape_timeout: '1s',
    metrics_path: '/metrics',
    static_configs: [{ targets: [`127.0.0.1:${port}`] }],
    ...auth,
  };
}

describe('startMetricsServer scraped by Prometheus', () => {
  let prometheus: PrometheusHandle;
  let basicServer: MetricsServer;
  let bearerServer: MetricsServer;
  const scrapes: ScrapeInfo[] = [];

  beforeAll(async () => {
    const registry = new Registry();
    registry
      .counter({ name: 'exporter_jobs_total', help: 'Jobs run.', labelNames: ['queue'] })
      .inc({ queue: 'mail' }, 42);
    registry.gauge({ name: 'exporter_queue_depth', help: 'Queued jobs.' }).set(7.5);
    registry.gauge({
      name: 'exporter_broken',
      help: 'Its collect callback throws.',
      collect() {
        throw new Error('sensor unplugged');
      },
    });
    basicServer = startMetricsServer({
      port: 0,
      registry,
      auth: { basic: { username: USER, password: PASSWORD } },
      onScrape: (info) => scrapes.push(info),
    });
    const tokenRegistry = new Registry();
    tokenRegistry.gauge({ name: 'exporter_bearer_probe', help: 'Served behind a bearer token.' }).set(1);
    bearerServer = startMetricsServer({ port: 0, registry: tokenRegistry, auth: { bearer: TOKEN } });
    const [basicStatus, bearerStatus] = await Promise.all([basicServer.ready, bearerServer.ready]);
    expect(basicStatus.serverStarted).toBe(true);
    expect(bearerStatus.serverStarted).toBe(true);

    prometheus = await startPrometheus({
      extraConfig: {
        scrape_configs: [
          job('exporter-basic', basicStatus.port, { basic_auth: { username: USER, password: PASSWORD } }),
          job('exporter-wrong-password', basicStatus.port, { basic_auth: { username: USER, password: 'wrong' } }),
          job('exporter-bearer', bearerStatus.port, { authorization: { type: 'Bearer', credentials: TOKEN } }),
        ],
      },
    });
    await Promise.all([
      prometheus.waitForScrape('exporter-basic', { timeoutMs: 30_000 }),
      prometheus.waitForScrape('exporter-bearer', { timeoutMs: 30_000 }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await basicServer?.close();
    await bearerServer?.close();
  });

  it('shows the basic-auth and bearer targets up in /api/v1/targets', async () => {
    const targets = await prometheus.targets();
    const basic = targets.find((t) => t.scrapePool === 'exporter-basic');
    const bearer = targets.find((t) => t.scrapePool === 'exporter-bearer');
    expect(basic?.health).toBe('up');
    expect(basic?.lastError).toBe('');
    expect(basic?.scrapeUrl).toBe(`http://127.0.0.1:${basicServer.status().port}/metrics`);
    expect(bearer?.health).toBe('up');
  });

  it('negotiated OpenMetrics with gzip and counts the scrapes in status()', () => {
    expect(scrapes.length).toBeGreaterThan(0);
    const first = scrapes[0] as ScrapeInfo;
    expect(first).toMatchObject({ status: 200, format: 'openmetrics', gzip: true });
    const status = basicServer.status();
    expect(status.scrapesServed).toBeGreaterThan(0);
    expect(status.degraded).toBe(false);
    expect(status.lastScrapeDurationSeconds).toBeGreaterThan(0);
  });

  it('reads back the exact values, and counts the failing collect callback', async () => {
    const jobs = await prometheus.queryVector('exporter_jobs_total{job="exporter-basic"}');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.metric.queue).toBe('mail');
    expect(jobs[0]?.value).toBe(42);
    const depth = await prometheus.queryVector('exporter_queue_depth{job="exporter-basic"}');
    expect(depth[0]?.valueText).toBe('7.5');
    expect(await prometheus.queryVector('exporter_broken')).toEqual([]);
    const errors = await prometheus.queryVector('vigil_scrape_errors_total{job="exporter-basic"}');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.metric.collector).toBe('exporter_broken');
    expect(errors[0]?.value).toBeGreaterThanOrEqual(1);
    const bearer = await prometheus.queryVector('exporter_bearer_probe{job="exporter-bearer"}');
    expect(bearer[0]?.value).toBe(1);
  });

  it('marks the job with the wrong password down with a 401, leaking no samples', async () => {
    const deadline = Date.now() + 20_000;
    let wrong = (await prometheus.targets()).find((t) => t.scrapePool === 'exporter-wrong-password');
    while (wrong?.health !== 'down' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      wrong = (await prometheus.targets()).find((t) => t.scrapePool === 'exporter-wrong-password');
    }
    expect(wrong?.health).toBe('down');
    expect(wrong?.lastError).toContain('401');
    expect(await prometheus.queryVector('exporter_jobs_total{job="exporter-wrong-password"}')).toEqual([]);
  });
});
