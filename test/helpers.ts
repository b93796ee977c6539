// Shared test utilities: random covariance matrices, overlaps cut from them, and Cholesky factors.
import type { Rng } from '../src/random/rng.js';

/** A random n×n covariance C = A Aᵀ/n + 0.05 I with A i.i.d. normal (row-major). */
export function randomCovariance(n: number, rng: Rng): Float64Array {
  const A = new Float64Array(n * n);
  rng.fillNormal(A);
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += A[i * n + k] * A[j * n + k];
      C[i * n + j] = s / n + (i === j ? 0.05 : 0);
    }
  return C;
}

/** Lower-triangular L with L Lᵀ = C (row-major). */
export function cholesky(C: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = C[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j];
    }
  return L;
}

/** Q (K×K), R (K×M) and T (M×M) cut from a random (K+M)×(K+M) covariance Ω = [[Q, R], [Rᵀ, T]]. */
export function randomOverlaps(K: number, M: number, rng: Rng) {
  const P = K + M;
  const Om = randomCovariance(P, rng);
  const Q = new Float64Array(K * K), R = new Float64Array(K * M), T = new Float64Array(M * M);
  for (let i = 0; i < P; i++)
    for (let j = 0; j < P; j++) {
      if (i < K && j < K) Q[i * K + j] = Om[i * P + j];
      else if (i < K) R[i * M + j - K] = Om[i * P + j];
      else if (j >= K) T[(i - K) * M + j - K] = Om[i * P + j];
    }
  return { Om, Q, R, T };
}
