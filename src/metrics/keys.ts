/** The map key of a label value; undefined for what is not a valid value. */
export function keyOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return `${v}`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}
