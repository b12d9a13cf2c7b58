import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { VigilError } from '../metrics/errors.js';
import { findStackBinary, requireStackBinary } from './binaries.js';
import { dashboardExpressions, expandGrafanaVariables } from './grafana/index.js';
import { knownMetricNames } from './known-metrics.js';
import { lintPromQL } from './promql.js';
import { untestedAlerts } from './rules/coverage.js';

/**
 * `vigil stack check`: every file of a stack directory through the tool that owns its
 * format (promtool, amtool) and through Vigil's PromQL and metric-name lint. Files are
 * recognised by content, not name, so a hand-edited or renamed file is checked too.
 */

export type CheckName =
  | 'promtool check config'
  | 'promtool check rules'
  | 'promtool test rules'
  | 'amtool check-config'
  | 'alert test coverage'
  | 'promql lint';

export interface CheckResult {
  /** Path relative to the stack directory. */
  file: string;
  check: CheckName;
  status: 'pass' | 'fail' | 'skip';
  /** The tool's output on failure, the reason for a skip, otherwise a short summary. */
  message: string;
}

export interface CheckReport {
  dir: string;
  ok: boolean;
  results: CheckResult[];
}

export interface CheckOptions {
  /** Called as each result is known, for progress output. */
  onResult?: (result: CheckResult) => void;
}

/** Folders that hold no generated config: runtime data, secrets, dependencies. */
const SKIP_DIRS = new Set(['.data', 'data', '.secrets', 'node_modules', '.git']);
const TOOL_TIMEOUT_MS = 60_000;

type Kind = 'prometheus' | 'rules' | 'rule-tests' | 'alertmanager' | 'dashboard';

interface Classified {
  file: string;
  kind: Kind;
  content: unknown;
}

export async function checkStack(dir: string, { onResult }: CheckOptions = {}): Promise<CheckReport> {
  await assertDirectory(dir);
  const files = await classify(dir);
  if (files.length === 0) {
    throw new VigilError(
      'VIGIL_ERR_STACK_CHECK',
      `${dir} holds no Prometheus, Alertmanager or Grafana files; run \`vigil stack init --dir ${dir}\` first.`,
    );
  }
  const promtool = requireStackBinary('promtool');
  const amtool = findStackBinary('amtool');
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    onResult?.(result);
  };
  const of = (kind: Kind) => files.filter((f) => f.kind === kind);

  // The tools run at once (promtool test rules takes seconds); results are reported in order.
  const pending: Array<Promise<CheckResult>> = [
    ...of('prometheus').map(({ file }) =>
      runTool(dir, file, 'promtool check config', promtool, ['check', 'config', file]),
    ),
    ...of('rules').map(({ file }) => runTool(dir, file, 'promtool check rules', promtool, ['check', 'rules', file])),
    ...of('rule-tests').map(({ file }) => runTool(dir, file, 'promtool test rules', promtool, ['test', 'rules', file])),
    ...of('alertmanager').map(({ file }) =>
      amtool === undefined
        ? Promise.resolve<CheckResult>({
            file,
            check: 'amtool check-config',
            status: 'skip',
            message: 'amtool is not installed (Debian package prometheus-alertmanager); not checked.',
          })
        : runTool(dir, file, 'amtool check-config', amtool, ['check-config', file]),
    ),
  ];
  for (const result of pending) report(await result);
  // promtool passes a test file that leaves an alert out: every alert needs a test that
  // fires it and one that keeps it quiet.
  for (const { file, content } of of('rule-tests')) report(await coverageResult(dir, file, content));

  // Recording rules define names too: alerts and dashboards may use them.
  const rules = of('rules').map((f) => ({ file: f.file, rules: rulesOf(f.content) }));
  const known = knownMetricNames(rules.flatMap((r) => r.rules.flatMap((rule) => rule.record ?? [])));
  for (const { file, rules: list } of rules) {
    const problems = list.flatMap((rule) =>
      lintPromQL(rule.expr, known).map((p) => `${rule.alert ? `alert ${rule.alert}` : `record ${rule.record}`}: ${p}`),
    );
    report(lintResult(file, problems, `${list.length} expressions`));
  }
  for (const { file, content } of of('dashboard')) {
    const exprs = dashboardExpressions(content as string);
    const problems = exprs.flatMap(({ panel, expr }) =>
      lintPromQL(expandGrafanaVariables(expr), known).map((p) => `panel "${panel}": ${p}\n    ${expr}`),
    );
    report(lintResult(file, problems, `${exprs.length} expressions`));
  }
  return { dir, ok: results.every((r) => r.status !== 'fail'), results };
}

async function coverageResult(dir: string, file: string, content: unknown): Promise<CheckResult> {
  const check = 'alert test coverage';
  const testsYaml = await readFile(join(dir, file), 'utf8');
  const ruleFiles = (content as { rule_files?: unknown }).rule_files;
  const missing: string[] = [];
  for (const ruleFile of Array.isArray(ruleFiles) ? ruleFiles : []) {
    if (typeof ruleFile !== 'string') continue;
    const rulesYaml = await readFile(join(dirname(join(dir, file)), ruleFile), 'utf8').catch(() => undefined);
    if (rulesYaml === undefined)
      return { file, check, status: 'fail', message: `rule file ${ruleFile} cannot be read` };
    missing.push(...untestedAlerts(rulesYaml, testsYaml).map((alert) => `${ruleFile}: ${alert}`));
  }
  return missing.length === 0
    ? { file, check, status: 'pass', message: 'every alert fires in one test and stays quiet in another' }
    : { file, check, status: 'fail', message: `alerts without a firing and a quiet test:\n${missing.join('\n')}` };
}

function lintResult(file: string, problems: string[], summary: string): CheckResult {
  return problems.length === 0
    ? { file, check: 'promql lint', status: 'pass', message: summary }
    : { file, check: 'promql lint', status: 'fail', message: problems.join('\n') };
}

async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    throw new VigilError(
      'VIGIL_ERR_STACK_CHECK',
      `${dir} is not a directory; run \`vigil stack init --dir ${dir}\` first or pass --dir.`,
    );
  }
}

function runTool(dir: string, file: string, check: CheckName, tool: string, args: string[]): Promise<CheckResult> {
  return new Promise((resolve) => {
    execFile(tool, args, { cwd: dir, timeout: TOOL_TIMEOUT_MS }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (error === null) resolve({ file, check, status: 'pass', message: output });
      else {
        const why = error.killed ? `timed out after ${TOOL_TIMEOUT_MS / 1000} s` : `exit code ${error.code}`;
        resolve({ file, check, status: 'fail', message: output === '' ? why : output });
      }
    });
  });
}

interface RuleJson {
  alert?: string;
  record?: string;
  expr: string;
}

function rulesOf(content: unknown): RuleJson[] {
  const groups = (content as { groups?: Array<{ rules?: unknown }> }).groups ?? [];
  return groups.flatMap((g) =>
    (Array.isArray(g?.rules) ? (g.rules as RuleJson[]) : []).filter((r) => typeof r?.expr === 'string'),
  );
}

/** Every checkable file under `dir`, recognised by its content. */
async function classify(dir: string): Promise<Classified[]> {
  const out: Classified[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) await walk(path);
        continue;
      }
      const file = relative(dir, path);
      if (/\.ya?ml$/.test(entry.name)) {
        const docs = parseAllDocuments(await readFile(path, 'utf8'));
        // Multi-document files are Kubernetes manifests: their configs are embedded strings.
        if (!Array.isArray(docs) || docs.length !== 1 || docs[0]?.errors.length) {
          if (Array.isArray(docs) && docs.length === 1) out.push({ file, kind: yamlKindByName(file), content: {} });
          continue;
        }
        const content = docs[0]?.toJS() as Record<string, unknown> | null;
        const kind = content !== null && typeof content === 'object' ? yamlKind(content) : undefined;
        if (kind !== undefined) out.push({ file, kind, content });
      } else if (entry.name.endsWith('.json') && entry.name !== 'vigil.stack.json') {
        const text = await readFile(path, 'utf8');
        if (/"panels"\s*:/.test(text)) out.push({ file, kind: 'dashboard', content: text });
      }
    }
  };
  await walk(dir);
  return out;
}

function yamlKind(content: Record<string, unknown>): Kind | undefined {
  if (Array.isArray(content.tests) && 'rule_files' in content) return 'rule-tests';
  if (Array.isArray(content.groups)) return 'rules';
  if ('scrape_configs' in content || ('global' in content && 'rule_files' in content)) return 'prometheus';
  if ('route' in content && 'receivers' in content) return 'alertmanager';
  return undefined;
}

/** A YAML file that does not parse: let the owning tool say why, picked by its name. */
function yamlKindByName(file: string): Kind {
  if (/alertmanager/.test(file)) return 'alertmanager';
  if (/test/.test(file)) return 'rule-tests';
  if (/prometheus\.ya?ml$/.test(file)) return 'prometheus';
  return 'rules';
}
