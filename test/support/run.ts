import { spawn } from 'node:child_process';

export interface RunResult {
  /** Exit code; null only if the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `command args...` with `input` on stdin (UTF-8), collect stdout/stderr.
 * Never throws for a non-zero exit; rejects if the process cannot start or runs
 * longer than `timeoutMs` (then it is killed with SIGKILL).
 */
export function runWithInput(
  command: string,
  args: readonly string[],
  input: string,
  { timeoutMs = 15_000, cwd }: { timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(
        new Error(
          `${command} ${args.join(' ')} did not finish within ${timeoutMs} ms; ` +
            `stderr so far: ${Buffer.concat(err).toString('utf8').slice(-2000)}`,
        ),
      );
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    // The process may exit before reading everything (EPIPE): its exit code tells.
    child.stdin.on('error', () => {});
    child.stdin.end(input, 'utf8');
  });
}
