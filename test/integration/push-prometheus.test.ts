import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../src/metrics/index.js';
import { push } from '../../src/push/index.js';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';
import { type PushgatewayHandle, startPushgateway } from '../support/pushgateway.js';

/**
 * The whole path a batch job's metrics take: vigil/push → a real Pushgateway → a real
 * Prometheus scraping it with honor_labels: true → PromQL.
 */
let gateway: PushgatewayHandle;
let prometheus: PrometheusHandle;
const registry = new Registry();
const processed = registry.counter({ name: 'batch_records_processed_total', help: 'Records.', labelNames: ['stage'] });
const lastSuccess = registry.gauge({ name: 'batch_last_success_seconds', help: 'Last success.' });
const groupings = { branch: 'feature/x', runner: 'ci 1 é' };

beforeAll(async () => {
  gateway = await startPushgateway();
  processed.inc({ stage: 'load' }, 41);
  lastSuccess.set(1_700_000_000);
  await push({ gateway: gateway.url, job: 'nightly', groupings, registry });
  prometheus = await startPrometheus({
    targets: [
      { job: 'pushgateway', url: `${gateway.url}/metrics`, honorLabels: true },
      { job: 'pushgateway-plain', url: `${gateway.url}/metrics`, honorLabels: false },
    ],
  });
  await prometheus.waitForScrape('pushgateway');
  await prometheus.waitForScrape('pushgateway-plain');
});

afterAll(async () => {
  await prometheus?.stop();
  await gateway?.stop();
});

describe('Prometheus scraping the Pushgateway', () => {
  it('honor_labels keeps the pushed job and grouping labels, values exact', async () => {
    const [sample, ...rest] = await prometheus.queryVector(
      'batch_records_processed_total{job="nightly", branch="feature/x"}',
    );
    expect(rest).toEqual([]);
    expect(sample?.value).toBe(41);
    expect(sample?.metric).toMatchObject({ job: 'nightly', branch: 'feature/x', runner: 'ci 1 é', stage: 'load' });
    const [last] = await prometheus.queryVector('batch_last_success_seconds{job="nightly"}');
    expect(last?.value).toBe(1_700_000_000);
  });

  it('without honor_labels the pushed job becomes exported_job', async () => {
    const [sample] = await prometheus.queryVector('batch_records_processed_total{job="pushgateway-plain"}');
    expect(sample?.metric).toMatchObject({ exported_job: 'nightly', branch: 'feature/x' });
  });

  it('a later push is what the next scrape sees', async () => {
    processed.inc({ stage: 'load' }, 1);
    await push({ gateway: gateway.url, job: 'nightly', groupings, registry });
    // Only a scrape that starts after the push has finished must see it.
    const since = new Date();
    await prometheus.waitForScrape('pushgateway', { since });
    const [sample] = await prometheus.queryVector('batch_records_processed_total{job="nightly"}');
    expect(sample?.value).toBe(42);
  });
});
