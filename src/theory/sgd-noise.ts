// The noise of one online-SGD step in order-parameter space (docs/theory.md §9.3), ReLU, closed form.
//
// One step changes X = (Q_kl (k ≤ l), R_km) by (η/N) f(x) + (η²/N) h(x), with
//   f_Q,kl = −(e_{k,l} + e_{l,k}),   f_R,km = −e_{k,K+m},   e_{k,a} = Δ g′(λ_k) z_a,
// z = (λ_1..λ_K, ν_1..ν_M) and Δ = Σ_p s_p g(z_p), s = (+1 ×K, −1 ×M). The noise covariance of
// the SGD diffusion is (η/N) C with C = Cov_x[f] (leading order; the η h part is in sgd-noise-mc.ts).
// Every entry of C is a combination of
//   E1[k,a]        = E[e_{k,a}]             = Σ_p s_p E[g′(z_k) g(z_p) z_a],
//   E2[(k,a),(l,b)] = E[e_{k,a} e_{l,b}]    = Σ_{p,q} s_p s_q E[g′(z_k) g′(z_l) g(z_p) g(z_q) z_a z_b].
// For ReLU, g′(u) g(a) = 1(u>0) 1(a>0) a, so with U = {k, l, p, q} (≤ 4 distinct variables)
//   E[1_U z_p z_q z_a z_b] = β_aᵀ T4 β_b + (Ω_ab − β_aᵀ Ω_{U,b}) T2,
// where z_a = β_aᵀ z_U + (independent residual) is the regression on z_U (β_a = Ω_UU⁻¹ Ω_{U,a}),
// T4_ij = E[z_p z_q z_i z_j 1_U] and T2 = E[z_p z_q 1_U] are truncated moments over the positive
// orthant of z_U (activations/orthant-moments.ts). Needs Ω_UU nonsingular for every such U.
import { makeOrthantMoments } from '../activations/orthant-moments.js';
import { solveMany } from '../linalg/lu.js';
import { omegaMatrix } from './overlaps.js';

export interface NoiseMoments {
  K: number;
  M: number;
  /** E1[k·P + a] = E[e_{k,a}], P = K + M. */
  E1: Float64Array;
  /** E2[(k·P + a)·KP + (l·P + b)] = E[e_{k,a} e_{l,b}], KP = K·P. */
  E2: Float64Array;
}

/** Distinct indices of `ids` and the local position of each. */
function distinct(ids: number[]): { U: number[]; pos: number[] } {
  const U: number[] = [];
  const pos = ids.map((v) => {
    let i = U.indexOf(v);
    if (i < 0) i = U.push(v) - 1;
    return i;
  });
  return { U, pos };
}

/** Ω restricted to U (d×d) and the regression coefficients β (d×P: column a is Ω_UU⁻¹ Ω_{U,a}). */
function regression(Om: Float64Array, P: number, U: number[]) {
  const d = U.length;
  const Suu = new Float64Array(d * d);
  const Sua = new Float64Array(d * P);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) Suu[i * d + j] = Om[U[i] * P + U[j]];
    for (let a = 0; a < P; a++) Sua[i * P + a] = Om[U[i] * P + a];
  }
  const beta = solveMany(Suu, Sua, d, P, 1e-12);
  if (!beta) throw new RangeError(`reluNoiseMoments: Ω is singular on the variables {${U.join(', ')}}`);
  return { Suu, Sua, beta };
}

/** E1 and E2 of docs/theory.md §9.3 for ReLU at (Q, R, T), by truncated Gaussian moments. */
export function reluNoiseMoments(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>): NoiseMoments {
  const P = K + M;
  const KP = K * P;
  const Om = omegaMatrix(K, M, Q, R, T);
  const sign = (p: number) => (p < K ? 1 : -1);
  const E1 = new Float64Array(KP);
  const E2 = new Float64Array(KP * KP);
  const mu = [0, 0, 0, 0];
  // E1[k,a] = Σ_p s_p E[1_{k,p} z_p z_a] = Σ_p s_p Σ_i β_ai E[z_p z_i 1_{k,p}]
  for (let k = 0; k < K; k++)
    for (let p = 0; p < P; p++) {
      const { U, pos } = distinct([k, p]);
      const d = U.length;
      const { Suu, beta } = regression(Om, P, U);
      const mom = makeOrthantMoments(Suu, d, (1 << d) - 1);
      const t2 = new Float64Array(d);
      for (let i = 0; i < d; i++) {
        mu.fill(0);
        mu[pos[1]]++;
        mu[i]++;
        t2[i] = mom(mu);
      }
      for (let a = 0; a < P; a++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += beta[i * P + a] * t2[i];
        E1[k * P + a] += sign(p) * s;
      }
    }
  // E2 over k ≤ l and p ≤ q; the (l, k) blocks by symmetry.
  const W = new Float64Array(4 * P);
  for (let k = 0; k < K; k++)
    for (let l = k; l < K; l++)
      for (let p = 0; p < P; p++)
        for (let q = p; q < P; q++) {
          const { U, pos } = distinct([k, l, p, q]);
          const d = U.length;
          const { Suu, Sua, beta } = regression(Om, P, U);
          const mom = makeOrthantMoments(Suu, d, (1 << d) - 1);
          mu.fill(0);
          mu[pos[2]]++;
          mu[pos[3]]++;
          const t2 = mom(mu);
          const t4 = new Float64Array(d * d);
          for (let i = 0; i < d; i++)
            for (let j = i; j < d; j++) {
              mu[i]++;
              mu[j]++;
              t4[i * d + j] = t4[j * d + i] = mom(mu);
              mu[i]--;
              mu[j]--;
            }
          // W = T4 β (d×P); M6_ab = Σ_i β_ia W_ib + (Ω_ab − Σ_i β_ia Ω_{U_i,b}) T2
          for (let i = 0; i < d; i++)
            for (let b = 0; b < P; b++) {
              let s = 0;
              for (let j = 0; j < d; j++) s += t4[i * d + j] * beta[j * P + b];
              W[i * P + b] = s - t2 * Sua[i * P + b];
            }
          const w = sign(p) * sign(q) * (p === q ? 1 : 2);
          for (let a = 0; a < P; a++) {
            const row = (k * P + a) * KP + l * P;
            for (let b = 0; b < P; b++) {
              let s = Om[a * P + b] * t2;
              for (let i = 0; i < d; i++) s += beta[i * P + a] * W[i * P + b];
              E2[row + b] += w * s;
            }
          }
        }
  for (let k = 0; k < K; k++)
    for (let l = k + 1; l < K; l++)
      for (let a = 0; a < P; a++)
        for (let b = 0; b < P; b++) E2[(l * P + b) * KP + k * P + a] = E2[(k * P + a) * KP + l * P + b];
  return { K, M, E1, E2 };
}

/**
 * The packed coordinates x = (Q_kl (k ≤ l), R_km) of docs/theory.md §8.1 as combinations of e_{k,a}:
 * f_α = Σ_t coef_t e_{k_t, a_t} (α = Q_kl: −e_{k,l} − e_{l,k}; α = R_km: −e_{k,K+m}).
 */
export function fTerms(K: number, M: number): { coef: number; k: number; a: number }[][] {
  const out: { coef: number; k: number; a: number }[][] = [];
  for (let k = 0; k < K; k++)
    for (let l = k; l < K; l++)
      out.push(k === l ? [{ coef: -2, k, a: k }] : [{ coef: -1, k, a: l }, { coef: -1, k: l, a: k }]);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) out.push([{ coef: -1, k, a: K + m }]);
  return out;
}

/** Mean E[f] (packed, = the flow RHS F of docs/theory.md §3) and C = Cov[f] (n_x × n_x) from the moments. */
export function noiseCovariance(mom: NoiseMoments): { mean: Float64Array; C: Float64Array } {
  const { K, M, E1, E2 } = mom;
  const P = K + M;
  const KP = K * P;
  const terms = fTerms(K, M);
  const n = terms.length;
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++) for (const t of terms[i]) mean[i] += t.coef * E1[t.k * P + t.a];
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (const t of terms[i]) for (const u of terms[j]) s += t.coef * u.coef * E2[(t.k * P + t.a) * KP + u.k * P + u.a];
      C[i * n + j] = C[j * n + i] = s - mean[i] * mean[j];
    }
  return { mean, C };
}
