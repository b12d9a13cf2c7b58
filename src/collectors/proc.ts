import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Readers and parsers for the /proc files the collectors use. Parsers are pure and throw
 * a plain Error naming the file when the text is not what the kernel writes, so a garbled
 * file becomes one counted collector error instead of a wrong value.
 */

/** Reads `<root>/<path>` as text. */
export function readProc(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

function garbled(file: string, why: string): Error {
  return new Error(`cannot parse ${file}: ${why}`);
}

/** `Key:   123 kB` lines (/proc/self/status, /proc/meminfo) as numbers; `kB` values in bytes. */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const rest = line.slice(colon + 1).trim();
    const space = rest.indexOf(' ');
    const value = Number(space === -1 ? rest : rest.slice(0, space));
    if (rest === '' || Number.isNaN(value)) continue;
    out.set(line.slice(0, colon), rest.endsWith(' kB') ? value * 1024 : value);
  }
  return out;
}

function need(values: Map<string, number>, key: string, file: string): number {
  const v = values.get(key);
  if (v === undefined) throw garbled(file, `no numeric "${key}" line`);
  return v;
}

export interface ProcStatus {
  residentBytes: number | undefined;
  virtualBytes: number | undefined;
  dataBytes: number | undefined;
  threads: number;
}

/** /proc/self/status: VmRSS, VmSize, VmData (absent for kernel threads) and Threads. */
export function parseStatus(text: string): ProcStatus {
  const v = parseKeyValues(text);
  return {
    threads: need(v, 'Threads', '/proc/self/status'),
    residentBytes: v.get('VmRSS'),
    virtualBytes: v.get('VmSize'),
    dataBytes: v.get('VmData'),
  };
}

/** The soft "Max open files" limit of /proc/self/limits (Infinity when unlimited). */
export function parseMaxFds(text: string): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith('Max open files')) continue;
    const soft = line.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return Number.POSITIVE_INFINITY;
    const n = Number(soft);
    if (soft === undefined || soft === '' || !Number.isFinite(n)) break;
    return n;
  }
  throw garbled('/proc/self/limits', 'no "Max open files" line with a number');
}

export interface CpuTimes {
  busy: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat, in clock ticks; iowait counts as idle. */
export function parseCpuTimes(text: string): CpuTimes {
  const line = text.split('\n', 1)[0] ?? '';
  const fields = line.split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 5) throw garbled('/proc/stat', 'first line is not the "cpu" line');
  // user nice system idle iowait irq softirq steal; guest time is already inside user.
  const ticks = fields.slice(1, 9).map(Number);
  if (ticks.some((t) => !Number.isFinite(t))) throw garbled('/proc/stat', 'non-numeric cpu times');
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

export interface MemInfo {
  totalBytes: number;
  availableBytes: number;
}

/** /proc/meminfo; kernels before 3.14 lack MemAvailable: free + buffers + cached instead. */
export function parseMemInfo(text: string): MemInfo {
  const v = parseKeyValues(text);
  const totalBytes = need(v, 'MemTotal', '/proc/meminfo');
  const available = v.get('MemAvailable');
  const availableBytes =
    available ?? need(v, 'MemFree', '/proc/meminfo') + (v.get('Buffers') ?? 0) + (v.get('Cached') ?? 0);
  return { totalBytes, availableBytes };
}

export interface Mount {
  device: string;
  mountpoint: string;
  fstype: string;
}

/** /proc/self/mounts; the kernel writes space, tab, newline and backslash as octal escapes. */
export function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [device, mountpoint, fstype] = line.split(' ');
    if (device === undefined || mountpoint === undefined || fstype === undefined || !mountpoint.startsWith('/')) {
      throw garbled('/proc/self/mounts', `unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    }
    out.push({ device, mountpoint: unescapeOctal(mountpoint), fstype });
  }
  return out;
}

function unescapeOctal(s: string): string {
  return s.includes('\\')
    ? s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)))
    : s;
}

export interface DiskStats {
  device: string;
  readBytes: number;
  writtenBytes: number;
}

/** Bytes per sector in /proc/diskstats, whatever the device's real sector size. */
const SECTOR_BYTES = 512;

/** /proc/diskstats: sectors read (field 6) and written (field 10), as bytes. */
export function parseDiskStats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') continue;
    const read = Number(f[5]);
    const written = Number(f[9]);
    if (f.length < 14 || f[2] === undefined || !Number.isFinite(read) || !Number.isFinite(written)) {
      throw garbled('/proc/diskstats', `unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    }
    out.push({ device: f[2], readBytes: read * SECTOR_BYTES, writtenBytes: written * SECTOR_BYTES });
  }
  return out;
}

export interface NetDevStats {
  interface: string;
  receiveBytes: number;
  transmitBytes: number;
}

/** /proc/net/dev: two header lines, then `iface: rx_bytes ... (8 rx fields) tx_bytes ...`. */
export function parseNetDev(text: string): NetDevStats[] {
  const lines = text.split('\n');
  if (!(lines[0] ?? '').includes('|')) throw garbled('/proc/net/dev', 'missing header');
  const out: NetDevStats[] = [];
  for (const line of lines.slice(2)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    const name = line.slice(0, colon).trim();
    if (colon <= 0 || name === '' || f.length < 16 || f.some((n) => !Number.isFinite(n))) {
      throw garbled('/proc/net/dev', `unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    }
    out.push({ interface: name, receiveBytes: f[0] as number, transmitBytes: f[8] as number });
  }
  return out;
}
