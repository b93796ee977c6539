// Equal-width histograms.

export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

/** Counts of `values` in `bins` equal bins over [lo, hi] (values outside are dropped). */
export function histogram(values: readonly number[], lo: number, hi: number, bins: number): Bin[] {
  const w = (hi - lo) / bins;
  const out: Bin[] = Array.from({ length: bins }, (_, b) => ({ lo: lo + b * w, hi: lo + (b + 1) * w, count: 0 }));
  for (const v of values) {
    if (!(v >= lo && v <= hi)) continue;
    out[Math.min(bins - 1, Math.floor((v - lo) / w))].count++;
  }
  return out;
}
