/**
 * A DDSketch-style quantile sketch: values go into logarithmic bins so that any quantile
 * is answered within a relative error `alpha` of the exact one (the value at rank
 * floor(q * (n - 1)) of the sorted observations), in bounded memory and mergeable.
 */
export const SKETCH_RELATIVE_ERROR = 0.01;

const GAMMA = (1 + SKETCH_RELATIVE_ERROR) / (1 - SKETCH_RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
/** Magnitudes below this count as zero; far below any duration or size worth measuring. */
const MIN_MAGNITUDE = 1e-9;

/** Bins for one sign: counts indexed by ceil(log_gamma(|v|)), stored densely from `offset`. */
class Bins {
  counts: number[] = [];
  offset = 0;

  add(index: number, n = 1): void {
    if (this.counts.length === 0) {
      this.offset = index;
      this.counts.push(n);
      return;
    }
    if (index < this.offset) {
      const grow = this.offset - index;
      this.counts.unshift(...new Array<number>(grow).fill(0));
      this.offset = index;
    } else {
      while (index - this.offset >= this.counts.length) this.counts.push(0);
    }
    (this.counts[index - this.offset] as number) += n;
  }

  merge(other: Bins): void {
    for (let i = 0; i < other.counts.length; i++) {
      const n = other.counts[i] as number;
      if (n > 0) this.add(other.offset + i, n);
    }
  }
}

export class QuantileSketch {
  private positive = new Bins();
  private negative = new Bins();
  private zeros = 0;
  /** Infinite observations sit outside the bins, at either end. */
  private negInf = 0;
  private posInf = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    if (value === Number.POSITIVE_INFINITY) this.posInf++;
    else if (value === Number.NEGATIVE_INFINITY) this.negInf++;
    else if (value > MIN_MAGNITUDE) this.positive.add(index(value));
    else if (value < -MIN_MAGNITUDE) this.negative.add(index(-value));
    else this.zeros++;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  merge(other: QuantileSketch): void {
    this.positive.merge(other.positive);
    this.negative.merge(other.negative);
    this.zeros += other.zeros;
    this.negInf += other.negInf;
    this.posInf += other.posInf;
    this.count += other.count;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** The q-quantile (0 <= q <= 1); NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = Math.floor(q * (this.count - 1));
    let seen = this.negInf;
    if (seen > rank) return Number.NEGATIVE_INFINITY;
    // Negative values: largest magnitude first.
    const neg = this.negative.counts;
    for (let i = neg.length - 1; i >= 0; i--) {
      seen += neg[i] as number;
      if (seen > rank) return clamp(-value(this.negative.offset + i), this.min, this.max);
    }
    seen += this.zeros;
    if (seen > rank) return 0;
    const pos = this.positive.counts;
    for (let i = 0; i < pos.length; i++) {
      seen += pos[i] as number;
      if (seen > rank) return clamp(value(this.positive.offset + i), this.min, this.max);
    }
    return this.max;
  }

  clear(): void {
    this.positive = new Bins();
    this.negative = new Bins();
    this.zeros = 0;
    this.negInf = 0;
    this.posInf = 0;
    this.count = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }
}

function index(magnitude: number): number {
  return Math.ceil(Math.log(magnitude) / LOG_GAMMA);
}

/** The value a bin stands for: within alpha of everything in it. */
function value(i: number): number {
  return (2 * GAMMA ** i) / (GAMMA + 1);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
