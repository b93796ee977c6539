// G = ∂ε/∂Q and H = ∂ε/∂R, every entry of Q and R an independent variable (docs/theory.md §3).
//   G_kl = ½ ∂_c I2(Q_kk, Q_ll, Q_kl)                                   (k ≠ l)
//   G_kk = ½ (∂_a + ∂_b + ∂_c) I2(Q_kk, Q_kk, Q_kk) + Σ_{l≠k} ∂_a I2(Q_kk, Q_ll, Q_kl)
//          − Σ_m ∂_a I2(Q_kk, T_mm, R_km)
//   H_km = −∂_c I2(Q_kk, T_mm, R_km)
import type { Activation } from '../activations/index.js';
import { teacherTerm } from './loss.js';
import { clip, reluI2Partials } from '../activations/relu.js';

/**
 * Returns a function that writes G (K×K) and H (K×M) for the given (Q, R) and returns ε.
 * T is fixed at creation (it is constant under the flow); Q must be symmetric.
 */
export function makeLossGradients(act: Activation, K: number, M: number, T: Float64Array) {
  const p = new Float64Array(4);
  const eT = teacherTerm(act, M, T);
  if (act.name === 'relu' && act.I2Partials === reluI2Partials) return makeReluLossGradients(K, M, T, eT);
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

const INV_2PI = 1 / (2 * Math.PI);
const INV_4PI = 1 / (4 * Math.PI);

/**
 * The same G, H and ε for ReLU with the closed forms of docs/theory.md §2 inlined (the hot loop of the
 * ensembles): √Q_kk and √T_mm are taken once per call, so each pair costs one acos and one
 * √(1 − ρ²). With s = √(ab), ρ = c/s, θ = acos ρ: I2 = s (sin θ + (π − θ) ρ)/2π,
 * ∂a I2 = √(b/a) sin θ/4π, ∂b I2 = √(a/b) sin θ/4π, ∂c I2 = (π − θ)/2π; I2(a, a, a) = a/2
 * with partials (0, 0, ½). A zero-norm unit takes the partials (0, 0, ¼) as reluI2Partials does.
 * Agrees with the generic loop to round-off for Q_kk ≥ 0 (pairs of two negative norms, an invalid
 * state, take the zero-norm branch here).
 */
function makeReluLossGradients(K: number, M: number, T: Float64Array, eT: number) {
  const sq = new Float64Array(K);
  const sqT = new Float64Array(M);
  for (let m = 0; m < M; m++) sqT[m] = Math.sqrt(T[m * M + m]);
  return function lossGradients(Q: Float64Array, R: Float64Array, G: Float64Array, H: Float64Array): number {
    G.fill(0);
    let e = eT;
    for (let k = 0; k < K; k++) sq[k] = Math.sqrt(Q[k * K + k]);
    for (let k = 0; k < K; k++) {
      const qkk = Q[k * K + k];
      const sk = sq[k];
      if (qkk > 0) {
        e += 0.25 * qkk; // ½ I2(q, q, q) = q/4
        G[k * K + k] += 0.25; // ½ (∂a + ∂b + ∂c) = ½ · ½
      } else if (!(qkk < 0)) {
        G[k * K + k] += 0.125; // ½ · ¼ (zero-norm unit); q < 0 (invalid) adds 0 as reluI2Partials does
      }
      let gkk = 0;
      for (let l = k + 1; l < K; l++) {
        const sl = sq[l];
        const s = sk * sl;
        const c = Q[k * K + l];
        if (!(s > 0)) {
          G[k * K + l] = G[l * K + k] = 0.125;
          continue;
        }
        const rho = clip(c / s);
        const theta = Math.acos(rho);
        const sinT = Math.sqrt(1 - rho * rho);
        const piT = Math.PI - theta;
        e += s * (sinT + piT * rho) * INV_2PI;
        const w = sinT * INV_4PI;
        gkk += (sl / sk) * w;
        G[l * K + l] += (sk / sl) * w;
        G[k * K + l] = G[l * K + k] = 0.5 * piT * INV_2PI;
      }
      for (let m = 0; m < M; m++) {
        const st = sqT[m];
        const s = sk * st;
        if (!(s > 0)) {
          H[k * M + m] = -0.25;
          continue;
        }
        const rho = clip(R[k * M + m] / s);
        const theta = Math.acos(rho);
        const sinT = Math.sqrt(1 - rho * rho);
        const piT = Math.PI - theta;
        e -= s * (sinT + piT * rho) * INV_2PI;
        gkk -= (st / sk) * sinT * INV_4PI;
        H[k * M + m] = -piT * INV_2PI;
      }
      G[k * K + k] += gkk;
    }
    return e;
  };
}
