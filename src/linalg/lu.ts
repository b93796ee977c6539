// Dense LU factorisation with partial pivoting, float64, row-major; used by the Newton /
// Levenberg–Marquardt solver of the fixed-point equations (docs/theory.md §6).

/**
 * Solves A x = b in place (A is overwritten by its LU factors, b by x). Returns false when a
 * pivot is below `rtol` times the largest entry of A (numerically singular).
 */
export function luSolve(A: Float64Array, b: Float64Array, n: number, rtol = 1e-13): boolean {
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
      const t = b[c];
      b[c] = b[p];
      b[p] = t;
    }
    const piv = A[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c] / piv;
      if (f === 0) continue;
      A[r * n + c] = f;
      const ro = r * n;
      const co = c * n;
      for (let j = c + 1; j < n; j++) A[ro + j] -= f * A[co + j];
      b[r] -= f * b[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let j = r + 1; j < n; j++) s -= A[r * n + j] * b[j];
    b[r] = s / A[r * n + r];
  }
  return true;
}
