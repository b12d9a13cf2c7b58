import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findStackBinary, missingBinaryError, requireStackBinary } from '../../../src/stack/binaries.js';
import { parseStackConfig } from '../../../src/stack/config.js';
import {
  type ComponentRecord,
  isAlive,
  isOurs,
  planStack,
  type StackState,
  stackDown,
  stackStatus,
  stackUp,
  stateFile,
} from '../../../src/stack/local.js';

/**
 * The PID file of `vigil stack up`: `down` stops exactly the recorded processes and only
 * while /proc/<pid>/cmdline is still the recorded command. Real processes (`sleep`) stand
 * in for the components.
 */
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-stack-local-'));
  dirs.push(dir);
  await mkdir(join(dir, '.data'));
  return dir;
}

async function sleeper(): Promise<ChildProcess & { pid: number }> {
  const child = spawn('/usr/bin/sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child as ChildProcess & { pid: number };
}

function record(name: ComponentRecord['name'], pid: number, command: string[]): ComponentRecord {
  return { name, pid, command, listen: '127.0.0.1:1', url: 'http://127.0.0.1:1', log: '/dev/null', startedAt: '' };
}

async function writeState(dir: string, components: ComponentRecord[]): Promise<void> {
  const state: StackState = { dir, startedAt: new Date().toISOString(), components };
  await writeFile(stateFile(dir), JSON.stringify(state));
}

describe('stack down and status with a PID file', () => {
  it('stops a recorded process whose command line still matches', async () => {
    const dir = await tempDir();
    const child = await sleeper();
    await writeState(dir, [record('pushgateway', child.pid, ['/usr/bin/sleep', '30'])]);
    expect(isOurs(child.pid, ['/usr/bin/sleep', '30'])).toBe(true);

    const status = await stackStatus(dir);
    expect(status.components).toEqual([
      { name: 'pushgateway', state: 'running', pid: child.pid, url: 'http://127.0.0.1:1', ready: false },
    ]);
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const results = await stackDown(dir, { graceMs: 2_000 });
    expect(results).toEqual([{ name: 'pushgateway', pid: child.pid, outcome: 'stopped' }]);
    expect(await exited).toBe('SIGTERM');
    await expect(readFile(stateFile(dir))).rejects.toThrow(/ENOENT/);
  });

  it('leaves alone a PID that now runs another command (PID reuse)', async () => {
    const dir = await tempDir();
    const child = await sleeper();
    const recorded = ['/usr/bin/prometheus', '--config.file=/x/prometheus.yml'];
    await writeState(dir, [record('prometheus', child.pid, recorded)]);
    expect(isOurs(child.pid, recorded)).toBe(false);

    expect((await stackStatus(dir)).components[0]).toMatchObject({ name: 'prometheus', state: 'foreign' });
    const results = await stackDown(dir, { graceMs: 500 });
    expect(results).toEqual([{ name: 'prometheus', pid: child.pid, outcome: 'not ours' }]);
    expect(isAlive(child.pid)).toBe(true);
    expect(child.exitCode).toBeNull();
  });

  it('reports a recorded process that has exited as not running', async () => {
    const dir = await tempDir();
    const child = await sleeper();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(isAlive(child.pid)).toBe(false);
    await writeState(dir, [record('alertmanager', child.pid, ['/usr/bin/sleep', '30'])]);
    expect(await stackDown(dir)).toEqual([{ name: 'alertmanager', pid: child.pid, outcome: 'not running' }]);
  });

  it('down without a PID file stops nothing', async () => {
    const dir = await tempDir();
    const lines: string[] = [];
    expect(await stackDown(dir, { onProgress: (line) => lines.push(line) })).toEqual([]);
    expect(lines[0]).toMatch(/nothing to stop/);
  });

  it('up refuses a directory without vigil.stack.json', async () => {
    const dir = await tempDir();
    await expect(stackUp(dir)).rejects.toThrow(
      /^VIGIL_ERR_STACK_STATE: .*vigil\.stack\.json is missing.*vigil stack init/,
    );
  });
});

describe('stack binaries', () => {
  it('finds the installed components on PATH or in /usr/bin', () => {
    expect(findStackBinary('prometheus', '')).toBe('/usr/bin/prometheus');
    expect(findStackBinary('amtool', '/usr/bin')).toBe('/usr/bin/amtool');
  });

  it('names the Debian package, the apt-get command and the Docker route for a missing one', () => {
    expect(findStackBinary('victoria-metrics', '', [])).toBeUndefined();
    expect(() => requireStackBinary('amtool', '/nonexistent', [])).toThrow(
      /^VIGIL_ERR_STACK_BINARY: amtool is not installed .*Debian package prometheus-alertmanager: `sudo apt-get install -y prometheus-alertmanager`.*docker compose up -d/,
    );
    expect(missingBinaryError('prometheus-pushgateway').message).toContain(
      '`sudo apt-get install -y prometheus-pushgateway`',
    );
    expect(missingBinaryError('promtool').message).toContain('Debian package prometheus:');
  });
});

describe('what stack up starts', () => {
  it('binds the configured addresses, keeps data under <dir>/.data and turns Alertmanager gossip off', () => {
    const config = parseStackConfig({ prometheus: { listen: '127.0.0.1:19090', retention: '2d' } });
    const plans = planStack('/srv/mon', config);
    expect(plans.map((p) => p.name)).toEqual(['prometheus', 'pushgateway', 'alertmanager']);
    expect(plans[0]?.args).toEqual([
      '--config.file=/srv/mon/prometheus/prometheus.yml',
      '--storage.tsdb.path=/srv/mon/.data/prometheus',
      '--storage.tsdb.retention.time=2d',
      '--web.listen-address=127.0.0.1:19090',
      '--web.enable-lifecycle',
    ]);
    expect(plans[1]?.args).toEqual(['--web.listen-address=127.0.0.1:9091', '--persistence.file=']);
    expect(plans[2]?.args).toContain('--cluster.listen-address=');
    expect(plans[2]?.args).toContain('--storage.path=/srv/mon/.data/alertmanager');
  });

  it('adds VictoriaMetrics on request and leaves out what the config disables', () => {
    const config = parseStackConfig({ pushgateway: { enabled: false }, alertmanager: { enabled: false } });
    expect(planStack('/m', config).map((p) => p.name)).toEqual(['prometheus']);
    const withVm = planStack('/m', config, { victoriaMetrics: true });
    expect(withVm.map((p) => p.name)).toEqual(['prometheus', 'victoria-metrics']);
    expect(withVm[1]?.args).toContain('-httpListenAddr=127.0.0.1:8428');
    expect(withVm[1]?.args).toContain('-promscrape.config=/m/prometheus/prometheus.yml');
  });
});
