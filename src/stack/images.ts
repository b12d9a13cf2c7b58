/** Container images of the stack, pinned to the versions the conformance tests run locally. */
export const IMAGES = {
  prometheus: 'prom/prometheus:v2.42.0',
  pushgateway: 'prom/pushgateway:v1.5.1',
  alertmanager: 'prom/alertmanager:v0.25.0',
  grafana: 'grafana/grafana:10.4.2',
  victoriaMetrics: 'victoriametrics/victoria-metrics:v1.79.14',
} as const;
