// Gram matrices of rows: out[i·nb + j] = A_i · B_j / N, e.g. Q = W Wᵀ/N, R = W W*ᵀ/N,
// T = W* W*ᵀ/N (docs/theory.md §1). The one place these products are written.

/** Plain dot product Σ_{t<n} a[oa + t] b[ob + t], one accumulator (the reference summation order). */
export function plainDot(a: Float64Array, oa: number, b: Float64Array, ob: number, n: number): number {
  let s = 0;
  for (let t = 0; t < n; t++) s += a[oa + t] * b[ob + t];
  return s;
}

export type RowDot = typeof plainDot;

/**
 * out[i·nb + j] = (A_i · B_j)/N for rows of A (na×N) and B (nb×N). With `symmetric` (A = B) only
 * j ≥ i is computed and mirrored. `dot` picks the summation (default plainDot; the hot GD
 * gradient uses the 4-accumulator linalg/dot.ts).
 */
export function gram(
  A: Float64Array, na: number, B: Float64Array, nb: number, N: number, out: Float64Array,
  symmetric = false, dot: RowDot = plainDot, scale = N,
): Float64Array {
  for (let i = 0; i < na; i++) {
    for (let j = symmetric ? i : 0; j < nb; j++) {
      const v = dot(A, i * N, B, j * N, N) / scale;
      out[i * nb + j] = v;
      if (symmetric) out[j * nb + i] = v;
    }
  }
  return out;
}
