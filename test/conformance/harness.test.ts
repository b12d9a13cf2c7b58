// Proves the test harness itself against the real components: Prometheus scrapes a
// hand-written exposition, promtool and both Python parsers accept it and reject a
// broken one. If this file fails, every other conformance failure is suspect.
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrometheusHandle, startPrometheus } from '../support/prometheus.js';
import { checkMetrics, PROMTOOL_LINT_PROBLEMS, PROMTOOL_OK, PROMTOOL_PARSE_ERROR } from '../support/promtool.js';
import { parseManyWithPython, parseWithPython } from '../support/python.js';

/** A label value with a quote, a backslash, a newline and non-ASCII text. */
const TRICKY = 'a"b\\c\nd é ✓ 日本';

// Text format 0.0.4, written by hand: label values escape \ " and newline.
const TEXT = `# HELP harness_requests_total Requests handled (HELP escapes \\\\ and a\\nnewline).
# TYPE harness_requests_total counter
harness_requests_total{path="a\\"b\\\\c\\nd é ✓ 日本"} 42
harness_requests_total{path="/plain"} 7
# HELP harness_latency_seconds Request latency.
# TYPE harness_latency_seconds histogram
harness_latency_seconds_bucket{le="0.1"} 3
harness_latency_seconds_bucket{le="0.5"} 5
harness_latency_seconds_bucket{le="+Inf"} 6
harness_latency_seconds_sum 2.75
harness_latency_seconds_count 6
`;

const OPENMETRICS = `# HELP harness_requests Requests handled (\\"quoted\\").
# TYPE harness_requests counter
harness_requests_total{path="a\\"b\\\\c\\nd é ✓ 日本"} 42 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.25 1700000000.5
harness_requests_created{path="a\\"b\\\\c\\nd é ✓ 日本"} 1700000000.25
# HELP harness_latency_seconds Request latency.
# TYPE harness_latency_seconds histogram
# UNIT harness_latency_seconds seconds
harness_latency_seconds_bucket{le="0.1"} 3
harness_latency_seconds_bucket{le="0.5"} 5
harness_latency_seconds_bucket{le="+Inf"} 6 # {trace_id="abc"} 7.5
harness_latency_seconds_sum 2.75
harness_latency_seconds_count 6
# EOF
`;

/** Unterminated label value. */
const BROKEN = 'harness_requests_total{path="oops 1\n';

describe('Prometheus harness', () => {
  let server: Server;
  let prometheus: PrometheusHandle;
  const scrapeHeaders: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/metrics?source=harness') {
        res.writeHead(404).end();
        return;
      }
      scrapeHeaders.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(TEXT);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    prometheus = await startPrometheus({
      targets: [{ job: 'harness', url: `http://127.0.0.1:${port}/metrics`, params: { source: 'harness' } }],
    });
    await prometheus.waitForScrape('harness', { timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('scrapes the exposition and returns the exact values', async () => {
    const tricky = await prometheus.queryVector(`harness_requests_total{path=${JSON.stringify(TRICKY)}}`);
    expect(tricky).toHaveLength(1);
    expect(tricky[0]?.metric).toEqual({
      __name__: 'harness_requests_total',
      instance: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      job: 'harness',
      path: TRICKY,
    });
    expect(tricky[0]?.value).toBe(42);

    const buckets = await prometheus.queryVector('harness_latency_seconds_bucket');
    const byLe = Object.fromEntries(buckets.map((s) => [s.metric.le, s.value]));
    expect(byLe).toEqual({ '0.1': 3, '0.5': 5, '+Inf': 6 });

    const sum = await prometheus.query('scalar(harness_latency_seconds_sum)');
    expect(sum).toMatchObject({ resultType: 'scalar', result: { value: 2.75 } });
    const inf = await prometheus.query('1/0');
    expect(inf).toMatchObject({ resultType: 'scalar', result: { value: Number.POSITIVE_INFINITY, valueText: '+Inf' } });

    // Prometheus 2.42 offers OpenMetrics first and gzip.
    expect(scrapeHeaders[0]?.accept).toMatch(/^application\/openmetrics-text;version=1\.0\.0,/);
    expect(scrapeHeaders[0]?.['accept-encoding']).toContain('gzip');
  });

  it('reports the target up with no error', async () => {
    const targets = await prometheus.targets();
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({ scrapePool: 'harness', health: 'up', lastError: '' });
    expect(targets[0]?.scrapeUrl).toMatch(/\/metrics\?source=harness$/);
  });
});

describe('Prometheus lifecycle', () => {
  it('stops by PID and removes its directory', async () => {
    const prometheus = await startPrometheus();
    expect(existsSync(prometheus.dir)).toBe(true);
    await prometheus.stop();
    expect(() => process.kill(prometheus.pid, 0)).toThrow();
    expect(existsSync(prometheus.dir)).toBe(false);
  });

  it('fails loudly, with the log, when Prometheus cannot start', async () => {
    await expect(startPrometheus({ extraArgs: ['--no-such-flag'] })).rejects.toThrow(
      /exited before it was ready \(code \d+[\s\S]*unknown long flag '--no-such-flag'/,
    );
  });
});

describe('promtool check metrics', () => {
  it('exits 0 on the exposition, 1 on a parse error, 3 on lint problems', async () => {
    expect(await checkMetrics(TEXT)).toEqual({ code: PROMTOOL_OK, stdout: '', stderr: '' });

    const broken = await checkMetrics(BROKEN);
    expect(broken.code).toBe(PROMTOOL_PARSE_ERROR);
    expect(broken.stderr).toContain('text format parsing error in line 1');

    const lint = await checkMetrics('# TYPE harness_requests counter\nharness_requests 1\n');
    expect(lint.code).toBe(PROMTOOL_LINT_PROBLEMS);
    expect(lint.stderr).toContain('counter metrics should have "_total" suffix');
  });
});

describe('Python parsers', () => {
  it('parse the text format exactly', async () => {
    const families = await parseWithPython(TEXT, 'text');
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['harness_requests', 'counter'], // the text parser strips _total from counter family names
      ['harness_latency_seconds', 'histogram'],
    ]);
    expect(families[0]?.documentation).toBe('Requests handled (HELP escapes \\ and a\nnewline).');
    expect(families[0]?.samples[0]).toEqual({
      name: 'harness_requests_total',
      labels: { path: TRICKY },
      value: 42,
      timestamp: null,
      exemplar: null,
    });
    expect(families[1]?.samples.map((s) => [s.name, s.labels.le, s.value])).toEqual([
      ['harness_latency_seconds_bucket', '0.1', 3],
      ['harness_latency_seconds_bucket', '0.5', 5],
      ['harness_latency_seconds_bucket', '+Inf', 6],
      ['harness_latency_seconds_sum', undefined, 2.75],
      ['harness_latency_seconds_count', undefined, 6],
    ]);
  });

  it('parse OpenMetrics exactly, with exemplars and special floats', async () => {
    const families = await parseWithPython(OPENMETRICS, 'openmetrics');
    expect(families.map((f) => [f.name, f.type, f.unit])).toEqual([
      ['harness_requests', 'counter', ''],
      ['harness_latency_seconds', 'histogram', 'seconds'],
    ]);
    expect(families[0]?.documentation).toBe('Requests handled ("quoted").');
    expect(families[0]?.samples).toEqual([
      {
        name: 'harness_requests_total',
        labels: { path: TRICKY },
        value: 42,
        timestamp: null,
        exemplar: { labels: { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, value: 0.25, timestamp: 1700000000.5 },
      },
      {
        name: 'harness_requests_created',
        labels: { path: TRICKY },
        value: 1700000000.25,
        timestamp: null,
        exemplar: null,
      },
    ]);
    expect(families[1]?.samples[2]?.exemplar).toEqual({ labels: { trace_id: 'abc' }, value: 7.5, timestamp: null });

    const [special] = await parseWithPython(
      '# TYPE g gauge\ng{k="nan"} NaN\ng{k="inf"} +Inf\ng{k="-inf"} -Inf\ng{k="tenth"} 0.1\ng{k="max"} 1.7976931348623157e+308\n# EOF\n',
      'openmetrics',
    );
    expect(special?.samples.map((s) => s.value)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0.1,
      Number.MAX_VALUE,
    ]);
  });

  it('reject broken input with the parser message and the input', async () => {
    await expect(parseWithPython(BROKEN, 'text')).rejects.toThrow(/Python text parser rejected[\s\S]*oops 1/);
    await expect(parseWithPython('# TYPE g gauge\ng 1\n', 'openmetrics')).rejects.toThrow(/Missing # EOF/);
    // A text-format counter (TYPE on the _total name) is not valid OpenMetrics.
    await expect(parseWithPython(TEXT, 'openmetrics')).rejects.toThrow(/Clashing name: harness_requests_total/);
    await expect(parseWithPython(`${BROKEN}# EOF\n`, 'openmetrics')).rejects.toThrow(/openmetrics parser rejected/);

    const batch = await parseManyWithPython([OPENMETRICS, `${BROKEN}# EOF\n`], 'openmetrics');
    expect(batch.map((r) => r.ok)).toEqual([true, false]);
  });
});
