// Dense row-major matrix products (float64), used by the Lyapunov solver (lyapunov.ts) and the
// SGD predictions of docs/theory.md §9; linear solves are in lu.ts.

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
