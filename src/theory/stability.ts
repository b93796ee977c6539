// Stability of fixed points (docs/theory.md §6, §11.6): the spectrum of the weight-space Hessian
// L = ∇²_u ε at a realisation of (Q, R, T), built analytically by theory/hessian.ts. The
// perturbation test of the paper's Appendix D is in ode/perturbation.ts.
import type { Activation } from '../activations/index.js';
import { symmetricEigenvalues } from '../linalg/eigen.js';
import { weightHessian } from './hessian.js';

export { weightHessian };

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
