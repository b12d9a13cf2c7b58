import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseStackConfig } from '../../../src/stack/config.js';
import {
  DASHBOARDS_PATH,
  DATASOURCE_REF,
  DATASOURCE_UID,
  dashboardExpressions,
  expandGrafanaVariables,
  grafanaFiles,
} from '../../../src/stack/grafana/index.js';
import { knownMetricNames } from '../../../src/stack/known-metrics.js';
import { lintPromQL } from '../../../src/stack/promql.js';

const config = parseStackConfig({ grafana: { prometheusUrl: 'http://prom.example:9090', folder: 'Team A' } });
const files = grafanaFiles(config);
const dashboards = Object.entries(files)
  .filter(([path]) => path.startsWith('grafana/dashboards/'))
  .map(([path, text]) => ({ path, text, json: JSON.parse(text) as DashboardJson }));

interface PanelJson {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr: string; refId: string; datasource?: { type?: string; uid?: string } }>;
  panels?: PanelJson[];
}
interface DashboardJson {
  uid: string;
  title: string;
  tags: string[];
  panels: PanelJson[];
  templating: { list: Array<{ name: string; type: string; current?: { value?: string } }> };
}

const allPanels = (panels: PanelJson[]): PanelJson[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

describe('grafanaFiles', () => {
  it('writes the provisioning files and six dashboards', () => {
    expect(Object.keys(files).sort()).toEqual([
      'grafana/dashboards/dependencies.json',
      'grafana/dashboards/llm-agents.json',
      'grafana/dashboards/pushgateway.json',
      'grafana/dashboards/runtime.json',
      'grafana/dashboards/service-overview.json',
      'grafana/dashboards/test-runs.json',
      'grafana/provisioning/dashboards/vigil.yaml',
      'grafana/provisioning/datasources/prometheus.yaml',
    ]);
  });

  it('provisions the Prometheus data source with the fixed uid and the configured URL', () => {
    const yaml = parseYaml(files['grafana/provisioning/datasources/prometheus.yaml'] as string);
    expect(yaml).toMatchObject({
      apiVersion: 1,
      datasources: [
        {
          uid: DATASOURCE_UID,
          type: 'prometheus',
          url: 'http://prom.example:9090',
          jsonData: { timeInterval: config.prometheus.scrapeInterval },
        },
      ],
    });
  });

  it('provisions a file provider reading the dashboards path into the configured folder', () => {
    const yaml = parseYaml(files['grafana/provisioning/dashboards/vigil.yaml'] as string);
    expect(DASHBOARDS_PATH).toBe('/var/lib/grafana/dashboards');
    expect(yaml).toMatchObject({
      apiVersion: 1,
      providers: [{ type: 'file', folder: 'Team A', options: { path: DASHBOARDS_PATH } }],
    });
  });

  it('gives each dashboard a unique uid, the project in its title and the vigil tag', () => {
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(6);
    for (const { json } of dashboards) {
      expect(json.uid).toMatch(/^vigil-[a-z-]+$/);
      expect(json.uid.length).toBeLessThanOrEqual(40);
      expect(json.title.startsWith('vigil · ')).toBe(true);
      expect(json.tags).toContain('vigil');
    }
    const long = grafanaFiles(parseStackConfig({ project: 'a'.repeat(60) }));
    for (const [path, text] of Object.entries(long)) {
      if (path.endsWith('.json')) expect((JSON.parse(text) as DashboardJson).uid.length).toBeLessThanOrEqual(40);
    }
  });

  it('numbers panels uniquely, rows and panels inside collapsed rows included', () => {
    for (const { path, json } of dashboards) {
      const ids = allPanels(json.panels).map((p) => p.id);
      expect(
        ids.every((id) => Number.isInteger(id) && id > 0),
        path,
      ).toBe(true);
      expect(new Set(ids).size, path).toBe(ids.length);
    }
  });

  it('points every panel and target at the data source variable, which defaults to the provisioned uid', () => {
    for (const { path, json } of dashboards) {
      const variable = json.templating.list.find((v) => v.name === 'datasource');
      expect(variable, path).toMatchObject({ type: 'datasource', current: { value: DATASOURCE_UID } });
      for (const panel of allPanels(json.panels).filter((p) => p.type !== 'row')) {
        expect(panel.datasource?.uid, `${path} ${panel.title}`).toBe(DATASOURCE_REF.uid);
        expect(panel.targets?.length, `${path} ${panel.title}`).toBeGreaterThan(0);
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const target of panel.targets ?? []) {
          expect(target.datasource, `${path} ${panel.title}`).toEqual(DATASOURCE_REF);
        }
      }
    }
  });

  it('has a job variable on every dashboard that the queries filter on', () => {
    for (const { path, json, text } of dashboards) {
      expect(
        json.templating.list.map((v) => v.name),
        path,
      ).toContain('job');
      const exprs = dashboardExpressions(text);
      expect(exprs.filter(({ expr }) => expr.includes('job=~"$job"')).length, path).toBeGreaterThan(exprs.length / 2);
    }
  });

  it('uses expressions that parse and name only metrics Vigil, Prometheus or the Pushgateway export', () => {
    const known = knownMetricNames();
    let count = 0;
    for (const { path, text } of dashboards) {
      for (const { panel, expr } of dashboardExpressions(text)) {
        count++;
        expect(lintPromQL(expandGrafanaVariables(expr), known), `${path} "${panel}": ${expr}`).toEqual([]);
      }
    }
    expect(count).toBeGreaterThan(100);
  });

  it('covers the issue: RED per route, runtime, dependencies, tests, pushes, LLM and agents', () => {
    const text = (name: string) => files[`grafana/dashboards/${name}.json`] as string;
    const exprs = (name: string) =>
      dashboardExpressions(text(name))
        .map((e) => e.expr)
        .join('\n');
    expect(exprs('service-overview')).toContain('sum by (route, method) (rate(http_server_requests_total');
    expect(exprs('service-overview')).toContain('http_server_requests_in_flight');
    expect(exprs('runtime')).toMatch(
      /process_cpu_seconds_total[\s\S]*nodejs_eventloop_lag_p99_seconds[\s\S]*nodejs_gc_duration_seconds_sum/,
    );
    for (const name of [
      'outbound_requests_total',
      'db_queries_total',
      'cache_operations_total',
      'jobs_processed_total',
      'model_events_total',
    ]) {
      expect(exprs('dependencies')).toContain(name);
    }
    for (const name of [
      'vigil_tests_total',
      'vigil_test_duration_seconds_bucket',
      'vigil_test_case_duration_seconds',
      'vigil_test_latency_seconds',
      'vigil_test_heap_growth_bytes_bucket',
    ]) {
      expect(exprs('test-runs')).toContain(name);
    }
    expect(exprs('pushgateway')).toMatch(/push_time_seconds[\s\S]*push_failure_time_seconds/);
    for (const name of [
      'llm_tokens_total',
      'llm_cost_usd_total',
      'llm_request_duration_seconds_bucket',
      'agent_tasks_total',
    ]) {
      expect(exprs('llm-agents')).toContain(name);
    }
  });
});

describe('dashboardExpressions', () => {
  it('reads targets of top-level panels and of panels inside collapsed rows', () => {
    const json = JSON.stringify({
      panels: [
        { type: 'timeseries', title: 'A', targets: [{ expr: 'up' }, { expr: 'rate(x_total[1m])' }] },
        { type: 'row', title: 'R', collapsed: true, panels: [{ type: 'stat', title: 'B', targets: [{ expr: 'y' }] }] },
        { type: 'text', title: 'no targets' },
      ],
    });
    expect(dashboardExpressions(json)).toEqual([
      { panel: 'A', expr: 'up' },
      { panel: 'A', expr: 'rate(x_total[1m])' },
      { panel: 'B', expr: 'y' },
    ]);
  });

  it('finds the panels of the collapsed rows of the generated runtime dashboard', () => {
    const panels = dashboardExpressions(files['grafana/dashboards/runtime.json'] as string).map((e) => e.panel);
    expect(panels).toContain('Load average');
    expect(panels).toContain('Spans by kind and status');
  });
});

describe('expandGrafanaVariables', () => {
  it('substitutes given values, Grafana interval defaults and ".*" for the rest', () => {
    // Grafana's three variable syntaxes: $name, ${name} and [[name]].
    const expr = 'rate(x{job=~"$job",route=~"$' + '{route}",m=~"[[m]]"}[$__rate_interval]) offset $__range';
    expect(expandGrafanaVariables(expr, { job: 'app' })).toBe('rate(x{job=~"app",route=~".*",m=~".*"}[1m]) offset 1h');
  });
});
