// Cholesky factorisation of symmetric matrices (row-major, float64): the one factorisation loop,
// used semidefinite (realisations of Ω, docs/theory.md §5) and definite (the minimum test and the
// Newton solves on the weight-space Hessian, docs/theory.md §11.6).

/**
 * Factorises the symmetric n×n matrix in A in place: its lower triangle becomes L with L Lᵀ = A,
 *   d_j = A_jj − Σ_{k<j} L_jk²,  L_jj = √d_j,  L_ij = (A_ij − Σ_{k<j} L_ik L_jk)/L_jj  (i > j).
 * Semidefinite (`psd`): a pivot d_j in [−zeroTol, zeroTol] is taken as zero and its column left
 * zero; definite: every pivot must be > 0. Any other pivot (or a non-finite one) stops the
 * factorisation. Returns the rank, or −1 when it stopped. The strict upper triangle is not touched.
 */
function factorInPlace(A: Float64Array, n: number, psd: boolean, zeroTol: number): number {
  let rank = 0;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = A[rj + j];
    for (let k = 0; k < j; k++) d -= A[rj + k] * A[rj + k];
    if (d === Infinity) return -1;
    if (!(d > (psd ? zeroTol : 0))) {
      if (psd && d >= -zeroTol) {
        for (let i = j; i < n; i++) A[i * n + j] = 0; // zero pivot: column j stays zero
        continue;
      }
      return -1;
    }
    const ljj = Math.sqrt(d);
    A[rj + j] = ljj;
    rank++;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = A[ri + j];
      for (let k = 0; k < j; k++) s -= A[ri + k] * A[rj + k];
      A[ri + j] = s / ljj;
    }
  }
  return rank;
}

/**
 * Semidefinite Cholesky of a symmetric n×n matrix C: lower-triangular L with L Lᵀ = C, where
 * pivots in [−tol·scale, tol·scale] (scale = max_i |C_ii|) are taken as zero and their column is
 * left zero. Returns null if a pivot is below −tol·scale (C not PSD).
 */
export function choleskyPsd(C: ArrayLike<number>, n: number, tol = 1e-10): { L: Float64Array; rank: number } | null {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(C[i * n + i]));
  const L = Float64Array.from(C as ArrayLike<number>);
  const rank = factorInPlace(L, n, true, tol * Math.max(scale, 1e-300));
  if (rank < 0) return null;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) L[i * n + j] = 0;
  return { L, rank };
}

/**
 * Cholesky A = C Cᵀ of a symmetric positive definite n×n matrix, in place (the lower triangle of
 * A becomes C; the upper triangle is left as it was). Returns false at the first pivot that is
 * not > 0: A is not positive definite.
 */
export function choleskyInPlace(A: Float64Array, n: number): boolean {
  return factorInPlace(A, n, false, 0) === n;
}

/** λ_min(A) > −shift for symmetric A (n×n; not modified): Cholesky of A + shift·I succeeds. */
export function isPositiveDefinite(A: ArrayLike<number>, n: number, shift = 0): boolean {
  const B = Float64Array.from(A as ArrayLike<number>);
  for (let i = 0; i < n; i++) B[i * n + i] += shift;
  return choleskyInPlace(B, n);
}

/** Solves C Cᵀ x = b in place, with C from choleskyInPlace (lower triangle). */
export function choleskySolve(C: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= C[ri + k] * b[k];
    b[i] = s / C[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= C[k * n + i] * b[k];
    b[i] = s / C[i * n + i];
  }
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
