import { VigilError } from './errors.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const UNIT = /^[a-zA-Z0-9_]+$/;

export function checkMetricName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_NAME',
      `metric name ${JSON.stringify(name)} is invalid: use letters, digits, '_' and ':', not starting with a digit (for example "http_requests_total").`,
    );
  }
}

export function checkLabelName(name: unknown, metric: string): asserts name is string {
  if (typeof name !== 'string' || !LABEL_NAME.test(name)) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_LABEL_NAME',
      `label name ${JSON.stringify(name)} of metric "${metric}" is invalid: use letters, digits and '_', not starting with a digit.`,
    );
  }
  if (name.startsWith('__')) {
    throw new VigilError(
      'VIGIL_ERR_RESERVED_LABEL',
      `label name "${name}" of metric "${metric}" starts with "__", which Prometheus reserves for internal use; rename it.`,
    );
  }
}

/** Checks declared label names: valid, unique, and not reserved for the metric type. */
export function checkLabelNames(names: readonly string[], metric: string, reserved: readonly string[] = []): void {
  const seen = new Set<string>();
  for (const name of names) {
    checkLabelName(name, metric);
    if (reserved.includes(name)) {
      throw new VigilError(
        'VIGIL_ERR_RESERVED_LABEL',
        `label name "${name}" is reserved on metric "${metric}" (its type writes "${name}" itself); choose another name.`,
      );
    }
    if (seen.has(name)) {
      throw new VigilError(
        'VIGIL_ERR_DUPLICATE_LABEL',
        `label name "${name}" is declared twice on metric "${metric}"; declare each label once.`,
      );
    }
    seen.add(name);
  }
}

export function checkHelp(help: unknown, metric: string): asserts help is string {
  if (typeof help !== 'string' || help.length === 0) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_HELP',
      `metric "${metric}" needs a non-empty help string that says what it measures.`,
    );
  }
}

/** OpenMetrics requires a family with a unit to end in `_<unit>`. */
export function checkUnit(unit: unknown, family: string): asserts unit is string {
  if (typeof unit !== 'string' || !UNIT.test(unit)) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_UNIT',
      `unit ${JSON.stringify(unit)} of metric "${family}" is invalid: use letters, digits and '_' (for example "seconds").`,
    );
  }
  if (!family.endsWith(`_${unit}`)) {
    throw new VigilError(
      'VIGIL_ERR_INVALID_UNIT',
      `metric "${family}" declares unit "${unit}" but its name does not end in "_${unit}"; OpenMetrics requires the suffix (for example "${family}_${unit}").`,
    );
  }
}
