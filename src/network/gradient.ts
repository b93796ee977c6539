// The population gradient on explicit weights (docs/theory.md §3, §4.1): since ε depends on W only
// through Q = W Wᵀ/N and R = W W*ᵀ/N,
//   N ∇_W ε = S W + H W*,   S = G + Gᵀ, G = ∂ε/∂Q, H = ∂ε/∂R,
// with S, H from makeFlowParts evaluated at the overlaps of W.
import type { Activation } from '../activations/index.js';
import { makeFlowParts, type FlowParts } from '../theory/flow.js';
import { dot } from '../linalg/dot.js';
import { gram } from '../linalg/gram.js';

/**
 * Returns grad(W, out) that writes out = S W + H W* (= N ∇_W ε, K×N) and returns ε at W.
 * T is the (fixed) teacher overlap W* W*ᵀ/N; Q and R are measured from W on each call.
 */
export function makeWeightGradient(act: Activation, K: number, M: number, N: number, Wstar: Float64Array, T: Float64Array) {
  return makeWeightGradientFrom(makeFlowParts(act, K, M, T), K, M, N, Wstar);
}

/**
 * The same for any loss whose S and H come from `parts` (e.g. the v-weighted loss of 2L-GD,
 * docs/theory.md §4.5): out = S W + H W*, returns ε.
 */
export function makeWeightGradientFrom(parts: (Q: Float64Array, R: Float64Array) => FlowParts, K: number, M: number, N: number, Wstar: Float64Array) {
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  const P = K + M;
  const coef = new Float64Array(P);
  return function weightGradient(W: Float64Array, out: Float64Array): number {
    gram(W, K, W, K, N, Q, true, dot);
    gram(W, K, Wstar, M, N, R, false, dot);
    const { S, H, loss } = parts(Q, R);
    for (let k = 0; k < K; k++) {
      // out_k = Σ_j S_kj w_j + Σ_m H_km w*_m, two source rows per pass
      for (let j = 0; j < K; j++) coef[j] = S[k * K + j];
      for (let m = 0; m < M; m++) coef[K + m] = H[k * M + m];
      const ok = k * N;
      for (let p = 0; p < P; p += 2) {
        const A = p < K ? W : Wstar;
        const oa = (p < K ? p : p - K) * N;
        const ca = coef[p];
        const first = p === 0;
        if (p + 1 < P) {
          const B = p + 1 < K ? W : Wstar;
          const ob = (p + 1 < K ? p + 1 : p + 1 - K) * N;
          const cb = coef[p + 1];
          if (first) for (let i = 0; i < N; i++) out[ok + i] = ca * A[oa + i] + cb * B[ob + i];
          else for (let i = 0; i < N; i++) out[ok + i] += ca * A[oa + i] + cb * B[ob + i];
        } else if (first) for (let i = 0; i < N; i++) out[ok + i] = ca * A[oa + i];
        else for (let i = 0; i < N; i++) out[ok + i] += ca * A[oa + i];
      }
    }
    return loss;
  };
}
