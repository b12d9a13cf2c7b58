/**
 * Every error Vigil throws on purpose carries a stable code (`VIGIL_ERR_...`) that a user can
 * search for, and a message that says what was wrong and how to fix it. Each code is
 * documented in docs/errors.md; a test keeps the two in step.
 */
export const ErrorCodes = {
  VIGIL_ERR_INVALID_NAME: 'Invalid metric name',
  VIGIL_ERR_INVALID_LABEL_NAME: 'Invalid label name',
  VIGIL_ERR_RESERVED_LABEL: 'Reserved label name',
  VIGIL_ERR_DUPLICATE_LABEL: 'Duplicate label name',
  VIGIL_ERR_INVALID_HELP: 'Missing or invalid help text',
  VIGIL_ERR_INVALID_UNIT: 'Invalid unit',
  VIGIL_ERR_INVALID_OPTION: 'Invalid metric option',
  VIGIL_ERR_INVALID_BUCKETS: 'Invalid histogram buckets',
  VIGIL_ERR_INVALID_QUANTILES: 'Invalid summary quantiles',
  VIGIL_ERR_ALREADY_REGISTERED: 'Conflicting metric definition',
  VIGIL_ERR_NAME_COLLISION: 'Metric name collides with another family',
  VIGIL_ERR_LABEL_MISSING: 'Missing label value',
  VIGIL_ERR_LABEL_UNKNOWN: 'Unknown label name',
  VIGIL_ERR_LABEL_VALUE: 'Invalid label value',
  VIGIL_ERR_INVALID_VALUE: 'Invalid value',
  VIGIL_ERR_EXEMPLAR: 'Invalid exemplar',
  VIGIL_ERR_COLLECT: 'A collect callback failed',
  VIGIL_ERR_MERGE: 'Registries cannot be merged',
  VIGIL_ERR_EXPORTER_OPTION: 'Invalid metrics handler or server option',
  VIGIL_ERR_SERVER_START: 'The metrics server could not start',
  VIGIL_ERR_TRACING_OPTION: 'Invalid tracing option',
  VIGIL_ERR_PUSH_OPTION: 'Invalid Pushgateway push option',
  VIGIL_ERR_PUSH_REJECTED: 'The Pushgateway rejected the request',
  VIGIL_ERR_PUSH_FAILED: 'The Pushgateway could not be reached',
  VIGIL_ERR_CLI_USAGE: 'Invalid command-line arguments',
  VIGIL_ERR_CLI_FILE: 'A file named on the command line could not be read',
  VIGIL_ERR_JUNIT: 'Invalid JUnit XML report',
  VIGIL_ERR_EXPOSITION_FILE: 'Invalid text exposition file',
  VIGIL_ERR_RUN_START: 'The command given to vigil run could not be started',
  VIGIL_ERR_STACK_CONFIG: 'Invalid monitoring stack configuration',
  VIGIL_ERR_STACK_CHECK: 'A generated monitoring file failed its check',
  VIGIL_ERR_STACK_BINARY: 'A stack component is not installed',
  VIGIL_ERR_STACK_START: 'A stack component did not start or become ready',
  VIGIL_ERR_STACK_STATE: 'The local stack is not in the expected state',
  VIGIL_ERR_QUERY_OPTION: 'Invalid query client option',
  VIGIL_ERR_QUERY_FAILED: 'Prometheus or Alertmanager rejected a request',
  VIGIL_ERR_SOURCE_UNREACHABLE: 'A data source could not be reached',
  VIGIL_ERR_CONSOLE_OPTION: 'Invalid console option',
  VIGIL_ERR_OTLP_PAYLOAD: 'Invalid OTLP trace payload',
  VIGIL_ERR_CONSOLE_AUTH: 'The console API needs a token',
  VIGIL_ERR_CONSOLE_REQUEST: 'Invalid console API request',
  VIGIL_ERR_CONSOLE_NOT_FOUND: 'No such console route or trace',
  VIGIL_ERR_CONSOLE_INTERNAL: 'The console failed to answer',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class VigilError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'VigilError';
    this.code = code;
  }
}

/**
 * Thrown when a metric is registered under a name that already holds a different
 * definition. `existing` is the metric already in the registry, so a caller that wants
 * get-or-create with its own rules can use it directly.
 */
export class AlreadyRegisteredError<M = unknown> extends VigilError {
  readonly existing: M;

  constructor(message: string, existing: M) {
    super('VIGIL_ERR_ALREADY_REGISTERED', message);
    this.name = 'AlreadyRegisteredError';
    this.existing = existing;
  }
}

/** Raised by `registry.metrics()` when one or more collect callbacks fail. */
export class CollectError extends VigilError {
  readonly errors: readonly { metric: string; error: unknown }[];

  constructor(errors: readonly { metric: string; error: unknown }[]) {
    const names = errors.map((e) => `${e.metric} (${describe(e.error)})`).join(', ');
    super(
      'VIGIL_ERR_COLLECT',
      `collect failed for ${names}; the other families were gathered. ` +
        'Fix the callback, or use registry.gather() to serve what succeeded.',
    );
    this.name = 'CollectError';
    this.errors = errors;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
