import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Real components used by conformance and integration tests, by Debian package.
 * A missing component is a test failure, never a skip: install with
 * `scripts/install-components.sh <component...>`.
 */
export const DEBIAN_PACKAGES = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-pushgateway': 'prometheus-pushgateway',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  chromium: 'chromium',
  'victoria-metrics': 'victoria-metrics',
} as const;

export function installCommand(debianPackage: string): string {
  return `sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${debianPackage}`;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Find `name` (a bare name or an absolute path) like `command -v`, or return undefined. */
export function findBinary(name: string): string | undefined {
  if (isAbsolute(name)) return isExecutableFile(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Absolute path of the binary `name`; throws an Error naming the apt-get command that
 * installs `debianPackage` when it is missing. Never skips.
 */
export function requireBinary(name: string, debianPackage: string): string {
  const found = findBinary(name);
  if (found !== undefined) return found;
  throw new Error(
    `Required component "${name}" (Debian package ${debianPackage}) is not installed. ` +
      `Install it with: ${installCommand(debianPackage)} ` +
      `(or run: bash scripts/install-components.sh). Conformance tests never skip a missing component.`,
  );
}
