import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFloat } from './floats.js';
import { runWithInput } from './run.js';

/**
 * The official Python client's parsers (Debian python3-prometheus-client 0.16) as
 * independent validators, run with /usr/bin/python3 (not a pyenv/venv python).
 *
 * Quirks worth knowing (checked on this machine):
 * - 'text' (prometheus_client.parser) is lenient: it accepts unknown escapes (`\q`
 *   stays `\q`), a missing final newline, duplicate series and interleaved families
 *   (they come back as separate families). HELP only unescapes `\\` and `\n` (`\"` stays).
 *   A counter family named `foo_total` is reported as family `foo`. Values are floats,
 *   timestamps are converted from ms to seconds.
 * - 'openmetrics' is strict on structure: requires `# EOF` last (nothing after it, not
 *   even an empty line), counter samples `foo_total` (a bare `foo` sample of a counter
 *   family is "Clashing name"), non-contiguous families, bucket order, `+Inf` bucket,
 *   `_count` == `+Inf` bucket, negative/NaN counters, exemplars only on buckets and
 *   `_total`, exemplar labels ≤ 128 runes, UNIT must be a suffix of the name.
 *   But it does NOT check canonical `le`/`quantile` (`le="1"` and `quantile="0.50"` are
 *   accepted and returned verbatim) nor duplicate series, and accepts `\q` in label
 *   values. HELP unescapes `\\`, `\n` and `\"`. Integer-looking values stay ints.
 */

export type ExpositionFormat = 'text' | 'openmetrics';

export interface ParsedExemplar {
  labels: Record<string, string>;
  value: number;
  /** Seconds, or null. */
  timestamp: number | null;
}

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Seconds (the text parser divides the ms timestamp by 1000), or null. */
  timestamp: number | null;
  exemplar: ParsedExemplar | null;
}

export interface ParsedFamily {
  name: string;
  type: string;
  documentation: string;
  /** '' when absent (always '' for the text parser). */
  unit: string;
  samples: ParsedSample[];
}

export type BatchResult = { ok: true; families: ParsedFamily[] } | { ok: false; error: string };

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'parse_exposition.py');
const INSTALL_HINT =
  'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-prometheus-client';

interface RawExemplar {
  labels: Record<string, string>;
  value: string;
  timestamp: string | null;
}
interface RawSample {
  name: string;
  labels: Record<string, string>;
  value: string;
  timestamp: string | null;
  exemplar: RawExemplar | null;
}
interface RawFamily {
  name: string;
  type: string;
  documentation: string;
  unit: string;
  samples: RawSample[];
}

const ts = (t: string | null) => (t === null ? null : decodeFloat(t));

function decodeFamilies(raw: RawFamily[]): ParsedFamily[] {
  return raw.map((f) => ({
    name: f.name,
    type: f.type,
    documentation: f.documentation,
    unit: f.unit,
    samples: f.samples.map((s) => ({
      name: s.name,
      labels: s.labels,
      value: decodeFloat(s.value),
      timestamp: ts(s.timestamp),
      exemplar:
        s.exemplar === null
          ? null
          : { labels: s.exemplar.labels, value: decodeFloat(s.exemplar.value), timestamp: ts(s.exemplar.timestamp) },
    })),
  }));
}

function truncate(text: string, max = 2_000): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n... (${text.length - max} more characters)`;
}

async function runScript(args: string[], input: string, timeoutMs: number) {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing. Install it with: ${INSTALL_HINT}`);
  }
  const result = await runWithInput(PYTHON, [SCRIPT, ...args], input, { timeoutMs });
  if (result.code !== 0 && /No module named .?prometheus_client/.test(result.stderr)) {
    throw new Error(`The Python module prometheus_client is missing. Install it with: ${INSTALL_HINT}`);
  }
  return result;
}

/**
 * Parse `text` with the Python client's text or OpenMetrics parser. Throws an Error with
 * the parser's message and the (truncated) input when the parser rejects it.
 */
export async function parseWithPython(
  text: string,
  format: ExpositionFormat,
  { timeoutMs = 15_000 }: { timeoutMs?: number } = {},
): Promise<ParsedFamily[]> {
  const result = await runScript([format], text, timeoutMs);
  if (result.code !== 0) {
    throw new Error(
      `Python ${format} parser rejected the input (exit ${result.code}): ${result.stderr.trim()}\n` +
        `--- input ---\n${truncate(text)}`,
    );
  }
  return decodeFamilies(JSON.parse(result.stdout) as RawFamily[]);
}

/**
 * Parse many expositions in one Python process (for property tests: Python start-up
 * costs ~0.1-0.2 s per call). Never throws for a rejected input; see `ok`.
 */
export async function parseManyWithPython(
  texts: readonly string[],
  format: ExpositionFormat,
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<BatchResult[]> {
  const result = await runScript([format, '--batch'], JSON.stringify(texts), timeoutMs);
  if (result.code !== 0) {
    throw new Error(`parse_exposition.py --batch failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  const raw = JSON.parse(result.stdout) as Array<{ ok: true; families: RawFamily[] } | { ok: false; error: string }>;
  return raw.map((r) => (r.ok ? { ok: true, families: decodeFamilies(r.families) } : r));
}
