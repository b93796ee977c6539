// Realisation of order parameters by explicit weights (docs/theory.md §5): factor the PSD
// matrix Ω (overlaps.ts) as L Lᵀ by a semidefinite Cholesky factorisation taken with the
// teacher rows first, and embed the rows of L in R^N, scaled by √N, so that Q = W Wᵀ/N,
// R = W W*ᵀ/N, T = W* W*ᵀ/N. Teacher first means that T = I gives teacher rows √N·e_m exactly.
import { choleskyPsd } from '../linalg/cholesky.js';
import { omegaMatrix } from './overlaps.js';

export interface Realisation {
  /** Student weights, K×N row-major. */
  W: Float64Array;
  /** Teacher weights, M×N row-major. */
  Wstar: Float64Array;
  /** Numerical rank used (pivots above tolerance). */
  rank: number;
}

/** Ω with the teacher block first: [[T, Rᵀ], [R, Q]] (the pivot order of the realisation). */
function teacherFirst(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>): Float64Array {
  const P = K + M;
  const O = omegaMatrix(K, M, Q, R, T);
  const perm = (i: number) => (i < M ? K + i : i - M);
  const out = new Float64Array(P * P);
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) out[i * P + j] = O[perm(i) * P + perm(j)];
  return out;
}

/** True when Ω = [[Q, R], [Rᵀ, T]] is positive semidefinite to `tol` (relative to its largest diagonal). */
export function isRealisable(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>, tol = 1e-9): boolean {
  return choleskyPsd(teacherFirst(K, M, Q, R, T), K + M, tol) !== null;
}

/**
 * A realisation in the rank r of Ω (docs/theory.md §5, §11.6): u (K×r), u* (M×r) with u uᵀ = Q,
 * u u*ᵀ = R, u* u*ᵀ = T, the nonzero columns of the teacher-first semidefinite Cholesky factor of
 * Ω packed into r coordinates. Throws if Ω is not PSD (beyond `tol`).
 */
export function realiseInRank(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>, tol = 1e-10): { u: Float64Array; us: Float64Array; r: number } {
  const n = K + M;
  const fac = choleskyPsd(teacherFirst(K, M, Q, R, T), n, tol);
  if (!fac) throw new RangeError('realise: Ω = [[Q, R], [Rᵀ, T]] is not positive semidefinite');
  const { L } = fac;
  const cols: number[] = [];
  for (let j = 0; j < n; j++) if (L[j * n + j] !== 0) cols.push(j);
  const r = cols.length;
  const u = new Float64Array(K * r);
  const us = new Float64Array(M * r);
  for (let i = 0; i < n; i++) {
    const target = i < M ? us : u;
    const row = i < M ? i : i - M;
    cols.forEach((j, c) => (target[row * r + c] = L[i * n + j]));
  }
  return { u, us, r };
}

/**
 * Explicit weights in dimension N ≥ rank(Ω) with the given (Q, R, T): realiseInRank's rows embedded
 * in the first r coordinates of R^N and scaled by √N. Throws if Ω is not PSD (beyond `tol`) or N
 * is too small.
 */
export function realise(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>, N: number, tol = 1e-10): Realisation {
  const { u, us, r } = realiseInRank(K, M, Q, R, T, tol);
  if (N < r) throw new RangeError(`realise: N=${N} is below the rank ${r} of Ω`);
  const s = Math.sqrt(N);
  const Wstar = new Float64Array(M * N);
  const W = new Float64Array(K * N);
  for (let k = 0; k < K; k++) for (let c = 0; c < r; c++) W[k * N + c] = s * u[k * r + c];
  for (let m = 0; m < M; m++) for (let c = 0; c < r; c++) Wstar[m * N + c] = s * us[m * r + c];
  return { W, Wstar, rank: r };
}
