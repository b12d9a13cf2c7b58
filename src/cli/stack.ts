import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { VigilError } from '../metrics/errors.js';
import type { CheckResult } from '../stack/check.js';
import type { StackConfig } from '../stack/config.js';
import { printJson } from './common.js';

// The stack modules (Grafana SDK, PromQL grammar, YAML) load only when a stack command
// runs, so `vigil push ...` and `vigil --help` do not pay for them.
const configModule = () => import('../stack/config.js');
const local = () => import('../stack/local.js');

interface DirOptions {
  dir: string;
  json?: boolean;
}

/** Progress goes to stderr, so stdout stays the result (and valid JSON with --json). */
const progress = (line: string) => process.stderr.write(`vigil: ${line}\n`);

const CONFIG_CANDIDATES = ['vigil.config.ts', 'vigil.config.json', 'vigil.config.yaml', 'vigil.config.yml'];

async function resolveConfig(path: string | undefined): Promise<{ config: StackConfig; source: string }> {
  const { defaultStackConfig, loadStackConfig } = await configModule();
  if (path !== undefined) return { config: await loadStackConfig(path), source: path };
  for (const candidate of CONFIG_CANDIDATES) {
    const found = await access(candidate).then(
      () => true,
      () => false,
    );
    if (found) return { config: await loadStackConfig(candidate), source: candidate };
  }
  return { config: defaultStackConfig(), source: 'the defaults' };
}

function printResult(result: CheckResult): void {
  const status = result.status.toUpperCase().padEnd(4);
  let text = `${status} ${result.file}  ${result.check}\n`;
  if (result.status !== 'pass' && result.message !== '') {
    text += `${result.message.replace(/^/gm, '       ')}\n`;
  }
  process.stdout.write(text);
}

export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description('generate, check and run the monitoring stack: Prometheus, Pushgateway, Alertmanager, Grafana')
    .addHelpText(
      'after',
      `
Examples:
  $ vigil stack init --dir monitoring --config vigil.config.yaml
  $ vigil stack check --dir monitoring
  $ vigil stack up --dir monitoring
  $ vigil stack status --dir monitoring --json
  $ vigil stack down --dir monitoring

With Docker instead of local binaries: \`docker compose up -d\` in the stack directory.`,
    );

  stack
    .command('init')
    .description('write Prometheus, alert rules and their tests, Alertmanager, Grafana, compose and Kubernetes files')
    .option('--dir <dir>', 'the stack directory', 'monitoring')
    .option(
      '--config <file>',
      'vigil.config.(json|yaml|ts); default: one of those in the current directory, else the defaults',
    )
    .option('--force', 'overwrite files that already exist')
    .option('--json', 'print the written files as JSON')
    .addHelpText('after', '\nExample:\n  $ vigil stack init --dir monitoring --config vigil.config.yaml')
    .action(async (options: DirOptions & { config?: string; force?: boolean }) => {
      const { config, source } = await resolveConfig(options.config);
      const { writeStack } = await import('../stack/generate.js');
      const files = await writeStack(options.dir, config, { force: options.force === true });
      if (options.json === true) return printJson({ dir: options.dir, config: source, files });
      for (const file of files) process.stdout.write(`wrote ${file}\n`);
      process.stdout.write(
        `vigil: ${files.length} files in ${options.dir} from ${source}. Next: vigil stack check --dir ${options.dir}\n`,
      );
    });

  stack
    .command('check')
    .description('run promtool, amtool and the PromQL/metric-name lint on every file of the stack')
    .option('--dir <dir>', 'the stack directory', 'monitoring')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExample:\n  $ vigil stack check --dir monitoring')
    .action(async (options: DirOptions) => {
      const { checkStack } = await import('../stack/check.js');
      const report = await checkStack(options.dir, { onResult: options.json === true ? undefined : printResult });
      if (options.json === true) printJson(report);
      const failed = report.results.filter((r) => r.status === 'fail');
      if (failed.length > 0) {
        const files = [...new Set(failed.map((r) => r.file))].join(', ');
        throw new VigilError(
          'VIGIL_ERR_STACK_CHECK',
          `${failed.length} of ${report.results.length} checks failed: ${files}`,
        );
      }
      if (options.json !== true) {
        process.stdout.write(`vigil: all ${report.results.length} checks passed in ${options.dir}\n`);
      }
    });

  stack
    .command('up')
    .description('start Prometheus, Pushgateway and Alertmanager on 127.0.0.1 from installed binaries')
    .option('--dir <dir>', 'the stack directory', 'monitoring')
    .option('--victoria-metrics', 'also start VictoriaMetrics')
    .option('--timeout <seconds>', 'how long each component may take to become ready', '60')
    .option('--json', 'print the started components as JSON')
    .addHelpText('after', '\nExample:\n  $ vigil stack up --dir monitoring --victoria-metrics')
    .action(async (options: DirOptions & { victoriaMetrics?: boolean; timeout: string }) => {
      const timeoutMs = Number(options.timeout) * 1000;
      if (!(timeoutMs > 0))
        throw new VigilError('VIGIL_ERR_CLI_USAGE', '--timeout must be a positive number of seconds.');
      const { stackDown, stackUp } = await local();
      // The components run in their own session, so Ctrl-C does not reach them: stop them here.
      const interrupted = () => {
        progress('interrupted: stopping what was started ...');
        void stackDown(options.dir, { onProgress: progress }).finally(() => process.exit(130));
      };
      process.once('SIGINT', interrupted);
      const state = await stackUp(options.dir, {
        victoriaMetrics: options.victoriaMetrics === true,
        onProgress: progress,
        timeoutMs,
      }).finally(() => process.off('SIGINT', interrupted));
      if (options.json === true) return printJson(state);
      for (const c of state.components) process.stdout.write(`${c.name.padEnd(17)} ${c.url}  pid ${c.pid}\n`);
      process.stdout.write(
        `vigil: stack running; logs in ${options.dir}/.data/. Stop it with: vigil stack down --dir ${options.dir}\n`,
      );
    });

  stack
    .command('down')
    .description('stop exactly the processes `vigil stack up` started')
    .option('--dir <dir>', 'the stack directory', 'monitoring')
    .option('--json', 'print what was stopped as JSON')
    .addHelpText('after', '\nExample:\n  $ vigil stack down --dir monitoring')
    .action(async (options: DirOptions) => {
      const { stackDown } = await local();
      const results = await stackDown(options.dir, { onProgress: options.json === true ? undefined : progress });
      if (options.json === true) printJson(results);
    });

  stack
    .command('status')
    .description('show each component: running or stopped, pid, URL, ready')
    .option('--dir <dir>', 'the stack directory', 'monitoring')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', '\nExample:\n  $ vigil stack status --dir monitoring --json')
    .action(async (options: DirOptions) => {
      const { stackStatus } = await local();
      const status = await stackStatus(options.dir);
      if (options.json === true) return printJson(status);
      for (const c of status.components) {
        const pid = c.pid === undefined ? '-' : String(c.pid);
        const ready = c.state === 'running' ? (c.ready ? 'ready' : 'not ready') : '';
        process.stdout.write(
          `${c.name.padEnd(17)} ${c.state.padEnd(8)} pid ${pid.padEnd(8)} ${c.url}  ${ready}`.trimEnd(),
        );
        process.stdout.write('\n');
      }
    });
}
