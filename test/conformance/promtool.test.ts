// `promtool check metrics` (Prometheus 2.42) on Vigil's exposition: client_golang's text
// parser followed by promlint. It must find no parse error and no lint problem in a rich
// text 0.0.4 exposition (every type, escapes, non-ASCII, special floats, default and const
// labels), and count exactly the series the model of the registry predicts.
import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/metrics/index.js';
import { checkMetrics, PROMTOOL_LINT_PROBLEMS, PROMTOOL_OK, PROMTOOL_PARSE_ERROR } from '../support/promtool.js';
import { buildRichRegistry, LINT_CLEAN_SPECS, RICH_SPECS } from './rich-registry.js';

describe('promtool check metrics on text 0.0.4', () => {
  it('finds no parse error and no lint problem in a rich exposition', async () => {
    const { registry } = buildRichRegistry({ specs: LINT_CLEAN_SPECS });
    expect(await checkMetrics(await registry.metrics('text'))).toEqual({ code: PROMTOOL_OK, stdout: '', stderr: '' });
  });

  it('counts every series of every family (--extended)', async () => {
    const rich = buildRichRegistry({ specs: LINT_CLEAN_SPECS });
    const result = await checkMetrics(await rich.registry.metrics('text'), { extended: true });
    expect(result.code).toBe(PROMTOOL_OK);
    // Table rows: "<metric>   <cardinality>   <percentage>%".
    const counted = Object.fromEntries(
      result.stdout
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter((cells) => cells.length === 3 && /^\d+$/.test(cells[1] as string))
        .map(([name, cardinality]) => [name, Number(cardinality)]),
    );
    const expected = Object.fromEntries(rich.expected('text').map((f) => [f.name, f.samples.length]));
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(counted).toEqual({ ...expected, Total: total });
  });

  it('reports exactly the lint problems the registry has on purpose', async () => {
    const { registry } = buildRichRegistry({ specs: RICH_SPECS });
    const result = await checkMetrics(await registry.metrics('text'));
    expect(result.code).toBe(PROMTOOL_LINT_PROBLEMS);
    const lint = RICH_SPECS.flatMap((s) => (s.lint === undefined ? [] : [s.lint]));
    expect(lint.length).toBeGreaterThan(0);
    expect(result.stderr.trim().split('\n').sort()).toEqual(lint.sort());
  });

  it('accepts a registry without default labels, and an empty one', async () => {
    const { registry } = buildRichRegistry({ specs: LINT_CLEAN_SPECS, defaultLabels: {} });
    expect(await checkMetrics(await registry.metrics('text'))).toEqual({ code: PROMTOOL_OK, stdout: '', stderr: '' });
    expect(await checkMetrics(await new Registry().metrics('text'))).toEqual({
      code: PROMTOOL_OK,
      stdout: '',
      stderr: '',
    });
  });
});

// promtool 2.42 has no OpenMetrics mode: `check metrics` parses its input as text 0.0.4
// whatever it is. Fed Vigil's (valid) OpenMetrics output it
// - reads `# UNIT ...` and `# EOF` as comments;
// - fails (exit 1) on a HELP with a double quote, which OpenMetrics escapes as `\"` and
//   text 0.0.4 does not allow ("invalid escape sequence '\"'");
// - fails (exit 1) on an exemplar (`... 1 # {trace_id="..."} ...`: "expected integer as
//   timestamp, got "#"");
// - otherwise reads `# TYPE foo counter` + `foo_total 1` as an empty family `foo` and an
//   untyped `foo_total` without HELP, so it reports "foo_total no help text" (exit 3).
// So promtool is no validator for OpenMetrics; the Python OpenMetrics parser and Prometheus
// itself (python-parsers.test.ts, prometheus-scrape.test.ts) are.
describe('promtool check metrics on OpenMetrics (documents what promtool does)', () => {
  it('rejects a HELP with a double quote: OpenMetrics escapes it, text 0.0.4 does not', async () => {
    const { registry } = buildRichRegistry({ specs: LINT_CLEAN_SPECS });
    const result = await checkMetrics(await registry.metrics('openmetrics'));
    expect(result.code).toBe(PROMTOOL_PARSE_ERROR);
    expect(result.stderr).toContain(`text format parsing error in line 1: invalid escape sequence '\\"'`);
  });

  it('rejects an exemplar', async () => {
    const registry = new Registry();
    registry.counter({ name: 'om_traced_total', help: 'Traced.' }).inc(1, { trace_id: 'abc' });
    const text = await registry.metrics('openmetrics');
    expect(text).toContain('om_traced_total 1 # {trace_id="abc"} 1 ');
    const result = await checkMetrics(text);
    expect(result.code).toBe(PROMTOOL_PARSE_ERROR);
    expect(result.stderr).toContain('text format parsing error in line 3: expected integer as timestamp, got "#"');
  });

  it('reads the rest as text: counters become untyped <family>_total without help', async () => {
    const registry = new Registry({ defaultLabels: { region: 'Zürich' } });
    registry.counter({ name: 'om_requests_total', help: 'Requests.', labelNames: ['path'] }).inc({ path: '/a' });
    registry.counter({ name: 'om_events', help: 'Events.' }).inc();
    registry.gauge({ name: 'om_depth', help: 'Depth.' }).set(3);
    registry.histogram({ name: 'om_wait_seconds', help: 'Wait.', unit: 'seconds', buckets: [1] }).observe(0.5);
    registry.summary({ name: 'om_rpc_seconds', help: 'RPC.', percentiles: [0.5] }).observe(0.5);
    const text = await registry.metrics('openmetrics');
    expect(text).toContain('# UNIT om_wait_seconds seconds\n');
    const result = await checkMetrics(text);
    expect(result.code).toBe(PROMTOOL_LINT_PROBLEMS);
    expect(result.stderr.trim().split('\n').sort()).toEqual([
      'om_events_total no help text',
      'om_requests_total no help text',
    ]);
  });
});
