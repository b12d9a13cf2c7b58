import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VigilError } from '../metrics/errors.js';
import { alertmanagerYaml } from './alertmanager.js';
import { composeYaml } from './compose.js';
import type { StackConfig } from './config.js';
import { grafanaFiles } from './grafana/index.js';
import { k8sFiles } from './k8s.js';
import { prometheusYaml, RULE_FILE, RULE_TEST_FILE } from './prometheus.js';
import { ruleGroups, ruleTests } from './rules/index.js';
import { SECRETS_DIR } from './secrets.js';
import { workflowYaml } from './workflow.js';
import { GENERATED_HEADER, toYaml } from './yaml.js';

/** The resolved config, written beside the files so `stack up`, `check` and `status` read ports from it. */
export const STACK_STATE_FILE = 'vigil.stack.json';

/** The container variant of prometheus.yml, mounted by docker-compose. */
export const PROMETHEUS_COMPOSE_FILE = 'prometheus/prometheus.compose.yml';

/** Every file of the monitoring directory: relative path → text. */
export function generateStack(config: StackConfig): Record<string, string> {
  const files: Record<string, string> = {
    'prometheus/prometheus.yml': prometheusYaml(config, 'local'),
    [PROMETHEUS_COMPOSE_FILE]: prometheusYaml(config, 'compose'),
    [`prometheus/${RULE_FILE}`]: toYaml({ groups: ruleGroups(config) }),
    [`prometheus/${RULE_TEST_FILE}`]: toYaml(ruleTests(config, RULE_FILE)),
    ...(config.alertmanager.enabled ? { 'alertmanager/alertmanager.yml': alertmanagerYaml(config) } : {}),
    ...grafanaFiles(config),
    'docker-compose.yml': composeYaml(config),
    ...k8sFiles(config),
    'ci/github-actions.yml': workflowYaml(config),
    [STACK_STATE_FILE]: `${JSON.stringify(config, null, 2)}\n`,
    // Secrets copied from the environment and component data stay out of version control.
    '.gitignore': `#${GENERATED_HEADER}\n${SECRETS_DIR}/\n.data/\n`,
  };
  return files;
}

/**
 * Writes generateStack(config) under `dir` and returns the paths written. Refuses to
 * replace any existing file unless `force`, naming every one, before writing anything.
 */
export async function writeStack(dir: string, config: StackConfig, { force = false } = {}): Promise<string[]> {
  const files = generateStack(config);
  if (!force) {
    const existing: string[] = [];
    for (const path of Object.keys(files)) {
      const ok = await access(join(dir, path)).then(
        () => true,
        () => false,
      );
      if (ok) existing.push(path);
    }
    if (existing.length > 0) {
      throw new VigilError(
        'VIGIL_ERR_STACK_STATE',
        `${dir} already holds files vigil stack init would replace: ${existing.join(', ')}. Run it with --force to overwrite them, or choose another --dir.`,
      );
    }
  }
  const written: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    written.push(target);
  }
  return written;
}
