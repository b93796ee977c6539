// Population gradient descent on explicit weights (docs/theory.md §4.1): dW/dτ = −(S W + H W*), with
// S, H at the current overlaps of W. One step of size Δτ by Euler
//   W ← W − Δτ (S W + H W*)
// or classical RK4 on W. Time τ = steps · Δτ.
import type { Activation } from '../activations/index.js';
import { makeWeightGradient } from './gradient.js';

export const GD_METHODS = ['euler', 'rk4'] as const;
export type GdMethod = (typeof GD_METHODS)[number];

/** Returns step(W) that advances W (K×N, in place) by one GD step of size dtau and returns ε before the step. */
export function makeGdStepper(act: Activation, K: number, M: number, N: number, Wstar: Float64Array, T: Float64Array, dtau: number, method: GdMethod) {
  const grad = makeWeightGradient(act, K, M, N, Wstar, T);
  const n = K * N;
  const k1 = new Float64Array(n);
  if (method === 'euler') {
    return function eulerStep(W: Float64Array): number {
      const loss = grad(W, k1);
      for (let i = 0; i < n; i++) W[i] -= dtau * k1[i];
      return loss;
    };
  }
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const Y = new Float64Array(n);
  return function rk4Step(W: Float64Array): number {
    // k_i are N∇ε (the RHS is −k_i)
    const loss = grad(W, k1);
    for (let i = 0; i < n; i++) Y[i] = W[i] - 0.5 * dtau * k1[i];
    grad(Y, k2);
    for (let i = 0; i < n; i++) Y[i] = W[i] - 0.5 * dtau * k2[i];
    grad(Y, k3);
    for (let i = 0; i < n; i++) Y[i] = W[i] - dtau * k3[i];
    grad(Y, k4);
    const c = dtau / 6;
    for (let i = 0; i < n; i++) W[i] -= c * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    return loss;
  };
}
