import { describe, expect, it } from 'vitest';
import { httpServerMetrics } from '../../../src/catalog/index.js';
import { collectDefaultMetrics } from '../../../src/collectors/index.js';
import { Registry } from '../../../src/metrics/index.js';
import { EXTERNAL_METRIC_NAMES, knownMetricNames } from '../../../src/stack/known-metrics.js';
import { closestName, lintPromQL, metricNamesIn, parsePromQL } from '../../../src/stack/promql.js';
import { TestRunRecorder } from '../../../src/testing/core.js';

describe('parsePromQL', () => {
  it('accepts valid PromQL', () => {
    for (const expr of [
      'up',
      'sum by (route) (rate(http_server_requests_total{job=~"app",status=~"5.."}[5m]))',
      'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket[1m])))',
      'time() - max(push_time_seconds) > 3600',
      'count(a > b) or vector(0)',
      'deriv(process_resident_memory_bytes[15m]) * 3600',
      'max_over_time(up[1h:5m]) offset 1d',
    ]) {
      expect(parsePromQL(expr), expr).toEqual({ ok: true });
    }
  });

  it('reports an unclosed call with the position where the expression ends', () => {
    const expr = 'rate(http_server_requests_total[5m]';
    const result = parsePromQL(expr);
    expect(result).toMatchObject({ ok: false, position: expr.length });
    if (result.ok) return;
    expect(result.message).toContain('unexpected end of expression');
    expect(result.message).toContain(`position ${expr.length}`);
  });

  it('names the unexpected token and its column', () => {
    const result = parsePromQL('sum(rate(x[5m])) ? 2');
    expect(result).toMatchObject({ ok: false, position: 17 });
    if (!result.ok) expect(result.message).toBe('unexpected "?" at position 17 (column 18)');
  });

  it('gives the line and column in a multi-line expression', () => {
    const result = parsePromQL('sum(\n  rate(x[5m])\n  ) )');
    expect(result).toMatchObject({ ok: false, position: 23 });
    if (!result.ok) expect(result.message).toBe('unexpected ")" at position 23 (line 3, column 5)');
  });

  it('rejects Grafana variables in durations, which must be expanded first, and empty input', () => {
    expect(parsePromQL('rate(x[$__rate_interval])').ok).toBe(false);
    expect(parsePromQL('  ')).toEqual({ ok: false, message: 'the expression is empty', position: 0 });
  });
});

describe('metricNamesIn', () => {
  it('finds names of selectors, __name__ matchers and quoted names, not label names or functions', () => {
    const expr =
      'sum by (job) (rate(a_total{job="x"}[5m])) / on (job) {__name__="b_total", job="x"} + {"c.d"} + ' +
      '{__name__=\'e\'} + {__name__=~"regex.*"} + time()';
    expect(metricNamesIn(expr).sort()).toEqual(['a_total', 'b_total', 'c.d', 'e']);
  });

  it('lists each name once', () => {
    expect(metricNamesIn('a / a + a offset 5m')).toEqual(['a']);
  });
});

describe('lintPromQL', () => {
  const known = knownMetricNames();

  it('passes an expression on exported names', () => {
    expect(lintPromQL('sum(rate(http_server_requests_total[5m])) by (route)', known)).toEqual([]);
  });

  it('reports an unknown name with the closest known one', () => {
    const problems = lintPromQL('sum(rate(htp_server_requests_total[5m]))', known);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('unknown metric name "htp_server_requests_total"');
    expect(problems[0]).toContain('did you mean "http_server_requests_total"?');
  });

  it('reports the bare family name of a histogram, which Prometheus never stores', () => {
    const [problem] = lintPromQL('rate(http_server_request_duration_seconds[5m])', known);
    expect(problem).toContain('unknown metric name "http_server_request_duration_seconds"');
    expect(problem).toMatch(/did you mean "http_server_request_duration_seconds_(sum|count)"/);
  });

  it('reports a parse error with its position instead of names', () => {
    expect(lintPromQL('rate(http_server_requests_total[5m]', known)).toEqual([
      'does not parse: unexpected end of expression at position 35 (column 36): a bracket, parenthesis or argument is missing',
    ]);
  });

  it('gives no hint when nothing is close', () => {
    expect(closestName('zz', ['http_server_requests_total'])).toBeUndefined();
    expect(lintPromQL('zz', known)[0]).not.toContain('did you mean');
  });
});

describe('knownMetricNames', () => {
  const known = knownMetricNames();

  it('holds sample names, not bare counter or histogram family names', () => {
    for (const name of [
      'http_server_requests_total',
      'http_server_request_duration_seconds_bucket',
      'http_server_request_duration_seconds_sum',
      'http_server_request_duration_seconds_count',
      'http_server_requests_in_flight',
      'vigil_tests_total',
      'vigil_test_duration_seconds_bucket',
      'vigil_test_latency_seconds',
      'vigil_test_latency_seconds_sum',
      'vigil_test_case_duration_seconds',
      'vigil_test_heap_growth_bytes_bucket',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds_bucket',
      'llm_tokens_total',
      'agent_tasks_total',
      'traces_spans_total',
      'vigil_collector_errors_total',
    ]) {
      expect(known.has(name), name).toBe(true);
    }
    for (const name of [
      'http_server_requests',
      'http_server_request_duration_seconds',
      'vigil_tests',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(known.has(name), name).toBe(false);
    }
  });

  it("adds Prometheus' and the Pushgateway's series and the extra names", () => {
    for (const name of EXTERNAL_METRIC_NAMES) expect(known.has(name)).toBe(true);
    expect(known.has('job:http_server_requests:rate5m')).toBe(false);
    expect(knownMetricNames(['job:http_server_requests:rate5m']).has('job:http_server_requests:rate5m')).toBe(true);
  });

  it('covers every sample a real registry with the HTTP set, the collectors and a test run renders', async () => {
    const registry = new Registry();
    httpServerMetrics({ registry }).requests.inc({ method: 'GET', route: '/', status: '200' });
    const collectors = collectDefaultMetrics({ registry });
    const run = new TestRunRecorder({
      metadata: { branch: 'b', commit: 'c', workflow: 'w', runner: 'r' },
      warn: () => {},
    });
    run.recordTest({ file: 'f', name: 't', outcome: 'failed', durationMs: 5, heapDeltaBytes: 10 });
    run.recordMeasurements({ latency: { q: [1, 2] }, throughput: { q: [3] } });
    run.finish();
    try {
      const samples = new Set<string>();
      for (const text of [await registry.metrics('openmetrics'), await run.registry.metrics('openmetrics')]) {
        for (const line of text.split('\n')) {
          const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line)?.[1];
          if (name !== undefined && !line.startsWith('#')) samples.add(name);
        }
      }
      expect(samples.size).toBeGreaterThan(40);
      expect([...samples].filter((name) => !known.has(name))).toEqual([]);
    } finally {
      collectors.stop();
    }
  });
});
