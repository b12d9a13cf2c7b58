import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorHandle, collectDefaultMetrics } from '../../src/collectors/index.js';
import { startConsole } from '../../src/console/server.js';
import { Registry } from '../../src/metrics/index.js';
import { setupTracing, type TracingHandle, teardownTracing } from '../../src/tracing/index.js';
import { type AlertmanagerHandle, startAlertmanager } from '../support/alertmanager.js';
import { freePort } from '../support/ports.js';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';
import { type PushgatewayHandle, startPushgateway } from '../support/pushgateway.js';
import { pushTestRun, type Shop, serveMetrics, startShop } from './support/data.js';
import {
  buildPage,
  launchChromium,
  openPage,
  removeDir,
  screenshot,
  type WatchedPage,
  waitForCanvas,
} from './support/page.js';

/**
 * The console page in Debian's Chromium against the real console backend, fed with real
 * data: HTTP traffic recorded by Vigil's node:http middleware on a real local service,
 * spans from the real tracer sent over OTLP, a test run recorded by src/testing and pushed
 * to a real Pushgateway, and an alert posted to a real Alertmanager; then the same through a
 * real Prometheus that scrapes the service and the Pushgateway; then with Prometheus down.
 */

type ConsoleHandle = Awaited<ReturnType<typeof startConsole>>;

let assetsDir: string | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  assetsDir = await buildPage();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  removeDir(assetsDir);
});

/** Pixels of a chart's canvas that belong to a coloured series (grid and axes are grey). */
async function colouredPixels(page: WatchedPage['page'], testid: string): Promise<number> {
  return page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="chart-${testid}"] canvas');
    if (!canvas) return -1;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
    }
    return n;
  })()`);
}

/** Pixels of the red used for points outside the anomaly band (#e5484d). */
async function redPixels(page: WatchedPage['page'], testid: string): Promise<number> {
  return page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="chart-${testid}"] canvas');
    if (!canvas) return -1;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 200 && Math.abs(data[i] - 229) < 20 && Math.abs(data[i + 1] - 72) < 20 && Math.abs(data[i + 2] - 77) < 20) n++;
    }
    return n;
  })()`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One attribute of every element a locator matches, in document order. */
async function attributeOfEach(locator: Locator, name: string): Promise<string[]> {
  const values: string[] = [];
  for (const el of await locator.all()) values.push((await el.getAttribute(name)) ?? '');
  return values;
}

describe('console page with every source up', () => {
  const registry = new Registry();
  const run = { job: 'browser-suite', branch: 'main', runner: 'ci-7' };
  const alert = {
    labels: { alertname: 'CheckoutErrorsHigh', severity: 'page', service: 'shop-api', team: 'payments' },
    annotations: { summary: 'Checkout errors above 5 %', runbook: 'https://runbooks.example/checkout' },
  };
  let gateway: PushgatewayHandle;
  let alertmanager: AlertmanagerHandle;
  let consoleServer: ConsoleHandle;
  let tracing: TracingHandle;
  let shop: Shop;
  let watched: WatchedPage;
  let quietSince: number;
  let collectors: CollectorHandle;

  beforeAll(async () => {
    // CPU, memory and event-loop delay of this process, for the runtime charts.
    collectors = collectDefaultMetrics({ registry, host: false });
    [gateway, alertmanager] = await Promise.all([startPushgateway(), startAlertmanager()]);
    consoleServer = await startConsole({
      registry,
      assetsDir,
      sampleIntervalMs: 200,
      pushgatewayUrl: gateway.url,
      alertmanagerUrl: alertmanager.url,
      port: 0,
    });

    // The real tracer, exporting OTLP/protobuf to the console's own receiver.
    tracing = setupTracing({
      serviceName: 'shop-api',
      endpoint: `${consoleServer.url.replace(/\/$/, '')}/v1/traces`,
      scheduledDelayMillis: 50,
    });
    shop = await startShop(registry, tracing);
    // Two waves a few samples apart: the first creates the series, the second makes them rise
    // (a rate needs a series seen before the increase).
    const waves = [
      ['/users/42', '/health', '/users/boom'],
      ['/users/42', '/users/7', '/users/boom', '/health', '/users/42'],
    ];
    for (const wave of waves) {
      for (const path of wave) await shop.get(path);
      await sleep(700);
    }
    quietSince = Date.now();
    await tracing.forceFlush();

    // A test run: recorded by src/testing, pushed by src/push.
    await pushTestRun(gateway.url, run);

    await alertmanager.postAlert(alert);
    watched = await openPage(browser as Browser);
  });

  afterAll(async () => {
    await watched?.page.context().close();
    await shop?.close();
    await teardownTracing();
    await consoleServer?.close();
    collectors?.stop();
    await Promise.all([gateway?.stop(), alertmanager?.stop()]);
  });

  it('overview: health cards and charts drawn from the recorded traffic', async () => {
    const { page } = watched;
    // A burst on /health after a quiet spell: its rate leaves the band learnt from the
    // quiet first half of the window (so the quiet spell must be longer than what follows).
    await sleep(Math.max(0, 1_500 - (Date.now() - quietSince)));
    // Six at once, so they land in one sampling interval: a rate far above the band.
    await Promise.all(Array.from({ length: 6 }, () => shop.get('/health')));
    await sleep(600);
    await tracing.forceFlush();
    await page.goto(`${consoleServer.url}#/overview`);
    await page.locator('[data-testid="card-status"] [data-testid="card-value"]').waitFor();
    expect(await page.locator('[data-testid="card-status"] [data-testid="card-value"]').textContent()).toBe('ok');
    expect(await page.locator('[data-testid="card-source-pushgateway"]').getAttribute('data-state')).toBe('up');
    expect(await page.locator('[data-testid="card-source-alertmanager"]').getAttribute('data-state')).toBe('up');

    for (const panel of ['requestRate', 'errorRate', 'latencyP95', 'cpu', 'memory', 'eventLoop'] as const) {
      const size = await waitForCanvas(page, panel);
      expect(size.width).toBeGreaterThan(100);
      expect(Number(await page.locator(`[data-testid="chart-${panel}"]`).getAttribute('data-points'))).toBeGreaterThan(
        0,
      );
      expect(await colouredPixels(page, panel)).toBeGreaterThan(10);
    }
    // One legend row per route hit, named by its labels.
    const rows = page.locator('[data-testid="chart-requestRate"] [data-testid="legend-row"]');
    const names = await attributeOfEach(rows, 'data-series');
    expect(names).toContain('route=/users/:id');
    expect(names).toContain('route=/health');
    // The burst is marked: counted in the legend and drawn as red dots.
    const health = page.locator(
      '[data-testid="chart-requestRate"] [data-testid="legend-row"][data-series="route=/health"]',
    );
    expect(Number(await health.locator('[data-testid="legend-outside"]').textContent())).toBeGreaterThanOrEqual(1);
    expect(await redPixels(page, 'requestRate')).toBeGreaterThan(10);
    expect(await page.locator('#banners .banner').count()).toBe(0);
    await screenshot(page, 'overview');
  });

  it('metrics explorer: the request counter shows the registry value and charts it', async () => {
    const { page } = watched;
    const snapshot = await registry.snapshot();
    const family = snapshot.find((f) => f.name === 'http_server_requests_total');
    const series = family?.series.find(
      (s) => s.labels.route === '/users/:id' && s.labels.status === '200' && s.labels.method === 'GET',
    );
    expect(series && 'value' in series ? series.value : undefined).toBe(4);

    await page.goto(`${consoleServer.url}#/metrics?search=http_server_requests`);
    const familyView = page.locator('[data-testid="family"][data-family="http_server_requests_total"]');
    await familyView.waitFor();
    const row = familyView
      .locator('[data-testid="series-row"]', { hasText: 'route=/users/:id' })
      .filter({ hasText: 'status=200' });
    expect(await row.locator('[data-testid="series-value"]').textContent()).toBe('4');

    await row.locator('[data-testid="chart-series"]').click();
    await page.waitForURL(/q=/);
    await waitForCanvas(page, 'query');
    const legend = page.locator('[data-testid="chart-query"] [data-testid="legend-row"]').first();
    expect(await legend.getAttribute('data-last')).toBe('4');
    expect(await colouredPixels(page, 'query')).toBeGreaterThan(20);
    await screenshot(page, 'metrics');
  });

  it('traces: the list shows the request traces and one opens as a waterfall with its spans', async () => {
    const { page } = watched;
    await page.goto(`${consoleServer.url}#/traces`);
    const row = page.locator('[data-testid="trace-row"]', { hasText: '/users/:id' }).first();
    await row.waitFor();
    // One trace per request: 14 requests, the two to /users/boom answered 500.
    const rows = page.locator('[data-testid="trace-row"]');
    expect(await rows.count()).toBe(14);
    expect(await rows.locator('[data-testid="status"]', { hasText: 'error' }).count()).toBe(2);
    await screenshot(page, 'traces');

    await row.click();
    await page.waitForURL(/#\/traces\/[0-9a-f]{32}/);
    const bars = page.locator('[data-testid="waterfall-bar"]');
    await bars.first().waitFor();
    const depths = await attributeOfEach(bars, 'data-depth');
    const spans = (await attributeOfEach(bars, 'data-span-name')).map((name, i) => [name, Number(depths[i])]);
    expect(spans).toHaveLength(3);
    expect(spans[0]?.[1]).toBe(0);
    expect(spans[0]?.[0]).toContain('/users/:id');
    expect(spans.slice(1)).toEqual([
      ['db.load-user', 1],
      ['cache.lookup', 2],
    ]);

    await page.locator('[data-testid="waterfall-bar"][data-span-name="db.load-user"]').click();
    const details = page.locator('[data-testid="span-details"]');
    await details.waitFor();
    const attributes = details.locator('[data-testid="span-attributes"] tbody tr', { hasText: 'user.id' });
    expect(await attributes.locator('td').nth(1).textContent()).toMatch(/^(42|7|boom)$/);
    await screenshot(page, 'trace-waterfall');
  });

  it('alerts: the posted alert is firing with its labels and annotations', async () => {
    const { page } = watched;
    await page.goto(`${consoleServer.url}#/alerts`);
    const card = page.locator('[data-testid="alert"][data-alert-name="CheckoutErrorsHigh"]');
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('firing');
    expect(await card.locator('[data-testid="alert-severity"]').textContent()).toBe('page');
    const labels = await card.locator('[data-testid="alert-labels"]').textContent();
    expect(labels).toContain('service=shop-api');
    expect(labels).toContain('team=payments');
    expect(await card.locator('[data-testid="alert-annotations"]').textContent()).toContain(
      'Checkout errors above 5 %',
    );
    await screenshot(page, 'alerts');
  });

  it('test runs: the pushed run with its pass/fail counts, slowest tests and latency', async () => {
    const { page } = watched;
    await page.goto(`${consoleServer.url}#/tests`);
    const section = page.locator('[data-testid="test-run"][data-job="browser-suite"]');
    await section.waitFor();
    const count = (name: string) =>
      section.locator(`[data-testid="count-${name}"] [data-testid="card-value"]`).textContent();
    expect(await count('passed')).toBe('3');
    expect(await count('failed')).toBe('1');
    expect(await count('skipped')).toBe('1');
    const slowest = section.locator('[data-testid="slowest"] tbody tr').first();
    expect(await slowest.textContent()).toContain('charges the card');
    expect(await section.locator('[data-testid="latency"] tbody tr').first().textContent()).toContain(
      'checkout.submit',
    );
    await screenshot(page, 'tests');
  });

  it('loads every page without a CSP violation or a console error', () => {
    expect(watched.cspViolations).toEqual([]);
    expect(watched.errors).toEqual([]);
  });

  // After the check above: the browser logs the 404 below as a console error.
  it('shows "Loading…" while a call is pending and the API error code when it fails', async () => {
    const { page } = watched;
    // The real answer, held back half a second so the loading state can be seen.
    await page.route('**/api/tests', async (route) => {
      await sleep(500);
      await route.continue();
    });
    await page.goto('about:blank');
    await page.goto(`${consoleServer.url}#/tests`);
    const busy = page.locator('[data-testid="panel-tests"] [aria-busy="true"]');
    await busy.waitFor();
    expect(await busy.textContent()).toContain('Loading…');
    await page.locator('[data-testid="test-run"]').first().waitFor();
    expect(await busy.count()).toBe(0);
    await page.unroute('**/api/tests');

    await page.goto(`${consoleServer.url}#/traces/${'0'.repeat(31)}1`);
    const error = page.locator('[data-testid="panel-trace"] [data-testid="error"]');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('VIGIL_ERR_CONSOLE_NOT_FOUND');
    expect(await error.textContent()).toContain('is not in the span store');
    await screenshot(page, 'trace-not-found');
  });
});

describe('console page with Prometheus down', () => {
  let consoleServer: ConsoleHandle;
  let watched: WatchedPage;

  beforeAll(async () => {
    consoleServer = await startConsole({
      registry: new Registry(),
      assetsDir,
      sampleIntervalMs: 200,
      prometheusUrl: `http://127.0.0.1:${await freePort()}`,
      port: 0,
    });
    watched = await openPage(browser as Browser);
  });

  afterAll(async () => {
    await watched?.page.context().close();
    await consoleServer?.close();
  });

  it('shows a banner naming Prometheus and no chart with data', async () => {
    const { page } = watched;
    await page.goto(`${consoleServer.url}#/overview`);
    const banner = page.locator('[data-testid="banner-prometheus"]');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Prometheus is unreachable/);
    await page.locator('[data-testid="panel-requestRate"] [data-testid="error"]').waitFor();
    expect(
      await page.locator('[data-testid="panel-requestRate"] [data-testid="error"]').getAttribute('data-code'),
    ).toBe('VIGIL_ERR_SOURCE_UNREACHABLE');
    expect(await page.locator('[data-testid^="chart-"] canvas').count()).toBe(0);
    expect(await page.locator('[aria-busy="true"]').count()).toBe(0);
    await screenshot(page, 'prometheus-down');
    expect(watched.cspViolations).toEqual([]);
  });
});

describe('console page on a real Prometheus', () => {
  const registry = new Registry();
  const run = { job: 'nightly-suite', branch: 'release', runner: 'ci-9' };
  let gateway: PushgatewayHandle;
  let prometheus: PrometheusHandle;
  let metrics: { url: string; close(): Promise<void> };
  let shop: Shop;
  let consoleServer: ConsoleHandle;
  let watched: WatchedPage;

  beforeAll(async () => {
    shop = await startShop(registry);
    metrics = await serveMetrics(registry);
    gateway = await startPushgateway();
    await pushTestRun(gateway.url, run);
    prometheus = await startPrometheus({
      targets: [
        { job: 'shop-api', url: metrics.url },
        { job: 'pushgateway', url: `${gateway.url}/metrics`, honorLabels: true },
      ],
    });
    for (const path of ['/users/1', '/users/2', '/health']) await shop.get(path);
    await Promise.all([prometheus.waitForScrape('shop-api'), prometheus.waitForScrape('pushgateway')]);
    // More traffic, scraped again: rate() needs two samples that differ.
    for (const path of ['/users/3', '/users/boom', '/health', '/users/4']) await shop.get(path);
    await prometheus.waitForScrape('shop-api', { since: new Date() });
    consoleServer = await startConsole({
      registry,
      assetsDir,
      prometheusUrl: prometheus.url,
      pushgatewayUrl: gateway.url,
      port: 0,
    });
    watched = await openPage(browser as Browser);
  });

  afterAll(async () => {
    await watched?.page.context().close();
    await consoleServer?.close();
    await Promise.all([prometheus?.stop(), gateway?.stop(), shop?.close(), metrics?.close()]);
  });

  it('overview: request rate and latency per route come from PromQL over the scraped series', async () => {
    const { page } = watched;
    await page.goto(`${consoleServer.url}#/overview`);
    await page.locator('[data-testid="overview-source"]', { hasText: 'source: prometheus' }).waitFor();
    for (const panel of ['requestRate', 'latencyP95'] as const) {
      await waitForCanvas(page, panel);
      expect(await colouredPixels(page, panel)).toBeGreaterThan(10);
    }
    const routes = await attributeOfEach(
      page.locator('[data-testid="chart-requestRate"] [data-testid="legend-row"]'),
      'data-series',
    );
    expect(routes).toContain('route=/users/:id');
    expect(routes).toContain('route=/health');
    expect(await page.locator('[data-testid="card-source-prometheus"]').getAttribute('data-state')).toBe('up');
    await screenshot(page, 'overview-prometheus');
  });

  it('metrics explorer: a PromQL selector charts the scraped counter at the registry value', async () => {
    const { page } = watched;
    const q = 'http_server_requests_total{route="/users/:id",status="200"}';
    await page.goto(`${consoleServer.url}#/metrics?q=${encodeURIComponent(q)}&range=300`);
    await page.locator('[data-testid="query-source"]', { hasText: 'source: prometheus' }).waitFor();
    await waitForCanvas(page, 'query');
    const snapshot = await registry.snapshot();
    const series = snapshot
      .find((f) => f.name === 'http_server_requests_total')
      ?.series.find((s) => s.labels.route === '/users/:id' && s.labels.status === '200');
    const value = series && 'value' in series ? series.value : undefined;
    expect(value).toBe(4);
    const legend = page.locator('[data-testid="chart-query"] [data-testid="legend-row"]');
    expect(await legend.count()).toBe(1);
    expect(await legend.first().getAttribute('data-last')).toBe(String(value));
    await screenshot(page, 'metrics-prometheus');
  });

  it('test runs: the duration trend comes from Prometheus scraping the Pushgateway', async () => {
    const { page } = watched;
    await page.goto(`${consoleServer.url}#/tests`);
    const section = page.locator('[data-testid="test-run"][data-job="nightly-suite"]');
    await section.waitFor();
    expect(await section.locator('[data-testid="count-failed"] [data-testid="card-value"]').textContent()).toBe('1');
    await waitForCanvas(page, 'durationTrend');
    expect(
      Number(await section.locator('[data-testid="chart-durationTrend"]').getAttribute('data-points')),
    ).toBeGreaterThan(0);
    await screenshot(page, 'tests-prometheus');
    expect(watched.cspViolations).toEqual([]);
    expect(watched.errors).toEqual([]);
  });
});

describe('console page behind a token and a base path', () => {
  let consoleServer: ConsoleHandle;
  let watched: WatchedPage;

  beforeAll(async () => {
    consoleServer = await startConsole({
      registry: new Registry(),
      assetsDir,
      sampleIntervalMs: 200,
      token: 'browser-test-token',
      basePath: '/console',
      port: 0,
    });
    watched = await openPage(browser as Browser);
  });

  afterAll(async () => {
    await watched?.page.context().close();
    await consoleServer?.close();
  });

  it('opens once with ?token=, then calls the API under the base path with the cookie', async () => {
    const { page } = watched;
    expect(consoleServer.url).toMatch(/\/console\/$/);
    await page.goto(`${consoleServer.url}?token=browser-test-token#/overview`);
    // The token left the address bar; the API answered through the cookie.
    expect(page.url()).not.toContain('token=');
    const status = page.locator('[data-testid="card-status"] [data-testid="card-value"]');
    await status.waitFor();
    expect(await status.textContent()).toBe('ok');
    expect(await page.locator('[data-testid="banner-console"]').count()).toBe(0);
    expect(watched.cspViolations).toEqual([]);
    expect(watched.errors).toEqual([]);

    // A browser without the cookie gets the token page, not the console.
    const stranger = await openPage(browser as Browser);
    const res = await stranger.page.goto(consoleServer.url);
    expect(res?.status()).toBe(401);
    expect(await stranger.page.locator('[data-testid="page"]').count()).toBe(0);
    await stranger.page.context().close();
  });
});
