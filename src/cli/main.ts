#!/usr/bin/env node
import { Command } from 'commander';
import { printError } from './common.js';
import { registerConsole } from './console.js';
import { registerDemo } from './demo.js';
import { registerPushFile } from './push-file.js';
import { registerPushJUnit } from './push-junit.js';
import { registerRun } from './run.js';
import { registerStack } from './stack.js';

const program = new Command('vigil')
  .description('Prometheus metrics for Node services, batch jobs and test suites')
  .enablePositionalOptions()
  .showHelpAfterError(false)
  .configureOutput({
    // Commander's own usage errors get Vigil's shape: a code and a hint.
    outputError: (message, write) =>
      write(
        `error VIGIL_ERR_CLI_USAGE: ${message.replace(/^error: /, '').trim()}\nhint: run \`vigil <command> --help\` for the options and examples.\n`,
      ),
  })
  .addHelpText(
    'after',
    `
Examples:
  $ vigil demo --port 9464
  $ vigil push junit report.xml --gateway http://127.0.0.1:9091 --job pytest
  $ vigil push file metrics.prom --gateway http://127.0.0.1:9091 --job backup
  $ vigil run --job backup --gateway http://127.0.0.1:9091 -- ./backup.sh
  $ vigil stack init --dir monitoring && vigil stack check --dir monitoring
  $ vigil stack up --dir monitoring; vigil stack status --dir monitoring; vigil stack down --dir monitoring
  $ vigil console --prometheus http://127.0.0.1:9090 --alertmanager http://127.0.0.1:9093

\`vigil <command> --help\` shows each command's options and examples; --json makes the
output of push, stack and run machine-readable. --gateway defaults to
$VIGIL_PUSHGATEWAY_URL. Errors print "error VIGIL_ERR_...: ..." and a hint, and exit 1;
codes are listed in docs/errors.md.`,
  );

registerDemo(program);
const pushCommand = program
  .command('push')
  .description('push JUnit test results (push junit) or a metrics file (push file) to a Pushgateway');
registerPushJUnit(pushCommand);
registerPushFile(pushCommand);
registerRun(program);
registerStack(program);
registerConsole(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  printError(error);
  process.exitCode = 1;
}
