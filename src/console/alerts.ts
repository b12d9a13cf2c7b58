import type { AmAlert, PromAlert } from '../query/index.js';
import type { Alert } from './api-types.js';

const seconds = (iso: string | undefined) => {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) || ms <= 0 ? null : ms / 1000;
};

const AM_STATES: Record<string, Alert['state']> = {
  active: 'firing',
  suppressed: 'suppressed',
  unprocessed: 'pending',
};

export function fromAlertmanager(a: AmAlert): Alert {
  return {
    name: a.labels.alertname ?? '',
    state: AM_STATES[a.status?.state] ?? 'firing',
    severity: a.labels.severity ?? null,
    labels: a.labels,
    annotations: a.annotations ?? {},
    since: seconds(a.startsAt),
    value: null,
  };
}

export function fromPrometheus(a: PromAlert): Alert {
  return {
    name: a.labels.alertname ?? '',
    state: a.state,
    severity: a.labels.severity ?? null,
    labels: a.labels,
    annotations: a.annotations ?? {},
    since: seconds(a.activeAt),
    value: a.value ?? null,
  };
}
