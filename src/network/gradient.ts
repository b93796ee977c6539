// The population gradient on explicit weights (SPEC §3, §4.1): since ε depends on W only
// through Q = W Wᵀ/N and R = W W*ᵀ/N,
//   N ∇_W ε = S W + H W*,   S = G + Gᵀ, G = ∂ε/∂Q, H = ∂ε/∂R,
// with S, H from makeFlowParts evaluated at the overlaps of W.
import type { Activation } from '../activations/index.js';
import { makeFlowParts } from '../theory/flow.js';

/**
 * Returns grad(W, out) that writes out = S W + H W* (= N ∇_W ε, K×N) and returns ε at W.
 * T is the (fixed) teacher overlap W* W*ᵀ/N; Q and R are measured from W on each call.
 */
export function makeWeightGradient(act: Activation, K: number, M: number, N: number, Wstar: Float64Array, T: Float64Array) {
  const parts = makeFlowParts(act, K, M, T);
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  return function weightGradient(W: Float64Array, out: Float64Array): number {
    for (let k = 0; k < K; k++) {
      const ok = k * N;
      for (let l = k; l < K; l++) {
        const ol = l * N;
        let s = 0;
        for (let i = 0; i < N; i++) s += W[ok + i] * W[ol + i];
        Q[k * K + l] = Q[l * K + k] = s / N;
      }
      for (let m = 0; m < M; m++) {
        const om = m * N;
        let s = 0;
        for (let i = 0; i < N; i++) s += W[ok + i] * Wstar[om + i];
        R[k * M + m] = s / N;
      }
    }
    const { S, H, loss } = parts(Q, R);
    out.fill(0);
    for (let k = 0; k < K; k++) {
      const ok = k * N;
      for (let j = 0; j < K; j++) {
        const c = S[k * K + j];
        const oj = j * N;
        for (let i = 0; i < N; i++) out[ok + i] += c * W[oj + i];
      }
      for (let m = 0; m < M; m++) {
        const c = H[k * M + m];
        const om = m * N;
        for (let i = 0; i < N; i++) out[ok + i] += c * Wstar[om + i];
      }
    }
    return loss;
  };
}
