// Stability of fixed points (docs/theory.md §6): the weight-space Hessian. With u = W/√N (so Q = u uᵀ,
// R = u u*ᵀ), the weight gradient is ∇_u ε = S u + H u* (docs/theory.md §3). L = ∇²_u ε = N ∇²_W ε is the
// linearisation of the flow dW/dτ = −(S W + H W*), computed by central differences of the
// analytic gradient in a realisation of dimension N > K + M (so directions orthogonal to the
// teacher span exist). The perturbation test of the paper's Appendix D is in ode/perturbation.ts.
import type { Activation } from '../activations/index.js';
import { makeFlowParts } from './flow.js';
import { symmetricEigenvalues } from '../linalg/eigen.js';
import { gram } from '../linalg/gram.js';
import { realise } from './realise.js';

/** L = ∇²_u ε (KN×KN, row-major, index k·N + i) at a realisation of (Q, R, T) in dimension N. */
export function weightHessian(act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: Float64Array, N: number, h = 1e-5): Float64Array {
  const { W, Wstar } = realise(K, M, Q, R, T, N);
  const s = 1 / Math.sqrt(N);
  const u = W.map((v) => v * s);
  const us = Wstar.map((v) => v * s);
  const parts = makeFlowParts(act, K, M, T);
  const Qb = new Float64Array(K * K);
  const Rb = new Float64Array(K * M);
  const grad = (out: Float64Array) => {
    // Q = u uᵀ, R = u u*ᵀ (no 1/N: u is already scaled)
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

export interface HessianSpectrum {
  /** The smallest eigenvalues of ∇²_u ε, ascending. */
  eigs: Float64Array;
  minEig: number;
  /** Dimension K·N of weight space. */
  dim: number;
}

/** Smallest `count` eigenvalues of the weight-space Hessian in dimension N (default K + M + 1). */
export function hessianSpectrum(act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: Float64Array, N = K + M + 1, count = 8): HessianSpectrum {
  const L = weightHessian(act, K, M, Q, R, T, N);
  const eigs = symmetricEigenvalues(L, K * N, count);
  return { eigs, minEig: eigs[0], dim: K * N };
}

