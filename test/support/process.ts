import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * A server process started by a test helper (Prometheus, Pushgateway, Alertmanager):
 * output kept in memory, stopped by PID, never left behind.
 *
 * Leftover protection, in three layers:
 * 1. `stop()` (SIGTERM, SIGKILL after 5 s) — tests call it in afterAll.
 * 2. Hooks in this process: 'exit', and SIGTERM/SIGINT/SIGHUP (Vitest stops its fork
 *    workers with SIGTERM, which skips 'exit' handlers). The signal is re-raised after
 *    cleanup so the default behaviour (termination) is kept.
 * 3. A watchdog `sh` per child that polls this process every second and kills the child
 *    (and removes its temp dir) if this process dies without cleaning up (SIGKILL, crash,
 *    a worker thread torn down).
 */
export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly command: string;
  /** Combined stdout and stderr so far (last 256 KiB). */
  logs(): string;
  /** Command line plus the log's head and tail, for error messages. */
  describe(): string;
  /** Set once the process has exited (or failed to spawn). */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); removes `dir`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const LOG_LIMIT = 256 * 1024;
type Entry = { dir: string | undefined; watchdog: ChildProcess | undefined };
const live = new Map<ChildProcess, Entry>();
let hooksInstalled = false;

function killAllNow(): void {
  for (const [child, { dir, watchdog }] of live) {
    try {
      child.kill('SIGKILL');
    } catch {}
    try {
      watchdog?.kill('SIGKILL');
    } catch {}
    if (dir) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {}
    }
  }
  live.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAllNow();
      process.off(signal, onSignal);
      // No other listener: re-raise for the default action (terminate).
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

const WATCHDOG = [
  'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done',
  'if ! kill -0 "$1" 2>/dev/null; then',
  '  kill -TERM "$2" 2>/dev/null',
  '  i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
  '  kill -KILL "$2" 2>/dev/null',
  '  [ -n "$3" ] && rm -rf -- "$3"',
  'fi',
].join('\n');

function startWatchdog(childPid: number, dir: string | undefined): ChildProcess | undefined {
  try {
    const watchdog = spawn(
      '/bin/sh',
      ['-c', WATCHDOG, 'vigil-watchdog', String(process.pid), String(childPid), dir ?? ''],
      {
        detached: true,
        stdio: 'ignore',
      },
    );
    watchdog.on('error', () => {});
    watchdog.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spawn `command args...`; `dir` (a temp dir) is removed when the process is stopped. */
export function spawnManaged(
  command: string,
  args: readonly string[],
  { cwd, dir, env }: { cwd?: string; dir?: string; env?: NodeJS.ProcessEnv } = {},
): ManagedProcess {
  installHooks();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let status: ReturnType<ManagedProcess['exitStatus']>;
  const entry: Entry = { dir, watchdog: undefined };
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      status ??= { code, signal };
      resolve();
    });
    child.once('error', (error) => {
      status ??= { code: null, signal: null, error };
      resolve();
    });
  });
  if (child.pid !== undefined) {
    live.set(child, entry);
    entry.watchdog = startWatchdog(child.pid, dir);
  }
  const exitedWithin = (ms: number) => Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);

  // Start-up errors (bad flag, bad config) come first, before any usage text: keep the head.
  const describe = () =>
    `${command} ${args.join(' ')}\n--- log ---\n` +
    (log.length <= 4_000 ? log : `${log.slice(0, 1_500)}\n[...]\n${log.slice(-2_500)}`);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5_000) => {
    stopping ??= (async () => {
      try {
        if (status === undefined) {
          child.kill('SIGTERM');
          if (!(await exitedWithin(graceMs))) {
            child.kill('SIGKILL');
            if (!(await exitedWithin(5_000))) {
              throw new Error(`${command} (pid ${child.pid}) did not exit after SIGKILL`);
            }
          }
        }
      } finally {
        entry.watchdog?.kill('SIGKILL');
        live.delete(child);
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    })();
    return stopping;
  };

  return {
    child,
    pid: child.pid ?? -1,
    command,
    logs: () => log,
    describe,
    exitStatus: () => status,
    exited,
    stop,
  };
}

/**
 * Poll `url` every `intervalMs` until it answers 2xx; reject with the process's log if
 * the process exits first or `timeoutMs` passes (then the process is stopped).
 */
export async function waitForHttpReady(
  proc: ManagedProcess,
  url: string,
  { timeoutMs = 15_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = proc.exitStatus();
    if (status) {
      const how = status.error
        ? `could not start: ${status.error.message}`
        : `exited before it was ready (code ${status.code}, signal ${status.signal})`;
      throw new Error(`${proc.command} ${how}\n${proc.describe()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {}
    if (Date.now() > deadline) {
      await proc.stop().catch(() => {});
      throw new Error(`${proc.command} was not ready at ${url} within ${timeoutMs} ms\n${proc.describe()}`);
    }
    await sleep(intervalMs);
  }
}
