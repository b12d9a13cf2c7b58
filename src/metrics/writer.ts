/**
 * Writes exposition text straight into bytes. Building a 100k-line scrape with string
 * concatenation leaves a rope of cons strings that the GC copies at every scavenge;
 * writing UTF-8 into one growing buffer is about twice as fast and allocates almost
 * nothing. The buffer is reused between scrapes; `finish()` copies out the result.
 */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Writes a string as UTF-8 (lone surrogates become U+FFFD, as Buffer.from does). */
  text(s: string): void {
    const n = s.length;
    if (this.pos + n * 3 > this.buf.length) this.grow(n * 3);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        b[p++] = c;
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c < 0xe000) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
          const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          b[p++] = 0xf0 | (cp >> 18);
          b[p++] = 0x80 | ((cp >> 12) & 0x3f);
          b[p++] = 0x80 | ((cp >> 6) & 0x3f);
          b[p++] = 0x80 | (cp & 0x3f);
          i++;
        } else {
          b[p++] = 0xef;
          b[p++] = 0xbf;
          b[p++] = 0xbd;
        }
      } else {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = p;
  }

  /** Writes a non-negative safe integer without building a string: counts and buckets. */
  integer(v: number): void {
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v)) {
      this.text(`${v}`);
      return;
    }
    if (this.pos + 16 > this.buf.length) this.grow(16);
    const b = this.buf;
    let end = this.pos;
    do {
      const q = Math.floor(v / 10);
      // Digit first: 48 + v would round above 2^53 and corrupt the last digit.
      b[end++] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
    // Digits came out least significant first.
    for (let lo = this.pos, hi = end - 1; lo < hi; lo++, hi--) {
      const t = b[lo] as number;
      b[lo] = b[hi] as number;
      b[hi] = t;
    }
    this.pos = end;
  }

  /** Drops what was written: a render that threw must not leave its bytes to the next one. */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written so far, copied out; the writer is empty again afterwards. */
  finish(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  private grow(needed: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
