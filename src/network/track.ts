// Exact tracking of Q = W Wᵀ/N and R = W W*ᵀ/N along online SGD (docs/theory.md §10), the float64
// reference that the WASM kernel (src/network/wasm/sgd-wat.ts) follows operation for operation.
//
// One step w_k ← w_k − c_k x, with c_k = (η/√N) Δ g′(λ_k) and λ, ν, Δ computed before the step:
//
//     Q_kl ← Q_kl − (c_k λ_l + c_l λ_k)/√N + c_k c_l |x|²/N,     R_km ← R_km − c_k ν_m/√N,
//
// an identity, at O(K(K + M)) per step. It is evaluated row by row as
//
//     Q_kl ← (Q_kl − a_k λ_l) − b_k c_l,   R_km ← R_km − a_k ν_m,
//     a_k = c_k/√N,   b_k = λ_k/√N − c_k |x|²/N,
//
// (expand: −a_k λ_l − b_k c_l = −(c_k λ_l + λ_k c_l)/√N + c_k c_l |x|²/N). Round-off accumulates
// slowly (docs/theory.md §10: 2.8e-14 after 2·10⁵ steps); `recomputeOverlaps` resets it.
import { gram } from '../linalg/gram.js';

/**
 * One step's exact update of replica r's Q (at r·K·K) and R (at r·K·M), docs/theory.md §10.
 * z = [λ_0…λ_{K−1}, ν_0…ν_{M−1}] and c = [c_0…c_{K−1}] of the step, x2N = |x|²/N.
 */
export function trackStep(
  Q: Float64Array, R: Float64Array, r: number, K: number, M: number,
  z: Float64Array, c: Float64Array, invSqrtN: number, x2N: number,
): void {
  const qo = r * K * K, ro = r * K * M;
  for (let k = 0; k < K; k++) {
    const ck = c[k];
    const a = invSqrtN * ck;
    const b = invSqrtN * z[k] - x2N * ck;
    const q = qo + k * K;
    for (let l = 0; l < K; l++) Q[q + l] = Q[q + l] - a * z[l] - b * c[l];
    const p = ro + k * M;
    for (let m = 0; m < M; m++) R[p + m] = R[p + m] - a * z[K + m];
  }
}

/** Scratch for recomputeOverlaps (K×K and K×M), allocated once per kernel. */
export interface OverlapScratch {
  Q: Float64Array;
  R: Float64Array;
}

export function overlapScratch(K: number, M: number): OverlapScratch {
  return { Q: new Float64Array(K * K), R: new Float64Array(K * M) };
}

/**
 * Recomputes replica r's Q = W Wᵀ/N and R = W W*ᵀ/N exactly from its weights (W of replica r at
 * r·K·N; the same products as theory/overlaps.ts), overwrites the tracked values, and returns the
 * drift max |tracked − exact| over Q and R (NaN if either is not finite).
 */
export function recomputeOverlaps(
  W: Float64Array, Wstar: Float64Array, r: number, K: number, M: number, N: number,
  Q: Float64Array, R: Float64Array, scratch: OverlapScratch,
): number {
  const Wr = W.subarray(r * K * N, (r + 1) * K * N);
  gram(Wr, K, Wr, K, N, scratch.Q, true);
  gram(Wr, K, Wstar, M, N, scratch.R);
  let drift = 0;
  const qo = r * K * K, ro = r * K * M;
  for (let i = 0; i < K * K; i++) {
    drift = Math.max(drift, Math.abs(Q[qo + i] - scratch.Q[i]));
    Q[qo + i] = scratch.Q[i];
  }
  for (let i = 0; i < K * M; i++) {
    drift = Math.max(drift, Math.abs(R[ro + i] - scratch.R[i]));
    R[ro + i] = scratch.R[i];
  }
  return drift;
}
