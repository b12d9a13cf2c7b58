import { describe, expect, it } from 'vitest';
import { runVigil } from '../../support/cli.js';

/** `vigil --help` and friends, from the real CLI in a child process (`node --import tsx`). */

const vigil = (...args: string[]) => runVigil(args, { timeoutMs: 30_000 });

describe('vigil --help', () => {
  it('lists every command, with examples', async () => {
    const { code, stdout } = await vigil('--help');
    expect(code).toBe(0);
    const commands = [...stdout.matchAll(/^ {2}(\w+)(?: \[options\])?.*$/gm)].map((m) => m[1]);
    for (const command of ['demo', 'push', 'run', 'stack', 'console']) expect(commands).toContain(command);
    for (const command of ['demo', 'push junit', 'push file', 'run', 'stack init', 'stack up', 'console']) {
      expect(stdout).toContain(`$ vigil ${command}`);
    }
  }, 30_000);

  it('vigil stack --help lists the subcommands and their examples', async () => {
    const { code, stdout } = await vigil('stack', '--help');
    expect(code).toBe(0);
    for (const sub of ['init', 'check', 'up', 'down', 'status']) {
      expect(stdout).toMatch(new RegExp(`^ {2}${sub} \\[options\\]`, 'm'));
      expect(stdout).toContain(`$ vigil stack ${sub} --dir monitoring`);
    }
  }, 30_000);

  it('vigil stack up --help names --dir, --victoria-metrics and --json', async () => {
    const { code, stdout } = await vigil('stack', 'up', '--help');
    expect(code).toBe(0);
    for (const option of ['--dir <dir>', '--victoria-metrics', '--timeout <seconds>', '--json']) {
      expect(stdout).toContain(option);
    }
  }, 30_000);

  it('an unknown option is a coded error with a hint, exit 1', async () => {
    const { code, stdout, stderr } = await vigil('stack', 'status', '--bogus');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "error VIGIL_ERR_CLI_USAGE: unknown option '--bogus'\nhint: run `vigil <command> --help` for the options and examples.\n",
    );
  }, 30_000);

  it('a stack command on a directory that is not a stack says how to make one', async () => {
    const { code, stderr } = await vigil('stack', 'up', '--dir', '/nonexistent/vigil-stack');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error VIGIL_ERR_STACK_STATE: .*vigil\.stack\.json is missing.*vigil stack init/m);
    expect(stderr).toMatch(/^hint: run `vigil stack status`/m);
  }, 30_000);
});
