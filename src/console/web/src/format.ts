/** Number and time formatting for cards, legends and tables. */

export type Unit = 'seconds' | 'bytes' | 'percent' | 'ratio' | 'rate' | 'count' | 'none';

export function formatValue(value: number | null | undefined, unit: Unit = 'none'): string {
  if (value === null || value === undefined) return '–';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'seconds':
      return formatSeconds(value);
    case 'bytes':
      return formatBytes(value);
    case 'percent':
      return `${round(value, 3)} %`;
    case 'ratio':
      return `${round(value * 100, 3)} %`;
    case 'rate':
      return `${round(value, 3)}/s`;
    default:
      return round(value, 4);
  }
}

/** Up to `digits` significant digits, without trailing zeros or exponent for everyday sizes. */
export function round(value: number, digits: number): string {
  if (value === 0) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e15 || abs < 1e-6) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

export function formatSeconds(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs === 0) return '0 s';
  if (abs < 1e-3) return `${round(seconds * 1e6, 3)} µs`;
  if (abs < 1) return `${round(seconds * 1e3, 3)} ms`;
  if (abs < 120) return `${round(seconds, 3)} s`;
  if (abs < 7200) return `${round(seconds / 60, 3)} min`;
  return `${round(seconds / 3600, 3)} h`;
}

export function formatMs(ms: number): string {
  return formatSeconds(ms / 1000);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${round(value, 3)} ${units[i]}`;
}

/** Local date and time of Unix seconds. */
export function formatTime(seconds: number | null): string {
  if (seconds === null) return '–';
  const d = new Date(seconds * 1000);
  return d.toLocaleString(undefined, { hour12: false });
}

export function formatAgo(seconds: number | null, now = Date.now() / 1000): string {
  if (seconds === null) return '–';
  const delta = Math.max(0, now - seconds);
  if (delta < 60) return `${Math.round(delta)} s ago`;
  if (delta < 3600) return `${Math.round(delta / 60)} min ago`;
  if (delta < 86400) return `${round(delta / 3600, 2)} h ago`;
  return `${round(delta / 86400, 2)} d ago`;
}

/** `{method="GET", route="/a"}` in short form: `method=GET route=/a`; `{}` for no labels. */
export function seriesLabel(labels: Record<string, string>, skip: readonly string[] = []): string {
  const parts = Object.entries(labels)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => `${key}=${value}`);
  return parts.length === 0 ? '{}' : parts.join(' ');
}
