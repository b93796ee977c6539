// Gradient flow in order-parameter space, gradient form (SPEC §3):
//   S = G + Gᵀ,  A = S Q + H Rᵀ,  B = S R + H T
//   dQ/dτ = −(A + Aᵀ) = −(S Q + Q S + H Rᵀ + R Hᵀ),   dR/dτ = −B
import type { Activation } from '../activations/index.js';
import { makeLossGradients } from './gradients.js';

export interface FlowParts {
  /** ε at the point. */
  loss: number;
  /** S = G + Gᵀ (K×K). */
  S: Float64Array;
  /** H = ∂ε/∂R (K×M). */
  H: Float64Array;
  /** A = S Q + H Rᵀ (K×K). */
  A: Float64Array;
  /** B = S R + H T (K×M). */
  B: Float64Array;
}

/**
 * Returns a function computing S, H, A, B at (Q, R) into preallocated buffers (reused
 * between calls: copy what must outlive the next call). The constrained flows of SPEC §4.4
 * are built from the same A and B.
 */
export function makeFlowParts(act: Activation, K: number, M: number, T: Float64Array) {
  return makeFlowPartsFrom(makeLossGradients(act, K, M, T), K, M, T);
}

/**
 * makeFlowParts for any loss whose gradients G = ∂ε/∂Q, H = ∂ε/∂R are given by
 * `lossGradients(Q, R, G, H) → ε` (e.g. the v-weighted loss of 2L-GD, SPEC §4.5).
 */
export function makeFlowPartsFrom(
  lossGradients: (Q: Float64Array, R: Float64Array, G: Float64Array, H: Float64Array) => number,
  K: number, M: number, T: Float64Array,
) {
  const G = new Float64Array(K * K);
  const parts: FlowParts = {
    loss: 0,
    S: new Float64Array(K * K),
    H: new Float64Array(K * M),
    A: new Float64Array(K * K),
    B: new Float64Array(K * M),
  };
  const { S, H, A, B } = parts;
  return function flowParts(Q: Float64Array, R: Float64Array): FlowParts {
    parts.loss = lossGradients(Q, R, G, H);
    for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) S[k * K + l] = G[k * K + l] + G[l * K + k];
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < K; l++) {
        let a = 0;
        for (let j = 0; j < K; j++) a += S[k * K + j] * Q[j * K + l];
        for (let m = 0; m < M; m++) a += H[k * M + m] * R[l * M + m];
        A[k * K + l] = a;
      }
      for (let m = 0; m < M; m++) {
        let b = 0;
        for (let j = 0; j < K; j++) b += S[k * K + j] * R[j * M + m];
        for (let n = 0; n < M; n++) b += H[k * M + n] * T[n * M + m];
        B[k * M + m] = b;
      }
    }
    return parts;
  };
}

/** Right-hand side of the gradient flow: writes dQ (K×K) and dR (K×M), returns ε. */
export function makeFlow(act: Activation, K: number, M: number, T: Float64Array) {
  const flowParts = makeFlowParts(act, K, M, T);
  return function flow(Q: Float64Array, R: Float64Array, dQ: Float64Array, dR: Float64Array): number {
    const { A, B, loss } = flowParts(Q, R);
    for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) dQ[k * K + l] = -(A[k * K + l] + A[l * K + k]);
    for (let i = 0; i < K * M; i++) dR[i] = -B[i];
    return loss;
  };
}
