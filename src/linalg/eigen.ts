// Eigenvalues of a real symmetric matrix (float64): Householder reduction to tridiagonal form,
// then Sturm-sequence bisection. Used for the weight-space Hessian spectrum (docs/theory.md §6).

/** Reduces symmetric A (n×n, row-major, overwritten) to tridiagonal (d, e): d diagonal, e sub-diagonal. */
export function tridiagonalise(A: Float64Array, n: number): { d: Float64Array; e: Float64Array } {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += A[i * n + k] * A[i * n + k];
    const norm = Math.sqrt(norm2);
    if (norm === 0) continue;
    const x0 = A[(k + 1) * n + k];
    const alpha = x0 > 0 ? -norm : norm;
    // v = x − alpha e1, normalised; H = I − 2 v vᵀ maps x to alpha e1.
    for (let i = k + 1; i < n; i++) v[i] = A[i * n + k];
    v[k + 1] -= alpha;
    let vn = 0;
    for (let i = k + 1; i < n; i++) vn += v[i] * v[i];
    vn = Math.sqrt(vn);
    if (vn === 0) continue;
    for (let i = k + 1; i < n; i++) v[i] /= vn;
    // Trailing block B ← H B H = B − 2 v qᵀ − 2 q vᵀ with p = B v, c = vᵀ p, q = p − c v.
    let c = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      const io = i * n;
      for (let j = k + 1; j < n; j++) s += A[io + j] * v[j];
      p[i] = s;
      c += v[i] * s;
    }
    for (let i = k + 1; i < n; i++) p[i] -= c * v[i];
    for (let i = k + 1; i < n; i++) {
      const io = i * n;
      const vi = v[i];
      const pi = p[i];
      for (let j = k + 1; j < n; j++) A[io + j] -= 2 * (vi * p[j] + pi * v[j]);
    }
    A[(k + 1) * n + k] = A[k * n + k + 1] = alpha;
    for (let i = k + 2; i < n; i++) A[i * n + k] = A[k * n + i] = 0;
  }
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i < n; i++) d[i] = A[i * n + i];
  for (let i = 0; i < n - 1; i++) e[i] = A[(i + 1) * n + i];
  return { d, e };
}

/** Number of eigenvalues of the tridiagonal (d, e) below x (Sturm count via LDLᵀ pivots). */
function countBelow(d: Float64Array, e: Float64Array, x: number, pivmin: number): number {
  let count = 0;
  let q = d[0] - x;
  if (Math.abs(q) < pivmin) q = -pivmin;
  if (q < 0) count++;
  for (let i = 1; i < d.length; i++) {
    q = d[i] - x - (e[i - 1] * e[i - 1]) / q;
    if (Math.abs(q) < pivmin) q = -pivmin;
    if (q < 0) count++;
  }
  return count;
}

/**
 * The `count` smallest eigenvalues (ascending) of symmetric A (n×n, row-major; A is not
 * modified). Accuracy ≈ 1e-14 × ‖A‖.
 */
export function symmetricEigenvalues(A: ArrayLike<number>, n: number, count = n): Float64Array {
  const B = Float64Array.from(A);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) B[i * n + j] = B[j * n + i] = 0.5 * (B[i * n + j] + B[j * n + i]);
  const { d, e } = tridiagonalise(B, n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0);
    lo = Math.min(lo, d[i] - r);
    hi = Math.max(hi, d[i] + r);
  }
  const scale = Math.max(Math.abs(lo), Math.abs(hi), 1e-300);
  const pivmin = 1e-300 + scale * 1e-30;
  const out = new Float64Array(Math.min(count, n));
  for (let k = 0; k < out.length; k++) {
    // k-th smallest: largest x with countBelow(x) ≤ k.
    let a = lo - 1e-12 * scale;
    let b = hi + 1e-12 * scale;
    for (let it = 0; it < 200 && b - a > 2e-15 * scale; it++) {
      const mid = 0.5 * (a + b);
      if (countBelow(d, e, mid, pivmin) > k) b = mid;
      else a = mid;
    }
    out[k] = 0.5 * (a + b);
  }
  return out;
}
