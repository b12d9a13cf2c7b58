import { readFile } from 'node:fs/promises';
import { type ErrorCode, VigilError } from '../metrics/errors.js';

/** What to do about each error the CLI can end with: printed under the `error` line. */
const HINTS: Partial<Record<ErrorCode, string>> = {
  VIGIL_ERR_CLI_USAGE: 'run `vigil <command> --help` for the options and examples.',
  VIGIL_ERR_CLI_FILE: 'check the path; it must be a readable file.',
  VIGIL_ERR_JUNIT:
    'pass the XML file the test runner wrote (pytest --junitxml, jest-junit, go-junit-report, Surefire).',
  VIGIL_ERR_EXPOSITION_FILE: 'fix what the message names (the line, if any); nothing was pushed.',
  VIGIL_ERR_PUSH_OPTION: 'check --gateway (an http(s) URL), --job (not empty) and --grouping names.',
  VIGIL_ERR_PUSH_REJECTED: 'the message above is the Pushgateway’s own; fix what it names.',
  VIGIL_ERR_PUSH_FAILED: 'is the Pushgateway running at --gateway? Nothing was lost; run the command again.',
  VIGIL_ERR_RUN_START: 'check the command name and that it is on PATH.',
};

export function usage(message: string): VigilError {
  return new VigilError('VIGIL_ERR_CLI_USAGE', message);
}

/** Prints `error VIGIL_ERR_...: message` and a hint to stderr. */
export function printError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): void {
  if (error instanceof VigilError) {
    stderr.write(`error ${error.message}\n`);
    const hint = HINTS[error.code];
    if (hint !== undefined) stderr.write(`hint: ${hint}\n`);
    return;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stderr.write(`error VIGIL_ERR_UNEXPECTED: ${message}\nhint: this is a bug in vigil; please report it.\n`);
}

/** Commander collector for repeatable `--grouping name=value` options. */
export function collectGrouping(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw usage(`--grouping expects name=value, not ${JSON.stringify(value)}.`);
  const name = value.slice(0, eq);
  if (Object.hasOwn(previous, name)) throw usage(`--grouping ${name} is given twice.`);
  return { ...previous, [name]: value.slice(eq + 1) };
}

export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new VigilError('VIGIL_ERR_CLI_FILE', `cannot read ${path}: ${reason}`);
  }
}

/** Options every push command takes. */
export interface GatewayOptions {
  gateway: string;
  job: string;
  grouping: Record<string, string>;
  json?: boolean;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
