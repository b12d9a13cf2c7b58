#!/usr/bin/env node
import { Command } from 'commander';
import { printError } from './common.js';
import { registerPushFile } from './push-file.js';
import { registerPushJUnit } from './push-junit.js';
import { registerRun } from './run.js';

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
  $ vigil push junit report.xml --gateway http://127.0.0.1:9091 --job pytest
  $ vigil run --job backup --gateway http://127.0.0.1:9091 -- ./backup.sh
  $ vigil push file metrics.prom --gateway http://127.0.0.1:9091 --job backup

--gateway defaults to $VIGIL_PUSHGATEWAY_URL. Errors print "error VIGIL_ERR_...: ..." and
exit 1; codes are listed in docs/errors.md.`,
  );

const pushCommand = program
  .command('push')
  .description('push JUnit test results (push junit) or a metrics file (push file) to a Pushgateway');
registerPushJUnit(pushCommand);
registerPushFile(pushCommand);
registerRun(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  printError(error);
  process.exitCode = 1;
}
