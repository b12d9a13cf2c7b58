import { describe, expect, it } from 'vitest';
import {
  parseCpuTimes,
  parseDiskStats,
  parseMaxFds,
  parseMemInfo,
  parseMounts,
  parseNetDev,
  parseStatus,
} from '../../../src/collectors/proc.js';

describe('/proc parsers', () => {
  it('read /proc/self/status, kB values in bytes', () => {
    expect(parseStatus('Name:\tnode\nVmRSS:\t  12 kB\nThreads:\t3\n')).toEqual({
      threads: 3,
      residentBytes: 12 * 1024,
      virtualBytes: undefined,
      dataBytes: undefined,
    });
    expect(() => parseStatus('VmRSS: 12 kB\n')).toThrow(/\/proc\/self\/status.*Threads/);
    expect(() => parseStatus('Threads: many\n')).toThrow(/Threads/);
  });

  it('read the soft open-files limit, unlimited as +Inf', () => {
    expect(parseMaxFds('Max open files            1024                 4096                 files\n')).toBe(1024);
    expect(parseMaxFds('Max open files            unlimited            unlimited            files\n')).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => parseMaxFds('Max open files            lots\n')).toThrow(/limits/);
    expect(() => parseMaxFds('')).toThrow(/limits/);
  });

  it('count iowait as idle and leave guest time out of the total', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(parseCpuTimes('cpu  10 1 5 100 4 2 3 1 7 7\n')).toEqual({ busy: 22, total: 126 });
    expect(() => parseCpuTimes('cpu0 1 2 3 4\n')).toThrow(/\/proc\/stat/);
    expect(() => parseCpuTimes('cpu  a b c d e\n')).toThrow(/\/proc\/stat/);
  });

  it('need MemTotal, and fall back when MemAvailable is missing', () => {
    expect(parseMemInfo('MemTotal: 8 kB\nMemAvailable: 2 kB\n')).toEqual({ totalBytes: 8192, availableBytes: 2048 });
    expect(() => parseMemInfo('MemFree: 1 kB\n')).toThrow(/MemTotal/);
    expect(() => parseMemInfo('MemTotal: 8 kB\n')).toThrow(/MemFree/);
  });

  it('unescape octal escapes in mount points', () => {
    expect(parseMounts('/dev/sda1 /mnt/my\\040disk\\011x ext4 rw 0 0\n')).toEqual([
      { device: '/dev/sda1', mountpoint: '/mnt/my disk\tx', fstype: 'ext4' },
    ]);
    expect(() => parseMounts('nonsense\n')).toThrow(/mounts/);
  });

  it('turn disk sectors into bytes and refuse short lines', () => {
    expect(parseDiskStats('   8 0 sda 1 0 8 0 2 0 16 0 0 0 0 0 0 0\n')).toEqual([
      { device: 'sda', readBytes: 4096, writtenBytes: 8192 },
    ]);
    expect(() => parseDiskStats('   8 0 sda 1 0 8\n')).toThrow(/diskstats/);
  });

  it('read receive and transmit bytes per interface', () => {
    const text = 'Inter-|   Receive |  Transmit\n face |bytes ...|bytes ...\n  lo: 5 1 0 0 0 0 0 0 7 1 0 0 0 0 0 0\n';
    expect(parseNetDev(text)).toEqual([{ interface: 'lo', receiveBytes: 5, transmitBytes: 7 }]);
    expect(() => parseNetDev('no header\n')).toThrow(/net\/dev/);
    expect(() => parseNetDev(`${text}  eth0: 1 2 3\n`)).toThrow(/net\/dev/);
  });
});
