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
  VIGIL_ERR_STACK_CONFIG: 'fix the fields named above; docs/stack.md lists every field and its default.',
  VIGIL_ERR_STACK_CHECK:
    'fix the files marked FAIL above (or the config they came from), then run `vigil stack check` again.',
  VIGIL_ERR_STACK_BINARY: 'install the package named above, or use `docker compose up -d` in the stack directory.',
  VIGIL_ERR_STACK_START:
    'read the log quoted above (in <dir>/.data/); free the port or fix the config. What had started was stopped.',
  VIGIL_ERR_STACK_STATE:
    'run `vigil stack status`; `vigil stack down` stops exactly the processes `up` started; `vigil stack init` (--force to overwrite) makes a stack directory.',
  VIGIL_ERR_QUERY_OPTION: 'check the URLs and options given to `vigil console` (`vigil console --help`).',
  VIGIL_ERR_QUERY_FAILED: 'the source answered with an error: the message above is its own.',
  VIGIL_ERR_SOURCE_UNREACHABLE: 'is the source running at the URL given? `vigil stack status` shows the local stack.',
  VIGIL_ERR_CONSOLE_OPTION: 'check the options of `vigil console` (`vigil console --help`).',
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
