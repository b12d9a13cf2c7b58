import { describe, expect, it } from 'vitest';
import { validateExposition } from '../../../src/cli/exposition.js';

const VALID = `# A comment
# HELP backup_duration_seconds How long the backup took.
# TYPE backup_duration_seconds gauge
backup_duration_seconds 12.5
# TYPE backup_files_total counter
backup_files_total{kind="full",path="C:\\\\data \\"x\\"\\n"} 3
backup_last_success_timestamp_seconds 1.7e9
# TYPE rpc_seconds histogram
rpc_seconds_bucket{le="0.1"} 1
rpc_seconds_bucket{le="+Inf"} 2
rpc_seconds_sum 0.3
rpc_seconds_count 2
odd_value{a="1"} NaN
neg{a="1",} -Inf
`;

function lineError(text: string): string {
  try {
    validateExposition(text);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('validateExposition', () => {
  it('accepts HELP, TYPE, comments, labels with escapes, special values and a trailing comma', () => {
    expect(validateExposition(VALID)).toEqual({ samples: 9, families: 3 });
    expect(validateExposition('up 1')).toEqual({ samples: 1, families: 0 });
  });

  it('refuses a timestamp, naming the line', () => {
    expect(lineError('# TYPE a gauge\na 1\nb 2 1700000000000\n')).toBe(
      'VIGIL_ERR_EXPOSITION_FILE: line 3: the sample has a timestamp, and the Pushgateway refuses pushed samples with timestamps; remove it: "b 2 1700000000000"',
    );
  });

  it.each([
    ['1bad 1', 'line 1: invalid metric name "1bad"'],
    ['ok 1\nbad-name 2', 'line 2: invalid metric name "bad-name"'],
    ['a{1x="y"} 1', 'line 1: invalid label name "1x"'],
    ['a{x=y} 1', 'line 1: expected ="value" after label x'],
    ['a{x="y} 1', 'line 1: unterminated value of label x'],
    ['a{x="\\t"} 1', 'line 1: invalid escape in label x'],
    ['a{x="1",x="2"} 1', 'line 1: label x appears twice'],
    ['a{x="1" y="2"} 1', 'line 1: expected , or } after label x'],
    ['a', 'line 1: missing value'],
    ['a one', 'line 1: invalid value "one"'],
    ['a 1 2 3', 'line 1: unexpected text after the value'],
    ['# TYPE a gauge\n# TYPE a counter\na 1', 'line 2: second # TYPE line for a'],
    ['# TYPE a meter\na 1', 'line 1: unknown type "meter"'],
    ['a 1\n# TYPE a gauge', 'line 2: # TYPE for a comes after its samples'],
    ['# HELP 9x help', 'line 1: invalid metric name "9x" in # HELP'],
    ['a{x="1"} 1\na{x="1"} 2', 'line 2: duplicate series a{x="1"}'],
  ])('refuses %j: %s', (text, expected) => {
    expect(lineError(text)).toContain(`VIGIL_ERR_EXPOSITION_FILE: ${expected}`);
  });

  it('refuses a file without samples', () => {
    expect(lineError('# HELP a x\n\n')).toBe(
      'VIGIL_ERR_EXPOSITION_FILE: the file has no samples; pushing it would empty the group.',
    );
  });
});
