import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every TypeScript example in the README runs, and prints what the README says it
 * prints: the ```text block that follows it, where `<timestamp>` stands for a number.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```(?:(?!```ts)[\s\S])*?```text\n([\s\S]*?)```/g)].map(
  (m, i) => ({ index: i + 1, code: m[1] as string, expected: m[2] as string }),
);
// Inside the project, so examples resolve its packages (express...) as a user's code would.
mkdirSync(join(root, 'test-results'), { recursive: true });
const dir = mkdtempSync(join(root, 'test-results', 'readme-'));
const tsx = join(root, 'node_modules/.bin/tsx');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  for (const example of examples) {
    it(`example ${example.index} prints what the README says`, async () => {
      const file = join(dir, `example-${example.index}.mts`);
      const source = example.code.replaceAll(/from 'vigil\/([a-z/]+)'/g, (_, sub: string) => {
        return `from '${join(root, 'src', sub, 'index.ts')}'`;
      });
      writeFileSync(file, source);
      const { stdout } = await promisify(execFile)(tsx, [file], { cwd: root, timeout: 30_000 });
      const pattern = example.expected
        .trimEnd()
        .split('<timestamp>')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('\\d+(\\.\\d+)?');
      expect(stdout.trimEnd()).toMatch(new RegExp(`^${pattern}$`));
    });
  }
});
