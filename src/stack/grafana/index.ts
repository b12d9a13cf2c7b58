/**
 * Grafana as code: the data source and dashboard provisioning files and six dashboards,
 * built with the Grafana Foundation SDK on the metric names of vigil/catalog,
 * vigil/collectors and vigil/testing.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { StackConfig } from '../config.js';
import { dependenciesDashboard } from './dashboards/dependencies.js';
import { llmAgentsDashboard } from './dashboards/llm-agents.js';
import { pushgatewayDashboard } from './dashboards/pushgateway.js';
import { runtimeDashboard } from './dashboards/runtime.js';
import { serviceOverviewDashboard } from './dashboards/service-overview.js';
import { testRunsDashboard } from './dashboards/test-runs.js';
import { dashboardProvisioning, datasourceProvisioning } from './provisioning.js';

export { DASHBOARD_TAG } from './dashboard.js';
export { DASHBOARDS_PATH, dashboardProvisioning, datasourceProvisioning } from './provisioning.js';
export {
  DATASOURCE_REF,
  DATASOURCE_UID,
  DEFAULT_VARIABLE_VALUES,
  expandGrafanaVariables,
} from './variables.js';

/** Each dashboard: its file name (without `.json`), title and builder. */
const DASHBOARDS = [
  { name: 'service-overview', title: 'Service overview', build: serviceOverviewDashboard },
  { name: 'runtime', title: 'Runtime', build: runtimeDashboard },
  { name: 'dependencies', title: 'Dependencies', build: dependenciesDashboard },
  { name: 'test-runs', title: 'Test runs', build: testRunsDashboard },
  { name: 'pushgateway', title: 'Pushgateway jobs', build: pushgatewayDashboard },
  { name: 'llm-agents', title: 'LLM calls and agents', build: llmAgentsDashboard },
] as const;

/** Grafana allows uids of at most 40 characters. */
const MAX_UID = 40;

/** The dashboards for a config, by file name: uids `<project>-<name>`, titles `<project> · <title>`. */
export function vigilDashboards(config: StackConfig): Array<{ name: string; dashboard: Dashboard }> {
  return DASHBOARDS.map(({ name, title, build }) => {
    const uid = `${config.project.slice(0, MAX_UID - name.length - 1)}-${name}`;
    return { name, dashboard: build(uid, `${config.project} · ${title}`) };
  });
}

/**
 * Relative path → file text of everything Grafana needs: the data source and dashboard
 * provider under `grafana/provisioning/`, and the dashboards under `grafana/dashboards/`
 * (mount that folder at DASHBOARDS_PATH, `/var/lib/grafana/dashboards`).
 */
export function grafanaFiles(config: StackConfig): Record<string, string> {
  const files: Record<string, string> = {
    'grafana/provisioning/datasources/prometheus.yaml': datasourceProvisioning(config),
    'grafana/provisioning/dashboards/vigil.yaml': dashboardProvisioning(config),
  };
  for (const { name, dashboard } of vigilDashboards(config)) {
    files[`grafana/dashboards/${name}.json`] = `${JSON.stringify(dashboard, null, 2)}\n`;
  }
  return files;
}

interface PanelJson {
  title?: unknown;
  targets?: unknown;
  panels?: unknown;
}

/** Every `targets[].expr` of a dashboard JSON with its panel's title, panels inside rows (collapsed or not) included. */
export function dashboardExpressions(dashboardJson: string): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(dashboardJson) as { panels?: unknown };
  const out: Array<{ panel: string; expr: string }> = [];
  const visit = (panels: unknown) => {
    if (!Array.isArray(panels)) return;
    for (const panel of panels as PanelJson[]) {
      if (panel === null || typeof panel !== 'object') continue;
      const title = typeof panel.title === 'string' ? panel.title : '(untitled)';
      for (const target of Array.isArray(panel.targets) ? (panel.targets as Array<{ expr?: unknown }>) : []) {
        if (typeof target?.expr === 'string' && target.expr !== '') out.push({ panel: title, expr: target.expr });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}
