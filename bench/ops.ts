/**
 * Per-operation cases. Each library gets its own metric per case, with every series
 * created up front, and its own loop: a loop is a separate function per library so the
 * JIT's feedback for one never leaks into another's.
 */
import * as prom from 'prom-client';
import { Registry } from '../src/metrics/index.js';
import {
  BUCKETS,
  COMBO_METHOD,
  COMBO_ROUTE,
  COMBO_STATUS,
  COMBOS,
  LABEL_NAMES,
  LABELS,
  type Labels3,
  type Lib,
  OBS_MASK,
  OBSERVATIONS,
  ROUTE_LABELS,
} from './fixtures.js';
import type { Loop } from './harness.js';
import { otelSetup } from './otel.js';

export interface OpCase {
  id: string;
  title: string;
  loops: Record<Lib, Loop>;
}

const LAST = COMBOS - 1;
const LAST_ROUTE = ROUTE_LABELS.length - 1;

export function opCases(): OpCase[] {
  const vigil = new Registry();
  const promReg = new prom.Registry();
  const { meter } = otelSetup();
  const help = 'Benchmark metric.';
  const labelNames = [...LABEL_NAMES];
  const cases: OpCase[] = [];

  {
    const v = vigil.counter({ name: 'inc_total', help });
    const p = new prom.Counter({ name: 'inc_total', help, registers: [promReg] });
    const o = meter.createCounter('inc_total');
    cases.push({
      id: 'counter.inc',
      title: 'counter.inc(), no labels',
      loops: {
        vigil: (n) => {
          for (let i = 0; i < n; i++) v.inc();
        },
        'prom-client': (n) => {
          for (let i = 0; i < n; i++) p.inc();
        },
        otel: (n) => {
          for (let i = 0; i < n; i++) o.add(1);
        },
      },
    });
  }

  {
    const v = vigil.counter({ name: 'inc_labels_total', help, labelNames: LABEL_NAMES });
    const p = new prom.Counter({ name: 'inc_labels_total', help, labelNames, registers: [promReg] });
    const o = meter.createCounter('inc_labels_total');
    for (const l of LABELS) {
      v.inc(l, 0);
      p.inc(l, 0);
      o.add(0, l);
    }
    cases.push({
      id: 'counter.inc.labels',
      title: 'counter.inc(labels), 3 labels, pre-built objects',
      loops: {
        vigil: (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST ? 0 : j + 1) v.inc(LABELS[j] as Labels3);
        },
        'prom-client': (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST ? 0 : j + 1) p.inc(LABELS[j] as Labels3);
        },
        otel: (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST ? 0 : j + 1) o.add(1, LABELS[j]);
        },
      },
    });
  }

  {
    const v = vigil.counter({ name: 'inc_inline_total', help, labelNames: LABEL_NAMES });
    const p = new prom.Counter({ name: 'inc_inline_total', help, labelNames, registers: [promReg] });
    const o = meter.createCounter('inc_inline_total');
    for (const l of LABELS) {
      v.inc(l, 0);
      p.inc(l, 0);
      o.add(0, l);
    }
    cases.push({
      id: 'counter.inc.inline',
      title: 'counter.inc({ ... }), 3 labels, object literal inline',
      loops: {
        vigil: (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST ? 0 : j + 1) {
            v.inc({
              method: COMBO_METHOD[j] as string,
              route: COMBO_ROUTE[j] as string,
              status: COMBO_STATUS[j] as string,
            });
          }
        },
        'prom-client': (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST ? 0 : j + 1) {
            p.inc({
              method: COMBO_METHOD[j] as string,
              route: COMBO_ROUTE[j] as string,
              status: COMBO_STATUS[j] as string,
            });
          }
        },
        otel: (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST ? 0 : j + 1) {
            o.add(1, {
              method: COMBO_METHOD[j] as string,
              route: COMBO_ROUTE[j] as string,
              status: COMBO_STATUS[j] as string,
            });
          }
        },
      },
    });
  }

  {
    const v = vigil.counter({ name: 'inc_bound_total', help, labelNames: LABEL_NAMES });
    const p = new prom.Counter({ name: 'inc_bound_total', help, labelNames, registers: [promReg] });
    const o = meter.createCounter('inc_bound_total');
    const vChildren = LABELS.map((l) => v.labels(l));
    const pChildren = LABELS.map((l) => p.labels(l));
    cases.push({
      id: 'counter.inc.bound',
      title: 'bound child .inc() (OTel: add(1, attrs), pre-built attrs)',
      loops: {
        vigil: (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST ? 0 : j + 1) (vChildren[j] as (typeof vChildren)[0]).inc();
        },
        'prom-client': (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST ? 0 : j + 1) (pChildren[j] as (typeof pChildren)[0]).inc();
        },
        otel: (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST ? 0 : j + 1) o.add(1, LABELS[j]);
        },
      },
    });
  }

  {
    const v = vigil.histogram({ name: 'observe_seconds', help, buckets: BUCKETS });
    const p = new prom.Histogram({ name: 'observe_seconds', help, buckets: BUCKETS, registers: [promReg] });
    const o = meter.createHistogram('observe_seconds', { advice: { explicitBucketBoundaries: BUCKETS } });
    cases.push({
      id: 'histogram.observe',
      title: 'histogram.observe(v), no labels',
      loops: {
        vigil: (n) => {
          for (let i = 0; i < n; i++) v.observe(OBSERVATIONS[i & OBS_MASK] as number);
        },
        'prom-client': (n) => {
          for (let i = 0; i < n; i++) p.observe(OBSERVATIONS[i & OBS_MASK] as number);
        },
        otel: (n) => {
          for (let i = 0; i < n; i++) o.record(OBSERVATIONS[i & OBS_MASK] as number);
        },
      },
    });
  }

  {
    const v = vigil.histogram({ name: 'observe_labels_seconds', help, labelNames: ['route'], buckets: BUCKETS });
    const p = new prom.Histogram({
      name: 'observe_labels_seconds',
      help,
      labelNames: ['route'],
      buckets: BUCKETS,
      registers: [promReg],
    });
    const o = meter.createHistogram('observe_labels_seconds', { advice: { explicitBucketBoundaries: BUCKETS } });
    for (const l of ROUTE_LABELS) {
      v.observe(l, 0);
      p.observe(l, 0);
      o.record(0, l);
    }
    cases.push({
      id: 'histogram.observe.labels',
      title: 'histogram.observe(labels, v), 1 label, pre-built objects',
      loops: {
        vigil: (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST_ROUTE ? 0 : j + 1) {
            v.observe(ROUTE_LABELS[j] as { route: string }, OBSERVATIONS[i & OBS_MASK] as number);
          }
        },
        'prom-client': (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST_ROUTE ? 0 : j + 1) {
            p.observe(ROUTE_LABELS[j] as { route: string }, OBSERVATIONS[i & OBS_MASK] as number);
          }
        },
        otel: (n) => {
          for (let i = 0, j = 0; i < n; i++, j = j === LAST_ROUTE ? 0 : j + 1) {
            o.record(OBSERVATIONS[i & OBS_MASK] as number, ROUTE_LABELS[j]);
          }
        },
      },
    });
  }

  {
    const v = vigil.gauge({ name: 'set_value', help });
    const p = new prom.Gauge({ name: 'set_value', help, registers: [promReg] });
    const o = meter.createGauge('set_value');
    cases.push({
      id: 'gauge.set',
      title: 'gauge.set(v), no labels',
      loops: {
        vigil: (n) => {
          for (let i = 0; i < n; i++) v.set(OBSERVATIONS[i & OBS_MASK] as number);
        },
        'prom-client': (n) => {
          for (let i = 0; i < n; i++) p.set(OBSERVATIONS[i & OBS_MASK] as number);
        },
        otel: (n) => {
          for (let i = 0; i < n; i++) o.record(OBSERVATIONS[i & OBS_MASK] as number);
        },
      },
    });
  }

  return cases;
}
