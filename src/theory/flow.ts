// Gradient flow in order-parameter space, gradient form (docs/theory.md §3):
//   S = G + Gᵀ,  A = S Q + H Rᵀ,  B = S R + H T
//   dQ/dτ = −(A + Aᵀ) = −(S Q + Q S + H Rᵀ + R Hᵀ),   dR/dτ = −B
import type { Activation } from '../activations/index.js';
import { makeLossGradients } from './gradients.js';
import { isIdentity, maxAbs } from '../linalg/vector.js';

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
 * between calls: copy what must outlive the next call). The constrained flows of docs/theory.md §4.4
 * are built from the same A and B.
 */
export function makeFlowParts(act: Activation, K: number, M: number, T: Float64Array) {
  return makeFlowPartsFrom(makeLossGradients(act, K, M, T), K, M, T);
}

/**
 * makeFlowParts for any loss whose gradients G = ∂ε/∂Q, H = ∂ε/∂R are given by
 * `lossGradients(Q, R, G, H) → ε` (e.g. the v-weighted loss of 2L-GD, docs/theory.md §4.5).
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
  const tIsIdentity = isIdentity(T, M); // then H T = H is used without the product
  // Row-oriented products (axpy over contiguous rows, two accumulators in the dot products):
  // the same sums as the textbook loops, in a different order (results agree to round-off).
  return function flowParts(Q: Float64Array, R: Float64Array): FlowParts {
    parts.loss = lossGradients(Q, R, G, H);
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) S[k * K + l] = S[l * K + k] = G[k * K + l] + G[l * K + k];
    for (let k = 0; k < K; k++) {
      const ks = k * K;
      const km = k * M;
      // A[k,:] = (H Rᵀ)[k,:] + Σ_j S[k,j] Q[j,:]
      for (let l = 0; l < K; l++) {
        const lm = l * M;
        let a0 = 0;
        let a1 = 0;
        let m = 0;
        for (; m + 1 < M; m += 2) {
          a0 += H[km + m] * R[lm + m];
          a1 += H[km + m + 1] * R[lm + m + 1];
        }
        if (m < M) a0 += H[km + m] * R[lm + m];
        A[ks + l] = a0 + a1;
      }
      // B[k,:] = (H T)[k,:] + Σ_j S[k,j] R[j,:]
      if (tIsIdentity) {
        for (let m = 0; m < M; m++) B[km + m] = H[km + m];
      } else {
        for (let m = 0; m < M; m++) {
          let b = 0;
          for (let n = 0; n < M; n++) b += H[km + n] * T[n * M + m];
          B[km + m] = b;
        }
      }
      for (let j = 0; j < K; j++) {
        const s = S[ks + j];
        const jk = j * K;
        const jm = j * M;
        for (let l = 0; l < K; l++) A[ks + l] += s * Q[jk + l];
        for (let m = 0; m < M; m++) B[km + m] += s * R[jm + m];
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
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) dQ[k * K + l] = dQ[l * K + k] = -(A[k * K + l] + A[l * K + k]);
    for (let i = 0; i < K * M; i++) dR[i] = -B[i];
    return loss;
  };
}

/** ε and the full max|RHS| (over all K² + KM entries, as the ODE stop rule) at (Q, R). */
export function evaluateFlow(act: Activation, K: number, M: number, Q: Float64Array, R: Float64Array, T: Float64Array): { loss: number; rhsNorm: number } {
  const dQ = new Float64Array(K * K);
  const dR = new Float64Array(K * M);
  const loss = makeFlow(act, K, M, T)(Q, R, dQ, dR);
  return { loss, rhsNorm: Math.max(maxAbs(dQ), maxAbs(dR)) };
}
