// Dense LU factorisation with partial pivoting, float64, row-major: the one linear solver, used
// by the Newton / Levenberg–Marquardt solver of the fixed-point equations (docs/theory.md §6), the
// Lyapunov solver and the SGD predictions (docs/theory.md §9).

/**
 * Solves A X = B in place for A (n×n) and B (n×m): A is overwritten by its LU factors, B by X.
 * Returns false when a pivot is below `rtol` times the largest entry of A (numerically singular).
 */
export function luSolveInPlace(A: Float64Array, B: Float64Array, n: number, m: number, rtol: number): boolean {
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(A[i]));
  if (!(scale > 0) || !Number.isFinite(scale)) return false;
  const tiny = rtol * scale;
  for (let c = 0; c < n; c++) {
    let p = c;
    let best = Math.abs(A[c * n + c]);
    for (let r = c + 1; r < n; r++) {
      const v = Math.abs(A[r * n + c]);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    if (!(best > tiny)) return false;
    if (p !== c) {
      for (let j = 0; j < n; j++) {
        const t = A[c * n + j];
        A[c * n + j] = A[p * n + j];
        A[p * n + j] = t;
      }
      for (let j = 0; j < m; j++) {
        const t = B[c * m + j];
        B[c * m + j] = B[p * m + j];
        B[p * m + j] = t;
      }
    }
    const piv = A[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c] / piv;
      if (f === 0) continue;
      A[r * n + c] = f;
      const ro = r * n;
      const co = c * n;
      for (let j = c + 1; j < n; j++) A[ro + j] -= f * A[co + j];
      for (let j = 0; j < m; j++) B[r * m + j] -= f * B[c * m + j];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    const piv = A[r * n + r];
    for (let j = 0; j < m; j++) {
      let s = B[r * m + j];
      for (let q = r + 1; q < n; q++) s -= A[r * n + q] * B[q * m + j];
      B[r * m + j] = s / piv;
    }
  }
  return true;
}

/** Solves A x = b in place (A overwritten by its LU factors, b by x); false when singular. */
export function luSolve(A: Float64Array, b: Float64Array, n: number, rtol = 1e-13): boolean {
  return luSolveInPlace(A, b, n, 1, rtol);
}

/** X = A⁻¹ B for A (n×n) and B (n×m), leaving A and B unchanged; null when singular. */
export function solveMany(A: ArrayLike<number>, B: ArrayLike<number>, n: number, m: number, rtol = 1e-14): Float64Array | null {
  const X = Float64Array.from(B);
  return luSolveInPlace(Float64Array.from(A), X, n, m, rtol) ? X : null;
}
