import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VigilError } from '../metrics/errors.js';
import { alertmanagerArgs, prometheusArgs, pushgatewayArgs, victoriaMetricsArgs } from './args.js';
import { requireStackBinary, type StackBinary } from './binaries.js';
import { parseStackConfig, type StackConfig } from './config.js';
import { STACK_STATE_FILE } from './generate.js';
import { materializeSecrets } from './secrets.js';

/**
 * `vigil stack up | down | status`: Prometheus, Pushgateway, Alertmanager (and
 * VictoriaMetrics) as local processes from installed binaries, data and logs under
 * `<dir>/.data/`, PIDs recorded in `<dir>/.data/stack.json`. `down` stops exactly the
 * recorded processes, and only while their command line is still the recorded one
 * (a PID may have been reused since).
 */

export type ComponentName = 'prometheus' | 'pushgateway' | 'alertmanager' | 'victoria-metrics';

export interface ComponentRecord {
  name: ComponentName;
  pid: number;
  /** argv, exactly as /proc/<pid>/cmdline shows it while the process is ours. */
  command: string[];
  listen: string;
  url: string;
  log: string;
  startedAt: string;
}

export interface StackState {
  dir: string;
  startedAt: string;
  components: ComponentRecord[];
}

export interface UpOptions {
  /** Also start VictoriaMetrics (also on when the config enables it). */
  victoriaMetrics?: boolean;
  onProgress?: (line: string) => void;
  /** For each component's readiness and for Prometheus' first scrape; default 60 s. */
  timeoutMs?: number;
  /** Where secrets given as `{ env }` are read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ComponentStatus {
  name: ComponentName;
  state: 'running' | 'stopped' | 'foreign';
  pid?: number;
  url: string;
  ready: boolean;
}

export interface StackStatus {
  dir: string;
  running: boolean;
  components: ComponentStatus[];
}

export interface DownResult {
  name: ComponentName;
  pid: number;
  outcome: 'stopped' | 'killed' | 'not running' | 'not ours';
}

/** Where args.ts puts the components' data; logs and the PID file go beside it. */
export const DATA_DIR = '.data';
const STATE_FILE = 'stack.json';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function stateFile(dir: string): string {
  return join(resolve(dir), DATA_DIR, STATE_FILE);
}

/** The resolved config `vigil stack init` wrote beside the files. */
export async function readStackConfig(dir: string): Promise<StackConfig> {
  const path = join(dir, STACK_STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new VigilError(
      'VIGIL_ERR_STACK_STATE',
      `${path} is missing: ${dir} is not a stack directory. Run \`vigil stack init --dir ${dir}\` first.`,
    );
  }
  return parseStackConfig(JSON.parse(text), path);
}

export async function readState(dir: string): Promise<StackState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir), 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

async function writeState(state: StackState): Promise<void> {
  await writeFile(stateFile(state.dir), `${JSON.stringify(state, null, 2)}\n`);
}

/** Is `pid` alive (a zombie counts as gone)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Is `pid` alive and still running `command` (and not a process that reused the PID)? */
export function isOurs(pid: number, command: readonly string[]): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    return argv.length === command.length && argv.every((arg, i) => arg === command[i]);
  } catch {
    return false;
  }
}

const urlOf = (listen: string) => `http://${listen.replace(/^(0\.0\.0\.0|\[::\]):/, '127.0.0.1:')}`;

interface Plan {
  name: ComponentName;
  binary: StackBinary;
  args: string[];
  listen: string;
  readyPath: string;
}

/** What `up` starts for a config: the flags are args.ts's, shared with compose and k8s. */
export function planStack(dir: string, config: StackConfig, { victoriaMetrics = false } = {}): Plan[] {
  const root = resolve(dir);
  const plans: Plan[] = [
    {
      name: 'prometheus',
      binary: 'prometheus',
      listen: config.prometheus.listen,
      readyPath: '/-/ready',
      args: prometheusArgs(config, root),
    },
  ];
  if (config.pushgateway.enabled) {
    plans.push({
      name: 'pushgateway',
      binary: 'prometheus-pushgateway',
      listen: config.pushgateway.listen,
      readyPath: '/-/ready',
      args: pushgatewayArgs(config),
    });
  }
  if (config.alertmanager.enabled) {
    plans.push({
      name: 'alertmanager',
      binary: 'prometheus-alertmanager',
      listen: config.alertmanager.listen,
      readyPath: '/-/ready',
      args: alertmanagerArgs(config, root),
    });
  }
  if (victoriaMetrics || config.victoriaMetrics.enabled) {
    plans.push({
      name: 'victoria-metrics',
      binary: 'victoria-metrics',
      listen: config.victoriaMetrics.listen,
      readyPath: '/health',
      args: [
        ...victoriaMetricsArgs(config, root),
        // It scrapes what Prometheus scrapes; rule_files and alerting are not its business.
        `-promscrape.config=${join(root, 'prometheus', 'prometheus.yml')}`,
        '-promscrape.config.strictParse=false',
        // By default instant queries ignore the newest 30 s of samples; a local stack
        // should show the scrape that just happened, as Prometheus does.
        '-search.latencyOffset=1s',
      ],
    });
  }
  return plans;
}

export async function stackUp(dir: string, options: UpOptions = {}): Promise<StackState> {
  const { onProgress = () => {}, timeoutMs = 60_000, env = process.env } = options;
  const root = resolve(dir);
  const config = await readStackConfig(root);
  const previous = await readState(root);
  if (previous !== undefined) {
    const alive = previous.components.filter((c) => isOurs(c.pid, c.command));
    if (alive.length > 0) {
      throw new VigilError(
        'VIGIL_ERR_STACK_STATE',
        `the stack in ${dir} is already running (${alive.map((c) => `${c.name} pid ${c.pid}`).join(', ')}). ` +
          `Run \`vigil stack status --dir ${dir}\`, or \`vigil stack down --dir ${dir}\` first.`,
      );
    }
    await rm(stateFile(root), { force: true });
  }
  const plans = planStack(root, config, options);
  // Every binary before anything starts: a missing one should not leave half a stack.
  const binaries = new Map(plans.map((p) => [p.name, requireStackBinary(p.binary)]));
  await mkdir(join(root, DATA_DIR), { recursive: true });
  if (config.alertmanager.enabled) await materializeSecrets(root, config, env);

  const state: StackState = { dir: root, startedAt: new Date().toISOString(), components: [] };
  try {
    for (const plan of plans) {
      const began = Date.now();
      onProgress(`starting ${plan.name} on ${plan.listen} ...`);
      const { record, child } = await startComponent(root, plan, binaries.get(plan.name) as string);
      state.components.push(record);
      await writeState(state);
      await waitReady(record, child, plan.readyPath, timeoutMs);
      child.unref();
      onProgress(`${plan.name} ready at ${record.url} (pid ${record.pid}, ${seconds(began)})`);
    }
    const began = Date.now();
    onProgress("waiting for Prometheus' first scrape (about 5 s) ...");
    await waitFirstScrape(state.components[0] as ComponentRecord, timeoutMs);
    onProgress(`first scrape done (${seconds(began)})`);
  } catch (error) {
    onProgress('start failed: stopping what was started ...');
    await stopRecorded(state.components);
    await rm(stateFile(root), { force: true });
    throw error;
  }
  return state;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function startComponent(
  root: string,
  plan: Plan,
  binary: string,
): Promise<{ record: ComponentRecord; child: ChildProcess }> {
  const log = join(root, DATA_DIR, `${plan.name}.log`);
  for (const arg of plan.args) {
    const path = /^-?-(storage\.tsdb\.path|storage\.path|storageDataPath)=(.+)$/.exec(arg)?.[2];
    if (path !== undefined) await mkdir(path, { recursive: true });
    const persistence = /^--persistence\.file=(.+)\/[^/]+$/.exec(arg)?.[1];
    if (persistence !== undefined) await mkdir(persistence, { recursive: true });
  }
  const fd = openSync(log, 'a');
  let child: ChildProcess;
  try {
    // Detached, own session, output to the log: the component outlives this CLI.
    child = spawn(binary, plan.args, { cwd: root, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const spawnError = await new Promise<Error | undefined>((done) => {
    child.once('spawn', () => done(undefined));
    child.once('error', done);
  });
  if (spawnError !== undefined || child.pid === undefined) {
    throw new VigilError('VIGIL_ERR_STACK_START', `${plan.name} could not start: ${spawnError?.message}`);
  }
  const record: ComponentRecord = {
    name: plan.name,
    pid: child.pid,
    command: [binary, ...plan.args],
    listen: plan.listen,
    url: urlOf(plan.listen),
    log,
    startedAt: new Date().toISOString(),
  };
  return { record, child };
}

async function logTail(log: string, bytes = 2_000): Promise<string> {
  try {
    const handle = await open(log, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, bytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString('utf8').trim();
    } finally {
      await handle.close();
    }
  } catch {
    return '(no log)';
  }
}

async function startError(record: ComponentRecord, why: string): Promise<VigilError> {
  return new VigilError(
    'VIGIL_ERR_STACK_START',
    `${record.name} ${why}. The end of ${record.log}:\n${await logTail(record.log)}`,
  );
}

async function waitReady(record: ComponentRecord, child: ChildProcess, path: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw await startError(record, `exited before it was ready (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (await answers(`${record.url}${path}`)) return;
    if (Date.now() > deadline)
      throw await startError(record, `was not ready at ${record.url}${path} in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Does `url` answer 2xx within a second? */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Prometheus reports a target it has not scraped yet with the zero time. */
async function waitFirstScrape(prometheus: ComponentRecord, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${prometheus.url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as { data?: { activeTargets?: Array<{ lastScrape?: string }> } };
      if (body.data?.activeTargets?.some((t) => t.lastScrape !== undefined && !t.lastScrape.startsWith('0001-'))) {
        return;
      }
    } catch {}
    if (!isAlive(prometheus.pid)) throw await startError(prometheus, 'exited while waiting for its first scrape');
    if (Date.now() > deadline) {
      throw await startError(prometheus, `scraped no target within ${timeoutMs} ms (see ${prometheus.url}/targets)`);
    }
    await sleep(250);
  }
}

/**
 * A component whose parent (this CLI, long gone) was replaced by init stays a zombie until
 * init reaps it; wait a little for that, so `down` returns with the PIDs really gone.
 */
async function reaped(pid: number, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(20);
  }
}

/** SIGTERM exactly the recorded processes that are still ours; SIGKILL after `graceMs`. */
async function stopRecorded(components: readonly ComponentRecord[], graceMs = 10_000): Promise<DownResult[]> {
  const results: DownResult[] = [];
  const waiting: ComponentRecord[] = [];
  for (const c of [...components].reverse()) {
    if (!isAlive(c.pid)) results.push({ name: c.name, pid: c.pid, outcome: 'not running' });
    else if (!isOurs(c.pid, c.command)) results.push({ name: c.name, pid: c.pid, outcome: 'not ours' });
    else {
      try {
        process.kill(c.pid, 'SIGTERM');
      } catch {}
      waiting.push(c);
    }
  }
  await Promise.all(
    waiting.map(async (c) => {
      const deadline = Date.now() + graceMs;
      while (isAlive(c.pid) && Date.now() < deadline) await sleep(50);
      let outcome: DownResult['outcome'] = 'stopped';
      if (isAlive(c.pid)) {
        outcome = 'killed';
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {}
        while (isAlive(c.pid)) await sleep(50);
      }
      await reaped(c.pid);
      results.push({ name: c.name, pid: c.pid, outcome });
    }),
  );
  // Reverse start order, whatever order they exited in.
  const order = (r: DownResult) => components.findIndex((c) => c.pid === r.pid);
  return results.sort((a, b) => order(b) - order(a));
}

export interface DownOptions {
  onProgress?: (line: string) => void;
  /** How long each component has to exit after SIGTERM before SIGKILL; default 10 s. */
  graceMs?: number;
}

export async function stackDown(
  dir: string,
  { onProgress = () => {}, graceMs }: DownOptions = {},
): Promise<DownResult[]> {
  const state = await readState(dir);
  if (state === undefined) {
    onProgress(`nothing to stop: ${stateFile(dir)} does not exist.`);
    return [];
  }
  const results = await stopRecorded(state.components, graceMs);
  for (const r of results) {
    onProgress(
      r.outcome === 'not ours'
        ? `${r.name}: pid ${r.pid} now runs another program; left alone`
        : `${r.name} (pid ${r.pid}): ${r.outcome}`,
    );
  }
  await rm(stateFile(dir), { force: true });
  return results;
}

export async function stackStatus(dir: string): Promise<StackStatus> {
  const state = await readState(dir);
  const records = state?.components ?? [];
  let planned: Array<{ name: ComponentName; url: string }> = records;
  if (records.length === 0) {
    const config = await readStackConfig(dir);
    planned = planStack(dir, config).map((p) => ({ name: p.name, url: urlOf(p.listen) }));
  }
  const components = await Promise.all(
    planned.map(async ({ name, url }): Promise<ComponentStatus> => {
      const record = records.find((r) => r.name === name);
      if (record === undefined || !isAlive(record.pid)) return { name, state: 'stopped', url, ready: false };
      if (!isOurs(record.pid, record.command)) return { name, state: 'foreign', pid: record.pid, url, ready: false };
      const path = name === 'victoria-metrics' ? '/health' : '/-/ready';
      const ready = await answers(`${url}${path}`);
      return { name, state: 'running', pid: record.pid, url, ready };
    }),
  );
  return { dir: resolve(dir), running: components.some((c) => c.state === 'running'), components };
}
