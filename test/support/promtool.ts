import { requireBinary } from './components.js';
import { runWithInput } from './run.js';

/**
 * `promtool check metrics` (Prometheus 2.42) reads the exposition from stdin and parses
 * it with the text 0.0.4 parser (client_golang expfmt), then lints it. Exit codes,
 * checked on this machine:
 *
 * - 0: parsed and no lint problems.
 * - 1: parse error; stderr: `error while linting: text format parsing error in line N: ...`
 *      (bad escape `\q`, unterminated label value, duplicate label name, second HELP/TYPE
 *      for a name, TYPE after the family's samples, invalid UTF-8, missing final newline,
 *      OpenMetrics exemplars `# {...}`).
 * - 3: parsed, but lint problems; one per line on stderr, e.g.
 *      `foo counter metrics should have "_total" suffix`, `foo no help text`.
 *
 * Everything goes to stderr; stdout stays empty (unless `--extended`). It does NOT
 * catch: duplicate series, interleaved families without HELP/TYPE, negative counters,
 * unsorted buckets, missing `le="+Inf"`, a trailing comma in a label set, `# EOF`
 * (read as a comment), lowercase `nan`/`Inf`. Use the Python parsers for those.
 */
export interface PromtoolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const PROMTOOL_OK = 0;
export const PROMTOOL_PARSE_ERROR = 1;
export const PROMTOOL_LINT_PROBLEMS = 3;

export async function checkMetrics(
  text: string,
  { extended = false, timeoutMs = 15_000 }: { extended?: boolean; timeoutMs?: number } = {},
): Promise<PromtoolResult> {
  const promtool = requireBinary('/usr/bin/promtool', 'prometheus');
  const args = ['check', 'metrics', ...(extended ? ['--extended'] : [])];
  const { code, stdout, stderr } = await runWithInput(promtool, args, text, { timeoutMs });
  return { code, stdout, stderr };
}
