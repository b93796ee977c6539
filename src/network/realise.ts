// Realisation of order parameters by explicit weights (SPEC §5): factor the PSD matrix
// Ω = [[T, Rᵀ], [R, Q]] (teacher first) as L Lᵀ with a semidefinite Cholesky factorisation and
// embed the rows of L in R^N, scaled by √N, so that Q = W Wᵀ/N, R = W W*ᵀ/N, T = W* W*ᵀ/N.
// With T = I the teacher rows come out as √N·e_m exactly.

export interface Realisation {
  /** Student weights, K×N row-major. */
  W: Float64Array;
  /** Teacher weights, M×N row-major. */
  Wstar: Float64Array;
  /** Numerical rank used (pivots above tolerance). */
  rank: number;
}

/**
 * Semidefinite Cholesky of a symmetric n×n matrix C: lower-triangular L with L Lᵀ = C, where
 * pivots in [−tol·scale, tol·scale] are treated as zero (their column is left zero).
 * Returns null if a pivot is below −tol·scale (C not PSD).
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

/** Ω = [[T, Rᵀ], [R, Q]] ((M+K)×(M+K), teacher first). */
export function omegaMatrix(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>): Float64Array {
  const n = K + M;
  const O = new Float64Array(n * n);
  for (let m = 0; m < M; m++) for (let p = 0; p < M; p++) O[m * n + p] = T[m * M + p];
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) O[(M + k) * n + m] = O[m * n + M + k] = R[k * M + m];
    for (let l = 0; l < K; l++) O[(M + k) * n + M + l] = Q[k * K + l];
  }
  return O;
}

/**
 * Explicit weights in dimension N ≥ rank(Ω) with the given (Q, R, T) (SPEC §5). Throws if Ω is
 * not PSD (beyond `tol`) or N is too small.
 */
export function realise(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>, N: number, tol = 1e-10): Realisation {
  const n = K + M;
  const fac = choleskyPsd(omegaMatrix(K, M, Q, R, T), n, tol);
  if (!fac) throw new RangeError('realise: Ω = [[T, Rᵀ], [R, Q]] is not positive semidefinite');
  const { L, rank } = fac;
  // Columns of L that are nonzero, packed into the first `rank` coordinates.
  const cols: number[] = [];
  for (let j = 0; j < n; j++) if (L[j * n + j] !== 0) cols.push(j);
  if (N < cols.length) throw new RangeError(`realise: N=${N} is below the rank ${cols.length} of Ω`);
  const s = Math.sqrt(N);
  const Wstar = new Float64Array(M * N);
  const W = new Float64Array(K * N);
  for (let i = 0; i < n; i++) {
    const target = i < M ? Wstar : W;
    const row = i < M ? i : i - M;
    cols.forEach((j, c) => (target[row * N + c] = s * L[i * n + j]));
  }
  return { W, Wstar, rank };
}
