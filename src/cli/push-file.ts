import type { Command } from 'commander';
import { pushText } from '../push/push.js';
import { collectGrouping, type GatewayOptions, printJson, readText } from './common.js';
import { validateExposition } from './exposition.js';

interface PushFileOptions extends GatewayOptions {
  add?: boolean;
}

export function registerPushFile(pushCommand: Command): void {
  pushCommand
    .command('file')
    .description('validate a text exposition file (0.0.4) and push it as is')
    .argument('<metrics.prom>', 'the file; samples must not carry timestamps')
    .requiredOption(
      '--gateway <url>',
      'Pushgateway base URL (env VIGIL_PUSHGATEWAY_URL)',
      process.env.VIGIL_PUSHGATEWAY_URL,
    )
    .requiredOption('--job <name>', 'the job label of the group')
    .option('--grouping <name=value>', 'another grouping label (repeatable)', collectGrouping, {})
    .option('--add', 'POST: replace only the metrics with these names (default PUT: replace the group)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ vigil push file backup.prom --gateway http://127.0.0.1:9091 --job backup
  $ vigil push file stage.prom --add --gateway http://127.0.0.1:9091 --job etl --grouping stage=load`,
    )
    .action(async (path: string, options: PushFileOptions) => {
      const text = await readText(path);
      const summary = validateExposition(text);
      const result = await pushText({
        gateway: options.gateway,
        job: options.job,
        groupings: options.grouping,
        text,
        method: options.add === true ? 'POST' : 'PUT',
      });
      if (options.json === true) return printJson({ job: options.job, ...summary, push: result });
      process.stdout.write(
        `vigil: pushed ${summary.samples} samples from ${path} to ${options.gateway}, job ${options.job}\n`,
      );
    });
}
