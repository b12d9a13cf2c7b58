import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The published shape: every subpath in package.json `exports` builds, resolves by the
 * package's own name, and ships its types. The root export stays small.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, { types: string; import: string } | string>;
};
const subpaths = Object.entries(pkg.exports).filter(([, target]) => typeof target === 'object') as [
  string,
  { types: string; import: string },
][];

beforeAll(async () => {
  await run(join(root, 'node_modules/.bin/tsup'), ['--silent'], { cwd: root, timeout: 120_000 });
}, 150_000);

describe('package exports', () => {
  for (const [subpath, target] of subpaths) {
    it(`${subpath} resolves by name, loads, and ships types`, async () => {
      expect(existsSync(join(root, target.types))).toBe(true);
      const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
      const { stdout } = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import('${specifier}'); console.log(Object.keys(m).sort().join(','))`,
        ],
        { cwd: root, timeout: 30_000 },
      );
      expect(stdout.trim().split(',').length).toBeGreaterThan(0);
      if (subpath === './metrics' || subpath === '.') {
        expect(stdout).toContain('Registry');
        expect(stdout).toContain('Counter');
      }
    });
  }

  it('vigil/metrics loads no package and no other part of Vigil', () => {
    // Walk every module the entry reaches: tsup splits shared code into chunks.
    const seen = new Set<string>();
    const outside: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        if (spec?.startsWith('.')) visit(join(dirname(file), spec));
        else if (!spec?.startsWith('node:')) outside.push(spec as string);
      }
    };
    visit(join(root, 'dist/metrics/index.js'));
    expect(outside).toEqual([]);
    expect([...seen].some((f) => /demo/.test(f))).toBe(false);
  });
});
