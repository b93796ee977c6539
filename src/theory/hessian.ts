// The analytic weight-space Hessian (docs/theory.md §11.6) and a minimum test whose cost does not
// depend on the dimension d.
//
// With u = W/√N (rows u_k), u* = W*/√N, Q = u uᵀ, R = u u*ᵀ and ε = e(Q, R) a sum of terms in at
// most three entries (pair k<l: I2(Q_kk, Q_ll, Q_kl); teacher k, m: −I2(Q_kk, T_mm, R_km); self k:
// ½ I2(Q_kk, Q_kk, Q_kk)), the Hessian L = ∇²_u ε (KN × KN, blocks L_kl of size N×N) is
//   L = S ⊗ I_N + Σ_terms Σ_{α,β} ∂αβ(term) ∇α ∇βᵀ,
// ∇Q_kk = 2u_k (block k), ∇Q_kl = u_l (block k) + u_k (block l), ∇R_km = u*_m (block k). Blockwise:
//   L_kk = S_kk I + α_k u_k u_kᵀ + u_k w_kᵀ + w_k u_kᵀ + Σ_{l≠k} f_cc^{kl} u_l u_lᵀ − Σ_m g_cc^{km} u*_m u*_mᵀ
//   L_kl = S_kl I + 4 f_ab u_k u_lᵀ + 2 f_ac u_k u_kᵀ + 2 f_bc u_l u_lᵀ + f_cc u_l u_kᵀ   (k < l, pair (k, l))
// with α_k = 4 (σ″(Q_kk) + Σ_l f_aa^{(k)} − Σ_m g_aa^{km}), w_k = 2 (Σ_l f_ac^{(k)} u_l − Σ_m g_ac^{km} u*_m),
// f = I2 derivatives of the pair (f^{(k)}: with Q_kk in the role of a), g = those of the teacher
// term (docs/theory.md §8.4, activations/second.ts).
//
// Dimension reduction (exact, docs/theory.md §11.6): in dimension d, let V be the span of the rows
// of u and u* (dim r = rank Ω). Every ∇α lies in V, so in a basis of V ⊕ V⊥
//   L_d = L_V ⊕ (S ⊗ I_{d−r}),
// and λ_min(L_d) = min(λ_min(L_V), λ_min(S)) when d > r (= λ_min(L_V) when d = r). L_V is the
// Hessian of the realisation in dimension r. So "a minimum", λ_min(L_d) > −STABLE_TOL, is decided
// by Cholesky factorisations of L_V + STABLE_TOL·I (K·r ≤ K(K + M) rows) and, when d > r, of
// S + STABLE_TOL·I (K rows), for any d.
import type { Activation } from '../activations/index.js';
import { D_AA, D_AB, D_AC, D_BB, D_BC, D_CC, i2SecondOf, selfSecondOf } from '../activations/second.js';
import { makeFlowParts } from './flow.js';
import { realiseInRank } from './realise.js';
import { choleskyInPlace } from '../linalg/cholesky.js';
import { STABLE_TOL } from '../defaults.js';

/**
 * L = ∇²_u ε (KN×KN, row-major, index k·N + i) for explicit u (K×N) and u* (M×N), T = u* u*ᵀ.
 * Also returns S (K×K) at the point. (One-off form of makeWeightHessian.)
 */
export function weightHessianOf(
  act: Activation, K: number, M: number, N: number, u: ArrayLike<number>, us: ArrayLike<number>, T: Float64Array,
  L: Float64Array = new Float64Array(K * N * K * N),
): { L: Float64Array; S: Float64Array } {
  const S = makeWeightHessian(act, K, M, N, T)(Float64Array.from(u), Float64Array.from(us), L);
  return { L, S: Float64Array.from(S) };
}

/**
 * A reusable builder of L = ∇²_u ε (see the header) for fixed K, M, N and T: build(u, u*, L)
 * writes L and returns S (a reused buffer). Cost O(K² N² + K (K + M) N²) plus K(K + M) I2 second
 * derivatives; no allocation per call.
 */
export function makeWeightHessian(act: Activation, K: number, M: number, N: number, T: Float64Array) {
  const d2 = i2SecondOf(act);
  const self2 = selfSecondOf(act);
  const flowParts = makeFlowParts(act, K, M, T);
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  const f = new Float64Array(10);
  const alpha = new Float64Array(K);
  const w = new Float64Array(K * N);
  const D = K * N;
  /** L[block (bk, bl)] += c · x yᵀ with x = X[xo .. xo+N), y = Y[yo .. yo+N). */
  function outer(L: Float64Array, bk: number, bl: number, c: number, X: Float64Array, xo: number, Y: Float64Array, yo: number): void {
    if (c === 0) return;
    const base = bk * N * D + bl * N;
    for (let i = 0; i < N; i++) {
      const ci = c * X[xo + i];
      if (ci === 0) continue;
      const row = base + i * D;
      for (let j = 0; j < N; j++) L[row + j] += ci * Y[yo + j];
    }
  }
  return function build(u: Float64Array, us: Float64Array, L: Float64Array): Float64Array {
    for (let k = 0; k < K; k++) {
      for (let l = k; l < K; l++) {
        let s = 0;
        for (let t = 0; t < N; t++) s += u[k * N + t] * u[l * N + t];
        Q[k * K + l] = Q[l * K + k] = s;
      }
      for (let m = 0; m < M; m++) {
        let s = 0;
        for (let t = 0; t < N; t++) s += u[k * N + t] * us[m * N + t];
        R[k * M + m] = s;
      }
    }
    const { S } = flowParts(Q, R);
    L.fill(0);
    w.fill(0);
    for (let k = 0; k < K; k++) alpha[k] = 4 * self2(Q[k * K + k]);
    for (let k = 0; k < K; k++) {
      const ok = k * N;
      for (let l = k + 1; l < K; l++) {
        const ol = l * N;
        d2(Q[k * K + k], Q[l * K + l], Q[k * K + l], f);
        alpha[k] += 4 * f[D_AA];
        alpha[l] += 4 * f[D_BB];
        const ac = 2 * f[D_AC];
        const bc = 2 * f[D_BC];
        for (let i = 0; i < N; i++) {
          w[ok + i] += ac * u[ol + i];
          w[ol + i] += bc * u[ok + i];
        }
        outer(L, k, k, f[D_CC], u, ol, u, ol);
        outer(L, l, l, f[D_CC], u, ok, u, ok);
        // block (k, l): 4 f_ab u_k u_lᵀ + 2 f_ac u_k u_kᵀ + 2 f_bc u_l u_lᵀ + f_cc u_l u_kᵀ, in one pass
        const ab4 = 4 * f[D_AB];
        const cc = f[D_CC];
        const base = k * N * D + l * N;
        for (let i = 0; i < N; i++) {
          const xk = u[ok + i];
          const xl = u[ol + i];
          const a1 = ab4 * xk;
          const a2 = ac * xk;
          const a3 = bc * xl;
          const a4 = cc * xl;
          const row = base + i * D;
          for (let j = 0; j < N; j++) L[row + j] += a1 * u[ol + j] + a2 * u[ok + j] + a3 * u[ol + j] + a4 * u[ok + j];
        }
      }
      for (let m = 0; m < M; m++) {
        d2(Q[k * K + k], T[m * M + m], R[k * M + m], f);
        alpha[k] -= 4 * f[D_AA];
        const ac = 2 * f[D_AC];
        const om = m * N;
        for (let i = 0; i < N; i++) w[ok + i] -= ac * us[om + i];
        outer(L, k, k, -f[D_CC], us, om, us, om);
      }
    }
    for (let k = 0; k < K; k++) {
      const ok = k * N;
      const base = ok * D + ok;
      const ak = alpha[k];
      for (let i = 0; i < N; i++) {
        const xi = u[ok + i];
        const wi = w[ok + i];
        const row = base + i * D;
        for (let j = 0; j < N; j++) L[row + j] += ak * xi * u[ok + j] + xi * w[ok + j] + wi * u[ok + j];
      }
    }
    // mirror the upper off-diagonal blocks (row by row of the lower block), add S ⊗ I
    for (let k = 0; k < K; k++)
      for (let l = k + 1; l < K; l++)
        for (let j = 0; j < N; j++) {
          const dst = (l * N + j) * D + k * N;
          const src = k * N * D + l * N + j;
          for (let i = 0; i < N; i++) L[dst + i] = L[src + i * D];
        }
    for (let k = 0; k < K; k++)
      for (let l = 0; l < K; l++) {
        const s = S[k * K + l];
        const base = k * N * D + l * N;
        for (let i = 0; i < N; i++) L[base + i * D + i] += s;
      }
    return S;
  };
}

/**
 * L = ∇²_u ε (KN×KN, row-major, index k·N + i) at a realisation of (Q, R, T) in dimension N ≥ rank Ω
 * (realiseInRank's rows in the first r coordinates).
 */
export function weightHessian(act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: Float64Array, N: number): Float64Array {
  const { u: ur, us: usr, r } = realiseInRank(K, M, Q, R, T);
  if (N < r) throw new RangeError(`realise: N=${N} is below the rank ${r} of Ω`);
  const u = new Float64Array(K * N);
  const us = new Float64Array(M * N);
  for (let k = 0; k < K; k++) for (let c = 0; c < r; c++) u[k * N + c] = ur[k * r + c];
  for (let m = 0; m < M; m++) for (let c = 0; c < r; c++) us[m * N + c] = usr[m * r + c];
  return weightHessianOf(act, K, M, N, u, us, T).L;
}

export interface MinimumTest {
  /** λ_min(∇²_u ε in dimension d) > −shift, decided by Cholesky of L_V + shift·I (and S + shift·I when d ≠ r). */
  minimum: boolean;
  /** Rank r of Ω (the realisation dimension of L_V). */
  r: number;
  /** Size K·r of the factorised Hessian. */
  size: number;
}

/**
 * Is (Q, R, T) a minimum of ε over weights in dimension d, i.e. has ∇²_u ε no eigenvalue below
 * −shift (docs/theory.md §11.6)? Cost O((K r)³/3) with r = rank Ω ≤ K + M, independent of d.
 * When d < r (Ω needs more dimensions than d, by round-off) the test is the one of dimension
 * K + M + 1 > r, as the ensembles' Hessian check has always done.
 */
export function isWeightSpaceMinimum(act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: Float64Array, d: number, shift = STABLE_TOL): MinimumTest {
  const { u, us, r } = realiseInRank(K, M, Q, R, T);
  const { L, S } = weightHessianOf(act, K, M, r, u, us, T);
  const n = K * r;
  for (let i = 0; i < n; i++) L[i * n + i] += shift;
  let minimum = choleskyInPlace(L, n);
  if (minimum && d !== r) {
    for (let k = 0; k < K; k++) S[k * K + k] += shift;
    minimum = choleskyInPlace(S, K);
  }
  return { minimum, r, size: n };
}
