// G = ∂ε/∂Q and H = ∂ε/∂R, every entry of Q and R an independent variable (SPEC §3).
//   G_kl = ½ ∂_c I2(Q_kk, Q_ll, Q_kl)                                   (k ≠ l)
//   G_kk = ½ (∂_a + ∂_b + ∂_c) I2(Q_kk, Q_kk, Q_kk) + Σ_{l≠k} ∂_a I2(Q_kk, Q_ll, Q_kl)
//          − Σ_m ∂_a I2(Q_kk, T_mm, R_km)
//   H_km = −∂_c I2(Q_kk, T_mm, R_km)
import type { Activation } from '../activations/index.js';
import { teacherTerm } from './loss.js';

/**
 * Returns a function that writes G (K×K) and H (K×M) for the given (Q, R) and returns ε.
 * T is fixed at creation (it is constant under the flow); Q must be symmetric.
 */
export function makeLossGradients(act: Activation, K: number, M: number, T: Float64Array) {
  const p = new Float64Array(4);
  const eT = teacherTerm(act, M, T);
  return function lossGradients(Q: Float64Array, R: Float64Array, G: Float64Array, H: Float64Array): number {
    G.fill(0);
    let e = eT;
    for (let k = 0; k < K; k++) {
      const qkk = Q[k * K + k];
      act.I2Partials(qkk, qkk, qkk, p);
      e += 0.5 * p[0];
      G[k * K + k] += 0.5 * (p[1] + p[2] + p[3]);
      for (let l = k + 1; l < K; l++) {
        act.I2Partials(qkk, Q[l * K + l], Q[k * K + l], p);
        e += p[0];
        G[k * K + k] += p[1];
        G[l * K + l] += p[2];
        G[k * K + l] = G[l * K + k] = 0.5 * p[3];
      }
      for (let m = 0; m < M; m++) {
        act.I2Partials(qkk, T[m * M + m], R[k * M + m], p);
        e -= p[0];
        G[k * K + k] -= p[1];
        H[k * M + m] = -p[3];
      }
    }
    return e;
  };
}
