// Dense continuous Lyapunov equation A X + X Aᵀ + Q = 0 for a stable A (every eigenvalue with
// negative real part), as needed for the Ornstein–Uhlenbeck stationary covariance of
// docs/theory.md §9.3 (A = J, Q = (η/N) C) and its dual (A = Jᵀ, Q = ∇ε ∇εᵀ).
//
// Method: Cayley transform and squared Smith iteration. For p > 0 let B = (pI − A)⁻¹ and
// Â = B (pI + A). Since (pI + A) X (pI + A)ᵀ − (pI − A) X (pI − A)ᵀ = 2p (A X + X Aᵀ), the equation
// is equivalent to the Stein equation X = Â X Âᵀ + 2p B Q Bᵀ, whose solution is the series
// Σ_j Âʲ (2p B Q Bᵀ) Âʲᵀ. The eigenvalues of Â are (p + λ)/(p − λ), inside the unit disc exactly
// when Re λ < 0, so the series converges iff A is stable. It is summed by doubling:
// X₀ = 2p B Q Bᵀ, X_{i+1} = X_i + Â_i X_i Â_iᵀ, Â_{i+1} = Â_i². The shift is
// p = √(λ_lo λ_hi) with λ_hi = ‖A‖_∞ ≥ |λ|_max and λ_lo = 1/‖A⁻¹‖_∞ ≤ |λ|_min, which makes
// ρ(Â) ≤ (1 − √(λ_lo/λ_hi))/(1 + √(λ_lo/λ_hi)) for a real spectrum.
import { matMul, normInf, transpose } from './matrix.js';
import { solveMany } from './lu.js';
import { identity } from './vector.js';

export interface LyapunovResult {
  /** The symmetric solution X (n×n). */
  X: Float64Array;
  /** Doublings used. */
  doublings: number;
  /** max|A X + X Aᵀ + Q| / (2‖A‖_∞ ‖X‖_max + ‖Q‖_max). */
  residual: number;
}

/** max_ij |(A X + X Aᵀ + Q)_ij| (n×n). */
export function lyapunovResidual(A: ArrayLike<number>, X: ArrayLike<number>, Q: ArrayLike<number>, n: number): number {
  const AX = matMul(A, X, n, n, n);
  let m = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(AX[i * n + j] + AX[j * n + i] + Q[i * n + j]));
  return m;
}

const maxAbsOf = (v: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
};

/**
 * Solves A X + X Aᵀ + Q = 0 for symmetric Q (n×n, row-major). Returns null when A is singular or
 * not stable (the doubling does not converge within `maxDoublings`).
 */
export function solveLyapunov(A: ArrayLike<number>, Q: ArrayLike<number>, n: number, maxDoublings = 60): LyapunovResult | null {
  const I = identity(n);
  const Ainv = solveMany(A, I, n, n);
  if (!Ainv) return null;
  const hi = normInf(A, n, n);
  const lo = 1 / normInf(Ainv, n, n);
  const p = Math.sqrt(lo * hi);
  const pMinus = new Float64Array(n * n);
  const pPlus = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    pMinus[i] = p * I[i] - A[i];
    pPlus[i] = p * I[i] + A[i];
  }
  const B = solveMany(pMinus, I, n, n);
  if (!B) return null;
  let Ah = matMul(B, pPlus, n, n, n);
  let X = matMul(matMul(B, Q, n, n, n), transpose(B, n, n), n, n, n);
  for (let i = 0; i < n * n; i++) X[i] *= 2 * p;
  let d = 0;
  for (; d < maxDoublings; d++) {
    const inc = matMul(matMul(Ah, X, n, n, n), transpose(Ah, n, n), n, n, n);
    for (let i = 0; i < n * n; i++) X[i] += inc[i];
    const incNorm = maxAbsOf(inc);
    const xNorm = maxAbsOf(X);
    if (!Number.isFinite(xNorm) || xNorm > 1e300) return null;
    Ah = matMul(Ah, Ah, n, n, n);
    const aNorm = normInf(Ah, n, n);
    if (!Number.isFinite(aNorm) || aNorm > 1e100) return null;
    if (incNorm <= 1e-17 * xNorm && aNorm < 1e-3) break;
  }
  if (d === maxDoublings) return null;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (X[i * n + j] + X[j * n + i]);
      X[i * n + j] = X[j * n + i] = v;
    }
  const residual = lyapunovResidual(A, X, Q, n) / (2 * hi * maxAbsOf(X) + maxAbsOf(Q));
  return { X, doublings: d + 1, residual };
}
