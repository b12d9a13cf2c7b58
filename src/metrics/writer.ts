/**
 * Collects exposition text as UTF-8 bytes. Pieces are appended to a short JS string and
 * flushed into one growing buffer with a single native UTF-8 write per ~16k characters:
 * concatenating a whole 100k-line scrape would leave a rope of cons strings that the GC
 * copies at every scavenge, and encoding character by character in JS is slower than
 * the native encoder. The buffer is reused between scrapes; `finish()` copies out.
 */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;
  private pending = '';

  constructor(initialSize = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Appends a string (lone surrogates become U+FFFD, as Buffer.from does). */
  text(s: string): void {
    this.pending += s;
    if (this.pending.length > FLUSH_AT) this.flush();
  }

  /** Appends a number that is known to print as plain digits: counts and buckets. */
  integer(v: number): void {
    this.pending += v;
    if (this.pending.length > FLUSH_AT) this.flush();
  }

  /** Drops anything written so far, e.g. by an encode that threw half-way. */
  reset(): void {
    this.pos = 0;
    this.pending = '';
  }

  /** The bytes written so far, copied out; the writer is empty again afterwards. */
  finish(): Buffer {
    this.flush();
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  private flush(): void {
    const s = this.pending;
    if (s === '') return;
    // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
    if (this.pos + s.length * 3 > this.buf.length) this.grow(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.pending = '';
  }

  private grow(needed: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

const FLUSH_AT = 16_384;
