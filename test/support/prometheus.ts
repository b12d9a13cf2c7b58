import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './components.js';
import { decodeFloat } from './floats.js';
import { freePort } from './ports.js';
import { type ManagedProcess, spawnManaged, waitForHttpReady } from './process.js';

/**
 * A real Prometheus server for tests: 127.0.0.1, a free port, a temporary directory,
 * stopped by PID. The config is written as JSON (JSON is YAML, so no escaping issues).
 *
 * Timing facts (Prometheus 2.42): ready after ~0.2 s, but the first scrape of a static
 * target happens only ~5-6 s after start (the discovery manager throttles updates to
 * one per 5 s). Use `waitForScrape` rather than sleeping.
 */

export interface ScrapeTarget {
  /** `job_name`, also the `job` label and the scrape pool name. */
  job: string;
  /** Full URL, e.g. `http://127.0.0.1:PORT/metrics?x=1`; host must be loopback. */
  url: string;
  /** Default `'1s'`. */
  scrapeInterval?: string;
  /** Default: equal to `scrapeInterval`. */
  scrapeTimeout?: string;
  honorLabels?: boolean;
  /** Extra URL parameters (merged with the query string of `url`). */
  params?: Record<string, string | readonly string[]>;
  /** Extra target labels (static_configs labels). */
  labels?: Record<string, string>;
}

export interface StartPrometheusOptions {
  targets?: readonly ScrapeTarget[];
  /** Appended to the command line, e.g. `['--enable-feature=exemplar-storage']`. */
  extraArgs?: readonly string[];
  /** Absolute paths of rule files (`rule_files`). */
  ruleFiles?: readonly string[];
  /** Rule file contents (YAML) written to `<dir>/rules-N.yml` and added to `rule_files`. */
  rules?: readonly string[];
  /** Global `evaluation_interval`; default `'1s'`. */
  evaluationInterval?: string;
  /** Merged into the top level of the config (e.g. `alerting`). */
  extraConfig?: Record<string, unknown>;
  /** Default 15 000 ms. */
  readyTimeoutMs?: number;
}

export type Labels = Record<string, string>;

export interface SampleValue {
  /** Seconds since the epoch (Prometheus sends milliseconds as a fraction). */
  timestamp: number;
  value: number;
  /** The value as Prometheus printed it ("NaN", "+Inf", "0.1"). */
  valueText: string;
}

export interface VectorSample extends SampleValue {
  metric: Labels;
}

export interface MatrixSeries {
  metric: Labels;
  values: SampleValue[];
}

export type QueryResult =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'scalar'; result: SampleValue }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'string'; result: { timestamp: number; value: string } };

export interface ExemplarSeries {
  seriesLabels: Labels;
  exemplars: Array<{ labels: Labels; value: number; valueText: string; timestamp: number }>;
}

/** One entry of `/api/v1/targets` `activeTargets`. */
export interface ActiveTarget {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  /** RFC 3339; `0001-01-01T00:00:00Z` before the first scrape. */
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface WaitForScrapeOptions {
  /** Default 20 000 ms (the first scrape alone takes ~5-6 s). */
  timeoutMs?: number;
  /** Only a scrape that started after this instant counts (for "scrape again"). */
  since?: Date;
}

export interface PrometheusHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  pid: number;
  /** Temporary directory holding prometheus.yml and data/; removed by stop(). */
  dir: string;
  /** The config as written. */
  config: Record<string, unknown>;
  /** Instant query (`/api/v1/query`); `time` is a Date or seconds since the epoch. */
  query(promql: string, time?: Date | number): Promise<QueryResult>;
  /** Instant query that must return a vector. */
  queryVector(promql: string, time?: Date | number): Promise<VectorSample[]>;
  /** Exemplars (`/api/v1/query_exemplars`); needs `--enable-feature=exemplar-storage`. */
  queryExemplars(promql: string, start: Date | number, end: Date | number): Promise<ExemplarSeries[]>;
  /** `/api/v1/targets` activeTargets. */
  targets(): Promise<ActiveTarget[]>;
  /**
   * Resolves when the job's target has been scraped with health "up" AND that scrape's
   * samples are queryable (`timestamp(up{job=...})` has caught up). Rejects at the
   * timeout with the target's health and lastError.
   */
  waitForScrape(job: string, options?: WaitForScrapeOptions): Promise<ActiveTarget>;
  /** Prometheus' own log (stderr) so far. */
  logs(): string;
  /** SIGTERM, SIGKILL after 5 s; removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 5_000;
const ZERO_TIME = '0001-01-01T00:00:00Z';

// ---- helpers ------------------------------------------------------------------------

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function scrapeConfig(t: ScrapeTarget): Record<string, unknown> {
  const url = new URL(t.url);
  if (!LOOPBACK.has(url.hostname)) {
    throw new Error(`startPrometheus: target ${t.url} is not on 127.0.0.1; tests only talk to loopback`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`startPrometheus: target ${t.url} must be http(s)`);
  }
  const params: Record<string, string[]> = {};
  const add = (key: string, values: readonly string[]) => {
    params[key] = [...(params[key] ?? []), ...values];
  };
  for (const [key, value] of url.searchParams) add(key, [value]);
  for (const [key, value] of Object.entries(t.params ?? {})) add(key, typeof value === 'string' ? [value] : value);
  const interval = t.scrapeInterval ?? '1s';
  const config: Record<string, unknown> = {
    job_name: t.job,
    scrape_interval: interval,
    scrape_timeout: t.scrapeTimeout ?? interval,
    scheme: url.protocol.slice(0, -1),
    metrics_path: url.pathname,
    honor_labels: t.honorLabels ?? false,
    static_configs: [{ targets: [url.host], ...(t.labels ? { labels: t.labels } : {}) }],
  };
  if (Object.keys(params).length > 0) config.params = params;
  return config;
}

function toSeconds(time: Date | number): string {
  return String(typeof time === 'number' ? time : time.getTime() / 1000);
}

function sampleValue([timestamp, valueText]: [number, string]): SampleValue {
  return { timestamp, value: decodeFloat(valueText), valueText };
}

interface ApiEnvelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- start --------------------------------------------------------------------------

export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<PrometheusHandle> {
  const binary = requireBinary('/usr/bin/prometheus', 'prometheus');
  const scrapeConfigs = (options.targets ?? []).map(scrapeConfig);
  // The free port may be taken between freePort() and the bind: retry a few times.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-prometheus-'));
    let proc: ManagedProcess | undefined;
    try {
      const ruleFiles = [...(options.ruleFiles ?? [])];
      (options.rules ?? []).forEach((content, i) => {
        const path = join(dir, `rules-${i}.yml`);
        writeFileSync(path, content);
        ruleFiles.push(path);
      });
      const config: Record<string, unknown> = {
        global: {
          scrape_interval: '1s',
          scrape_timeout: '1s',
          evaluation_interval: options.evaluationInterval ?? '1s',
        },
        scrape_configs: scrapeConfigs,
        ...(ruleFiles.length > 0 ? { rule_files: ruleFiles } : {}),
        ...options.extraConfig,
      };
      const configFile = join(dir, 'prometheus.yml');
      writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      proc = spawnManaged(
        binary,
        [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--web.enable-lifecycle',
          ...(options.extraArgs ?? []),
        ],
        { cwd: dir, dir },
      );
      await waitForHttpReady(proc, `${url}/-/ready`, { timeoutMs: options.readyTimeoutMs ?? 15_000 });
      return handle(proc, url, port, dir, config);
    } catch (error) {
      lastError = error;
      await proc?.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
      if (!/address already in use/i.test(String(error))) break;
    }
  }
  throw lastError;
}

function handle(
  proc: ManagedProcess,
  url: string,
  port: number,
  dir: string,
  config: Record<string, unknown>,
): PrometheusHandle {
  async function api<T>(path: string, params: Record<string, string>): Promise<T> {
    const search = new URLSearchParams(params).toString();
    const res = await fetch(`${url}${path}${search ? `?${search}` : ''}`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = await res.text();
    let parsed: ApiEnvelope<T>;
    try {
      parsed = JSON.parse(body) as ApiEnvelope<T>;
    } catch {
      throw new Error(`prometheus ${path} answered ${res.status} with non-JSON: ${body.slice(0, 500)}`);
    }
    if (parsed.status !== 'success' || parsed.data === undefined) {
      throw new Error(
        `prometheus ${path} ${JSON.stringify(params)} failed (${res.status}): ${parsed.errorType}: ${parsed.error}`,
      );
    }
    return parsed.data;
  }

  async function query(promql: string, time?: Date | number): Promise<QueryResult> {
    type Raw =
      | { resultType: 'vector'; result: Array<{ metric: Labels; value: [number, string] }> }
      | { resultType: 'scalar'; result: [number, string] }
      | { resultType: 'matrix'; result: Array<{ metric: Labels; values: Array<[number, string]> }> }
      | { resultType: 'string'; result: [number, string] };
    const raw = await api<Raw>('/api/v1/query', {
      query: promql,
      ...(time === undefined ? {} : { time: toSeconds(time) }),
    });
    switch (raw.resultType) {
      case 'vector':
        return {
          resultType: 'vector',
          result: raw.result.map((s) => ({ metric: s.metric, ...sampleValue(s.value) })),
        };
      case 'scalar':
        return { resultType: 'scalar', result: sampleValue(raw.result) };
      case 'matrix':
        return {
          resultType: 'matrix',
          result: raw.result.map((s) => ({ metric: s.metric, values: s.values.map(sampleValue) })),
        };
      case 'string':
        return { resultType: 'string', result: { timestamp: raw.result[0], value: raw.result[1] } };
    }
  }

  async function queryVector(promql: string, time?: Date | number): Promise<VectorSample[]> {
    const result = await query(promql, time);
    if (result.resultType !== 'vector') {
      throw new Error(`query ${promql} returned a ${result.resultType}, not a vector`);
    }
    return result.result;
  }

  async function queryExemplars(promql: string, start: Date | number, end: Date | number): Promise<ExemplarSeries[]> {
    type Raw = Array<{
      seriesLabels: Labels;
      exemplars: Array<{ labels: Labels; value: string; timestamp: number }>;
    }>;
    const raw = await api<Raw>('/api/v1/query_exemplars', {
      query: promql,
      start: toSeconds(start),
      end: toSeconds(end),
    });
    return raw.map((series) => ({
      seriesLabels: series.seriesLabels,
      exemplars: series.exemplars.map((e) => ({
        labels: e.labels,
        value: decodeFloat(e.value),
        valueText: e.value,
        timestamp: e.timestamp,
      })),
    }));
  }

  async function targets(): Promise<ActiveTarget[]> {
    const data = await api<{ activeTargets: ActiveTarget[] }>('/api/v1/targets', { state: 'active' });
    return data.activeTargets;
  }

  async function waitForScrape(job: string, opts: WaitForScrapeOptions = {}): Promise<ActiveTarget> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const sinceMs = opts.since?.getTime() ?? 0;
    const until = Date.now() + timeoutMs;
    let last: ActiveTarget | undefined;
    let lastProblem = 'no target seen yet';
    const selector = `timestamp(up{job=${JSON.stringify(job)}})`;
    while (Date.now() < until) {
      if (proc.exitStatus()) throw new Error(`prometheus exited while waiting for job ${job}\n${proc.describe()}`);
      try {
        const all = await targets();
        last = all.find((t) => t.scrapePool === job || t.labels.job === job);
        if (last === undefined) {
          lastProblem = `no active target for job "${job}" (pools: ${[...new Set(all.map((t) => t.scrapePool))].join(', ') || 'none'})`;
        } else if (last.lastScrape === ZERO_TIME || Date.parse(last.lastScrape) < sinceMs) {
          lastProblem = `not scraped yet (health ${last.health})`;
        } else if (last.health !== 'up') {
          lastProblem = `health ${last.health}, lastError: ${last.lastError}`;
        } else {
          // The target's status is updated before the scrape is committed to the TSDB.
          const samples = await queryVector(selector);
          const newest = Math.max(...samples.map((s) => s.value * 1000));
          if (samples.length > 0 && newest >= sinceMs) {
            return last;
          }
          lastProblem = 'scraped, but the samples are not queryable yet';
        }
      } catch (error) {
        lastProblem = `API error: ${(error as Error).message}`;
      }
      await sleep(200);
    }
    throw new Error(
      `job "${job}" was not scraped successfully within ${timeoutMs} ms: ${lastProblem}` +
        (last ? `\ntarget: ${JSON.stringify(last)}` : ''),
    );
  }

  return {
    url,
    port,
    pid: proc.pid,
    dir,
    config,
    query,
    queryVector,
    queryExemplars,
    targets,
    waitForScrape,
    logs: proc.logs,
    stop: () => proc.stop(),
  };
}
