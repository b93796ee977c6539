// Descriptive statistics of samples (docs/theory.md §11): mean, sample standard deviation,
// quantiles by linear interpolation between order statistics, the median, and a peak summary
// (median, quartiles, interquartile range).

/** Arithmetic mean (NaN for an empty sample). */
export function mean(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** Sample standard deviation √(Σ(v − v̄)²/(n − 1)) (NaN for n < 2). */
export function sampleSd(v: readonly number[]): number {
  if (v.length < 2) return NaN;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}

/** Quantile p of ascending `s`: s[⌊h⌋] + (h − ⌊h⌋)(s[⌊h⌋+1] − s[⌊h⌋]), h = (n − 1)p. */
export function quantile(s: readonly number[], p: number): number {
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Median of an unsorted sample (the average of the two middle values for even n). */
export function median(v: readonly number[]): number {
  return quantile([...v].sort((a, b) => a - b), 0.5);
}

export interface Peak {
  count: number;
  median: number;
  q1: number;
  q3: number;
  /** Interquartile range q3 − q1. */
  iqr: number;
  min: number;
  max: number;
}

/** Median, quartiles and IQR of a sample. */
export function peakOf(values: readonly number[]): Peak {
  const s = [...values].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  return { count: s.length, median: quantile(s, 0.5), q1, q3, iqr: q3 - q1, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}
