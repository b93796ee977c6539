// Dense row-major matrix products and solves with several right-hand sides (float64), used by
// the Lyapunov solver (lyapunov.ts) and the SGD predictions of docs/theory.md §9.

/** C = A B for A (n×k) and B (k×m); returns a new n×m array. */
export function matMul(A: ArrayLike<number>, B: ArrayLike<number>, n: number, k: number, m: number): Float64Array {
  const C = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const io = i * m;
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      if (a === 0) continue;
      const po = p * m;
      for (let j = 0; j < m; j++) C[io + j] += a * B[po + j];
    }
  }
  return C;
}

/** C = A B Aᵀ for A (n×k) and B (k×k). */
export function congruence(A: ArrayLike<number>, B: ArrayLike<number>, n: number, k: number): Float64Array {
  return matMul(matMul(A, B, n, k, k), transpose(A, n, k), n, k, n);
}

/** Aᵀ for A (n×m). */
export function transpose(A: ArrayLike<number>, n: number, m: number): Float64Array {
  const T = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) T[j * n + i] = A[i * m + j];
  return T;
}

/**
 * X = A⁻¹ B for A (n×n) and B (n×m) by LU with partial pivoting (A and B are not modified).
 * Returns null when a pivot is below rtol times the largest entry of A.
 */
export function solveMany(A: ArrayLike<number>, B: ArrayLike<number>, n: number, m: number, rtol = 1e-14): Float64Array | null {
  const L = Float64Array.from(A);
  const X = Float64Array.from(B);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(L[i]));
  if (!(scale > 0) || !Number.isFinite(scale)) return null;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(L[r * n + c]) > Math.abs(L[p * n + c])) p = r;
    if (!(Math.abs(L[p * n + c]) > rtol * scale)) return null;
    if (p !== c) {
      for (let j = 0; j < n; j++) [L[c * n + j], L[p * n + j]] = [L[p * n + j], L[c * n + j]];
      for (let j = 0; j < m; j++) [X[c * m + j], X[p * m + j]] = [X[p * m + j], X[c * m + j]];
    }
    const piv = L[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = L[r * n + c] / piv;
      if (f === 0) continue;
      for (let j = c + 1; j < n; j++) L[r * n + j] -= f * L[c * n + j];
      for (let j = 0; j < m; j++) X[r * m + j] -= f * X[c * m + j];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    const piv = L[r * n + r];
    for (let j = 0; j < m; j++) {
      let s = X[r * m + j];
      for (let q = r + 1; q < n; q++) s -= L[r * n + q] * X[q * m + j];
      X[r * m + j] = s / piv;
    }
  }
  return X;
}

/** Matrix ∞-norm max_i Σ_j |A_ij| of A (n×m). */
export function normInf(A: ArrayLike<number>, n: number, m: number): number {
  let best = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.abs(A[i * m + j]);
    best = Math.max(best, s);
  }
  return best;
}

/** xᵀ A y for A (n×n). */
export function bilinear(x: ArrayLike<number>, A: ArrayLike<number>, y: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (x[i] === 0) continue;
    let r = 0;
    for (let j = 0; j < n; j++) r += A[i * n + j] * y[j];
    s += x[i] * r;
  }
  return s;
}
