import type { Command } from 'commander';
import { usage } from './common.js';

/** `vigil demo`: the demo service (src/demo/main.ts) with its traffic generator. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run a demo service with metrics, traces and simulated traffic (Ctrl-C stops it)')
    .option(
      '--port <port>',
      'port of the service and its /metrics (env VIGIL_DEMO_PORT)',
      process.env.VIGIL_DEMO_PORT ?? '9464',
    )
    .option('--host <host>', 'address to listen on (env VIGIL_DEMO_HOST)', process.env.VIGIL_DEMO_HOST ?? '127.0.0.1')
    .addHelpText(
      'after',
      `
Examples:
  $ vigil demo
  $ vigil demo --port 9464 & vigil stack up --dir monitoring   # Prometheus scrapes it`,
    )
    .action(async (options: { port: string; host: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw usage(`--port must be a port number (0-65535), not ${JSON.stringify(options.port)}.`);
      }
      // The demo is a script that reads these when it is imported.
      process.env.VIGIL_DEMO_PORT = String(port);
      process.env.VIGIL_DEMO_HOST = options.host;
      await import('../demo/main.js');
    });
}
