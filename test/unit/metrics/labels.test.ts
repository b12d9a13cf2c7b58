import fc from 'fast-check';
import { Counter as PromCounter, Registry as PromRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Registry, renderLabels } from '../../../src/metrics/index.js';
import { codeOf } from './helpers.js';

/** Strings rich in the characters that break naive label keys and exposition. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: fc.constantFrom(',', '=', ':', '"', '\\', '\n', '{', '}', 'a', 'b', '1', '2', ' '), maxLength: 8 }),
  fc.constantFrom('', ',', 'b:2', '1,b:2', '2,', '\\"', '\\n', 'é', '😀', 'true', '0'),
);

describe('label sets never share a series', () => {
  it('distinct label sets get distinct series; equal ones the same (property)', () => {
    fc.assert(
      fc.property(fc.tuple(nasty, nasty, nasty), fc.tuple(nasty, nasty, nasty), (x, y) => {
        const c = new Counter({ name: 'p_total', help: 'x', labelNames: ['a', 'b', 'c'], registers: [] });
        const first = { a: x[0], b: x[1], c: x[2] };
        const second = { a: y[0], b: y[1], c: y[2] };
        c.inc(first, 1);
        c.inc(second, 10);
        const same = x[0] === y[0] && x[1] === y[1] && x[2] === y[2];
        expect(c.labels(first) === c.labels(second)).toBe(same);
        expect(c.series).toHaveLength(same ? 1 : 2);
        expect(c.get(first)).toBe(same ? 11 : 1);
        expect(c.get(second)).toBe(same ? 11 : 10);
        // The rendered label text is distinct too: escaping is injective.
        expect(new Set(c.series.map((s) => s.labelText)).size).toBe(c.series.length);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any label value through the exposition escaping (property)', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, nasty, async (a, b) => {
        const r = new Registry();
        r.gauge({ name: 'g', help: 'x', labelNames: ['a', 'b'] }).set({ a, b }, 1);
        const [family] = await r.snapshot();
        expect(family?.series).toEqual([{ labels: { a, b }, value: 1 }]);
        const line = (await r.metrics()).split('\n')[2] as string;
        // One physical line, whatever the values hold.
        expect(line.startsWith('g{a="')).toBe(true);
        expect(line.endsWith('"} 1')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('prom-client 15 merges {a:"1,b:x", b:"y"} with {a:"1", b:"x,b:y"}; Vigil keeps them apart', async () => {
    // prom-client's hashObject joins `${key}:${value},` per label: both sets hash to "a:1,b:x,b:y,".
    const first = { a: '1,b:x', b: 'y' };
    const second = { a: '1', b: 'x,b:y' };

    const promRegistry = new PromRegistry();
    const prom = new PromCounter({ name: 'c_total', help: 'x', labelNames: ['a', 'b'], registers: [promRegistry] });
    prom.inc(first);
    prom.inc(second);
    const promValues = (await prom.get()).values;
    expect(promValues).toHaveLength(1);
    expect(promValues[0]?.value).toBe(2);
    expect(promValues[0]?.labels).toEqual(first);

    const vigil = new Counter({ name: 'c_total', help: 'x', labelNames: ['a', 'b'], registers: [] });
    vigil.inc(first);
    vigil.inc(second);
    expect(vigil.series).toHaveLength(2);
    expect(vigil.get(first)).toBe(1);
    expect(vigil.get(second)).toBe(1);
  });

  it('prom-client also merges {a:"1,b:2", b:""} with {a:"1", b:"2,b:"}; Vigil does not', async () => {
    const first = { a: '1,b:2', b: '' };
    const second = { a: '1', b: '2,b:' };
    const prom = new PromCounter({ name: 'd_total', help: 'x', labelNames: ['a', 'b'], registers: [] });
    prom.inc(first, 3);
    prom.inc(second, 4);
    expect((await prom.get()).values.map((v) => v.value)).toEqual([7]);

    const vigil = new Counter({ name: 'd_total', help: 'x', labelNames: ['a', 'b'], registers: [] });
    vigil.inc(first, 3);
    vigil.inc(second, 4);
    expect(vigil.series.map((s) => s.labelText)).toEqual(['a="1,b:2",b=""', 'a="1",b="2,b:"']);
  });
});

describe('label values and names', () => {
  it('finds the same series whatever the key order of the label object', () => {
    const c = new Counter({ name: 'o_total', help: 'x', labelNames: ['a', 'b'], registers: [] });
    c.inc({ b: '2', a: '1' });
    c.inc({ a: '1', b: '2' });
    expect(c.series).toHaveLength(1);
    // Rendered in declaration order.
    expect(c.series[0]?.labelText).toBe('a="1",b="2"');
  });

  it('escapes backslash, double quote and newline in label values', () => {
    const g = new Gauge({ name: 'e', help: 'x', labelNames: ['v'], registers: [] });
    g.set({ v: 'a\\b"c\nd' }, 1);
    expect(g.series[0]?.labelText).toBe('v="a\\\\b\\"c\\nd"');
  });

  it.each([
    ['a missing label', { a: '1' }, 'VIGIL_ERR_LABEL_MISSING'],
    ['an undefined value', { a: '1', b: undefined }, 'VIGIL_ERR_LABEL_MISSING'],
    ['an unknown label', { a: '1', b: '2', c: '3' }, 'VIGIL_ERR_LABEL_UNKNOWN'],
    ['a wrong name', { a: '1', x: '2' }, 'VIGIL_ERR_LABEL_UNKNOWN'],
    ['an object value', { a: '1', b: {} }, 'VIGIL_ERR_LABEL_VALUE'],
    ['a null value', { a: '1', b: null }, 'VIGIL_ERR_LABEL_VALUE'],
    ['a symbol value', { a: '1', b: Symbol('s') }, 'VIGIL_ERR_LABEL_VALUE'],
    ['no labels', {}, 'VIGIL_ERR_LABEL_MISSING'],
  ])('refuses %s and creates no series', (_, labels, code) => {
    const c = new Counter({ name: 'v_total', help: 'x', labelNames: ['a', 'b'], registers: [] });
    expect(codeOf(() => c.inc(labels as never))).toBe(code);
    expect(codeOf(() => c.labels(labels as never))).toBe(code);
    expect(c.series).toHaveLength(0);
  });

  it('refuses the wrong number of positional values', () => {
    const c = new Counter({ name: 'v_total', help: 'x', labelNames: ['a', 'b'], registers: [] });
    expect(codeOf(() => c.labels(...(['1'] as unknown as [string, string])))).toBe('VIGIL_ERR_LABEL_MISSING');
    expect(codeOf(() => c.labels(...(['1', '2', '3'] as unknown as [string, string])))).toBe('VIGIL_ERR_LABEL_MISSING');
    expect(codeOf(() => c.labels('1', undefined as unknown as string))).toBe('VIGIL_ERR_LABEL_MISSING');
    expect(c.series).toHaveLength(0);
  });

  it('refuses labels on a metric that declares none', () => {
    const c = new Counter({ name: 'n_total', help: 'x', registers: [] });
    expect(codeOf(() => c.inc({ a: '1' } as never))).toBe('VIGIL_ERR_LABEL_UNKNOWN');
    expect(c.get()).toBe(0);
  });

  it.each([
    ['a dash', 'bad-name', 'VIGIL_ERR_INVALID_LABEL_NAME'],
    ['a leading digit', '1abc', 'VIGIL_ERR_INVALID_LABEL_NAME'],
    ['a colon', 'a:b', 'VIGIL_ERR_INVALID_LABEL_NAME'],
    ['an empty name', '', 'VIGIL_ERR_INVALID_LABEL_NAME'],
    ['a non-ASCII letter', 'é', 'VIGIL_ERR_INVALID_LABEL_NAME'],
    ['a leading __', '__name__', 'VIGIL_ERR_RESERVED_LABEL'],
    ['a leading __ (any)', '__x', 'VIGIL_ERR_RESERVED_LABEL'],
  ])('refuses a label name with %s', (_, name, code) => {
    expect(codeOf(() => new Counter({ name: 'l_total', help: 'x', labelNames: [name], registers: [] }))).toBe(code);
    expect(codeOf(() => new Counter({ name: 'l_total', help: 'x', constLabels: { [name]: 'v' }, registers: [] }))).toBe(
      code,
    );
    expect(codeOf(() => new Registry({ defaultLabels: { [name]: 'v' } }))).toBe(code);
  });

  it('accepts label names with underscores and digits after the first character', () => {
    const c = new Counter({ name: 'ok_total', help: 'x', labelNames: ['_a', 'b_2', 'C'], registers: [] });
    c.inc({ _a: '1', b_2: '2', C: '3' });
    expect(c.series[0]?.labelText).toBe('_a="1",b_2="2",C="3"');
  });

  it('refuses a label declared twice, or as both const and declared', () => {
    expect(codeOf(() => new Counter({ name: 'd_total', help: 'x', labelNames: ['a', 'a'], registers: [] }))).toBe(
      'VIGIL_ERR_DUPLICATE_LABEL',
    );
    expect(
      codeOf(
        () => new Counter({ name: 'd_total', help: 'x', labelNames: ['a'], constLabels: { a: '1' }, registers: [] }),
      ),
    ).toBe('VIGIL_ERR_DUPLICATE_LABEL');
  });

  it('refuses labelNames that are not an array, and const label values of the wrong type', () => {
    expect(
      codeOf(() => new Counter({ name: 'd_total', help: 'x', labelNames: 'a' as unknown as string[], registers: [] })),
    ).toBe('VIGIL_ERR_INVALID_OPTION');
    expect(
      codeOf(
        () => new Counter({ name: 'd_total', help: 'x', constLabels: { a: null as unknown as string }, registers: [] }),
      ),
    ).toBe('VIGIL_ERR_LABEL_VALUE');
  });

  it('renderLabels renders and escapes a collector label object, and checks names', () => {
    expect(renderLabels({ a: 'x"y', b: 2, c: false })).toBe('a="x\\"y",b="2",c="false"');
    expect(renderLabels({})).toBe('');
    expect(codeOf(() => renderLabels({ 'no-dash': '1' }))).toBe('VIGIL_ERR_INVALID_LABEL_NAME');
  });
});
