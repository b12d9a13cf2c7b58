/**
 * Small builders over the Grafana Foundation SDK: every panel gets the data source
 * variable, targets with ref ids, and the few options a Vigil panel needs.
 */

import { PanelBuilder as BarGaugeBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import {
  BarGaugeDisplayMode,
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE_REF } from './variables.js';

/** One PromQL target: the expression and its legend (`{{route}}`). */
export interface Query {
  expr: string;
  legend?: string;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(queries: readonly Query[], kind: 'range' | 'instant' | 'table'): DataqueryBuilder[] {
  return queries.map((query, index) => {
    const target = new DataqueryBuilder()
      .datasource(DATASOURCE_REF)
      .refId(REF_IDS[index] ?? `Q${index}`)
      .expr(query.expr)
      .legendFormat(query.legend ?? '__auto');
    if (kind === 'range') return target.range();
    target.instant();
    return kind === 'table' ? target.format(PromQueryFormat.Table) : target;
  });
}

/** A time series panel, half the width; a legend as a table with mean and max. */
export function timeseries(
  title: string,
  unit: string,
  queries: readonly Query[],
  description = '',
): TimeseriesBuilder {
  return new TimeseriesBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE_REF)
    .targets(targets(queries, 'range'))
    .unit(unit)
    .span(12)
    .height(8)
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['mean', 'max']),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
}

/** A single number with its trend, a quarter of the width. */
export function stat(title: string, unit: string, query: Query, description = ''): StatBuilder {
  return new StatBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE_REF)
    .targets(targets([query], 'range'))
    .unit(unit)
    .span(6)
    .height(4)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** A table of an instant query's series, full width. */
export function table(title: string, unit: string, queries: readonly Query[], description = ''): TableBuilder {
  return new TableBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE_REF)
    .targets(targets(queries, 'table'))
    .unit(unit)
    .span(24)
    .height(8);
}

/** Horizontal bars of an instant query's series (top-N lists), half the width. */
export function bargauge(title: string, unit: string, query: Query, description = ''): BarGaugeBuilder {
  return new BarGaugeBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE_REF)
    .targets(targets([query], 'instant'))
    .unit(unit)
    .span(12)
    .height(8)
    .displayMode(BarGaugeDisplayMode.Gradient)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/**
 * Numbers every panel (rows and panels inside collapsed rows too) from 1: the SDK leaves
 * ids unset, and Grafana needs them unique to link, embed and edit panels.
 */
export function numberPanels(dashboard: Dashboard): Dashboard {
  let next = 1;
  for (const panel of dashboard.panels ?? []) {
    panel.id = next++;
    if (panel.type === 'row') for (const inner of (panel as RowPanel).panels) inner.id = next++;
  }
  return dashboard;
}
