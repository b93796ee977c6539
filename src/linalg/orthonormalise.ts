// Gram–Schmidt on the rows of a matrix.

/**
 * Modified Gram–Schmidt on the rows of A (m×n, row-major), run twice for float64
 * orthogonality, then rows scaled to norm `scale`: afterwards A Aᵀ = scale² I.
 * Throws if the rows are (numerically) linearly dependent or m > n.
 */
export function gramSchmidtRows(A: Float64Array, m: number, n: number, scale = 1): void {
  if (m > n) throw new RangeError(`cannot orthonormalise ${m} rows in dimension ${n}`);
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const oj = j * n;
        let d = 0;
        for (let t = 0; t < n; t++) d += A[oi + t] * A[oj + t];
        for (let t = 0; t < n; t++) A[oi + t] -= d * A[oj + t];
      }
      let s = 0;
      for (let t = 0; t < n; t++) s += A[oi + t] * A[oi + t];
      const norm = Math.sqrt(s);
      if (!(norm > 1e-10)) throw new RangeError('rows are linearly dependent');
      for (let t = 0; t < n; t++) A[oi + t] /= norm;
    }
  }
  if (scale !== 1) for (let i = 0; i < m * n; i++) A[i] *= scale;
}
