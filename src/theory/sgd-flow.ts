// The online-SGD ODE of docs/theory.md §4.2 in gradient-flow time τ = η t:
//   dQ/dτ = F_Q + η Φ,   dR/dτ = F_R,
//   Φ_kl = E[Δ² g′(λ_k) g′(λ_l)] + σ² E[g′(λ_k) g′(λ_l)],
// with F the gradient-flow right-hand side of docs/theory.md §3 (flow.ts). Writing z = (λ_1..λ_K, ν_1..ν_M)
// and s = (+1 (K times), −1 (M times)), Δ = Σ_p s_p g(z_p), so
//   Φ_kl = Σ_{p,q} s_p s_q I4(λ_k, λ_l, z_p, z_q) + σ² J2(Q_kk, Q_ll, Q_kl),
// I4 with the 4×4 covariance of (λ_k, λ_l, z_p, z_q) taken from Ω = [[Q, R], [Rᵀ, T]].
// Cost: K(K+1)/2 · (K+M)(K+M+1)/2 I4 evaluations per right-hand side (symmetry in k↔l, p↔q).
import type { Activation } from '../activations/index.js';
import { makeFlow } from './flow.js';
import { omegaMatrix } from './overlaps.js';

/** Returns (Q, R, Φ) ⇒ void writing Φ (K×K, symmetric) of docs/theory.md §4.2 at (Q, R, T). */
export function makePhi(act: Activation, K: number, M: number, T: Float64Array, sigma2 = 0) {
  const I4 = act.I4;
  const J2 = act.J2;
  if (!I4) throw new Error(`activation ${act.name} has no I4: the SGD ODE needs it`);
  if (sigma2 > 0 && !J2) throw new Error(`activation ${act.name} has no J2: label noise needs it`);
  const P = K + M;
  const C = new Float64Array(16);
  return function phi(Q: Float64Array, R: Float64Array, Phi: Float64Array): void {
    const Om = omegaMatrix(K, M, Q, R, T);
    for (let k = 0; k < K; k++) {
      for (let l = k; l < K; l++) {
        const idx = [k, l, 0, 0];
        let s = 0;
        for (let p = 0; p < P; p++) {
          for (let q = p; q < P; q++) {
            idx[2] = p;
            idx[3] = q;
            for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) C[i * 4 + j] = Om[idx[i] * P + idx[j]];
            const sign = (p < K ? 1 : -1) * (q < K ? 1 : -1);
            s += (p === q ? 1 : 2) * sign * I4(C);
          }
        }
        if (sigma2 > 0) s += sigma2 * J2!(Q[k * K + k], Q[l * K + l], Q[k * K + l]);
        Phi[k * K + l] = Phi[l * K + k] = s;
      }
    }
  };
}

/**
 * Right-hand side of the SGD ODE in τ = η t (docs/theory.md §4.2): writes dQ = F_Q + η Φ and dR = F_R,
 * returns the population loss ε (without the σ²/2 noise floor). Same signature as makeFlow, so
 * it drops into runTrajectory via its `flow` option. η = 0 is exactly the gradient flow.
 */
export function makeSgdFlow(act: Activation, K: number, M: number, T: Float64Array, eta: number, sigma2 = 0) {
  const flow = makeFlow(act, K, M, T);
  if (eta === 0) return flow;
  const phi = makePhi(act, K, M, T, sigma2);
  const Phi = new Float64Array(K * K);
  return function sgdFlow(Q: Float64Array, R: Float64Array, dQ: Float64Array, dR: Float64Array): number {
    const loss = flow(Q, R, dQ, dR);
    phi(Q, R, Phi);
    for (let i = 0; i < K * K; i++) dQ[i] += eta * Phi[i];
    return loss;
  };
}
