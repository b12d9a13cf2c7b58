import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';

/** The provisioned Prometheus data source (grafana/provisioning/datasources/prometheus.yaml). */
export const DATASOURCE_UID = 'vigil-prometheus';
/** What every panel and target points at: the `datasource` variable, which defaults to the provisioned one. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable, expanded by Grafana
export const DATASOURCE_REF = { type: 'prometheus', uid: '${datasource}' } as const;

/** The data source picker, preset to the provisioned Prometheus. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource')
    .label('Data source')
    .type('prometheus')
    .current({ selected: true, text: 'Prometheus', value: DATASOURCE_UID });
}

/**
 * A multi-value variable filled from a label of a metric; "All" is `.*`, so panels match
 * it with `=~"$name"`.
 */
export function labelVariable(name: string, label: string, metric: string, filter = ''): QueryVariableBuilder {
  const query = `label_values(${metric}${filter}, ${name})`;
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE_REF)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: 'All', value: '$__all' });
}

/** Values that stand in for Grafana's variables when an expression is parsed or run outside Grafana. */
export const DEFAULT_VARIABLE_VALUES: Readonly<Record<string, string>> = Object.freeze({
  __rate_interval: '1m',
  __interval: '30s',
  __interval_ms: '30000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
});

/**
 * Replaces `$name`, `${name}` and `[[name]]` by a value: `values` first, then
 * DEFAULT_VARIABLE_VALUES, then `.*` (what "All" of a multi-value variable means).
 *
 * @example
 * expandGrafanaVariables('rate(x{job=~"$job"}[$__rate_interval])', { job: 'app' });
 * // 'rate(x{job=~"app"}[1m])'
 */
export function expandGrafanaVariables(expr: string, values: Readonly<Record<string, string>> = {}): string {
  const value = (name: string) => values[name] ?? DEFAULT_VARIABLE_VALUES[name] ?? '.*';
  return expr.replace(
    /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
    (_match, braced?: string, bracketed?: string, plain?: string) => value((braced ?? bracketed ?? plain) as string),
  );
}
