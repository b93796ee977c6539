// Cholesky factorisation of symmetric positive semidefinite matrices (row-major, float64).

/**
 * Semidefinite Cholesky of a symmetric n×n matrix C: lower-triangular L with L Lᵀ = C,
 *   d_j = C_jj − Σ_{k<j} L_jk²,  L_jj = √d_j,  L_ij = (C_ij − Σ_{k<j} L_ik L_jk)/L_jj  (i > j),
 * where pivots d_j in [−tol·scale, tol·scale] (scale = max_i |C_ii|) are taken as zero and
 * their column is left zero. Returns null if a pivot is below −tol·scale (C not PSD).
 */
export function choleskyPsd(C: ArrayLike<number>, n: number, tol = 1e-10): { L: Float64Array; rank: number } | null {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(C[i * n + i]));
  const eps = tol * Math.max(scale, 1e-300);
  const L = new Float64Array(n * n);
  let rank = 0;
  for (let j = 0; j < n; j++) {
    let d = C[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
    if (d < -eps || !Number.isFinite(d)) return null;
    if (d <= eps) continue; // zero pivot: column j stays zero
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    rank++;
    for (let i = j + 1; i < n; i++) {
      let s = C[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return { L, rank };
}

/** x = L⁻¹ B for lower-triangular L (n×n) and B (n×m), by forward substitution, column by column. */
export function forwardSubstitute(L: Float64Array, n: number, B: ArrayLike<number>, m: number): Float64Array {
  const X = new Float64Array(n * m);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = B[i * m + c];
      for (let p = 0; p < i; p++) s -= L[i * n + p] * X[p * m + c];
      X[i * m + c] = s / L[i * n + i];
    }
  }
  return X;
}
