import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVigil } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { startPrometheus } from '../support/prometheus.js';
import { type PushedGroup, type PushgatewayHandle, startPushgateway } from '../support/pushgateway.js';

/**
 * The `vigil` CLI as a child process (`node --import tsx src/cli/main.ts`) against a real
 * Pushgateway on 127.0.0.1; what was pushed is read back from the gateway's /api/v1/metrics.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test/fixtures/junit');
// Fixed CI metadata: the grouping key of `push junit` is job + branch + runner.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  VIGIL_BRANCH: 'feature/cli',
  VIGIL_COMMIT: 'abc123',
  VIGIL_WORKFLOW: 'wf',
  VIGIL_RUNNER: 'ci-1',
};
delete env.VIGIL_PUSHGATEWAY_URL;

const vigil = (...args: string[]) => runVigil(args, { timeoutMs: 30_000, env });

let gateway: PushgatewayHandle;
let dir: string;
beforeAll(async () => {
  gateway = await startPushgateway();
  dir = await mkdtemp(join(tmpdir(), 'vigil-cli-'));
});
afterAll(async () => {
  await gateway?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** name → `own labels as k=v,...` → value (grouping labels, `instance` and the gateway's own families left out). */
function values(group: PushedGroup | undefined): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, family] of Object.entries(group?.families ?? {})) {
    if (name === 'push_time_seconds' || name === 'push_failure_time_seconds') continue;
    const series: Record<string, string> = {};
    for (const m of family.metrics) {
      const key = Object.entries(m.labels)
        .filter(([k]) => k !== 'instance' && group?.labels[k] === undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      series[key] = m.value ?? `count=${m.count}`;
    }
    out[name] = series;
  }
  return out;
}

describe('vigil --help', () => {
  it('lists the commands with examples', async () => {
    const { code, stdout } = await vigil('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/push\s/);
    expect(stdout).toMatch(/run \[options\] <command\.\.\.>/);
    expect(stdout).toContain('vigil push junit report.xml');
    expect(stdout).toContain('vigil run --job backup');
    expect(stdout).toContain('vigil push file metrics.prom');
  });

  it('reports a usage error with a code and a hint', async () => {
    const { code, stderr } = await vigil('push', 'junit', 'x.xml', '--job', 'j');
    expect(code).toBe(1);
    expect(stderr).toContain("error VIGIL_ERR_CLI_USAGE: required option '--gateway <url>' not specified");
    expect(stderr).toContain('hint: ');
  });
});

describe('vigil push junit', () => {
  it('pushes the exact counts of several reports once, grouped by job, branch, runner and --grouping', async () => {
    const { code, stdout, stderr } = await vigil(
      'push',
      'junit',
      join(fixtures, 'jest.xml'),
      join(fixtures, 'go.xml'),
      '--gateway',
      gateway.url,
      '--job',
      'junit-cli',
      '--grouping',
      'env=ci',
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { tests: Record<string, number>; files: number; push: { status: number } };
    expect(summary.tests).toEqual({ passed: 5, failed: 2, skipped: 2, todo: 0 });
    expect(summary.files).toBe(4);
    expect(summary.push.status).toBe(200);

    const group = await gateway.group({ job: 'junit-cli', branch: 'feature/cli', runner: 'ci-1', env: 'ci' });
    expect(group?.lastPushSuccessful).toBe(true);
    const v = values(group);
    expect(v.vigil_tests_total).toEqual({
      'file=src/sum.test.js,outcome=passed': '1',
      'file=src/sum.test.js,outcome=failed': '1',
      'file=src/sum.test.js,outcome=skipped': '1',
      'file=src/sum.test.js,outcome=todo': '0',
      'file=src/util/format.test.js,outcome=passed': '2',
      'file=src/util/format.test.js,outcome=failed': '0',
      'file=src/util/format.test.js,outcome=skipped': '0',
      'file=src/util/format.test.js,outcome=todo': '0',
      'file=example.com/app/store,outcome=passed': '1',
      'file=example.com/app/store,outcome=failed': '1',
      'file=example.com/app/store,outcome=skipped': '1',
      'file=example.com/app/store,outcome=todo': '0',
      'file=example.com/app/api,outcome=passed': '1',
      'file=example.com/app/api,outcome=failed': '0',
      'file=example.com/app/api,outcome=skipped': '0',
      'file=example.com/app/api,outcome=todo': '0',
    });
    expect(v.vigil_test_run_success).toEqual({ '': '0' });
    expect(Number(v.vigil_test_run_duration_seconds?.[''])).toBeCloseTo(2.555, 9);
    expect(v.vigil_test_run_info).toEqual({ 'commit=abc123,workflow=wf': '1' });
    const durations = group?.families.vigil_test_duration_seconds?.metrics ?? [];
    const formatPassed = durations.find((m) => m.labels.file === 'src/util/format.test.js');
    expect(formatPassed?.count).toBe('2');
    expect(Number(formatPassed?.sum)).toBeCloseTo(1.1, 9);
  });

  it('pushes Surefire retries and flaky tests', async () => {
    const { code } = await vigil(
      'push',
      'junit',
      join(fixtures, 'surefire.xml'),
      '--gateway',
      gateway.url,
      '--job',
      'mvn',
    );
    expect(code).toBe(0);
    const v = values(await gateway.group({ job: 'mvn', branch: 'feature/cli', runner: 'ci-1' }));
    expect(v.vigil_test_retries_total).toEqual({ 'file=com.example.CartTest': '2' });
    expect(v.vigil_tests_flaky_total).toEqual({ 'file=com.example.CartTest': '1' });
    expect(v.vigil_tests_total?.['file=com.example.CartTest,outcome=failed']).toBe('2');
  });

  it('pushes nothing when a report is malformed, and says where', async () => {
    const bad = join(dir, 'bad.xml');
    await writeFile(bad, '<testsuites>\n<testsuite name="a">\n<testcase name="x">\n</testsuites>\n');
    const { code, stdout, stderr } = await vigil(
      'push',
      'junit',
      join(fixtures, 'go.xml'),
      bad,
      '--gateway',
      gateway.url,
      '--job',
      'junit-bad',
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error VIGIL_ERR_JUNIT: the report is not well-formed XML: .*line \d+/);
    expect(stderr).toContain('\nhint: ');
    expect((await gateway.metrics()).some((g) => g.labels.job === 'junit-bad')).toBe(false);
  });
});

describe('vigil run', () => {
  it('passes output and exit codes through; a failure keeps the last success time', async () => {
    const ok = await vigil(
      'run',
      '--job',
      'cron',
      '--gateway',
      gateway.url,
      '--grouping',
      'host=h1',
      '--',
      process.execPath,
      '-e',
      "process.stdout.write('job output'); setTimeout(() => {}, 50)",
    );
    expect(ok).toEqual({ code: 0, stdout: 'job output', stderr: '' });
    const first = values(await gateway.group({ job: 'cron', host: 'h1' }));
    expect(first.vigil_job_exit_code).toEqual({ '': '0' });
    expect(Number(first.vigil_job_duration_seconds?.[''])).toBeGreaterThanOrEqual(0.05);
    const success = Number(first.vigil_job_last_success_timestamp_seconds?.['']);
    expect(Math.abs(success - Date.now() / 1000)).toBeLessThan(30);
    expect(first.vigil_job_last_run_timestamp_seconds).toEqual(first.vigil_job_last_success_timestamp_seconds);

    const failed = await vigil(
      'run',
      '--job',
      'cron',
      '--gateway',
      gateway.url,
      '--grouping',
      'host=h1',
      '--',
      process.execPath,
      '-e',
      "process.stderr.write('boom'); process.exit(3)",
    );
    expect(failed).toEqual({ code: 3, stdout: '', stderr: 'boom' });
    const second = values(await gateway.group({ job: 'cron', host: 'h1' }));
    expect(second.vigil_job_exit_code).toEqual({ '': '3' });
    expect(Number(second.vigil_job_last_success_timestamp_seconds?.[''])).toBe(success);
    expect(Number(second.vigil_job_last_run_timestamp_seconds?.[''])).toBeGreaterThan(success);
  });

  it('reports a command that cannot start as 127 and pushes it', async () => {
    const { code, stderr } = await vigil(
      'run',
      '--job',
      'missing',
      '--gateway',
      gateway.url,
      '--',
      'no-such-command-xyz',
    );
    expect(code).toBe(127);
    expect(stderr).toContain('error VIGIL_ERR_RUN_START: could not start "no-such-command-xyz"');
    const v = values(await gateway.group({ job: 'missing' }));
    expect(v.vigil_job_exit_code).toEqual({ '': '127' });
    expect(v.vigil_job_last_success_timestamp_seconds).toBeUndefined();
  });

  it('reports a command killed by a signal as 128 + the signal number', async () => {
    const { code } = await vigil(
      'run',
      '--job',
      'killed',
      '--gateway',
      gateway.url,
      '--',
      process.execPath,
      '-e',
      "process.kill(process.pid, 'SIGTERM')",
    );
    expect(code).toBe(143);
    expect(values(await gateway.group({ job: 'killed' })).vigil_job_exit_code).toEqual({ '': '143' });
  });

  it('keeps the exit code when the gateway is down, with a warning', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await vigil(
      'run',
      '--job',
      'cron',
      '--gateway',
      down,
      '--',
      process.execPath,
      '-e',
      'process.exit(5)',
    );
    expect(code).toBe(5);
    expect(stderr).toContain('vigil: warning: could not push the metrics of job cron (exit code unchanged)');
  });
});

describe('vigil push file', () => {
  it('pushes a valid file as is', async () => {
    const file = join(dir, 'ok.prom');
    await writeFile(
      file,
      '# HELP backup_size_bytes Size of the backup.\n# TYPE backup_size_bytes gauge\nbackup_size_bytes{kind="full"} 1024\nbackup_ok 1',
    );
    const { code, stdout } = await vigil(
      'push',
      'file',
      file,
      '--gateway',
      gateway.url,
      '--job',
      'backup',
      '--grouping',
      'path=/srv/a',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('vigil: pushed 2 samples');
    const group = await gateway.group({ job: 'backup', path: '/srv/a' });
    expect(values(group)).toEqual({ backup_size_bytes: { 'kind=full': '1024' }, backup_ok: { '': '1' } });
    expect(group?.families.backup_size_bytes?.type).toBe('GAUGE');
    expect(group?.families.backup_size_bytes?.help).toBe('Size of the backup.');
  });

  it('refuses an invalid file, naming the line, and pushes nothing', async () => {
    const file = join(dir, 'stamped.prom');
    await writeFile(file, '# TYPE a gauge\na 1\na{x="y"} 2 1700000000000\n');
    const { code, stderr } = await vigil('push', 'file', file, '--gateway', gateway.url, '--job', 'stamped');
    expect(code).toBe(1);
    expect(stderr).toContain('error VIGIL_ERR_EXPOSITION_FILE: line 3: the sample has a timestamp');
    expect(stderr).toContain('hint: ');
    expect((await gateway.metrics()).some((g) => g.labels.job === 'stamped')).toBe(false);
  });
});

describe('vigil push junit → Pushgateway → Prometheus', () => {
  it('PromQL sees the same outcome counts and durations the reports hold', async () => {
    // Started first: its first scrape of the gateway comes ~5 s later.
    const starting = startPrometheus({
      targets: [{ job: 'pushgateway', url: `${gateway.url}/metrics`, honorLabels: true }],
    });
    starting.catch(() => {});
    const { code, stdout } = await vigil(
      'push',
      'junit',
      join(fixtures, 'pytest.xml'),
      join(fixtures, 'surefire.xml'),
      '--gateway',
      gateway.url,
      '--job',
      'junit-promql',
      '--json',
    );
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { tests: Record<string, number> };
    const prometheus = await starting;
    try {
      await prometheus.waitForScrape('pushgateway', { since: new Date() });
      const byOutcome = await prometheus.queryVector('sum by (outcome) (vigil_tests_total{job="junit-promql"})');
      const seen = Object.fromEntries(byOutcome.map((s) => [s.metric.outcome, s.value]));
      expect(seen).toEqual(summary.tests);
      expect(summary.tests.passed).toBeGreaterThan(0);
      const count = await prometheus.queryVector('sum(vigil_test_duration_seconds_count{job="junit-promql"})');
      const total = Object.values(summary.tests).reduce((a, b) => a + b, 0) - (summary.tests.todo ?? 0);
      expect(count[0]?.value).toBe(total);
      const info = await prometheus.queryVector('vigil_test_run_info{job="junit-promql"}');
      expect(info.map((s) => [s.metric.branch, s.metric.runner, s.value])).toEqual([['feature/cli', 'ci-1', 1]]);
    } finally {
      await prometheus.stop();
    }
  }, 60_000);
});
