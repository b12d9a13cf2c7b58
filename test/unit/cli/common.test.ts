import { describe, expect, it } from 'vitest';
import { collectGrouping, printError, readText } from '../../../src/cli/common.js';
import { VigilError } from '../../../src/metrics/errors.js';

describe('cli helpers', () => {
  it('collects repeated --grouping name=value, values may hold = and /', () => {
    const one = collectGrouping('branch=feature/x', {});
    expect(collectGrouping('q=a=b', one)).toEqual({ branch: 'feature/x', q: 'a=b' });
    expect(collectGrouping('empty=', {})).toEqual({ empty: '' });
  });

  it.each([
    ['novalue', '--grouping expects name=value, not "novalue".'],
    ['=x', '--grouping expects name=value, not "=x".'],
  ])('refuses --grouping %j', (value, message) => {
    expect(() => collectGrouping(value, {})).toThrow(`VIGIL_ERR_CLI_USAGE: ${message}`);
  });

  it('refuses a grouping name given twice', () => {
    expect(() => collectGrouping('a=2', { a: '1' })).toThrow('VIGIL_ERR_CLI_USAGE: --grouping a is given twice.');
  });

  it('reports an unreadable file as VIGIL_ERR_CLI_FILE', async () => {
    await expect(readText('/nonexistent/vigil/report.xml')).rejects.toThrow(
      /^VIGIL_ERR_CLI_FILE: cannot read \/nonexistent\/vigil\/report.xml: ENOENT/,
    );
  });

  it('prints the code, the message and a hint', () => {
    let out = '';
    const write = (s: string): boolean => {
      out += s;
      return true;
    };
    const sink = { write } as unknown as NodeJS.WritableStream;
    printError(new VigilError('VIGIL_ERR_CLI_FILE', 'cannot read x'), sink);
    expect(out).toBe('error VIGIL_ERR_CLI_FILE: cannot read x\nhint: check the path; it must be a readable file.\n');
  });
});
