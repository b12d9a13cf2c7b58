import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VigilError } from '../metrics/errors.js';
import type { StackConfig } from './config.js';

/** Where a receiver's secret comes from: a file Alertmanager reads, or an environment variable. */
export type SecretSource = { file?: string | undefined; env?: string | undefined };

/** Folder, relative to the stack directory, that holds secrets copied from the environment. */
export const SECRETS_DIR = '.secrets';

/** Every secret the config names: the file name it gets under .secrets/, the config field, its source. */
export function secretsOf(config: StackConfig): Array<{ name: string; field: string; source: SecretSource }> {
  const out: Array<{ name: string; field: string; source: SecretSource }> = [];
  const { slack, pagerduty } = config.alertmanager;
  if (slack !== undefined)
    out.push({ name: 'slack_api_url', field: 'alertmanager.slack.apiUrl', source: slack.apiUrl });
  if (pagerduty !== undefined) {
    out.push({
      name: 'pagerduty_routing_key',
      field: 'alertmanager.pagerduty.routingKey',
      source: pagerduty.routingKey,
    });
  }
  return out;
}

/**
 * The path alertmanager.yml gives for a secret. Alertmanager 0.25 opens `*_file` paths
 * relative to its working directory (not the config file's), so it runs from the stack
 * directory, where `.secrets/<name>` is; a `{ file }` secret is used as given.
 */
export function secretPath(name: string, source: SecretSource): string {
  return source.file ?? `${SECRETS_DIR}/${name}`;
}

/**
 * Writes each `{ env }` secret's value to `<dir>/.secrets/<name>` (mode 0600), for `stack up`
 * to run Alertmanager with. Returns the files written. A variable that is not set is an
 * error naming it and the config field, before anything is written.
 */
export async function materializeSecrets(
  dir: string,
  config: StackConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const fromEnv = secretsOf(config).flatMap(({ name, field, source }) => {
    if (source.env === undefined) return [];
    const value = env[source.env];
    if (value === undefined || value === '') {
      throw new VigilError(
        'VIGIL_ERR_STACK_CONFIG',
        `${field}.env names the environment variable ${source.env}, which is not set; export it (e.g. ${source.env}=... vigil stack up) or give the secret as { "file": "<path>" }.`,
      );
    }
    return [{ name, value: value.trim() }];
  });
  if (fromEnv.length === 0) return [];
  const folder = join(dir, SECRETS_DIR);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const { name, value } of fromEnv) {
    const path = join(folder, name);
    await writeFile(path, `${value}\n`, { mode: 0o600 });
    // writeFile keeps an existing file's mode.
    await chmod(path, 0o600);
    written.push(path);
  }
  return written;
}
