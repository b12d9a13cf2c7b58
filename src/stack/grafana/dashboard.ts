import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  type Panel,
  RowBuilder,
  type VariableModel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { numberPanels } from './panels.js';
import { datasourceVariable } from './variables.js';

/** Tag every Vigil dashboard carries; the dashboard links menu lists them by it. */
export const DASHBOARD_TAG = 'vigil';

/** A row of panels; a collapsed one keeps its panels inside the row until opened. */
export interface Section {
  title: string;
  collapsed?: boolean;
  panels: Builder<Panel>[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Variables after the data source picker (job, route...). */
  variables: Builder<VariableModel>[];
  sections: Section[];
}

/** Builds a Vigil dashboard: data source variable, shared tooltip, links to its siblings, numbered panels. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable())
    .link(
      new DashboardLinkBuilder('Vigil dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
  for (const variable of spec.variables) builder.withVariable(variable);
  for (const section of spec.sections) {
    if (section.collapsed === true) {
      const row = new RowBuilder(section.title).collapsed(true);
      for (const panel of section.panels) row.withPanel(panel);
      builder.withRow(row);
    } else {
      builder.withRow(new RowBuilder(section.title));
      for (const panel of section.panels) builder.withPanel(panel);
    }
  }
  return numberPanels(builder.build());
}
