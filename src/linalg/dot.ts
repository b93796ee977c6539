// Dot product of two rows of row-major Float64Arrays with four independent accumulators
// (breaks the floating-point add dependency chain; ~2× faster than one accumulator in V8).

/** Σ_{i<n} a[oa + i] · b[ob + i]. */
export function dot(a: Float64Array, oa: number, b: Float64Array, ob: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[oa + i] * b[ob + i];
    s1 += a[oa + i + 1] * b[ob + i + 1];
    s2 += a[oa + i + 2] * b[ob + i + 2];
    s3 += a[oa + i + 3] * b[ob + i + 3];
  }
  for (; i < n; i++) s0 += a[oa + i] * b[ob + i];
  return s0 + s1 + (s2 + s3);
}
