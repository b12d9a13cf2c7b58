import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { VigilError } from '../metrics/errors.js';

/** The programs `vigil stack` runs, and the Debian package that installs each. */
export const STACK_BINARIES = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-pushgateway': 'prometheus-pushgateway',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  'victoria-metrics': 'victoria-metrics',
} as const;

export type StackBinary = keyof typeof STACK_BINARIES;

/** Upstream names, for installs from release tarballs (`alertmanager`, `pushgateway`). */
const ALIASES: Partial<Record<StackBinary, readonly string[]>> = {
  'prometheus-pushgateway': ['pushgateway'],
  'prometheus-alertmanager': ['alertmanager'],
};

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of `name` (`path` = $PATH first, then `fallback` = /usr/bin), or undefined. */
export function findStackBinary(
  name: StackBinary,
  path = process.env.PATH ?? '',
  fallback: readonly string[] = ['/usr/bin'],
): string | undefined {
  const dirs = [...path.split(delimiter).filter((dir) => dir !== ''), ...fallback];
  for (const candidate of [name, ...(ALIASES[name] ?? [])]) {
    for (const dir of dirs) {
      const file = join(dir, candidate);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

/** The error for a missing program: which package, the apt-get line, and the Docker route. */
export function missingBinaryError(name: StackBinary): VigilError {
  const pkg = STACK_BINARIES[name];
  return new VigilError(
    'VIGIL_ERR_STACK_BINARY',
    `${name} is not installed (not on PATH or in /usr/bin). Install the Debian package ${pkg}: ` +
      `\`sudo apt-get install -y ${pkg}\`, or run the stack with Docker instead: ` +
      '`docker compose up -d` in the stack directory.',
  );
}

/** Like {@link findStackBinary}, but a missing program is a VIGIL_ERR_STACK_BINARY. */
export function requireStackBinary(name: StackBinary, path?: string, fallback?: readonly string[]): string {
  const found = findStackBinary(name, path, fallback);
  if (found === undefined) throw missingBinaryError(name);
  return found;
}
