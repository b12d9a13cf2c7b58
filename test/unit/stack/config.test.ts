import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src/metrics/errors.js';
import {
  defaultStackConfig,
  durationSeconds,
  formatDuration,
  loadStackConfig,
  parseStackConfig,
} from '../../../src/stack/index.js';

function configError(input: unknown): VigilError {
  try {
    parseStackConfig(input, 'vigil.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_ERR_STACK_CONFIG');
    return error as VigilError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('stack config', () => {
  it('fills every default from an empty config', () => {
    const config = defaultStackConfig();
    expect(config.project).toBe('vigil');
    expect(config.services).toEqual([{ name: 'app', targets: ['127.0.0.1:9464'], metricsPath: '/metrics' }]);
    expect(config.prometheus).toMatchObject({ listen: '127.0.0.1:9090', retention: '15d', rateWindow: '5m' });
    expect(config.alerts.errorRate).toEqual({ enabled: true, for: '5m', severity: 'critical', threshold: 0.05 });
    expect(config.alerts.memoryGrowth).toMatchObject({ window: '1h', bytesPerHour: 100e6 });
    expect(config.alerts.testThroughput.minOpsPerSecond).toBe(1);
    expect(config.anomaly).toEqual({
      enabled: true,
      window: '1d',
      offset: '1h',
      stddevs: 3,
      for: '10m',
      severity: 'warning',
    });
    expect(config.grafana.listen).toBe('127.0.0.1:3000');
  });

  it('names the bad field and what it must be', () => {
    const error = configError({ alerts: { errorRate: { threshold: 5 } } });
    expect(error.message).toContain('vigil.config.json is invalid');
    expect(error.message).toMatch(/alerts\.errorRate\.threshold: .*1/);
    expect(error.message).toContain('docs/stack.md');
  });

  it('lists every bad field at once', () => {
    const error = configError({
      prometheus: { listen: 'localhost', scrapeInterval: 'soon' },
      services: [{ name: '1 x' }],
    });
    expect(error.message).toContain('prometheus.listen: must be host:port');
    expect(error.message).toContain('prometheus.scrapeInterval: must be a Prometheus duration');
    expect(error.message).toContain('services.0.name');
    expect(error.message).toContain('services.0.targets');
  });

  it('rejects unknown fields, so a typo does not pass silently', () => {
    expect(configError({ alerts: { errorRate: { treshold: 0.1 } } }).message).toContain('alerts.errorRate');
    expect(configError({ prometeus: {} }).message).toContain('prometeus');
  });

  it('needs exactly one source for a secret', () => {
    const both = { channel: '#a', apiUrl: { env: 'A', file: '/b' } };
    expect(configError({ alertmanager: { slack: both } }).message).toContain(
      'alertmanager.slack.apiUrl: set exactly one',
    );
    expect(configError({ alertmanager: { slack: { channel: '#a', apiUrl: {} } } }).message).toContain(
      'alertmanager.slack.apiUrl',
    );
  });

  it('keeps the anomaly baseline offset longer than the anomaly itself', () => {
    const error = configError({ anomaly: { offset: '10m', for: '10m' } });
    expect(error.message).toMatch(/anomaly\.offset: must be longer than .*20m/);
    expect(() => parseStackConfig({ anomaly: { enabled: false, offset: '10m', for: '10m' } })).not.toThrow();
  });

  it('keeps Prometheus job names unique', () => {
    const error = configError({
      services: [
        { name: 'api', targets: ['127.0.0.1:1'] },
        { name: 'api', targets: ['127.0.0.1:2'] },
        { name: 'pushgateway', targets: ['127.0.0.1:3'] },
      ],
    });
    expect(error.message).toContain('services.1.name: "api" is already a job name');
    expect(error.message).toContain('services.2.name: "pushgateway" is already a job name');
    expect(error.message).not.toContain('services.0.name');
  });

  it('refuses a band so narrow that noise fires it', () => {
    expect(configError({ anomaly: { stddevs: 1 } }).message).toContain('anomaly.stddevs');
  });
});

describe('loadStackConfig', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  async function file(name: string, text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-config-'));
    dirs.push(dir);
    await writeFile(join(dir, name), text);
    return join(dir, name);
  }

  it('reads JSON, YAML and TypeScript configs', async () => {
    const json = await loadStackConfig(await file('vigil.config.json', '{"project":"shop"}'));
    expect(json.project).toBe('shop');
    const yaml = await loadStackConfig(await file('vigil.config.yaml', 'project: cart\nanomaly:\n  stddevs: 4\n'));
    expect([yaml.project, yaml.anomaly.stddevs]).toEqual(['cart', 4]);
    const ts = await loadStackConfig(
      await file(
        'vigil.config.ts',
        "const window: string = '2d';\nexport default { project: 'typed', anomaly: { window } };\n",
      ),
    );
    expect([ts.project, ts.anomaly.window]).toEqual(['typed', '2d']);
  });

  it('names the file in validation and parse errors', async () => {
    const bad = await file('vigil.config.json', '{"alerts":{"errorRate":{"threshold":2}}}');
    await expect(loadStackConfig(bad)).rejects.toThrow(`${bad} is invalid`);
    const broken = await file('vigil.config.json', '{"project":');
    await expect(loadStackConfig(broken)).rejects.toThrow(`${broken} could not be read`);
    await expect(loadStackConfig(await file('vigil.config.toml', ''))).rejects.toThrow('unknown config type ".toml"');
  });
});

describe('durations', () => {
  it('converts Prometheus durations both ways', () => {
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('1d')).toBe(86_400);
    expect(durationSeconds('0')).toBe(0);
    expect(durationSeconds('250ms')).toBe(0.25);
    expect(formatDuration(5400)).toBe('90m');
    expect(formatDuration(86_400)).toBe('1d');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(0.5)).toBe('500ms');
  });
});
