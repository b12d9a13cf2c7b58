import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project root: the CLI runs from here so `src/cli/main.ts` and tsx resolve. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  /** Exit code; -1 when the process was killed (timeout) or could not start. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `vigil` CLI from source in a child process (`node --import tsx
 * src/cli/main.ts ...args`). Never rejects: a non-zero exit is a result to assert on.
 */
export function runVigil(
  args: readonly string[],
  { env, timeoutMs = 30_000 }: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env: env ?? process.env, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
