// The weight-space Hessian by central differences of the analytic weight gradient (docs/theory.md
// §11.6), the form the code used before the analytic one (src/theory/hessian.ts); kept to check it:
// with u = W/√N, ∇_u ε = S u + H u* (docs/theory.md §3), L_ij = (g_i(u + h e_j) − g_i(u − h e_j))/2h,
// symmetrised.
import type { Activation } from '../../src/activations/index.js';
import { makeFlowParts } from '../../src/theory/flow.js';
import { gram } from '../../src/linalg/gram.js';
import { realise } from '../../src/theory/realise.js';

/** L = ∇²_u ε (KN×KN, row-major, index k·N + i) at a realisation of (Q, R, T) in dimension N. */
export function weightHessianFd(act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: Float64Array, N: number, h = 1e-5): Float64Array {
  const { W, Wstar } = realise(K, M, Q, R, T, N);
  const s = 1 / Math.sqrt(N);
  const u = W.map((v) => v * s);
  const us = Wstar.map((v) => v * s);
  const parts = makeFlowParts(act, K, M, T);
  const Qb = new Float64Array(K * K);
  const Rb = new Float64Array(K * M);
  const grad = (out: Float64Array) => {
    gram(u, K, u, K, N, Qb, true, undefined, 1);
    gram(u, K, us, M, N, Rb, false, undefined, 1);
    const { S, H } = parts(Qb, Rb);
    for (let k = 0; k < K; k++)
      for (let i = 0; i < N; i++) {
        let g = 0;
        for (let j = 0; j < K; j++) g += S[k * K + j] * u[j * N + i];
        for (let m = 0; m < M; m++) g += H[k * M + m] * us[m * N + i];
        out[k * N + i] = g;
      }
  };
  const D = K * N;
  const L = new Float64Array(D * D);
  const gp = new Float64Array(D);
  const gm = new Float64Array(D);
  for (let j = 0; j < D; j++) {
    const uj = u[j];
    u[j] = uj + h;
    grad(gp);
    u[j] = uj - h;
    grad(gm);
    u[j] = uj;
    for (let i = 0; i < D; i++) L[i * D + j] = (gp[i] - gm[i]) / (2 * h);
  }
  for (let i = 0; i < D; i++)
    for (let j = 0; j < i; j++) L[i * D + j] = L[j * D + i] = 0.5 * (L[i * D + j] + L[j * D + i]);
  return L;
}
