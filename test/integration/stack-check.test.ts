import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { dashboardExpressions } from '../../src/stack/grafana/index.js';
import { metricNamesIn } from '../../src/stack/promql.js';
import { runVigil } from '../support/cli.js';
import { requireBinary } from '../support/components.js';

/**
 * `vigil stack init` then `vigil stack check` with the real promtool and amtool: the
 * generated files pass; a broken rule and a dashboard with an unknown metric fail, named.
 */

const vigil = (...args: string[]) => runVigil(args, { timeoutMs: 55_000 });

let work: string;
beforeAll(async () => {
  requireBinary('promtool', 'prometheus');
  requireBinary('amtool', 'prometheus-alertmanager');
  work = await mkdtemp(join(tmpdir(), 'vigil-stack-check-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A copy of the directory `stack init` wrote (once, in the first test). */
async function copyOfInit(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(join(work, 'clean'), dir, { recursive: true });
  return dir;
}

describe('vigil stack check', () => {
  it('passes the files stack init wrote, with every tool', async () => {
    const dir = join(work, 'clean');
    const init = await vigil('stack', 'init', '--dir', dir);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const { code, stdout, stderr } = await vigil('stack', 'check', '--dir', dir);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/^(FAIL|SKIP) /m);
    for (const check of [
      'prometheus/prometheus.yml  promtool check config',
      'prometheus/alerts.yml  promtool check rules',
      'promtool test rules',
      'alertmanager/alertmanager.yml  amtool check-config',
      'prometheus/alerts.yml  promql lint',
      'grafana/dashboards/service-overview.json  promql lint',
    ]) {
      expect(stdout).toMatch(new RegExp(`^PASS .*${check.replace(/[.]/g, '\\.')}`, 'm'));
    }
    expect(stdout).toMatch(/^vigil: all \d+ checks passed/m);

    const json = await vigil('stack', 'check', '--dir', dir, '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; results: Array<{ status: string; check: string }> };
    expect(report.ok).toBe(true);
    expect(new Set(report.results.map((r) => r.check))).toEqual(
      new Set([
        'promtool check config',
        'promtool check rules',
        'promtool test rules',
        'amtool check-config',
        'alert test coverage',
        'promql lint',
      ]),
    );
  });

  it('fails on a rule whose PromQL does not parse, naming the file', async () => {
    const dir = await copyOfInit('broken-rule');
    const path = join(dir, 'prometheus/alerts.yml');
    const rules = parseYaml(await readFile(path, 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const rule = rules.groups.flatMap((g) => g.rules).find((r) => 'alert' in r) as { alert: string; expr: string };
    rule.expr = 'sum(rate(http_server_requests_total[5m]) /';
    await writeFile(path, stringifyYaml(rules));

    const { code, stdout, stderr } = await vigil('stack', 'check', '--dir', dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL prometheus\/alerts\.yml {2}promtool check rules$/m);
    expect(stdout).toMatch(
      new RegExp(`^FAIL prometheus/alerts\\.yml {2}promql lint\\n {7}alert ${rule.alert}: does not parse`, 'm'),
    );
    expect(stderr).toMatch(/^error VIGIL_ERR_STACK_CHECK: \d+ of \d+ checks failed: .*prometheus\/alerts\.yml/m);
    expect(stderr).toMatch(/^hint: fix the files marked FAIL/m);
  });

  it('fails on a dashboard expression with an unknown metric name, naming it', async () => {
    const dir = await copyOfInit('unknown-metric');
    const dashboards = join(dir, 'grafana/dashboards');
    const file = (await readdir(dashboards)).filter((f) => f.endsWith('.json')).sort()[0] as string;
    const text = await readFile(join(dashboards, file), 'utf8');
    const { expr } = dashboardExpressions(text).find((e) => metricNamesIn(e.expr).length > 0) as { expr: string };
    const name = metricNamesIn(expr)[0] as string;
    const broken = text.replace(JSON.stringify(expr), JSON.stringify(expr.replace(name, 'vigil_no_such_metric_total')));
    expect(broken).not.toBe(text);
    await writeFile(join(dashboards, file), broken);

    const { code, stdout } = await vigil('stack', 'check', '--dir', dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^FAIL grafana/dashboards/${file.replace('.', '\\.')} {2}promql lint$`, 'm'));
    expect(stdout).toContain('unknown metric name "vigil_no_such_metric_total"');
    expect(stdout).not.toMatch(/^FAIL prometheus\//m);
  });

  it('fails when an alert has no test that keeps it quiet, naming the alert', async () => {
    const dir = await copyOfInit('untested-alert');
    const path = join(dir, 'prometheus/alerts.test.yml');
    const tests = parseYaml(await readFile(path, 'utf8')) as {
      tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
    };
    const quiet = tests.tests.flatMap((t) => t.alert_rule_test ?? []).find((c) => (c.exp_alerts ?? []).length === 0);
    expect(quiet).toBeDefined();
    const alertname = (quiet as { alertname: string }).alertname;
    for (const test of tests.tests) {
      test.alert_rule_test = (test.alert_rule_test ?? []).filter(
        (c) => c.alertname !== alertname || (c.exp_alerts ?? []).length > 0,
      );
    }
    await writeFile(path, stringifyYaml(tests));

    const { code, stdout } = await vigil('stack', 'check', '--dir', dir);
    expect(code).toBe(1);
    // promtool itself accepts a test file that leaves an alert out.
    expect(stdout).toMatch(/^PASS prometheus\/alerts\.test\.yml {2}promtool test rules$/m);
    expect(stdout).toMatch(/^FAIL prometheus\/alerts\.test\.yml {2}alert test coverage$/m);
    expect(stdout).toContain(`alerts.yml: ${alertname}`);
  });
});
