import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';
import { type PushgatewayHandle, startPushgateway } from '../support/pushgateway.js';

/**
 * The fixture suites of test/fixtures/testing (they fail, skip, retry and measure on
 * purpose) run in child processes under each Vigil reporter, which push to a real
 * Pushgateway that a real Prometheus scrapes with honor_labels: true. PromQL must then
 * show what the fixture suites did.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test/fixtures/testing');
const vitestBin = join(root, 'node_modules/vitest/vitest.mjs');
const CHILD_TIMEOUT_MS = 90_000;
const run = { branch: 'feature/x', runner: 'ci-1', commit: 'abc123', workflow: 'integration' };

let gateway: PushgatewayHandle;
let prometheus: PrometheusHandle;
let dir: string;
let vitestRun: ChildResult;
let nodeRun: ChildResult;
let vitestJson: VitestJson;

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface VitestJson {
  testResults: { name: string; assertionResults: { title: string; status: string; duration?: number }[] }[];
}

/** The child's environment: ours without Vitest's own variables and without any VIGIL_*. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('VITEST') && !k.startsWith('VIGIL_') && k !== 'NODE_OPTIONS' && k !== 'TEST') env[k] = v;
  }
  return {
    ...env,
    VIGIL_BRANCH: run.branch,
    VIGIL_RUNNER: run.runner,
    VIGIL_COMMIT: run.commit,
    VIGIL_WORKFLOW: run.workflow,
    NO_COLOR: '1',
    ...extra,
  };
}

function runChild(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} ran longer than ${CHILD_TIMEOUT_MS} ms; stderr: ${stderr.slice(-2000)}`));
    }, CHILD_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

function runVitest(env: Record<string, string>, ...extra: string[]): Promise<ChildResult> {
  return runChild(
    [
      vitestBin,
      'run',
      '--config',
      join(fixtures, 'vitest/vitest.config.ts'),
      '--reporter=default',
      `--reporter=${join(root, 'src/testing/vitest.ts')}`,
      ...extra,
    ],
    join(fixtures, 'vitest'),
    childEnv(env),
  );
}

function runNodeTest(env: Record<string, string>, files: string[]): Promise<ChildResult> {
  return runChild(
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stderr',
      '--test-reporter=./reporter.mjs',
      '--test-reporter-destination=stdout',
      ...files,
    ],
    join(fixtures, 'node'),
    childEnv(env),
  );
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function value(promql: string): Promise<number> {
  const result = await prometheus.queryVector(promql);
  if (result.length !== 1) throw new Error(`${promql} gave ${result.length} series: ${JSON.stringify(result)}`);
  return (result[0] as { value: number }).value;
}

/** `{...}` selecting one reporter's group. */
const sel = (job: string, more = '') => `job="${job}",branch="${run.branch}",runner="${run.runner}"${more}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-testing-'));
  gateway = await startPushgateway();
  // Started first: its first scrape comes ~5 s later, while the fixture suites run.
  const starting = startPrometheus({
    targets: [{ job: 'pushgateway', url: `${gateway.url}/metrics`, honorLabels: true }],
  });
  starting.catch(() => {});
  const gatewayEnv = { VIGIL_PUSHGATEWAY_URL: gateway.url };
  vitestRun = await runVitest(
    { ...gatewayEnv, VIGIL_PUSH_JOB: 'fixture-vitest', VIGIL_METRICS_FILE: join(dir, 'vitest.prom') },
    '--reporter=json',
    `--outputFile.json=${join(dir, 'vitest.json')}`,
  );
  nodeRun = await runNodeTest(
    { ...gatewayEnv, VIGIL_PUSH_JOB: 'fixture-node', VIGIL_METRICS_FILE: join(dir, 'node.prom') },
    ['mixed.fixture.ts', 'passing.fixture.ts'],
  );
  vitestJson = JSON.parse(readFileSync(join(dir, 'vitest.json'), 'utf8')) as VitestJson;
  prometheus = await starting;
  await prometheus.waitForScrape('pushgateway', { since: new Date() });
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await gateway?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Vitest reporter → Pushgateway → Prometheus', () => {
  const job = 'fixture-vitest';

  it('leaves the run failing (a fixture test fails) and pushes one group: job + branch + runner', async () => {
    expect(vitestRun.code, vitestRun.stderr).toBe(1);
    expect(vitestRun.stderr).not.toContain('vigil: could not push');
    const group = await gateway.group({ job, branch: run.branch, runner: run.runner });
    expect(group?.lastPushSuccessful).toBe(true);
  });

  it('counts passed, failed, skipped and todo per file', async () => {
    const count = (file: string, outcome: string) =>
      value(`vigil_tests_total{${sel(job)},file="${file}",outcome="${outcome}"}`);
    expect(await count('mixed.fixture.ts', 'passed')).toBe(4);
    expect(await count('mixed.fixture.ts', 'failed')).toBe(1);
    expect(await count('mixed.fixture.ts', 'skipped')).toBe(1);
    expect(await count('mixed.fixture.ts', 'todo')).toBe(1);
    expect(await count('passing.fixture.ts', 'passed')).toBe(2);
    expect(await count('passing.fixture.ts', 'failed')).toBe(0);
    expect(await count('passing.fixture.ts', 'skipped')).toBe(1);
    expect(await value(`sum(vigil_tests_total{${sel(job)}})`)).toBe(10);
  });

  it('durations equal what Vitest itself reported', async () => {
    for (const file of ['mixed.fixture.ts', 'passing.fixture.ts']) {
      const results = vitestJson.testResults.find((r) => r.name.endsWith(`/${file}`))?.assertionResults ?? [];
      const passed = results.filter((r) => r.status === 'passed');
      const expected = passed.reduce((sum, r) => sum + (r.duration ?? 0), 0) / 1000;
      const sum = await value(`vigil_test_duration_seconds_sum{${sel(job)},file="${file}",outcome="passed"}`);
      expect(sum).toBeCloseTo(expected, 6);
      expect(await value(`vigil_test_duration_seconds_count{${sel(job)},file="${file}",outcome="passed"}`)).toBe(
        passed.length,
      );
    }
    // The fixture sleeps 200 ms in one passing test.
    const mixed = await value(`vigil_test_duration_seconds_sum{${sel(job)},file="mixed.fixture.ts",outcome="passed"}`);
    expect(mixed).toBeGreaterThanOrEqual(0.195);
    expect(mixed).toBeLessThan(5);
    expect(
      await value(`vigil_test_duration_seconds_bucket{${sel(job)},file="mixed.fixture.ts",outcome="passed",le="0.1"}`),
    ).toBe(3);
  });

  it('counts the retry and the flaky test, and heap growth (logHeapUsage)', async () => {
    expect(await value(`vigil_test_retries_total{${sel(job)},file="mixed.fixture.ts"}`)).toBe(1);
    expect(await value(`vigil_tests_flaky_total{${sel(job)},file="mixed.fixture.ts"}`)).toBe(1);
    expect(await value(`vigil_tests_flaky_total{${sel(job)},file="passing.fixture.ts"}`)).toBe(0);
    expect(await value(`vigil_test_heap_growth_bytes_count{${sel(job)},file="mixed.fixture.ts"}`)).toBeGreaterThan(0);
  });

  it('exports the in-test latencies, throughput and values exactly', async () => {
    await expectMeasurements(job);
  });

  it('writes run info, success, run duration and the metrics file', async () => {
    await expectRun(job, vitestRun);
    const text = readFileSync(join(dir, 'vitest.prom'), 'utf8');
    expect(text).toContain('vigil_tests_total{file="mixed.fixture.ts",outcome="passed"} 4');
  });
});

describe('node:test reporter → Pushgateway → Prometheus', () => {
  const job = 'fixture-node';

  it('leaves the run failing (a fixture test fails) and pushes one group', async () => {
    expect(nodeRun.code, nodeRun.stderr).toBe(1);
    expect(nodeRun.stdout).toContain('vigil: test metrics pushed');
    const group = await gateway.group({ job, branch: run.branch, runner: run.runner });
    expect(group?.lastPushSuccessful).toBe(true);
  });

  it('counts passed, failed, skipped and todo per file', async () => {
    const count = (file: string, outcome: string) =>
      value(`vigil_tests_total{${sel(job)},file="${file}",outcome="${outcome}"}`);
    expect(await count('mixed.fixture.ts', 'passed')).toBe(3);
    expect(await count('mixed.fixture.ts', 'failed')).toBe(1);
    expect(await count('mixed.fixture.ts', 'skipped')).toBe(1);
    expect(await count('mixed.fixture.ts', 'todo')).toBe(1);
    expect(await count('passing.fixture.ts', 'passed')).toBe(2);
    expect(await count('passing.fixture.ts', 'skipped')).toBe(1);
    expect(await value(`sum(vigil_tests_total{${sel(job)}})`)).toBe(9);
  });

  it('durations include the 200 ms the fixture sleeps, within tolerance', async () => {
    const sum = await value(`vigil_test_duration_seconds_sum{${sel(job)},file="mixed.fixture.ts",outcome="passed"}`);
    expect(sum).toBeGreaterThanOrEqual(0.195);
    expect(sum).toBeLessThan(5);
    expect(await value(`vigil_test_duration_seconds_count{${sel(job)},file="mixed.fixture.ts",outcome="passed"}`)).toBe(
      3,
    );
    expect(await value(`vigil_test_retries_total{${sel(job)},file="mixed.fixture.ts"}`)).toBe(0);
  });

  it('exports the in-test latencies, throughput and values exactly', async () => {
    await expectMeasurements(job);
  });

  it('writes run info, success, run duration and the metrics file', async () => {
    await expectRun(job, nodeRun);
    expect(existsSync(join(dir, 'node.prom'))).toBe(true);
  });
});

describe('a Pushgateway that is down', () => {
  it('costs one warning and never changes the result of a passing run, under either reporter', async () => {
    const env = { VIGIL_PUSHGATEWAY_URL: `http://127.0.0.1:${await closedPort()}`, VIGIL_PUSH_JOB: 'down' };
    const [vitest, node] = await Promise.all([runVitest(env, 'passing'), runNodeTest(env, ['passing.fixture.ts'])]);
    for (const result of [vitest, node]) {
      expect(result.code, result.stderr).toBe(0);
      const warnings = result.stderr.split('\n').filter((line) => line.startsWith('vigil: could not push'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('VIGIL_ERR_PUSH_FAILED');
    }
  });
});

async function expectMeasurements(job: string): Promise<void> {
  const op = `${sel(job)},operation="db.query"`;
  expect(await value(`vigil_test_latency_seconds{${op},quantile="0.5"}`)).toBe(0.05);
  expect(await value(`vigil_test_latency_seconds{${op},quantile="0.95"}`)).toBe(0.095);
  expect(await value(`vigil_test_latency_seconds{${op},quantile="0.99"}`)).toBe(0.099);
  expect(await value(`vigil_test_latency_seconds_count{${op}}`)).toBe(100);
  expect(await value(`vigil_test_latency_seconds_sum{${op}}`)).toBe(5.05);
  expect(await value(`vigil_test_latency_mean_seconds{${op}}`)).toBe(0.0505);
  expect(await value(`vigil_test_throughput_ops_per_second{${sel(job)},operation="ingest"}`)).toBe(2000);
  expect(await value(`vigil_test_value{${sel(job)},name="cache_hit_ratio",cache="lru"}`)).toBe(0.75);
}

async function expectRun(job: string, child: ChildResult): Promise<void> {
  const info = await prometheus.queryVector(`vigil_test_run_info{${sel(job)}}`);
  expect(info).toHaveLength(1);
  expect(info[0]?.value).toBe(1);
  expect(info[0]?.metric).toMatchObject({ commit: run.commit, workflow: run.workflow });
  expect(await value(`vigil_test_run_success{${sel(job)}}`)).toBe(0);
  const duration = await value(`vigil_test_run_duration_seconds{${sel(job)}}`);
  expect(duration).toBeGreaterThan(0.2);
  expect(duration).toBeLessThan(child.ms / 1000);
  const ended = await value(`vigil_test_run_last_timestamp_seconds{${sel(job)}}`);
  expect(Math.abs(ended - Date.now() / 1000)).toBeLessThan(300);
}

describe('code coverage (node:test --experimental-test-coverage)', () => {
  it('records the ratios node:test reports, per kind', async () => {
    const file = join(dir, 'coverage.prom');
    const result = await runChild(
      [
        '--import',
        'tsx',
        '--experimental-test-coverage',
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stderr',
        '--test-reporter=./reporter.mjs',
        '--test-reporter-destination=stdout',
        'passing.fixture.ts',
      ],
      join(fixtures, 'node'),
      childEnv({ VIGIL_METRICS_FILE: file }),
    );
    expect(result.code).toBe(0);
    // node's own table: "all files | 92.31 | 100.00 | 66.67 |"
    const row = /all files\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)/.exec(result.stderr);
    expect(row, result.stderr).not.toBeNull();
    const text = readFileSync(file, 'utf8');
    const ratio = (kind: string) =>
      Number(new RegExp(`^vigil_test_coverage_ratio\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect((ratio('lines') * 100).toFixed(2)).toBe(row?.[1]);
    expect((ratio('branches') * 100).toFixed(2)).toBe(row?.[2]);
    expect((ratio('functions') * 100).toFixed(2)).toBe(row?.[3]);
  });

  it('records the ratios of Vitest v8 coverage, equal to its own json-summary', async () => {
    const file = join(dir, 'vitest-coverage.prom');
    const reports = join(dir, 'vitest-coverage');
    const result = await runChild(
      [
        vitestBin,
        'run',
        '--config',
        join(fixtures, 'vitest-coverage/vitest.config.ts'),
        '--reporter=default',
        `--reporter=${join(root, 'src/testing/vitest.ts')}`,
        `--coverage.reportsDirectory=${reports}`,
      ],
      join(fixtures, 'vitest-coverage'),
      childEnv({ VIGIL_METRICS_FILE: file }),
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(reports, 'coverage-summary.json'), 'utf8')) as {
      total: Record<string, { total: number; covered: number }>;
    };
    const text = readFileSync(file, 'utf8');
    for (const kind of ['lines', 'statements', 'functions', 'branches']) {
      const t = summary.total[kind] as { total: number; covered: number };
      const seen = Number(new RegExp(`^vigil_test_coverage_ratio\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
      expect(seen, kind).toBe(t.covered / t.total);
    }
    expect(summary.total.functions?.covered).toBeLessThan(summary.total.functions?.total ?? 0);
  });
});
