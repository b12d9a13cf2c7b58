import { readFile } from 'node:fs/promises';
import { extname, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { VigilError } from '../metrics/errors.js';
import { durationSeconds, formatDuration } from './duration.js';

/**
 * The one input of `vigil stack init`: which services to scrape, where each component
 * listens, alert thresholds and `for:` durations, the anomaly band, and where receivers'
 * secrets come from. Everything has a default, so `{}` is a valid config.
 */

/** A Prometheus duration: `30s`, `5m`, `1h30m`, `0s`. */
const duration = z
  .string()
  .regex(/^(0|(\d+(ms|s|m|h|d|w|y))+)$/, 'must be a Prometheus duration such as "30s", "5m" or "1h"');
const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, such as "127.0.0.1:9090"');
const severity = z.enum(['critical', 'warning', 'info']);

/** A secret is named, never written: a file Alertmanager reads, or a variable `stack up` reads. */
const secret = z
  .object({ file: z.string().min(1).optional(), env: z.string().min(1).optional() })
  .strict()
  .refine((s) => (s.file === undefined) !== (s.env === undefined), 'set exactly one of "file" or "env"');

const alert = <T extends z.ZodRawShape>(shape: T, forDefault: string, severityDefault: 'critical' | 'warning') =>
  z
    .object({
      enabled: z.boolean().default(true),
      for: duration.default(forDefault),
      severity: severity.default(severityDefault),
      ...shape,
    })
    .strict()
    // Every field has a default, so {} is valid input; zod cannot see that through the generic shape.
    .prefault({} as never);

const service = z
  .object({
    name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_-]*$/, 'must be a job name: letters, digits, "_" and "-"'),
    targets: z.array(hostPort).min(1),
    metricsPath: z.string().startsWith('/').default('/metrics'),
    scrapeInterval: duration.optional(),
  })
  .strict();

export const stackConfigSchema = z
  .object({
    /** Used in dashboard titles, the Grafana folder and the k8s namespace. */
    project: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and "-"')
      .default('vigil'),
    services: z.array(service).default([{ name: 'app', targets: ['127.0.0.1:9464'], metricsPath: '/metrics' }]),
    prometheus: z
      .object({
        listen: hostPort.default('127.0.0.1:9090'),
        scrapeInterval: duration.default('15s'),
        evaluationInterval: duration.default('15s'),
        retention: duration.default('15d'),
        /** Range of rate() and histogram_quantile() in rules; short (e.g. "30s") for fast end-to-end tests. */
        rateWindow: duration.default('5m'),
        externalLabels: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .prefault({}),
    pushgateway: z
      .object({ enabled: z.boolean().default(true), listen: hostPort.default('127.0.0.1:9091') })
      .strict()
      .prefault({}),
    alertmanager: z
      .object({
        enabled: z.boolean().default(true),
        listen: hostPort.default('127.0.0.1:9093'),
        groupBy: z.array(z.string()).default(['alertname', 'job']),
        groupWait: duration.default('30s'),
        groupInterval: duration.default('5m'),
        repeatInterval: duration.default('4h'),
        slack: z
          .object({ channel: z.string().min(1), apiUrl: secret })
          .strict()
          .optional(),
        pagerduty: z.object({ routingKey: secret }).strict().optional(),
        webhooks: z
          .array(
            z
              .object({ name: z.string().min(1), url: z.string().url(), sendResolved: z.boolean().default(true) })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    victoriaMetrics: z
      .object({
        enabled: z.boolean().default(false),
        listen: hostPort.default('127.0.0.1:8428'),
        retention: duration.default('30d'),
      })
      .strict()
      .prefault({}),
    grafana: z
      .object({
        /** The Prometheus URL as Grafana sees it (compose/k8s service name by default). */
        prometheusUrl: z.string().url().default('http://prometheus:9090'),
        /** Host port of Grafana in docker-compose. */
        listen: hostPort.default('127.0.0.1:3000'),
        folder: z.string().min(1).default('Vigil'),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        errorRate: alert({ threshold: z.number().gt(0).lt(1).default(0.05) }, '5m', 'critical'),
        latencyP95: alert({ thresholdSeconds: z.number().positive().default(0.5) }, '10m', 'warning'),
        targetDown: alert({}, '2m', 'critical'),
        inFlight: alert({ threshold: z.number().positive().default(100) }, '5m', 'warning'),
        memoryGrowth: alert(
          { bytesPerHour: z.number().positive().default(100e6), window: duration.default('1h') },
          '30m',
          'warning',
        ),
        eventLoopLag: alert({ thresholdSeconds: z.number().positive().default(0.2) }, '5m', 'warning'),
        testFailureRate: alert({ threshold: z.number().gt(0).lt(1).default(0.05) }, '0s', 'warning'),
        testLatencyRegression: alert({ thresholdSeconds: z.number().positive().default(1) }, '0s', 'warning'),
        testMemoryGrowth: alert({ bytes: z.number().positive().default(50e6) }, '0s', 'warning'),
        testThroughput: alert({ minOpsPerSecond: z.number().positive().default(1) }, '0s', 'warning'),
        pushFailure: alert({}, '0s', 'warning'),
        stalePush: alert({ maxAgeSeconds: z.number().positive().default(86_400) }, '0s', 'warning'),
      })
      .strict()
      .prefault({}),
    anomaly: z
      .object({
        enabled: z.boolean().default(true),
        /** Window of the baseline average and standard deviation. */
        window: duration.default('1d'),
        /** How far back the baseline ends, so an anomaly does not teach itself. */
        offset: duration.default('1h'),
        /** Below ~1.5 ordinary noise (one standard deviation either side) would fire it. */
        stddevs: z.number().min(1.5).default(3),
        for: duration.default('10m'),
        severity: severity.default('warning'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Each service is a Prometheus job; job names must be unique, and the components have their own.
    const taken = new Set(['prometheus', 'pushgateway', 'alertmanager']);
    config.services.forEach((service, i) => {
      if (taken.has(service.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'name'],
          message: `"${service.name}" is already a job name (prometheus, pushgateway, alertmanager and each service have one); choose another`,
        });
      }
      taken.add(service.name);
    });
    // The baseline must end before the anomaly begins, or the anomaly teaches itself.
    const needed = durationSeconds(config.anomaly.for) + 2 * durationSeconds(config.prometheus.rateWindow);
    if (config.anomaly.enabled && durationSeconds(config.anomaly.offset) <= needed) {
      ctx.addIssue({
        code: 'custom',
        path: ['anomaly', 'offset'],
        message: `must be longer than anomaly.for + 2 × prometheus.rateWindow (${formatDuration(needed)}), so an anomaly stays out of its own baseline`,
      });
    }
  });

export type StackConfig = z.output<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;

/** Validates a config object; the error names every bad field and what it must be. */
export function parseStackConfig(input: unknown, source = 'config'): StackConfig {
  const result = stackConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length === 0 ? '(top level)' : issue.path.join('.');
    return `  ${field}: ${issue.message}`;
  });
  throw new VigilError(
    'VIGIL_ERR_STACK_CONFIG',
    `${source} is invalid:\n${problems.join('\n')}\nFix the fields above (see docs/stack.md for every field and its default).`,
  );
}

export function defaultStackConfig(): StackConfig {
  return parseStackConfig({});
}

/** Node 20 cannot import .ts, so tsx (an optional dev dependency) compiles it on the fly. */
async function importTypeScript(path: string): Promise<unknown> {
  let tsImport: (specifier: string, parentURL: string) => Promise<{ default?: unknown }>;
  try {
    // A variable specifier keeps bundlers from inlining tsx.
    const specifier = 'tsx/esm/api';
    ({ tsImport } = (await import(specifier)) as { tsImport: typeof tsImport });
  } catch (error) {
    throw new VigilError(
      'VIGIL_ERR_STACK_CONFIG',
      `${path}: loading a .ts config needs tsx; install it (npm install -D tsx) or use vigil.config.json or .yaml.`,
      { cause: error },
    );
  }
  const module = await tsImport(pathToFileURL(resolvePath(path)).href, import.meta.url);
  // tsx may wrap a CommonJS-compiled module's default once more.
  const value = module.default;
  return value !== null && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1
    ? (value as { default: unknown }).default
    : value;
}

/** Reads vigil.config.json, .yaml/.yml or .ts/.js/.mjs (default export). */
export async function loadStackConfig(path: string): Promise<StackConfig> {
  const extension = extname(path).toLowerCase();
  let raw: unknown;
  try {
    if (extension === '.json') raw = JSON.parse(await readFile(path, 'utf8'));
    else if (extension === '.yaml' || extension === '.yml') raw = parseYaml(await readFile(path, 'utf8'));
    else if (['.js', '.mjs'].includes(extension)) {
      raw = ((await import(pathToFileURL(resolvePath(path)).href)) as { default?: unknown }).default;
    } else if (['.ts', '.mts'].includes(extension)) raw = await importTypeScript(path);
    else {
      throw new VigilError(
        'VIGIL_ERR_STACK_CONFIG',
        `${path}: unknown config type "${extension}"; use .json, .yaml, .yml or .ts.`,
      );
    }
  } catch (error) {
    if (error instanceof VigilError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new VigilError('VIGIL_ERR_STACK_CONFIG', `${path} could not be read: ${reason}`, { cause: error });
  }
  return parseStackConfig(raw, path);
}
