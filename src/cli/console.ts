import type { Command } from 'commander';
import { collectDefaultMetrics } from '../collectors/index.js';
import { startConsole } from '../console/server.js';
import { Registry } from '../metrics/index.js';
import { usage } from './common.js';

interface ConsoleCliOptions {
  prometheus?: string;
  alertmanager?: string;
  pushgateway?: string;
  port: string;
  host: string;
  token?: string;
  cors?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `vigil console`: the console on its own, reading the given sources (or the environment's
 * VIGIL_*_URL). Its own process metrics fill health and the overview in embedded mode.
 */
export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('serve the Vigil console: metrics, PromQL, alerts, traces (OTLP at /v1/traces) and test runs')
    .option(
      '--prometheus <url>',
      'Prometheus or VictoriaMetrics base URL (env VIGIL_PROMETHEUS_URL); none: embedded history',
    )
    .option('--alertmanager <url>', 'Alertmanager base URL (env VIGIL_ALERTMANAGER_URL)')
    .option('--pushgateway <url>', 'Pushgateway base URL (env VIGIL_PUSHGATEWAY_URL)')
    .option('--port <port>', 'port to listen on (0: a free one)', '9400')
    .option('--host <host>', 'address to bind; 0.0.0.0 exposes the console to the network', '127.0.0.1')
    .option('--token <token>', 'require this token for the page, the API and /v1/traces (env VIGIL_CONSOLE_TOKEN)')
    .option('--cors <origin>', 'an origin allowed to call the API from a browser (repeatable)', collect)
    .addHelpText(
      'after',
      `
Examples:
  $ vigil console
  $ vigil console --prometheus http://127.0.0.1:9090 --alertmanager http://127.0.0.1:9093
  $ vigil console --pushgateway http://127.0.0.1:9091 --port 0 --token "$(openssl rand -hex 16)"`,
    )
    .action(async (options: ConsoleCliOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw usage(`--port must be a whole number 0-65535, got ${JSON.stringify(options.port)}.`);
      }
      const registry = new Registry();
      const collectors = collectDefaultMetrics({ registry });
      const token = options.token ?? (process.env.VIGIL_CONSOLE_TOKEN || undefined);
      let running: Awaited<ReturnType<typeof startConsole>>;
      try {
        running = await startConsole({
          registry,
          port,
          host: options.host,
          ...(options.prometheus ? { prometheusUrl: options.prometheus } : {}),
          ...(options.alertmanager ? { alertmanagerUrl: options.alertmanager } : {}),
          ...(options.pushgateway ? { pushgatewayUrl: options.pushgateway } : {}),
          ...(token ? { token } : {}),
          ...(options.cors ? { corsOrigins: options.cors } : {}),
        });
      } catch (error) {
        collectors.stop();
        throw error;
      }
      process.stdout.write(
        `Vigil console at ${running.url} (${running.mode} mode; OTLP traces at ${running.url}v1/traces). Ctrl-C to stop.\n`,
      );
      if (token) process.stdout.write(`Open ${running.url}?token=<token> once in the browser to sign in.\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.stdout.write(`\n${signal}: stopping the console.\n`);
          collectors.stop();
          void running.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
