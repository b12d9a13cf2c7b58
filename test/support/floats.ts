/**
 * Decode a float as the real components print it: Prometheus' HTTP API ("NaN",
 * "+Inf", "-Inf", "0.1", "1e+21") and Python's repr ("nan", "inf", "-inf").
 * `Number()` alone is not enough: `Number('+Inf')` is NaN.
 */
export function decodeFloat(text: string): number {
  switch (text.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY;
  }
  const value = Number(text);
  if (Number.isNaN(value) || text.trim() === '') {
    throw new Error(`decodeFloat: not a float: ${JSON.stringify(text)}`);
  }
  return value;
}
