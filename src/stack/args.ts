import { join } from 'node:path';
import type { StackConfig } from './config.js';

/**
 * Command lines of the components as `stack up` runs them from a generated directory
 * `dir`. Data lives under `<dir>/.data/`. Settings that are flags rather than config
 * (retention, listen addresses) come from the config here and in compose/k8s alike.
 */
export function prometheusArgs(config: StackConfig, dir: string): string[] {
  return [
    `--config.file=${join(dir, 'prometheus', 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, '.data', 'prometheus')}`,
    `--storage.tsdb.retention.time=${config.prometheus.retention}`,
    `--web.listen-address=${config.prometheus.listen}`,
    '--web.enable-lifecycle',
  ];
}

/** Alertmanager reads `*_file` secrets relative to its working directory: run it with cwd = `dir`. */
export function alertmanagerArgs(config: StackConfig, dir: string): string[] {
  return [
    `--config.file=${join(dir, 'alertmanager', 'alertmanager.yml')}`,
    `--storage.path=${join(dir, '.data', 'alertmanager')}`,
    `--web.listen-address=${config.alertmanager.listen}`,
    // Without this it also binds 0.0.0.0:9094 for clustering.
    '--cluster.listen-address=',
  ];
}

export function pushgatewayArgs(config: StackConfig): string[] {
  return [`--web.listen-address=${config.pushgateway.listen}`, '--persistence.file='];
}

export function victoriaMetricsArgs(config: StackConfig, dir: string): string[] {
  return [
    `-httpListenAddr=${config.victoriaMetrics.listen}`,
    `-storageDataPath=${join(dir, '.data', 'victoria-metrics')}`,
    `-retentionPeriod=${config.victoriaMetrics.retention}`,
  ];
}
