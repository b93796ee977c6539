// Orthonormalised gradient flow (onGD, docs/theory.md §4.4): the rows of W stay orthonormal (Q = I) by
// projecting the weight gradient g = S W + H W* onto the tangent space of the Stiefel manifold,
//   dW/dτ = −(g − ½ (g Wᵀ + W gᵀ) W / N) = −(g − ½ (A + Aᵀ) W)     (using Q = I),
// so with A = S Q + H Rᵀ and B = S R + H T:
//   dQ/dτ = 0,   dR/dτ = −(B − ½ (A + Aᵀ) R).
import type { Activation } from '../activations/index.js';
import { makeFlowParts } from './flow.js';
import { choleskyPsd, forwardSubstitute } from '../linalg/cholesky.js';
import { identity } from '../linalg/vector.js';

/** Right-hand side of onGD: writes dQ = 0 (K×K) and dR (K×M) at (Q = I, R), returns ε. */
export function makeOngdFlow(act: Activation, K: number, M: number, T: Float64Array) {
  const flowParts = makeFlowParts(act, K, M, T);
  return function ongdFlow(Q: Float64Array, R: Float64Array, dQ: Float64Array, dR: Float64Array): number {
    const { A, B, loss } = flowParts(Q, R);
    dQ.fill(0);
    for (let k = 0; k < K; k++) {
      for (let m = 0; m < M; m++) {
        let c = 0;
        for (let j = 0; j < K; j++) c += 0.5 * (A[k * K + j] + A[j * K + k]) * R[j * M + m];
        dR[k * M + m] = -(B[k * M + m] - c);
      }
    }
    return loss;
  };
}

/**
 * Overlaps after Gram–Schmidt orthonormalisation of the rows of W (the QR retraction at the level
 * of overlaps): with Q = L Lᵀ (Cholesky), W → L⁻¹ W, so Q → I and R → L⁻¹ R.
 * Throws if Q is not positive definite (K independent rows need an initialisation of dimension ≥ K).
 */
export function orthonormaliseOverlaps(K: number, M: number, Q: Float64Array, R: Float64Array): { Q: Float64Array; R: Float64Array } {
  const fac = choleskyPsd(Q, K, 1e-12);
  if (!fac || fac.rank < K) throw new RangeError(`onGD needs an initialisation of dimension ≥ K = ${K} (use --init-dim ≥ K): Q is not positive definite`);
  return { Q: identity(K), R: forwardSubstitute(fac.L, K, R, M) };
}
