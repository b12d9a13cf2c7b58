import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  alertmanagerConfig,
  generateStack,
  materializeSecrets,
  parseStackConfig,
  writeStack,
} from '../../../src/stack/index.js';
import { everythingConfig, SLACK_ENV } from './fixtures.js';

interface Receiver {
  name: string;
  slack_configs?: Array<Record<string, unknown>>;
  pagerduty_configs?: Array<Record<string, unknown>>;
  webhook_configs?: Array<Record<string, unknown>>;
}
interface AlertmanagerYaml {
  route: { receiver: string; group_by: string[]; routes: Array<{ receiver: string; matchers: string[] }> };
  inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
  receivers: Receiver[];
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-secrets-'));
  dirs.push(dir);
  return dir;
}

function amYaml(input: unknown): AlertmanagerYaml {
  return parse(generateStack(parseStackConfig(input))['alertmanager/alertmanager.yml'] ?? '') as AlertmanagerYaml;
}
const receiver = (am: AlertmanagerYaml, name: string) => am.receivers.find((r) => r.name === name);

describe('alertmanager.yml', () => {
  it('routes by severity, groups as configured and inhibits warnings under a critical of the same alert', () => {
    const am = amYaml(everythingConfig);
    expect(am.route.group_by).toEqual(['alertname']);
    expect(am.route.routes).toEqual([
      { receiver: 'critical', matchers: ['severity="critical"'] },
      { receiver: 'warning', matchers: ['severity="warning"'] },
    ]);
    expect(am.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname'] },
    ]);
  });

  it('pages PagerDuty for critical alerts and sends warnings to Slack and webhooks', () => {
    const am = amYaml(everythingConfig);
    expect(receiver(am, 'critical')).toEqual({
      name: 'critical',
      pagerduty_configs: [
        { routing_key_file: '/run/secrets/pagerduty_key', severity: 'critical', send_resolved: true },
      ],
    });
    const warning = receiver(am, 'warning');
    expect(warning?.slack_configs?.[0]).toMatchObject({ api_url_file: '.secrets/slack_api_url', channel: '#alerts' });
    expect(warning?.webhook_configs).toEqual([{ url: 'http://127.0.0.1:5001/hook', send_resolved: false }]);
  });

  it('sends critical alerts to Slack and webhooks when there is no PagerDuty', () => {
    const config = parseStackConfig({
      alertmanager: { webhooks: [{ name: 'ops', url: 'https://hooks.example.com/a' }] },
    });
    const critical = (alertmanagerConfig(config).receivers as Receiver[]).find((r) => r.name === 'critical');
    expect(critical).toEqual({
      name: 'critical',
      webhook_configs: [{ url: 'https://hooks.example.com/a', send_resolved: true }],
    });
  });

  it('has receivers without integrations by default, which amtool accepts as a null receiver', () => {
    expect(amYaml({}).receivers).toEqual([{ name: 'default' }, { name: 'critical' }, { name: 'warning' }]);
  });
});

describe('secrets', () => {
  const value = 'https://hooks.slack.com/services/T000/B000/not-a-real-secret-7f3a';

  it('never writes a secret value into any generated file', async () => {
    const previous = process.env[SLACK_ENV];
    process.env[SLACK_ENV] = value;
    try {
      const dir = await tempDir();
      const written = await writeStack(dir, parseStackConfig(everythingConfig));
      expect(written.length).toBeGreaterThan(10);
      for (const path of written) expect(await readFile(path, 'utf8'), path).not.toContain('not-a-real-secret');
      // Only materializeSecrets writes it, and only under .secrets/.
      const [secret] = await materializeSecrets(dir, parseStackConfig(everythingConfig));
      expect(secret).toBe(join(dir, '.secrets', 'slack_api_url'));
    } finally {
      if (previous === undefined) delete process.env[SLACK_ENV];
      else process.env[SLACK_ENV] = previous;
    }
  });

  it('writes env secrets to .secrets/<name> with mode 0600, where alertmanager.yml points', async () => {
    const dir = await tempDir();
    const config = parseStackConfig(everythingConfig);
    const written = await materializeSecrets(dir, config, { [SLACK_ENV]: value });
    expect(written).toEqual([join(dir, '.secrets', 'slack_api_url')]);
    expect(await readFile(join(dir, '.secrets', 'slack_api_url'), 'utf8')).toBe(`${value}\n`);
    expect((await stat(join(dir, '.secrets', 'slack_api_url'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.secrets'))).mode & 0o077).toBe(0);
    // A file secret is not copied: alertmanager.yml names it as given.
    expect(written.some((p) => p.includes('pagerduty'))).toBe(false);
  });

  it('tightens the mode of a secret file that already existed', async () => {
    const dir = await tempDir();
    await materializeSecrets(dir, parseStackConfig(everythingConfig), { [SLACK_ENV]: 'old' });
    const path = join(dir, '.secrets', 'slack_api_url');
    await writeFile(path, 'old', { mode: 0o644 });
    await chmod(path, 0o644);
    await materializeSecrets(dir, parseStackConfig(everythingConfig), { [SLACK_ENV]: value });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('names the missing variable and the config field, and writes nothing', async () => {
    const dir = await tempDir();
    const attempt = materializeSecrets(dir, parseStackConfig(everythingConfig), {});
    await expect(attempt).rejects.toMatchObject({ code: 'VIGIL_ERR_STACK_CONFIG' });
    await expect(attempt).rejects.toThrow(`alertmanager.slack.apiUrl.env names the environment variable ${SLACK_ENV}`);
    await expect(stat(join(dir, '.secrets'))).rejects.toThrow('ENOENT');
  });

  it('writes nothing when no secret comes from the environment', async () => {
    const dir = await tempDir();
    expect(await materializeSecrets(dir, parseStackConfig({}), {})).toEqual([]);
  });
});
