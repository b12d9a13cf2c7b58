import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueryError } from '../query/index.js';
import { fromAlertmanager, fromPrometheus } from './alerts.js';
import type {
  AlertsResponse,
  LabelsResponse,
  MetricsResponse,
  QueryResponse,
  SeriesResponse,
  SourceName,
  TestsResponse,
  TracesResponse,
} from './api-types.js';
import type { ConsoleContext } from './context.js';
import { embeddedLabels, embeddedQuery, embeddedQueryRange, embeddedSeries } from './embedded.js';
import { health } from './health.js';
import { overview } from './overview.js';
import { HttpError, sendError, sendJson } from './respond.js';
import { durationTrend, testRunOf } from './tests.js';

type Route = (ctx: ConsoleContext, url: URL, signal: AbortSignal) => Promise<unknown>;

function badRequest(message: string): HttpError {
  return new HttpError(400, 'VIGIL_ERR_CONSOLE_REQUEST', message);
}

function required(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (value === null || value.trim() === '') throw badRequest(`the "${name}" parameter is required.`);
  return value;
}

/** A Prometheus time: Unix seconds or RFC 3339. */
function time(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (Number.isFinite(n)) return n;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw badRequest(`"${name}" must be Unix seconds or RFC 3339, got ${JSON.stringify(raw)}.`);
  return ms / 1000;
}

function positiveNumber(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw badRequest(`"${name}" must be a non-negative number, got ${JSON.stringify(raw)}.`);
  return n;
}

/** Prometheus-style durations (`15s`, `1m`) or seconds. */
function step(url: URL, start: number, end: number): number {
  const raw = url.searchParams.get('step');
  if (raw === null || raw === '') return Math.max(1, Math.ceil((end - start) / 250));
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[match?.[2] ?? 's'] ?? 1;
  const value = match ? Number(match[1]) * unit : Number.NaN;
  if (!(value > 0)) throw badRequest(`"step" must be a positive duration, got ${JSON.stringify(raw)}.`);
  if ((end - start) / value > 11_000)
    throw badRequest('too many points (over 11,000); raise "step" or shorten the range.');
  return value;
}

function notConfigured(source: SourceName, flag: string, env: string, what: string): HttpError {
  return new HttpError(
    503,
    'VIGIL_ERR_SOURCE_UNREACHABLE',
    `no ${source === 'prometheus' ? 'Prometheus' : source === 'alertmanager' ? 'Alertmanager' : 'Pushgateway'} is configured, so ${what} cannot be shown; start the console with ${flag} URL or set ${env}.`,
    { source },
  );
}

const embeddedHistory = (ctx: ConsoleContext) => {
  if (ctx.history === undefined) throw new Error('the embedded history is off in Prometheus mode');
  return ctx.history;
};

const routes: Record<string, Route> = {
  health: (ctx) => health(ctx),

  async metrics(ctx, url) {
    const search = (url.searchParams.get('search') ?? '').toLowerCase();
    const families = await ctx.options.registry.snapshot();
    const out: MetricsResponse = {
      families: families
        .filter((f) => search === '' || f.name.toLowerCase().includes(search) || f.help.toLowerCase().includes(search))
        .map((f) => ({
          name: f.name,
          type: f.type,
          help: f.help,
          unit: f.unit,
          series: f.series.map((s) =>
            'value' in s
              ? { labels: s.labels, value: s.value }
              : { labels: s.labels, value: null, count: s.count, sum: s.sum },
          ),
        })),
    };
    return out;
  },

  async query(ctx, url, signal) {
    const query = required(url, 'query');
    const now = Date.now() / 1000;
    if (ctx.prometheus) {
      const t = url.searchParams.get('time');
      const { data, warnings } = await ctx.prometheus.query(query, {
        signal,
        ...(t ? { time: time(url, 'time', now) } : {}),
      });
      return { source: 'prometheus', data, ...(warnings.length ? { warnings } : {}) } satisfies QueryResponse;
    }
    return {
      source: 'embedded',
      data: embeddedQuery(embeddedHistory(ctx), query, time(url, 'time', now)),
    } satisfies QueryResponse;
  },

  async query_range(ctx, url, signal) {
    const query = required(url, 'query');
    const end = time(url, 'end', Date.now() / 1000);
    const start = time(url, 'start', end - 900);
    if (start > end) throw badRequest('"start" is after "end".');
    const s = step(url, start, end);
    if (ctx.prometheus) {
      const { data, warnings } = await ctx.prometheus.queryRange(query, { start, end, step: s, signal });
      return { source: 'prometheus', data, ...(warnings.length ? { warnings } : {}) } satisfies QueryResponse;
    }
    return {
      source: 'embedded',
      data: embeddedQueryRange(embeddedHistory(ctx), query, start, end, s),
    } satisfies QueryResponse;
  },

  async series(ctx, url, signal) {
    const match = url.searchParams.getAll('match[]').filter((m) => m.trim() !== '');
    if (match.length === 0) throw badRequest('at least one "match[]" selector is required, e.g. match[]=up.');
    if (ctx.prometheus) {
      const start = url.searchParams.get('start');
      const end = url.searchParams.get('end');
      const { data } = await ctx.prometheus.series(match, {
        signal,
        ...(start ? { start: time(url, 'start', 0) } : {}),
        ...(end ? { end: time(url, 'end', 0) } : {}),
      });
      return { source: 'prometheus', data } satisfies SeriesResponse;
    }
    return { source: 'embedded', data: embeddedSeries(embeddedHistory(ctx), match) } satisfies SeriesResponse;
  },

  async labels(ctx, _url, signal) {
    if (ctx.prometheus) {
      const { data } = await ctx.prometheus.labels({ signal });
      return { source: 'prometheus', data } satisfies LabelsResponse;
    }
    return { source: 'embedded', data: embeddedLabels(embeddedHistory(ctx)) } satisfies LabelsResponse;
  },

  overview: (ctx, url, signal) => {
    const range = positiveNumber(url, 'range') ?? 900;
    if (range < 10 || range > 7 * 86_400) throw badRequest('"range" must be 10 to 604800 seconds.');
    return overview(ctx, range, signal);
  },

  async alerts(ctx, _url, signal) {
    if (ctx.alertmanager) {
      const alerts = await ctx.alertmanager.alerts({ signal });
      return { source: 'alertmanager', alerts: alerts.map(fromAlertmanager) } satisfies AlertsResponse;
    }
    if (ctx.prometheus) {
      const { data } = await ctx.prometheus.alerts({ signal });
      return { source: 'prometheus', alerts: data.map(fromPrometheus) } satisfies AlertsResponse;
    }
    throw notConfigured('alertmanager', '--alertmanager (or --prometheus)', 'VIGIL_ALERTMANAGER_URL', 'alerts');
  },

  async traces(ctx, url) {
    const status = url.searchParams.get('status') || undefined;
    if (status !== undefined && !['ok', 'error', 'unset'].includes(status)) {
      throw badRequest(`"status" must be ok, error or unset, got ${JSON.stringify(status)}.`);
    }
    const limit = positiveNumber(url, 'limit');
    const minDurationMs = positiveNumber(url, 'minDurationMs');
    const out: TracesResponse = {
      traces: ctx.spans.list({
        ...(url.searchParams.get('service') ? { service: url.searchParams.get('service') as string } : {}),
        ...(url.searchParams.get('name') ? { name: url.searchParams.get('name') as string } : {}),
        ...(minDurationMs !== undefined ? { minDurationMs } : {}),
        ...(status !== undefined ? { status: status as 'ok' | 'error' | 'unset' } : {}),
        ...(limit !== undefined ? { limit: Math.min(1000, Math.floor(limit)) } : {}),
      }),
      store: ctx.spans.stats(),
    };
    return out;
  },

  async tests(ctx, _url, signal) {
    if (ctx.pushgateway === undefined) {
      throw notConfigured('pushgateway', '--pushgateway', 'VIGIL_PUSHGATEWAY_URL', 'test runs');
    }
    const groups = await ctx.pushgateway.groups({ signal });
    const runs = groups.filter((g) => g.families.has('vigil_tests_total')).map(testRunOf);
    const warnings: string[] = [];
    if (ctx.prometheus) {
      const prometheus = ctx.prometheus;
      await Promise.all(
        runs.map(async (run) => {
          try {
            run.durationTrend = await durationTrend(prometheus, run.group, signal);
          } catch (error) {
            warnings.push(`duration trend of ${JSON.stringify(run.group)}: ${(error as Error).message}`);
          }
        }),
      );
    }
    runs.sort((a, b) => (b.lastPushSeconds ?? 0) - (a.lastPushSeconds ?? 0));
    return { source: 'pushgateway', runs, ...(warnings.length ? { warnings } : {}) } satisfies TestsResponse;
  },
};

/** Maps a thrown error to its ApiError answer. */
function answerError(res: ServerResponse, error: unknown, source: SourceName | undefined): void {
  if (error instanceof HttpError) {
    sendError(res, error.status, error.code, error.message, error.extra);
  } else if (error instanceof QueryError) {
    const extra = { ...(source ? { source } : {}), ...(error.errorType ? { errorType: error.errorType } : {}) };
    if (error.code === 'VIGIL_ERR_SOURCE_UNREACHABLE') sendError(res, 503, error.code, error.message, extra);
    else {
      // Prometheus' 400/422 stay client errors; anything else from the source is a bad gateway.
      const status = error.status === 400 || error.status === 422 ? error.status : 502;
      sendError(res, status, error.code, error.message, extra);
    }
  } else {
    sendError(
      res,
      500,
      'VIGIL_ERR_CONSOLE_INTERNAL',
      `the console failed: ${(error as Error)?.message ?? String(error)}`,
    );
  }
}

const SOURCE_OF: Record<string, (ctx: ConsoleContext) => SourceName | undefined> = {
  query: (c) => (c.prometheus ? 'prometheus' : undefined),
  query_range: (c) => (c.prometheus ? 'prometheus' : undefined),
  series: (c) => (c.prometheus ? 'prometheus' : undefined),
  labels: (c) => (c.prometheus ? 'prometheus' : undefined),
  overview: (c) => (c.prometheus ? 'prometheus' : undefined),
  alerts: (c) => (c.alertmanager ? 'alertmanager' : c.prometheus ? 'prometheus' : undefined),
  tests: () => 'pushgateway',
};

/** `/api/<route>`: GET only, JSON out, every failure an ApiError. */
export async function handleApi(
  ctx: ConsoleContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  url: URL,
) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    sendError(res, 405, 'VIGIL_ERR_CONSOLE_REQUEST', `the console API is read-only; ${req.method} is not allowed.`);
    return;
  }
  const name = path.slice('/api/'.length);
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  try {
    if (name.startsWith('traces/')) {
      const id = name.slice('traces/'.length);
      if (!/^[0-9a-fA-F]{1,64}$/.test(id)) throw badRequest('a trace id is hexadecimal.');
      const trace = ctx.spans.trace(id.toLowerCase());
      if (trace === undefined) {
        throw new HttpError(
          404,
          'VIGIL_ERR_CONSOLE_NOT_FOUND',
          `trace ${id} is not in the span store (never received, or dropped by its limits).`,
        );
      }
      sendJson(res, 200, trace);
      return;
    }
    const route = Object.hasOwn(routes, name) ? routes[name] : undefined;
    if (route === undefined) {
      throw new HttpError(
        404,
        'VIGIL_ERR_CONSOLE_NOT_FOUND',
        `no API route /api/${name}; see docs/console.md for the routes.`,
      );
    }
    sendJson(res, 200, await route(ctx, url, abort.signal));
  } catch (error) {
    if (abort.signal.aborted && res.destroyed) return;
    answerError(res, error, SOURCE_OF[name]?.(ctx));
  }
}
