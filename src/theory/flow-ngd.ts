// Normalised gradient flow (nGD, docs/theory.md §4.4): every |w_k|²/N = Q_kk is held fixed by removing
// the radial part of each row's gradient, dw_k/dτ = −(g_k − D_k w_k) with g = S W + H W* and
//   D = diag(A_kk / Q_kk),  A = S Q + H Rᵀ,  B = S R + H T,
//   dQ/dτ = −(A + Aᵀ − D Q − Q D),   dR/dτ = −(B − D R).
import type { Activation } from '../activations/index.js';
import { makeFlowParts } from './flow.js';

/** Right-hand side of nGD: writes dQ (K×K) and dR (K×M) at (Q, R), returns ε. */
export function makeNgdFlow(act: Activation, K: number, M: number, T: Float64Array) {
  const flowParts = makeFlowParts(act, K, M, T);
  const D = new Float64Array(K);
  return function ngdFlow(Q: Float64Array, R: Float64Array, dQ: Float64Array, dR: Float64Array): number {
    const { A, B, loss } = flowParts(Q, R);
    for (let k = 0; k < K; k++) D[k] = A[k * K + k] / Q[k * K + k];
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < K; l++) {
        dQ[k * K + l] = -(A[k * K + l] + A[l * K + k] - (D[k] + D[l]) * Q[k * K + l]);
      }
      for (let m = 0; m < M; m++) dR[k * M + m] = -(B[k * M + m] - D[k] * R[k * M + m]);
    }
    return loss;
  };
}

/** Overlaps of row-normalised weights w_k → w_k √(target/Q_kk): Q_kl/√(Q_kk Q_ll)·target, R_km/√Q_kk·√target. */
export function normaliseOverlaps(K: number, M: number, Q: Float64Array, R: Float64Array, target = 1): { Q: Float64Array; R: Float64Array } {
  const s = new Float64Array(K);
  for (let k = 0; k < K; k++) s[k] = Math.sqrt(target / Q[k * K + k]);
  const Qn = new Float64Array(K * K);
  const Rn = new Float64Array(K * M);
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) Qn[k * K + l] = s[k] * s[l] * Q[k * K + l];
    Qn[k * K + k] = target;
    for (let m = 0; m < M; m++) Rn[k * M + m] = s[k] * R[k * M + m];
  }
  return { Q: Qn, R: Rn };
}
